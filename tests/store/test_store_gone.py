"""The store notices it is gone (issue 22 item 2): a deleted, replaced or unwritable SQLite file makes
/healthz failing, ``wallboard_store_up 0`` and an ERROR line within 10 s, and nothing more is written
into the deleted inode; ``database.expect_history`` refuses an empty start; ``wallboard db backup``."""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tests.conftest import demo_config
from wallboard.cli import main
from wallboard.collector import Collector
from wallboard.config import parse_config
from wallboard.records import Batch, Reading
from wallboard.store import Run, Store
from wallboard.store import identity as identity_module
from wallboard.store.identity import DELETED, REPLACED, UNWRITABLE, HistoryMissing, StoreGone


def wait_for(condition, timeout: float, what: str):  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout:.0f} s: {what}")


def remove_database(path: Path) -> None:
    """`rm data/wallboard.db*`"""
    for file in path.parent.glob(path.name + "*"):
        file.unlink()


# the running server: the real thing, end to end ----------------------------------------------------

def test_deleting_the_sqlite_file_under_a_running_server_is_noticed_within_10_s(wall_server, tmp_path) -> None:
    server = wall_server(demo_config("sqlite:///data/wallboard.db", every="1h"))
    db = tmp_path / "data" / "wallboard.db"
    assert httpx.get(server.url + "/healthz").json()["database"] == {"reachable": True, "file": "ok"}
    remove_database(db)
    deleted = time.monotonic()
    # Nobody asks the server anything: the file watch notices and says so at ERROR by itself.
    line = wait_for(lambda: re.search(r".*ERROR.*store deleted.*wallboard\.db.*", server.log()), 10,
                    "an ERROR line for the deleted database")
    assert time.monotonic() - deleted < 10, line.group(0)
    answer = httpx.get(server.url + "/healthz")
    body = answer.json()
    assert answer.status_code == 503 and body["status"] == "failing"
    assert body["database"] == {"reachable": False, "file": DELETED}
    metrics = httpx.get(server.url + "/metrics").text
    assert re.search(r"^wallboard_store_up 0\.0$", metrics, re.MULTILINE), metrics[:500]
    assert len(re.findall(r"ERROR.*store deleted", server.log())) == 1  # said once, not at every look
    assert not db.exists()  # no new connection made an empty database in its place (store/engine.py)


# the store itself -----------------------------------------------------------------------------------

@pytest.fixture
def store(tmp_path: Path):
    store = Store.open(f"sqlite:///{tmp_path / 'wb.db'}")
    yield store
    store.close()


def reading(value: float) -> Batch:
    return Batch(readings=[Reading("latar", "12.75", int(time.time()), value)])


def test_a_deleted_file_is_never_written_into(store: Store, tmp_path: Path, caplog) -> None:
    store.write("s", reading(1.0))
    remove_database(tmp_path / "wb.db")
    with caplog.at_level(logging.ERROR, "wallboard.store.identity"), pytest.raises(StoreGone, match="dihapus"):
        store.write("s", reading(2.0))
    now = datetime.now(UTC)
    with pytest.raises(StoreGone):
        store.record_run(Run("s", now, now, True, 1, 0, None))
    assert [r.levelname for r in caplog.records] == ["ERROR"]
    assert store.identity.problem == DELETED


def test_the_collector_stops_writing_and_says_why(tmp_path: Path) -> None:
    text = demo_config(f"sqlite:///{tmp_path / 'wb.db'}", every="1h")
    config = parse_config(text, str(tmp_path / "config.yaml"), base=tmp_path).config
    store = Store.open(config.database.url)
    try:
        store.sync_indicators(config.indicators)
        collector = Collector(store, config, tmp_path)
        assert collector.run("simulasi").ok
        inode_writes = store.count_readings()
        remove_database(tmp_path / "wb.db")
        run = collector.run("simulasi")
        assert not run.ok and "dihapus" in run.error
        # the old inode, still open through the pool, got nothing more
        assert store.count_readings() == inode_writes
    finally:
        store.close()


def test_a_replaced_file_and_an_unwritable_one(store: Store, tmp_path: Path, monkeypatch) -> None:
    assert store.identity.check() is None
    other = tmp_path / "other.db"
    sqlite3.connect(other).close()
    monkeypatch.setattr(identity_module.os, "access", lambda path, mode: False)  # root can write anything
    assert store.identity.check() == UNWRITABLE
    with pytest.raises(StoreGone, match="tidak bisa ditulis"):
        store.write("s", reading(1.0))
    monkeypatch.undo()
    assert store.identity.check() is None  # the permission came back: written again
    store.write("s", reading(1.0))
    os.replace(other, tmp_path / "wb.db")  # a restore copied over the running database
    assert store.identity.check() == REPLACED


def test_the_watch_notices_without_being_asked(tmp_path: Path) -> None:
    """The runtime's file watch (inotify on the folder) runs the check when the file goes."""
    from wallboard.watch import FileWatch

    store = Store.open(f"sqlite:///{tmp_path / 'wb.db'}")
    seen = threading.Event()
    watch = FileWatch()
    watch.watch(tmp_path / "wb.db", lambda: store.identity.check() and seen.set())
    try:
        if not watch.start():
            pytest.skip("no inotify here")
        os.chmod(tmp_path / "wb.db", 0o644)  # an ATTRIB event alone runs the check too
        remove_database(tmp_path / "wb.db")
        assert seen.wait(10) and store.identity.problem == DELETED
    finally:
        watch.stop()
        store.close()


# expect_history -------------------------------------------------------------------------------------

def history_config(tmp_path: Path, expect: bool) -> Path:
    path = tmp_path / "config.yaml"
    text = demo_config("sqlite:///data/wallboard.db", every="1h")
    path.write_text(text.replace('wallboard.db"}', f'wallboard.db", expect_history: {str(expect).lower()}}}'))
    return path


def test_run_refuses_a_missing_or_empty_database_when_history_is_expected(tmp_path: Path, capsys) -> None:
    config = history_config(tmp_path, expect=True)
    assert main(["run", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "tidak dijalankan" in err and "expect_history" in err
    assert not (tmp_path / "data" / "wallboard.db").exists()  # never creates a fresh empty one
    Store.open(f"sqlite:///{tmp_path / 'data' / 'wallboard.db'}").close()  # an empty database
    assert main(["run", "--config", str(config)]) == 2
    assert "kosong" in capsys.readouterr().err
    with pytest.raises(HistoryMissing):
        Store.open(f"sqlite:///{tmp_path / 'data' / 'wallboard.db'}", expect_history=True)
    store = Store.open(f"sqlite:///{tmp_path / 'data' / 'wallboard.db'}")
    store.write("s", reading(1.0))
    store.close()
    Store.open(f"sqlite:///{tmp_path / 'data' / 'wallboard.db'}", expect_history=True).close()  # data: fine


# backups --------------------------------------------------------------------------------------------

def test_db_backup_copies_sqlite_consistently_while_it_is_written(tmp_path: Path, capsys) -> None:
    config = history_config(tmp_path, expect=False)
    url = f"sqlite:///{tmp_path / 'data' / 'wallboard.db'}"
    store = Store.open(url)
    stop = threading.Event()

    def writer() -> None:  # the collector goes on writing during the backup
        n = 0
        while not stop.is_set():
            n += 1
            store.write("s", Batch(readings=[Reading("latar", "12.75", 1_700_000_000 + n, float(n))]))

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        wait_for(lambda: store.count_readings() > 20, 10, "some readings")
        assert main(["db", "backup", str(tmp_path / "cadangan"), "--config", str(config)]) == 0
    finally:
        stop.set()
        thread.join()
        store.close()
    out = capsys.readouterr().out
    copies = list((tmp_path / "cadangan").glob("wallboard-*.db"))
    assert len(copies) == 1 and str(copies[0]) in out
    with sqlite3.connect(copies[0]) as copy:
        # (not PRAGMA integrity_check: SQLite 3.40 reports NULLs in WITHOUT ROWID tables that are not there)
        times = [ts for (ts,) in copy.execute("SELECT ts FROM readings ORDER BY ts")]
        assert copy.execute("SELECT COUNT(*) FROM readings WHERE value IS NULL").fetchone()[0] == 0
        latest = copy.execute("SELECT ts FROM latest WHERE indicator = 'latar'").fetchone()[0]
    # one moment of the database: every write up to some n, none half, latest agreeing with readings
    assert len(times) > 20 and times == list(range(1_700_000_001, 1_700_000_001 + len(times)))
    assert latest == times[-1]
    assert not list((tmp_path / "cadangan").glob("*.part"))


@pytest.mark.postgres
def test_db_backup_on_postgresql_is_pg_dump_or_one_line(tmp_path: Path, pg_database: str, capsys, monkeypatch) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(demo_config(pg_database, every="1h"))
    Store.open(pg_database).close()
    import shutil

    if shutil.which("pg_dump"):
        assert main(["db", "backup", str(tmp_path / "cadangan"), "--config", str(config)]) == 0
        dump = next((tmp_path / "cadangan").glob("wallboard-*.dump"))
        assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert main(["db", "backup", str(tmp_path / "lain"), "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pg_dump tidak ditemukan" in err
