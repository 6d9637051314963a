"""Cameras on the server: validation, kinds, the walls' reports, health listings, probes and the relay.

No browser here: the report endpoint and relay are driven through Flask's test client, the
cameras are the ffmpeg-made fake cameras of ``tests/camera_streams.py`` on a local thread.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.camera_streams import FFMPEG, CameraServer, make_media
from tests.conftest import IN_CI
from tests.panels.helpers import snap, wall
from tests.walls import DemoWall
from wallboard.cameras import kinds
from wallboard.cameras.catalog import cameras_in
from wallboard.cameras.feeds import kind_from_content_type, kind_from_url
from wallboard.cameras.health import BOARD, HealthBoard
from wallboard.cameras.probe import check, probe_all
from wallboard.config.loader import ConfigError, parse_config

AJAX = {"X-Requested-With": "wallboard"}  # what the site's own scripts send with JSON (CSRF)

CONFIG = DemoWall(database='"sqlite:///{db}"', grid="{columns: 4, rows: 4}")


def problems(panels: str) -> list[str]:
    with pytest.raises(ConfigError) as err:
        parse_config(CONFIG.format(db="x.db", panels=panels), base=Path.cwd())
    return [str(p) for p in err.value.problems]


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> Path:
    if not Path(FFMPEG).exists():
        if IN_CI:
            pytest.fail("ffmpeg not found; CI must install Debian's ffmpeg")
        pytest.skip("ffmpeg not installed")
    return make_media(tmp_path_factory.mktemp("cctv"), seconds=3)


@pytest.fixture
def cams(media):
    server = CameraServer(media).start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def clean_board():
    BOARD.clear()
    kinds._cache.clear()
    yield
    BOARD.clear()


# validation ------------------------------------------------------------------------------------

def test_rtsp_is_refused_with_the_gateway_named():
    (line,) = problems('      - {id: c, type: camera, url: "rtsp://10.0.0.5:554/stream1", at: [0, 0]}')
    assert line.startswith("config.yaml:12:") and "screens[0].panels[0].url" in line
    assert "MediaMTX" in line and ".m3u8" in line and "docs/cameras.md" in line


def test_credentials_in_a_url_need_the_relay():
    (line,) = problems('      - {id: c, type: camera, url: "http://admin:pw@10.0.0.5/snap.jpg", at: [0, 0]}')
    assert "proxy: true" in line and "screens[0].panels[0].url" in line
    (line,) = problems('      - {id: c, type: camera, url: "http://admin:pw@10.0.0.5/snap.jpg", proxy: true,'
                       ' at: [0, 0]}')
    assert "${VARIABLE}" in line  # a literal password stays out of config.yaml
    (line,) = problems('      - {id: c, type: camera, url: "http://10.0.0.5/snap.jpg?key=${KEY}", at: [0, 0]}')
    assert "proxy: true" in line
    (line,) = problems("      - {id: g, type: cameras, at: [0, 0], size: [2, 2], cameras: "
                       '[{url: "http://a/x.jpg"}, {url: "http://u:${P}@b/live.m3u8", proxy: true}]}')
    assert "screens[0].panels[0].cameras[1].url" in line and "MediaMTX" in line  # no HLS relay
    config = parse_config(CONFIG.format(db="x.db", panels='      - {id: c, type: camera, proxy: true, '
                                        'url: "http://admin:${CAM_PW}@10.0.0.5/snap.jpg", at: [0, 0]}'),
                          base=Path.cwd()).config
    assert cameras_in(config)["utama/c"].proxy


def test_grid_keys_are_checked():
    assert any("panels[0].layout: Input should be" in p for p in problems(
        '      - {id: g, type: cameras, layout: 5x5, at: [0, 0], cameras: [{url: "http://a/x.jpg"}]}'))
    assert any("cameras" in p for p in problems('      - {id: g, type: cameras, at: [0, 0], cameras: []}'))


# kinds -----------------------------------------------------------------------------------------

def test_kind_from_url_and_content_type():
    assert kind_from_url("http://cctv.binjaikota.go.id/live/simpang/index.m3u8") == "hls"
    assert kind_from_url("http://10.0.0.5/video.mjpg") == "mjpeg"
    assert kind_from_url("http://10.0.0.5:8080/?action=stream") == "mjpeg"
    assert kind_from_url("http://10.0.0.5/snap.jpg") == "snapshot"
    assert kind_from_url("http://10.0.0.5/cgi-bin/camera") is None
    assert kind_from_content_type("multipart/x-mixed-replace; boundary=frame") == "mjpeg"
    assert kind_from_content_type("application/vnd.apple.mpegurl") == "hls"
    assert kind_from_content_type("image/jpeg") == "snapshot"


def test_kind_asked_of_the_camera_when_the_url_does_not_say(cams):
    # /cgi/<cam>?as=m|h|s answers as an MJPEG, a playlist or a snapshot: only the answer tells.
    urls = [f"{cams.url}/cgi/x?as=m", f"{cams.url}/cgi/y?as=h", f"{cams.url}/cgi/z?as=s"]
    assert [kind_from_url(u) for u in urls] == [None, None, None]
    assert kinds.resolve([(u, None, False) for u in urls]) == ["mjpeg", "hls", "snapshot"]
    assert kinds.resolve([(urls[0], "hls", False)]) == ["hls"]  # kind: given wins
    cams.fault["q"] = "hang"
    started = time.monotonic()
    assert kinds.resolve([(f"{cams.url}/cgi/q?as=m", None, False)]) == ["snapshot"]  # unanswered: an <img>
    assert time.monotonic() - started < kinds.ASK_TIMEOUT + 1.5


def test_grid_panel_resolves_kinds_and_names_cameras():
    _, (grid,) = wall("      - {id: g, type: cameras, layout: 2x2, rotate: 10s, at: [0, 0], size: [4, 4], cameras: ["
                      "{url: 'http://a/x.m3u8', label: Simpang Tugu}, {id: jembatan, url: 'http://b/video.mjpg'},"
                      " {url: 'http://c/s.jpg'}, {url: 'http://d/s.jpg'}, {url: 'http://e/s.png'}]}")
    text = str(grid.body())
    assert "data-kind='hls'" in text and "data-kind='mjpeg'" in text
    assert "data-key='utama/g/1'" in text and "data-key='utama/g/jembatan'" in text
    assert "data-rotate='10000'" in text and "data-per='4'" in text
    assert "Simpang Tugu" in text


# health ----------------------------------------------------------------------------------------

def test_board_keeps_the_freshest_report_and_forgets_old_ones():
    board = HealthBoard(expire=60)
    assert board.put("a", "playing", now=1000)
    assert not board.put("a", "playing", now=1010)
    assert board.put("a", "error", since=1005, now=1020)
    assert [r.key for r in board.down(now=1030)] == ["a"]
    assert board.down(now=1030)[0].since == 1005
    assert board.down(now=1081) == [] and board.current(now=1081) == {}


@pytest.fixture
def app(tmp_path):
    from wallboard.runtime import Runtime
    from wallboard.web.app import create_app

    panels = """      - {id: cctv, type: camera, url: "http://10.0.0.5/snap.jpg", at: [0, 0], size: [2, 2]}
      - {id: sumber, type: status, at: [2, 0], size: [2, 4]}
      - {id: grid, type: cameras, at: [0, 2], size: [2, 2], cameras: [{label: Simpang, url: "http://a/x.m3u8"},
          {label: Pasar, url: "http://b/y.m3u8"}]}"""
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG.format(db=tmp_path / "w.db", panels=panels))
    runtime = Runtime.from_path(path, collect=False)
    application = create_app(runtime)
    yield application.server.test_client(), runtime
    runtime.scheduler.shutdown()
    runtime.store.close()


def test_reports_reach_health_and_the_status_panel(app):
    client, runtime = app
    now_ms = int(time.time() * 1000)
    answer = client.post("/api/cameras/report", json={"cameras": [
        {"key": "utama/cctv", "state": "playing", "since": now_ms},
        {"key": "utama/grid/2", "state": "error", "since": now_ms - 30_000},
        {"key": "utama/nope", "state": "error"},           # no such camera: ignored
        {"key": "utama/grid/1", "state": "exploded"},      # no such state: ignored
    ]}, headers=AJAX)
    assert answer.status_code == 200 and answer.get_json() == {"accepted": 2}
    health = client.get("/api/health").get_json()["cameras"]
    assert health["configured"] == 3 and health["reported"] == 2
    assert [(d["key"], d["label"], d["by"]) for d in health["down"]] == [("utama/grid/2", "Pasar", "wall")]
    assert abs(health["down"][0]["since"] - (now_ms - 30_000)) < 1000
    listed = client.get("/api/cameras").get_json()["cameras"]
    assert [c["key"] for c in listed] == ["utama/grid/2", "utama/cctv", "utama/grid/1"]  # down first

    status = next(p for p in runtime.hub.panels("utama") if p.config.id == "sumber")
    view = status.view(snap())
    assert view.props["cam"]["className"] == "src src-warning"
    assert view.props["cam-error"]["children"] == "Pasar"
    assert view.props["cam-age"]["children"] == "1 dari 3 mati"

    client.post("/api/cameras/report", json={"cameras": [{"key": "utama/grid/2", "state": "stalled"}]}, headers=AJAX)
    assert client.get("/api/health").get_json()["cameras"]["down"] == []  # stalled is not down (yet)
    view = status.view(snap())
    assert view.props["cam-age"]["children"] == "1 dari 3 tersendat"
    assert view.props["cam"]["className"] == "src src-warning"
    client.post("/api/cameras/report", json={"cameras": [{"key": "utama/grid/2", "state": "playing"}]}, headers=AJAX)
    assert status.view(snap()).props["cam"]["className"] == "src src-ok"


@pytest.mark.parametrize("body", [b"not json", b'{"cameras": "all"}', b"[1, 2]",
                                  b'{"cameras": [' + b"{}," * 300 + b"{}]}"])
def test_bad_reports_get_a_one_line_answer(app, body):
    client, _ = app
    answer = client.post("/api/cameras/report", data=body, content_type="application/json", headers=AJAX)
    assert answer.status_code == 400
    assert list(answer.get_json()) == ["error"] and "\n" not in answer.get_json()["error"]
    too_big = client.post("/api/cameras/report", data=b"{" + b" " * 40_000 + b"}", content_type="application/json",
                          headers=AJAX)
    assert too_big.status_code == 413


# probes ----------------------------------------------------------------------------------------

def test_probe_checks_playlists_and_streams(cams, tmp_path):
    panels = f"""      - {{id: a, type: camera, url: "{cams.hls('a')}", probe: true, at: [0, 0]}}
      - {{id: b, type: camera, url: "{cams.mjpeg('b')}", probe: true, at: [1, 0]}}
      - {{id: c, type: camera, url: "{cams.hls('c')}", probe: true, at: [2, 0]}}
      - {{id: d, type: camera, url: "{cams.hls('d')}", probe: true, at: [3, 0]}}
      - {{id: e, type: camera, url: "{cams.snapshot('e')}", at: [0, 1]}}"""
    config = parse_config(CONFIG.format(db="x.db", panels=panels), base=tmp_path).config
    cams.fault.update({"c": "garbage", "d": "hang"})
    board = HealthBoard()
    started = time.monotonic()
    probe_all(config, board)
    assert time.monotonic() - started < 8  # a hanging camera costs one timeout, in parallel
    states = {k: (r.state, r.by) for k, r in board.current().items()}
    assert states == {"utama/a": ("playing", "probe"), "utama/b": ("playing", "probe"),
                      "utama/c": ("error", "probe"), "utama/d": ("error", "probe")}  # e is not probed
    assert "HLS" in board.current()["utama/c"].detail
    cams.stop()
    assert check(cameras_in(config)["utama/a"])[0] == "error"


# relay -----------------------------------------------------------------------------------------

def test_relay_logs_in_for_the_wall_and_hides_the_password(cams, tmp_path, monkeypatch):
    from wallboard.runtime import Runtime
    from wallboard.web.app import create_app

    monkeypatch.setenv("CAM_PW", "rahasia-sekali")
    cams.auth = "admin:rahasia-sekali"
    snap_url = cams.snapshot("s").replace("http://", "http://admin:${CAM_PW}@")
    down_url = "http://admin:${CAM_PW}@127.0.0.1:9/snap.jpg"
    panels = f"""      - {{id: s, type: camera, url: "{snap_url}", proxy: true, at: [0, 0]}}
      - {{id: d, type: camera, url: "{down_url}", proxy: true, at: [1, 0]}}
      - {{id: n, type: camera, url: "{cams.snapshot('n')}", at: [2, 0]}}"""
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG.format(db=tmp_path / "w.db", panels=panels))
    runtime = Runtime.from_path(path, collect=False)
    client = create_app(runtime).server.test_client()
    try:
        answer = client.get("/api/cameras/feed/utama/s?_wb=1")
        assert answer.status_code == 200 and answer.mimetype == "image/jpeg"
        assert answer.data[:2] == b"\xff\xd8"
        down = client.get("/api/cameras/feed/utama/d")
        assert down.status_code == 502 and "rahasia" not in down.get_data(as_text=True)
        assert client.get("/api/cameras/feed/utama/n").status_code == 404  # not relayed: no open proxy
        monkeypatch.delenv("CAM_PW")
        missing = client.get("/api/cameras/feed/utama/s")
        assert missing.status_code == 502 and "CAM_PW" in missing.get_json()["error"]
    finally:
        runtime.scheduler.shutdown()
        runtime.store.close()
