/* Live link between the wall and the server's hub.
 *
 * One EventSource per wall. "hello" carries the server's code+config version: when it differs
 * from the one this page was built with, the page reloads itself. "delta" carries component props
 * that changed, applied with dash_clientside.set_props so Dash's own state stays consistent.
 * data-link on the wall root reads "live", "reconnecting" (at once on a lost connection or when
 * heartbeats stop for 5 s) and "offline" (after 30 s without the server).
 */
(function () {
  "use strict";
  var SILENCE_MS = 5000, OFFLINE_MS = 30000, RETRY_MS = 2000;
  var source = null, lastHeard = 0, lostSince = 0, screen = null, root = null, link = "live";

  function setLink(state) {
    if (state === link || !root) return;
    link = state;
    window.dash_clientside.set_props("wall", {"data-link": state});
  }

  function heard() {
    lastHeard = Date.now();
    lostSince = 0;
    setLink("live");
  }

  function apply(patch) {
    var set = window.dash_clientside.set_props;
    for (var id in patch) {
      if (Object.prototype.hasOwnProperty.call(patch, id)) set(id, patch[id]);
    }
  }

  function connect() {
    if (source) source.close();
    source = new EventSource("/api/stream/" + encodeURIComponent(screen));
    source.addEventListener("hello", function (e) {
      heard();
      var msg = JSON.parse(e.data);
      if (msg.version && root.getAttribute("data-version") && msg.version !== root.getAttribute("data-version")) {
        window.location.reload();
      }
    });
    source.addEventListener("delta", function (e) {
      heard();
      apply(JSON.parse(e.data).p);
    });
    source.onmessage = heard;
    source.onopen = heard;
    source.onerror = function () {
      if (!lostSince) lostSince = Date.now();
      setLink("reconnecting");
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, RETRY_MS);
    };
  }

  // The server sends a one-byte message every 2 s; silence longer than SILENCE_MS means a hung
  // server or a dead network path even when the socket still looks open.
  function watchdog() {
    if (!source) return;
    var now = Date.now();
    if (source.readyState === EventSource.OPEN && now - lastHeard < SILENCE_MS) return;
    if (!lostSince) lostSince = now;
    if (now - lostSince > OFFLINE_MS) setLink("offline");
    else if (now - lastHeard >= SILENCE_MS || source.readyState !== EventSource.OPEN) setLink("reconnecting");
    if (now - lastHeard > SILENCE_MS * 3 && source.readyState === EventSource.OPEN) connect();
  }

  function start() {
    root = document.getElementById("wall");
    if (!root || !window.dash_clientside || !window.dash_clientside.set_props) {
      setTimeout(start, 100);
      return;
    }
    screen = root.getAttribute("data-screen");
    connect();
    setInterval(watchdog, 1000);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
