"""The questions a supervisor's drill page asks of the store: history between two times, figures
per region over a range, and events filtered by status, category, place and time.

Every query names the regions it wants (``region IN (...)``) so it is a handful of index range
seeks along the tables' primary keys (indicator, region, time), never a scan of an indicator's
whole history: the page stays under a second with years of hourly readings for hundreds of
regions, on SQLite and PostgreSQL alike. Long ranges are read from the hour and day rollups.

An indicator whose current figure is per period (``Store.drawn_period``) is read from the readings
of that one length instead: the rollups count moments only, and a quarter is never averaged with
the half year that starts on the same day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, text

from wallboard.store import schema
from wallboard.store.store import DAY, HOUR, MOMENT, Store, StoredEvent, _aware

EVENT_LIMIT = 500  # rows the events drill lists; the export holds the same rows


@dataclass(frozen=True, slots=True)
class RegionFigures:
    """One region's figures over a range: the last reading in it, and mean/min/max of all readings."""

    region: str
    last_ts: int | None
    last: float | None
    n: int
    mean: float | None
    lo: float | None
    hi: float | None


def regions_with_data(store: Store, indicator: str) -> set[str]:
    """Every region that ever had a reading of ``indicator`` (from ``latest``: one row per region)."""
    t = schema.latest
    with store.engine.connect() as conn:
        return {r for (r,) in conn.execute(select(t.c.region).where(t.c.indicator == indicator))}


def series_between(
    store: Store, indicator: str, codes: Sequence[str], start: int, end: int, bucket: int, aggregate: str
) -> list[tuple[int, float]]:
    """The series of ``codes`` combined, in buckets of ``bucket`` seconds over [start, end).

    Each region is averaged per bucket first, then regions are combined by the indicator's
    ``aggregate`` (as the wall does). Whole days come from ``rollup_day``, whole hours from
    ``rollup_hour``, anything finer from the readings; figures per period from the readings of the
    length the wall draws, each in the bucket its period starts in.
    """
    if not codes or end <= start:
        return []
    combine = {"sum": "SUM", "mean": "AVG", "last": "MAX"}.get(aggregate, "SUM")
    period = store.drawn_period(indicator)
    if period is not None or not (bucket % HOUR == 0 and start % HOUR == 0):
        inner = (
            "SELECT ((ts - :start) / :size) * :size + :start AS b, region, AVG(value) AS v FROM readings "
            "WHERE indicator = :indicator AND region IN :codes AND period = :period AND ts >= :start AND ts < :end "
            "GROUP BY ((ts - :start) / :size) * :size + :start, region"
        )
    elif bucket % DAY == 0 and start % DAY == 0:
        inner = _rollup_series("rollup_day")
    else:
        inner = _rollup_series("rollup_hour")
    sql = text(f"SELECT b, {combine}(v) FROM ({inner}) per_region GROUP BY b ORDER BY b").bindparams(
        bindparam("codes", expanding=True)
    )
    params = {"indicator": indicator, "codes": list(codes), "start": start, "end": end, "size": bucket,
              "period": period or MOMENT}
    with store.engine.connect() as conn:
        return [(int(b), float(v)) for b, v in conn.execute(sql, params)]


_COMBINE = {"sum": sum, "mean": lambda v: sum(v) / len(v), "last": max}


def raw_between(store: Store, indicator: str, codes: Sequence[str], start: int, end: int, aggregate: str,
                suspect: Any) -> list[tuple[int, float]] | None:
    """The figure the wall showed at each reading in [start, end): every region's newest reading
    carried forward and combined by ``aggregate``; what a drill page finds crossings on.

    Only the hours that may hold a crossing are read raw: ``suspect(hi, lo)`` is asked with each
    hour's bounds (the regions' highest, and lowest, readings in it combined, from ``rollup_hour``)
    and readings are read for the hours it flags (past a week, only within the days ``rollup_day``
    flags), so a week of 5-second readings is not read to find one flooded afternoon. None for a
    figure per period (its readings are the series already).
    """
    if not codes or end <= start or store.drawn_period(indicator) is not None:
        return None
    combine = _COMBINE.get(aggregate, sum)
    with store.engine.connect() as conn:
        if end - start > 7 * DAY:  # a year of hours is not read to find three stormy days
            days = _suspects(conn, schema.rollup_day, DAY, indicator, codes, start, end, aggregate, suspect)
            # Days a week apart or closer are one span: one query for a stormy month, not thirty.
            spans = [(max(first, start), min(last + DAY, end)) for first, last in _runs(sorted(days), DAY, 7 * DAY)]
        else:
            spans = [(start, end)]
        hours: dict[int, float | None] = {}
        for first, last in spans:
            hours.update(_suspects(conn, schema.rollup_hour, HOUR, indicator, codes, first, last, aggregate, suspect))
        # An hour in which every region read once is its own raw figure; the others are read.
        points = [(h, v) for h, v in hours.items() if v is not None]
        for first, last in _runs(sorted(h for h, v in hours.items() if v is None), HOUR):
            points += _carried(conn, indicator, codes, max(first, start), min(last + HOUR, end), combine)
    return sorted(points)


def _suspects(conn: Any, table: Any, size: int, indicator: str, codes: Sequence[str], start: int, end: int,
              aggregate: str, suspect: Any) -> dict[int, float | None]:
    """The buckets of a rollup table in [start, end) whose bounds ``suspect(hi, lo)`` flags, each with
    its figure when every region read once in it (then the bucket is the reading), else None.
    The bounds are combined in SQL: a year of hours travels as 8,760 rows, not one per region."""
    t = table
    high, low = {"sum": (func.sum, func.sum), "mean": (func.avg, func.avg)}.get(aggregate, (func.max, func.min))
    query = select(t.c.bucket, high(t.c.hi), low(t.c.lo), func.max(t.c.n)).where(
        t.c.indicator == indicator, t.c.region.in_(list(codes)), t.c.bucket > start - size,
        t.c.bucket < end).group_by(t.c.bucket)  # every bucket overlapping [start, end), however aligned
    return {int(bucket): (float(hi) if n == 1 else None) for bucket, hi, lo, n in conn.execute(query)
            if suspect(hi, lo)}


def _runs(buckets: list[int], size: int, gap: int = 0) -> list[tuple[int, int]]:
    """Consecutive buckets (or ones at most ``gap`` apart) joined: [(first bucket, last bucket)]."""
    runs: list[tuple[int, int]] = []
    for h in buckets:
        if runs and h - runs[-1][1] <= size + gap:
            runs[-1] = (runs[-1][0], h)
        else:
            runs.append((h, h))
    return runs


def _carried(conn: Any, indicator: str, codes: Sequence[str], start: int, end: int, combine: Any
             ) -> list[tuple[int, float]]:
    """Each reading time in [start, end) with the regions' newest readings then, combined."""
    t = schema.readings
    current: dict[str, float] = {}
    for code in codes:  # each region's reading in force at ``start``: one index seek each
        value = conn.execute(select(t.c.value).where(
            t.c.indicator == indicator, t.c.region == code, t.c.period == MOMENT, t.c.ts < start,
            t.c.ts >= start - DAY).order_by(t.c.ts.desc()).limit(1)).scalar()
        if value is not None:
            current[code] = value
    rows = conn.execute(select(t.c.ts, t.c.region, t.c.value).where(
        t.c.indicator == indicator, t.c.region.in_(list(codes)), t.c.period == MOMENT,
        t.c.ts >= start, t.c.ts < end).order_by(t.c.ts))
    points: list[tuple[int, float]] = []
    pending: int | None = None
    for ts, region, value in rows:
        if pending is not None and ts != pending:
            points.append((pending, float(combine(list(current.values())))))
        current[region] = value
        pending = ts
    if pending is not None:
        points.append((pending, float(combine(list(current.values())))))
    return points


def _rollup_series(table: str) -> str:
    return (
        "SELECT ((bucket - :start) / :size) * :size + :start AS b, region, SUM(total) / SUM(n) AS v FROM "
        + table + " WHERE indicator = :indicator AND region IN :codes AND bucket >= :start AND bucket < :end "
        "GROUP BY ((bucket - :start) / :size) * :size + :start, region"
    )


def region_figures(
    store: Store, indicator: str, codes: Sequence[str], start: int, end: int
) -> dict[str, RegionFigures]:
    """Per region over [start, end): the last reading (one index seek each) and count/mean/min/max.

    Count, mean and extremes are summed from whole days of ``rollup_day`` plus the hours at either
    edge from ``rollup_hour``, so a year costs 365 rows per region instead of 8,760 readings.
    ``start`` and ``end`` are taken to whole hours. Figures per period are counted from the readings
    of the length the wall draws (a handful per region and year).
    """
    codes = list(dict.fromkeys(codes))
    if not codes or end <= start:
        return {}
    period = store.drawn_period(indicator)
    stats_sql, params = _stats_query(indicator, codes, start, end, period)
    # The newest reading of each region before the end: a correlated seek per region, which both
    # databases answer from the primary key backwards.
    values = ", ".join(f"(:r{i})" for i in range(len(codes)))
    newest = "(SELECT {c} FROM readings WHERE indicator = :indicator AND region = k.code AND ts >= :start " \
             "AND ts < :end AND period = :period ORDER BY ts DESC LIMIT 1)"
    last_sql = text(
        f"WITH k(code) AS (VALUES {values}) SELECT k.code, {newest.format(c='ts')}, {newest.format(c='value')} FROM k"
    )
    last_params: dict[str, Any] = {f"r{i}": code for i, code in enumerate(codes)}
    last_params.update(indicator=indicator, start=start, end=end, period=period or MOMENT)
    out: dict[str, RegionFigures] = {}
    with store.engine.connect() as conn:
        last = {code: (ts, value) for code, ts, value in conn.execute(last_sql, last_params)}
        for region, n, total, lo, hi in conn.execute(stats_sql, params):
            if not n:
                continue
            ts, value = last.get(region, (None, None))
            out[region] = RegionFigures(
                region, int(ts) if ts is not None else None, value, int(n), float(total) / int(n), float(lo), float(hi)
            )
        for code, (ts, value) in last.items():
            if code not in out and ts is not None:
                out[code] = RegionFigures(code, int(ts), float(value), 1, float(value), float(value), float(value))
    return out


def _stats_query(indicator: str, codes: list[str], start: int, end: int, period: str | None) -> tuple[Any, dict]:
    """Count, sum, min and max per region over [start, end): from the rollups for moments, from
    the readings of one length for figures per period."""
    params: dict[str, Any] = {"indicator": indicator, "codes": codes}
    if period is not None:
        params.update(start=start, end=end, period=period)
        sql = ("SELECT region, COUNT(*), SUM(value), MIN(value), MAX(value) FROM readings WHERE indicator = :indicator "
               "AND region IN :codes AND period = :period AND ts >= :start AND ts < :end GROUP BY region")
        return text(sql).bindparams(bindparam("codes", expanding=True)), params
    a, b = start // HOUR * HOUR, -(-end // HOUR) * HOUR
    d0, d1 = -(-a // DAY) * DAY, b // DAY * DAY
    parts = []
    params.update(a=a, b=b)
    rollup = "SELECT region, n, total, lo, hi FROM {t} WHERE indicator = :indicator AND region IN :codes AND "
    if d0 < d1:
        parts.append(rollup.format(t="rollup_day") + "bucket >= :d0 AND bucket < :d1")
        parts.append(rollup.format(t="rollup_hour") + "bucket >= :a AND bucket < :d0")
        parts.append(rollup.format(t="rollup_hour") + "bucket >= :d1 AND bucket < :b")
        params.update(d0=d0, d1=d1)
    else:
        parts.append(rollup.format(t="rollup_hour") + "bucket >= :a AND bucket < :b")
    return text(
        "SELECT region, SUM(n), SUM(total), MIN(lo), MAX(hi) FROM (" + " UNION ALL ".join(parts) + ") x GROUP BY region"
    ).bindparams(bindparam("codes", expanding=True)), params


@dataclass(frozen=True, slots=True)
class EventFilter:
    start: datetime
    end: datetime
    statuses: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    region: str | None = None  # a kecamatan code: the kecamatan itself and every desa in it


def events_between(store: Store, source: str, where: EventFilter, limit: int = EVENT_LIMIT) -> list[StoredEvent]:
    """Events of one source in a time range, newest first, filtered as the drill page asks."""
    t = schema.events
    query = select(t).where(t.c.source == source, t.c.time >= where.start, t.c.time < where.end)
    if where.statuses:
        query = query.where(t.c.status.in_(where.statuses))
    if where.categories:
        query = query.where(t.c.category.in_(where.categories))
    if where.region:
        query = query.where((t.c.region == where.region) | t.c.region.like(where.region + ".%"))
    query = query.order_by(t.c.time.desc(), t.c.id.desc()).limit(limit)
    with store.engine.connect() as conn:
        return [_event(r) for r in conn.execute(query)]


def event_facets(store: Store, source: str) -> tuple[list[str], list[str]]:
    """The statuses and categories a source's events use, for the filter lists."""
    t = schema.events
    with store.engine.connect() as conn:
        statuses = [s for (s,) in conn.execute(select(t.c.status).where(t.c.source == source).distinct().limit(50))]
        categories = [
            c for (c,) in conn.execute(select(t.c.category).where(t.c.source == source).distinct().limit(200)) if c
        ]
    return sorted(statuses), sorted(categories)


def event(store: Store, source: str, ref: str) -> StoredEvent | None:
    t = schema.events
    with store.engine.connect() as conn:
        row = conn.execute(select(t).where(t.c.source == source, t.c.ref == ref)).first()
    return _event(row) if row is not None else None


def _event(r: Any) -> StoredEvent:
    return StoredEvent(r.source, r.ref, _aware(r.time), r.category, r.region, r.status, r.title, r.detail,
                       _aware(r.updated))


def source_runs(store: Store, sources: Iterable[str], limit: int = 10) -> dict[str, list[Any]]:
    """Each source's most recent runs, newest first (errors included), for the page's source box."""
    return {s: store.runs(s, limit) for s in sources}
