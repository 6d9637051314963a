"""The hub without a browser: one snapshot per data change for all walls, deltas only for what changed."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.clock import next_local_time
from tests.conftest import demo_config
from tests.web.conftest import Recorder
from wallboard.live import hub as live
from wallboard.live.hub import next_reload
from wallboard.records import Batch, Reading
from wallboard.runtime import Runtime
from wallboard.store import Run
from wallboard.web.serve import sse

SCREENS = """
  - id: utama
    grid: {columns: 4, rows: 2}
    panels:
      - {id: pengaduan, type: kpi, indicator: pengaduan_terbuka, at: [0, 0], size: [2, 1]}
      - {id: air, type: kpi, indicator: tinggi_muka_air, at: [2, 0], size: [2, 1]}
      - {id: tren, type: trend, indicators: [tinggi_muka_air], window: 24h, at: [0, 1], size: [4, 1]}
  - id: kedua
    grid: {columns: 2, rows: 1}
    reload_at: "04:30"
    panels:
      - {id: pengaduan2, type: kpi, indicator: pengaduan_terbuka, at: [0, 0], size: [2, 1]}
"""


def write(runtime: Runtime, indicator: str, value: float, ts: int | None = None) -> None:
    """One reading, committed and recorded as a collector run (which moves the data version)."""
    now = datetime.now(UTC)
    runtime.store.write("simulasi", Batch(readings=[Reading(indicator, "12.75", ts or int(now.timestamp()), value)]))
    runtime.store.record_run(Run("simulasi", now, now, True, 1, 0, None))


@pytest.fixture
def runtime(tmp_path: Path) -> Runtime:
    path = tmp_path / "config.yaml"
    path.write_text(demo_config(f"sqlite:///{tmp_path / 'w.db'}", screens=SCREENS), encoding="utf-8")
    rt = Runtime.from_path(path, collect=False)
    yield rt
    rt.store.close()


@pytest.fixture
def recorder(runtime: Runtime) -> Recorder:
    rec = Recorder()
    runtime.hub.listen(rec)
    return rec


def test_one_snapshot_and_one_message_per_screen_per_data_change(runtime: Runtime, recorder: Recorder) -> None:
    hub = runtime.hub
    builds = hub.builds
    for n in range(5):
        write(runtime, "pengaduan_terbuka", 10 + n)
        hub.rebuild()
    assert hub.builds - builds == 5  # one read of the store per change, for both screens
    for screen in ("utama", "kedua"):
        assert [name for name, _ in recorder.messages(screen)] == ["delta"] * 5
    seqs = [seq for _, _, seq in recorder.got]
    hub.rebuild()  # nothing new: nothing built, nothing sent
    assert hub.builds - builds == 5 and recorder.got == [] and seqs == []


def test_a_delta_carries_only_the_changed_panel(runtime: Runtime, recorder: Recorder) -> None:
    hub = runtime.hub
    write(runtime, "pengaduan_terbuka", 10)
    write(runtime, "tinggi_muka_air", 120)
    hub.rebuild()
    full = hub.view("utama")
    assert full["pengaduan--value"]["children"] == "10" and "tren--graph" in full
    recorder.got.clear()
    write(runtime, "pengaduan_terbuka", 12)
    hub.rebuild()
    [(name, data)] = recorder.messages("utama")
    assert name == "delta" and data["p"]["pengaduan--value"] == {"children": "12"}
    assert not any(cid.startswith(("air", "tren")) for cid in data["p"])


def test_a_new_trend_point_travels_as_a_patch(runtime: Runtime, recorder: Recorder) -> None:
    hub = runtime.hub
    hour = int(time.time()) // 3600 * 3600
    write(runtime, "tinggi_muka_air", 120, hour - 7200)
    write(runtime, "tinggi_muka_air", 125, hour - 3600)
    hub.rebuild()
    points = len(hub.view("utama")["tren--graph"]["figure"]["data"][0]["x"])
    recorder.got.clear()
    write(runtime, "tinggi_muka_air", 130, hour)
    hub.rebuild()
    [(_, data)] = recorder.messages("utama")
    figure = data["p"]["tren--graph"]["figure"]
    assert figure["__dash_patch_update"] == "__dash_patch_update"
    extend = [op for op in figure["operations"] if op["operation"] == "Extend"]
    assert {tuple(op["location"]) for op in extend} == {("data", 0, "x"), ("data", 0, "y")}
    assert hub.view("utama")["tren--graph"]["figure"]["data"][0]["y"][-1] == 130
    assert len(hub.view("utama")["tren--graph"]["figure"]["data"][0]["x"]) == points + 1


def test_time_ticks_reuse_the_snapshot_data(runtime: Runtime, monkeypatch) -> None:
    hub = runtime.hub
    write(runtime, "pengaduan_terbuka", 10)
    hub.rebuild()
    builds, ticks = hub.builds, hub.ticks
    monkeypatch.setattr(live, "TIME_TICK", 0.0)
    hub.rebuild()
    hub.rebuild()
    assert (hub.builds, hub.ticks) == (builds, ticks + 2)
    assert hub.snapshot.indicators["pengaduan_terbuka"].value == 10
    monkeypatch.setattr(live, "FULL_REFRESH", 0.0)  # but the store is re-read now and then
    hub.rebuild()
    assert hub.builds == builds + 1


def test_a_greeting_holds_the_full_view_and_the_seq_of_the_last_delta(runtime: Runtime, recorder: Recorder) -> None:
    hub = runtime.hub
    write(runtime, "pengaduan_terbuka", 21)
    hub.rebuild()
    seq, messages = hub.greeting("kedua")
    assert seq == recorder.got[-1][2] > 0  # a stream greeted now skips that delta: its view holds it
    hello, full = messages
    assert hello.name == "hello" and full.name == "delta"
    data = hello.payload()
    assert data["version"] == hub.version_tag and abs(data["now"] - time.time() * 1000) < 60_000
    assert data["tz"] == "Asia/Jakarta" and data["reload"] == next_local_time(data["now"], "04:30", "Asia/Jakarta")
    assert full.payload()["full"] is True and '"children":"21"' in full.data
    # what a wall reads first: the reconnect delay, then both as Server-Sent Events (web frames them)
    text = sse.greeting(messages)
    assert text == f"retry: 2000\nevent: hello\ndata: {hello.data}\n\nevent: delta\ndata: {full.data}\n\n"


def test_stop_closes_every_stream(runtime: Runtime, recorder: Recorder) -> None:
    runtime.hub.stop()
    assert recorder.got == [(None, None, 0)]


def test_a_config_change_says_hello_with_the_new_version(runtime: Runtime, recorder: Recorder) -> None:
    hub = runtime.hub
    before = hub.version_tag
    text = runtime.path.read_text().replace("name: Uji Wallboard", "name: Uji Wallboard Baru")
    runtime.path.write_text(text)
    assert runtime.reload()
    got = recorder.messages("utama")
    assert got and got[-1][0] == "hello" and recorder.got[-1][2] == 0  # never skipped
    assert got[-1][1]["version"] == hub.version_tag != before


@pytest.mark.parametrize("zone", ["Asia/Makassar", "Asia/Jayapura"])
def test_walls_reload_at_the_sites_own_clock(tmp_path: Path, zone: str) -> None:
    """A WITA or WIT site reloads at 04:00 on its own clocks, and a screen's reload_at wins."""
    text = demo_config(f"sqlite:///{tmp_path / 'w.db'}", screens=SCREENS).replace(
        "timezone: Asia/Jakarta}", f'timezone: {zone}, reload_at: "04:00"}}')
    (tmp_path / "config.yaml").write_text(text, encoding="utf-8")
    runtime = Runtime.from_path(tmp_path / "config.yaml", collect=False)
    try:
        for screen, at in (("utama", "04:00"), ("kedua", "04:30")):
            hello = runtime.hub.hello(screen)
            assert hello["tz"] == zone
            assert hello["reload"] == next_local_time(hello["now"], at, zone), (screen, zone)
    finally:
        runtime.store.close()


def test_next_reload_is_the_next_local_hh_mm() -> None:
    wib = ZoneInfo("Asia/Jakarta")
    at = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)  # 03:00 WIB on 2 March
    assert datetime.fromtimestamp(next_reload("04:00", wib, at) / 1000, wib) == datetime(2026, 3, 2, 4, 0, tzinfo=wib)
    at = datetime(2026, 3, 1, 22, 0, tzinfo=UTC)  # 05:00 WIB: tomorrow
    assert datetime.fromtimestamp(next_reload("04:00", wib, at) / 1000, wib) == datetime(2026, 3, 3, 4, 0, tzinfo=wib)
    assert next_reload(None, wib, at) is None


def test_health_reports_hub_and_stream_counters(runtime: Runtime, recorder: Recorder) -> None:
    from wallboard.web.app import create_app

    app = create_app(runtime)
    body = app.server.test_client().get("/api/health").get_json()
    assert body["hub"]["builds"] == runtime.hub.builds and body["version"] == runtime.hub.version_tag
    assert body["hub"]["walls"] == 7  # the listeners' counters
    assert body["config"]["problems"] == []


def test_three_connected_walls_do_not_triple_the_builds(tmp_path: Path, wall_server) -> None:
    """Against a real `wallboard run`: /api/health's build counter follows data changes, not walls."""
    import threading

    import httpx

    from tests.web.conftest import write_reading

    url = f"sqlite:///{tmp_path / 'w.db'}"
    server = wall_server(demo_config(url, every="1h"))
    seen: list[list[str]] = [[], [], []]
    stop = threading.Event()

    def listen(n: int) -> None:
        with httpx.stream("GET", server.url + "/api/stream/utama", timeout=30) as response:
            for line in response.iter_lines():
                seen[n].append(line)
                if stop.is_set():
                    return

    threads = [threading.Thread(target=listen, args=(n,), daemon=True) for n in range(3)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 20
    while httpx.get(server.url + "/api/health").json()["hub"]["walls"] < 3:
        assert time.monotonic() < deadline, "the walls never connected"
        time.sleep(0.1)
    before = httpx.get(server.url + "/api/health").json()["hub"]
    writes = 4
    for n in range(writes):
        write_reading(url, "tinggi_muka_air", 600 + n)
        time.sleep(0.8)  # separate data versions (the hub polls every 0.5 s)
    deadline = time.monotonic() + 20
    while not all(any('"children":"603"' in line for line in lines) for lines in seen):
        assert time.monotonic() < deadline, "a wall never got the last value"
        time.sleep(0.1)
    after = httpx.get(server.url + "/api/health").json()["hub"]
    stop.set()
    assert 1 <= after["builds"] - before["builds"] <= writes + 1  # once per data change, not once per wall
    assert after["messages"] - before["messages"] <= writes + 1  # one message per change, shared by the walls


def test_a_lost_database_is_told_as_the_link_not_as_the_sources(runtime: Runtime, monkeypatch) -> None:
    """Issue 21: the snapshot re-judged while the store is away carries since when the link is down,
    and it is cleared as soon as the store answers again."""
    hub = runtime.hub
    write(runtime, "pengaduan_terbuka", 10)
    hub.rebuild(force=True)
    assert hub.snapshot.link_down is None
    monkeypatch.setattr(live, "TIME_TICK", 0.0)

    def gone() -> int:
        raise OSError("connection refused")

    monkeypatch.setattr(runtime.store, "data_version", gone)
    before = datetime.now(UTC)
    try:
        hub.rebuild()
    except OSError as exc:
        hub._store_down(exc)  # what the hub's loop does with a failed rebuild
    assert hub.snapshot.link_down is not None and hub.snapshot.link_down >= before
    assert hub.snapshot.indicators["pengaduan_terbuka"].value == 10  # the figures stay
    monkeypatch.undo()
    hub.rebuild(force=True)
    hub.store_error = None
    assert hub.snapshot.link_down is None


def test_a_wall_without_a_status_panel_says_the_database_link_is_down(runtime: Runtime, recorder: Recorder,
                                                                     monkeypatch) -> None:
    """Issue 21 item 8: every screen (none here has a status panel) carries the banner's line
    "Koneksi basis data terputus sejak HH.MM" while the hub cannot read the store, in the site's
    time, and loses it on the first pass after the store answers again."""
    hub = runtime.hub
    write(runtime, "pengaduan_terbuka", 10)
    hub.tick()
    for screen in ("utama", "kedua"):
        assert hub.view(screen)["wall-banner"] == {"data-db": "up"}
        assert hub.view(screen)["wall-dblink"] == {"children": ""}
    recorder.messages("utama")
    monkeypatch.setattr(live, "TIME_TICK", 0.0)

    def gone() -> int:
        raise OSError("connection refused")

    monkeypatch.setattr(runtime.store, "data_version", gone)
    hub.tick()  # what the hub's loop does: the rebuild fails, the last snapshot is judged anew
    since = hub.store_down_since.astimezone(ZoneInfo("Asia/Jakarta"))
    line = f"Koneksi basis data terputus sejak {since:%H.%M}"
    for screen in ("utama", "kedua"):
        assert hub.view(screen)["wall-banner"] == {"data-db": "down"}
        assert hub.view(screen)["wall-dblink"] == {"children": line}
    [(name, data)] = recorder.messages("utama")
    assert name == "delta" and data["p"]["wall-dblink"] == {"children": line}
    assert data["p"]["wall-banner"] == {"data-db": "down"}

    monkeypatch.undo()
    monkeypatch.setattr(live, "TIME_TICK", 3600.0)  # no time tick due: the return alone clears the line
    hub.tick()
    assert hub.store_error is None
    assert hub.view("utama")["wall-banner"] == {"data-db": "up"}
    assert hub.view("kedua")["wall-dblink"] == {"children": ""}
    assert any(data["p"].get("wall-dblink") == {"children": ""} for _, data in recorder.messages("utama"))


def test_a_change_draws_only_the_panels_that_show_it_until_the_time_tick(
        runtime: Runtime, recorder: Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    """Between time ticks a change of one indicator draws the panels showing it, no other; the next
    time tick draws them all (ages, staleness), and the figures shown are the store's."""
    hub = runtime.hub
    write(runtime, "pengaduan_terbuka", 10)
    write(runtime, "tinggi_muka_air", 120)
    hub.rebuild(force=True)
    drawn: list[str] = []
    original = live.DrawnPanels.props

    def counting(self, panel, snap, at, fresh_since):  # noqa: ANN001, ANN202
        before = self.drawn
        out = original(self, panel, snap, at, fresh_since)
        if self.drawn > before:
            drawn.append(panel.config.id)
        return out

    monkeypatch.setattr(live.DrawnPanels, "props", counting)
    monkeypatch.setattr(live, "TIME_TICK", 3600.0)
    reads = runtime.hub._kept.reads
    write(runtime, "pengaduan_terbuka", 11)
    hub.rebuild()
    assert sorted(drawn) == ["pengaduan", "pengaduan2"]  # not the water level's kpi nor its trend
    assert runtime.hub._kept.reads - reads == 1  # and only that indicator read from the store
    assert hub.view("utama")["pengaduan--value"]["children"] == "11"
    assert hub.view("kedua")["pengaduan2--value"]["children"] == "11"
    drawn.clear()
    monkeypatch.setattr(live, "TIME_TICK", 0.0)  # a time tick: every panel, for the time now
    hub.rebuild()
    assert sorted(drawn) == ["air", "pengaduan", "pengaduan2", "tren"]


def test_kept_figures_follow_every_write_and_retention(runtime: Runtime, recorder: Recorder) -> None:
    """A kept figure is never older than the store: a write of an old moment, and retention removing
    the newest reading's neighbours, both move the indicator's counter and the figure is read again."""
    hub = runtime.hub
    now = int(time.time())
    write(runtime, "tinggi_muka_air", 120, ts=now - 60)
    hub.rebuild(force=True)
    write(runtime, "tinggi_muka_air", 130, ts=now - 30)
    hub.rebuild()
    assert hub.view("utama")["air--value"]["children"] == "130"
    write(runtime, "tinggi_muka_air", 99, ts=now - 3600)  # an older moment: the figure stays 130
    hub.rebuild()
    assert hub.view("utama")["air--value"]["children"] == "130"
    assert hub.snapshot.indicators["tinggi_muka_air"].value == 130


def test_a_burst_of_change_notices_is_looked_at_once_and_never_waits_past_settle_max(
        runtime: Runtime, monkeypatch) -> None:
    """A collector in another process commits its readings, then its run: one look at the store,
    after the burst. A stream of notices still gets a look every SETTLE_MAX."""
    hub = runtime.hub
    monkeypatch.setattr(live, "SETTLE", 0.3)
    monkeypatch.setattr(live, "SETTLE_MAX", 0.8)
    hub.poll = 600.0  # only notices wake it
    looks: list[float] = []  # when each look began
    looked = threading.Event()
    tick = hub.tick

    def counted() -> None:
        looks.append(time.monotonic())
        tick()
        looked.set()

    monkeypatch.setattr(hub, "tick", counted)
    hub.start()
    try:
        first = time.monotonic()
        for _ in range(5):
            hub.notify()
        assert looked.wait(10)
        assert looks[0] - first >= 0.3  # the look began once the burst had been quiet for SETTLE
        looked.clear()
        assert not looked.wait(1.0)  # and no second look followed for that burst
        assert len(looks) == 1, looks
        looks.clear()
        start = time.monotonic()
        while time.monotonic() - start < 2.5:  # a notice every 0.1 s: never quiet for SETTLE
            hub.notify()
            time.sleep(0.1)  # the pace of the notices (the stimulus), not a wait for the hub
        assert len(looks) >= 2, looks  # looks all the same, each within SETTLE_MAX of the stream's start
    finally:
        hub.stop()
        hub._thread.join(5)
