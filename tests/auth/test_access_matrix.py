"""Every route kind x every kind of visitor, over HTTP (Flask's test client on the real app).

Table-driven: a new route (drill pages, exports, console, metrics) is one line in ROUTES with
the least role that may open it. What the others get follows from the role:
anonymous or expired session -> the login page (302) for pages, 401 for APIs; a signed-in user
whose role is too low -> 403; a display token (kiosk) -> 403 for anything but its walls and their
plumbing (``display=True``), whatever its role.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from tests.auth.helpers import login
from tests.auth.sites import PASSWORDS, Site, csrf
from wallboard.auth.users import ROLES


@dataclass(frozen=True)
class Route:
    name: str
    path: str
    role: str | None  # least role that may open it; None: public
    method: str = "GET"
    ok: int = 200  # the answer when allowed
    api: bool = False  # refused with 401 (not a login redirect) when nobody is signed in
    body: Any = None
    display: bool = False  # a display token (kiosk cookie) may open it too: its walls and their plumbing


def router(pathname: str) -> dict[str, Any]:
    """What Dash's page router posts to lay out ``pathname``."""
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                   {"id": "_pages_location", "property": "search", "value": ""}],
        "changedPropIds": ["_pages_location.pathname"], "state": [],
    }


ROUTES = [
    Route("screen list", "/", "operator"),
    Route("wall", "/wall/utama", "operator", display=True),
    Route("wall display", "/wall/utama?display=0,0", "operator", display=True),
    Route("dash layout", "/_dash-layout", "operator", api=True, display=True),
    Route("dash router: wall", "/_dash-update-component", "operator", "POST", api=True, body=router("/wall/utama"),
          display=True),
    Route("dash router: drill", "/_dash-update-component", "supervisor", "POST", api=True,
          body=router("/panel/_probe")),
    Route("dash router: admin", "/_dash-update-component", "admin", "POST", api=True, body=router("/admin")),
    Route("console", "/console", "operator"),
    Route("drill page", "/panel/_probe", "supervisor"),
    Route("export", "/export/_probe", "supervisor"),
    Route("admin", "/admin", "admin"),
    Route("admin: run now", "/admin/sources/simulasi/run", "admin", "POST", ok=303),
    Route("metrics", "/metrics", "admin"),
    Route("healthz", "/healthz", None),
    Route("api health", "/api/health", None),
    Route("login page", "/login", None),
    Route("static asset", "/assets/wall.css", None),
    # the real routes of the drill pages, the console and the cameras (the demo's panels have no drill:)
    Route("drill page (real)", "/panel/pengaduan", "supervisor", ok=404),
    Route("drill export (real)", "/panel/pengaduan/export.csv", "supervisor", ok=404),
    Route("drill script", "/panel/_static/plotly.min.js", "supervisor"),
    Route("drill locale", "/panel/_static/plotly-locale-id.js", "supervisor"),
    Route("favicon", "/favicon.ico", None),
    Route("alerts api", "/api/alerts", "operator", api=True),
    Route("alerts api: ack", "/api/alerts/999/ack", "operator", "POST", ok=404, api=True, body={"name": "x"}),
    Route("console: ack", "/console/alerts/999/ack", "operator", "POST", ok=404),
    Route("incidents api", "/api/incidents", "operator", api=True),
    Route("incidents api: ack", "/api/incidents/999/ack", "operator", "POST", ok=404, api=True, body={"name": "x"}),
    Route("console: incidents ack", "/console/incidents/ack", "operator", "POST", ok=400),
    Route("console: report", "/console/report.xlsx?date=2026-11-28", "operator"),
    Route("cameras api", "/api/cameras", "operator", api=True, display=True),
    Route("camera feed", "/api/cameras/feed/utama/nope", "operator", ok=404, api=True, display=True),
    Route("hls.js", "/api/cameras/hls.js", "operator", api=True, display=True),
    Route("camera report", "/api/cameras/report", "operator", "POST", api=True, body={"cameras": []}, display=True),
    # /api/v1 takes api_tokens only: a session of any role opens nothing there (tests/federation)
    Route("peer api: indicators", "/api/v1/indicators", None, ok=401, api=True),
    Route("peer api: readings", "/api/v1/indicators/latar/readings", None, ok=401, api=True),
    Route("peer api: push", "/api/v1/readings", None, "POST", ok=401, api=True, body={"indicator": "latar"}),
    Route("peer api: all readings", "/api/v1/readings?indicators=latar", None, ok=401, api=True),
    Route("peer api: incidents", "/api/v1/incidents", None, ok=401, api=True),
]
VISITORS = ["anonymous", "operator", "supervisor", "admin", "kiosk", "expired"]
VISITOR_ROLE = {"anonymous": None, "expired": None, "kiosk": "operator",
                "operator": "operator", "supervisor": "supervisor", "admin": "admin"}


def visitor(site: Site, kind: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    if kind == "anonymous":
        return site.client()
    if kind == "kiosk":
        return site.kiosk()
    if kind == "expired":
        # Signed in 13 hours ago; sessions last 12 hours (auth.session_max_age default).
        import time

        from itsdangerous.timed import TimestampSigner

        then = int(time.time()) - 13 * 3600
        with monkeypatch.context() as patch:
            patch.setattr(TimestampSigner, "get_timestamp", lambda self: then)
            client = site.client()
            assert login(client, "admin", PASSWORDS["admin"]).status_code == 303
        return client
    return site.signed_in(kind)


def expected(route: Route, kind: str) -> int:
    role = VISITOR_ROLE[kind]
    if kind == "kiosk" and route.role is not None and not route.display:
        return 403
    if route.role is None or (role is not None and ROLES[role] >= ROLES[route.role]):
        return route.ok
    if role is None:
        return 401 if route.api else 302
    return 403


def request(client: Any, route: Route) -> Any:
    if route.method == "GET":
        response = client.get(route.path)
    elif route.body is not None:
        response = client.post(route.path, data=json.dumps(route.body), content_type="application/json",
                               headers={"X-Requested-With": "wallboard"})
    else:
        response = client.post(route.path, data={"csrf_token": csrf(client)})
    response.close()  # the stream would go on for ever
    return response


@pytest.mark.parametrize("kind", VISITORS)
def test_access_matrix(site: Site, kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    client = visitor(site, kind, monkeypatch)
    got = {route.name: request(client, route) for route in ROUTES}
    want = {route.name: expected(route, kind) for route in ROUTES}
    assert {name: r.status_code for name, r in got.items()} == want
    for route in ROUTES:
        if want[route.name] == 302:
            assert got[route.name].headers["Location"].startswith("/login?next=")


def test_the_matrix_covers_every_route_of_the_app(site: Site) -> None:
    """A route added to the app without a row here fails this test (Dash internals and the
    probes aside), so no route kind escapes the matrix."""
    covered = {r.path.split("?")[0] for r in ROUTES} | {"/login", "/logout"}
    internal = ("/_dash", "/_reload-hash", "/_favicon.ico", "/assets/", "/<path:path>", "/static/", "/panel/_static/<")
    examples = {"<screen_id>": "utama", "<source_id>": "simulasi", "<panel_id>": "pengaduan", "<fmt>": "csv",
                "<int:alert_id>": "999", "<int:incident_id>": "999", "<path:key>": "utama/nope",
                "<indicator_id>": "latar"}

    def example(rule: str) -> str:
        for variable, value in examples.items():
            rule = rule.replace(variable, value)
        return rule.rstrip("/") or "/"

    rules = {rule.rule for rule in site.app.server.url_map.iter_rules()}
    missing = sorted(r for r in rules if not r.startswith(internal) and r not in covered and example(r) not in covered)
    assert missing == []


@pytest.mark.parametrize("kind", VISITORS)
def test_the_wall_stream_follows_the_same_rules(site: Site, kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stream is served on the event loop (web/streams.py), not by Flask: its decision comes
    from the ASGI scope's cookie header, through the same wallboard.auth policy."""
    from wallboard.web.serve.server import authorize_stream

    client = visitor(site, kind, monkeypatch)
    cookies = "; ".join(f"{c.key}={c.value}" for c in client._cookies.values())
    scope = {"type": "http", "path": "/api/stream/utama", "query_string": b"", "client": ("10.1.2.3", 5000),
             "headers": [(b"cookie", cookies.encode())] if cookies else []}
    status, user = authorize_stream(site.runtime, scope)
    assert status == expected(Route("stream", "/api/stream/utama", "operator", api=True, display=True), kind)
    assert (user is not None) == (status == 200)


def test_metrics_from_loopback_needs_no_login(site: Site) -> None:
    assert site.client("127.0.0.1").get("/metrics").status_code == 200
    assert site.client("10.9.8.7").get("/metrics").status_code == 302


def test_without_users_everything_is_open(make_site, tmp_path) -> None:
    site = make_site(token=None)
    site.rewrite(site.path.read_text().split("users:")[0])
    assert not site.runtime.config.users
    local = site.client("127.0.0.1")
    assert local.get("/wall/utama").status_code == 200 and local.get("/admin").status_code == 200
    # Served beyond loopback anyway (uvicorn wallboard.asgi:app on 0.0.0.0): the network is still kept out.
    network = site.client()
    assert network.get("/wall/utama").status_code == 403 and network.get("/admin").status_code == 403
    assert network.get("/healthz").status_code == 200  # public, nothing secret: a monitor may ask


def test_a_kiosk_wall_is_a_display(site: Site) -> None:
    client = site.kiosk()
    assert client.get("/wall/utama").status_code == 200
    assert client.get("/panel/_probe").status_code == 403 and client.get("/admin").status_code == 403
    assert client.get("/console").status_code == 403
