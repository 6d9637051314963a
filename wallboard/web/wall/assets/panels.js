/* The parts of panels that live in the browser, so they cost the server nothing:
 *  - clocks tick every second on the server's time (corrected for a wrong wall-PC clock);
 *  - a panel turning worse (to warning, critical or error) draws the eye once (data-alert);
 *  - tickers rotate or scroll (cameras live in cameras.js);
 *  - Plotly figures use Indonesian number/date formats and type scaled to the screen.
 */
(function () {
  "use strict";
  var SEVERITY = {ok: 0, nodata: 0, stale: 1, warning: 2, critical: 3, error: 3};
  var offset = 0, offsetFromLive = false;
  var wb = window.wallboard = window.wallboard || {};

  function serverNow() { return Date.now() + offset; }

  // Server time --------------------------------------------------------------------------------
  function syncFromHeader() {
    var t0 = Date.now();
    fetch("/api/health", {cache: "no-store"}).then(function (r) {
      var t1 = Date.now(), date = r.headers.get("Date");
      if (date && !offsetFromLive) offset = Date.parse(date) + 500 - (t0 + t1) / 2;
    }).catch(function () {});
  }

  // Clocks -------------------------------------------------------------------------------------
  var formats = {};
  function formatter(locale, zone, opts) {
    var key = locale + zone + JSON.stringify(opts);
    if (!formats[key]) formats[key] = new Intl.DateTimeFormat(locale, Object.assign({timeZone: zone}, opts));
    return formats[key];
  }

  function tickClocks() {
    var clocks = document.querySelectorAll(".clock");
    for (var i = 0; i < clocks.length; i++) {
      var c = clocks[i], sync = c.querySelector(".clock-sync");
      if (!sync || c.closest("[data-replay]")) continue;  // a replay's clock stays at its minute
      var zone = sync.getAttribute("data-zone"), locale = sync.getAttribute("data-locale") || "id-ID";
      var now = new Date(serverNow());
      var parts = {};
      formatter(locale, zone, {hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23"})
        .formatToParts(now).forEach(function (p) { parts[p.type] = p.value; });
      var sep = locale.indexOf("id") === 0 ? "." : ":";
      setText(c.querySelector(".clock-hm"), parts.hour + sep + parts.minute);
      if (sync.getAttribute("data-seconds") === "1") setText(c.querySelector(".clock-s"), sep + parts.second);
      setText(c.querySelector(".clock-date"), formatter(locale, zone,
        {weekday: "long", day: "numeric", month: "long", year: "numeric"}).format(now));
    }
  }

  function setText(el, text) { if (el && el.textContent !== text) el.textContent = text; }

  // Worse state draws the eye once ---------------------------------------------------------------
  function onMutations(list) {
    for (var i = 0; i < list.length; i++) {
      var m = list[i], el = m.target;
      if (m.attributeName === "data-state" && el.hasAttribute("data-panel")) {
        var before = SEVERITY[m.oldValue] || 0, after = SEVERITY[el.getAttribute("data-state")] || 0;
        if (after > before && after >= 2) alertOnce(el);
      } else if (m.attributeName === "data-now" && m.oldValue !== null) {
        offset = Number(el.getAttribute("data-now")) - Date.now();  // fresh from the live stream
        offsetFromLive = true;
      } else if (m.attributeName === "data-alerts" && el.classList.contains("ticker-track")) {
        var alerts = el.getAttribute("data-alerts") || "";
        if (alerts && alerts !== m.oldValue) rotate(el, 0);  // a new alarm is shown at once
      }
    }
  }

  function alertOnce(el) {
    el.removeAttribute("data-alert");
    void el.offsetWidth;  // restart the animation if one is still running
    el.setAttribute("data-alert", "1");
  }

  document.addEventListener("animationend", function (e) {
    if (e.animationName === "panel-alert") e.target.removeAttribute("data-alert");
  }, true);

  // Tickers ------------------------------------------------------------------------------------
  var rotation = new WeakMap();
  function visibleItems(track) {
    return Array.prototype.filter.call(track.children, function (c) { return c.style.display !== "none"; });
  }

  function rotate(track, index) {
    var items = visibleItems(track);
    Array.prototype.forEach.call(track.children, function (c) { c.removeAttribute("data-on"); });
    if (!items.length) return;
    var n = index % items.length;
    items[n].setAttribute("data-on", "1");
    rotation.set(track, {index: n, at: Date.now()});
  }

  function tickTickers() {
    var tracks = document.querySelectorAll(".ticker-track");
    for (var i = 0; i < tracks.length; i++) {
      var t = tracks[i];
      if (t.classList.contains("ticker-scroll")) {
        var speed = parseFloat(getComputedStyle(document.documentElement).fontSize) * 5;  // 5 rem per second
        var width = t.scrollWidth + t.parentElement.clientWidth;
        t.style.setProperty("--ticker-duration", Math.max(8, Math.round(width / speed)) + "s");
        continue;
      }
      var state = rotation.get(t), every = Number(t.getAttribute("data-every")) || 8000;
      var on = t.querySelector("[data-on]");
      if (!state || !on || on.style.display === "none") rotate(t, 0);
      else if (Date.now() - state.at >= every) rotate(t, state.index + 1);
    }
  }

  // A kpi figure never spills out of its box, whatever fonts the wall PC has ---------------------
  var fitted = new WeakMap();
  function fitValues() {
    var mains = document.querySelectorAll(".kpi-main");
    for (var i = 0; i < mains.length; i++) {
      var m = mains[i], text = m.textContent, fit = Number(m.style.getPropertyValue("--fit")) || 1;
      if (fitted.get(m) !== text && fit !== 1) { m.style.removeProperty("--fit"); fitted.set(m, text); continue; }
      fitted.set(m, text);
      if (m.scrollWidth > m.clientWidth + 1) {
        m.style.setProperty("--fit", (fit * m.clientWidth / m.scrollWidth * 0.98).toFixed(3));
      }
    }
  }

  // Plotly: Indonesian formats, and type sized for the real screen -------------------------------
  var ID_LOCALE = {
    moduleType: "locale", name: "id",
    dictionary: {},
    format: {
      days: ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"],
      shortDays: ["Min", "Sen", "Sel", "Rab", "Kam", "Jum", "Sab"],
      months: ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
               "Oktober", "November", "Desember"],
      shortMonths: ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
      date: "%d/%m/%Y", decimal: ",", thousands: "."
    }
  };

  function scaled(layout) {
    if (!layout || !layout.meta || !layout.meta.wallScale || layout.meta.wallScaled) return layout;
    var k = window.innerHeight / 1080;
    if (Math.abs(k - 1) < 0.01) return layout;
    var out = Object.assign({}, layout);
    out.meta = Object.assign({}, layout.meta, {wallScaled: k});  // never scaled twice
    out.font = Object.assign({}, layout.font || {});
    out.font.size = (out.font.size || 12) * k;
    if (Array.isArray(layout.shapes)) {  // level lines: as thick on a 4K wall as at 1080p
      out.shapes = layout.shapes.map(function (s) {
        return s && s.line && typeof s.line.width === "number"
          ? Object.assign({}, s, {line: Object.assign({}, s.line, {width: s.line.width * k})}) : s;
      });
    }
    if (layout.margin) {
      out.margin = {};
      for (var key in layout.margin) out.margin[key] = typeof layout.margin[key] === "number" ? layout.margin[key] * k : layout.margin[key];
    }
    return out;
  }

  function scaledData(data, layout) {
    if (!Array.isArray(data) || (layout && layout.meta && layout.meta.wallScaled)) return data;
    var k = window.innerHeight / 1080;
    if (Math.abs(k - 1) < 0.01) return data;
    return data.map(function (t) {
      if (!t) return t;
      var c = Object.assign({}, t);
      if (t.line && typeof t.line.width === "number") c.line = Object.assign({}, t.line, {width: t.line.width * k});
      if (t.textfont && typeof t.textfont.size === "number") c.textfont = Object.assign({}, t.textfont, {size: t.textfont.size * k});
      if (t.marker && typeof t.marker.size === "number") c.marker = Object.assign({}, t.marker, {size: t.marker.size * k});
      return c;
    });
  }

  // Charts updated in place (issue 23): Plotly.react redraws the whole chart, axes, ticks and grid
  // included, for any change of the points. When a wall figure keeps its layout and every trace
  // keeps all but its x/y/text, Plotly.animate without redraw moves only the traces (the trend's
  // fixed axis ranges make this the usual update); any other change goes to react as before.
  var IN_PLACE = {transition: {duration: 0}, frame: {duration: 0, redraw: false}, mode: "immediate"};
  function shape(fig) {
    var layout = JSON.stringify(fig.layout || {});
    var traces = (fig.data || []).map(function (t) {
      var rest = {};
      for (var k in t) if (k !== "x" && k !== "y" && k !== "text") rest[k] = t[k];
      return JSON.stringify(rest);
    });
    return {layout: layout, traces: traces};
  }

  function sameShape(a, b) {
    if (!a || !b || a.layout !== b.layout || a.traces.length !== b.traces.length) return false;
    for (var i = 0; i < a.traces.length; i++) if (a.traces[i] !== b.traces[i]) return false;
    return true;
  }

  function textChanged(gd, data) {
    for (var i = 0; i < data.length; i++) if (JSON.stringify(data[i].text) !== JSON.stringify((gd.data[i] || {}).text)) return true;
    return false;
  }

  function inPlace(P, gd, fig) {
    var next = shape(fig), before = gd && gd.__wbShape;
    var ok = before && gd._fullLayout && Array.isArray(gd.data) && sameShape(before, next) && !textChanged(gd, fig.data);
    if (gd) gd.__wbShape = next;
    if (!ok) return null;
    wb.inPlace = (wb.inPlace || 0) + 1;
    var indices = fig.data.map(function (_, i) { return i; });
    return P.animate(gd, {data: fig.data.map(function (t) { return {x: t.x, y: t.y}; }), traces: indices}, IN_PLACE);
  }

  function wrapPlotly() {
    var P = window.Plotly;
    if (!P || P.__wallboard) return !!P;
    P.__wallboard = true;
    try { P.register(ID_LOCALE); } catch (e) { /* already there */ }
    ["react", "newPlot"].forEach(function (name) {
      var original = P[name];
      P[name] = function (gd, data, layout, config) {
        if (data && !Array.isArray(data) && typeof data === "object" && data.layout) {  // (gd, figure)
          if (name === "react" && data.layout.meta && data.layout.meta.wallScale) {
            var moved = inPlace(P, gd, data);
            if (moved) return moved;
          } else if (gd) {
            gd.__wbShape = null;
          }
          var wanted = data.layout.meta && data.layout.meta.wallScale;
          // Plotly writes into the layout it draws (axis types, autorange flags): give it a copy, so
          // Dash's own figure, and with it the next update's layout, stays as the server sent it.
          var own = wanted ? JSON.parse(JSON.stringify(data.layout)) : data.layout;
          var fig = Object.assign({}, data, {layout: scaled(own),
                                             data: wanted ? scaledData(data.data, data.layout) : data.data});
          return original.call(P, gd, fig);
        }
        var isScaled = layout && layout.meta && layout.meta.wallScale;
        return original.call(P, gd, isScaled ? scaledData(data, layout) : data, scaled(layout), config);
      };
    });
    // Figures drawn before this ran get their screen-sized type now.
    var drawn = document.querySelectorAll(".js-plotly-plot");
    for (var i = 0; i < drawn.length; i++) {
      var gd = drawn[i];
      if (gd.layout && gd.layout.meta && gd.layout.meta.wallScale && !gd.layout.meta.wallScaled) {
        P.react(gd, gd.data, gd.layout);
      }
    }
    return true;
  }

  // Start ---------------------------------------------------------------------------------------
  function start() {
    new MutationObserver(onMutations).observe(document.body, {
      subtree: true, attributes: true, attributeOldValue: true,
      attributeFilter: ["data-state", "data-now", "data-alerts"]
    });
    syncFromHeader();
    setInterval(syncFromHeader, 15 * 60 * 1000);
    var plotlyTimer = setInterval(function () { if (wrapPlotly()) clearInterval(plotlyTimer); }, 20);
    setInterval(function () { tickClocks(); tickTickers(); fitValues(); }, 250);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
