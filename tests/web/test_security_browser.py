"""The Content-Security-Policy holds in a real browser: the wall loads with no console errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import demo_config

pytestmark = pytest.mark.browser


def test_wall_passes_its_own_csp(tmp_path: Path, wall_server, page_at) -> None:
    server = wall_server(demo_config(f"sqlite:///{tmp_path / 'wall.db'}"))
    errors: list[str] = []
    page = page_at(1920, 1080)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    answer = page.goto(f"{server.url}/wall/utama")
    assert "script-src 'self' 'sha256-" in answer.headers["content-security-policy"]
    page.wait_for_selector("#wall [data-panel]")
    page.wait_for_function("() => window.wallboard && window.wallboard.stats.hellos > 0")
    graph = "document.querySelector('#tren .js-plotly-plot')"
    page.wait_for_function(f"() => {graph} && {graph}.data && {graph}.data[0].x.length > 0")
    page.screenshot(path=str(tmp_path / "wall-csp-1920.png"))
    page.goto(f"{server.url}/")
    page.wait_for_selector("a[href='/wall/utama']")
    page.goto(f"{server.url}/nope")
    page.wait_for_selector("text=Halaman tidak ditemukan")
    assert [e for e in errors if "404" not in e] == []
