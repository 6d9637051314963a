"""Sessions revoked server-side, CSRF bound to the session, no-store and HSTS (issue 22, item 5)."""

from __future__ import annotations

import json
import time

import pytest

from tests.auth.helpers import login
from tests.auth.sites import PASSWORDS, Site, csrf

ACK = "/api/alerts/999/ack"  # no such alert: 404 once past the guard, 400 when CSRF refuses it
AJAX = {"X-Requested-With": "wallboard"}


def second_process(site: Site):
    """Another web process on the same database and config (the compose setup's --scale web=2)."""
    from wallboard.runtime import Runtime
    from wallboard.web.app import create_app

    runtime = Runtime.from_path(site.path, collect=False)
    client = create_app(runtime).server.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.20.30.41"
    return runtime, client


def test_logout_revokes_the_session_in_every_process(site: Site) -> None:
    client = site.signed_in("admin")
    copied = client.get_cookie("wb_session").value  # e.g. read off a shared PC, or a second tab
    runtime, other = second_process(site)
    try:
        other.set_cookie("wb_session", copied)
        assert other.get("/admin").status_code == 200
        assert client.post("/logout", data={"csrf_token": csrf(client)}).status_code == 303
        assert other.get("/admin").status_code == 302  # the other process refuses it at once
        replay = site.client()
        replay.set_cookie("wb_session", copied)
        assert replay.get("/admin").status_code == 302
    finally:
        runtime.store.close()


def test_the_session_table_keeps_no_usable_id(site: Site) -> None:
    from sqlalchemy import select

    from wallboard.store import schema

    client = site.signed_in("operator")
    payload = client.get_cookie("wb_session").value
    with site.runtime.store.engine.connect() as conn:
        ids = [row.id for row in conn.execute(select(schema.sessions.c.id))]
    assert len(ids) == 1 and ids[0] not in payload


def test_a_visitors_token_pair_is_refused_with_the_admins_session(site: Site) -> None:
    admin = site.signed_in("admin")
    visitor = site.client()
    token = csrf(visitor)
    admin.set_cookie("wb_csrf", visitor.get_cookie("wb_csrf").value)  # a matching pair, not this session's
    assert admin.post("/admin/sources/simulasi/run", data={"csrf_token": token}).status_code == 400
    assert admin.post("/admin/sources/simulasi/run", data={"csrf_token": csrf(admin)}).status_code == 303


def test_the_token_dies_with_its_session(site: Site) -> None:
    client = site.signed_in("admin")
    old = csrf(client)
    client.post("/logout", data={"csrf_token": old})
    assert login(client, "admin", PASSWORDS["admin"]).status_code == 303
    assert client.post("/admin/sources/simulasi/run", data={"csrf_token": old}).status_code == 400
    assert client.post("/admin/sources/simulasi/run", data={"csrf_token": csrf(client)}).status_code == 303


def test_the_token_expires_with_the_session_age(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    from itsdangerous.timed import TimestampSigner

    client = site.signed_in("admin")
    then = int(time.time()) - 13 * 3600  # auth.session_max_age: 12 h
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: then)
        stale = csrf(client)
    assert client.post("/admin/sources/simulasi/run", data={"csrf_token": stale}).status_code == 400


def test_a_form_post_to_an_api_needs_the_token(site: Site) -> None:
    """Fails if CSRF is skipped for form POSTs to /api/* (the mutation of issue 22): a cross-site
    form can send urlencoded data with the victim's cookie, never JSON or a custom header."""
    client = site.signed_in("operator")
    assert client.post(ACK, data={"name": "mallory"}).status_code == 400
    assert client.post(ACK, data={"name": "x", "csrf_token": "palsu"}).status_code == 400
    assert client.post(ACK, data={"name": "x", "csrf_token": csrf(client)}).status_code == 404


def test_json_needs_the_custom_header_from_this_site(site: Site) -> None:
    client = site.signed_in("operator")
    body = json.dumps({"name": "x"})

    def post(**headers: str) -> int:
        return client.post(ACK, data=body, content_type="application/json", headers=headers).status_code

    assert post() == 400  # JSON alone (text/plain tricks aside) is not proof enough
    assert post(**AJAX) == 404
    assert post(**AJAX, Origin="http://localhost") == 404  # Flask's test client host
    assert post(**AJAX, Origin="https://evil.example") == 400
    assert post(**AJAX, **{"Sec-Fetch-Site": "cross-site"}) == 400
    assert post(**AJAX, **{"Sec-Fetch-Site": "same-origin"}) == 404
    assert post(**{"X-CSRFToken": csrf(client)}) == 404  # or the token itself


@pytest.mark.parametrize("path", ["/wall/utama", "/console", "/api/alerts", "/_dash-layout", "/admin",
                                  "/api/cameras", "/panel/_probe"])
def test_authenticated_answers_are_never_cached(site: Site, path: str) -> None:
    answer = site.signed_in("admin").get(path)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"


def test_static_assets_stay_cacheable_and_hsts_is_off_by_default(site: Site) -> None:
    answer = site.client().get("/assets/wall.css")
    assert answer.status_code == 200 and "no-store" not in answer.headers.get("Cache-Control", "")
    assert "Strict-Transport-Security" not in answer.headers


def test_hsts_when_asked(make_site) -> None:
    site = make_site(extra="auth: {hsts: true}\n")
    for path in ("/login", "/healthz", "/assets/wall.css"):
        assert site.client().get(path).headers["Strict-Transport-Security"] == "max-age=31536000"
