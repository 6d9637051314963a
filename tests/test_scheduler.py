"""The scheduler with real sources: start-up run, backoff retries that recover, no overlap, isolation."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine

from tests.sources.test_http_json import Api
from tests.sources.util import make_collector, settle
from wallboard import scheduler as scheduler_module
from wallboard.scheduler import JOB_PREFIX, LEASE_JOB, MAINTENANCE_JOB, Backoff, CollectorScheduler, trigger_for
from wallboard.store.lease import AdvisoryLease, CollectorLease

CSV = "tanggal;jumlah\n27/11/2026;5\n"


def wait_for(condition: Callable[[], bool], limit: float = 20.0) -> bool:
    """Poll until ``condition`` holds; the limit only guards against a hang, it is not measured."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def csv_source(source_id: str, every: str = "1h", path: str = "izin.csv") -> str:
    return f"""
  - id: {source_id}
    type: csv
    path: {path}
    every: {every}
    columns: {{time: tanggal, value: jumlah}}
    indicator: izin_terbit
"""


def test_backoff_doubles_up_to_the_cap() -> None:
    backoff = Backoff(base=5, cap=60)
    assert [backoff.delay(n).total_seconds() for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]


def test_cron_in_site_time_zone() -> None:
    class Source:
        cron = "0 7 * * *"
        interval = timedelta(days=1)

    zone = ZoneInfo("Asia/Jakarta")
    fire = trigger_for(Source, zone).get_next_fire_time(None, datetime(2026, 11, 27, 1, 0, tzinfo=UTC))
    assert fire == datetime(2026, 11, 28, 7, 0, tzinfo=zone)


def test_failed_run_is_retried_with_backoff_and_recovers(db_url: str, tmp_path: Path) -> None:
    collector, store = make_collector(db_url, csv_source("izin"), tmp_path)
    scheduler = CollectorScheduler(collector, backoff=Backoff(base=0.3, cap=1))
    try:
        scheduler.start()  # runs at start-up: the file is not there yet
        assert wait_for(lambda: len(store.runs("izin")) >= 2)
        first, *_ = reversed(store.runs("izin"))
        assert not first.ok and "tidak ditemukan" in first.error
        assert first.retry_at is not None and first.failures == 1
        failures = [r.failures for r in reversed(store.runs("izin"))]
        assert failures[:2] == [1, 2]  # the retry counted on
        path = tmp_path / "izin.csv"
        path.write_text(CSV)
        settle(path)
        assert wait_for(lambda: store.runs("izin", 1)[0].ok)  # a retry picks it up; no hourly wait
        status = store.source_status(["izin"])["izin"]
        assert status.failures == 0 and status.next_retry is None and store.count_readings() == 1
        assert scheduler.scheduler.get_job(MAINTENANCE_JOB) is not None
    finally:
        scheduler.shutdown()
        store.close()


def test_slow_source_neither_overlaps_nor_delays_others(db_url: str, tmp_path: Path) -> None:
    api = Api()
    gate = threading.Event()
    try:
        api.set("/air", {"hasil": [{"tinggi": 1}]}, delay=3.5)
        slow = f"""
  - id: lambat
    type: http_json
    url: {api.url}/air
    records: hasil
    every: 1s
    timeout: 10s
    columns: {{value: tinggi}}
    indicator: pengaduan_terbuka
"""
        path = tmp_path / "izin.csv"
        path.write_text(CSV)
        settle(path)
        collector, store = make_collector(db_url, slow + csv_source("cepat", every="1s"), tmp_path)
        # A manual run of the slow source while the scheduler also runs it: never two at once.
        started = threading.Thread(target=lambda: (collector.run("lambat"), gate.set()))
        scheduler = CollectorScheduler(collector)
        try:
            scheduler.start()
            assert wait_for(lambda: api.active == 1)  # the start-up run of the slow source is in flight
            started.start()
            # While the first slow request is still being answered, the fast source runs on schedule.
            assert wait_for(gate.is_set)
            first_slow = min(r.finished for r in store.runs("lambat"))
            assert sum(r.finished < first_slow for r in store.runs("cepat")) >= 2
            assert collector.try_run("cepat") is not None
            assert api.most_at_once == 1 and len(store.runs("lambat")) >= 2  # one after the other
        finally:
            scheduler.shutdown()
            started.join()
            store.close()
    finally:
        api.server.shutdown()
        api.server.server_close()


def test_try_run_skips_while_a_run_is_going(db_url: str, tmp_path: Path) -> None:
    collector, store = make_collector(db_url, csv_source("izin"), tmp_path)
    try:
        lock = collector._run_lock("izin")
        with lock:
            assert collector.try_run("izin") is None
        assert collector.try_run("izin") is not None
    finally:
        store.close()


@pytest.mark.parametrize("failures", [1, 3])
def test_no_retry_after_the_next_scheduled_run(db_url: str, tmp_path: Path, failures: int) -> None:
    collector, store = make_collector(db_url, csv_source("izin", every="2s"), tmp_path)
    scheduler = CollectorScheduler(collector, backoff=Backoff(base=10, cap=60))
    try:
        scheduler.scheduler.start()
        scheduler.schedule(collector.config)
        source = collector.config.source("izin")
        assert scheduler.retry_at(source, failures, datetime.now(UTC)) is None  # the schedule comes first
    finally:
        scheduler.shutdown()
        store.close()


def test_the_lease_is_checked_only_while_waiting_or_while_it_can_be_lost(
        db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A SQLite leader's flock cannot be lost: no periodic check wakes it. A waiting process checks
    until it takes over (then stops, on SQLite); a PostgreSQL leader keeps checking."""
    monkeypatch.setattr(scheduler_module, "LEASE_CHECK", 0.1)
    (tmp_path / "izin.csv").write_text(CSV, encoding="utf-8")
    settle(tmp_path / "izin.csv")
    first_collector, first_store = make_collector(db_url, csv_source("izin"), tmp_path)
    second_collector, second_store = make_collector(db_url, csv_source("izin"), tmp_path)
    first, second = CollectorScheduler(first_collector), CollectorScheduler(second_collector)
    losable = db_url.startswith("postgresql")
    try:
        first.start(maintenance=False, lease=CollectorLease.for_engine(first_store.engine))
        second.start(maintenance=False, lease=CollectorLease.for_engine(second_store.engine))
        assert first.leading and not second.leading
        assert first.lease is not None and first.lease.can_be_lost is losable
        assert (first.scheduler.get_job(LEASE_JOB) is not None) is losable
        assert second.scheduler.get_job(LEASE_JOB) is not None

        first.shutdown()  # releases the lease: the waiting one takes over at its next check
        assert wait_for(lambda: second.leading and second.scheduler.get_job(JOB_PREFIX + "izin") is not None)
        assert wait_for(lambda: (second.scheduler.get_job(LEASE_JOB) is not None) is losable)
    finally:
        first.shutdown()
        second.shutdown()
        first_store.close()
        second_store.close()


@pytest.mark.postgres
def test_a_postgres_leader_that_loses_its_lease_stops_and_keeps_checking(pg_database: str, tmp_path: Path) -> None:
    collector, store = make_collector(pg_database, csv_source("izin"), tmp_path)
    scheduler = CollectorScheduler(collector)
    other = AdvisoryLease(create_engine(pg_database))
    try:
        scheduler.start(maintenance=False, lease=AdvisoryLease(store.engine))
        assert scheduler.leading and scheduler.scheduler.get_job(LEASE_JOB) is not None
        assert scheduler.lease is not None and scheduler.lease.conn is not None
        scheduler.lease.conn.invalidate()  # the database restarted under it; someone else wins the lock
        assert wait_for(other.acquire)
        scheduler._check_lease()  # what the LEASE_JOB does every LEASE_CHECK seconds
        assert not scheduler.leading
        assert scheduler.scheduler.get_job(JOB_PREFIX + "izin") is None  # collecting stops
        assert scheduler.scheduler.get_job(LEASE_JOB) is not None  # and it keeps trying to win the lease back
    finally:
        scheduler.shutdown()
        other.release()
        other.engine.dispose()
        store.close()


def test_frequent_sources_run_on_a_phase_of_their_own_after_the_start_up_run() -> None:
    """Started together, 514 sources at every: 10s must not run as one burst every ten seconds."""
    class Source:
        cron = None
        interval = timedelta(seconds=10)

        def __init__(self, source_id: str):
            self.id = source_id

    zone = ZoneInfo("Asia/Jakarta")
    now = datetime(2026, 12, 2, 20, 0, tzinfo=UTC)
    nexts = []
    for code in ("k3301", "k3302", "k3303", "k3304"):
        trigger = trigger_for(Source(code), zone, now)
        after_start_up = trigger.get_next_fire_time(now, now)  # the job's start-up run was at ``now``
        assert now < after_start_up <= now + timedelta(seconds=10)
        assert trigger.get_next_fire_time(after_start_up, after_start_up) == after_start_up + timedelta(seconds=10)
        nexts.append(after_start_up)
    assert len(set(nexts)) == 4
    assert trigger_for(Source("k3301"), zone, now).get_next_fire_time(now, now) == nexts[0]  # fixed per id
    hourly = Source("k3301")
    hourly.interval = timedelta(hours=1)
    assert trigger_for(hourly, zone, now).get_next_fire_time(now, now) == now + timedelta(hours=1)
