"""Live CCTV in headless Chromium: HLS and MJPEG from ffmpeg's test pattern, faults, grids, health.

The cameras are a local HTTP server thread (``tests/camera_streams.py``) serving a few seconds of
low-resolution video that ffmpeg generates once per session.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.camera_streams import FFMPEG, CameraServer, make_media
from tests.conftest import IN_CI
from tests.walls import DemoWall

pytestmark = pytest.mark.browser

CONFIG = DemoWall(database='"sqlite:///{db}"')


@pytest.fixture(scope="session")
def media(tmp_path_factory) -> Path:
    if not Path(FFMPEG).exists():
        if IN_CI:
            pytest.fail("ffmpeg not found; CI must install Debian's ffmpeg")
        pytest.skip("ffmpeg not installed")
    return make_media(tmp_path_factory.mktemp("cctv"))


@pytest.fixture
def cams(media):
    server = CameraServer(media).start()
    yield server
    server.stop()


def wait_state(page, panel: str, state: str, timeout: int = 30_000) -> None:
    page.wait_for_function(
        f"() => document.querySelector('[data-panel={panel}]')?.dataset.state === '{state}'", timeout=timeout)


def wait_until(condition, timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def start_wall(wall_server, tmp_path, screens: str):
    return wall_server(CONFIG.format(db=tmp_path / "wall.db", screens=screens))


def down_keys(server) -> list[str]:
    return [c["key"] for c in httpx.get(server.url + "/api/health").json()["cameras"]["down"]]


def test_hls_plays_goes_stale_then_error_is_reported_down_and_resumes(wall_server, page_at, tmp_path, cams):
    server = start_wall(wall_server, tmp_path, f"""
  - id: utama
    grid: {{columns: 4, rows: 2}}
    panels:
      - {{id: cctv, type: camera, url: "{cams.hls('a')}", give_up: 6s, at: [0, 0], size: [2, 2]}}
      - {{id: sumber, type: status, at: [2, 0], size: [2, 2]}}
""")
    page = page_at(1920, 1080)
    page.goto(server.url + "/wall/utama")
    wait_state(page, "cctv", "ok")
    # The video really plays: its time advances.
    t0 = page.evaluate("() => document.querySelector('[data-panel=cctv] video').currentTime")
    page.wait_for_function(
        f"() => document.querySelector('[data-panel=cctv] video').currentTime > {t0} + 1", timeout=15_000)
    assert page.evaluate("() => !!window.Hls")  # played through the hls.js shipped in the package
    wait_until(lambda: httpx.get(server.url + "/api/cameras").json()["cameras"][0]["state"] == "playing",
               what="the wall's report")

    cams.stop()
    wait_state(page, "cctv", "stale")
    assert page.is_visible("[data-panel=cctv] .camera-still")  # the last frame, greyed, with its age
    assert "tidak menjawab" in page.text_content("[data-panel=cctv] .panel-note")
    assert page.text_content("[data-panel=cctv] .camera-age").endswith("lalu")
    wait_state(page, "cctv", "error")
    assert page.is_visible("[data-panel=cctv] .camera-placeholder")
    assert not page.is_visible("[data-panel=cctv] video")
    wait_until(lambda: down_keys(server) == ["utama/cctv"], what="health listing the camera as down")
    page.wait_for_function(
        "() => document.querySelector('[data-panel=sumber] [id$=\"--cam-error\"]').textContent === 'cctv'",
        timeout=20_000)
    page.screenshot(path=str(tmp_path / "hls-down.png"))

    cams.start(port=cams.port)  # the camera comes back: the wall resumes by itself
    wait_state(page, "cctv", "ok", timeout=30_000)
    wait_until(lambda: down_keys(server) == [], what="health clearing the camera")


def test_mjpeg_frames_arrive_and_a_stream_stopping_mid_frame_ends_honestly(wall_server, page_at, tmp_path, cams):
    server = start_wall(wall_server, tmp_path, f"""
  - id: utama
    grid: {{columns: 4, rows: 2}}
    panels:
      - {{id: cctv, type: camera, url: "{cams.mjpeg('m')}", give_up: 8s, at: [0, 0], size: [2, 2]}}
""")
    page = page_at(1920, 1080)
    page.goto(server.url + "/wall/utama")
    wait_state(page, "cctv", "ok")
    assert page.get_attribute("[data-panel=cctv] .camera", "data-kind") == "mjpeg"
    first = page.get_attribute("[data-panel=cctv] img", "src")
    page.wait_for_function(f"() => document.querySelector('[data-panel=cctv] img').src !== '{first}'",
                           timeout=5_000)  # new frames keep arriving
    assert cams.open_streams["m"] == 1
    assert page.evaluate("() => !window.Hls")  # hls.js is loaded only by walls that play HLS
    scripts = page.eval_on_selector_all("script[src]", "els => els.map(e => e.src)")
    assert scripts and not any("hls" in src for src in scripts)

    cams.fault["m"] = "midframe"
    wait_state(page, "cctv", "stale")
    assert page.is_visible("[data-panel=cctv] img")  # the last whole frame, greyed
    wait_state(page, "cctv", "error")
    assert page.is_visible("[data-panel=cctv] .camera-placeholder")

    del cams.fault["m"]
    wait_state(page, "cctv", "ok", timeout=30_000)


def test_playlist_404_garbage_and_hang_each_end_in_the_placeholder(wall_server, page_at, tmp_path, cams):
    for cam, fault in (("nf", "404"), ("gb", "garbage"), ("hg", "hang")):
        cams.fault[cam] = fault
    server = start_wall(wall_server, tmp_path, f"""
  - id: utama
    grid: {{columns: 4, rows: 2}}
    panels:
      - id: grid
        type: cameras
        layout: 2x2
        give_up: 5s
        at: [0, 0]
        size: [4, 2]
        cameras:
          - {{label: Hilang, url: "{cams.hls('nf')}"}}
          - {{label: Rusak, url: "{cams.hls('gb')}"}}
          - {{label: Macet, url: "{cams.hls('hg')}"}}
          - {{label: Sehat, url: "{cams.hls('ok')}"}}
""")
    page = page_at(1920, 1080)
    page.goto(server.url + "/wall/utama")
    for n in range(3):
        page.wait_for_function(
            f"() => document.querySelector('#grid--c{n}')?.dataset.camState === 'error'", timeout=30_000)
        assert page.is_visible(f"#grid--c{n} .camera-placeholder")
    page.wait_for_function("() => document.querySelector('#grid--c3')?.dataset.camState === 'ok'", timeout=20_000)
    wait_state(page, "grid", "stale")  # some cameras down: the panel says so, the healthy one plays on
    assert "3 dari 4" in page.text_content("[data-panel=grid] .panel-note")
    wait_until(lambda: sorted(down_keys(server)) == ["utama/grid/1", "utama/grid/2", "utama/grid/3"],
               what="three cameras down")
    page.screenshot(path=str(tmp_path / "grid-faults.png"))


def test_rotated_out_cells_and_hidden_pages_hold_no_connection(wall_server, page_at, tmp_path, cams):
    cells = "\n".join(f"              - {{label: Kamera {n}, url: \"{cams.mjpeg(f'g{n}')}\"}}" for n in range(6))
    server = start_wall(wall_server, tmp_path, f"""
  - id: utama
    grid: {{columns: 4, rows: 2}}
    rotate: 4s
    pages:
      - panels:
          - id: grid
            type: cameras
            layout: 2x2
            rotate: 2s
            enlarge: 3s
            at: [0, 0]
            size: [4, 2]
            cameras:
{cells}
      - panels:
          - {{id: lain, type: camera, url: "{cams.mjpeg('p2')}", at: [0, 0], size: [2, 2]}}
""")
    page = page_at(1920, 1080)
    page.goto(server.url + "/wall/utama?page=0")  # pinned to the grid's page: only the grid rotates
    seen: set[tuple[str, ...]] = set()
    deadline = time.monotonic() + 12
    while time.monotonic() < deadline and len(seen) < 2:
        shown = page.evaluate("""() => [...document.querySelectorAll('#grid .cam-cell')]
            .filter(c => !c.classList.contains('cam-out')).map(c => c.querySelector('.camera').dataset.key)""")
        time.sleep(0.8)  # let closed connections close
        opened = {k for k, v in cams.open_streams.items() if v > 0}
        still = page.evaluate("""() => [...document.querySelectorAll('#grid .cam-cell')]
            .filter(c => !c.classList.contains('cam-out')).map(c => c.querySelector('.camera').dataset.key)""")
        if shown != still:
            continue  # rotated while we looked
        expected = {k.rsplit("/", 1)[1] for k in shown}
        expected = {f"g{int(n) - 1}" for n in expected}
        assert opened <= expected, f"rotated-out cameras still connected: {opened - expected}"
        assert sum(cams.open_streams.values()) <= 4
        seen.add(tuple(shown))
    assert len(seen) == 2, "the grid did not rotate"
    assert cams.open_streams["p2"] == 0  # the camera on the other page is not played at all

    # Enlarged: one camera over the wall, the covered ones stop.
    page.click("#grid .cam-cell:not(.cam-out)")
    wait_until(lambda: sum(v for v in cams.open_streams.values()) == 1, what="only the enlarged camera playing")
    assert page.evaluate("() => document.querySelector('.cam-big').getBoundingClientRect().width") == 1920
    page.screenshot(path=str(tmp_path / "enlarged.png"))
    page.wait_for_function("() => !document.querySelector('.cam-big')", timeout=6_000)  # back after enlarge:
    wait_until(lambda: sum(cams.open_streams.values()) >= 2, what="the grid playing again")


def test_rotating_screen_plays_only_the_page_on_show(wall_server, page_at, tmp_path, cams):
    server = start_wall(wall_server, tmp_path, f"""
  - id: utama
    grid: {{columns: 4, rows: 2}}
    rotate: 3s
    pages:
      - panels:
          - {{id: satu, type: camera, url: "{cams.mjpeg('one')}", at: [0, 0], size: [2, 2]}}
      - panels:
          - {{id: dua, type: camera, url: "{cams.mjpeg('two')}", at: [0, 0], size: [2, 2]}}
""")
    page = page_at(1920, 1080)
    page.goto(server.url + "/wall/utama")
    for _ in range(2):
        page.wait_for_function("() => window.wallboard.page === 0", timeout=10_000)
        wait_until(lambda: cams.open_streams["one"] == 1 and cams.open_streams["two"] == 0, what="page 1 only")
        page.wait_for_function("() => window.wallboard.page === 1", timeout=10_000)
        wait_until(lambda: cams.open_streams["two"] == 1 and cams.open_streams["one"] == 0, what="page 2 only")


def test_proxy_relays_with_server_side_credentials(wall_server, page_at, tmp_path, cams, monkeypatch):
    monkeypatch.setenv("CCTV_PASSWORD", "rahasia-sekali")
    cams.auth = "admin:rahasia-sekali"
    assert httpx.get(cams.mjpeg("px")).status_code == 401
    url = cams.mjpeg("px").replace("http://", "http://admin:${CCTV_PASSWORD}@")
    server = start_wall(wall_server, tmp_path, f"""
  - id: utama
    grid: {{columns: 4, rows: 2}}
    panels:
      - {{id: cctv, type: camera, url: "{url}", proxy: true, at: [0, 0], size: [2, 2]}}
""")
    page = page_at(1920, 1080)
    page.goto(server.url + "/wall/utama")
    wait_state(page, "cctv", "ok")
    assert page.get_attribute("[data-panel=cctv] .camera", "data-url") == "/api/cameras/feed/utama/cctv"
    html = page.content() + httpx.get(server.url + "/wall/utama").text
    assert "rahasia" not in html and "CCTV_PASSWORD" not in html and f"127.0.0.1:{cams.port}" not in html
    assert cams.open_streams["px"] == 1  # through the server


def test_mjpeg_without_cors_plays_in_the_img_and_is_still_judged(wall_server, page_at, tmp_path, cams):
    cams.cors = False  # most cameras send no Access-Control-Allow-Origin: the stream cannot be read by script
    server = start_wall(wall_server, tmp_path, f"""
  - id: utama
    grid: {{columns: 4, rows: 2}}
    panels:
      - {{id: cctv, type: camera, url: "{cams.mjpeg('nc')}", every: 2s, give_up: 6s, at: [0, 0], size: [2, 2]}}
""")
    page = page_at(1920, 1080)
    page.goto(server.url + "/wall/utama")
    wait_state(page, "cctv", "ok")
    assert page.get_attribute("[data-panel=cctv] img", "src").startswith(cams.mjpeg("nc") + "?_wb=")
    wait_until(lambda: cams.open_streams["nc"] == 1, what="the <img> holding the stream")
    cams.stop()
    wait_state(page, "cctv", "stale")
    wait_state(page, "cctv", "error")
    cams.start(port=cams.port)
    wait_state(page, "cctv", "ok", timeout=30_000)
