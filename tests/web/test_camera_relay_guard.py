"""The camera relay stays on the camera (issue 22, item 7).

A stand-in camera on 127.0.0.1 redirects to the metadata service, to a private address and to the
server's own /metrics. Nothing here ever leaves loopback: the resolver and the connect are mocked,
and the test fails if either is asked about anything but the stand-in itself.
"""

from __future__ import annotations

import socket
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpcore
import pytest

from tests.local_http import local_server
from tests.walls import DemoWall
from wallboard.cameras import guard, relay

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9"
SECRET = b"wallboard_store_up 1\n# the server's own metrics\n"
CONFIG = DemoWall(database='"sqlite:///{db}"', grid="{columns: 4, rows: 4}")


def _handler(elsewhere: dict[str, str]) -> type[BaseHTTPRequestHandler]:
    class Camera(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            if self.path in elsewhere:
                self.send_response(302)
                self.send_header("Location", elsewhere[self.path])
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif self.path == "/snap.jpg":
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(JPEG)))
                self.end_headers()
                self.wfile.write(JPEG)
            elif self.path.rstrip("/") in ("/metrics", "/healthz"):
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(SECRET)))
                self.end_headers()
                self.wfile.write(SECRET)
            else:
                self.send_error(404)

    return Camera


@pytest.fixture(scope="module")
def own_server():
    """Stands in for the wall server itself, with its /metrics."""
    with local_server(_handler({})) as server:
        yield server


@pytest.fixture(scope="module")
def camera(own_server):
    routes = {
        "/to-metadata": "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "/to-private": "http://10.1.2.3/snap.jpg",
        "/to-postgres": "http://127.0.0.1:5432/",
        "/to-metrics": f"{own_server.url}/metrics",
        "/to-own-metrics": "/metrics",
        "/to-own-healthz": "/healthz/",
        "/hop": "/hop2", "/hop2": "/snap.jpg",
        "/loop": "/loop",
    }
    with local_server(_handler(routes)) as server:
        yield server


@pytest.fixture
def network(monkeypatch, camera):
    """Resolver and connect mocked: a record of every look-up and connection, and a failure for any
    that is not the stand-in camera on 127.0.0.1. ``names`` maps a made-up host to the address the
    mocked resolver gives it."""
    looked_up: list[str] = []
    connected: list[tuple[str, int]] = []
    names: dict[str, str] = {}
    real_getaddrinfo = socket.getaddrinfo
    real_connect = httpcore.SyncBackend.connect_tcp

    def getaddrinfo(host, port, *args, **kwargs):
        looked_up.append(host)
        if host in names:
            family = socket.AF_INET6 if ":" in names[host] else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (names[host], port))]
        assert host == "127.0.0.1", f"resolver asked about {host}"
        return real_getaddrinfo(host, port, *args, **kwargs)

    def connect_tcp(self, host, port, *args, **kwargs):
        connected.append((host, port))
        assert (host, port) == ("127.0.0.1", camera.port), f"connect to {host}:{port} must never happen"
        return real_connect(self, host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", connect_tcp)
    return looked_up, connected, names


def _fetch(url: str) -> bytes:
    with relay.upstream(url, False, 2.0) as response:
        return response.read()


@pytest.mark.parametrize("path", ["/to-metadata", "/to-private", "/to-postgres", "/to-metrics",
                                  "/to-own-metrics", "/to-own-healthz", "/loop"])
def test_redirects_off_the_camera_or_to_metrics_are_refused_before_any_connection(camera, network, path) -> None:
    looked_up, connected, _ = network
    with pytest.raises(guard.RelayRefused) as refused:
        _fetch(camera.url + path)
    assert "refused" in str(refused.value)
    assert set(looked_up) == {"127.0.0.1"} and {c[1] for c in connected} == {camera.port}


def test_redirects_within_the_camera_are_followed(camera, network) -> None:
    assert _fetch(camera.url + "/hop") == JPEG
    assert {c[1] for c in network[1]} == {camera.port}


def test_metrics_and_healthz_are_never_relayed_even_as_the_camera_url(camera, network) -> None:
    for path in ("/metrics", "/healthz", "/METRICS/"):
        with pytest.raises(guard.RelayRefused):
            _fetch(camera.url + path)
    assert network[1] == []  # refused before connecting


@pytest.mark.parametrize("address", ["169.254.169.254", "169.254.1.1", "fe80::1", "::ffff:169.254.169.254",
                                     "100.100.100.200", "fd00:ec2::254", "127.0.0.1", "127.9.9.9", "::1", "0.0.0.0"])
def test_a_camera_name_resolving_to_link_local_metadata_or_loopback_is_refused(network, address) -> None:
    looked_up, connected, names = network
    names["kamera.pemda.test"] = address
    with pytest.raises(guard.RelayRefused) as refused:
        _fetch("http://kamera.pemda.test/snap.jpg")
    assert "refused" in str(refused.value)
    assert looked_up == ["kamera.pemda.test"] and connected == []  # no socket was ever opened


def test_addresses_judged() -> None:
    assert guard.refused_address("10.1.2.3", allow_loopback=False) is None  # cameras live on the LAN
    assert guard.refused_address("192.168.1.64", allow_loopback=False) is None
    assert guard.refused_address("127.0.0.1", allow_loopback=True) is None
    assert guard.refused_address("169.254.169.254", allow_loopback=True) is not None
    assert guard.on_loopback("http://127.0.0.1:8554/x") and guard.on_loopback("http://localhost/x")
    assert not guard.on_loopback("http://10.1.2.3/x") and not guard.on_loopback("http://kamera.local/x")


def test_the_relay_route_answers_502_and_relays_nothing(camera, network, tmp_path: Path) -> None:
    from wallboard.runtime import Runtime
    from wallboard.web.app import create_app

    panels = f"""      - {{id: m, type: camera, url: "{camera.url}/to-metadata", proxy: true, at: [0, 0]}}
      - {{id: x, type: camera, url: "{camera.url}/to-metrics", proxy: true, at: [1, 0]}}
      - {{id: ok, type: camera, url: "{camera.url}/hop", proxy: true, at: [2, 0]}}"""
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG.format(db=tmp_path / "w.db", panels=panels))
    runtime = Runtime.from_path(path, collect=False)
    client = create_app(runtime).server.test_client()
    try:
        for key in ("utama/m", "utama/x"):
            answer = client.get(f"/api/cameras/feed/{key}")
            assert answer.status_code == 502 and b"wallboard_store_up" not in answer.data
            assert "refused" in answer.get_json()["error"]
        good = client.get("/api/cameras/feed/utama/ok")
        assert good.status_code == 200 and good.data == JPEG
    finally:
        runtime.scheduler.shutdown()
        runtime.store.close()
