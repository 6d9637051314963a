"""The records that cross from a collector to the store: readings, events, and one run's batch.

They live here, not with the sources or the store, because both sides import them and neither may
depend on the other: a source produces a ``Batch``, the collector hands it to ``Store.write``.
(``wallboard.sources.base`` re-exports them, so a source type imports everything from one place.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Reading:
    indicator: str
    region: str  # dotted Kemendagri code; the kabupaten/kota itself for a city-wide figure
    ts: int  # seconds since the epoch, UTC; for a period figure, the period's first midnight
    value: float
    period: str | None = None  # P1Y, P6M, P3M, P1M for a figure per period (see periods.py); None: a moment


@dataclass(frozen=True, slots=True)
class Event:
    ref: str
    time: datetime  # aware, UTC
    status: str = "baru"
    title: str = ""
    category: str = ""
    region: str | None = None
    detail: str = ""


@dataclass
class Batch:
    """One run's output. Invalid records are counted and a few reasons kept, never raised."""

    readings: list[Reading] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    rejected: int = 0
    reasons: list[str] = field(default_factory=list)
    # Nothing new to read (a file that did not change): a successful run that writes nothing.
    unchanged: bool = False
    # An empty answer is normal for some feeds (no new complaints); for readings it means trouble.
    empty_ok: bool = False

    def reject(self, reason: str) -> None:
        self.rejected += 1
        if len(self.reasons) < 5:
            self.reasons.append(reason)

    @property
    def rows(self) -> int:
        return len(self.readings) + len(self.events)
