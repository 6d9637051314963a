"""The daily report's figures: what one day held, per indicator, alert and work unit (the queries).

The workbook's layout is ``report.py``. Everything is computed from stored readings and alerts,
never from a source. A reading holds until the next one of its region; the value carried in from
before midnight counts for time outside.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from wallboard.alerts.repo import AlertInfo, AlertRepo
from wallboard.indicators import combine, threshold_state
from wallboard.store import Store, schema
from wallboard.store.store import period_days


@dataclass(frozen=True)
class IndicatorDay:
    indicator: str
    owner: str | None
    readings: int
    minimum: float | None
    maximum: float | None
    last: float | None
    outside: float  # seconds at warning or worse
    critical: float  # seconds at critical


def day_bounds(day: date, zone: Any) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start, end


def indicator_day(store: Store, indicator: Any, start: datetime, end: datetime, now: datetime) -> IndicatorDay:
    """The city-wide figure through the day, rebuilt reading by reading from ``readings``."""
    r = schema.readings
    t0, t1 = int(start.timestamp()), int(end.timestamp())
    stop = min(t1, int(now.timestamp()))
    current: dict[str, tuple[int, float]] = {}
    with store.engine.connect() as conn:
        regions = [row[0] for row in conn.execute(
            select(schema.latest.c.region).where(schema.latest.c.indicator == indicator.id))]
        for region in regions:  # the value each region carried in from before the day
            pair = (r.c.indicator == indicator.id, r.c.region == region)
            before = select(func.max(r.c.ts)).where(*pair, r.c.ts < t0).scalar_subquery()
            found = conn.execute(select(r.c.ts, r.c.value, r.c.period).where(*pair, r.c.ts == before)).all()
            if found:  # lengths starting together (a quarter, a half year): the shortest, as ``latest``
                row = min(found, key=lambda f: period_days(f.period))
                current[region] = (row.ts, row.value)
        rows = conn.execute(select(r.c.ts, r.c.region, r.c.value, r.c.period).where(
            r.c.indicator == indicator.id, r.c.ts >= t0, r.c.ts < t1)).all()
        rows.sort(key=lambda f: (f.ts, -period_days(f.period)))  # at one second the shortest length last

    def city() -> float | None:
        if not current:
            return None
        return combine([v for _, v in sorted(current.values())], indicator.aggregate)

    values: list[float] = []
    outside = critical = 0.0
    moment, value = t0, city()
    index = 0
    while index <= len(rows):
        nxt = rows[index].ts if index < len(rows) else stop
        if value is not None and nxt > moment:
            span = min(nxt, stop) - moment
            state = threshold_state(value, indicator)
            if span > 0 and state in ("warning", "critical"):
                outside += span
                if state == "critical":
                    critical += span
        if index == len(rows):
            break
        ts = rows[index].ts
        while index < len(rows) and rows[index].ts == ts:  # every region written at this second
            current[rows[index].region] = (ts, rows[index].value)
            index += 1
        moment, value = ts, city()
        values.append(value)
    return IndicatorDay(indicator.id, indicator.owner, len(rows), min(values) if values else None,
                        max(values) if values else None, values[-1] if values else None, outside, critical)


def minutes(a: datetime | None, b: datetime | None) -> float | None:
    return round((b - a).total_seconds() / 60, 1) if a is not None and b is not None else None


def local(moment: datetime | None, zone: Any) -> datetime | None:
    """Excel has no time zones: site-local wall-clock time, as the meeting reads it."""
    return moment.astimezone(zone).replace(tzinfo=None) if moment is not None else None


def collect(store: Store, config: Any, day: date, now: datetime | None = None
            ) -> tuple[list[IndicatorDay], list[AlertInfo]]:
    now = now or datetime.now(UTC)
    start, end = day_bounds(day, config.site.zone)
    days = [indicator_day(store, i, start, end, now) for i in config.indicators]
    alerts = AlertRepo(store.engine).alerts_between(start, end)
    return days, alerts


@dataclass(frozen=True)
class OwnerDay:
    """One work unit's day: its indicators, its alerts and how quickly they were handled."""

    owner: str
    indicators: int
    alerts: int
    critical: int
    unacknowledged: int
    to_acknowledge: float | None  # mean minutes
    to_resolve: float | None  # mean minutes
    outside: float  # minutes outside thresholds, its indicators together


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def owner_days(days: list[IndicatorDay], alerts: list[AlertInfo]) -> list[OwnerDay]:
    """Per owner (OPD), in name order; indicators and alerts without one come under ``""``."""
    out = []
    for owner in sorted({d.owner or "" for d in days} | {a.owner or "" for a in alerts}):
        mine = [a for a in alerts if (a.owner or "") == owner]
        theirs = [d for d in days if (d.owner or "") == owner]
        to_ack = [m for a in mine if (m := minutes(a.opened, a.acknowledged_at)) is not None]
        to_close = [m for a in mine if (m := minutes(a.opened, a.closed)) is not None]
        out.append(OwnerDay(owner, len(theirs), len(mine), sum(1 for a in mine if a.peak_state == "critical"),
                            sum(1 for a in mine if a.acknowledged_at is None), _mean(to_ack), _mean(to_close),
                            round(sum(d.outside for d in theirs) / 60, 1)))
    return out
