"""Login, logout, session cookies, CSRF and throttling, through the real forms."""

from __future__ import annotations

import logging

import pytest

from tests.auth.helpers import login
from tests.auth.sites import PASSWORDS, Site, csrf
from wallboard.store import audit


def set_cookie(response, name: str) -> str:
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "="))


def test_login_page_speaks_the_site_language(site: Site) -> None:
    page = site.client().get("/login").get_data(as_text=True)
    assert 'lang="id"' in page and "Masuk" in page and "Kata sandi" in page and "Uji Wallboard" in page


def test_login_in_english(make_site) -> None:
    site = make_site()
    site.rewrite(site.path.read_text().replace("timezone: Asia/Jakarta}", "timezone: Asia/Jakarta, locale: en}"))
    page = site.client().get("/login").get_data(as_text=True)
    assert 'lang="en"' in page and "Sign in" in page and "Password" in page


def test_login_sends_you_back_where_you_were(site: Site) -> None:
    client = site.client()
    first = client.get("/wall/utama?display=0,0")
    assert first.status_code == 302
    target = first.headers["Location"]
    assert target == "/login?next=%2Fwall%2Futama%3Fdisplay%3D0%2C0"
    answer = login(client, "operator", PASSWORDS["operator"], next_="/wall/utama?display=0,0")
    assert answer.status_code == 303 and answer.headers["Location"] == "/wall/utama?display=0,0"
    assert client.get("/wall/utama").status_code == 200


EVIL = ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"]


@pytest.mark.parametrize("evil", EVIL)
def test_no_open_redirect(site: Site, evil: str) -> None:
    answer = login(site.client(), "operator", PASSWORDS["operator"], next_=evil)
    assert answer.status_code == 303 and answer.headers["Location"] == "/"


def test_session_cookie_flags(site: Site) -> None:
    answer = login(site.client(), "admin", PASSWORDS["admin"])
    cookie = set_cookie(answer, "wb_session")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert "Max-Age=43200" in cookie  # auth.session_max_age: 12h
    https = site.client()
    https.environ_base["HTTP_X_FORWARDED_PROTO"] = "https"  # behind the TLS proxy of a deployment
    answer = login(https, "admin", PASSWORDS["admin"])
    assert "Secure" in set_cookie(answer, "wb_session")
    assert "SameSite=Strict" in set_cookie(site.client().get("/login"), "wb_csrf")


def test_wrong_password_is_refused_and_audited_without_the_password(site: Site, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    client = site.client()
    answer = login(client, "admin", "tebak-tebakan-salah")
    assert answer.status_code == 401 and "Nama pengguna atau kata sandi salah" in answer.get_data(as_text=True)
    assert client.get("/admin").status_code == 302
    entries = audit.entries(site.runtime.store)
    assert entries[0].action == "login.failed" and entries[0].actor == "admin"
    assert entries[0].address == "10.20.30.40"
    assert login(client, "nobody", "x").status_code == 401
    assert audit.entries(site.runtime.store)[0].actor == "(unknown user)"
    everything = caplog.text + " ".join(e.detail + e.actor for e in audit.entries(site.runtime.store))
    assert "tebak-tebakan-salah" not in everything


def test_login_and_logout_are_audited(site: Site) -> None:
    client = site.signed_in("supervisor")
    assert audit.entries(site.runtime.store)[0].action == "login"
    answer = client.post("/logout", data={"csrf_token": csrf(client)})
    assert answer.status_code == 303 and answer.headers["Location"] == "/login"
    assert "wb_session=;" in set_cookie(answer, "wb_session")
    assert client.get("/wall/utama").status_code == 302
    assert [e.action for e in audit.entries(site.runtime.store)[:2]] == ["logout", "login"]


def test_changing_a_password_in_config_ends_its_sessions(site: Site, hashes, monkeypatch) -> None:
    from wallboard.auth import hash_password

    client = site.signed_in("supervisor")
    assert client.get("/wall/utama").status_code == 200
    monkeypatch.setenv("WB_TEST_HASH_SUPERVISOR", hash_password("sandi-baru-supervisor"))
    assert client.get("/wall/utama").status_code == 302


def test_a_tampered_session_cookie_is_nobody(site: Site) -> None:
    client = site.signed_in("operator")
    cookie = client.get_cookie("wb_session")
    payload, rest = cookie.value.split(".", 1)
    import base64
    import json

    forged = base64.urlsafe_b64encode(json.dumps({"u": "admin", "k": "x"}).encode()).decode().rstrip("=")
    client.set_cookie("wb_session", forged + "." + rest)
    assert client.get("/admin").status_code == 302


# CSRF ------------------------------------------------------------------------------------------

def test_login_without_csrf_token_is_refused(site: Site) -> None:
    client = site.client()
    client.get("/login")
    answer = client.post("/login", data={"name": "admin", "password": PASSWORDS["admin"]})
    assert answer.status_code == 400 and "wb_session" not in str(answer.headers)


def test_state_changes_need_the_token(site: Site) -> None:
    client = site.signed_in("admin")
    path = "/admin/sources/simulasi/run"
    assert client.post(path).status_code == 400
    assert client.post(path, data={"csrf_token": "forged"}).status_code == 400
    other = site.client()
    assert client.post(path, data={"csrf_token": csrf(other)}).status_code == 400  # someone else's token
    token = csrf(client)
    assert client.post(path, data={"csrf_token": token}).status_code == 303
    assert client.post(path, headers={"X-CSRFToken": token}).status_code == 303
    assert client.post("/logout").status_code == 400


def test_dash_callbacks_take_json_only(site: Site) -> None:
    client = site.signed_in("operator")
    answer = client.post("/_dash-update-component", data="inputs=x",
                         content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 400

# throttling: tests/auth/test_throttle.py
