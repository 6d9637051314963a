"""Engines for any SQLAlchemy URL, with SQLite set up for a reader (the wall) beside a writer."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url


def make_engine(url: str, base_dir: Path | None = None) -> Engine:
    """SQLite files are placed relative to the config file's folder and opened in WAL mode."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            path = Path(database)
            if not path.is_absolute() and base_dir is not None:
                path = base_dir / path
            path.parent.mkdir(parents=True, exist_ok=True)
            parsed = parsed.set(database=str(path))
        engine = create_engine(parsed, connect_args={"timeout": 30, "check_same_thread": False})
        opened: list[bool] = []

        @event.listens_for(engine, "do_connect")
        def _never_a_new_file(_dialect, _record, cargs, cparams):  # noqa: ANN001
            # Once the file was opened, a later connection opens it read-write but never creates it:
            # after `rm data/wallboard.db*` a new pooled connection would otherwise make an empty
            # database in its place, and the wall would read (and the history start) from nothing
            # (store/identity.py says the file is gone).
            if not cargs or not isinstance(cargs[0], str) or cargs[0].startswith("file:"):
                return
            if opened:
                cargs[0] = Path(cargs[0]).absolute().as_uri() + "?mode=rw"
                cparams["uri"] = True

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # noqa: ANN001
            opened[:] = [True]  # a connection succeeded: the file exists from now on (_never_a_new_file)
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA cache_size=-32768")  # 32 MiB per connection: hot b-tree pages stay
            cursor.close()

        return engine
    return create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=10)
