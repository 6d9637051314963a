"""The hub: builds one snapshot per data change and pushes each wall only what changed.

One thread watches the store's data version (and the clock, for ages and staleness). When it
moves, the hub builds a single snapshot for every screen's needs, asks each panel for its view,
diffs against the last view and queues the difference for every browser showing that screen.
Browsers connect over Server-Sent Events: one long response per wall, which the browser's
EventSource reconnects by itself; on (re)connection a wall gets the full current view, so it
catches up without a reload.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import queue
import threading
import time
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from wallboard.panels import panel_types
from wallboard.panels.base import Panel, WallContext, flat_props
from wallboard.snapshot import Needs, Snapshot, build_snapshot
from wallboard.web.diff import Props, diff_views

log = logging.getLogger(__name__)
TIME_TICK = 10.0  # seconds between view refreshes when no data arrives (ages, staleness)
FULL_REFRESH = 300.0  # at most this long between re-reading the store when no data arrives (sliding windows)
QUEUE_LIMIT = 200
HEARTBEAT = 2.0  # seconds; the browser calls the link lost after 5 s of silence


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


class Hub:
    def __init__(self, runtime: Any, poll: float = 0.5):
        self.runtime = runtime
        self.poll = poll
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._subscribers: dict[str, set[queue.Queue]] = {}
        self._views: dict[str, Props] = {}
        self._panels: dict[str, list[Panel]] = {}
        self._build_lock = threading.RLock()
        self._seen_version = -1
        self._last_build = 0.0
        self._last_full = 0.0
        self.snapshot: Snapshot | None = None
        self.builds = 0  # snapshots read from the store: one per data change, however many walls
        self.ticks = 0  # time-only refreshes (ages, staleness) that reused the last snapshot's data
        self.messages = 0  # delta messages queued, all walls together
        self.dropped = 0  # browsers dropped for falling behind
        self._thread: threading.Thread | None = None
        self.configure(runtime.config)

    @property
    def version_tag(self) -> str:
        from wallboard import __version__

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
        }

    def configure(self, config: Any) -> None:
        panels = {}
        for screen in config.screens:
            wall = WallContext(config, screen, getattr(self.runtime, "base_dir", None))
            types = panel_types()
            panels[screen.id] = [types[p.type](p, wall) for p in screen.all_panels()]
        with self._build_lock:
            with self._lock:
                self._panels = panels
                self._views = {}
            self.rebuild(force=True)
        with self._lock:
            subscribers = {sid: list(qs) for sid, qs in self._subscribers.items()}
        for screen_id, queues in subscribers.items():
            message = _event("hello", self.hello(screen_id))
            for q in queues:
                self._offer(q, message)

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
        """Refresh every screen's view if data changed (or ages moved on), and queue the deltas.

        The store is read once per data version whatever the number of walls; a time tick with no
        new data only re-evaluates the panels (ages, staleness) on the previous snapshot's data.
        """
        with self._build_lock:
            store = self.runtime.store
            version = store.data_version()
            now = time.monotonic()
            due = now - self._last_build >= TIME_TICK
            if not force and version == self._seen_version and not due:
                return
            config = self.runtime.config
            reuse = (not force and version == self._seen_version and self.snapshot is not None
                     and now - self._last_full < FULL_REFRESH)
            self._seen_version = version
            self._last_build = now
            if reuse:
                snap = dataclasses.replace(self.snapshot, now=datetime.now(UTC).astimezone(config.site.zone))
                self.ticks += 1
            else:
                snap = build_snapshot(store, config, self.needs(), datetime.now(UTC), version)
                self._last_full = now
                self.builds += 1
            self.snapshot = snap
            for screen_id, panels in self._panels.items():
                self._refresh(screen_id, panels, snap)

    def _refresh(self, screen_id: str, panels: list[Panel], snap: Snapshot) -> None:
        view: Props = {}
        for panel in panels:
            try:
                view.update(flat_props(panel, panel.view(snap)))
            except Exception as exc:  # noqa: BLE001 - one broken panel must not blank the wall
                log.exception("panel %s failed", panel.config.id)
                view.update(_error_props(panel, exc))
        with self._lock:
            old = self._views.get(screen_id)
            self._views[screen_id] = view
            subscribers = list(self._subscribers.get(screen_id, ()))
        if old is None:
            return
        delta = diff_views(old, view)
        if delta and subscribers:
            message = _event("delta", {"v": snap.version, "p": delta})
            self.messages += 1
            for q in subscribers:
                self._offer(q, message)

    def notify(self) -> None:
        """A collector wrote something: rebuild now rather than at the next poll."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.poll)
            self._wake.clear()
            try:
                self.rebuild()
            except Exception:  # noqa: BLE001 - the store may be briefly unavailable; keep serving
                log.exception("snapshot rebuild failed")

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="wallboard-hub", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._broadcast_all(None)

    # subscribers

    def view(self, screen_id: str) -> Props:
        with self._lock:
            return dict(self._views.get(screen_id, {}))

    def subscribe(self, screen_id: str) -> tuple[queue.Queue, Props]:
        q: queue.Queue = queue.Queue(maxsize=QUEUE_LIMIT)
        with self._lock:
            self._subscribers.setdefault(screen_id, set()).add(q)
            return q, dict(self._views.get(screen_id, {}))

    def unsubscribe(self, screen_id: str, q: queue.Queue) -> None:
        with self._lock:
            self._subscribers.get(screen_id, set()).discard(q)

    def subscriber_count(self) -> int:
        with self._lock:
            return sum(len(s) for s in self._subscribers.values())

    def _broadcast_all(self, message: str | None) -> None:
        with self._lock:
            queues = [q for subs in self._subscribers.values() for q in subs]
        for q in queues:
            self._offer(q, message)

    def _offer(self, q: queue.Queue, message: str | None) -> None:
        """A browser too slow to keep up is dropped; it reconnects and gets the full view."""
        try:
            q.put_nowait(message)
        except queue.Full:
            self.dropped += 1
            with self._lock:
                for subscribers in self._subscribers.values():
                    subscribers.discard(q)
            with q.mutex:
                q.queue.clear()
            q.put_nowait(None)

    def stats(self) -> dict[str, Any]:
        return {"builds": self.builds, "ticks": self.ticks, "messages": self.messages, "dropped": self.dropped,
                "walls": self.subscriber_count()}


def _event(name: str, data: Any) -> str:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'), ensure_ascii=False)}\n\n"


def _error_props(panel: Panel, exc: Exception) -> Props:
    from wallboard.collector import one_line
    from wallboard.panels.base import PanelView

    return flat_props(panel, PanelView("error", None, {}, f"Panel gagal: {one_line(exc)}"))


def stream_events(hub: Hub, screen_id: str, heartbeat: float = HEARTBEAT):
    """The body of ``/api/stream/<screen>``: hello, the full view, then deltas and heartbeats.

    The heartbeat is a one-byte data message (comments are invisible to EventSource), so the
    browser can tell a hung server or a dead network path from a quiet one.
    """
    q, full = hub.subscribe(screen_id)
    try:
        yield "retry: 2000\n" + _event("hello", hub.hello(screen_id))
        yield _event("delta", {"v": hub.snapshot.version if hub.snapshot else 0, "p": full, "full": True})
        while True:
            try:
                message = q.get(timeout=heartbeat)
            except queue.Empty:
                yield "data:1\n\n"
                continue
            if message is None:
                return
            yield message
    finally:
        hub.unsubscribe(screen_id, q)
