"""The hub: builds one snapshot per data change and pushes each wall only what changed.

One thread watches the store's data version (and the clock, for ages and staleness). When it
moves, the hub builds a single snapshot for every screen's needs, asks each panel for its view,
diffs against the last view and hands one message per screen to its listeners (``Message``: a
name and its JSON, serialised once). The hub is the only
thing that turns store changes into messages; evaluating panels is ``wallboard.live.views``'s job,
diffing ``wallboard.live.diff``'s, and delivering them to browsers the streams' job
(``wallboard/web/serve/streams.py`` on the event loop, no thread per wall; ``sse.py`` frames them).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from wallboard import __version__
from wallboard.live.diff import Props, diff_views
from wallboard.live.messages import Message, message
from wallboard.live.views import DrawnPanels, read_snapshot, screen_panels, wall_props
from wallboard.panels.base import Panel
from wallboard.reasons import one_line
from wallboard.snapshot import KeptFigures, Needs, SeriesCache, Snapshot

log = logging.getLogger(__name__)
TIME_TICK = 10.0  # seconds between view refreshes when no data arrives (ages, staleness)
VERSION_CHECK = 5.0  # seconds between data-version queries while the SQLite files look unchanged
FULL_REFRESH = 300.0  # at most this long between re-reading the store when no data arrives (sliding windows)
# A commit seldom comes alone: a collector in another process commits its readings, then its run (the
# data version moves with the run), and the alerts engine may follow. Told of a change, the hub looks
# once the burst is over: quiet for SETTLE, or SETTLE_MAX after the first word at the latest. Looking
# at each commit asked the store's version twice per collector run, once for nothing.
SETTLE = 0.02
SETTLE_MAX = 0.1


@cache
def code_digest() -> str:
    """A digest of the package's code and assets, so walls reload when the server is upgraded."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".js", ".css") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


def next_reload(reload_at: str | None, zone: Any, now: datetime) -> int | None:
    """Epoch milliseconds of the next ``HH:MM`` in the site's time zone (the server does zone maths)."""
    if not reload_at:
        return None
    hour, minute = (int(part) for part in reload_at.split(":"))
    local = now.astimezone(zone)
    target = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if target <= local:
        # Add a calendar day in local time, so the wall clock hour survives DST shifts where they exist.
        target = (local + timedelta(days=1)).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return int(target.timestamp() * 1000)


class Listener(Protocol):
    """Where the hub's messages go: the streams of connected walls (and tests)."""

    def deliver(self, screen_id: str | None, message: Message | None, seq: int) -> None:
        """Called from the hub's thread: ``screen_id`` None means every screen, ``message`` None: close.

        ``seq`` grows with every delta; a wall greeted at ``seq`` skips deltas up to it. Messages
        that are not deltas (hello, close) have seq 0 and always reach every wall.
        """

    def stats(self) -> dict[str, int]:
        """Counters merged into ``/api/health`` (connected walls, bytes sent, walls dropped)."""


class Hub:
    def __init__(self, runtime: Any, poll: float = 0.5):
        self.runtime = runtime
        self.poll = poll
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._listeners: list[Listener] = []
        self._seq = 0  # grows with every published view change (see greeting)
        self._views: dict[str, Props] = {}
        self._panels: dict[str, list[Panel]] = {}
        self._build_lock = threading.RLock()
        self._seen_version = -1
        self._hint: Any = None  # the store's change hint when the version was last asked
        self._asked = 0.0  # monotonic time of that question
        self._last_build = 0.0
        self._last_full = 0.0
        self.snapshot: Snapshot | None = None
        self._series = SeriesCache()  # trends read once, again when their indicator is written
        self._kept = KeptFigures()  # latest figures read again only when their indicator is written
        self._drawn = DrawnPanels()  # between time ticks, panels drawn again only when their inputs moved
        self._ticked = 0.0  # monotonic time every panel was last drawn (a time tick)
        self.store_error: str | None = None  # why the last rebuild failed, while the store is unreachable
        self.store_down_since: datetime | None = None  # the first failed rebuild of this outage
        self.builds = 0  # snapshots read from the store: one per data change, however many walls
        self.ticks = 0  # time-only refreshes (ages, staleness) that reused the last snapshot's data
        self.messages = 0  # delta messages made, one per screen and change whatever the walls
        self._thread: threading.Thread | None = None
        self.configure(runtime.config)

    @property
    def version_tag(self) -> str:
        return f"{__version__}+{code_digest()}.{self.runtime.loaded.digest}"

    def hello(self, screen_id: str) -> dict[str, Any]:
        """What a wall learns on (re)connection: versions, the server clock, when to reload."""
        config = self.runtime.config
        screen = config.screen(screen_id)
        reload_at = (screen.reload_at if screen is not None else None) or config.site.reload_at
        now = datetime.now(UTC)
        return {
            "version": self.version_tag,
            "now": int(now.timestamp() * 1000),
            "tz": config.site.timezone,
            "reload": next_reload(reload_at, config.site.zone, now),
            "beat": int(config.site.heartbeat.total_seconds() * 1000),  # the wall's silence watchdog
        }

    def greeting(self, screen_id: str) -> tuple[int, list[Message]]:
        """The first messages of a wall's stream (hello, the full current view) and its seq.

        A delta published for a view change the full view already holds has a seq at most this
        one, so the stream skips it: applying a trend's "append a point" twice would draw it twice.
        """
        with self._lock:
            seq, full = self._seq, dict(self._views.get(screen_id, {}))
        version = self.snapshot.version if self.snapshot else 0
        return seq, [message("hello", self.hello(screen_id)),
                     message("delta", {"v": version, "p": full, "full": True})]

    def configure(self, config: Any) -> None:
        base_dir = getattr(self.runtime, "base_dir", None)
        panels = {screen.id: screen_panels(config, screen, base_dir) for screen in config.screens}
        with self._build_lock:
            with self._lock:
                self._panels = panels
                self._views = {}
            self.rebuild(force=True)
        for screen_id in panels:
            self._publish(screen_id, message("hello", self.hello(screen_id)), 0)

    def panels(self, screen_id: str) -> list[Panel]:
        return self._panels.get(screen_id, [])

    def needs(self) -> Needs:
        needs = Needs()
        for panels in self._panels.values():
            for panel in panels:
                needs.add(panel.needs())
        return needs

    # building

    def rebuild(self, force: bool = False) -> None:
        """Refresh every screen's view if data changed (or ages moved on), and publish the deltas.

        The store is read once per data version whatever the number of walls; a time tick with no
        new data only re-evaluates the panels (ages, staleness) on the previous snapshot's data.
        """
        with self._build_lock:
            store = self.runtime.store
            now = time.monotonic()
            due = now - min(self._last_build, self._ticked) >= TIME_TICK
            hint = store.change_hint()
            if (not force and not due and hint is not None and hint == self._hint
                    and now - self._asked < VERSION_CHECK):
                return  # the SQLite files have not moved since the version was last asked
            version = store.data_version()
            self._hint, self._asked = hint, now
            if not force and version == self._seen_version and not due:
                return
            config = self.runtime.config
            reuse = (not force and version == self._seen_version and self.snapshot is not None
                     and now - self._last_full < FULL_REFRESH)
            self._seen_version = version
            self._last_build = now
            if reuse:
                snap = dataclasses.replace(self.snapshot, now=datetime.now(UTC).astimezone(config.site.zone),
                                           link_down=None)
                self.ticks += 1
            else:
                if force or now - self._last_full >= FULL_REFRESH:
                    self._series.clear()  # everything from the store now and then, kept series too
                    self._kept.clear()
                    self._drawn.clear()
                    self._last_full = now
                snap = read_snapshot(store, config, self.needs(), datetime.now(UTC), version,
                                      cache=self._series, kept=self._kept)
                self.builds += 1
            self.snapshot = snap
            if force or due:
                self._ticked = now  # ages and staleness: every panel drawn for the time now
            for screen_id, panels in self._panels.items():
                self._refresh(screen_id, panels, snap)

    def _refresh(self, screen_id: str, panels: list[Panel], snap: Snapshot) -> None:
        view: Props = wall_props(snap, self.runtime.config)  # the database link, on every screen
        at = time.monotonic()
        for panel in panels:
            view.update(self._drawn.props(panel, snap, at, self._ticked))
        with self._lock:
            old = self._views.get(screen_id)
            self._views[screen_id] = view
            delta = diff_views(old, view) if old is not None else None
            if delta:
                self._seq += 1
                seq = self._seq
        if delta:
            self.messages += 1
            self._publish(screen_id, message("delta", {"v": snap.version, "p": delta}), seq)

    def notify(self) -> None:
        """A collector wrote something: rebuild now rather than at the next poll."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            if self._wake.wait(self.poll):
                self._settle()
            self._wake.clear()
            self.tick()

    def _settle(self) -> None:
        """Wait out a burst of change notices (see ``SETTLE``)."""
        deadline = time.monotonic() + SETTLE_MAX
        while not self._stop.is_set():
            self._wake.clear()
            left = deadline - time.monotonic()
            if left <= 0 or not self._wake.wait(min(SETTLE, left)):
                return

    def tick(self) -> None:
        """One pass of the loop: rebuild, or judge the last snapshot anew while the store is away.

        Back from an outage the rebuild is forced: the walls' "database link down" line clears at
        once, not at the next time tick, and everything is read afresh."""
        try:
            self.rebuild(force=self.store_error is not None)
        except Exception as exc:  # noqa: BLE001 - the store may be briefly unavailable; keep serving
            self._store_down(exc)
        else:
            if self.store_error is not None:
                log.warning("store reachable again; walls are live")
                self.store_error = None
                self.store_down_since = None

    def _store_down(self, exc: Exception) -> None:
        """The store does not answer (PostgreSQL restarting): judge the last snapshot at the current time.

        Publishing nothing would freeze every age on the walls at the moment the database went
        away; re-evaluating the panels on the figures they already show lets ages grow and stale
        states appear on time, so a wall shows stale, never blank, until the store is back and the
        next rebuild reads it again.
        """
        reason = one_line(exc)
        if self.store_error is None:
            log.warning("snapshot rebuild failed, walls keep their figures and age: %s", reason, exc_info=True)
            self.store_down_since = datetime.now(UTC)
        self.store_error = reason
        with self._build_lock:
            now = time.monotonic()
            if self.snapshot is None or now - self._last_build < TIME_TICK:
                return
            self._last_build = now
            zone = self.runtime.config.site.zone
            # The status panel tells the operators the database link is down (since when) instead
            # of calling every source DOWN because this process cannot read their runs.
            snap = dataclasses.replace(self.snapshot, now=datetime.now(UTC).astimezone(zone),
                                       link_down=self.store_down_since)
            self.ticks += 1
            self.snapshot = snap
            self._ticked = now  # a time tick: every panel judged anew
            for screen_id, panels in self._panels.items():
                self._refresh(screen_id, panels, snap)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="wallboard-hub", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop building and end every wall's stream (their browsers reconnect to the next server)."""
        self._stop.set()
        self._wake.set()
        self._publish(None, None, 0)

    # listeners

    def view(self, screen_id: str) -> Props:
        with self._lock:
            return dict(self._views.get(screen_id, {}))

    def listen(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def _publish(self, screen_id: str | None, msg: Message | None, seq: int) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener.deliver(screen_id, msg, seq)
            except Exception:  # noqa: BLE001 - a closed event loop must not stop the hub
                log.exception("listener failed")

    def stats(self) -> dict[str, Any]:
        changes = getattr(self.runtime, "changes", None)
        out: dict[str, Any] = {"builds": self.builds, "ticks": self.ticks, "messages": self.messages,
                               "walls": 0, "dropped": 0,
                               "changes": "notify" if changes is not None and changes.connected.is_set() else "poll",
                               "notified": changes.notified if changes is not None else 0,
                               "store": "down" if self.store_error is not None else "up"}
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            for key, value in listener.stats().items():
                out[key] = out.get(key, 0) + value
        return out

