"""PostgreSQL restarted under a running wall: the wall keeps its figures and turns stale (never blank),
the file a source delivered meanwhile is stored once the database is back, and the wall recovers by
itself. Runs on a PostgreSQL server of the test's own (``pg_cluster.py``), never the shared one.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.sources.util import config_text
from tests.store.pg_cluster import PgCluster
from wallboard.live import hub as live
from wallboard.runtime import Runtime

pytestmark = pytest.mark.postgres

SOURCE = """  - {id: perizinan, type: csv, path: perizinan.csv, every: 1s, settle: 1s,
     columns: {region: kode_kecamatan, value: jumlah}, indicator: izin_terbit}"""


@pytest.fixture
def cluster() -> Iterator[PgCluster]:
    try:
        pg = PgCluster()
    except (FileNotFoundError, OSError) as exc:
        if IN_CI:
            raise
        pytest.skip(f"no PostgreSQL binaries to run a server of our own: {exc}")
    pg.start()
    yield pg
    pg.destroy()


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def put(path: Path, value: int) -> None:
    path.write_text(f"kode_kecamatan;jumlah\n12.75.01;{value}\n", encoding="utf-8")
    os.utime(path, (time.time() - 5, time.time() - 5))  # settled


def test_restart_under_a_running_wall(cluster: PgCluster, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(live, "TIME_TICK", 0.5)  # ages re-judged every half second instead of ten
    text = config_text(cluster.url, SOURCE).replace(
        "{id: izin_terbit, label: Izin terbit, unit: izin}", "{id: izin_terbit, label: Izin terbit, unit: izin, "
        "stale_after: 4s}")
    (tmp_path / "config.yaml").write_text(text, encoding="utf-8")
    data = tmp_path / "perizinan.csv"
    put(data, 5)
    runtime = Runtime.from_path(tmp_path / "config.yaml")
    hub = runtime.hub

    def shown() -> tuple[str | None, str | None]:
        view = hub.view("utama")
        return view.get("izin--value", {}).get("children"), view.get("izin", {}).get("data-state")

    runtime.start()
    try:
        wait_for(lambda: shown() == ("5", "ok"), 30, "the first figure")
        cluster.stop()
        # The wall keeps its figure and ages into stale while the database is gone.
        wait_for(lambda: hub.store_error is not None, 20, "the hub to notice")
        wait_for(lambda: shown()[1] == "stale", 20, "stale")
        assert shown()[0] == "5"
        put(data, 7)  # delivered while the database is down
        time.sleep(1.5)  # at least one scheduled run of the 1 s source meets the dead database
        assert shown() == ("5", "stale")
        cluster.start()
        wait_for(lambda: shown() == ("7", "ok"), 60, "the figure delivered during the outage")
        wait_for(lambda: hub.store_error is None, 20, "the hub to recover")
        assert hub.stats()["store"] == "up"
        values = [r.value for r in runtime.store.latest(["izin_terbit"])["izin_terbit"]]
        assert values == [7.0]
    finally:
        runtime.stop()
