"""Reading and writing the indicator tables; the only module that speaks SQL.

Collectors call ``write`` and ``record_run``; the snapshot builder calls the read methods. Every
write is one transaction and idempotent: the same (indicator, region, time) written twice is one
row, and an event is upserted by (source, ref).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, case, func, select, text
from sqlalchemy.dialects import postgresql, sqlite

from wallboard.sources.base import Batch, Event, Reading
from wallboard.store import schema
from wallboard.store.engine import make_engine


@dataclass(frozen=True, slots=True)
class Latest:
    region: str
    ts: int
    value: float
    prev_ts: int | None
    prev_value: float | None


@dataclass(frozen=True, slots=True)
class Run:
    source: str
    started: datetime
    finished: datetime
    ok: bool
    rows: int
    rejected: int
    error: str | None


@dataclass(frozen=True, slots=True)
class SourceStatus:
    source: str
    last_run: Run | None
    last_success: datetime | None
    last_error: str | None
    last_error_at: datetime | None


@dataclass(frozen=True, slots=True)
class StoredEvent:
    source: str
    ref: str
    time: datetime
    category: str
    region: str | None
    status: str
    title: str
    detail: str
    updated: datetime


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Store:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._dialect = engine.dialect.name

    @classmethod
    def open(cls, url: str, base_dir: Path | None = None) -> Store:
        store = cls(make_engine(url, base_dir))
        store.create()
        return store

    def create(self) -> None:
        schema.metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # writing

    def _insert(self, table: Any) -> Any:
        return (postgresql.insert if self._dialect == "postgresql" else sqlite.insert)(table)

    def sync_indicators(self, indicators: Iterable[Any]) -> None:
        rows = [
            {"id": i.id, "label": i.label.id, "unit": i.unit, "owner": i.owner, "aggregate": i.aggregate}
            for i in indicators
        ]
        if not rows:
            return
        stmt = self._insert(schema.indicators)
        stmt = stmt.on_conflict_do_update(
            index_elements=["id"],
            set_={c: stmt.excluded[c] for c in ("label", "unit", "owner", "aggregate")},
        )
        with self.engine.begin() as conn:
            conn.execute(stmt, rows)

    def write(self, source: str, batch: Batch, now: datetime | None = None) -> int:
        """Write a batch in one transaction; returns the number of rows written."""
        now = now or datetime.now(UTC)
        readings = _dedupe(batch.readings)
        with self.engine.begin() as conn:
            if readings:
                self._write_readings(conn, readings)
                self._write_latest(conn, readings)
            if batch.events:
                self._write_events(conn, source, batch.events, now)
        return len(readings) + len(batch.events)

    def _write_readings(self, conn: Any, readings: Sequence[Reading]) -> None:
        stmt = self._insert(schema.readings)
        stmt = stmt.on_conflict_do_update(
            index_elements=["indicator", "region", "ts"], set_={"value": stmt.excluded.value}
        )
        conn.execute(
            stmt, [{"indicator": r.indicator, "region": r.region, "ts": r.ts, "value": r.value} for r in readings]
        )

    def _write_latest(self, conn: Any, readings: Sequence[Reading]) -> None:
        newest: dict[tuple[str, str], Reading] = {}
        second: dict[tuple[str, str], Reading] = {}
        for r in readings:
            key = (r.indicator, r.region)
            top = newest.get(key)
            if top is None or r.ts > top.ts:
                if top is not None:
                    second[key] = top
                newest[key] = r
            elif r.ts < top.ts and (key not in second or r.ts > second[key].ts):
                second[key] = r
        rows = []
        for key, r in newest.items():
            prev = second.get(key)
            rows.append({
                "indicator": r.indicator, "region": r.region, "ts": r.ts, "value": r.value,
                "prev_ts": prev.ts if prev else None, "prev_value": prev.value if prev else None,
            })
        t = schema.latest
        stmt = self._insert(t)
        new = stmt.excluded
        newer = new.ts > t.c.ts
        # The previous value is whichever of the stored newest and the batch's second is later.
        batch_prev_wins = and_(new.prev_ts.is_not(None), new.prev_ts > t.c.ts)

        stmt = stmt.on_conflict_do_update(
            index_elements=["indicator", "region"],
            set_={
                "prev_ts": case((newer, case((batch_prev_wins, new.prev_ts), else_=t.c.ts)), else_=t.c.prev_ts),
                "prev_value": case(
                    (newer, case((batch_prev_wins, new.prev_value), else_=t.c.value)), else_=t.c.prev_value
                ),
                "value": case((new.ts >= t.c.ts, new.value), else_=t.c.value),
                "ts": case((new.ts >= t.c.ts, new.ts), else_=t.c.ts),
            },
        )
        conn.execute(stmt, rows)

    def _write_events(self, conn: Any, source: str, events: Sequence[Event], now: datetime) -> None:
        unique = {e.ref: e for e in events}
        stmt = self._insert(schema.events)
        stmt = stmt.on_conflict_do_update(
            index_elements=["source", "ref"],
            set_={c: stmt.excluded[c] for c in ("time", "category", "region", "status", "title", "detail", "updated")},
        )
        conn.execute(
            stmt,
            [
                {
                    "source": source, "ref": e.ref, "time": e.time, "category": e.category, "region": e.region,
                    "status": e.status, "title": e.title, "detail": e.detail, "updated": now,
                }
                for e in unique.values()
            ],
        )

    def record_run(self, run: Run) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                schema.collector_runs.insert().values(
                    source=run.source, started=run.started, finished=run.finished, ok=run.ok,
                    rows=run.rows, rejected=run.rejected, error=run.error,
                )
            )

    # reading

    def data_version(self) -> int:
        """Grows with every recorded collector run: a cheap question the wall asks every second."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.max(schema.collector_runs.c.id))).scalar() or 0)

    def latest(self, indicator_ids: Iterable[str]) -> dict[str, list[Latest]]:
        ids = list(indicator_ids)
        out: dict[str, list[Latest]] = {i: [] for i in ids}
        if not ids:
            return out
        t = schema.latest
        with self.engine.connect() as conn:
            for row in conn.execute(select(t).where(t.c.indicator.in_(ids))):
                out[row.indicator].append(Latest(row.region, row.ts, row.value, row.prev_ts, row.prev_value))
        return out

    def series(self, indicator: str, since: int, bucket: int, aggregate: str) -> list[tuple[int, float]]:
        """City-wide series: each region averaged per bucket, then regions combined by ``aggregate``."""
        combine = {"sum": "SUM", "mean": "AVG", "last": "MAX"}[aggregate]
        sql = text(
            f"SELECT b, {combine}(v) FROM ("
            "  SELECT (ts / :bucket) * :bucket AS b, region, AVG(value) AS v FROM readings"
            "  WHERE indicator = :indicator AND ts >= :since GROUP BY (ts / :bucket) * :bucket, region"
            ") per_region GROUP BY b ORDER BY b"
        )
        with self.engine.connect() as conn:
            rows = conn.execute(sql, {"bucket": bucket, "indicator": indicator, "since": since})
            return [(int(b), float(v)) for b, v in rows]

    def runs(self, source: str | None = None, limit: int = 50) -> list[Run]:
        t = schema.collector_runs
        query = select(t).order_by(t.c.id.desc()).limit(limit)
        if source is not None:
            query = query.where(t.c.source == source)
        with self.engine.connect() as conn:
            return [
                Run(r.source, _aware(r.started), _aware(r.finished), r.ok, r.rows, r.rejected, r.error)
                for r in conn.execute(query)
            ]

    def source_status(self, sources: Iterable[str]) -> dict[str, SourceStatus]:
        t = schema.collector_runs
        out: dict[str, SourceStatus] = {}
        with self.engine.connect() as conn:
            for source in sources:
                last = conn.execute(select(t).where(t.c.source == source).order_by(t.c.id.desc()).limit(1)).first()
                ok = conn.execute(
                    select(func.max(t.c.finished)).where(t.c.source == source, t.c.ok.is_(True))
                ).scalar()
                err = conn.execute(
                    select(t.c.error, t.c.finished)
                    .where(t.c.source == source, t.c.ok.is_(False))
                    .order_by(t.c.id.desc())
                    .limit(1)
                ).first()
                run = (
                    Run(last.source, _aware(last.started), _aware(last.finished), last.ok, last.rows,
                        last.rejected, last.error)
                    if last else None
                )
                out[source] = SourceStatus(
                    source, run, _aware(ok), err.error if err else None, _aware(err.finished) if err else None
                )
        return out

    def events(self, source: str, limit: int) -> list[StoredEvent]:
        t = schema.events
        query = select(t).where(t.c.source == source).order_by(t.c.time.desc(), t.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [
                StoredEvent(r.source, r.ref, _aware(r.time), r.category, r.region, r.status, r.title, r.detail,
                            _aware(r.updated))
                for r in conn.execute(query)
            ]

    def count_readings(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(schema.readings)).scalar() or 0)


def _dedupe(readings: Sequence[Reading]) -> list[Reading]:
    """One row per (indicator, region, ts), the last one given winning, as an upsert would."""
    unique: dict[tuple[str, str, int], Reading] = {}
    for r in readings:
        unique[(r.indicator, r.region, r.ts)] = r
    return list(unique.values())
