"""The ``Store``: the one object the rest of wallboard reads and writes the indicator tables through.

Collectors call ``write`` and ``record_run``; the snapshot builder calls the read methods. The
store package is the only place that speaks SQL, and each of its jobs is a module of its own:

* ``writes.py`` -- ``write`` (readings, ``latest``, rollups, versions, events, the file's fingerprint,
  all in one transaction) and ``sync_indicators``;
* ``reads.py`` -- current figures (``latest``, ``latest_at``), ``freshness``, ``indicator_versions``,
  ``events``, and whether anything changed (``data_version``, ``change_hint``);
* ``series.py`` -- trends (``series``, ``drawn_period``);
* ``runs.py`` -- the collector run history (``record_run``, ``runs``, ``source_status``, ``run_counts``);
* ``retention.py`` -- ``maintain`` (old readings and runs) and ``rebuild_rollups``;
* ``base.py`` -- what they share: the engine, period order (``period_days``), the rollup tables.

Why mixins rather than a ``Store`` holding a writer, a reader ...: callers, tests and benchmarks use
the store as one object with one ``engine`` (a test swaps ``store.engine`` for a dead one, another
replaces ``_write_rollups`` on one store to fail a write halfway). Composed parts would each hold
their own engine and methods, and the facade would need some thirty delegating methods to stay the
same object; as mixins each job's methods are written once, in its module, and the facade below is
only the engine and its life cycle.

The names other modules import from here (``period_days``, ``MOMENT``, ``Run`` ...) stay importable
from here.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from wallboard.secrets import expand
from wallboard.store.base import DAY, HOUR, MOMENT, UNKNOWN_LENGTH, _aware, _length_sql, period_days
from wallboard.store.engine import make_engine
from wallboard.store.identity import FileIdentity, HistoryMissing, has_history, sqlite_file
from wallboard.store.migrate import prepare
from wallboard.store.reads import Freshness, Latest, Reader, StoredEvent
from wallboard.store.retention import RUNS_KEPT, Retention
from wallboard.store.runs import DATA_CHANNEL, Run, RunLog, SourceStatus
from wallboard.store.series import SeriesReader
from wallboard.store.writes import COPY_THRESHOLD, KEYS_PER_STATEMENT, ROWS_PER_STATEMENT, Writer

__all__ = [
    "COPY_THRESHOLD", "DATA_CHANNEL", "DAY", "HOUR", "KEYS_PER_STATEMENT", "MOMENT", "ROWS_PER_STATEMENT",
    "RUNS_KEPT", "UNKNOWN_LENGTH", "Freshness", "Latest", "Run", "SourceStatus", "Store", "StoredEvent",
    "_aware", "_length_sql", "period_days",
]


class Store(Writer, Reader, SeriesReader, RunLog, Retention):
    """One database: its engine, opened and migrated here; every query is in the mixin of its job."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._dialect = engine.dialect.name
        database = engine.url.database if self._dialect == "sqlite" else None
        # The SQLite file and its write-ahead log: every commit changes one of them (see change_hint).
        plain_file = database and database != ":memory:" and not database.startswith("file:")
        self._files = (database, database + "-wal") if plain_file else ()
        # The SQLite file's (device, inode): a deleted or replaced database is noticed (identity.py).
        self.identity = FileIdentity(sqlite_file(engine))

    @classmethod
    def open(cls, url: str, base_dir: Path | None = None, expect_history: bool = False) -> Store:
        """``url`` may hold ``${VAR}`` (``postgresql+psycopg://wallboard:${DB_PASSWORD}@db/wallboard``).

        ``expect_history`` (``database.expect_history``): raise ``HistoryMissing`` rather than start
        an empty history, and never create a SQLite file that is not there.
        """
        store = cls(make_engine(expand(url), base_dir))
        path = sqlite_file(store.engine)
        if expect_history and path is not None and not Path(path).exists():
            store.close()
            raise HistoryMissing(f"{path} tidak ada")
        try:
            store.create()
            if expect_history and not has_history(store.engine):
                raise HistoryMissing(f"{path or 'basis data'} kosong (belum ada data maupun riwayat pengumpulan)")
        except BaseException:
            store.close()
            raise
        return store

    def create(self) -> None:
        """Create or upgrade the tables through the migrations (``store/migrate.py``).

        Raises ``SchemaTooNew`` when a newer wallboard has migrated the database.
        """
        prepare(self.engine)
        self.identity = FileIdentity(sqlite_file(self.engine))  # the file exists now

    def close(self) -> None:
        self.engine.dispose()
