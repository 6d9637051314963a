"""``wallboard db backup DIR``: a consistent copy of the database while wallboard runs.

SQLite: ``VACUUM INTO`` (SQLite 3.27+) reads the database in one read transaction, so the copy is
the database as of one moment even while the collector writes, compacted, with no ``-wal`` beside
it; copying ``wallboard.db`` with ``cp`` while running may copy half a commit, and leaves the write-
ahead log behind. PostgreSQL: ``pg_dump --format=custom`` (restore with ``pg_restore``), when the
PostgreSQL client is installed. The copy is written under a temporary name and renamed when complete,
so a file named ``wallboard-*.db``/``.dump`` is never half a backup.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from wallboard.store.identity import sqlite_file

NO_PG_DUMP, FAILED, UNSUPPORTED = "no-pg-dump", "failed", "unsupported"


class BackupError(RuntimeError):
    """Why no backup was made: ``kind`` (one of the constants above) and the tool's own words."""

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(detail or kind)
        self.kind = kind
        self.detail = detail


def backup(engine: Engine, folder: Path, now: datetime | None = None) -> Path:
    """Write a backup of ``engine``'s database into ``folder`` (created if needed); its path."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        path = sqlite_file(engine)
        if path is None:
            raise BackupError(UNSUPPORTED, str(engine.url.database))
        return _finish(folder / f"wallboard-{stamp}.db", lambda tmp: _vacuum_into(path, tmp))
    if engine.dialect.name == "postgresql":
        return _finish(folder / f"wallboard-{stamp}.dump", lambda tmp: _pg_dump(engine, tmp))
    raise BackupError(UNSUPPORTED, engine.dialect.name)


def _finish(target: Path, write) -> Path:  # noqa: ANN001
    tmp = target.with_name(target.name + ".part")
    tmp.unlink(missing_ok=True)
    try:
        write(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def _vacuum_into(path: str, target: Path) -> None:
    if not Path(path).exists():
        raise BackupError(FAILED, f"{path} tidak ada")
    try:
        # mode=ro: a backup never creates or changes the database it copies
        with closing(sqlite3.connect(f"{Path(path).as_uri()}?mode=ro", uri=True, timeout=30)) as source:
            source.execute("VACUUM INTO ?", (str(target),))
    except sqlite3.Error as exc:
        raise BackupError(FAILED, str(exc)) from None


def _pg_dump(engine: Engine, target: Path) -> None:
    program = shutil.which("pg_dump")
    if program is None:
        raise BackupError(NO_PG_DUMP)
    url = engine.url.set(drivername="postgresql")
    env = dict(os.environ)
    if url.password is not None:  # through the environment, never on a command line `ps` shows
        env["PGPASSWORD"] = str(url.password)
        url = url.set(password=None)
    done = subprocess.run([program, "--format=custom", "--no-owner", f"--file={target}",
                           url.render_as_string(hide_password=False)],
                          env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        said = " ".join(done.stderr.split()) or f"pg_dump exit {done.returncode}"
        raise BackupError(FAILED, said if len(said) <= 300 else said[:297] + "...")
