"""Writing a collector's batch: readings, ``latest``, rollups, versions, events and the file's fingerprint.

Every write is one transaction and idempotent: the same (indicator, region, time, period) written twice
is one row, and an event is upserted by (source, ref). Rollups count moments only: a figure per period is
drawn as what it is (one point per period, one length per trend, see ``series.py``), never added into an
hour or a day with other lengths.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from wallboard.records import Batch, Event, Fingerprint, Forecast
from wallboard.store import daysums, schema
from wallboard.store.base import DAY, HOUR, MOMENT, ROLLUPS, StorePart, _length_sql, placeholders
from wallboard.store.federation import log_changes, save_peer_incidents

COPY_THRESHOLD = 100  # PostgreSQL batches larger than this go through COPY
ROWS_PER_STATEMENT = 50_000  # readings per executemany on SQLite
FORECASTS_KEPT = timedelta(days=7)  # steps this far in the past are dropped when a source writes
KEYS_PER_STATEMENT = 1000  # (indicator, region) pairs per set-based statement on PostgreSQL


class Writer(StorePart):
    """``Store.write`` and what it writes with; ``sync_indicators``; the stored file fingerprints."""

    # The indicators other wallboards may read (api_tokens, federation.push): their writes are also
    # logged for peers (store/federation.py). Set by the process from its config; empty: none.
    shared: frozenset[str] = frozenset()

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
        """Write a batch in one transaction (readings, latest, rollups, events); returns rows written.

        Nothing is half-written: if any statement fails the transaction rolls back and what was
        stored before stays exactly as it was.
        """
        self.identity.require_writable()  # never into a deleted file's inode (store/identity.py)
        now = now or datetime.now(UTC)
        # Keyed as the table is: a quarter and a half year starting on the same day are two readings.
        unique = _unique(batch.readings)
        with self.engine.begin() as conn:
            if unique:
                rows = _moments(unique)
                moments = _spans(rows)
                alone = self._alone(conn, rows, moments)  # asked before the readings are written
                self._write_readings(conn, unique)
                # Asked before the hours are written, and after the first write: inside the write's
                # transaction (SQLite begins it at the first INSERT), so no other writer comes between.
                fresh = self._fresh_days(conn, rows, moments, alone)
                self._write_latest(conn, _spans(unique))
                if moments:  # rollups count moments only
                    self._write_rollups(conn, moments, alone, fresh)
                    if fresh:
                        self._write_days(conn, rows, fresh)
                bump_versions(conn, self._dialect, _lows(unique))
                log_changes(conn, self._dialect, unique, self.shared)  # shared indicators only
            if batch.events:
                self._write_events(conn, source, batch.events, now)
            if batch.forecasts:
                self._write_forecasts(conn, source, batch.forecasts, now)
            if batch.peer_incidents is not None:
                save_peer_incidents(conn, source, batch.peer_incidents, now)
            if batch.fingerprint is not None:  # with the data it produced: stored once, or not at all
                self._write_fingerprint(conn, source, batch.fingerprint, now)
        return len(unique) + len({e.ref for e in batch.events}) + len({(f.region, f.valid) for f in batch.forecasts})

    def _write_readings(self, conn: Any, unique: dict[tuple[str, str, int, str], float]) -> None:
        upsert = (
            "INSERT INTO readings (indicator, region, ts, value, period) {source} "
            "ON CONFLICT (indicator, region, ts, period) DO UPDATE SET value = excluded.value"
        )
        if self._dialect == "postgresql" and len(unique) > COPY_THRESHOLD:
            # COPY into a scratch table, then one set-based upsert: an order of magnitude faster
            # than row-by-row inserts on PostgreSQL.
            conn.exec_driver_sql(
                "CREATE TEMP TABLE IF NOT EXISTS incoming_readings "
                "(indicator text, region text, ts bigint, value double precision, period text) ON COMMIT DELETE ROWS"
            )
            # A session that created the scratch table before periods existed lacks the column.
            conn.exec_driver_sql("ALTER TABLE incoming_readings ADD COLUMN IF NOT EXISTS period text")
            cursor = conn.connection.dbapi_connection.cursor()
            with cursor.copy("COPY incoming_readings (indicator, region, ts, value, period) FROM STDIN") as copy:
                for (indicator, region, ts, period), value in unique.items():
                    copy.write_row((indicator, region, ts, value, period))
            conn.exec_driver_sql(
                upsert.format(source="SELECT indicator, region, ts, value, period FROM incoming_readings")
            )
            return
        # In slices: a big file's rows as one list of tuples would cost more memory than the file.
        if hasattr(unique, "rows"):  # a big file's columns hand out ready-made slices
            chunks = unique.rows(ROWS_PER_STATEMENT)
        else:
            chunks = _chunks_of(((i, r, t, v, p) for (i, r, t, p), v in unique.items()), ROWS_PER_STATEMENT)
        for chunk in chunks:
            conn.exec_driver_sql(self._sql(upsert.format(source="VALUES (?, ?, ?, ?, ?)")), chunk)

    def _write_fingerprint(self, conn: Any, source: str, fingerprint: Fingerprint, now: datetime) -> None:
        stmt = self._insert(schema.source_files)
        row = {"source": source, "path": fingerprint.path, "size": fingerprint.size,
               "mtime_ns": fingerprint.mtime_ns, "digest": fingerprint.digest, "stored": now}
        conn.execute(stmt.on_conflict_do_update(
            index_elements=["source"], set_={c: stmt.excluded[c] for c in row if c != "source"}), row)

    def fingerprint(self, source: str) -> Fingerprint | None:
        """What the file source ``source`` last stored (``Batch.fingerprint``), None if nothing yet."""
        t = schema.source_files
        with self.engine.connect() as conn:
            row = conn.execute(select(t).where(t.c.source == source)).first()
        return Fingerprint(int(row.size), int(row.mtime_ns), row.digest, row.path) if row else None

    def _write_latest(self, conn: Any, keys: dict[tuple[str, str], tuple[int, int]]) -> None:
        """The current and previous reading of each (indicator, region) the batch touched, read back
        from readings.

        Asking ``readings`` (index seeks per pair) keeps ``latest`` right whatever order readings
        arrive in: late, older rows never replace the current value. Current: the newest start, and
        of several lengths starting then (TW III and Semester 2 both start on 1 July) the shortest,
        a moment before any period (``period_days``). Previous: the reading
        before it of the same length, so the change the wall shows compares a quarter with the
        quarter before, never with a half year.
        """
        upsert = (
            " ON CONFLICT (indicator, region) DO UPDATE SET ts = excluded.ts, value = excluded.value, "
            "prev_ts = excluded.prev_ts, prev_value = excluded.prev_value, period = excluded.period"
        )
        head = "INSERT INTO latest (indicator, region, ts, value, prev_ts, prev_value, period) "
        length = _length_sql(self._dialect)
        if self._dialect == "postgresql":
            # One statement per thousand pairs: each round trip to the server costs more than the work.
            for chunk in _chunks(list(keys), KEYS_PER_STATEMENT):
                conn.exec_driver_sql(
                    head + "SELECT k.i, k.r, a.ts, a.value, b.ts, b.value, NULLIF(a.period, '') FROM (VALUES "
                    + ", ".join(["(%s, %s)"] * len(chunk)) + ") AS k(i, r) "
                    "CROSS JOIN LATERAL (SELECT ts, value, period FROM readings WHERE indicator = k.i AND region = k.r "
                    "AND ts = (SELECT MAX(ts) FROM readings WHERE indicator = k.i AND region = k.r) "
                    f"ORDER BY {length}, period LIMIT 1) a "
                    "LEFT JOIN LATERAL (SELECT ts, value FROM readings WHERE indicator = k.i AND region = k.r "
                    "AND period = a.period AND ts < a.ts ORDER BY ts DESC LIMIT 1) b ON true" + upsert,
                    tuple(x for key in chunk for x in key),
                )
            return
        conn.exec_driver_sql(
            head + "SELECT a.indicator, a.region, a.ts, a.value, b.ts, b.value, NULLIF(a.period, '') FROM "
            "(SELECT indicator, region, ts, value, period FROM readings WHERE indicator = ? AND region = ? "
            "AND ts = (SELECT MAX(ts) FROM readings WHERE indicator = ? AND region = ?) "
            f"ORDER BY {length}, period LIMIT 1) a "
            "LEFT JOIN readings b ON b.indicator = a.indicator AND b.region = a.region AND b.period = a.period "
            "AND b.ts = (SELECT c.ts FROM readings c WHERE c.indicator = a.indicator AND c.region = a.region "
            "AND c.period = a.period AND c.ts < a.ts ORDER BY c.ts DESC LIMIT 1) WHERE true" + upsert,
            [(i, r, i, r) for (i, r) in keys],
        )

    def _alone(self, conn: Any, moments: Any, spans: dict[tuple[str, str], tuple[int, int]]) -> set[tuple[str, str]]:
        """SQLite, a big file's columns: the pairs whose hours will each hold one moment, this batch's
        (none of its rows shares an hour, and the store held no moment in the hours it spans).
        Their hour rollup is that reading itself, copied without SQLite's GROUP BY sorter, which
        took more than half of a 3.8 M-row hourly file's rollup time. Any other pair is recounted."""
        if self._dialect != "sqlite" or not hasattr(moments, "alone_in_buckets") or not spans:
            return set()
        alone = moments.alone_in_buckets(HOUR)
        ask = placeholders(self._dialect, "SELECT 1 FROM readings WHERE indicator = ? AND region = ? AND ts >= ? "
                                          "AND ts < ? AND period = '' LIMIT 1")
        return {(i, r) for (i, r) in alone if conn.exec_driver_sql(
            ask, (i, r, spans[(i, r)][0] // HOUR * HOUR, spans[(i, r)][1] // HOUR * HOUR + HOUR)).first() is None}

    def _fresh_days(self, conn: Any, moments: Any, spans: dict[tuple[str, str], tuple[int, int]],
                    alone: set[tuple[str, str]]) -> set[tuple[str, str]]:
        """Of the ``alone`` pairs, those whose days the batch spans held no hour rollup before: their
        day rollups are the batch's own rows of each day, summed here as SQLite would
        (``daysums.py``) instead of read back from 3.8 M hour rows. Empty when SQLite's summing
        rule is not one ``daysums`` knows, or the rows are ones it does not sum."""
        if not alone or daysums.rule(conn) is None:
            return set()
        ask = "SELECT 1 FROM rollup_hour WHERE indicator = ? AND region = ? AND bucket >= ? AND bucket < ? LIMIT 1"
        fresh = {(i, r) for (i, r) in alone if conn.exec_driver_sql(
            ask, (i, r, spans[(i, r)][0] // DAY * DAY, spans[(i, r)][1] // DAY * DAY + DAY)).first() is None}
        if fresh and not daysums.fits(*moments.of_pairs(set())[2:4]):  # all rows: no copy, stricter
            return set()
        return fresh

    def _write_days(self, conn: Any, moments: Any, fresh: set[tuple[str, str]]) -> None:
        """The day rollups of the ``fresh`` pairs (``_fresh_days``), from the batch's columns."""
        summed = daysums.rule(conn)
        assert summed is not None  # _fresh_days found one
        for chunk in daysums.day_rows(*moments.of_pairs(fresh), summed):
            conn.exec_driver_sql(
                "INSERT INTO rollup_day (indicator, region, bucket, n, total, lo, hi) VALUES (?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (indicator, region, bucket) DO UPDATE SET n = excluded.n, total = excluded.total, "
                "lo = excluded.lo, hi = excluded.hi", chunk)

    def _write_rollups(self, conn: Any, keys: dict[tuple[str, str], tuple[int, int]],
                       alone: set[tuple[str, str]] = frozenset(),  # type: ignore[assignment]
                       fresh: set[tuple[str, str]] = frozenset()) -> None:  # type: ignore[assignment]
        """Recount the hours and days the batch touched, per (indicator, region), from the rows below them.

        Only moments are counted: a figure per period is not a sample of its hour or day. The hours
        of pairs in ``alone`` (``_alone``) each hold one moment: the rollup is that reading
        (n 1, total, lo and hi its value, what COUNT, SUM, MIN and MAX of one row give). The days
        of pairs in ``fresh`` are written by ``_write_days`` instead of recounted here.
        """
        if alone:
            conn.exec_driver_sql(
                f"INSERT INTO rollup_hour (indicator, region, bucket, n, total, lo, hi) SELECT x.indicator, "
                f"x.region, (x.ts / {HOUR}) * {HOUR}, 1, x.value, x.value, x.value FROM readings x "
                "WHERE x.indicator = ? AND x.region = ? AND x.ts >= ? AND x.ts < ? AND x.period = '' "
                "ON CONFLICT (indicator, region, bucket) DO UPDATE SET n = excluded.n, total = excluded.total, "
                "lo = excluded.lo, hi = excluded.hi",
                [(i, r, a // HOUR * HOUR, b // HOUR * HOUR + HOUR)
                 for (i, r), (a, b) in keys.items() if (i, r) in alone],
            )
        for table, size, below, ts, n, total, lo, hi in ROLLUPS:
            skip = alone if below == "readings" else fresh  # copied hours; days summed from the batch
            spans = [(i, r, a // size * size, b // size * size + size) for (i, r), (a, b) in keys.items()
                     if (i, r) not in skip]
            if not spans:
                continue
            moments = " AND x.period = ''" if below == "readings" else ""
            head = f"INSERT INTO {table} (indicator, region, bucket, n, total, lo, hi) "
            tail = (
                f"GROUP BY x.indicator, x.region, (x.{ts} / {size}) * {size} "
                "ON CONFLICT (indicator, region, bucket) DO UPDATE SET n = excluded.n, total = excluded.total, "
                "lo = excluded.lo, hi = excluded.hi"
            )
            select = (
                f"SELECT x.indicator, x.region, (x.{ts} / {size}) * {size}, "
                + ", ".join(f.replace("(", "(x.").replace("(x.*)", "(*)") for f in (n, total, lo, hi))
            )
            if self._dialect == "postgresql":
                # LATERAL: one index range scan per pair whatever the planner thinks of the tables' size
                # (a join here turned into a sequential scan once the statement was prepared).
                aggregates = ", ".join(
                    f"{f.replace('(', '(x.').replace('(x.*)', '(*)')} AS {name}"
                    for f, name in ((n, "n"), (total, "total"), (lo, "lo"), (hi, "hi"))
                )
                for chunk in _chunks(spans, KEYS_PER_STATEMENT):
                    conn.exec_driver_sql(
                        head + "SELECT k.i, k.r, a.b, a.n, a.total, a.lo, a.hi FROM (VALUES "
                        + ", ".join(["(%s, %s, %s::bigint, %s::bigint)"] * len(chunk)) + ") AS k(i, r, t0, t1) "
                        f"CROSS JOIN LATERAL (SELECT (x.{ts} / {size}) * {size} AS b, {aggregates} FROM {below} x "
                        f"WHERE x.indicator = k.i AND x.region = k.r AND x.{ts} >= k.t0 AND x.{ts} < k.t1{moments} "
                        f"GROUP BY (x.{ts} / {size}) * {size}) a "
                        "ON CONFLICT (indicator, region, bucket) DO UPDATE SET n = excluded.n, "
                        "total = excluded.total, lo = excluded.lo, hi = excluded.hi",
                        tuple(v for span in chunk for v in span),
                    )
                continue
            conn.exec_driver_sql(
                head + select + f" FROM {below} x WHERE x.indicator = ? AND x.region = ? AND x.{ts} >= ? "
                f"AND x.{ts} < ?{moments} " + tail,
                spans,
            )

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

    def _write_forecasts(self, conn: Any, source: str, forecasts: Sequence[Forecast], now: datetime) -> None:
        """Each step replaces the one stored for its kecamatan and moment (a newer issue wins); steps
        more than FORECASTS_KEPT in the past are dropped, so the table holds about a week."""
        unique = {(f.region, f.valid): f for f in forecasts}
        stmt = self._insert(schema.forecasts)
        columns = ("issued", "place", "temperature", "humidity", "rain", "wind_speed", "wind_dir", "weather", "text",
                   "text_en", "updated")
        stmt = stmt.on_conflict_do_update(index_elements=["source", "region", "valid"],
                                          set_={c: stmt.excluded[c] for c in columns})
        conn.execute(stmt, [
            {"source": source, "region": f.region, "valid": f.valid, "issued": f.issued, "place": f.place,
             "temperature": f.temperature, "humidity": f.humidity, "rain": f.rain, "wind_speed": f.wind_speed,
             "wind_dir": f.wind_dir[:8], "weather": f.weather, "text": f.text[:120], "text_en": f.text_en[:120],
             "updated": now}
            for f in unique.values()
        ])
        t = schema.forecasts
        conn.execute(t.delete().where(t.c.source == source, t.c.valid < now - FORECASTS_KEPT))


def bump_versions(conn: Any, dialect: str, lows: dict[str, int | None]) -> None:
    """One more on each written indicator's counter, with the oldest reading time the write touched
    (``indicator_versions``), in the write's own transaction: a reader sees the readings and the new
    count together. Retention calls it too (removed readings move the counter; ``low`` None)."""
    conn.exec_driver_sql(
        placeholders(dialect, "INSERT INTO indicator_versions (indicator, version, low) VALUES (?, 1, ?) "
                              "ON CONFLICT (indicator) DO UPDATE SET version = indicator_versions.version + 1, "
                              "low = excluded.low"),
        [(i, lows[i]) for i in sorted(lows)],  # sorted: concurrent writers lock rows in one order
    )


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _unique(readings: Any) -> Any:
    """One row per key, the batch's last winning: a dict, or for a big file's columns their own view."""
    if hasattr(readings, "unique"):  # wallboard.columns.ReadingColumns
        return readings.unique(moment=MOMENT)
    return {(r.indicator, r.region, r.ts, r.period or MOMENT): r.value for r in readings}


def _moments(unique: Any) -> Any:
    """The keys of moments only (rollups count moments only)."""
    if hasattr(unique, "moments"):
        return unique.moments()
    return {k: v for k, v in unique.items() if k[3] == MOMENT}


def _lows(unique: Any) -> dict[str, int]:
    """The oldest reading time written per indicator (``indicator_versions.low``)."""
    if hasattr(unique, "lows"):
        return unique.lows()
    lows: dict[str, int] = {}
    for indicator, _, ts, _ in unique:
        lows[indicator] = min(ts, lows.get(indicator, ts))
    return lows


def _chunks_of(items: Iterable[Any], size: int) -> Iterable[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _spans(unique: dict[tuple[str, str, int, str], Any]) -> dict[tuple[str, str], tuple[int, int]]:
    """The oldest and newest time written for each (indicator, region): what rollups must recount."""
    if hasattr(unique, "spans"):
        return unique.spans()
    spans: dict[tuple[str, str], list[int]] = {}
    for indicator, region, ts, _ in unique:
        span = spans.get((indicator, region))
        if span is None:
            spans[(indicator, region)] = [ts, ts]
        elif ts < span[0]:
            span[0] = ts
        elif ts > span[1]:
            span[1] = ts
    # Sorted, so concurrent writers lock rows of latest and rollups in the same order (no deadlocks).
    return {k: (span[0], span[1]) for k, span in sorted(spans.items())}
