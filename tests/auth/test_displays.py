"""Display tokens are displays (issue 22, item 4): a token shows the walls its ``screens:`` name and
nothing else; no /console, no acknowledging, no drill or admin page; the cookie is bound to them."""

from __future__ import annotations

from tests.auth.sites import KIOSK_TOKEN, Site
from wallboard.web.serve.server import authorize_stream

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
AJAX = {"X-Requested-With": "wallboard"}


def stream_status(site: Site, client, screen: str) -> int:
    cookie = f"wb_kiosk={client.get_cookie('wb_kiosk').value}".encode()
    scope = {"type": "http", "path": f"/api/stream/{screen}", "query_string": b"",
             "headers": [(b"cookie", cookie)], "client": ("10.0.0.9", 1)}
    return authorize_stream(site.runtime, scope)[0]


def test_a_token_shows_its_walls_only(make_site) -> None:
    site = make_site(screens=TWO_WALLS, kiosk_screens="[utama]")
    wall = site.kiosk()
    assert wall.get("/wall/utama").status_code == 200
    assert wall.get("/wall/rahasia").status_code == 403
    assert stream_status(site, wall, "utama") == 200 and stream_status(site, wall, "rahasia") == 403
    assert wall.get("/api/cameras/feed/rahasia/cctv").status_code == 403


def test_a_display_is_never_an_operator(make_site) -> None:
    site = make_site()  # screens: default, every wall
    wall = site.kiosk()
    assert wall.get("/wall/utama").status_code == 200
    for path in ("/console", "/api/alerts", "/panel/_probe", "/export/_probe", "/admin", "/", "/console/report.xlsx"):
        assert wall.get(path).status_code == 403, path
    token = wall.get("/login").get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    assert wall.post("/api/alerts/1/ack", json={"name": "dinding"}, headers=AJAX).status_code == 403
    assert wall.post("/console/alerts/1/ack", data={"name": "dinding", "csrf_token": token}).status_code == 403


def test_the_cookie_is_bound_to_the_walls_it_was_given(make_site) -> None:
    site = make_site(screens=TWO_WALLS, kiosk_screens="[utama]")
    wall = site.kiosk()
    # Widening screens: in config.yaml does not widen a cookie signed for [utama] ...
    assert site.rewrite(site.path.read_text().replace(", screens: [utama]", ""))
    assert wall.get("/wall/rahasia").status_code == 403
    # ... until the token link is opened again.
    assert wall.get(f"/wall/rahasia?token={KIOSK_TOKEN}").status_code == 302
    assert wall.get("/wall/rahasia").status_code == 200
    # Narrowing takes effect at once, on pages and on open streams.
    assert site.rewrite(site.path.read_text().replace('display_token: "', 'screens: [utama], display_token: "'))
    assert wall.get("/wall/rahasia").status_code == 403 and wall.get("/wall/utama").status_code == 200


def test_screens_must_name_walls_that_exist(make_site) -> None:
    site = make_site()
    assert not site.rewrite(site.path.read_text().replace('display_token: "', 'screens: [tidak_ada], display_token: "'))
    assert any("tidak_ada" in p for p in site.runtime.last_reload_problems)
