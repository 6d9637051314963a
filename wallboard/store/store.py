"""Reading and writing the indicator tables; the only module that speaks SQL.

Collectors call ``write`` and ``record_run``; the snapshot builder calls the read methods. Every
write is one transaction and idempotent: the same (indicator, region, time, period) written twice is
one row, and an event is upserted by (source, ref).

A reading's period length is part of its identity: a quarter and a half year that start on the same
day are two readings. Inside the database a moment's ``period`` is '' (a key column cannot be NULL);
above this module it is ``None`` (``Reading.period``, ``Latest.period``), so '' never leaves here.
Rollups count moments only: a figure per period is drawn as what it is (one point per period, one
length per trend, see ``series``), never added into an hour or a day with other lengths.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, bindparam, func, select, text
from sqlalchemy.dialects import postgresql, sqlite

from wallboard.records import Batch, Event, Fingerprint
from wallboard.secrets import expand
from wallboard.store import schema
from wallboard.store.engine import make_engine
from wallboard.store.migrate import prepare

HOUR = 3600
DAY = 86400
COPY_THRESHOLD = 100  # PostgreSQL batches larger than this go through COPY
ROWS_PER_STATEMENT = 50_000  # readings per executemany on SQLite
KEYS_PER_STATEMENT = 1000  # (indicator, region) pairs per set-based statement on PostgreSQL
DATA_CHANNEL = "wallboard_data"  # PostgreSQL NOTIFY channel: a collector run was recorded
RUNS_KEPT = timedelta(days=30)  # collector run history; the newest run and success per source always stay
MOMENT = ""  # ``readings.period`` of a moment (a reading with no period)
_DURATION = re.compile(r"^P(\d+)([YMWD])$")
_DAYS = {"Y": 366, "M": 31, "W": 7, "D": 1}  # nominal days per unit, only to order lengths
UNKNOWN_LENGTH = 10**9  # a length this module cannot read orders after every known one


def period_days(period: str | None) -> int:
    """A period's nominal length in days (0 for a moment), to order lengths: shortest first.

    Any ISO 8601 duration of one unit (``P1Y``, ``P6M``, ``P3M``, ``P1M``, ``P1W``, ``P10D``) is read,
    so a new length needs nothing here; one that is not (``PT1H``) orders last.
    """
    if not period:
        return 0
    found = _DURATION.match(period)
    return int(found.group(1)) * _DAYS[found.group(2)] if found else UNKNOWN_LENGTH


def _length_sql(dialect: str, column: str = "period") -> str:
    """``period_days`` in SQL, for ORDER BY: the same order on SQLite and PostgreSQL."""
    if dialect == "postgresql":  # substring() with a pattern gives NULL, never a cast error, for other text
        number = f"CAST(substring({column} from '^P([0-9]+)[YMWD]$') AS bigint)"
    else:
        number = f"CAST(SUBSTR({column}, 2, LENGTH({column}) - 2) AS INTEGER)"
    unit = f"SUBSTR({column}, LENGTH({column}), 1)"
    days = " ".join(f"WHEN '{u}' THEN {d}" for u, d in _DAYS.items())
    return (f"(CASE WHEN {column} = '' THEN 0 ELSE COALESCE(NULLIF({number}, 0) * CASE {unit} {days} END, "
            f"{UNKNOWN_LENGTH}) END)")


@dataclass(frozen=True, slots=True)
class Latest:
    region: str
    ts: int
    value: float
    prev_ts: int | None
    prev_value: float | None
    # The current reading's length (P1Y, P6M, P3M, P1M ...) when it is a figure per period. Several
    # lengths starting at the newest time: the shortest is current; ``prev_*`` is of the same length.
    period: str | None = None


@dataclass(frozen=True, slots=True)
class Run:
    source: str
    started: datetime
    finished: datetime
    ok: bool
    rows: int
    rejected: int
    error: str | None
    failures: int = 0  # consecutive failed runs up to and including this one
    retry_at: datetime | None = None  # when the scheduler tries again after this failure
    combined: int = 0  # rows added into another row on the same key (the indicator's aggregate)
    duplicates: int = 0  # rows identical to an earlier row, counted once
    warned: int = 0  # warnings: duplicates, totals that do not add up, events given twice
    notes: str | None = None  # the first warnings, one line, secrets redacted (like error)


@dataclass(frozen=True, slots=True)
class SourceStatus:
    source: str
    last_run: Run | None
    last_success: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    failures: int = 0  # consecutive failed runs now (0 when the last run succeeded)
    next_retry: datetime | None = None  # set while a failed source waits for its retry


@dataclass(frozen=True, slots=True)
class Freshness:
    """How old an indicator's newest figure is; the wall compares ``age`` with ``stale_after``."""

    indicator: str
    ts: int | None  # newest reading over all regions, epoch seconds
    age: float | None  # seconds
    regions: int


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
        database = engine.url.database if self._dialect == "sqlite" else None
        # The SQLite file and its write-ahead log: every commit changes one of them (see change_hint).
        plain_file = database and database != ":memory:" and not database.startswith("file:")
        self._files = (database, database + "-wal") if plain_file else ()

    @classmethod
    def open(cls, url: str, base_dir: Path | None = None) -> Store:
        """``url`` may hold ``${VAR}`` (``postgresql+psycopg://wallboard:${DB_PASSWORD}@db/wallboard``)."""
        store = cls(make_engine(expand(url), base_dir))
        store.create()
        return store

    def create(self) -> None:
        """Create or upgrade the tables through the migrations (``store/migrate.py``).

        Raises ``SchemaTooNew`` when a newer wallboard has migrated the database.
        """
        prepare(self.engine)

    def rebuild_rollups(self, conn: Any | None = None) -> None:
        """Recompute every rollup from the readings still stored (rollups of older, removed readings stay)."""
        if conn is None:
            with self.engine.begin() as own:
                return self.rebuild_rollups(own)
        for table, size, below, ts, n, total, lo, hi in _ROLLUPS:
            moments = "period = ''" if below == "readings" else "true"  # rollups count moments only
            conn.exec_driver_sql(
                f"INSERT INTO {table} (indicator, region, bucket, n, total, lo, hi) "
                f"SELECT indicator, region, ({ts} / {size}) * {size}, {n}, {total}, {lo}, {hi} FROM {below} "
                f"WHERE {moments} GROUP BY indicator, region, ({ts} / {size}) * {size} "
                "ON CONFLICT (indicator, region, bucket) DO UPDATE SET n = excluded.n, total = excluded.total, "
                "lo = excluded.lo, hi = excluded.hi"
            )
        return None

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
        """Write a batch in one transaction (readings, latest, rollups, events); returns rows written.

        Nothing is half-written: if any statement fails the transaction rolls back and what was
        stored before stays exactly as it was.
        """
        now = now or datetime.now(UTC)
        # Keyed as the table is: a quarter and a half year starting on the same day are two readings.
        unique = _unique(batch.readings)
        with self.engine.begin() as conn:
            if unique:
                self._write_readings(conn, unique)
                self._write_latest(conn, _spans(unique))
                moments = _spans(_moments(unique))
                if moments:  # rollups count moments only
                    self._write_rollups(conn, moments)
                self._bump_versions(conn, _lows(unique))
            if batch.events:
                self._write_events(conn, source, batch.events, now)
            if batch.fingerprint is not None:  # with the data it produced: stored once, or not at all
                self._write_fingerprint(conn, source, batch.fingerprint, now)
        return len(unique) + len({e.ref for e in batch.events})

    def _sql(self, statement: str) -> str:
        """Statements below are written with ``?`` placeholders; psycopg wants ``%s``."""
        return statement.replace("?", "%s") if self._dialect == "postgresql" else statement

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

    def _bump_versions(self, conn: Any, lows: dict[str, int | None]) -> None:
        """One more on each written indicator's counter, with the oldest reading time this write
        touched (``indicator_versions``), in the write's own transaction: a reader sees the
        readings and the new count together."""
        conn.exec_driver_sql(
            self._sql("INSERT INTO indicator_versions (indicator, version, low) VALUES (?, 1, ?) "
                      "ON CONFLICT (indicator) DO UPDATE SET version = indicator_versions.version + 1, "
                      "low = excluded.low"),
            [(i, lows[i]) for i in sorted(lows)],  # sorted: concurrent writers lock rows in one order
        )

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

    def _write_rollups(self, conn: Any, keys: dict[tuple[str, str], tuple[int, int]]) -> None:
        """Recount the hours and days the batch touched, per (indicator, region), from the rows below them.

        Only moments are counted: a figure per period is not a sample of its hour or day.
        """
        for table, size, below, ts, n, total, lo, hi in _ROLLUPS:
            spans = [(i, r, a // size * size, b // size * size + size) for (i, r), (a, b) in keys.items()]
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

    def record_run(self, run: Run) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                schema.collector_runs.insert().values(
                    source=run.source, started=run.started, finished=run.finished, ok=run.ok,
                    rows=run.rows, rejected=run.rejected, error=run.error, failures=run.failures,
                    retry_at=run.retry_at, combined=run.combined, duplicates=run.duplicates,
                    warned=run.warned, notes=run.notes,
                )
            )
            if self._dialect == "postgresql":  # every web process's hub wakes now (store/changes.py)
                conn.execute(text("SELECT pg_notify(:channel, :source)"),
                             {"channel": DATA_CHANNEL, "source": run.source})

    # reading

    @property
    def files(self) -> tuple[str, ...]:
        """The SQLite file and its write-ahead log, () on other databases: what a commit changes."""
        return tuple(self._files)

    def change_hint(self) -> tuple[tuple[int, int, int], ...] | None:
        """Size, modification time and inode of the SQLite file and its WAL, None on other databases.

        Any commit, by any process, changes one of them; asking the file system costs microseconds
        where ``data_version`` costs a query, so the hub asks this whenever it wakes (told by the
        file watch, or twice a second where it polls) and the database only when it moved (and
        every few seconds regardless: a hint is not a guarantee, two commits
        within one clock tick that leave the log's size alone would look alike).
        """
        if not self._files:
            return None
        out = []
        for path in self._files:
            try:
                st = os.stat(path)
            except OSError:
                out.append((0, 0, 0))
            else:
                out.append((st.st_size, st.st_mtime_ns, st.st_ino))
        return tuple(out)

    def data_version(self) -> int:
        """Grows with every recorded collector run and every alert change (opened, acknowledged ...):
        a cheap question the wall asks every second. Both ids only grow, so their sum does too."""
        runs = select(func.coalesce(func.max(schema.collector_runs.c.id), 0)).scalar_subquery()
        alerts = select(func.coalesce(func.max(schema.alert_events.c.id), 0)).scalar_subquery()
        with self.engine.connect() as conn:
            return int(conn.execute(select(runs + alerts)).scalar() or 0)

    def indicator_versions(self, indicator_ids: Iterable[str]) -> dict[str, tuple[int, int | None]]:
        """Each indicator's write counter and the oldest reading time its last write touched
        ((0, None) if never written): equal counts, same readings."""
        ids = list(indicator_ids)
        t = schema.indicator_versions
        out: dict[str, tuple[int, int | None]] = dict.fromkeys(ids, (0, None))
        if ids:
            with self.engine.connect() as conn:
                out.update({row.indicator: (int(row.version), None if row.low is None else int(row.low))
                            for row in conn.execute(select(t).where(t.c.indicator.in_(ids))).all()})
        return out

    def latest(self, indicator_ids: Iterable[str]) -> dict[str, list[Latest]]:
        ids = list(indicator_ids)
        out: dict[str, list[Latest]] = {i: [] for i in ids}
        if not ids:
            return out
        t = schema.latest
        with self.engine.connect() as conn:
            for row in conn.execute(select(t).where(t.c.indicator.in_(ids))):
                out[row.indicator].append(
                    Latest(row.region, row.ts, row.value, row.prev_ts, row.prev_value, row.period)
                )
        return out

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
            inner = self._rollup_query("rollup_day")
        elif bucket % HOUR == 0 and since % HOUR == 0 and whole:
            inner = self._rollup_query("rollup_hour")
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
        bucket_of = "(ts / :bucket) * :bucket"
        where = "WHERE indicator = :indicator AND period = :period AND ts >= :since AND ts <= :until"
        if regions is not None:
            where += " AND region IN :regions"
            params = {**params, "regions": list(regions)}
        sql = text(
            f"SELECT r.b, AVG(r.value) FROM (SELECT {bucket_of} AS b, ts, value FROM readings {where}) r "
            f"JOIN (SELECT {bucket_of} AS b, MAX(ts) AS ts FROM readings {where} GROUP BY {bucket_of}) m "
            "ON r.b = m.b AND r.ts = m.ts GROUP BY r.b ORDER BY r.b"
        )
        if regions is not None:
            sql = sql.bindparams(bindparam("regions", expanding=True))
        with self.engine.connect() as conn:
            recent = [(int(b), float(v)) for b, v in conn.execute(sql, params).all()]
            bucket, since = params["bucket"], params["since"]
            if bucket % HOUR or since % HOUR:
                return recent
            table = "rollup_day" if bucket % DAY == 0 and since % DAY == 0 else "rollup_hour"
            first = recent[0][0] if recent else None
            conditions = (["b < :first"] if first is not None else []) + (
                ["region IN :regions"] if regions is not None else [])
            filters = ("WHERE " + " AND ".join(conditions) + " ") if conditions else ""
            rollup = self._rollup_query(table)
            older = text(f"SELECT b, MAX(v) FROM ({rollup}) per_region {filters}GROUP BY b ORDER BY b")
            if regions is not None:
                older = older.bindparams(bindparam("regions", expanding=True))
            removed = [(int(b), float(v)) for b, v in conn.execute(older, {**params, "first": first}).all()]
        return removed + recent

    @staticmethod
    def _rollup_query(table: str) -> str:
        return (
            "SELECT (bucket / :bucket) * :bucket AS b, region, SUM(total) / SUM(n) AS v FROM " + table +
            " WHERE indicator = :indicator AND bucket >= :since AND bucket < :until"
            " GROUP BY (bucket / :bucket) * :bucket, region"
        )

    def freshness(self, indicator_ids: Iterable[str], now: datetime | None = None) -> dict[str, Freshness]:
        """Each indicator's newest reading time and age, from ``latest`` alone (one grouped query)."""
        ids = list(indicator_ids)
        now_ts = (now or datetime.now(UTC)).timestamp()
        out = {i: Freshness(i, None, None, 0) for i in ids}
        if not ids:
            return out
        t = schema.latest
        query = select(t.c.indicator, func.max(t.c.ts), func.count()).where(t.c.indicator.in_(ids))
        with self.engine.connect() as conn:
            for indicator, ts, regions in conn.execute(query.group_by(t.c.indicator)):
                out[indicator] = Freshness(indicator, int(ts), max(0.0, now_ts - ts), int(regions))
        return out

    # maintenance

    def maintain(self, retention: timedelta, now: datetime | None = None) -> dict[str, int]:
        """Remove readings older than ``retention`` (rollups stay) and old collector runs.

        The cut falls on a UTC day boundary so no hour rollup is ever recounted from a partly
        removed hour. Deletes go per (indicator, region) along the primary key, in short
        transactions, so collectors keep writing meanwhile.
        """
        now = now or datetime.now(UTC)
        cutoff = int((now - retention).timestamp()) // DAY * DAY
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
                if result.rowcount:  # the old part of their trends now comes from the rollups
                    self._bump_versions(conn, dict.fromkeys((i for i, _ in pairs[start:start + 50]), None))
        t = schema.collector_runs
        keep_last = select(func.max(t.c.id)).group_by(t.c.source)
        keep_ok = select(func.max(t.c.id)).where(t.c.ok.is_(True)).group_by(t.c.source)
        with self.engine.begin() as conn:
            runs = conn.execute(
                t.delete().where(t.c.finished < now - RUNS_KEPT, t.c.id.not_in(keep_last), t.c.id.not_in(keep_ok))
            ).rowcount
        return {"readings": removed, "runs": max(runs, 0), "cutoff": cutoff}

    def runs(self, source: str | None = None, limit: int = 50) -> list[Run]:
        t = schema.collector_runs
        query = select(t).order_by(t.c.id.desc()).limit(limit)
        if source is not None:
            query = query.where(t.c.source == source)
        with self.engine.connect() as conn:
            return [_run(r) for r in conn.execute(query)]

    def source_status(self, sources: Iterable[str], until: datetime | None = None) -> dict[str, SourceStatus]:
        """Last run, last success and last error of each source: three index seeks per source.

        ``until``: as they stood then (replay), from the run history still kept."""
        t = schema.collector_runs
        out: dict[str, SourceStatus] = {}
        upto = t.c.finished <= until if until is not None else t.c.id.is_not(None)
        with self.engine.connect() as conn:
            for source in sources:
                last = conn.execute(
                    select(t).where(t.c.source == source, upto).order_by(t.c.id.desc()).limit(1)
                ).first()
                ok = conn.execute(
                    select(t.c.finished).where(t.c.source == source, t.c.ok.is_(True), upto)
                    .order_by(t.c.id.desc()).limit(1)
                ).scalar()
                err = conn.execute(
                    select(t.c.error, t.c.finished)
                    .where(t.c.source == source, t.c.ok.is_(False), upto)
                    .order_by(t.c.id.desc())
                    .limit(1)
                ).first()
                run = _run(last) if last else None
                failing = run is not None and not run.ok
                out[source] = SourceStatus(
                    source, run, _aware(ok), err.error if err else None, _aware(err.finished) if err else None,
                    failures=run.failures if failing else 0,
                    next_retry=run.retry_at if failing else None,
                )
        return out

    def run_counts(self) -> dict[str, tuple[int, int]]:
        """(runs, failed runs) per source over the run history kept (``RUNS_KEPT``), one grouped query."""
        t = schema.collector_runs
        query = select(t.c.source, t.c.ok, func.count()).group_by(t.c.source, t.c.ok)
        out: dict[str, list[int]] = {}
        with self.engine.connect() as conn:
            for source, ok, n in conn.execute(query):
                counts = out.setdefault(source, [0, 0])
                counts[0] += n
                if not ok:
                    counts[1] += n
        return {source: (runs, failed) for source, (runs, failed) in out.items()}

    def events(self, source: str, limit: int, until: datetime | None = None) -> list[StoredEvent]:
        """The newest events; with ``until``, those that had happened by then (as they stand now)."""
        t = schema.events
        query = select(t).where(t.c.source == source).order_by(t.c.time.desc(), t.c.id.desc()).limit(limit)
        if until is not None:
            query = query.where(t.c.time <= until)
        with self.engine.connect() as conn:
            return [
                StoredEvent(r.source, r.ref, _aware(r.time), r.category, r.region, r.status, r.title, r.detail,
                            _aware(r.updated))
                for r in conn.execute(query)
            ]

    def latest_at(self, indicator_ids: Iterable[str], at: int) -> dict[str, list[Latest]]:
        """What ``latest`` held at epoch second ``at``: each pair's current and previous reading then,
        chosen as ``latest`` chooses them (newest start, then shortest length; previous of the same
        length).

        Replay asks this; a few index seeks per (indicator, region) pair along the readings key.
        """
        ids = list(indicator_ids)
        out: dict[str, list[Latest]] = {i: [] for i in ids}
        if not ids:
            return out
        t = schema.latest
        r = schema.readings
        length = text(_length_sql(self._dialect))
        with self.engine.connect() as conn:
            pairs = conn.execute(select(t.c.indicator, t.c.region).where(t.c.indicator.in_(ids))).all()
            for indicator, region in pairs:
                pair = (r.c.indicator == indicator, r.c.region == region)
                newest = select(func.max(r.c.ts)).where(*pair, r.c.ts <= at).scalar_subquery()
                now = conn.execute(
                    select(r.c.ts, r.c.value, r.c.period).where(*pair, r.c.ts == newest)
                    .order_by(length, r.c.period).limit(1)
                ).first()
                if now is None:
                    continue
                prev = conn.execute(
                    select(r.c.ts, r.c.value).where(*pair, r.c.period == now.period, r.c.ts < now.ts)
                    .order_by(r.c.ts.desc()).limit(1)
                ).first()
                out[indicator].append(Latest(region, now.ts, now.value, prev.ts if prev else None,
                                             prev.value if prev else None, now.period or None))
        return out

    def count_readings(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(schema.readings)).scalar() or 0)


_ROLLUPS = (
    ("rollup_hour", HOUR, "readings", "ts", "COUNT(*)", "SUM(value)", "MIN(value)", "MAX(value)"),
    ("rollup_day", DAY, "rollup_hour", "bucket", "SUM(n)", "SUM(total)", "MIN(lo)", "MAX(hi)"),
)


def _run(row: Any) -> Run:
    return Run(row.source, _aware(row.started), _aware(row.finished), row.ok, row.rows, row.rejected, row.error,
               row.failures or 0, _aware(row.retry_at), row.combined or 0, row.duplicates or 0, row.warned or 0,
               row.notes)


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
