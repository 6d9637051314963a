"""Keeping the store's size in check: old readings (and their federation change log) and collector
runs removed; rollups rebuilt.

Rollups stay when readings go, so long trends outlive the readings they were counted from.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from wallboard.store import schema
from wallboard.store.base import DAY, MOMENT, ROLLUPS, StorePart
from wallboard.store.writes import bump_versions

RUNS_KEPT = timedelta(days=30)  # collector run history; the newest run and success per source always stay


class Retention(StorePart):
    """``maintain`` (the collector's daily clean-up) and ``rebuild_rollups``."""

    def maintain(self, retention: timedelta, now: datetime | None = None) -> dict[str, int]:
        """Remove readings older than ``retention`` (rollups stay) and old collector runs.

        The cut falls on a UTC day boundary so no hour rollup is ever recounted from a partly
        removed hour. Deletes go per (indicator, region) along the primary key, in short
        transactions, so collectors keep writing meanwhile.
        """
        now = now or datetime.now(UTC)
        cutoff = int((now - retention).timestamp()) // DAY * DAY
        removed = self._prune_readings(cutoff)
        return {"readings": removed, "runs": self._prune_runs(now), "cutoff": cutoff}

    def _prune_readings(self, cutoff: int) -> int:
        """Delete moments older than ``cutoff``, 50 pairs per transaction; returns the readings removed."""
        removed = 0
        with self.engine.connect() as conn:
            pairs = [tuple(row) for row in conn.execute(select(schema.latest.c.indicator, schema.latest.c.region))]
        for start in range(0, len(pairs), 50):
            with self.engine.begin() as conn:
                result = conn.exec_driver_sql(
                    # Figures per period stay: a handful per region and year, and long trends need them.
                    self._sql(f"DELETE FROM readings WHERE indicator = ? AND region = ? AND ts < ? "
                              f"AND period = '{MOMENT}'"),
                    [(i, r, cutoff) for i, r in pairs[start:start + 50]],
                )
                removed += max(result.rowcount, 0)
                # Their entries in the peers' change log go with them: a peer must not be handed
                # readings this wall no longer has, and the log must not outgrow the readings.
                conn.exec_driver_sql(
                    self._sql(f"DELETE FROM federation_changes WHERE indicator = ? AND region = ? AND ts < ? "
                              f"AND period = '{MOMENT}'"),
                    [(i, r, cutoff) for i, r in pairs[start:start + 50]],
                )
                if result.rowcount:  # the old part of their trends now comes from the rollups
                    bump_versions(conn, self._dialect, dict.fromkeys((i for i, _ in pairs[start:start + 50]), None))
        return removed

    def _prune_runs(self, now: datetime) -> int:
        """Delete runs older than ``RUNS_KEPT``, except each source's newest run and newest success."""
        t = schema.collector_runs
        keep_last = select(func.max(t.c.id)).group_by(t.c.source)
        keep_ok = select(func.max(t.c.id)).where(t.c.ok.is_(True)).group_by(t.c.source)
        with self.engine.begin() as conn:
            runs = conn.execute(
                t.delete().where(t.c.finished < now - RUNS_KEPT, t.c.id.not_in(keep_last), t.c.id.not_in(keep_ok))
            ).rowcount
        return max(runs, 0)

    def rebuild_rollups(self, conn: Any | None = None) -> None:
        """Recompute every rollup from the readings still stored (rollups of older, removed readings stay)."""
        if conn is None:
            with self.engine.begin() as own:
                return self.rebuild_rollups(own)
        for table, size, below, ts, n, total, lo, hi in ROLLUPS:
            moments = "period = ''" if below == "readings" else "true"  # rollups count moments only
            conn.exec_driver_sql(
                f"INSERT INTO {table} (indicator, region, bucket, n, total, lo, hi) "
                f"SELECT indicator, region, ({ts} / {size}) * {size}, {n}, {total}, {lo}, {hi} FROM {below} "
                f"WHERE {moments} GROUP BY indicator, region, ({ts} / {size}) * {size} "
                "ON CONFLICT (indicator, region, bucket) DO UPDATE SET n = excluded.n, total = excluded.total, "
                "lo = excluded.lo, hi = excluded.hi"
            )
        return None
