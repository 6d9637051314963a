"""One collector run end to end: demo source -> store, recorded; a failing source is contained."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import demo_config
from wallboard.collector import Collector
from wallboard.config import parse_config
from wallboard.store import Store


def test_demo_run_writes_readings_and_records_the_run(db_url: str, tmp_path: Path) -> None:
    config = parse_config(demo_config(db_url)).config
    store = Store.open(db_url)
    try:
        collector = Collector(store, config, tmp_path)
        run = collector.run("simulasi")
        assert run.ok and run.error is None and run.rows > 0
        latest = store.latest(["pengaduan_terbuka", "tinggi_muka_air"])
        # one row per kecamatan of Kota Binjai (5), for each indicator
        assert len(latest["pengaduan_terbuka"]) == 5
        assert {r.region for r in latest["tinggi_muka_air"]} == {f"12.75.0{i}" for i in range(1, 6)}
        [recorded] = store.runs("simulasi")
        assert recorded.ok and recorded.rows == run.rows
    finally:
        store.close()


def test_a_source_that_raises_is_recorded_not_raised(db_url: str, tmp_path: Path, monkeypatch) -> None:
    config = parse_config(demo_config(db_url)).config
    store = Store.open(db_url)
    try:
        collector = Collector(store, config, tmp_path)
        collector.run("simulasi")
        before = store.count_readings()
        source = collector._source("simulasi")

        def broken(now):  # noqa: ANN001, ANN202
            raise ConnectionRefusedError("[Errno 111] Connection refused\nmore detail")

        monkeypatch.setattr(source, "fetch", broken)
        run = collector.run("simulasi")
        assert not run.ok
        assert run.error == "[Errno 111] Connection refused more detail"
        assert store.count_readings() == before
        assert store.source_status(["simulasi"])["simulasi"].last_error == run.error
    finally:
        store.close()


def test_readings_older_than_retention_are_rejected(db_url: str, tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from wallboard.records import Batch, Reading

    config = parse_config(demo_config(db_url)).config
    store = Store.open(db_url)
    try:
        collector = Collector(store, config, tmp_path)
        source = collector._source("simulasi")
        now = datetime(2026, 11, 27, tzinfo=UTC)
        old = int((now - config.database.retention - timedelta(days=1)).timestamp())
        fresh = int(now.timestamp())
        source.fetch = lambda _now: Batch(readings=[Reading("tinggi_muka_air", "12.75.01", old, 1.0),
                                                    Reading("tinggi_muka_air", "12.75.01", fresh, 2.0)])
        run = collector.run("simulasi", now)
        assert run.ok and run.rows == 1 and run.rejected == 1 and "retention" in run.error
        assert store.count_readings() == 1
    finally:
        store.close()


def test_store_failure_is_a_failed_run_and_nothing_is_half_written(db_url: str, tmp_path: Path,
                                                                   monkeypatch) -> None:
    config = parse_config(demo_config(db_url)).config
    store = Store.open(db_url)
    try:
        collector = Collector(store, config, tmp_path)
        assert collector.run("simulasi").ok
        before = store.count_readings()
        ids = ["pengaduan_terbuka", "tinggi_muka_air"]
        latest_before = store.latest(ids)
        assert all(latest_before[i] for i in ids)

        def locked(*_a, **_k):  # noqa: ANN002, ANN003, ANN202
            raise RuntimeError("database is locked")

        monkeypatch.setattr(store, "_write_rollups", locked)  # fails after readings went in
        run = collector.run("simulasi")
        assert not run.ok and run.error == "database is locked" and run.failures == 1
        assert store.count_readings() == before
        assert store.latest(ids) == latest_before  # the latest values went back with the readings
    finally:
        store.close()
