"""The wall in headless Chromium: live link, banner, recovery, display split, rotation, config reloads."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import demo_config
from tests.web.conftest import write_reading

pytestmark = pytest.mark.browser

SPLIT = """
  - id: utama
    grid: {columns: 4, rows: 2}
    displays: [2, 1]
    bezel: [40, 0]
    panels:
      - {id: kiri, type: kpi, indicator: pengaduan_terbuka, at: [0, 0], size: [2, 2]}
      - {id: kanan, type: kpi, indicator: tinggi_muka_air, at: [2, 0], size: [2, 2]}
  - id: tinggi
    grid: {columns: 1, rows: 2}
    displays: [1, 2]
    bezel: [0, 30]
    panels:
      - {id: atas, type: kpi, indicator: pengaduan_terbuka, at: [0, 0]}
      - {id: bawah, type: kpi, indicator: tinggi_muka_air, at: [0, 1]}
"""

PAGES = """
  - id: utama
    grid: {columns: 2, rows: 1}
    rotate: 4s
    reload_at: "04:00"
    pages:
      - panels:
          - {id: satu, type: kpi, indicator: pengaduan_terbuka, at: [0, 0]}
          - {id: dua, type: kpi, indicator: tinggi_muka_air, at: [1, 0]}
      - panels:
          - {id: tiga, type: trend, indicators: [tinggi_muka_air], window: 24h, at: [0, 0], size: [2, 1]}
"""


def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'wall.db'}"


def open_wall(page_at, server, path: str = "/wall/utama", width: int = 1280, height: int = 720):
    page = page_at(width, height)
    page.goto(server.url + path)
    page.wait_for_selector("#wall [data-panel][data-state]", state="attached")
    page.wait_for_function("() => window.wallboard && window.wallboard.stats.hellos > 0")
    page.evaluate("() => { window.__noReload = 'still here'; }")
    return page


def link_state(page) -> str:
    return page.get_attribute("#wall", "data-link")


def value_of(page, panel: str) -> str:
    return page.text_content(f"#{panel} [data-role=value]")


def test_skeleton_end_to_end(tmp_path: Path, wall_server, page_at) -> None:
    """`wallboard run` on a fresh config and database: every panel on screen, live values, no reload."""
    server = wall_server(demo_config(db(tmp_path), every="1h"))
    page = open_wall(page_at, server, width=1920, height=1080)
    panels = page.evaluate("""() => [...document.querySelectorAll('[data-panel]')].map(el => {
        const r = el.getBoundingClientRect();
        return {id: el.dataset.panel, state: el.dataset.state, inside: r.left >= 0 && r.top >= 0 &&
                r.right <= innerWidth && r.bottom <= innerHeight && r.width > 0 && r.height > 0};
    })""")
    assert {p["id"] for p in panels} == {"pengaduan", "air", "tren"}
    assert all(p["inside"] for p in panels), panels
    assert all(p["state"] in {"ok", "warning", "critical", "stale", "nodata", "error"} for p in panels), panels
    assert link_state(page) == "live"
    assert value_of(page, "air") != "777"
    write_reading(db(tmp_path), "tinggi_muka_air", 777)
    page.wait_for_function("() => document.querySelector('#air [data-role=value]').textContent === '777'")
    assert page.get_attribute("#air", "data-state") == "critical"  # 777 cm is above the critical 320
    assert page.evaluate("() => window.__noReload") == "still here"
    page.screenshot(path=str(tmp_path / "skeleton.png"))


def test_a_new_trend_point_is_appended_in_the_browser(tmp_path: Path, wall_server, page_at) -> None:
    server = wall_server(demo_config(db(tmp_path), every="1h"))
    page = open_wall(page_at, server)
    graph = "document.querySelector('#tren--graph .js-plotly-plot')"
    page.wait_for_function(f"() => {graph} && {graph}.data[0].x.length > 0")
    before = page.evaluate(f"() => [{graph}.data[0].x.length, window.wallboard.stats.patches]")
    next_hour = (int(time.time()) // 3600 + 1) * 3600  # a bucket the trend does not have yet
    # at a kecamatan, as the simulator reports it (a city-wide figure would start a series of its own)
    write_reading(db(tmp_path), "tinggi_muka_air", 300.5, ts=next_hour, region="12.75.01")
    page.wait_for_function(f"() => {graph}.data[0].x.length === {before[0] + 1}")
    after = page.evaluate(f"() => [{graph}.data[0].y.at(-1), window.wallboard.stats.patches]")
    assert after[0] == 300.5
    assert after[1] > before[1]  # it came as a patch, not as a whole new figure
    assert page.evaluate("() => window.__noReload") == "still here"


def test_dash_applies_a_sliding_window_patch(tmp_path: Path, wall_server, page_at) -> None:
    """The Delete/Assign/Extend operations diff.py emits mean in Dash what the unit tests assume."""
    from wallboard.live.diff import figure_patch

    server = wall_server(demo_config(db(tmp_path), every="1h"))
    page = open_wall(page_at, server)
    graph = "document.querySelector('#tren--graph .js-plotly-plot')"
    page.wait_for_function(f"() => {graph} && {graph}.data[0].x.length > 5")
    old = page.evaluate("() => JSON.parse(JSON.stringify(window.dash_clientside ? "
                        "document.querySelector('#tren--graph .js-plotly-plot') && "
                        "{data: [{x: document.querySelector('#tren--graph .js-plotly-plot').data[0].x, "
                        "y: document.querySelector('#tren--graph .js-plotly-plot').data[0].y}]} : null))")
    trace = old["data"][0]
    new_x = trace["x"][3:] + ["2099-01-01 00:00:00", "2099-01-01 01:00:00"]
    new_y = trace["y"][3:-1] + [1.5, 2.5, 3.5]
    patch = figure_patch({"data": [trace], "layout": {}}, {"data": [{"x": new_x, "y": new_y}], "layout": {}})
    assert "operations" in patch
    page.evaluate("p => window.dash_clientside.set_props('tren--graph', {figure: p})", patch)
    page.wait_for_function(f"() => {graph}.data[0].x.at(-1) === '2099-01-01 01:00:00'")
    shown = page.evaluate(f"() => [{graph}.data[0].x, {graph}.data[0].y]")
    assert shown == [new_x, new_y]


def test_banner_when_the_server_stops_and_recovery_on_the_same_port(tmp_path: Path, wall_server, page_at) -> None:
    server = wall_server(demo_config(db(tmp_path), every="1h"))
    page = open_wall(page_at, server, "/wall/utama?offline_after=6")
    assert not page.is_visible("#wall-banner")
    server.stop()
    page.wait_for_function("() => document.getElementById('wall').dataset.link === 'reconnecting'", timeout=5000)
    assert page.is_visible("#wall-banner")
    # offline_after=6: the first failed retry after 6 s says so; retries back off with jitter (up to
    # ~11 s here), and CI runs two test workers beside this browser, so allow for a late retry.
    page.wait_for_function("() => document.getElementById('wall').dataset.link === 'offline'", timeout=30000)
    assert page.is_visible("#wall-banner .banner-offline") and not page.is_visible("#wall-banner .banner-reconnecting")
    assert re.fullmatch(r"\d\d[.:]\d\d", page.text_content("#wall-banner-since"))  # when figures last arrived
    page.screenshot(path=str(tmp_path / "offline.png"))
    server.start()
    write_reading(db(tmp_path), "tinggi_muka_air", 654)
    page.wait_for_function("() => document.getElementById('wall').dataset.link === 'live'", timeout=20000)
    page.wait_for_function("() => document.querySelector('#air [data-role=value]').textContent === '654'")
    assert not page.is_visible("#wall-banner")
    assert page.evaluate("() => window.__noReload") == "still here"  # caught up without a reload
    assert page.evaluate("() => window.wallboard.stats.connects") >= 2


def test_a_hung_server_is_noticed_by_its_silence(tmp_path: Path, wall_server, page_at) -> None:
    """SIGSTOP keeps the socket open but nothing arrives: the heartbeat watchdog raises the banner
    after 2.5 heartbeats (site.heartbeat, told to the wall in its hello)."""
    import signal

    server = wall_server(demo_config(db(tmp_path), every="1h", heartbeat="2s"))
    page = open_wall(page_at, server)
    page.wait_for_function("() => window.wallboard.stats.heartbeats >= 1")  # it beats every 2 s
    server.process.send_signal(signal.SIGSTOP)
    try:
        page.wait_for_function("() => document.getElementById('wall').dataset.link === 'reconnecting'",
                               timeout=8000)
    finally:
        server.process.send_signal(signal.SIGCONT)
    page.wait_for_function("() => document.getElementById('wall').dataset.link === 'live'", timeout=20000)
    assert page.evaluate("() => window.__noReload") == "still here"


def test_display_split_shows_its_part_with_bezels(tmp_path: Path, wall_server, page_at) -> None:
    server = wall_server(demo_config(db(tmp_path), every="1h", screens=SPLIT))
    boxes = """() => Object.fromEntries(['wall-canvas', 'kiri', 'kanan', 'atas', 'bawah']
        .filter(id => document.getElementById(id))
        .map(id => { const r = document.getElementById(id).getBoundingClientRect();
                     return [id, [r.left, r.top, r.right, r.bottom]]; }))"""
    right = open_wall(page_at, server, "/wall/utama?display=1,0", 960, 540)
    got = right.evaluate(boxes)
    assert got["wall-canvas"] == [-1000, 0, 960, 540]  # two windows wide plus the 40 px bezel, shifted
    assert got["kiri"][2] < 0  # the left half is off this display
    assert got["kanan"][0] >= -40 and got["kanan"][2] <= 960  # the right half fills it
    assert right.get_attribute("#wall", "data-display") == "1,0"
    right.screenshot(path=str(tmp_path / "display-1-0.png"))

    left = open_wall(page_at, server, "/wall/utama?display=0,0", 960, 540)
    got = left.evaluate(boxes)
    assert got["wall-canvas"] == [0, 0, 1960, 540]
    assert got["kiri"][0] >= 0 and got["kanan"][0] > 960

    bottom = open_wall(page_at, server, "/wall/tinggi?display=0,1", 960, 540)
    got = bottom.evaluate(boxes)
    assert got["wall-canvas"] == [0, -570, 960, 540]  # 540 + 30 px bezel above
    assert got["atas"][3] < 0 and got["bawah"][1] >= -30
    # type is sized for the whole wall's height: (2 x 540 + 30) / 54 px per rem
    assert bottom.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)") == \
        pytest.approx((2 * 540 + 30) / 54, abs=0.05)

    home = page_at(960, 540)
    home.goto(server.url + "/")
    home.wait_for_selector("a[href='/wall/utama?display=1,0']")  # one link per display to open on each PC
    assert home.locator("a[href^='/wall/tinggi?display=']").count() == 2

    nonsense = open_wall(page_at, server, "/wall/utama?display=7,x", 960, 540)
    assert nonsense.evaluate(boxes)["wall-canvas"][0] == 0  # an impossible display shows the first one


def test_pages_rotate_and_every_visible_panel_keeps_the_contract(tmp_path: Path, wall_server, page_at) -> None:
    server = wall_server(demo_config(db(tmp_path), every="1h", screens=PAGES))
    page = open_wall(page_at, server)
    pinned = open_wall(page_at, server, "/wall/utama?page=1")
    # One condition, read in one round trip: the page number, the panels visible once the
    # cross-fade is over, and the states of the active page's panels all belong to the same moment
    # (the page may turn again right after, but not between the parts of this reading).
    moment = """wanted => {
        const wall = document.getElementById('wall');
        const visible = [...document.querySelectorAll('[data-panel]')]
            .filter(el => getComputedStyle(el).visibility === 'visible').map(el => el.dataset.panel).sort().join(',');
        const states = [...document.querySelectorAll('.wall-page.active [data-panel]')].map(el => el.dataset.state);
        return wall.dataset.page === wanted[0] && visible === wanted[1] ? {visible, states} : null;
    }"""
    seen = []
    for _ in range(2):
        for wanted, names in (("0", "dua,satu"), ("1", "tiga")):
            got = page.wait_for_function(moment, arg=[wanted, names], timeout=12000).json_value()
            seen.append(got["visible"])
            states = got["states"]
            assert len(states) == len(names.split(",")) and all(states), states
    assert seen == ["dua,satu", "tiga", "dua,satu", "tiga"]
    # the daily soft reload is scheduled for the next 04:00 in the site's zone (WIB)
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from wallboard.live.hub import next_reload

    assert page.evaluate("() => window.wallboard.reloadAt") == next_reload("04:00", ZoneInfo("Asia/Jakarta"),
                                                                            datetime.now(UTC))
    assert abs(page.evaluate("() => window.wallboard.serverOffsetMs")) < 5000  # same machine, same clock
    assert page.evaluate("() => window.__noReload") == "still here"

    # The pinned wall, open through all those turns, stays on its page while the other shows page 0
    # (bracketed: the rotating wall is still on that turn after the pinned one was read).
    page.wait_for_function(moment, arg=["0", "dua,satu"], timeout=12000)
    assert pinned.get_attribute("#wall", "data-page") == "1"
    assert page.evaluate("() => window.wallboard.page") == 0
    assert pinned.get_attribute("#wall", "data-rotate") == "0"
    assert pinned.evaluate("() => window.__noReload") == "still here"


def test_a_valid_config_edit_reloads_the_open_wall(tmp_path: Path, wall_server, page_at) -> None:
    text = demo_config(db(tmp_path), every="1h")
    server = wall_server(text)
    page = open_wall(page_at, server)
    version = page.get_attribute("#wall", "data-version")
    assert page.text_content("#pengaduan .panel-title") == "Pengaduan terbuka"
    server.config_path.write_text(text.replace("label: Pengaduan terbuka", "label: Aduan warga"), encoding="utf-8")
    page.wait_for_function("() => window.__noReload === undefined", timeout=15000)  # it reloaded itself
    page.wait_for_selector("#wall [data-panel]")
    assert page.text_content("#pengaduan .panel-title") == "Aduan warga"
    assert page.get_attribute("#wall", "data-version") != version


def test_a_broken_config_edit_leaves_the_wall_running(tmp_path: Path, wall_server, page_at) -> None:
    text = demo_config(db(tmp_path), every="1h")
    server = wall_server(text)
    page = open_wall(page_at, server)
    version = page.get_attribute("#wall", "data-version")
    server.config_path.write_text(text.replace("grid: {columns: 4, rows: 2}", "grid: {columns: 4, rows: 2, bad: 1}")
                                  .replace("label: Pengaduan terbuka", "label: Aduan warga"), encoding="utf-8")
    deadline = time.monotonic() + 15
    while not httpx.get(server.url + "/api/health").json()["config"]["problems"]:
        assert time.monotonic() < deadline, "the broken config was never noticed"
        time.sleep(0.3)
    problems = httpx.get(server.url + "/api/health").json()["config"]["problems"]
    assert any("bad" in p for p in problems), problems
    write_reading(db(tmp_path), "tinggi_muka_air", 555)
    page.wait_for_function("() => document.querySelector('#air [data-role=value]').textContent === '555'")
    assert page.evaluate("() => window.__noReload") == "still here"
    assert link_state(page) == "live"
    assert page.text_content("#pengaduan .panel-title") == "Pengaduan terbuka"  # the last good config
    assert page.get_attribute("#wall", "data-version") == version
    # A fresh visit still gets the last good wall.
    fresh = open_wall(page_at, server)
    assert fresh.text_content("#pengaduan .panel-title") == "Pengaduan terbuka"


def test_a_server_back_with_other_code_reloads_the_wall(tmp_path: Path, wall_server, page_at) -> None:
    """An upgrade is a restart with another version: the wall reloads itself once it answers."""
    server = wall_server(demo_config(db(tmp_path), every="1h"))
    page = open_wall(page_at, server)
    current = page.get_attribute("#wall", "data-version")
    # Pretend this page was built by the previous release.
    page.evaluate("() => document.getElementById('wall').setAttribute('data-version', '0.0.0+old')")
    server.stop()
    page.wait_for_function("() => document.getElementById('wall').dataset.link !== 'live'", timeout=5000)
    assert page.evaluate("() => window.__noReload") == "still here"  # no reload while the server is away
    server.start()
    page.wait_for_function("() => window.__noReload === undefined", timeout=30000)
    page.wait_for_selector("#wall [data-panel][data-state]", state="attached")
    assert page.get_attribute("#wall", "data-version") == current
    assert page.get_attribute("#wall", "data-link") == "live"


def test_a_wall_without_a_status_panel_shows_the_database_link_down_and_clears_it(
        tmp_path: Path, wall_server, page_at) -> None:
    """Issue 21 item 8 in the browser: the hub's line (``wall_props`` of a snapshot whose link is down,
    applied as the stream applies every delta) shows in the banner of a wall that has no status
    panel, over a live link, and goes when the hub says the link is back."""
    import dataclasses
    from datetime import UTC, datetime

    from wallboard.config import parse_config
    from wallboard.live.views import wall_props
    from wallboard.snapshot import Snapshot

    text = demo_config(db(tmp_path), every="1h")
    config = parse_config(text, str(tmp_path / "config.yaml"), base=tmp_path).config
    assert not any(p.type == "status" for s in config.screens for p in s.all_panels())
    server = wall_server(text)
    page = open_wall(page_at, server)
    assert not page.is_visible("#wall-banner")
    snap = Snapshot(datetime(2026, 12, 2, 7, 5, tzinfo=UTC), 1, {}, {}, {}, {})
    down = wall_props(dataclasses.replace(snap, link_down=datetime(2026, 12, 2, 7, 3, tzinfo=UTC)), config)
    page.evaluate("p => { for (const id in p) window.dash_clientside.set_props(id, p[id]); }", down)
    page.wait_for_selector("#wall-banner", state="visible", timeout=5000)
    assert link_state(page) == "live"
    assert page.inner_text("#wall-banner").strip() == "Koneksi basis data terputus sejak 14.03"
    assert not page.is_visible("#wall-banner .banner-reconnecting")  # this server is reachable, its database not
    page.screenshot(path=str(tmp_path / "dblink.png"))
    page.evaluate("p => { for (const id in p) window.dash_clientside.set_props(id, p[id]); }", wall_props(snap, config))
    page.wait_for_selector("#wall-banner", state="hidden", timeout=5000)
