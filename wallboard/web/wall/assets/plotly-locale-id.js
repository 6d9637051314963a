/* Plotly's Indonesian locale ("id"), shipped with wallboard so no page fetches it from a CDN: day
 * and month names, dates as 02/12/2026, a decimal comma and thousands dot. The wall (panels.js)
 * and the drill pages (drill.js, served as /panel/_static/plotly-locale-id.js) register it with
 * Plotly.register as soon as Plotly is there, and draw with config.locale = "id" on an
 * Indonesian site. */
(function () {
  "use strict";
  window.wallboardPlotlyLocales = window.wallboardPlotlyLocales || {};
  window.wallboardPlotlyLocales.id = {
    moduleType: "locale", name: "id",
    dictionary: {
      "Autoscale": "Skala otomatis", "Box Select": "Pilih kotak", "Double-click to zoom back out":
        "Klik dua kali untuk memperkecil kembali", "Download plot": "Unduh plot", "Pan": "Geser",
      "Reset axes": "Atur ulang sumbu", "Zoom": "Perbesar", "Zoom in": "Perbesar", "Zoom out": "Perkecil"
    },
    format: {
      days: ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"],
      shortDays: ["Min", "Sen", "Sel", "Rab", "Kam", "Jum", "Sab"],
      months: ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
               "Oktober", "November", "Desember"],
      shortMonths: ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
      date: "%d/%m/%Y", decimal: ",", thousands: ".",
      year: "%Y", month: "%b %Y", dayMonth: "%-d %b", dayMonthYear: "%-d %b %Y"
    }
  };
})();
