"""Only one process collects into a database at a time, whatever is started.

`wallboard run` and `wallboard collect` may both be started on one database, or several web
processes on several machines; collecting twice would double work and race on the same rows. The
database itself coordinates, with no home-made protocol:

- PostgreSQL: a session advisory lock held on a connection of its own. It goes with the holder's
  connection, so when that process dies (even by kill -9) PostgreSQL releases it and a waiting
  process takes over at its next try.
- SQLite: an exclusive ``flock`` on a file beside the database, released by the kernel when the
  holder exits, however it exits.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import socket
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)
LOCK_KEY = int.from_bytes(hashlib.sha256(b"wallboard collector").digest()[:8], "big", signed=True)


def who() -> str:
    return f"{socket.gethostname()} pid {os.getpid()}"


class CollectorLease:
    """Try to become the collecting process; ``held()`` says whether it still is."""

    # Whether a lease once held can go away while this process lives. Only then must a leader keep
    # checking ``held()``; each periodic check is a timer wake-up, costly on an idle server.
    can_be_lost: bool = False

    def acquire(self) -> bool:
        raise NotImplementedError

    def held(self) -> bool:
        raise NotImplementedError

    def holder(self) -> str:
        """Who collects now, for the line a waiting process prints."""
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError

    @staticmethod
    def for_engine(engine: Engine) -> CollectorLease:
        if engine.dialect.name == "postgresql":
            return AdvisoryLease(engine)
        database = engine.url.database
        if engine.dialect.name == "sqlite" and database and database != ":memory:" \
                and not database.startswith("file:"):
            return FileLease(Path(database + ".collector.lock"))
        return SoleLease()


class AdvisoryLease(CollectorLease):
    can_be_lost = True  # the lock lives on a connection, and a database restart or a network cut ends it

    def __init__(self, engine: Engine):
        self.engine = engine
        self.conn: Connection | None = None

    def acquire(self) -> bool:
        if self.conn is not None and self.held():
            return True
        self._drop()
        conn = self.engine.connect()
        try:
            conn.execute(text("SELECT set_config('application_name', :name, false)"),
                         {"name": f"wallboard collector {who()}"[:63]})
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}).scalar())
            conn.commit()
        except Exception:
            conn.close()
            raise
        if got:
            self.conn = conn
        else:
            conn.close()
        return got

    def held(self) -> bool:
        """The lock lives as long as its connection; a database restart ends both."""
        if self.conn is None:
            return False
        try:  # asked of pg_locks: a connection that reconnected behind our back holds nothing
            mine = self.conn.execute(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()"
            )).scalar()
            self.conn.commit()
            if mine:
                return True
            self._drop()
            return False
        except Exception:  # noqa: BLE001 - any failure means the lock may be gone
            self._drop()
            return False

    def holder(self) -> str:
        with self.engine.connect() as conn:
            name = conn.execute(text(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database() "
                "AND a.application_name LIKE 'wallboard collector %' LIMIT 1"
            )).scalar()
        return str(name or "another process").removeprefix("wallboard collector ")

    def release(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(Exception):
                self.conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                self.conn.commit()
        self._drop()

    def _drop(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(Exception):
                self.conn.close()
            self.conn = None


class FileLease(CollectorLease):
    """An flock on our own open file: only this process closing it (or exiting) ends it."""

    def __init__(self, path: Path):
        self.path = path
        self.handle: Any = None

    def acquire(self) -> bool:
        import fcntl

        if self.handle is not None:
            return True
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(who())
        handle.flush()
        self.handle = handle
        return True

    def held(self) -> bool:
        return self.handle is not None

    def holder(self) -> str:
        try:
            return self.path.read_text().strip() or "another process"
        except OSError:
            return "another process"

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()  # closing the file drops the flock
            self.handle = None


class SoleLease(CollectorLease):
    """An in-memory database has one process by definition."""

    def __init__(self) -> None:
        self._held = False

    def acquire(self) -> bool:
        self._held = True
        return True

    def held(self) -> bool:
        return self._held

    def holder(self) -> str:
        return who()

    def release(self) -> None:
        self._held = False
