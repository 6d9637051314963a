"""Exponential back-off: how long to wait before the next attempt after a failure.

Shared by the scheduler (a failed source is retried sooner than its next run) and the alert
notifications (a channel that failed is tried again): both double the wait after each failure.
"""

from __future__ import annotations

from datetime import timedelta


class Backoff:
    """Delay before retry ``n`` (1-based): ``base * 2**(n-1)``, capped at ``cap`` when one is given."""

    def __init__(self, base: float | timedelta = 5.0, cap: float | timedelta | None = 900.0):
        self.base = _seconds(base)
        self.cap = _seconds(cap) if cap is not None else None

    def delay(self, failures: int) -> timedelta:
        seconds = self.base * 2 ** max(0, failures - 1)
        return timedelta(seconds=seconds if self.cap is None else min(self.cap, seconds))


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
