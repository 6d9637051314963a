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
      if (date && !offsetFromLive) { offset = Date.parse(date) + 500 - (t0 + t1) / 2; clocksMoved = true; look(); }
    }).catch(function () {});
  }

  // Clocks -------------------------------------------------------------------------------------
  var formats = {};
  function formatter(locale, zone, opts) {
    var key = locale + zone + JSON.stringify(opts);
    if (!formats[key]) formats[key] = new Intl.DateTimeFormat(locale, Object.assign({timeZone: zone}, opts));
    return formats[key];
  }

  // Returns the milliseconds until a clock next has something to show (Infinity: no clock).
  var clocksMoved = false;  // the server clock moved: the strips take their phase again
  function tickClocks() {
    var clocks = document.querySelectorAll(".clock"), due = Infinity;
    for (var i = 0; i < clocks.length; i++) {
      var c = clocks[i], sync = c.querySelector(".clock-sync");
      if (!sync || c.closest("[data-replay]")) continue;  // a replay's clock stays at its minute
      var zone = sync.getAttribute("data-zone"), locale = sync.getAttribute("data-locale") || "id-ID";
      var t = serverNow(), now = new Date(t), seconds = sync.getAttribute("data-seconds") === "1";
      var parts = {};
      formatter(locale, zone, {hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23"})
        .formatToParts(now).forEach(function (p) { parts[p.type] = p.value; });
      var sep = locale.indexOf("id") === 0 ? "." : ":";
      var hm = c.querySelector(".clock-hm"), minute = parts.hour + sep + parts.minute;
      var resync = clocksMoved || !hm || hm.textContent !== minute;
      setText(hm, minute);
      if (seconds) showSeconds(c.querySelector(".clock-s"), sep, parts.second, t, resync);
      setText(c.querySelector(".clock-date"), formatter(locale, zone,
        {weekday: "long", day: "numeric", month: "long", year: "numeric"}).format(now));
      var step = seconds ? 1000 : 60000;
      due = Math.min(due, step - (t % step) + 5);  // just past the boundary, never just before it
    }
    clocksMoved = false;
    return due;
  }

  // The seconds' digit strips run as animations of transform (a second's tick lays nothing out,
  // issue 23; Chromium still recalculates the strip's style at each step): the tens step through 0-5 in a minute, the ones
  // through 0-9 in ten seconds. Their phase is set from the server's clock when they start and
  // again whenever it may have moved (each minute, a new server clock), so they never drift. The
  // readable text (.clock-s-text, not displayed) is set each second: no layout.
  var STRIPS = [{steps: 6, every: 60000}, {steps: 10, every: 10000}];
  function runStrips(box, t) {
    var strips = box.querySelectorAll(".clock-strip");
    for (var i = 0; i < strips.length && i < STRIPS.length; i++) {
      var run = STRIPS[i], strip = strips[i], anim = strip.__wbRun;
      if (!anim || anim.playState === "idle" || !strip.isConnected) {
        box.setAttribute("data-run", "1");  // the digit the server drew steps aside (panels.css)
        anim = strip.__wbRun = strip.animate(
          [{transform: "translateY(0)"}, {transform: "translateY(" + (-run.steps) + "em)"}],
          {duration: run.every, iterations: Infinity, easing: "steps(" + run.steps + ", end)", pseudoElement: "::before"});
      }
      // Its start on the document's timeline (performance.now()'s clock, not the last frame's time,
      // which a quiet page may not have drawn for a while): the step falls on the server's second.
      var start = performance.now() - (t % run.every);
      var off = anim.startTime === null ? run.every / 2 : ((anim.startTime - start) % run.every + run.every) % run.every;
      if (off > 20 && off < run.every - 20) anim.startTime = start;
    }
  }

  function showSeconds(box, sep, ss, t, resync) {
    if (!box) return;
    if (box.getAttribute("data-sep") !== sep) box.setAttribute("data-sep", sep);
    setText(box.querySelector(".clock-s-text"), sep + ss);
    if (resync || !box.hasAttribute("data-run")) runStrips(box, t);
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
        clocksMoved = true;
        look();  // the clocks' and bars' next second or page moved with the server's clock
      } else if (m.attributeName === "data-alerts" && el.classList.contains("ticker-track")) {
        var alerts = el.getAttribute("data-alerts") || "";
        if (alerts && alerts !== m.oldValue) { rotate(el, 0); look(); }  // a new alarm is shown at once
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

  // Rotating tickers show their next item when it is due; returns the milliseconds until the next.
  function tickTickers() {
    var tracks = document.querySelectorAll(".ticker-track"), due = Infinity;
    for (var i = 0; i < tracks.length; i++) {
      var t = tracks[i];
      if (t.classList.contains("ticker-scroll")) continue;  // CSS scrolls it (sizeScrolls)
      var state = rotation.get(t), every = Number(t.getAttribute("data-every")) || 8000;
      var on = t.querySelector("[data-on]");
      if (!state || !on || on.style.display === "none") rotate(t, 0);
      else if (Date.now() - state.at >= every) rotate(t, state.index + 1);
      state = rotation.get(t);
      if (state && visibleItems(t).length > 1) due = Math.min(due, Math.max(0, state.at + every - Date.now()));
    }
    return due;
  }

  // A scrolling ticker's speed follows its text's width: set when its text or the screen changes,
  // never on a timer (measuring is a layout).
  function sizeScrolls() {
    var tracks = document.querySelectorAll(".ticker-track.ticker-scroll");
    for (var i = 0; i < tracks.length; i++) {
      var t = tracks[i];
      var speed = parseFloat(getComputedStyle(document.documentElement).fontSize) * 5;  // 5 rem per second
      var width = t.scrollWidth + t.parentElement.clientWidth;
      var duration = Math.max(8, Math.round(width / speed)) + "s";
      if (t.style.getPropertyValue("--ticker-duration") !== duration) t.style.setProperty("--ticker-duration", duration);
    }
  }

  // Bars with rotate: one page at a time, on the server's clock (every display turns together) ------
  // Returns the milliseconds until the next page of any bar list.
  function tickBars() {
    var lists = document.querySelectorAll(".bar-list[data-rotate]"), due = Infinity;
    for (var i = 0; i < lists.length; i++) {
      var list = lists[i], every = Number(list.getAttribute("data-rotate")) || 10000;
      var size = Number(list.getAttribute("data-page-size")) || 1;
      var rows = Array.prototype.filter.call(list.querySelectorAll(".bar-row"),
                                             function (r) { return r.style.display !== "none"; });
      var pages = Math.max(1, Math.ceil(rows.length / size)), t = serverNow(), page = Math.floor(t / every) % pages;
      rows.forEach(function (r, n) {
        var off = Math.floor(n / size) !== page;
        if (off !== r.hasAttribute("data-off")) { if (off) r.setAttribute("data-off", "1"); else r.removeAttribute("data-off"); }
      });
      var first = page * size + 1, last = Math.min(rows.length, first + size - 1);
      setText(list.querySelector(".bar-page"), rows.length > size ? first + "–" + last + " / " + rows.length : "");
      if (pages > 1) due = Math.min(due, every - (t % every) + 5);
    }
    return due;
  }

  // Timers only when they have work (issue 23) ------------------------------------------------------
  // One timer for clocks, tickers and bar pages, due when the first of them has something new to
  // show: a clock at its next second (or minute), a ticker at its next item, a bar list at its next
  // page. A wall with none of them sets no timer at all; a change on the wall that concerns them (a
  // panel drawn, a ticker item or a bar row shown or hidden, a new server clock) looks again.
  var wakeTimer = null, looking = false;
  function wake() {
    looking = false;
    clearTimeout(wakeTimer);
    wakeTimer = null;
    wb.wakes = (wb.wakes || 0) + 1;
    var due = Math.min(tickClocks(), tickTickers(), tickBars());
    if (due < Infinity) wakeTimer = setTimeout(wake, due);
  }

  function look() {
    if (looking) return;
    looking = true;
    Promise.resolve().then(wake);  // once for all the changes of one message
  }

  var TIMED = ".clock, .ticker-track, .bar-list";
  function concernsTimers(m) {
    var el = m.target.nodeType === 1 ? m.target : m.target.parentElement;
    if (el && el.closest(".ticker-track, .bar-list") && !el.closest(".bar-page")) {
      if (el.closest(".ticker-scroll")) scrollsChanged = true;
      return true;
    }
    for (var i = 0; i < m.addedNodes.length; i++) {
      var n = m.addedNodes[i];
      if (n.nodeType === 1 && (n.matches(TIMED) || n.querySelector(TIMED))) { scrollsChanged = true; return true; }
    }
    return false;
  }

  var scrollsChanged = false;
  function onWallChanges(list) {
    var again = false;
    for (var i = 0; i < list.length && !again; i++) again = concernsTimers(list[i]);
    if (scrollsChanged) { scrollsChanged = false; sizeScrolls(); }
    if (again) look();
  }

  // Text fits its box ----------------------------------------------------------------------------
  // A title, an event, a source's line, a bar's region: when its text is wider (or, for clamped
  // text, taller) than its box, the font shrinks until it fits, never below the readability floor
  // (1.6 % of the screen height), then takes a second line (titles, alert lines, bar labels, source
  // lines). An ellipsis is only what is left after that. Fitting measures layout, so it runs
  // only when a box changes size (ResizeObserver) or a text changes length (MutationObserver),
  // never on a timer or on every live update of the same width.
  var FIT = ".panel-title, .panel-note, .panel-alert, .ev-title, .ev-meta, .ev-status, .ev-age, " +
            ".src > span, .bar-label, .bar-more, .gauge-pct, .gauge-detail, .clock-date, .kpi-main, .kpi-change, " +
            ".map-tile-name, .map-rest-item, .map-legend-text, .ticker-rotate .ticker-item";
  var WRAP = ".panel-alert, .bar-label, .src-age, .src-error, .panel-title";           // may take a second line once one line at the floor is not enough
  var FLOOR_REM = 0.016 * 54;          // 1rem is 1/54 of the screen height (wall.css)
  var fittedFor = new WeakMap();       // element -> the text length and panel size it was fitted for
  var queued = new Set(), frame = 0, sizes = null, texts = null, flushes = 0;

  function rem() { return parseFloat(getComputedStyle(document.documentElement).fontSize) || 20; }

  function hidesOverflow(s) { return /hidden|clip|auto|scroll/.test(s.overflowX + s.overflowY); }

  function overflowing(el) {
    if (el.scrollWidth > el.clientWidth + 1) return true;
    if (el.classList.contains("kpi-main")) return false;  // sized by kpi.py for its box; only too wide matters
    var s = getComputedStyle(el);
    if ((hidesOverflow(s) || s.webkitLineClamp !== "none") && el.scrollHeight > el.clientHeight + 1) return true;
    var range = document.createRange();
    range.selectNodeContents(el);
    var t = range.getBoundingClientRect(), v = 0.1 * parseFloat(s.fontSize);
    var panel = el.closest(".panel");
    for (var a = el.parentElement; a && a !== panel.parentElement; a = a.parentElement) {
      if (!hidesOverflow(getComputedStyle(a))) continue;
      var b = a.getBoundingClientRect();
      return t.left < b.left - 1 || t.right > b.right + 1 || t.top < b.top - v || t.bottom > b.bottom + v;
    }
    return false;
  }

  function lengthOf(key) { return key === undefined ? -1 : Number(key.split("|")[0]); }

  function keyOf(el) {
    var panel = el.closest(".panel");
    return el.textContent.length + "|" + (panel ? panel.clientWidth + "x" + panel.clientHeight : "") + "|" + rem();
  }

  function setSize(el, px, base) {
    if (el.classList.contains("kpi-main")) el.style.setProperty("--fit", (px / base).toFixed(4));
    else el.style.fontSize = px.toFixed(2) + "px";
  }

  function fit(el) {
    if (!el.isConnected || !el.getClientRects().length) return;  // not laid out: fitted when it shows
    var key = keyOf(el);
    if (fittedFor.get(el) === key) return;
    fittedFor.set(el, key);
    el.style.removeProperty("--fit");
    if (!el.classList.contains("kpi-main")) el.style.removeProperty("font-size");  // kpi.py sets its own
    el.removeAttribute("data-wrap");
    if (!overflowing(el)) return;
    shrink(el);
    if (el.matches(WRAP) && !el.hasAttribute("data-wrap") && overflowing(el)) {  // then a second line
      // (a title keeps the floor size on its two lines, so the figure below keeps its room)
      if (!el.classList.contains("panel-title")) el.style.removeProperty("font-size");
      el.setAttribute("data-wrap", "2");
      shrink(el);
    }
  }

  function shrink(el) {
    var base = parseFloat(getComputedStyle(el).fontSize), size = base;
    var floor = el.classList.contains("kpi-main") ? 0 : FLOOR_REM * rem();
    for (var i = 0; i < 12 && size > floor && overflowing(el); i++) {
      // Too wide: by the ratio (a hair too wide loses a hair); too tall or out of its box: 5 %.
      var ratio = el.clientWidth / Math.max(1, el.scrollWidth), k = ratio < 1 ? ratio * 0.99 : 0.95;
      size = Math.max(floor, size * Math.max(0.5, k));
      setSize(el, size, base);
    }
  }

  function queue(el) {
    queued.add(el);
    if (!frame) frame = requestAnimationFrame(flush);
  }

  function flush() {
    frame = 0;
    var els = Array.from(queued);
    queued.clear();
    els.forEach(fit);
    var panels = new Set();
    els.forEach(function (el) { var p = el.isConnected && el.closest(".panel-status"); if (p) panels.add(p); });
    panels.forEach(cutRows);  // a title on two lines leaves less room for rows
    flushes += 1;
  }

  function watchFit(root) {
    var found = root.matches && root.matches(FIT) ? [root] : [];
    if (root.querySelectorAll) found = found.concat(Array.from(root.querySelectorAll(FIT + ", .panel")));
    found.forEach(function (el) {
      sizes.observe(el);
      if (!el.classList.contains("panel")) queue(el);
    });
  }

  function onResize(entries) {
    entries.forEach(function (e) {
      var el = e.target;
      if (el.classList.contains("panel")) { el.querySelectorAll(FIT).forEach(queue); cutRows(el); }
      else queue(el);
    });
  }

  // A source list shows only the rows that fit whole (the server counted them for a one-line head).
  function cutRows(panel) {
    var lists = panel.querySelectorAll(".src-list");
    for (var i = 0; i < lists.length; i++) {
      var list = lists[i], rows = list.children;
      for (var j = 0; j < rows.length; j++) rows[j].removeAttribute("data-cut");
      var bottom = list.getBoundingClientRect().bottom + 1;
      for (j = 0; j < rows.length; j++) {
        if (rows[j].getBoundingClientRect().bottom > bottom) rows[j].setAttribute("data-cut", "1");
      }
    }
  }

  function onText(list) {
    list.forEach(function (m) {
      var el = m.target.nodeType === 1 ? m.target : m.target.parentElement;
      if (!el) return;
      var owner = el.closest(FIT);
      // Same length as when fitted: nothing to measure (a live update of a figure or an age
      // costs no layout read); a new length is fitted in the next frame.
      if (owner && lengthOf(fittedFor.get(owner)) !== owner.textContent.length) queue(owner);
      m.addedNodes.forEach(function (n) { if (n.nodeType === 1) watchFit(n); });
    });
  }

  function startFitting() {
    var wall = document.getElementById("wall");
    if (!wall || typeof ResizeObserver === "undefined") { if (!wall) setTimeout(startFitting, 100); return; }
    sizes = new ResizeObserver(onResize);
    texts = new MutationObserver(onText);
    texts.observe(wall, {subtree: true, childList: true, characterData: true});
    watchFit(wall);
    if (document.fonts && document.fonts.ready) {
      document.fonts.ready.then(function () { fittedFor = new WeakMap(); wall.querySelectorAll(FIT).forEach(queue); });
    }
  }
  window.wallboard = window.wallboard || {};
  // For tests and the curious: every queued text has been fitted.
  window.wallboard.fitted = function () { return flushes > 0 && !frame && !queued.size; };

  // Plotly: Indonesian formats, and type sized for the real screen -------------------------------
  // The Indonesian locale comes from plotly-locale-id.js (loaded before this file, alphabetically).
  var ID_LOCALE = (window.wallboardPlotlyLocales || {}).id;

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
  function traceBut(t, skip) {
    var rest = {};
    for (var k in t) if (skip.indexOf(k) < 0) rest[k] = t[k];
    if (skip.indexOf("textfont.color") >= 0 && t.textfont) {
      rest.textfont = Object.assign({}, t.textfont);
      delete rest.textfont.color;
    }
    return JSON.stringify(rest);
  }

  // A figure's shape: its layout, each trace but its points and texts (traces), and each trace but
  // its points, texts and colours (cores: what a map keeps when only its figures move).
  var POINTS = ["x", "y", "text"], FIGURES = ["x", "y", "text", "fillcolor", "textfont.color"];
  function shape(fig) {
    var data = fig.data || [];
    return {layout: JSON.stringify(fig.layout || {}),
            traces: data.map(function (t) { return traceBut(t, POINTS); }),
            cores: data.map(function (t) { return traceBut(t, FIGURES); })};
  }

  function sameList(a, b) {
    if (a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  function sameShape(a, b) {
    return !!(a && b && a.layout === b.layout && sameList(a.traces, b.traces));
  }

  function textChanged(gd, data) {
    for (var i = 0; i < data.length; i++) if (JSON.stringify(data[i].text) !== JSON.stringify((gd.data[i] || {}).text)) return true;
    return false;
  }

  function inPlace(P, gd, fig) {
    var next = shape(fig), before = gd && gd.__wbShape;
    var ready = before && gd._fullLayout && Array.isArray(gd.data) && gd.data.length === fig.data.length;
    if (gd) gd.__wbShape = next;
    if (!ready) return null;
    if (!sameShape(before, next) || textChanged(gd, fig.data)) {
      if (before.layout !== next.layout || !sameList(before.cores, next.cores) || !drawAreas(gd, fig)) {
        return null;
      }
      wb.areasDrawn = (wb.areasDrawn || 0) + 1;
      return Promise.resolve(gd);
    }
    wb.inPlace = (wb.inPlace || 0) + 1;
    if (drawLines(gd, fig)) { wb.linesDrawn = (wb.linesDrawn || 0) + 1; return Promise.resolve(gd); }
    var indices = fig.data.map(function (_, i) { return i; });
    return P.animate(gd, {data: fig.data.map(function (t) { return {x: t.x, y: t.y}; }), traces: indices}, IN_PLACE);
  }

  // The usual trend update, drawn without Plotly: the layout is the same (so are the axes: a trend
  // fixes its ranges) and every trace is a plain line (scatter, "lines", no fill, linear, every
  // point a number) whose path is on the page. Its points go through the axes' own conversions
  // (d2c, c2p) into the path's "d", and gd.data takes the new x/y. Plotly.animate ran supplyDefaults
  // and calc over the whole figure for each new point: most of what a trend cost the wall PC
  // (issue 23). What Plotly derives from the data (calcdata: hover labels, a resize) is then behind;
  // the chart is marked, and a resize, a pointer over it or any full drawing recomputes it first.
  function plainLine(t, f) {
    return f && f.type === "scatter" && f.visible === true &&
      f.mode === "lines" && f.fill === "none" && f.line && f.line.shape === "linear" &&
      f.xaxis === "x" && f.yaxis === "y" && Array.isArray(t.x) && Array.isArray(t.y) &&
      t.x.length === t.y.length && t.x.length > 1;
  }

  function linePath(gd, xa, ya, xs, ys) {
    var cache = gd.__wbXc;
    if (!cache || cache.size > 4 * xs.length + 64) cache = gd.__wbXc = new Map();
    var out = new Array(xs.length);
    for (var k = 0; k < xs.length; k++) {
      var cx = cache.get(xs[k]);
      if (cx === undefined) { cx = xa.d2c(xs[k]); cache.set(xs[k], cx); }
      var y = ys[k], cy = typeof y === "number" ? y : NaN;
      var px = xa.c2p(cx), py = ya.c2p(cy);
      if (!isFinite(px) || !isFinite(py)) return null;  // a gap or a value Plotly would read otherwise
      out[k] = Math.round(px * 100) / 100 + "," + Math.round(py * 100) / 100;
    }
    return "M" + out.join("L");
  }

  function drawLines(gd, fig) {
    var full = gd._fullData, fl = gd._fullLayout, xa = fl && fl.xaxis, ya = fl && fl.yaxis;
    if (!full || !xa || !ya || !xa.c2p || !ya.c2p || !xa.d2c || full.length !== fig.data.length) return false;
    var groups = gd.querySelectorAll(".scatterlayer .trace");
    if (groups.length !== fig.data.length) return false;
    var paths = [], ds = [];
    for (var i = 0; i < fig.data.length; i++) {
      var t = fig.data[i], path = groups[i].querySelectorAll("path.js-line");
      if (!plainLine(t, full[i]) || path.length !== 1) return false;
      var d = linePath(gd, xa, ya, t.x, t.y);
      if (d === null) return false;
      paths.push(path[0]);
      ds.push(d);
    }
    for (i = 0; i < paths.length; i++) {
      paths[i].setAttribute("d", ds[i]);
      gd.data[i].x = fig.data[i].x;
      gd.data[i].y = fig.data[i].y;
    }
    behind(gd);
    return true;
  }

  // A map's usual update, drawn without Plotly: its outlines and its labels' places stay, and only
  // areas' colours and labels' texts move (a figure changed). Plotly.react plots a whole map again
  // for a changed text (80 to 180 ms at 1x, traced on the demo wall, with about 300 style
  // invalidations): here each changed area's fill path takes its colour, and each changed label's
  // text nodes their new text, when the label keeps its markup (the name line, the bold figure).
  // gd.data takes the new colours and texts; Plotly catches up as for a trend's line (behind).
  function drawAreas(gd, fig) {
    var groups = gd.querySelectorAll(".scatterlayer .trace");
    if (groups.length !== fig.data.length) return false;
    var writes = [];
    for (var i = 0; i < fig.data.length; i++) {
      var t = fig.data[i], old = gd.data[i];
      if (!sameList(t.x || [], old.x || []) || !sameList(t.y || [], old.y || [])) return false;
      if (t.fillcolor !== old.fillcolor && !fillWrite(groups[i], t, old, writes)) return false;
      var ink = (t.textfont || {}).color, inkBefore = (old.textfont || {}).color;
      var inks = JSON.stringify(ink) === JSON.stringify(inkBefore) ? null : ink;
      if ((inks || JSON.stringify(t.text) !== JSON.stringify(old.text)) &&
          !textWrites(groups[i], t.text, old.text, inks, writes)) return false;
    }
    writes.forEach(function (w) { w(); });
    for (i = 0; i < fig.data.length; i++) {
      gd.data[i].fillcolor = fig.data[i].fillcolor;
      gd.data[i].text = fig.data[i].text;
      if (fig.data[i].textfont) gd.data[i].textfont = Object.assign({}, gd.data[i].textfont, {color: fig.data[i].textfont.color});
    }
    behind(gd);
    return true;
  }

  function fillWrite(group, t, old, writes) {
    var path = group.querySelectorAll("path.js-fill");
    // A hatched (stale) area is filled by a pattern Plotly defines: it is drawn by Plotly.
    if (path.length !== 1 || t.fill !== "toself" || old.fillpattern || t.fillpattern) return false;
    writes.push(function () { path[0].style.fill = t.fillcolor; path[0].style.fillOpacity = "1"; });
    return true;
  }

  function textWrites(group, texts, olds, inks, writes) {
    if (!Array.isArray(texts) || !Array.isArray(olds) || texts.length !== olds.length) return false;
    if (inks && (!Array.isArray(inks) || inks.length !== texts.length)) return false;
    var points = group.querySelectorAll("g.textpoint > text");
    if (points.length !== texts.length) return false;
    for (var k = 0; k < texts.length; k++) {
      if (texts[k] !== olds[k]) {
        var w = labelWrite(points[k], String(olds[k]), String(texts[k]));
        if (!w) return false;
        writes.push(w);
      }
      if (inks && !inkWrite(points[k], inks[k], writes)) return false;
    }
    return true;
  }

  // A label's colour, with the outline Plotly gives it ("shadow: auto": its Color.contrast, white
  // around dark ink and #444 around light ink, by tinycolor's brightness).
  function inkWrite(el, ink, writes) {
    var m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(String(ink));
    if (!m) return false;
    var bright = (parseInt(m[1], 16) * 299 + parseInt(m[2], 16) * 587 + parseInt(m[3], 16) * 114) / 1000;
    var c = bright < 128 ? "#fff" : "#444";
    var shadow = ["1px 1px", "-1px -1px", "1px -1px", "-1px 1px"].map(function (o) { return c + " " + o + " 1px"; });
    writes.push(function () { el.style.fill = ink; el.style.textShadow = shadow.join(", "); });
    return true;
  }

  // Plotly draws a label's markup ("Kecamatan<br><b>12</b>") as one text node per stretch of text
  // between tags (and empty ones of its own). A new text with the same tags, and the same stretches
  // empty or not, is the old one's text nodes with new contents; anything else (an entity, a new
  // tag) is drawn by Plotly.
  function labelWrite(el, before, after) {
    var a = before.split(/(<[^>]*>)/), b = after.split(/(<[^>]*>)/), parts = [];
    if (a.length !== b.length || /&/.test(before + after)) return null;
    for (var i = 0; i < a.length; i++) {
      if (i % 2 ? a[i] !== b[i] : !a[i] !== !b[i]) return null;
      if (i % 2 === 0 && b[i]) parts.push(b[i]);
    }
    var nodes = [], walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    while (walk.nextNode()) if (walk.currentNode.data) nodes.push(walk.currentNode);
    if (nodes.length !== parts.length) return null;
    return function () {
      nodes.forEach(function (n, j) { if (n.data !== parts[j]) n.data = parts[j]; });
      el.setAttribute("data-unformatted", after);  // what Plotly reads to know the text it drew
    };
  }

  function behind(gd) {
    gd.__wbBehind = true;
    if (gd.__wbPointer) return;
    gd.__wbPointer = true;  // a supervisor's pointer reads hover labels: they come from calcdata
    gd.addEventListener("pointerenter", function () { catchUp(gd); });
  }

  function catchUp(gd) {
    if (!gd.__wbBehind) return null;
    gd.__wbBehind = false;
    wb.linesCaughtUp = (wb.linesCaughtUp || 0) + 1;
    return window.Plotly.redraw(gd);
  }

  // A figure drawn in place without Dash (wall.js writeFigure): true when drawn, and the chart then
  // holds it; false (and nothing changed) when Dash and Plotly must draw it.
  wb.drawFigure = function (el, fig) {
    var P = window.Plotly, gd = el.classList.contains("js-plotly-plot") ? el : el.querySelector(".js-plotly-plot");
    if (!P || !P.__wallboard || !gd || !fig.layout || !fig.layout.meta || !fig.layout.meta.wallScale) return false;
    if (!Array.isArray(fig.data)) return false;
    var before = gd.__wbShape, drawn = inPlace(P, gd, fig);
    if (!drawn) gd.__wbShape = before;  // Plotly.react, called by Dash next, compares with what it drew
    gd.__wbDrawn = drawn ? fig.data : null;
    return !!drawn;
  };

  function wrapPlotly() {
    var P = window.Plotly;
    if (!P || P.__wallboard) return !!P;
    P.__wallboard = true;
    try { if (ID_LOCALE) P.register(ID_LOCALE); } catch (e) { /* already there */ }
    var resize = P.Plots && P.Plots.resize;
    if (resize) {
      P.Plots.resize = function (gd) {
        var caught = gd && gd.__wbBehind && catchUp(gd);
        if (!caught) return resize.apply(this, arguments);
        var self = this, args = arguments;
        return caught.then(function () { return resize.apply(self, args); });
      };
    }
    ["react", "newPlot"].forEach(function (name) {
      var original = P[name];
      P[name] = function (gd, data, layout, config) {
        if (name === "react" && gd && data && data.data && data.data === gd.__wbDrawn &&
            JSON.stringify(data.layout || {}) === (gd.__wbShape || {}).layout) {
          // Dash's graph drawing the figure drawn here already (wall.js stored it without telling
          // React; any later render of the graph hands it over): it is on the screen. Plotly.animate
          // would plot the map's labels again for nothing; what Plotly derives stays behind.
          wb.drawnAgain = (wb.drawnAgain || 0) + 1;
          return Promise.resolve(gd);
        }
        if (gd) gd.__wbDrawn = null;
        if (gd && gd.__wbBehind) {
          // Plotly.react compares data arrays by reference: a trace drawn here since is given a
          // copy, so Plotly computes it again instead of keeping the calcdata it still holds.
          gd.__wbBehind = false;
          (gd.data || []).forEach(function (t) { if (t && Array.isArray(t.x)) t.x = t.x.slice(); });
        }
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
    new MutationObserver(onWallChanges).observe(document.body, {
      subtree: true, childList: true, attributes: true, attributeFilter: ["style", "data-every", "data-rotate", "data-page-size"]
    });
    window.addEventListener("resize", sizeScrolls);
    sizeScrolls();
    wake();
    startFitting();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
