/* CCTV on the wall: snapshots, MJPEG and HLS, played only while they are seen, and judged honestly.
 *
 * Every .camera element (a `camera` panel, or a cell of a `cameras` grid) gets a controller that
 * is started while the element is on screen (its page showing, its cell rotated in, not covered by
 * an enlarged camera, the browser tab visible) and stopped otherwise: stopping closes the
 * connection (hls.destroy(), the MJPEG fetch aborted, the snapshot request dropped), so a wall
 * never holds more live decoders than it shows.
 *
 * A camera that stops delivering frames is "stale": its last frame stays, greyed, with its age,
 * while it reconnects with a growing delay; after data-give-up without a frame it is "error" and
 * the placeholder shows. It keeps retrying, so a camera that comes back resumes by itself. The
 * states of shown cameras go to the server (POST /api/cameras/report) every 30 s and soon after a
 * change, so the server's health and status panel know which cameras are down.
 */
(function () {
  "use strict";
  var TICK_MS = 1000, REPORT_MS = 30000, REPORT_SOON_MS = 1000;
  var RETRY_MIN_MS = 1000, RETRY_MAX_MS = 30000;
  var MJPEG_STALL_MS = 5000, HLS_STALL_MS = 8000, HLS_START_MS = 15000;
  var SHAPES = {ok: "●", warning: "▲", critical: "◆", stale: "◌", nodata: "○", error: "✖"};
  var REPORT_STATE = {ok: "playing", stale: "stalled", error: "error"};

  var controllers = [], byElement = new WeakMap(), panelStates = {};
  var reportTimer = null, hlsLoading = null;
  var wb = window.wallboard = window.wallboard || {};
  wb.cameras = {live: 0, started: 0, stopped: 0, reports: 0};

  function now() { return Date.now(); }

  // What is seen -----------------------------------------------------------------------------------
  function shown(el) {
    if (document.hidden) return false;
    var page = el.closest(".wall-page");
    if (page && !page.classList.contains("active")) return false;  // a rotating screen's other page
    if (el.checkVisibility && !el.checkVisibility({visibilityProperty: true})) return false;
    var big = document.querySelector(".cam-cell.cam-big");
    if (big && !big.contains(el)) return false;  // covered by an enlarged camera
    var r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) return false;  // hidden page, rotated-out cell
    return r.right > 0 && r.bottom > 0 && r.left < window.innerWidth && r.top < window.innerHeight;
  }

  // What is seen changes only with a page turn, a grid's rotation, an enlarged camera, the tab's
  // visibility, the screen's size or the wall's elements; each of those bumps `seenGen`, and a
  // camera asks shown() again only then. Asking every second read style and layout of every camera
  // (checkVisibility, getBoundingClientRect): a tenth of the demo wall's main thread (issue 23).
  var seenGen = 1;
  function seenChanged() { seenGen += 1; }
  function seen(c) {
    if (c.seenGen !== seenGen) { c.seenGen = seenGen; c.seen = shown(c.el); }
    return c.seen;
  }

  // Texts ------------------------------------------------------------------------------------------
  function texts(el) {
    try { return JSON.parse(el.getAttribute("data-text") || "{}"); } catch (e) { return {}; }
  }
  function fill(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (m, k) { return values[k] !== undefined ? values[k] : m; });
  }
  function ago(ms, words) {
    var s = Math.max(0, Math.round(ms / 1000));
    return s < 60 ? fill(words.seconds || "{n} s", {n: s}) : fill(words.minutes || "{n} min", {n: Math.round(s / 60)});
  }

  // One camera -------------------------------------------------------------------------------------
  function Camera(el) {
    this.el = el;
    this.kind = el.getAttribute("data-kind") || "snapshot";
    this.url = el.getAttribute("data-url");
    this.key = el.getAttribute("data-key") || "";
    this.every = Number(el.getAttribute("data-every")) || 10000;
    this.giveUp = Number(el.getAttribute("data-give-up")) || 60000;
    this.words = texts(el);
    this.img = el.querySelector(".camera-img");
    this.video = el.querySelector(".camera-video");
    this.running = false;
    this.state = null;        // ok | stale | error, null before the first verdict
    this.since = 0;           // when the state began
    this.lastFrame = 0;       // when the last frame arrived
    this.failures = 0;
    this.retryAt = 0;
    this.connected = false;
    this.attempt = 0;         // bumps on every (re)connection; late callbacks of older ones are ignored
  }

  Camera.prototype.start = function () {
    if (this.running) return;
    this.running = true;
    wb.cameras.started += 1;
    this.retryAt = 0;
    this.connect();
  };

  Camera.prototype.stop = function () {
    if (!this.running) return;
    this.running = false;
    wb.cameras.stopped += 1;
    this.disconnect();
  };

  Camera.prototype.connect = function () {
    this.disconnect();
    this.attempt += 1;
    this.connected = true;
    this.connectedAt = now();
    if (this.kind === "hls") this.connectHls(this.attempt);
    else if (this.kind === "mjpeg") this.connectMjpeg(this.attempt);
    else this.loadSnapshot(this.attempt);
  };

  Camera.prototype.disconnect = function () {
    this.attempt += 1;
    this.connected = false;
    this.pending = null;
    if (this.probe) { this.probe.onload = this.probe.onerror = null; this.probe.src = ""; this.probe = null; }
    if (this.abort) { try { this.abort.abort(); } catch (e) { /* already done */ } this.abort = null; }
    if (this.imgStream && this.img) { this.img.onload = this.img.onerror = null; this.img.removeAttribute("src"); }
    this.imgStream = false;
    if (this.hls) { this.keepStill(); this.hls.destroy(); this.hls = null; }
    if (this.video && this.video.getAttribute("src")) {
      this.keepStill();
      this.video.removeAttribute("src");
      this.video.load();
    }
  };

  // A frame arrived: the camera is live.
  Camera.prototype.frame = function () {
    this.lastFrame = now();
    this.failures = 0;
    this.setState("ok");
  };

  // No frame for too long, or the connection failed: stale while young, error after give_up.
  Camera.prototype.fail = function (attempt) {
    if (attempt !== undefined && attempt !== this.attempt) return;
    this.disconnect();
    this.failures += 1;
    // At least two tries within give_up, so a camera that comes back is seen before it is given up.
    var cap = Math.max(2000, Math.min(RETRY_MAX_MS, this.giveUp / 2));
    var delay = Math.min(cap, RETRY_MIN_MS * Math.pow(2, this.failures - 1));
    if (this.kind === "snapshot") delay = Math.min(delay, this.every);
    this.retryAt = now() + delay * (0.75 + Math.random() * 0.5);
    var age = now() - this.lastFrame;
    this.setState(this.lastFrame && age < this.giveUp ? "stale" : "error");
  };

  Camera.prototype.setState = function (state) {
    var changed = state !== this.state;
    if (changed) { this.state = state; this.since = now(); }
    this.el.setAttribute("data-cam-state", state);
    if (state !== "ok") this.el.classList.toggle("camera-has-still", !!this.still);
    else if (this.still) { this.still.remove(); this.still = null; this.el.classList.remove("camera-has-still"); }
    this.showAge();
    if (changed) { panelChanged(this.el); reportSoon(); }
  };

  Camera.prototype.showAge = function () {
    var box = this.el.querySelector(".camera-age");
    if (!box) return;
    var text = this.state === "stale" && this.lastFrame ? ago(now() - this.lastFrame, this.words) : "";
    if (box.textContent !== text) box.textContent = text;
  };

  Camera.prototype.tick = function () {
    if (!this.running) return;
    var t = now();
    if (this.pending) { this.img.src = this.pending; this.pending = null; }
    if (!this.connected) {
      if (t >= this.retryAt) this.connect();
      else if (this.state === "stale" && t - this.lastFrame >= this.giveUp) this.setState("error");
      this.showAge();
      return;
    }
    if (this.kind === "hls") this.watchHls(t);
    else if (this.kind === "mjpeg") {
      var quiet = t - Math.max(this.lastFrame, this.connectedAt);
      if (quiet > Math.max(Math.min(MJPEG_STALL_MS, this.giveUp / 2), this.imgStream ? this.every : 0)) {
        if (this.imgStream && this.lastFrame >= this.connectedAt) {
          this.connect();  // <img> mode cannot see frames: reopen to learn whether the camera still answers
        } else {
          this.fail();
        }
      }
    } else if (t >= this.nextSnapshot && !this.probe) {
      this.loadSnapshot(this.attempt);
    }
    this.showAge();
  };

  // Snapshot: a new picture every `every`; the last good one stays until a newer one arrives.
  // Snapshots are due on the wall's clock (every `every` from the minute), so the cameras of a wall
  // (and of every display of a video wall) fetch together; a new picture of a camera already showing
  // one is put on screen at the camera's next tick, with the others of that round and the clock's
  // second: one frame of the wall PC for all of them instead of one each (issue 23: each cost a
  // style, paint and commit pass of the page, about 18 a minute on the demo wall).
  Camera.prototype.loadSnapshot = function (attempt) {
    var self = this, probe = new Image(), url = this.url, wall = wb.now ? wb.now() : now();
    this.probe = probe;
    this.nextSnapshot = now() + this.every - (wall % this.every);
    var timer = setTimeout(function () { if (self.probe === probe) self.fail(attempt); }, Math.max(this.every, 5000));
    probe.onload = function () {
      clearTimeout(timer);
      if (self.probe !== probe || attempt !== self.attempt) return;
      self.probe = null;
      if (self.state === "ok" && self.img.getAttribute("src")) self.pending = probe.src;
      else self.img.src = probe.src;  // the first picture, or one after a failure: at once
      self.frame();
    };
    probe.onerror = function () { clearTimeout(timer); if (self.probe === probe) { self.probe = null; self.fail(attempt); } };
    probe.src = url + (url.indexOf("?") >= 0 ? "&" : "?") + "_wb=" + now();
  };

  // MJPEG: read the multipart stream ourselves, so every frame is seen (and a stream stopping
  // mid-frame is a stall, not a frozen picture). A camera without CORS cannot be read that way;
  // it plays in the <img> itself and is reopened every `every` to learn whether it still answers.
  Camera.prototype.connectMjpeg = function (attempt) {
    var self = this;
    if (this.noFetch || !window.ReadableStream) { this.openImgStream(attempt); return; }
    var ctrl = new AbortController();
    this.abort = ctrl;
    fetch(this.url, {signal: ctrl.signal, cache: "no-store"}).then(function (response) {
      if (attempt !== self.attempt) return;
      if (!response.ok || !response.body) throw new Error("HTTP " + response.status);
      var reader = response.body.getReader(), buffer = new Uint8Array(0);
      function pump() {
        return reader.read().then(function (chunk) {
          if (attempt !== self.attempt) { reader.cancel().catch(function () {}); return; }
          if (chunk.done) { self.fail(attempt); return; }
          buffer = concat(buffer, chunk.value);
          buffer = self.takeFrames(buffer);
          return pump();
        });
      }
      return pump();
    }).catch(function (err) {
      if (attempt !== self.attempt) return;
      if (err && err.name === "TypeError" && !self.triedImg) {
        // Network error or no CORS (indistinguishable here): from now on the <img> shows this
        // camera, which works without CORS; a camera that is simply down fails there just the same.
        self.triedImg = true;
        self.noFetch = true;
        self.abort = null;
        self.openImgStream(attempt);
        return;
      }
      self.fail(attempt);
    });
  };

  Camera.prototype.takeFrames = function (buffer) {
    for (;;) {
      var start = indexOf2(buffer, 0xff, 0xd8, 0);
      if (start < 0) return buffer.length > 1 ? buffer.slice(buffer.length - 1) : buffer;
      var end = indexOf2(buffer, 0xff, 0xd9, start + 2);
      if (end < 0) return start > 0 ? buffer.slice(start) : buffer;
      this.showBlob(buffer.slice(start, end + 2));
      buffer = buffer.slice(end + 2);
    }
  };

  Camera.prototype.showBlob = function (bytes) {
    var url = URL.createObjectURL(new Blob([bytes], {type: "image/jpeg"})), img = this.img, old = this.blobUrl;
    this.blobUrl = url;
    img.src = url;
    if (old) setTimeout(function () { URL.revokeObjectURL(old); }, 1000);
    this.frame();
  };

  Camera.prototype.openImgStream = function (attempt) {
    var self = this, img = this.img, url = this.url;
    this.imgStream = true;
    img.onload = function () { if (attempt === self.attempt) self.frame(); };
    img.onerror = function () { if (attempt === self.attempt) self.fail(attempt); };
    img.src = url + (url.indexOf("?") >= 0 ? "&" : "?") + "_wb=" + now();
  };

  // HLS: hls.js where the browser has Media Source Extensions, else the browser's own player.
  Camera.prototype.connectHls = function (attempt) {
    var self = this, video = this.video;
    video.muted = true;
    video.playsInline = true;
    this.lastTime = -1;
    var useHlsJs = !!window.MediaSource;
    if (useHlsJs && !window.Hls) {
      loadHlsJs(function (ok) {
        if (attempt !== self.attempt || !self.running) return;
        if (ok) self.connectHls(attempt);
        else self.fail(attempt);
      });
      return;
    }
    if (useHlsJs && window.Hls.isSupported()) {
      var hls = new window.Hls({
        liveDurationInfinity: true, backBufferLength: 4, maxBufferLength: 8, maxMaxBufferLength: 12,
        manifestLoadingTimeOut: 6000, manifestLoadingMaxRetry: 0, levelLoadingTimeOut: 6000, levelLoadingMaxRetry: 1,
        fragLoadingTimeOut: 10000, fragLoadingMaxRetry: 1, capLevelToPlayerSize: true, startLevel: -1
      });
      this.hls = hls;
      hls.on(window.Hls.Events.ERROR, function (event, data) {
        if (data && data.fatal) self.fail(attempt);
      });
      hls.on(window.Hls.Events.MANIFEST_PARSED, function () {
        video.play().catch(function () { /* muted autoplay is allowed; a refusal shows as a stall */ });
      });
      hls.loadSource(this.url);
      hls.attachMedia(video);
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = this.url;
      video.onerror = function () { self.fail(attempt); };
      video.play().catch(function () {});
    } else {
      this.fail(attempt);
    }
  };

  Camera.prototype.watchHls = function (t) {
    var video = this.video;
    if (video.currentTime !== this.lastTime && video.readyState >= 2) {
      this.lastTime = video.currentTime;
      this.progressAt = t;
      this.frame();
      return;
    }
    var since = Math.max(this.progressAt || 0, this.connectedAt);
    var stall = Math.max(3000, Math.min(HLS_STALL_MS, this.giveUp / 2));
    var limit = this.lastFrame && this.progressAt >= this.connectedAt ? stall : HLS_START_MS;
    if (t - since > limit) this.fail();
    else if (video.paused && video.readyState >= 3) video.play().catch(function () {});
  };

  // The last frame of a video stays on screen (greyed) while the stream is torn down and retried.
  Camera.prototype.keepStill = function () {
    var video = this.video;
    if (!video || this.still || !this.lastFrame || video.readyState < 2 || !video.videoWidth) return;
    try {
      var canvas = document.createElement("canvas");
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      canvas.getContext("2d").drawImage(video, 0, 0);
      canvas.className = "camera-still";
      video.parentNode.insertBefore(canvas, video.nextSibling);
      this.still = canvas;
    } catch (e) { /* a tainted frame cannot be kept; the placeholder logic still holds */ }
  };

  function concat(a, b) {
    var out = new Uint8Array(a.length + b.length);
    out.set(a, 0);
    out.set(b, a.length);
    return out;
  }

  function indexOf2(buf, x, y, from) {
    for (var i = from; i < buf.length - 1; i++) if (buf[i] === x && buf[i + 1] === y) return i;
    return -1;
  }

  function loadHlsJs(done) {
    if (window.Hls) { done(true); return; }
    if (!hlsLoading) {
      hlsLoading = [];
      var script = document.createElement("script");
      script.src = "/api/cameras/hls.js";
      script.onload = function () { var w = hlsLoading; hlsLoading = null; w.forEach(function (f) { f(!!window.Hls); }); };
      script.onerror = function () { var w = hlsLoading; hlsLoading = null; w.forEach(function (f) { f(false); }); };
      document.head.appendChild(script);
    }
    hlsLoading.push(done);
  }

  // Panels -----------------------------------------------------------------------------------------
  function setPanel(panel, state, note, updated) {
    var own = panelStates[panel.id];
    if (own && own.state === state && own.note === note && own.updated === updated) return;
    panelStates[panel.id] = {state: state, note: note, updated: updated};
    if (own && own.state === state && own.note === note) {
      // Only a newer frame: the stamp is an attribute nothing draws, so it is written directly.
      // Through Dash (three props of three components, each re-rendered) it cost the demo wall a
      // sixth of its main thread, one camera frame every few seconds (issue 23).
      panel.setAttribute("data-updated", updated ? new Date(updated).toISOString() : "");
      return;
    }
    applyPanel(panel);
  }

  function applyPanel(panel) {
    var own = panelStates[panel.id];
    if (!own) return;
    // State words come from the server's catalogue, in the wall's language (data-text).
    var cam = panel.querySelector(".camera"), words = (cam ? texts(cam) : {}).states || {};
    var set = window.dash_clientside && window.dash_clientside.set_props;
    var type = panel.getAttribute("data-type");
    var props = {"data-state": own.state, className: "panel panel-" + type + " state-" + own.state,
                 "data-updated": own.updated ? new Date(own.updated).toISOString() : ""};
    if (set) {
      set(panel.id, props);
      set(panel.id + "--badge", {children: SHAPES[own.state] + " " + (words[own.state] || own.state.toUpperCase())});
      set(panel.id + "--note", {children: own.note});
    } else {
      panel.setAttribute("data-state", own.state);
    }
  }

  function panelChanged(el) {
    var panel = el.closest("[data-panel]");
    if (panel) judgePanel(panel);
  }

  function judgePanel(panel) {
    var cams = panel.querySelectorAll(".camera"), seen = [];
    for (var i = 0; i < cams.length; i++) {
      var c = byElement.get(cams[i]);
      if (c && c.running && c.state) seen.push(c);
    }
    if (!seen.length) return;
    var words = seen[0].words, down = 0, stale = 0, newest = 0;
    seen.forEach(function (c) {
      if (c.state === "error") down += 1;
      if (c.state === "stale") stale += 1;
      newest = Math.max(newest, c.lastFrame || 0);
    });
    if (seen.length === 1) {
      var c = seen[0];
      var note = c.state === "stale" ? fill(words.stale, {age: ago(now() - c.lastFrame, words)})
        : c.state === "error" ? words.down || "" : "";
      setPanel(panel, c.state, note, c.lastFrame || null);
      return;
    }
    var state = down === seen.length ? "error" : (down || stale) ? "stale" : "ok";
    var text = (down || stale) ? fill(words.some_down, {n: down + stale, total: seen.length}) : "";
    setPanel(panel, state, text, newest || null);
  }

  // The server's (re)sent frame of a camera panel ("loading") must not undo what this browser saw.
  function onMutations(list) {
    for (var i = 0; i < list.length; i++) {
      var el = list[i].target, own = panelStates[el.id];
      if (own && el.getAttribute("data-state") !== own.state) {
        setTimeout(function (p) { return function () { applyPanel(p); }; }(el), 0);
      }
    }
  }

  // Grids: rotation and enlarging ------------------------------------------------------------------
  function rotateGrids() {
    var grids = document.querySelectorAll(".cameras[data-per]");
    for (var i = 0; i < grids.length; i++) {
      var g = grids[i], per = Number(g.getAttribute("data-per")) || 4, every = Number(g.getAttribute("data-rotate")) || 0;
      var cells = g.querySelectorAll(".cam-cell"), pages = Math.max(1, Math.ceil(cells.length / per));
      var clock = wb.now ? wb.now() : now();
      var page = every ? Math.floor(clock / every) % pages : 0;
      for (var n = 0; n < cells.length; n++) {
        var out = Math.floor(n / per) !== page;
        if (cells[n].classList.contains("cam-out") !== out) { cells[n].classList.toggle("cam-out", out); seenChanged(); }
      }
      var big = g.querySelector(".cam-big");
      if (big && now() >= Number(big.getAttribute("data-until") || 0)) shrink(big);
    }
  }

  function shrink(cell) {
    seenChanged();
    cell.classList.remove("cam-big");
    cell.removeAttribute("data-until");
    var panel = cell.closest(".panel");
    if (panel) panel.removeAttribute("data-cam-big");
  }

  document.addEventListener("click", function (e) {
    var cell = e.target.closest && e.target.closest(".cam-cell");
    if (!cell) return;
    if (cell.classList.contains("cam-big")) { shrink(cell); return; }
    var others = document.querySelectorAll(".cam-cell.cam-big");
    for (var i = 0; i < others.length; i++) shrink(others[i]);
    var grid = cell.closest(".cameras"), ms = Number(grid && grid.getAttribute("data-enlarge")) || 30000;
    cell.setAttribute("data-until", String(now() + ms));
    seenChanged();
    cell.classList.add("cam-big");
    var panel = cell.closest(".panel");
    if (panel) panel.setAttribute("data-cam-big", "1");  // lifts the panel's containment (panels.css)
    tick();
  });

  // Reports ----------------------------------------------------------------------------------------
  function report() {
    reportTimer = null;
    var items = [];
    controllers.forEach(function (c) {
      if (c.running && c.state && c.key) items.push({key: c.key, state: REPORT_STATE[c.state], since: c.since});
    });
    if (!items.length) return;
    wb.cameras.reports += 1;
    fetch("/api/cameras/report", {
      method: "POST", cache: "no-store", keepalive: true,
      headers: {"Content-Type": "application/json", "X-Requested-With": "wallboard"},
      body: JSON.stringify({screen: (document.getElementById("wall") || {}).getAttribute ?
        document.getElementById("wall").getAttribute("data-screen") : null, cameras: items})
    }).catch(function () { /* the server is away; the next report carries the same news */ });
  }

  function reportSoon() {
    if (!reportTimer) reportTimer = setTimeout(report, REPORT_SOON_MS);
  }

  // The loop ---------------------------------------------------------------------------------------
  function discover() {
    var els = document.querySelectorAll(".camera[data-url]");
    var alive = [];
    for (var i = 0; i < els.length; i++) {
      var c = byElement.get(els[i]);
      if (!c) { c = new Camera(els[i]); byElement.set(els[i], c); }
      alive.push(c);
    }
    controllers.forEach(function (c) { if (alive.indexOf(c) < 0) c.stop(); });  // left the page
    controllers = alive;
  }

  function tick() {
    discover();
    rotateGrids();
    var live = 0, panels = {};
    controllers.forEach(function (c) {
      if (seen(c)) c.start(); else c.stop();
      c.tick();
      if (c.running && c.connected) live += 1;
      var p = c.el.closest("[data-panel]");
      if (p && c.running) panels[p.id] = p;
    });
    wb.cameras.live = live;
    for (var id in panels) judgePanel(panels[id]);
  }

  function start() {
    new MutationObserver(onMutations).observe(document.body, {
      subtree: true, attributes: true, attributeFilter: ["data-state"]
    });
    document.addEventListener("visibilitychange", function () { seenChanged(); tick(); });
    window.addEventListener("resize", seenChanged);
    new MutationObserver(onElements).observe(document.body, {subtree: true, childList: true});
    // A page turned (wall.js), a camera's panel hidden or shown: classes and styles of the wall
    // above the cameras. Attribute changes inside a camera (its state, its frame) are not watched.
    new MutationObserver(onLooks).observe(document.body, {
      subtree: true, attributes: true, attributeFilter: ["class", "style", "hidden"]
    });
    ensureTicking();
  }

  // Timers only while the wall has cameras (issue 23): a wall without one never wakes for them. The
  // wall's elements arrive (and leave, with a page's panels) as DOM changes, watched here.
  // The tick falls just after the wall's second, with the clock's (panels.js): their changes share
  // one frame of the wall PC instead of costing one each.
  var tickTimer = null, reportInterval = null;
  function loop() {
    var t = wb.now ? wb.now() : now();
    tickTimer = setTimeout(loop, TICK_MS - (t % TICK_MS) + 8);
    tick();
  }

  function ensureTicking() {
    var any = !!document.querySelector(".camera[data-url]");
    if (any && !tickTimer) {
      reportInterval = setInterval(report, REPORT_MS);
      loop();
    } else if (!any && tickTimer) {
      clearTimeout(tickTimer);
      clearInterval(reportInterval);
      tickTimer = reportInterval = null;
      tick();  // stops the controllers of cameras that left
    }
  }

  // Only a class or style of what holds a camera (its page, panel, grid cell, or the camera itself)
  // decides whether it is seen; the wall's other writes (a bar's fill, a figure's colour, a panel's
  // state elsewhere) do not, and asking every camera again after each of them cost a style and
  // layout pass per camera.
  function onLooks(list) {
    for (var i = 0; i < list.length; i++) {
      var el = list[i].target;
      if (!el.classList) continue;
      if (el.classList.contains("camera") || (!el.closest(".camera") && el.querySelector(".camera[data-url]"))) {
        seenChanged();
        return;
      }
    }
  }

  function onElements(list) {
    for (var i = 0; i < list.length; i++) {
      var nodes = [list[i].addedNodes, list[i].removedNodes];
      for (var k = 0; k < 2; k++) {
        for (var j = 0; j < nodes[k].length; j++) {
          // Elements came or went (a text written, a clock's or a figure's, is no element).
          if (nodes[k][j].nodeType === 1) { seenChanged(); ensureTicking(); return; }
        }
      }
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
