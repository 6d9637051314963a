"""Failed sign-ins counted in a sliding window, per address and per user name, in memory.

One wallboard process serves a command center, so an in-process window is enough (no Redis);
Flask-Limiter would be a dependency for one route. After ``limit`` failures within ``window``
seconds the login answers 429 until the oldest failure leaves the window.
"""

from __future__ import annotations

import threading
import time
from collections import deque

ADDRESS_LIMIT = 10
USER_LIMIT = 5
WINDOW = 300.0


class Throttle:
    def __init__(self, address_limit: int = ADDRESS_LIMIT, user_limit: int = USER_LIMIT, window: float = WINDOW):
        self.limits = {"addr": address_limit, "user": user_limit}
        self.window = window
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    @staticmethod
    def _keys(address: str, user: str | None) -> list[tuple[str, str]]:
        return [("addr", address)] + ([("user", user.lower())] if user is not None else [])

    def retry_after(self, address: str, user: str | None, now: float | None = None) -> int:
        """Seconds to wait before another attempt is even checked; 0 when allowed. ``user`` None
        counts the address only (display tokens: a guesser must not lock every wall out)."""
        now = time.monotonic() if now is None else now
        wait = 0.0
        with self._lock:
            for key in self._keys(address, user):
                times = self._recent(key, now)
                if len(times) >= self.limits[key[0]]:
                    wait = max(wait, times[0] + self.window - now)
        return int(wait) + 1 if wait > 0 else 0

    def fail(self, address: str, user: str | None, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._failures) > 10_000:  # a flood of random names must not grow memory without bound
                self._failures.clear()
            for key in self._keys(address, user):
                self._recent(key, now).append(now)

    def succeed(self, user: str) -> None:
        with self._lock:
            self._failures.pop(("user", user.lower()), None)
