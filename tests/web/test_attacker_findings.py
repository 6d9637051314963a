"""Findings from probing the running wall as an attacker would; each stays fixed."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import demo_config

EVIL_NAME = "x </title><script>alert(3)</script>"
TWO_SCREENS = """
  - id: utama
    grid: {columns: 2, rows: 1}
    panels:
      - {id: air, type: kpi, indicator: tinggi_muka_air, at: [0, 0]}
  - id: tren
    grid: {columns: 2, rows: 1}
    panels:
      - {id: grafik, type: trend, indicators: [tinggi_muka_air], window: 24h, at: [0, 0], size: [2, 1]}
"""


@pytest.fixture
def running(tmp_path: Path):
    from wallboard.runtime import Runtime
    from wallboard.web.app import create_app

    path = tmp_path / "config.yaml"
    path.write_text(demo_config(f"sqlite:///{tmp_path / 'w.db'}", screens=TWO_SCREENS))
    runtime = Runtime.from_path(path, collect=False)
    app = create_app(runtime)
    yield runtime, app.server.test_client(), path
    runtime.store.close()


def _rename(path: Path, name: str) -> None:
    import os
    import re

    path.write_text(re.sub(r"site: \{name: (.+?), region", lambda _m: f"site: {{name: {json.dumps(name)}, region",
                           path.read_text(), count=1))
    stamp = time.time() + 5
    os.utime(path, (stamp, stamp))


def test_site_name_is_escaped_in_the_title_and_a_reload_changes_it(running) -> None:
    runtime, client, path = running
    _rename(path, EVIL_NAME)
    runtime.check_config()
    assert runtime.config.site.name == EVIL_NAME
    for url in ("/", "/wall/utama", "/nope", "/admin"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert(3)" not in page, url
        assert "x &lt;/title&gt;&lt;script&gt;alert(3)&lt;/script&gt;" in page, url
    _rename(path, "Command Center Binjai")
    runtime.check_config()
    assert "<title>Command Center Binjai</title>" in client.get("/wall/utama").get_data(as_text=True)


def _router(client, pathname: str, search: str) -> str:
    body = {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                   {"id": "_pages_location", "property": "search", "value": search}],
        "changedPropIds": ["_pages_location.pathname"], "state": [],
    }
    client.get("/")  # Dash sets its page router up on the first request
    answer = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_query_cannot_override_the_screen_in_the_path(running) -> None:
    _runtime, client, _path = running
    layout = _router(client, "/wall/utama", "?screen_id=tren")
    assert '"data-screen":"utama"' in layout and "grafik" not in layout
    assert '"data-screen":"tren"' in _router(client, "/wall/tren", "")


def _wait(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("condition not met in time")
        time.sleep(0.1)


def test_binary_config_is_a_problem_and_the_watcher_keeps_looking(tmp_path: Path, wall_server) -> None:
    """Binary bytes, then a NUL byte, then a typo, then the last good file again: each is seen by
    the running server's watcher; the good file back clears the problem list."""
    good = demo_config(f"sqlite:///{tmp_path / 'w.db'}")
    server = wall_server(good)

    def problems() -> list[str]:
        return httpx.get(server.url + "/healthz").json()["config"]["problem_lines"]

    server.config_path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    _wait(lambda: problems() and "not UTF-8" in problems()[0])
    server.config_path.write_bytes(good.encode().replace(b"Uji Wallboard", b"Uji\x00Wallboard"))
    _wait(lambda: problems() and "NUL byte" in problems()[0])
    server.config_path.write_text(good.replace("rows: 2}", "rows: dua}"))
    _wait(lambda: problems() and "grid.rows" in problems()[0])
    assert httpx.get(server.url + "/healthz").json()["status"] == "degraded"
    server.config_path.write_text(good)
    _wait(lambda: problems() == [])
    assert httpx.get(server.url + "/wall/utama").status_code == 200
    log = server.log()
    assert "Traceback" not in log and log.count("config not reloaded") == 3
