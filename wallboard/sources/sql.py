"""A query against a work unit's database (finance, health), run read-only.

Any SQLAlchemy URL works (``${KEUANGAN_DB_URL}`` keeps the password out of config.yaml). The query
runs in a transaction that is read-only where the database can say so (PostgreSQL, MySQL; SQLite
via ``query_only``) and is always rolled back, with ``timeout:`` as a statement time limit. Column
names of the result are the records' keys, so ``select tanggal as time, sum(nilai) as value``
needs no ``columns:`` mapping.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import field_validator
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from wallboard.secrets import expand, has_variables
from wallboard.sources.base import Batch, Deadline, Source, SourceError
from wallboard.sources.mapping import Mapper, RecordsConfig

CHECK_EVERY = 5000  # rows fetched between looks at the run's deadline


class SqlConfig(RecordsConfig):
    type: Literal["sql"]
    url: str
    query: str

    @field_validator("url")
    @classmethod
    def _url_parses(cls, value: str) -> str:
        if not has_variables(value):
            try:
                make_url(value)
            except ArgumentError:
                raise ValueError(f"{value!r} is not a database URL (e.g. postgresql+psycopg://user@host/db)") from None
        return value


class SqlSource(Source):
    Config = SqlConfig
    config: SqlConfig

    def __init__(self, config: SqlConfig, context):
        super().__init__(config, context)
        self.mapper = Mapper(config, context)
        self._engine: Engine | None = None
        self._url: str | None = None

    def engine(self) -> Engine:
        url = expand(self.config.url)
        if self._engine is None or url != self._url:
            if self._engine is not None:
                self._engine.dispose()
            parsed = make_url(url)
            seconds = max(1, int(self.config.timeout.total_seconds()))
            args: dict[str, Any] = {}
            backend = parsed.get_backend_name()
            if backend == "sqlite":
                db = parsed.database
                if db and db != ":memory:" and not Path(db).is_absolute() and self.context.base_dir is not None:
                    parsed = parsed.set(database=str(Path(self.context.base_dir) / db))
                args = {"timeout": seconds}
            elif backend in ("postgresql", "mysql", "mariadb"):
                args = {"connect_timeout": seconds}
            self._engine = create_engine(parsed, connect_args=args, pool_pre_ping=True, pool_size=1, max_overflow=1)
            self._url = url
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def fetch(self, now: datetime) -> Batch:
        engine = self.engine()
        backend = engine.dialect.name
        deadline = Deadline(self.config.timeout)
        ms = max(1, int(deadline.left() * 1000))
        try:
            with engine.connect() as conn:
                raw = conn.connection.dbapi_connection
                if backend == "sqlite":
                    raw.execute("PRAGMA query_only = ON")
                    raw.set_progress_handler(lambda: int(deadline.left() < 0), 10000)
                try:
                    with conn.begin() as tx:
                        if backend == "postgresql":
                            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
                            conn.exec_driver_sql(f"SET LOCAL statement_timeout = {ms}")
                        elif backend in ("mysql", "mariadb"):
                            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
                        # Sent as written: no bind-parameter parsing of ':00' or '%' inside literals.
                        result = conn.execution_options(no_parameters=True).exec_driver_sql(expand(self.config.query))
                        header = list(result.keys())
                        rows = []
                        for row in result:
                            rows.append(dict(zip(header, row, strict=False)))
                            if len(rows) % CHECK_EVERY == 0:
                                deadline.check()
                        tx.rollback()
                finally:
                    if backend == "sqlite":
                        raw.set_progress_handler(None, 0)
                        raw.execute("PRAGMA query_only = OFF")
        except DBAPIError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
            if "interrupted" in reason.lower() or "statement timeout" in reason.lower():
                raise SourceError(f"{deadline.reason()} (kueri dihentikan: {reason})") from None
            raise SourceError(f"kesalahan SQL: {reason}") from None
        except SQLAlchemyError as exc:
            raise SourceError(f"kesalahan SQL: {str(exc).splitlines()[0]}") from None
        self.mapper.check_header(header)
        batch = self.mapper.apply_numbered(enumerate(rows, start=1), now, unit="baris")
        deadline.check()
        return batch
