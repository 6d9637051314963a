"""Failed sign-ins slowed down per (account, address) and per address, with exponential back-off.

Counting failures per account alone let anyone lock the admin out from everywhere (five wrong
passwords from any address, repeated every five minutes). Here nothing is counted per account
alone: a guesser slows down only the addresses it guesses from, so the owner signing in from an
address with no failures always gets in. Each key lets a few failures pass freely; from the
``FREE``-th on, each failure doubles the wait (5 s, 10 s, 20 s ... up to ``cap``, 15 minutes), and
a key silent for ``forget`` seconds starts over. In the multi-process setup each web process counts
on its own (nginx spreads a guesser over them): the back-off still grows in each. Display-token
sign-ins (``/wall/<id>?token=``) have a budget of their own per address, so a wall PC's token link
is not refused because someone mistyped a password nearby.

One wallboard process serves a command center, so an in-process table is enough (no Redis);
Flask-Limiter would be a dependency for one route. The table is bounded: past ``max_keys`` the
keys silent the longest are forgotten first, never all at once (a flood of random names must not
wipe the counts of the address it comes from).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

FREE = {"pair": 5, "addr": 10, "token": 10}  # the failure that starts a wait, per kind of key
BASE = 5.0  # seconds: the first wait; each further failure doubles it
CAP = 900.0  # seconds: the longest wait
FORGET = 3600.0  # seconds without failures after which a key starts over
MAX_KEYS = 20_000

Key = tuple[str, ...]


@dataclass
class _Count:
    failures: int
    last: float


@dataclass(frozen=True)
class Backoff:
    """A back-off that a failure has just started or lengthened: which key and for how long."""

    kind: str  # "pair" (account at address), "addr" (address) or "token" (display tokens at address)
    wait: int


class Throttle:
    def __init__(self, free: dict[str, int] | None = None, base: float = BASE, cap: float = CAP,
                 forget: float = FORGET, max_keys: int = MAX_KEYS):
        self.free = {**FREE, **(free or {})}
        self.base, self.cap, self.forget, self.max_keys = base, cap, forget, max_keys
        self._counts: OrderedDict[Key, _Count] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _keys(address: str, user: str | None) -> list[Key]:
        """``user`` None: a display-token sign-in, counted on its own budget per address."""
        if user is None:
            return [("token", address)]
        return [("pair", user.lower(), address), ("addr", address)]

    def _delay(self, kind: str, failures: int) -> float:
        over = failures - self.free[kind]
        if over < 0:
            return 0.0
        return min(self.cap, self.base * 2 ** min(over, 30))

    def _current(self, key: Key, now: float) -> _Count | None:
        count = self._counts.get(key)
        if count is not None and now - count.last > max(self.forget, self._delay(key[0], count.failures)):
            del self._counts[key]
            return None
        return count

    def retry_after(self, address: str, user: str | None, now: float | None = None) -> int:
        """Seconds to wait before another attempt is even checked; 0 when allowed."""
        now = time.monotonic() if now is None else now
        wait = 0.0
        with self._lock:
            for key in self._keys(address, user):
                count = self._current(key, now)
                if count is not None:
                    wait = max(wait, count.last + self._delay(key[0], count.failures) - now)
        return math.ceil(wait) if wait > 0 else 0

    def fail(self, address: str, user: str | None, now: float | None = None) -> list[Backoff]:
        """Count one failure; returns the back-offs it started or lengthened (for the audit log)."""
        now = time.monotonic() if now is None else now
        started = []
        with self._lock:
            for key in self._keys(address, user):
                count = self._current(key, now) or _Count(0, now)
                count.failures += 1
                count.last = now
                self._counts[key] = count
                self._counts.move_to_end(key)
                delay = self._delay(key[0], count.failures)
                if delay > 0:
                    started.append(Backoff(key[0], math.ceil(delay)))
            while len(self._counts) > self.max_keys:
                self._counts.popitem(last=False)
        return started

    def succeed(self, address: str, user: str) -> None:
        """A correct password clears that account's count at that address, and nothing else: not
        the address's own count (one valid account must not buy guesses at the others) and not the
        account's failures elsewhere."""
        with self._lock:
            self._counts.pop(("pair", user.lower(), address), None)

    def failures(self, address: str, user: str | None) -> dict[str, int]:
        """The counts in force, by kind of key (for tests and the audit detail)."""
        now = time.monotonic()
        with self._lock:
            found = {key[0]: self._current(key, now) for key in self._keys(address, user)}
        return {kind: count.failures if count else 0 for kind, count in found.items()}
