"""What the server knows of its cameras: the freshest report per camera, for a few minutes.

Walls report the cameras they are showing (playing, stalled or error, with the moment the state
began); ``probe: true`` cameras are also checked by the server itself. Each camera keeps only
its freshest report, and a report older than ``EXPIRE`` says nothing any more (the wall that sent
it may be showing another page, or be switched off), so nothing here grows without bound and
nothing is stored: a restarted server knows again within one report interval.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Literal

State = Literal["playing", "stalled", "error"]
STATES: tuple[str, ...] = ("playing", "stalled", "error")
EXPIRE = 180.0  # seconds; walls report every 30 s while a camera is shown


@dataclass(frozen=True)
class Report:
    key: str
    state: str
    since: float  # epoch seconds the state began, as the reporter saw it (clamped to received)
    received: float  # epoch seconds on the server's clock
    by: str  # "wall" or "probe"
    detail: str = ""


class HealthBoard:
    def __init__(self, expire: float = EXPIRE):
        self.expire = expire
        self._reports: dict[str, Report] = {}
        self._lock = threading.Lock()

    def put(self, key: str, state: str, since: float | None = None, by: str = "wall", detail: str = "",
            now: float | None = None) -> bool:
        """Record a report; True when it changed the camera's state (worth a wall refresh)."""
        now = time.time() if now is None else now
        since = min(now, since) if since is not None else now
        report = Report(key, state, since, now, by, detail[:200])
        with self._lock:
            old = self._reports.get(key)
            self._reports[key] = report
        return old is None or old.state != state or now - old.received > self.expire

    def current(self, now: float | None = None) -> dict[str, Report]:
        """Every camera with a report still fresh; expired ones are dropped here."""
        now = time.time() if now is None else now
        with self._lock:
            for key in [k for k, r in self._reports.items() if now - r.received > self.expire]:
                del self._reports[key]
            return dict(self._reports)

    def down(self, now: float | None = None) -> list[Report]:
        """Cameras whose freshest report says error, oldest failure first."""
        return sorted((r for r in self.current(now).values() if r.state == "error"), key=lambda r: r.since)

    def clear(self) -> None:
        with self._lock:
            self._reports.clear()


# One board per server process: walls report to the web app, the status panel and /api/health read
# it. It is live state of the web process, like the hub's subscriber list, not data from a source.
BOARD = HealthBoard()
