"""Every web process learns of a change through PostgreSQL LISTEN/NOTIFY, not by polling."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import create_engine

from tests.conftest import demo_config
from wallboard.records import Batch, Reading
from wallboard.store import Run, Store
from wallboard.store.changes import ChangeFeed
from wallboard.store.schema import metadata

pytestmark = pytest.mark.postgres


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def record(store: Store, value: float) -> None:
    now = datetime.now(UTC)
    store.write("simulasi", Batch(readings=[Reading("pengaduan_terbuka", "12.75", int(now.timestamp()), value)]))
    store.record_run(Run("simulasi", now, now, True, 1, 0, None))


@pytest.fixture
def pg_store(pg_database: str):
    engine = create_engine(pg_database)
    metadata.drop_all(engine)
    engine.dispose()
    store = Store.open(pg_database)
    yield store
    store.close()


def test_a_recorded_run_is_announced(pg_store: Store) -> None:
    calls: list[float] = []
    feed = ChangeFeed(pg_store.engine, lambda: calls.append(time.monotonic())).start()
    try:
        wait_for(feed.connected.is_set, 10, "the feed never connected")
        wait_for(lambda: calls, 5, "no call on connecting")  # it catches up on what it missed
        calls.clear()
        record(pg_store, 1)
        wait_for(lambda: feed.notified == 1 and len(calls) == 1, 5, "the run was not announced")
    finally:
        feed.stop()


def test_two_web_processes_get_a_change_through_notify(pg_store: Store, pg_database: str, wall_server,
                                                       tmp_path) -> None:  # noqa: ANN001
    config = demo_config(pg_database, every="1h")
    first = wall_server(config)
    second_dir = tmp_path / "second"
    second_dir.mkdir()
    (second_dir / "config.yaml").write_text(config, encoding="utf-8")
    from tests.conftest import WallServer, free_port

    second = WallServer(second_dir / "config.yaml", free_port()).start()
    try:
        servers = [first, second]

        def hub(server) -> dict:  # noqa: ANN001
            return httpx.get(server.url + "/api/health", timeout=5).json()["hub"]

        wait_for(lambda: all(hub(s)["changes"] == "notify" for s in servers), 20, "a process is not listening")
        for value in (501, 502, 503):
            before = [hub(s)["notified"] for s in servers]
            record(pg_store, value)
            version = pg_store.data_version()

            def told(version: int = version) -> bool:
                return all(httpx.get(s.url + "/api/health").json()["data_version"] == version for s in servers)

            wait_for(told, 1.5, "a process was not told of the change at once")
            assert all(hub(s)["notified"] > b for s, b in zip(servers, before, strict=True))
    finally:
        second.stop()
