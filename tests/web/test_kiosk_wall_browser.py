"""Kiosk walls never leave their wall (issue 21, item 5), in Chromium.

A wall signed in with a display token (or an operator) gets panels without ``data-drill``: no
pointer, and a click goes nowhere; a supervisor gets the pointer and the drill page. A wall screen
that lands on an error page anyway carries a refresh back to the wall it last showed.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.auth.sites import KIOSK_TOKEN, PASSWORDS, hashes, users_yaml  # noqa: F401 (fixture)
from tests.conftest import demo_config

pytestmark = pytest.mark.browser

SCREENS = """
  - id: utama
    grid: {columns: 4, rows: 2}
    panels:
      - {id: pengaduan, type: kpi, indicator: pengaduan_terbuka, at: [0, 0], size: [2, 1], drill: true}
      - {id: air, type: kpi, indicator: tinggi_muka_air, at: [2, 0], size: [2, 1], drill: true}
      - {id: tren, type: trend, indicators: [tinggi_muka_air], window: 24h, at: [0, 1], size: [4, 1]}
"""
REFRESH = re.compile(r'<meta http-equiv="refresh" content="(\d+);url=([^"]+)">')


@pytest.fixture
def server(tmp_path: Path, wall_server, hashes: dict[str, str], monkeypatch: pytest.MonkeyPatch):  # noqa: F811
    for role, digest in hashes.items():
        monkeypatch.setenv(f"WB_TEST_HASH_{role.upper()}", digest)
    return wall_server(demo_config(f"sqlite:///{tmp_path / 'wall.db'}", every="1h", screens=SCREENS)
                       + users_yaml(hashes))


def test_a_kiosk_wall_has_no_pointer_and_a_click_stays(server, page_at, tmp_path: Path) -> None:
    page = page_at(1920, 1080)
    page.goto(f"{server.url}/wall/utama?token={KIOSK_TOKEN}")
    page.wait_for_selector("#wall [data-panel]")
    page.wait_for_function("() => window.wallboard && window.wallboard.stats.hellos > 0")
    page.evaluate("() => { window.__stayed = 'yes'; }")
    assert page.locator("[data-drill]").count() == 0
    assert page.evaluate("() => getComputedStyle(document.querySelector('#pengaduan')).cursor") != "pointer"
    page.click("#pengaduan")
    page.click("#air", modifiers=["Control"])
    page.wait_for_timeout(800)  # a navigation would have started by now (it starts synchronously on click)
    assert page.url == f"{server.url}/wall/utama"
    assert page.evaluate("() => window.__stayed") == "yes"
    assert len(page.context.pages) == 1  # no new tab either
    page.screenshot(path=str(tmp_path / "kiosk-1920.png"))

    # Landed on an error page anyway (a drill address typed in, a stale link): back within 30 s.
    answer = page.goto(f"{server.url}/panel/pengaduan")
    assert answer.status == 403
    delay, target = REFRESH.search(page.content()).groups()
    assert int(delay) <= 30 and target == "/wall/utama"
    assert "kembali ke tampilan dinding" in page.inner_text("body")


def test_a_supervisor_drills_and_stays_on_error_pages(server, page_at) -> None:
    page = page_at(1920, 1080)
    page.goto(f"{server.url}/login?next=/wall/utama")
    page.fill("#name", "supervisor")
    page.fill("#password", PASSWORDS["supervisor"])
    page.click("button[type=submit]")
    page.wait_for_selector("#wall [data-panel]")
    assert page.locator("[data-drill]").count() == 2
    assert page.evaluate("() => getComputedStyle(document.querySelector('#pengaduan')).cursor") == "pointer"
    page.click("#pengaduan")
    page.wait_for_url("**/panel/pengaduan")
    answer = page.goto(f"{server.url}/nope")
    assert answer.status == 404 and not REFRESH.search(page.content())
    # Issue 21, item 9: the home page leads to the console and to signing out (admin: not for a supervisor).
    page.goto(f"{server.url}/")
    page.wait_for_selector(".home-links a")
    links = page.eval_on_selector_all(".home-links a", "as => as.map(a => [a.getAttribute('href'), a.textContent])")
    assert links == [["/console", "Konsol peringatan"], ["/logout", "Keluar"]]


def test_an_operator_wall_goes_back_to_the_wall_it_showed(server) -> None:
    with httpx.Client(base_url=server.url) as client:
        from tests.auth.helpers import login

        assert login(client, "operator", PASSWORDS["operator"]).status_code == 303
        assert client.get("/wall/utama?display=0,0").status_code == 200
        answer = client.get("/admin")
        assert answer.status_code == 403
        assert REFRESH.search(answer.text).groups() == ("20", "/wall/utama?display=0,0")
    icon = httpx.get(server.url + "/favicon.ico")  # public, from the package
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"
