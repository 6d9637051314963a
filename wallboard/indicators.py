"""What a value means: its state against thresholds and freshness, the same for every panel."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from wallboard.store import Latest
from wallboard.store.store import period_days

SEVERITY = {"ok": 0, "nodata": 0, "stale": 1, "warning": 2, "critical": 3, "error": 3}


def threshold_state(value: float, indicator: Any) -> str:
    t = indicator.thresholds if indicator is not None else None
    if t is None:
        return "ok"
    worse = (lambda a, b: a <= b) if indicator.direction == "down" else (lambda a, b: a >= b)
    if t.critical is not None and worse(value, t.critical):
        return "critical"
    if t.warning is not None and worse(value, t.warning):
        return "warning"
    return "ok"


@dataclass(frozen=True)
class IndicatorValue:
    """An indicator's city-wide figure right now, with what the wall needs to judge it."""

    id: str
    value: float | None
    previous: float | None
    time: datetime | None
    by_region: dict[str, float] = field(default_factory=dict)
    period: str | None = None  # P1Y/P6M/P3M/P1M: the newest figure is for a period, not a moment

    def age(self, now: datetime) -> timedelta | None:
        return None if self.time is None else now - self.time


def combine(values: list[float], aggregate: str) -> float:
    if aggregate == "mean":
        return sum(values) / len(values)
    if aggregate == "last":
        return values[-1]
    return sum(values)


def from_latest(indicator_id: str, rows: list[Latest], aggregate: str, zone: Any) -> IndicatorValue:
    if not rows:
        return IndicatorValue(indicator_id, None, None, None)
    # Oldest first (rollup's "last" relies on it); at one time the shortest length last, as the
    # store picks each region's current figure (a quarter before the half year starting with it).
    rows = sorted(rows, key=lambda r: (r.ts, -period_days(r.period)))
    by_region = {r.region: r.value for r in rows}
    # A source may report a kecamatan and its desa both; the city-wide figure counts each person
    # once, so it combines the coarsest level present only.
    coarsest = min(r.region.count(".") for r in rows)
    rows = [r for r in rows if r.region.count(".") == coarsest]
    # ... and figures of one length: a region whose current figure is a half year is not added to
    # the others' quarters.
    rows = [r for r in rows if r.period == rows[-1].period]
    current = combine([r.value for r in rows], aggregate)
    have_prev = [r for r in rows if r.prev_value is not None]
    previous = (
        combine([r.prev_value if r.prev_value is not None else r.value for r in rows], aggregate)
        if have_prev else None
    )
    newest = datetime.fromtimestamp(rows[-1].ts, zone)
    return IndicatorValue(indicator_id, current, previous, newest, by_region, rows[-1].period)


def state_of(value: IndicatorValue, indicator: Any, stale_after: timedelta, now: datetime) -> str:
    if value.value is None:
        return "nodata"
    age = value.age(now)
    if age is not None and age > stale_after:
        return "stale"
    return threshold_state(value.value, indicator)
