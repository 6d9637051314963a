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
