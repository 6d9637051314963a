"""``/metrics``: Prometheus text, every name ``wallboard_*``, collector figures read from the store
(so a web process that does not collect reports them), indicator ages, walls, builds, and the
fan-out latency observed by the streams.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import WallServer, demo_config, free_port
from tests.web.conftest import run
from tests.web.test_hub import SCREENS, write
from tests.web.test_streams import Client, scope, until
from wallboard.runtime import Runtime
from wallboard.store import Run
from wallboard.web.app import create_app
from wallboard.web.serve.metrics import FANOUT_SECONDS
from wallboard.web.serve.streams import Fanout, StreamEndpoint


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    path = tmp_path / "config.yaml"
    path.write_text(demo_config(f"sqlite:///{tmp_path / 'w.db'}", screens=SCREENS), encoding="utf-8")
    rt = Runtime.from_path(path, collect=False)
    yield rt
    rt.store.close()


def samples(text: str) -> dict[tuple[str, tuple], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def scrape(runtime: Runtime) -> tuple[str, dict]:
    answer = create_app(runtime).server.test_client().get("/metrics")
    assert answer.status_code == 200 and answer.content_type.startswith("text/plain; version=")
    text = answer.get_data(as_text=True)
    return text, samples(text)


def test_collector_runs_failures_durations_and_ages(runtime: Runtime) -> None:
    t = datetime.now(UTC) - timedelta(seconds=30)
    store = runtime.store
    store.record_run(Run("simulasi", t, t + timedelta(seconds=1.5), True, 10, 0, None))
    store.record_run(Run("simulasi", t, t + timedelta(seconds=2), False, 0, 0, "timeout", 1, t))
    store.record_run(Run("simulasi", t, t + timedelta(seconds=2.5), False, 0, 0, "timeout", 2, t))
    write(runtime, "pengaduan_terbuka", 12, ts=int(time.time()) - 600)
    runtime.hub.rebuild(force=True)
    text, got = scrape(runtime)
    names = {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE")}
    assert names and all(n.startswith("wallboard_") for n in names)
    src = (("source", "simulasi"),)
    assert got[("wallboard_collector_runs_total", src)] == 4  # three above and write()'s own
    assert got[("wallboard_collector_failures_total", src)] == 2
    assert got[("wallboard_collector_consecutive_failures", src)] == 0  # write()'s run succeeded last
    store.record_run(Run("simulasi", t, t + timedelta(seconds=3), False, 0, 0, "timeout", 1, t))
    _, got = scrape(runtime)
    assert got[("wallboard_collector_failures_total", src)] == 3
    assert got[("wallboard_collector_consecutive_failures", src)] == 1
    assert got[("wallboard_collector_last_duration_seconds", src)] == pytest.approx(3.0)
    assert got[("wallboard_store_up", ())] == 1
    age = got[("wallboard_indicator_data_age_seconds", (("indicator", "pengaduan_terbuka"),))]
    assert 590 <= age <= 700
    assert got[("wallboard_snapshot_builds_total", ())] == runtime.hub.builds >= 1
    assert got[("wallboard_walls_connected", ())] == 0


def test_a_scrape_answers_while_the_store_is_unreachable(runtime: Runtime, monkeypatch) -> None:
    def down(*_a, **_k):  # noqa: ANN002, ANN003
        raise ConnectionError("server closed the connection unexpectedly")

    monkeypatch.setattr(runtime.store, "run_counts", down)
    _, got = scrape(runtime)
    assert got[("wallboard_store_up", ())] == 0
    assert ("wallboard_walls_connected", ()) in got


def test_walls_and_fanout_latency(runtime: Runtime) -> None:
    hub = runtime.hub
    fanout = Fanout(hub)
    endpoint = StreamEndpoint(runtime, fanout)
    app = create_app(runtime).server.test_client()
    count = ("wallboard_update_fanout_seconds_count", ())

    async def main() -> None:
        client = Client()
        task = asyncio.ensure_future(endpoint(scope("kedua"), client.receive, client.send))
        await until(lambda: b'"full":true' in client.body)
        before = samples(app.get("/metrics").get_data(as_text=True))
        assert before[("wallboard_walls_connected", ())] == 1
        await asyncio.to_thread(write, runtime, "pengaduan_terbuka", 33)
        await asyncio.to_thread(hub.rebuild)
        await until(lambda: b'"children":"33"' in client.body)
        after = samples(app.get("/metrics").get_data(as_text=True))
        assert after[count] == before.get(count, 0) + 1  # one message, one wall: one observation
        assert 0 < after[("wallboard_update_fanout_seconds_sum", ())] - before.get(
            ("wallboard_update_fanout_seconds_sum", ()), 0) < 1
        client.disconnect.set()
        await asyncio.wait_for(task, 5)

    run(main())
    assert FANOUT_SECONDS._sum.get() > 0  # noqa: SLF001


def test_a_web_process_that_does_not_collect_reports_the_collector(tmp_path: Path) -> None:
    """`wallboard run --no-collect` beside `wallboard collect`: the runs come from the store."""
    url = f"sqlite:///{tmp_path / 'w.db'}"
    config = tmp_path / "config.yaml"
    config.write_text(demo_config(url, every="1s"), encoding="utf-8")
    port = free_port()
    log = open(tmp_path / "server.log", "ab")  # noqa: SIM115
    web = subprocess.Popen([sys.executable, "-m", "wallboard.cli", "run", "--no-collect", "--config", str(config),
                            "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    collect = None
    try:
        server = WallServer(config, port)
        deadline = time.monotonic() + 30
        while True:
            assert web.poll() is None and time.monotonic() < deadline, server.log()
            try:
                if httpx.get(server.url + "/metrics", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        src = (("source", "simulasi"),)
        time.sleep(1.5)  # a collecting web process would have run the 1 s source by now
        assert samples(httpx.get(server.url + "/metrics").text).get(("wallboard_collector_runs_total", src)) == 0
        collect = subprocess.Popen([sys.executable, "-m", "wallboard.cli", "collect", "--config", str(config)],
                                   stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
        deadline = time.monotonic() + 30
        while samples(httpx.get(server.url + "/metrics").text).get(("wallboard_collector_runs_total", src), 0) < 2:
            assert time.monotonic() < deadline, server.log()
            time.sleep(0.2)
    finally:
        for process in (collect, web):
            if process is not None:
                process.terminate()
                process.wait(10)
