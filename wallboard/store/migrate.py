"""Schema migrations (Alembic), run from code: the scripts ship in ``store/migrations/``, no alembic.ini.

``Store.open`` calls ``prepare``: a fresh database is created at the newest revision, an older one
(including one made before migrations existed, which has no ``alembic_version``) is upgraded, and
one *newer* than this wallboard (a later release migrated it) is refused with ``SchemaTooNew``, one
line: running old code on a newer schema could write what the newer code no longer reads.
``wallboard db upgrade`` runs the same upgrade on its own, so operators can do it (after a backup)
before starting the services.

Several processes may start at once on one PostgreSQL database: the upgrade runs in one transaction
holding an advisory lock, so the second waits and then finds nothing left to do. On SQLite a
``flock`` beside the file does the same.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)
SCRIPTS = Path(__file__).with_name("migrations")
LOCK_KEY = int.from_bytes(hashlib.sha256(b"wallboard migrations").digest()[:8], "big", signed=True)


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer wallboard than this one."""


@dataclass(frozen=True)
class SchemaState:
    current: str | None  # revision stamped in the database; None before migrations (or empty)
    head: str  # newest revision this wallboard knows
    known: bool  # current is one of ours (False: a newer release migrated the database)

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.attributes["connection"] = connection
    return config


def scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head() -> str:
    return scripts().get_current_head() or ""


def current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def state(engine: Engine) -> SchemaState:
    with engine.connect() as conn:
        revision = current(conn)
    return _state(revision)


def _state(revision: str | None) -> SchemaState:
    known = True
    if revision is not None:
        try:
            known = scripts().get_revision(revision) is not None
        except CommandError:
            known = False
    return SchemaState(revision, head(), known)


def too_new_message(found: SchemaState) -> str:
    return (f"the database is at schema revision {found.current}, newer than this wallboard knows "
            f"(newest {found.head}): upgrade wallboard, or restore a backup made before the upgrade")


def prepare(engine: Engine) -> SchemaState:
    """Bring the database to this wallboard's schema; refuse one that is newer."""
    found = state(engine)
    if not found.known:
        raise SchemaTooNew(too_new_message(found))
    if found.up_to_date:
        return found
    done = upgrade(engine)
    log.info("database schema upgraded from %s to %s", found.current or "<none>", done.current)
    return done


def upgrade(engine: Engine, revision: str = "head") -> SchemaState:
    """Run every migration not yet applied, in one transaction, one process at a time."""
    with _exclusive(engine), engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        found = _state(current(conn))
        if not found.known:
            raise SchemaTooNew(too_new_message(found))
        command.upgrade(_config(conn), revision)
        return _state(current(conn))


def history() -> list[tuple[str, str | None, str]]:
    """(revision, down revision, first line of its docstring), oldest first."""
    out = [(s.revision, s.down_revision if isinstance(s.down_revision, str | None) else ",".join(s.down_revision),
            (s.doc or "").strip().splitlines()[0] if s.doc else "") for s in scripts().walk_revisions()]
    return list(reversed(out))


@contextlib.contextmanager
def _exclusive(engine: Engine) -> Iterator[None]:
    """SQLite: an exclusive flock beside the database file while migrating (PostgreSQL locks in SQL)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    with open(database + ".migrate.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def draft(message: str) -> Path:
    """Write the next revision, autogenerated from schema.py against a scratch SQLite database at head.

    For developers (docs/operations.md): ``python -m wallboard.store.migrate "audit log"``. Review
    the draft before committing it; SQLite-only details (batch mode) are already rendered.
    """
    import tempfile

    from sqlalchemy import create_engine

    with tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(f"sqlite:///{scratch}/head.db")
        try:
            upgrade(engine)
            number = f"{int(head()) + 1:04d}"
            with engine.begin() as conn:
                script = command.revision(_config(conn), message=message, autogenerate=True, rev_id=number)
        finally:
            engine.dispose()
    assert script is not None and not isinstance(script, list)
    return Path(script.path)


if __name__ == "__main__":
    import sys

    print(draft(" ".join(sys.argv[1:]) or "schema change"))
