"""The wall page without the page router's round (issue 23, item 3; wallboard/web/wall/first.py).

``_dash-layout`` asked for by a wall page holds that wall, with its ``Location`` already on the
page's path (so the router is never called), but only for a visitor the router itself would lay the
wall out for; the page names its stream in a ``<meta>`` for wall.js to open at once.
"""

from __future__ import annotations

import json
from typing import Any

from tests.auth import sites
from tests.auth.sites import Site

hashes, make_site, site = sites.hashes, sites.make_site, sites.site  # the fixtures, shared with tests/auth

TWO_WALLS = """
  - id: utama
    grid: {columns: 4, rows: 2}
    panels:
      - {id: pengaduan, type: kpi, indicator: pengaduan_terbuka, at: [0, 0], size: [2, 1]}
  - id: rahasia
    grid: {columns: 4, rows: 2}
    panels:
      - {id: air, type: kpi, indicator: tinggi_muka_air, at: [0, 0], size: [2, 1]}
"""


def layout(client: Any, referer: str | None) -> tuple[dict[str, Any], Any]:
    """The page container's parts by id, from ``_dash-layout`` as a page at ``referer`` asks for it."""
    answer = client.get("/_dash-layout", headers={"Referer": referer} if referer else {})
    assert answer.status_code == 200
    root = json.loads(answer.get_data(as_text=True))
    container = root["props"]["children"]["props"]["children"]
    return {part["props"]["id"]: part["props"] for part in container}, answer


def screen_of(parts: dict[str, Any]) -> str | None:
    content = parts["_pages_content"].get("children")
    return content["props"].get("data-screen") if content else None


def test_a_wall_pages_layout_holds_the_wall_and_its_location(make_site) -> None:
    site: Site = make_site(screens=TWO_WALLS)
    client = site.signed_in("operator")
    parts, answer = layout(client, "http://localhost/wall/utama?display=0,0")
    location = parts["_pages_location"]
    assert (location["pathname"], location["search"]) == ("/wall/utama", "?display=0,0")
    assert location["href"] == "http://localhost/wall/utama?display=0,0" and location["hash"] == ""
    assert screen_of(parts) == "utama"
    assert parts["_pages_store"]["data"] == {"title": site.runtime.config.site.name}
    assert answer.headers["Cache-Control"] == "no-store"  # it depends on the Referer and holds live data
    assert screen_of(layout(client, "http://localhost/wall/rahasia")[0]) == "rahasia"


def test_any_other_layout_request_gets_the_empty_container(make_site) -> None:
    site: Site = make_site(screens=TWO_WALLS)
    client = site.signed_in("operator")
    for referer in (None, "http://localhost/", "http://localhost/console", "http://elsewhere.example/wall/utama",
                    "http://localhost/wall/utama/extra"):
        parts, _ = layout(client, referer)
        assert screen_of(parts) is None, referer
        assert "pathname" not in parts["_pages_location"], referer  # the Location reports it: the router runs


def test_a_display_gets_only_its_own_wall_in_the_layout(make_site) -> None:
    site: Site = make_site(screens=TWO_WALLS, kiosk_screens="[utama]")
    wall = site.kiosk()
    assert screen_of(layout(wall, "http://localhost/wall/utama")[0]) == "utama"
    # A forged Referer does not get another wall's layout: the router's own check, which refuses it too.
    assert screen_of(layout(wall, "http://localhost/wall/rahasia")[0]) is None
    supervisor = site.signed_in("supervisor")
    assert screen_of(layout(supervisor, "http://localhost/wall/rahasia")[0]) == "rahasia"


def test_a_live_wall_page_names_its_stream(make_site) -> None:
    site: Site = make_site(screens=TWO_WALLS)
    client = site.signed_in("operator")
    meta = '<meta name="wallboard-stream" content="/api/stream/utama">'
    assert meta in client.get("/wall/utama?display=0,0").get_data(as_text=True)
    assert '"/api/stream/rahasia"' in client.get("/wall/rahasia").get_data(as_text=True)
    # A replayed minute has no stream; other pages are no wall.
    replay = client.get("/wall/utama?at=2026-12-01T10:00")
    assert replay.status_code == 200 and "wallboard-stream" not in replay.get_data(as_text=True)
    assert "wallboard-stream" not in client.get("/").get_data(as_text=True)
