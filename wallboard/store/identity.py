"""Is the SQLite file still the one we opened? Noticing a database deleted, replaced or made unwritable.

SQLite keeps the file open: after ``rm data/wallboard.db*`` every pooled connection goes on reading
and writing the deleted inode, happily, until the process exits and the history with it. So the
file's identity (device, inode) is remembered when the store opens, and compared with what the path
holds now: by the file watch when the kernel reports a change in the database's folder
(``Runtime``), by ``/healthz`` and ``/metrics`` when asked, and before every write, so the collector
stops writing into the void the moment the file is gone. A new pooled connection opens the path
read-write without creating it (store/engine.py), so no empty database appears in the old one's
place. A file deleted or replaced stays a problem until wallboard restarts (its connections point
at the old inode); an unwritable one recovers when the permission comes back.

``expect_history``: a store that should hold data (``database.expect_history: true``) and holds
none was most likely lost or pointed elsewhere; ``wallboard run`` refuses to start on it rather than
begin an empty history beside the real one.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from sqlalchemy import Engine, func, select

from wallboard.store import schema

log = logging.getLogger(__name__)

DELETED, REPLACED, UNWRITABLE = "deleted", "replaced", "unwritable"
_SAID = {
    DELETED: "berkas basis data {path} sudah dihapus",
    REPLACED: "berkas basis data {path} sudah diganti berkas lain",
    UNWRITABLE: "berkas basis data {path} tidak bisa ditulis",
}


class StoreGone(RuntimeError):
    """The SQLite file is no longer the one this store opened (or cannot be written): nothing is written."""


class HistoryMissing(RuntimeError):
    """``database.expect_history`` is set and the database holds no history."""


class FileIdentity:
    """The SQLite file's (device, inode) at opening, and what is wrong with the path now, if anything."""

    def __init__(self, path: str | None):
        self.path = path
        self.identity = _identity(path) if path else None
        self.problem: str | None = None  # DELETED, REPLACED or UNWRITABLE; None while all is well
        self._lock = threading.Lock()

    def check(self) -> str | None:
        """Look at the path now; log at ERROR when a problem starts (once), at INFO when it ends."""
        if self.path is None:
            return None
        problem = self._look()
        with self._lock:
            before, self.problem = self.problem, problem
        if problem != before:
            if problem is not None:
                log.error("store %s: %s; nothing is written to it until wallboard restarts on a good database "
                          "(restore from a backup, see docs/operations.md)", problem, self.path)
            else:
                log.info("store %s is writable again", self.path)
        return problem

    def describe(self, problem: str | None = None) -> str:
        """The problem in one line (Indonesian: it ends up in the run's error on the wall and /admin)."""
        problem = problem or self.problem
        return _SAID.get(problem or "", "{path}").format(path=self.path)

    def require_writable(self) -> None:
        """Raise ``StoreGone`` instead of letting a write go to a deleted inode."""
        problem = self.check()
        if problem is not None:
            raise StoreGone(self.describe(problem) + "; tidak ditulis")

    def _look(self) -> str | None:
        assert self.path is not None
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return DELETED
        except OSError:
            return UNWRITABLE
        if self.identity is not None and (st.st_dev, st.st_ino) != self.identity:
            return REPLACED
        folder = Path(self.path).parent
        if not os.access(self.path, os.W_OK) or not os.access(folder, os.W_OK | os.X_OK):
            return UNWRITABLE  # SQLite also writes its -wal and -shm beside the file
        return None


def _identity(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def sqlite_file(engine: Engine) -> str | None:
    """The SQLite database file behind ``engine``, None for memory, URI files and other databases."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database


def has_history(engine: Engine) -> bool:
    """Any reading or any collector run stored: what a database that ran for a while always has."""
    with engine.connect() as conn:
        for table in (schema.readings, schema.collector_runs):
            if conn.execute(select(func.count()).select_from(select(1).select_from(table).limit(1).subquery())
                            ).scalar():
                return True
    return False
