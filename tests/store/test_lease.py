"""One collector per database: a second one waits (PostgreSQL) or refuses (SQLite), and takes over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from tests.conftest import ROOT, demo_config
from wallboard.store.lease import AdvisoryLease, CollectorLease, FileLease
from wallboard.store.schema import collector_runs, metadata


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_a_sqlite_lease_is_exclusive_and_freed_by_release(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'w.db'}")
    first, second = CollectorLease.for_engine(engine), CollectorLease.for_engine(engine)
    assert isinstance(first, FileLease)
    assert first.acquire() and first.held()
    assert not second.acquire() and not second.held()
    assert f"pid {os.getpid()}" in second.holder()
    first.release()
    assert second.acquire()
    second.release()


@pytest.mark.postgres
def test_a_postgres_lease_is_exclusive_and_lost_with_its_connection(pg_database: str) -> None:
    first, second = AdvisoryLease(create_engine(pg_database)), AdvisoryLease(create_engine(pg_database))
    try:
        assert first.acquire() and first.held()
        assert not second.acquire()
        assert f"pid {os.getpid()}" in second.holder()
        first.conn.invalidate()  # the connection breaks (a restart, a network cut): the lock is gone with it
        assert not first.held()
        assert second.acquire() and second.held()
    finally:
        first.release()
        second.release()


# real processes --------------------------------------------------------------------------------

class Collectors:
    def __init__(self, folder: Path, db_url: str):
        self.folder = folder
        self.config = folder / "config.yaml"
        self.config.write_text(demo_config(db_url, every="1s"), encoding="utf-8")
        self.processes: list[subprocess.Popen] = []

    def start(self, name: str, *command: str) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("wb")
        process = subprocess.Popen([sys.executable, "-m", "wallboard.cli", *command, "--config", str(self.config)],
                                   stdout=log, stderr=subprocess.STDOUT, cwd=self.folder,
                                   env={**os.environ, "PYTHONPATH": str(ROOT)})
        log.close()
        self.processes.append(process)
        return process

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait(10)


@pytest.fixture
def collectors(tmp_path: Path) -> Iterator[Callable[[str], Collectors]]:
    made: list[Collectors] = []

    def make(db_url: str) -> Collectors:
        made.append(Collectors(tmp_path, db_url))
        return made[-1]

    yield make
    for c in made:
        c.stop()


def runs(db_url: str) -> int:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(collector_runs)).scalar() or 0)
    except Exception:  # noqa: BLE001 - tables not made yet
        return 0
    finally:
        engine.dispose()


def test_a_second_collector_on_one_sqlite_file_refuses_in_one_line(tmp_path: Path, collectors) -> None:
    db_url = f"sqlite:///{tmp_path / 'w.db'}"
    c = collectors(db_url)
    c.start("first", "collect")
    wait_for(lambda: runs(db_url) > 0, 60, "the first collector never collected")
    second = c.start("second", "collect")
    assert second.wait(60) == 2
    [line] = c.log("second").strip().splitlines()[-1:]
    assert "already collects" in line and "pid" in line and "Traceback" not in c.log("second")


@pytest.mark.postgres
def test_one_of_two_schedulers_collects_and_the_other_takes_over_after_kill_9(pg_database: str, collectors) -> None:
    engine = create_engine(pg_database)
    metadata.drop_all(engine)
    engine.dispose()
    c = collectors(pg_database)
    first = c.start("first", "collect")
    wait_for(lambda: runs(pg_database) > 0, 60, "the first collector never collected")
    second = c.start("second", "run", "--port", "0")
    wait_for(lambda: "waits and takes over" in c.log("second"), 60, "the second scheduler did not wait")
    assert "collecting from" in c.log("first") and "collecting from" not in c.log("second")
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    killed_at, before = time.monotonic(), runs(pg_database)
    wait_for(lambda: "collecting from" in c.log("second"), 30, "nobody took over within 30 s")
    wait_for(lambda: runs(pg_database) > before, 30, "the new leader does not collect")
    assert time.monotonic() - killed_at < 30
    assert second.poll() is None
