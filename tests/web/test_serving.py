"""README's ways of serving the wall, each as a real process: `wallboard run --host/--port/--threads`,
uvicorn on the ASGI entry point with WALLBOARD_CONFIG, a panel type from the `wallboard.panels`
entry-point group, and the SQLite store in WAL mode."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, WallServer, demo_config, reserve_port, wait_until_up
from tests.web.conftest import write_reading

# What README tells an operator to serve at scale; one place to change when the entry point does.
SERVE_AT_SCALE = ["-m", "uvicorn", "--workers", "1", "--no-access-log"]
ASGI_TARGET = "wallboard.asgi:app"

PLUGIN = '''
from typing import Literal

from dash import html

from wallboard.config.models import PanelBase
from wallboard.panels.base import Panel, PanelView


class SapaConfig(PanelBase):
    type: Literal["sapa"]
    words: str


class SapaPanel(Panel):
    Config = SapaConfig

    def body(self):
        return [html.Div(self.config.words, id=self.cid("words"), className="sapa")]

    def view(self, snap):
        return PanelView("ok", snap.now, {"words": {"children": self.config.words}})
'''

SCREENS = """
  - id: utama
    grid: {columns: 4, rows: 2}
    panels:
      - {id: air, type: kpi, indicator: tinggi_muka_air, at: [0, 0], size: [2, 1]}
      - {id: salam, type: sapa, words: Salam dari plugin, at: [2, 0], size: [2, 1]}
"""


def install_plugin(folder: Path) -> Path:
    """A third-party panel package, installed the way pip leaves one: module + dist-info with an entry point."""
    folder.mkdir()
    (folder / "wb_plugin_sapa.py").write_text(PLUGIN, encoding="utf-8")
    dist = folder / "wb_plugin_sapa-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: wb-plugin-sapa\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[wallboard.panels]\nsapa = wb_plugin_sapa:SapaPanel\n")
    return folder


def env_with(*paths: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, **extra)
    env["PYTHONPATH"] = os.pathsep.join([*(str(p) for p in paths), env.get("PYTHONPATH", str(ROOT))])
    return env


def read_stream(url: str, until: str, timeout: float = 20) -> list[str]:
    """Lines of a wall's event stream up to the first data line containing ``until``."""
    lines: list[str] = []
    with httpx.stream("GET", url, timeout=timeout) as stream:
        for line in stream.iter_lines():
            lines.append(line)
            if line.startswith("data:") and until in line:
                return lines
    raise AssertionError(f"stream ended before {until!r}: {lines[-5:]}")


def test_run_on_host_and_port_with_a_plugin_panel(tmp_path: Path) -> None:
    """`wallboard run --host H --port P --threads N` answers on H:P only; a plugin panel is on the wall."""
    plugins = install_plugin(tmp_path / "site")
    config = tmp_path / "config.yaml"
    config.write_text(demo_config("sqlite:///data/wallboard.db", every="1h", screens=SCREENS), encoding="utf-8")
    reserved = reserve_port()  # bound on 127.0.0.1, never listening
    port = reserved.getsockname()[1]
    server = WallServer(config, port, args=("--threads", "4"), host="127.0.0.2", env=env_with(plugins))
    try:
        server.start()
        health = httpx.get(f"http://127.0.0.2:{port}/api/health")
        assert health.status_code == 200
        # the Date header is made per response (no timer refreshes it): it is the current second's
        deadline = time.monotonic() + 5
        while (later := httpx.get(f"http://127.0.0.2:{port}/api/health").headers["date"]) == health.headers["date"]:
            assert time.monotonic() < deadline, "the Date header stood still"
            time.sleep(0.05)
        assert abs(parsedate_to_datetime(later).timestamp() - time.time()) < 1.5
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)  # not on another address
        # the plugin's panel is on the wall: its view arrives in the wall's full first delta
        events = read_stream(f"http://127.0.0.2:{port}/api/stream/utama", "salam--words")
        assert any("Salam dari plugin" in line for line in events)
        # README: "SQLite (WAL) at data/wallboard.db by default"
        with sqlite3.connect(tmp_path / "data" / "wallboard.db") as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        server.stop()
        reserved.close()


def test_uvicorn_serves_the_wall_from_wallboard_config(tmp_path: Path) -> None:
    """README's at-scale recipe: uvicorn on the ASGI app, config from WALLBOARD_CONFIG, collect apart."""
    db = f"sqlite:///{tmp_path / 'wall.db'}"
    (tmp_path / "etc").mkdir()
    config = tmp_path / "etc" / "wall.yaml"
    config.write_text(demo_config(db, every="1h"), encoding="utf-8")
    reserved = reserve_port()
    port = reserved.getsockname()[1]
    log_path = tmp_path / "uvicorn.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, *SERVE_AT_SCALE, "--host", "127.0.0.1", "--port", str(port), ASGI_TARGET],
            cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, env=env_with(WALLBOARD_CONFIG=str(config)),
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(url + "/api/health", process, lambda: log_path.read_text(errors="replace")[-4000:], 60)
        assert "Uji Wallboard" in httpx.get(url + "/").text  # the site named in WALLBOARD_CONFIG
        assert httpx.get(url + "/wall/utama").status_code == 200
        # data written by a separate collector reaches the wall's stream
        write_reading(db, "tinggi_muka_air", 4321)
        events = read_stream(url + "/api/stream/utama", "4321")
        assert events[0].startswith("retry:") and "event: hello" in events
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reserved.close()
