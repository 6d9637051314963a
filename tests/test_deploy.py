"""deploy/: the compose file parses and is wired in order, every command the units and compose run is
one wallboard accepts, and nginx accepts the proxy config and passes a wall's stream through unbuffered.
"""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import yaml

from tests.conftest import IN_CI, ROOT, WallServer, demo_config, free_port
from wallboard.cli import build_parser

DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def wallboard_args(command: str) -> list[str]:
    """The arguments after ``wallboard`` in a unit's or compose's command line, variables filled in."""
    command = command.replace("${WALLBOARD_CONFIG}", "/etc/wallboard/config.yaml").replace("%i", "8051")
    words = shlex.split(command)
    return words[[i for i, w in enumerate(words) if w.endswith("wallboard")][0] + 1:]


def test_compose_parses_and_starts_in_order() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"db", "migrate", "collect", "web", "nginx"}
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("collect", "web"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    parser = build_parser()
    commands = {name: wallboard_args(services[name]["command"][-1]) for name in ("migrate", "collect", "web")}
    assert commands["web"][:2] == ["run", "--no-collect"]
    for args in commands.values():
        parser.parse_args(args)  # SystemExit on an option wallboard does not have
    nginx_conf = services["nginx"]["volumes"][0].split(":")[0]
    assert (DEPLOY / nginx_conf).exists()


@pytest.mark.parametrize("unit", ["wallboard-collect.service", "wallboard-web@.service"])
def test_systemd_units_run_commands_wallboard_accepts(unit: str) -> None:
    parsed = configparser.ConfigParser(strict=False, interpolation=None)
    parsed.read_string((DEPLOY / "systemd" / unit).read_text(encoding="utf-8"))
    service = parsed["Service"]
    commands = [service["ExecStart"]] + ([service["ExecStartPre"]] if "ExecStartPre" in service else [])
    parser = build_parser()
    for command in commands:
        parser.parse_args(wallboard_args(command))
    if unit.startswith("wallboard-web"):
        assert "--no-collect" in service["ExecStart"]
    else:
        assert wallboard_args(service["ExecStartPre"])[:2] == ["db", "upgrade"]


def _nginx_conf(tmp_path: Path, site: str) -> Path:
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{ worker_connections 256; }}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path}/body;\n  proxy_temp_path {tmp_path}/proxy;\n"
        f"  fastcgi_temp_path {tmp_path}/f;\n  uwsgi_temp_path {tmp_path}/u;\n  scgi_temp_path {tmp_path}/s;\n"
        f"  include {site};\n}}\n", encoding="utf-8")
    return main


def _site(tmp_path: Path, name: str, port: int, upstream: int) -> Path:
    text = (DEPLOY / "nginx" / name).read_text(encoding="utf-8")
    text = text.replace("listen 80;", f"listen 127.0.0.1:{port};")
    text = text.replace("server web:8050", f"server 127.0.0.1:{upstream}")
    text = text.replace("server 127.0.0.1:8051", f"server 127.0.0.1:{upstream}")
    text = text.replace("    server 127.0.0.1:8052 max_fails=0;\n", "")
    site = tmp_path / name
    site.write_text(text, encoding="utf-8")
    return site


def _need_nginx() -> str:
    if NGINX is None:
        if IN_CI:
            pytest.fail("nginx is not installed (apt-get install nginx-light)")
        pytest.skip("nginx is not installed")
    return NGINX


@pytest.mark.parametrize("name", ["wallboard.conf", "compose.conf"])
def test_nginx_accepts_the_config(tmp_path: Path, name: str) -> None:
    nginx = _need_nginx()
    text = (DEPLOY / "nginx" / name).read_text(encoding="utf-8")
    stream = text.split("location /api/stream/", 1)[1].split("}", 1)[0]
    assert "proxy_buffering off;" in stream and "proxy_read_timeout 1h;" in stream
    assert "proxy_http_version 1.1;" in text
    conf = _nginx_conf(tmp_path, _site(tmp_path, name, free_port(), free_port()))
    done = subprocess.run([nginx, "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_wall_stream_passes_through_nginx_as_it_happens(tmp_path: Path) -> None:
    """Behind the proxy a wall gets its greeting at once, then each delta or heartbeat as it is sent."""
    nginx = _need_nginx()
    url = f"sqlite:///{tmp_path / 'w.db'}"
    (tmp_path / "config.yaml").write_text(demo_config(url), encoding="utf-8")
    server = WallServer(tmp_path / "config.yaml", free_port())
    proxy_port = free_port()
    conf = _nginx_conf(tmp_path, _site(tmp_path, "wallboard.conf", proxy_port, server.port))
    server.start()
    proxy = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp_path), "-g", "daemon off;"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{proxy_port}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proxy.poll() is None and time.monotonic() < deadline, "nginx did not come up"
            time.sleep(0.1)
        arrivals: list[tuple[float, bytes]] = []
        start = time.monotonic()
        with httpx.stream("GET", f"http://127.0.0.1:{proxy_port}/api/stream/utama", timeout=10) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            assert response.headers["content-encoding"] == "gzip"  # compressed by wallboard, passed through
            for chunk in response.iter_bytes():  # inflated as it comes, as a browser does
                arrivals.append((time.monotonic() - start, chunk))
                if len(arrivals) >= 3 and any(b'"full":true' in c for _, c in arrivals):
                    break
                assert time.monotonic() - start < 30, "no full view through the proxy"
        body = b"".join(c for _, c in arrivals)
        assert b'"full":true' in body
        first_full = next(t for t, _ in arrivals if b'"full":true' in b"".join(c for tt, c in arrivals if tt <= t))
        assert first_full < 2.0  # the greeting came at once, not held back with later bytes
        assert arrivals[-1][0] < 15  # later messages (deltas every 2 s, heartbeats) came one by one
    finally:
        proxy.terminate()
        proxy.wait(10)
        server.stop()



def test_compose_web_believes_its_own_nginx_and_nobody_else() -> None:
    """Behind compose's nginx every request comes from nginx: without trusting it, throttling would
    count all clients as one address (issue 22); trusting more than nginx would let anyone on the
    network rotate X-Forwarded-For."""
    import ipaddress

    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    nginx = ipaddress.ip_address(services["nginx"]["networks"]["wall"]["ipv4_address"])
    trusted = [ipaddress.ip_network(n) for n in services["web"]["environment"]["WALLBOARD_TRUSTED_PROXIES"].split(",")]
    assert trusted == [ipaddress.ip_network(f"{nginx}/32")]
    subnet = ipaddress.ip_network(compose["networks"]["wall"]["ipam"]["config"][0]["subnet"])
    assert nginx in subnet
    assert all("wall" in (s.get("networks") or []) for name, s in services.items() if name != "nginx")
