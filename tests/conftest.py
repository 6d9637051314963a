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
FIXTURES = ROOT / "tests" / "fixtures"  # boundary GeoJSON (MIT, see regions/LICENSE-...) and other inputs
PG_ADMIN_URL = os.environ.get("WALLBOARD_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
CHROMIUM = os.environ.get("WALLBOARD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--no-first-run",
]
IN_CI = os.environ.get("CI", "").lower() == "true"


def need(thing: str, how: str) -> None:
    """A test cannot reach what it needs: one line saying which thing and how to get it.

    Under CI=true that is a failure (a green run must mean everything ran); elsewhere a skip, so a
    newcomer without PostgreSQL still runs the rest.
    """
    message = f"{thing}; {how}"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def fixture_file(relative: str) -> Path:
    """A file under tests/fixtures/, or a clear failure naming it."""
    path = FIXTURES / relative
    if not path.exists():
        pytest.fail(f"test fixture {path} is missing; restore it with `git checkout -- tests/fixtures`",
                    pytrace=False)
    return path


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
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        need(f"PostgreSQL not reachable at {PG_ADMIN_URL} ({reason})",
             "start PostgreSQL on 127.0.0.1:5432 (trust auth) or set WALLBOARD_TEST_PG to an admin URL")
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
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

def demo_config(db_url: str, every: str = "2s", extra_sources: str = "", screens: str | None = None,
                heartbeat: str | None = None) -> str:
    """A small, fast config on the demo source, for end-to-end tests."""
    beat = f", heartbeat: {heartbeat}" if heartbeat else ""
    screens = screens or """
  - id: utama
    grid: {columns: 4, rows: 2}
    panels:
      - {id: pengaduan, type: kpi, indicator: pengaduan_terbuka, at: [0, 0], size: [2, 1]}
      - {id: air, type: kpi, indicator: tinggi_muka_air, at: [2, 0], size: [2, 1]}
      - {id: tren, type: trend, indicators: [tinggi_muka_air], window: 24h, at: [0, 1], size: [4, 1]}
"""
    return f"""
site: {{name: Uji Wallboard, region: "12.75", timezone: Asia/Jakarta{beat}}}
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

def reserve_port() -> socket.socket:
    """A port nobody else can take until the returned socket is closed, yet a server can bind.

    The socket is bound with SO_REUSEADDR but never listens: the kernel hands its port to no other
    bind(0) or outgoing connection, while a server that also sets SO_REUSEADDR (waitress, uvicorn,
    gunicorn all do) may bind and listen on it. Holding it for the whole test closes both races of
    the old free_port(): between picking the port and the server binding it, and between stopping a
    server and starting it again on the same port.
    """
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    return s


def free_port() -> int:
    """Kept for older tests only: racy (the port may be taken before it is used); prefer
    ``reserved_port`` or binding port 0 in the server itself."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def reserved_port() -> Iterator[int]:
    """A port held for this test (see reserve_port)."""
    s = reserve_port()
    yield s.getsockname()[1]
    s.close()


def wait_until_up(url: str, process: subprocess.Popen, log: callable, timeout: float = 30) -> None:
    """Poll ``url`` until it answers 200; fail with the process's log when it exits or never answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n" + log())
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server did not answer {url} within {timeout:.0f} s:\n" + log())


@dataclass
class WallServer:
    config_path: Path
    port: int
    process: subprocess.Popen | None = None
    args: tuple[str, ...] = ()
    host: str = "127.0.0.1"
    env: dict[str, str] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 30) -> WallServer:
        # The child keeps its own copy of the log's descriptor; ours is closed at once.
        with open(self.config_path.parent / "server.log", "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "wallboard.cli", "run", "--config", str(self.config_path),
                 "--host", self.host, "--port", str(self.port), *self.args],
                stdout=log, stderr=subprocess.STDOUT, cwd=self.config_path.parent, env=self.env,
            )
        wait_until_up(self.url + "/api/health", self.process, self.log, timeout)
        return self

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
    reserved: list[socket.socket] = []

    def start(config_text: str, port: int | None = None, args: tuple[str, ...] = ()) -> WallServer:
        path = tmp_path / "config.yaml"
        path.write_text(config_text, encoding="utf-8")
        if port is None:
            reserved.append(reserve_port())  # held until the test ends, so a restart finds it free
            port = reserved[-1].getsockname()[1]
        server = WallServer(path, port, args=tuple(args))
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()
    for s in reserved:
        s.close()


# browser ---------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        need(f"Chromium not found at {CHROMIUM}",
             "install Debian's chromium and chromium-driver (apt-get install chromium chromium-driver) "
             "or set WALLBOARD_CHROMIUM")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need("the playwright package is not installed", "pip install -e '.[test]'")

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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Under CI=true nothing is skipped silently: any skip (a missing browser, database, fixture,
    or a skip added later) is reported as a failure with its one-line reason."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which must run everything: {reason}"
