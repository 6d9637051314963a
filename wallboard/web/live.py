"""The hub: builds one snapshot per data change and pushes each wall only what changed.

One thread watches the store's data version (and the clock, for ages and staleness). When it
moves, the hub builds a single snapshot for every screen's needs, asks each panel for its view,
diffs against the last view and queues the difference for every browser showing that screen.
Browsers connect over Server-Sent Events: one long response per wall, which the browser's
EventSource reconnects by itself; on (re)connection a wall gets the full current view, so it
catches up without a reload.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from datetime import UTC, datetime
from typing import Any

from wallboard.panels import panel_types
from wallboard.panels.base import Panel, WallContext, flat_props
from wallboard.snapshot import Needs, Snapshot, build_snapshot
from wallboard.web.diff import Props, diff_views

log = logging.getLogger(__name__)
TIME_TICK = 10.0  # seconds between rebuilds when no data arrives (ages, staleness)
QUEUE_LIMIT = 200


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
        self._seen_version = -1
        self._last_build = 0.0
        self.snapshot: Snapshot | None = None
        self.builds = 0
        self._thread: threading.Thread | None = None
        self.configure(runtime.config)

    @property
    def version_tag(self) -> str:
        from wallboard import __version__

        return f"{__version__}+{self.runtime.loaded.digest}"

    def configure(self, config: Any) -> None:
        panels = {}
        for screen in config.screens:
            wall = WallContext(config, screen, getattr(self.runtime, "base_dir", None))
            types = panel_types()
            panels[screen.id] = [types[p.type](p, wall) for p in screen.all_panels()]
        with self._lock:
            self._panels = panels
            self._views = {}
        self.rebuild(force=True)
        self._broadcast_all(_event("hello", {"version": self.version_tag}))

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
        import time

        store = self.runtime.store
        version = store.data_version()
        due = time.monotonic() - self._last_build >= TIME_TICK
        if not force and version == self._seen_version and not due:
            return
        self._seen_version = version
        self._last_build = time.monotonic()
        config = self.runtime.config
        snap = build_snapshot(store, config, self.needs(), datetime.now(UTC), version)
        self.snapshot = snap
        self.builds += 1
        for screen_id, panels in self._panels.items():
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
                continue
            delta = diff_views(old, view)
            if delta:
                message = _event("delta", {"v": version, "p": delta})
                for q in subscribers:
                    _offer(q, message)

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
            _offer(q, message)


def _offer(q: queue.Queue, message: str | None) -> None:
    """A browser too slow to keep up is dropped; it reconnects and gets the full view."""
    try:
        q.put_nowait(message)
    except queue.Full:
        with q.mutex:
            q.queue.clear()
        q.put_nowait(None)


def _event(name: str, data: Any) -> str:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'), ensure_ascii=False)}\n\n"


def _error_props(panel: Panel, exc: Exception) -> Props:
    from wallboard.collector import one_line
    from wallboard.panels.base import PanelView

    return flat_props(panel, PanelView("error", None, {}, f"Panel gagal: {one_line(exc)}"))


def stream_events(hub: Hub, screen_id: str, heartbeat: float = 2.0):
    """The body of ``/api/stream/<screen>``: hello, the full view, then deltas and heartbeats."""
    q, full = hub.subscribe(screen_id)
    try:
        yield "retry: 2000\n" + _event("hello", {"version": hub.version_tag})
        yield _event("delta", {"v": hub.snapshot.version if hub.snapshot else 0, "p": full, "full": True})
        while True:
            try:
                message = q.get(timeout=heartbeat)
            except queue.Empty:
                yield "data:1\n\n"  # a heartbeat the browser can see (comments are invisible)
                continue
            if message is None:
                return
            yield message
    finally:
        hub.unsubscribe(screen_id, q)
