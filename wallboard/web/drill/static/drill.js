/* Draws the drill page's figures and makes a click on a map area or bar open that area.
 * Each figure is a JSON document in data-figure (written by the server); navigation is plain
 * links, so back and forward are the browser's own. */
(function () {
  "use strict";
  function draw(el) {
    var fig = JSON.parse(el.dataset.figure);
    var config = {responsive: true, displaylogo: false, displayModeBar: false, scrollZoom: false,
                  locale: document.documentElement.lang === "id" ? "id" : "en"};
    Plotly.newPlot(el, fig.data, fig.layout, config).then(function () {
      el.dataset.drawn = "1";
    });
    el.on("plotly_click", function (ev) {
      var p = ev.points && ev.points[0];
      var href = p && (Array.isArray(p.customdata) ? p.customdata[0] : p.customdata);
      if (!href && p && p.data && p.data.customdata) href = p.data.customdata[0];
      if (href) window.location.assign(href);
    });
  }
  function start() {
    if (!window.Plotly) { return setTimeout(start, 50); }
    var id = (window.wallboardPlotlyLocales || {}).id;  // plotly-locale-id.js, shipped, no CDN
    if (id) Plotly.register(id);
    document.querySelectorAll("[data-figure]").forEach(draw);
    document.body.dataset.ready = "1";
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
