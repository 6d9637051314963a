/* Live link between the wall and the server's hub, page rotation and the video-wall split.
 *
 * One EventSource per wall. "hello" carries the server's code+config version (a different one
 * reloads the page), the server clock (window.wallboard.serverOffsetMs) and the next daily reload
 * time. "delta" carries the component props that changed: plain props and figures drawn in place
 * are written directly (Dash's stored figure kept as drawn), the rest through
 * dash_clientside.set_props; figures arrive as Dash Patch operations.
 *
 * data-link on the wall root reads "live", "reconnecting" (at once on a lost connection, or after
 * 2.5 heartbeats without even a heartbeat: a hung server or a half-open link; the hello says how
 * often the server beats, site.heartbeat) and "offline" (after 30 s without the server). The
 * wall reconnects by itself with a growing, jittered delay (so fifty walls do not hammer a server
 * that has just restarted) and catches up from the full view the server sends on connection.
 *
 * A live wall's page names its stream (<meta name="wallboard-stream">, wallboard/web/wall/first.py):
 * the stream opens as soon as this script runs, in parallel with Dash's own requests for the
 * layout, and its first messages wait in `early` until the Dash tree (#wall, set_props) is there.
 */
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var SILENCE_MS = 25000;                // no heartbeat for this long: the link is lost (set by hello)
  var HUNG_MS = 30000;                   // an "open" stream this silent is abandoned and reopened
  var OFFLINE_MS = 1000 * (parseFloat(params.get("offline_after")) || 30);
  var RETRY_MIN_MS = 1000, RETRY_MAX_MS = 10000;
  var RELOAD_JITTER_MS = 30000;          // spread daily reloads of many walls over half a minute
  var RELOAD_GUARD = 3;                  // version reloads per minute before we stop trying
  var VERSION_JITTER_MS = 1500;

  var source = null, retryTimer = null, attempts = 0, lastHeard = Date.now();
  var streamUrl = null, early = [];      // the stream's address; its messages that came before #wall
  var root = null, link = "live", reloadTimer = null, reloadDue = false;
  var pages = 1, rotateMs = 0, page = 0, reloading = false, rotateTimer = null;

  var wb = window.wallboard = window.wallboard || {};
  wb.serverOffsetMs = 0;                 // server clock minus this browser's clock
  wb.timezone = null;
  wb.now = function () { return Date.now() + wb.serverOffsetMs; };
  wb.stats = {connects: 0, hellos: 0, deltas: 0, patches: 0, heartbeats: 0, bytes: 0};

  function setProps(id, props) { window.dash_clientside.set_props(id, props); }

  function clockText(ms) {
    // The time the figures were last received, on the server's clock in the site's time zone.
    try {
      var locale = root && root.getAttribute("data-locale") === "en" ? "en-GB" : "id-ID";
      return new Intl.DateTimeFormat(locale, {hour: "2-digit", minute: "2-digit", timeZone: wb.timezone || undefined})
        .format(new Date(ms + wb.serverOffsetMs));
    } catch (e) {
      return new Date(ms).toTimeString().slice(0, 5);
    }
  }

  function setLink(state) {
    if (state === link || !root) return;
    link = state;
    wb.link = state;
    if (state === "offline") setProps("wall-banner-since", {children: clockText(lastHeard)});
    setProps("wall", {"data-link": state});
  }

  function heard() {
    lastHeard = Date.now();
    attempts = 0;
    setLink("live");
  }

  // All DOM writes of a message (and of any others that arrive before the next frame) happen in
  // one animation frame, in order: one style and layout pass per frame at most (issue 23). A hidden
  // page gets no frames, so there (and should a frame not come within half a second) a timer
  // writes instead: the wall is never left behind its stream.
  var queued = [], frameId = null, guardId = null;
  function flush() {
    if (frameId !== null) cancelAnimationFrame(frameId);
    if (guardId !== null) clearTimeout(guardId);
    frameId = guardId = null;
    var batch = queued;
    queued = [];
    wb.stats.frames = (wb.stats.frames || 0) + (batch.length ? 1 : 0);
    for (var i = 0; i < batch.length; i++) write(batch[i]);
  }

  // Plain props (a text, a class, a title, a data- attribute, an inline style of strings and custom
  // properties) are written to their element directly, as React itself would write them; only the
  // rest (figures, component trees) goes through Dash's set_props. Each set_props is three Redux
  // dispatches that every connected component hears, and re-computes the paths below the
  // component: the bulk of what a message cost the wall PC (issue 23). React leaves such a write
  // be: it writes a DOM prop only when its own props change, and the server's views give each
  // element fixed plain props (a text stays a text), so the props in Dash's store are never used
  // again. A text is written only where React rendered one text node (its own, reused by React) or
  // an empty text.
  var REACT_PROPS = null;
  function reactProps(el) {
    if (REACT_PROPS === null) REACT_PROPS = Object.keys(el).filter(function (k) { return k.indexOf("__reactProps$") === 0; })[0] || "";
    return REACT_PROPS ? el[REACT_PROPS] : undefined;
  }

  function plainStyle(value) {
    if (!value || typeof value !== "object" || Array.isArray(value)) return false;
    for (var k in value) {
      var v = value[k];
      // React adds "px" to numbers of most properties: only strings, and numbers of custom properties
      if (!(typeof v === "string" || v === null || (typeof v === "number" && k.indexOf("--") === 0))) return false;
    }
    return true;
  }

  function writeStyle(el, next) {
    var before = el.__wbStyle || ((reactProps(el) || {}).style) || {};
    for (var k in before) if (!(k in next) || next[k] === null || next[k] === "") setStyle(el, k, "");
    for (k in next) if (next[k] !== null && next[k] !== "" && before[k] !== next[k]) setStyle(el, k, String(next[k]));
    el.__wbStyle = next;
  }

  function setStyle(el, key, value) {
    if (key.indexOf("--") === 0) { if (value === "") el.style.removeProperty(key); else el.style.setProperty(key, value); }
    else el.style[key] = value;
  }

  function writeDirect(el, prop, value) {
    if (prop === "children") {
      if (typeof value !== "string" && typeof value !== "number") return false;
      var text = el.childNodes.length === 1 && el.firstChild.nodeType === 3 && el.firstChild;
      if (!text && !el.firstChild && typeof (reactProps(el) || {}).children === "string") {
        text = el.appendChild(document.createTextNode(""));  // React drew "" as nothing, and clears it as text
      }
      if (!text) return false;
      if (text.nodeValue !== String(value)) text.nodeValue = String(value);
    } else if (prop === "className") {
      if (typeof value !== "string" || typeof el.className !== "string") return false;
      if (el.className !== value) el.className = value;
    } else if (prop === "title" || prop.indexOf("data-") === 0 || prop.indexOf("aria-") === 0) {
      if (value === null || value === undefined) el.removeAttribute(prop);
      else if (typeof value === "string" || typeof value === "number") {
        if (el.getAttribute(prop) !== String(value)) el.setAttribute(prop, String(value));
      } else return false;
    } else if (prop === "style") {
      if (!plainStyle(value) || (!el.__wbStyle && !reactProps(el))) return false;
      writeStyle(el, value);
    } else return false;
    return true;
  }

  // A figure whose update panels.js can draw in place (a trend's new points, a map's colours and
  // labels: wb.drawFigure) skips Dash as well. Dash's set_props of a figure made React render the
  // graph and every connected component hear three dispatches: after the plain props, the largest
  // part of what the demo wall's messages cost, and most of what it allocated (issue 23). Figures
  // arrive as Dash Patch operations on the last figure, so Dash's stored figure must stay the one
  // drawn: the patch is applied here (the operations the server sends: Assign, Delete, Extend, as
  // Dash applies them, copying along the path) and the result stored as the component's figure
  // without a dispatch (nothing renders from it until Dash itself next draws the graph, which then
  // starts from it). Anything else (another operation, a figure Plotly must draw) goes to Dash.
  function dashComponent(id) {
    var stores = window.dash_stores, state = stores && stores.length === 1 && stores[0].getState();
    var path = state && state.paths && state.paths.strs && state.paths.strs[id];
    if (!Array.isArray(path)) return null;
    var node = state.layout;
    for (var i = 0; node && i < path.length; i++) node = node[path[i]];
    return node && node.props && node.props.id === id ? node : null;
  }

  function changedAt(value, location, at, change) {
    if (at === location.length) return change(value);
    if (value === null || typeof value !== "object") return undefined;
    var key = location[at], copy = Array.isArray(value) ? value.slice() : Object.assign({}, value);
    var inner = changedAt(value[key], location, at + 1, change);
    if (inner === undefined) return undefined;
    copy[key] = inner;
    return copy;
  }

  var OPERATIONS = {
    Assign: function (value) { return function () { return value; }; },
    Extend: function (value) {
      return function (list) { return Array.isArray(list) && Array.isArray(value) ? list.concat(value) : undefined; };
    }
  };

  function patched(figure, operations) {
    var out = figure;
    for (var i = 0; out !== undefined && i < operations.length; i++) {
      var op = operations[i], loc = op.location, value = (op.params || {}).value;
      if (!Array.isArray(loc) || !loc.length) return undefined;
      if (op.operation === "Delete") {  // an element of a list (a point that slid out of the window)
        var k = loc[loc.length - 1];
        if (typeof k !== "number") return undefined;
        out = changedAt(out, loc.slice(0, -1), 0, function (list) {
          return Array.isArray(list) && k < list.length ? list.slice(0, k).concat(list.slice(k + 1)) : undefined;
        });
      } else if (OPERATIONS[op.operation]) {
        out = changedAt(out, loc, 0, OPERATIONS[op.operation](value));
      } else return undefined;
    }
    return out;
  }

  wb.patchFigure = patched;  // what the browser tests compare with the server's patches

  function writeFigure(el, value) {
    if (!wb.drawFigure || !value || typeof value !== "object") return false;
    var component = dashComponent(el.id), current = component && component.props.figure;
    if (!current) return false;
    var next = value.__dash_patch_update ? patched(current, value.operations || []) : value;
    if (!next || !next.layout || !wb.drawFigure(el, next)) return false;
    component.props.figure = next;
    wb.stats.figures = (wb.stats.figures || 0) + 1;
    return true;
  }

  function write(patch) {
    for (var id in patch) {
      if (!Object.prototype.hasOwnProperty.call(patch, id)) continue;
      var props = patch[id], el = props && document.getElementById(id), rest = null;
      for (var prop in props) {
        if (!Object.prototype.hasOwnProperty.call(props, prop)) continue;
        if (el && prop === "figure" && writeFigure(el, props[prop])) continue;
        if (el && writeDirect(el, prop, props[prop])) { wb.stats.direct = (wb.stats.direct || 0) + 1; continue; }
        (rest = rest || {})[prop] = props[prop];
      }
      if (rest) setProps(id, rest);
    }
  }

  function apply(patch) {
    for (var id in patch) {
      var props = Object.prototype.hasOwnProperty.call(patch, id) && patch[id];
      if (props && props.figure && props.figure.__dash_patch_update) wb.stats.patches += 1;
    }
    queued.push(patch);
    if (document.hidden) { flush(); return; }
    if (frameId === null) frameId = requestAnimationFrame(flush);
    if (guardId === null) guardId = setTimeout(flush, 500);
  }

  document.addEventListener("visibilitychange", function () { if (document.hidden && queued.length) flush(); });

  // Reload only once the page itself answers: a reload into a server that just went away would
  // leave the wall on the browser's error page, with no script left to bring it back.
  function safeReload() {
    fetch(window.location.href, {cache: "no-store"}).then(function (r) {
      if (r.ok) window.location.reload();
      else setTimeout(safeReload, 5000 + Math.random() * 5000);
    }).catch(function () { setTimeout(safeReload, 5000 + Math.random() * 5000); });
  }

  function reloadForVersion() {
    // A page cached by a proxy could disagree with the server forever; do not loop on it.
    var now = Date.now(), log = [];
    try { log = JSON.parse(sessionStorage.getItem("wallboard-reloads") || "[]"); } catch (e) { log = []; }
    log = log.filter(function (t) { return now - t < 60000; });
    if (log.length >= RELOAD_GUARD) return;
    reloading = true;  // deltas from now on describe the new page's components, not ours
    log.push(now);
    try { sessionStorage.setItem("wallboard-reloads", JSON.stringify(log)); } catch (e) { /* private mode */ }
    // A little jitter, so a room of walls does not fetch the new page in the same instant.
    setTimeout(safeReload, Math.random() * VERSION_JITTER_MS);
  }

  function scheduleDailyReload(at) {
    if (reloadTimer) clearTimeout(reloadTimer);
    reloadTimer = null;
    wb.reloadAt = at || null;  // server clock, epoch ms
    if (!at) return;
    var wait = at - wb.now() + Math.random() * RELOAD_JITTER_MS;
    // Only reload with the server reachable: a reload while offline would show a browser error page.
    reloadTimer = setTimeout(function () {
      if (link === "live") safeReload();
      else reloadDue = true;
    }, Math.max(1000, Math.min(wait, 0x7fffffff)));
  }

  function onHello(e) {
    heard();
    wb.stats.hellos += 1;
    var msg = JSON.parse(e.data);
    if (msg.now) wb.serverOffsetMs = msg.now - Date.now();
    if (pages > 1 && rotateMs) rotate();  // pages follow the server's clock from now on
    if (msg.tz) wb.timezone = msg.tz;
    if (msg.beat) {  // 2.5 heartbeats of silence: one late beat is no alarm, two are
      SILENCE_MS = Math.max(2500, 2.5 * msg.beat);
      HUNG_MS = SILENCE_MS + 5000;
      watchdog();  // due again by the new silence
    }
    var mine = root.getAttribute("data-version");
    if (reloadDue || (msg.version && mine && msg.version !== mine)) {
      reloadForVersion();
      return;
    }
    scheduleDailyReload(msg.reload);
  }

  function onDelta(e) {
    heard();
    wb.stats.deltas += 1;
    wb.stats.bytes += e.data.length;
    if (!reloading) apply(JSON.parse(e.data).p);
  }

  function onHeartbeat(e) {
    heard();
    wb.stats.heartbeats += 1;
    wb.stats.bytes += e.data.length;
  }

  // A stream opened before the Dash tree exists: its messages wait for it (start applies them).
  function held(handler) {
    return function (e) {
      if (root) handler(e);
      else early.push([handler, e]);
    };
  }
  var heldHello = held(onHello), heldDelta = held(onDelta), heldHeartbeat = held(onHeartbeat);

  function drop() {
    if (!source) return;
    source.onopen = source.onmessage = source.onerror = null;
    source.removeEventListener("hello", heldHello);
    source.removeEventListener("delta", heldDelta);
    source.close();
    source = null;
    early = [];  // the next connection's greeting brings the full view again
  }

  function scheduleConnect() {
    if (retryTimer) return;
    var delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * Math.pow(2, attempts));
    attempts += 1;
    delay = delay * (0.5 + Math.random());  // jitter: walls spread their reconnections
    retryTimer = setTimeout(function () { retryTimer = null; connect(); }, delay);
  }

  function connect() {
    drop();
    wb.stats.connects += 1;
    source = new EventSource(streamUrl);
    source.addEventListener("hello", heldHello);
    source.addEventListener("delta", heldDelta);
    source.onmessage = heldHeartbeat;
    source.onerror = function () {
      // Whatever the browser would do next (retry or give up), we own the retry: close and
      // come back after a jittered delay; the banner goes up at once.
      drop();
      setLink(Date.now() - lastHeard > OFFLINE_MS ? "offline" : "reconnecting");
      scheduleConnect();
      watchdog();  // the link is in doubt: look every second again
    };
  }

  // The watchdog wakes when the silence could first matter (SILENCE_MS after the last message
  // heard), not every second: a live wall's CPU sleeps between messages (issue 23). Once the link
  // is in doubt it looks every second, as before.
  var watchdogTimer = null;
  function watchdog() {
    var silent = Date.now() - lastHeard;
    clearTimeout(watchdogTimer);
    wb.stats.watchdogs = (wb.stats.watchdogs || 0) + 1;
    watchdogTimer = setTimeout(watchdog, link === "live" && source ? Math.max(1000, SILENCE_MS - silent) : 1000);
    if (silent > Math.max(OFFLINE_MS, HUNG_MS)) setLink("offline");
    else if (silent >= SILENCE_MS) setLink("reconnecting");
    if (source && silent > HUNG_MS && source.readyState !== EventSource.CLOSED && !retryTimer) {
      drop();  // a hung server or a dead path: the socket looks open but nothing arrives
      scheduleConnect();
    } else if (!source && !retryTimer) {
      scheduleConnect();
    }
  }

  function rotate() {
    // Counted on the server's clock, so every display of a video wall turns the page together.
    var next = Math.floor(wb.now() / rotateMs) % pages;
    if (next !== page) {
      setProps("wall-page-" + page, {className: "wall-page wall-grid"});
      setProps("wall-page-" + next, {className: "wall-page wall-grid active"});
      setProps("wall", {"data-page": next});
      page = next;
      wb.page = next;
    }
    // One timer, due when the next page is: a wall PC's CPU wakes only when there is work. A hello
    // that moves the server clock offset calls this again at once (and replaces the timer).
    clearTimeout(rotateTimer);
    rotateTimer = setTimeout(rotate, rotateMs - (wb.now() % rotateMs) + 20);
  }

  function sizeType() {
    // 1rem stays 1/54 of the whole wall's height when one screen spans several rows of displays.
    var rows = parseInt((root.getAttribute("data-displays") || "1,1").split(",")[1], 10) || 1;
    if (rows > 1) {
      var by = parseFloat(getComputedStyle(root).getPropertyValue("--by")) || 0;
      document.documentElement.style.fontSize = "calc((" + rows + " * 100vh + " + (rows - 1) * by + "px) / 54)";
    }
  }

  // Dash's renderer draws #wall once it has the layout. Start the moment it is in the document (a
  // MutationObserver runs right after React's commit, before the charts draw), not at the next poll:
  // the greeting waiting in `early` is applied, and the wall counts as live, at once.
  function whenWall(then) {
    var observer = new MutationObserver(function () {
      if (!document.getElementById("wall")) return;
      observer.disconnect();
      then();
    });
    observer.observe(document.documentElement, {childList: true, subtree: true});
  }

  function start() {
    var found = document.getElementById("wall");
    if (!found) {
      whenWall(start);
      return;
    }
    if (!window.dash_clientside || !window.dash_clientside.set_props) {
      setTimeout(start, 100);
      return;
    }
    if (found.hasAttribute("data-replay")) {  // a replayed past minute: no stream, nothing live
      drop();
      return;
    }
    var url = "/api/stream/" + encodeURIComponent(found.getAttribute("data-screen"));
    pages = parseInt(found.getAttribute("data-pages"), 10) || 1;
    rotateMs = parseInt(found.getAttribute("data-rotate"), 10) || 0;
    page = parseInt(found.getAttribute("data-page"), 10) || 0;
    wb.page = page;
    wb.link = link;
    root = found;  // from here on messages are applied as they come
    sizeType();
    if (url !== streamUrl) {  // no stream opened early (a wall reached inside Dash), or another one
      streamUrl = url;
      connect();
    } else {
      var waiting = early;
      early = [];
      for (var i = 0; i < waiting.length; i++) waiting[i][0](waiting[i][1]);
      if (!source) setLink("reconnecting");  // the early stream failed: its retry is under way
    }
    watchdog();
    if (pages > 1 && rotateMs) rotate();  // a screen without pages has no rotation timer at all
  }

  // The stream first: this script runs before Dash's renderer, so the greeting is on its way while
  // the layout is fetched and drawn.
  var named = document.querySelector('meta[name="wallboard-stream"]');
  if (named && named.getAttribute("content")) {
    streamUrl = named.getAttribute("content");
    connect();
  }
  start();
})();
