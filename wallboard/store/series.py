"""Trends: an indicator's city-wide series, from the rollups where buckets allow, else from readings.

A figure per period is drawn as what it is: one point per period at its start, and one length per
trend (``drawn_period``), never added into an hour or a day with other lengths.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from typing import Any

from sqlalchemy import TextClause, bindparam, select, text

from wallboard.store import schema
from wallboard.store.base import DAY, HOUR, MOMENT, StorePart, _length_sql, period_days


class SeriesReader(StorePart):
    """``series`` and ``drawn_period``: what a trend panel draws."""

    def drawn_period(self, indicator: str) -> str | None:
        """The one period length an indicator's trend draws; None when it has no figures per period.

        The length of its current figure, as ``latest`` holds it: of the regions' current figures
        per period, the newest start, then the shortest length (``period_days``), the same rule
        that picks each region's current figure. So a recap with quarters and half years draws its
        quarters, and a trend never joins a quarter to a half year. Without a current figure per
        period (the newest are moments), the newest figure per period in ``readings`` decides.
        """
        t = schema.latest
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.c.ts, t.c.period).where(t.c.indicator == indicator, t.c.period.is_not(None))
            ).all()
            if not rows:
                row = conn.exec_driver_sql(
                    self._sql("SELECT period FROM readings WHERE indicator = ? AND period <> '' "
                              f"ORDER BY ts DESC, {_length_sql(self._dialect)}, period LIMIT 1"),
                    (indicator,),
                ).first()
                return row[0] if row else None
        newest = max(ts for ts, _ in rows)
        return min((p for ts, p in rows if ts == newest), key=lambda p: (period_days(p), p))

    def series(self, indicator: str, since: int, bucket: int, aggregate: str,
               regions: Collection[str] | None = None, periodic: bool = False,
               until: int | None = None, period: str | None = None) -> list[tuple[int, float]]:
        """City-wide series: each region averaged per bucket, then regions combined by ``aggregate``.

        Buckets of whole hours or days are answered from the rollups (a 30-day trend reads 720
        rows per region instead of every reading), which also still hold what retention removed.
        ``regions`` limits the regions combined: an indicator reported per kecamatan and per desa
        counts one level only (the snapshot passes the coarsest), like its current figure.
        ``periodic``: the indicator's figures are per month/quarter/year, stored at each period's
        start; one point per period at that start, never split or shifted into UTC day buckets, and
        of one length only: ``period`` (e.g. ``P3M``), else ``drawn_period``'s. Without
        ``periodic`` only moments are drawn (the rollups count nothing else).
        """
        # ``until`` (replay: the screen as at a past minute) ends the series there; whole buckets only
        # from rollups, so a past hour's bucket is not read beyond that minute.
        params: dict[str, Any] = {"bucket": bucket, "indicator": indicator, "since": since, "until": until or 2**62,
                                  "period": MOMENT}
        if periodic:
            params["period"] = period or self.drawn_period(indicator)
            if params["period"] is None:
                return []
        if aggregate == "last" and not periodic:
            return self._series_last(params, regions)
        # Figures per period: one reading per region and period; "last" of regions at one instant is their mean.
        combine = {"sum": "SUM", "mean": "AVG", "last": "AVG"}[aggregate]
        whole = until is None or until % bucket == 0
        if periodic:
            inner = (
                "SELECT ts AS b, region, AVG(value) AS v FROM readings WHERE indicator = :indicator"
                " AND period = :period AND ts >= :since AND ts <= :until GROUP BY ts, region"
            )
        elif bucket % DAY == 0 and since % DAY == 0 and whole:
            inner = _rollup_query("rollup_day")
        elif bucket % HOUR == 0 and since % HOUR == 0 and whole:
            inner = _rollup_query("rollup_hour")
        else:
            inner = (
                "SELECT (ts / :bucket) * :bucket AS b, region, AVG(value) AS v FROM readings"
                " WHERE indicator = :indicator AND period = :period AND ts >= :since AND ts <= :until"
                " GROUP BY (ts / :bucket) * :bucket, region"
            )
        where = " WHERE region IN :regions" if regions is not None else ""
        sql = text(f"SELECT b, {combine}(v) FROM ({inner}) per_region{where} GROUP BY b ORDER BY b")
        if regions is not None:
            params["regions"] = list(regions)
            sql = sql.bindparams(bindparam("regions", expanding=True))
        with self.engine.connect() as conn:
            return [(int(b), float(v)) for b, v in conn.execute(sql, params).all()]

    def _series_last(self, params: dict[str, Any], regions: Collection[str] | None) -> list[tuple[int, float]]:
        """``aggregate: last``: each bucket's value is its latest reading's value, as the wall's
        current figure is (readings of several regions at that same instant are averaged).

        Rollups keep no order within a bucket, so this reads ``readings``; buckets that retention
        has already removed fall back to the rollups' highest region average, so old trends stay.
        """
        if regions is not None:
            params = {**params, "regions": list(regions)}
        with self.engine.connect() as conn:
            recent = [(int(b), float(v)) for b, v in conn.execute(_last_sql(regions is not None), params).all()]
            bucket, since = params["bucket"], params["since"]
            if bucket % HOUR or since % HOUR:
                return recent
            table = "rollup_day" if bucket % DAY == 0 and since % DAY == 0 else "rollup_hour"
            first = recent[0][0] if recent else None
            if first is not None and first <= since and since % bucket == 0:
                return recent  # no rollup bucket can come before ``since``: nothing older to fill in
            older = _older_sql(table, first is not None, regions is not None)
            removed = [(int(b), float(v)) for b, v in conn.execute(older, {**params, "first": first}).all()]
        return removed + recent


def _rollup_query(table: str) -> str:
    return (
        "SELECT (bucket / :bucket) * :bucket AS b, region, SUM(total) / SUM(n) AS v FROM " + table +
        " WHERE indicator = :indicator AND bucket >= :since AND bucket < :until"
        " GROUP BY (bucket / :bucket) * :bucket, region"
    )


# ``_series_last``'s statements, built once per shape: a trend's new point asks them on every data
# change, and a text statement is parsed for its parameters each time it is made.
@functools.cache
def _last_sql(regions: bool) -> TextClause:
    bucket_of = "(ts / :bucket) * :bucket"
    where = "WHERE indicator = :indicator AND period = :period AND ts >= :since AND ts <= :until"
    if regions:
        where += " AND region IN :regions"
    sql = text(
        f"SELECT r.b, AVG(r.value) FROM (SELECT {bucket_of} AS b, ts, value FROM readings {where}) r "
        f"JOIN (SELECT {bucket_of} AS b, MAX(ts) AS ts FROM readings {where} GROUP BY {bucket_of}) m "
        "ON r.b = m.b AND r.ts = m.ts GROUP BY r.b ORDER BY r.b"
    )
    return sql.bindparams(bindparam("regions", expanding=True)) if regions else sql


@functools.cache
def _older_sql(table: str, first: bool, regions: bool) -> TextClause:
    """Buckets retention removed from ``readings``, from the rollups: their highest region average."""
    conditions = (["b < :first"] if first else []) + (["region IN :regions"] if regions else [])
    filters = ("WHERE " + " AND ".join(conditions) + " ") if conditions else ""
    older = text(f"SELECT b, MAX(v) FROM ({_rollup_query(table)}) per_region {filters}GROUP BY b ORDER BY b")
    return older.bindparams(bindparam("regions", expanding=True)) if regions else older
