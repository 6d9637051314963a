"""Shared fixtures: stores on SQLite and PostgreSQL, a real `wallboard run` process, headless Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
PG_ADMIN_URL = os.environ.get("WALLBOARD_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
CHROMIUM = os.environ.get("WALLBOARD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--no-first-run",
]
IN_CI = os.environ.get("CI", "").lower() == "true"


# databases -------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A throwaway PostgreSQL database for this test session."""
    from sqlalchemy import create_engine, text

    name = f"wallboard_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        if IN_CI:
            raise
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The same test against SQLite and PostgreSQL; the PostgreSQL tables are emptied each time."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'wallboard.db'}"
        return
    url = request.getfixturevalue("pg_database")
    from sqlalchemy import create_engine

    from wallboard.store.schema import metadata

    engine = create_engine(url)
    metadata.drop_all(engine)
    engine.dispose()
    yield url


@pytest.fixture
def store(db_url: str):
    from wallboard.store import Store

    s = Store.open(db_url)
    yield s
    s.close()


# configs ---------------------------------------------------------------------------------------

def demo_config(db_url: str, every: str = "2s", extra_sources: str = "", screens: str | None = None) -> str:
    """A small, fast config on the demo source, for end-to-end tests."""
    screens = screens or """
  - id: utama
    grid: {columns: 4, rows: 2}
    panels:
      - {id: pengaduan, type: kpi, indicator: pengaduan_terbuka, at: [0, 0], size: [2, 1]}
      - {id: air, type: kpi, indicator: tinggi_muka_air, at: [2, 0], size: [2, 1]}
      - {id: tren, type: trend, indicators: [tinggi_muka_air], window: 24h, at: [0, 1], size: [4, 1]}
"""
    return f"""
site: {{name: Uji Wallboard, region: "12.75", timezone: Asia/Jakarta}}
database: {{url: "{db_url}"}}
sources:
  - {{id: simulasi, type: demo, every: {every}, backfill: 1d, indicators: [pengaduan_terbuka, tinggi_muka_air]}}
{extra_sources}
indicators:
  - {{id: pengaduan_terbuka, label: Pengaduan terbuka, unit: laporan, thresholds: {{warning: 40, critical: 80}}}}
  - {{id: tinggi_muka_air, label: Tinggi muka air, unit: cm, aggregate: last,
     thresholds: {{warning: 250, critical: 320}}}}
screens:{screens}
"""


# a running wall --------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class WallServer:
    config_path: Path
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> WallServer:
        log = open(self.config_path.parent / "server.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "wallboard.cli", "run", "--config", str(self.config_path),
             "--port", str(self.port)],
            stdout=log, stderr=subprocess.STDOUT, cwd=self.config_path.parent,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("wallboard run exited:\n" + self.log())
            try:
                if httpx.get(self.url + "/api/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("wallboard run did not come up:\n" + self.log())

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        path = self.config_path.parent / "server.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


@pytest.fixture
def wall_server(tmp_path: Path) -> Iterator[callable]:
    """Start `wallboard run` on a config text; stopped at the end of the test."""
    servers: list[WallServer] = []

    def start(config_text: str, port: int | None = None) -> WallServer:
        path = tmp_path / "config.yaml"
        path.write_text(config_text, encoding="utf-8")
        server = WallServer(path, port or free_port()).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


# browser ---------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        if IN_CI:
            pytest.fail(f"Chromium not found at {CHROMIUM}; CI must install Debian's chromium")
        pytest.skip("Chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page_at(chromium):
    """A fresh browser page with the given viewport; closed after the test."""
    contexts = []

    def open_page(width: int = 1920, height: int = 1080):
        context = chromium.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
