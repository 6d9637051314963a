"""Kiosk walls: a display token signs a wall PC in for good; removing it locks the wall out."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.auth.sites import KIOSK_TOKEN, Site, users_yaml
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, demo_config
from wallboard.auth import decide, principal, still_allowed
from wallboard.store import audit


def test_token_sets_a_long_cookie_and_leaves_the_address(site: Site) -> None:
    answer = site.client().get(f"/wall/utama?display=0,0&token={KIOSK_TOKEN}")
    assert answer.status_code == 302 and answer.headers["Location"] == "/wall/utama?display=0,0"
    cookie = next(h for h in answer.headers.getlist("Set-Cookie") if h.startswith("wb_kiosk="))
    assert "Max-Age=34560000" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie  # 400 days
    assert KIOSK_TOKEN not in cookie
    assert audit.entries(site.runtime.store)[0].action == "login.kiosk"


def test_a_wrong_token_is_refused_audited_and_throttled(site: Site) -> None:
    client = site.client("10.7.7.7")
    statuses = [client.get(f"/wall/utama?token=tebakan-{n:012d}").status_code for n in range(11)]
    assert statuses == [403] * 10 + [429]
    entries = audit.entries(site.runtime.store)
    assert [e.action for e in entries[:2]] == ["login.throttled", "login.failed"]
    assert not any("tebakan" in e.detail for e in entries)


def test_removing_the_token_locks_the_wall_out(site: Site) -> None:
    client = site.kiosk()
    assert client.get("/wall/utama").status_code == 200
    user = principal(site.runtime, {"wb_kiosk": client.get_cookie("wb_kiosk").value})
    assert user is not None and user.kiosk and still_allowed(site.runtime, user)
    text = site.path.read_text().replace(f'display_token: "{KIOSK_TOKEN}"', 'password_hash: "${WB_TEST_HASH_OPERATOR}"')
    assert site.rewrite(text)
    assert not still_allowed(site.runtime, user)  # what an open stream checks every few heartbeats
    assert client.get("/wall/utama").status_code == 302
    from wallboard.web.serve.server import authorize_stream

    cookie = f"wb_kiosk={client.get_cookie('wb_kiosk').value}".encode()
    scope = {"type": "http", "path": "/api/stream/utama", "headers": [(b"cookie", cookie)], "client": ("10.0.0.9", 1)}
    assert authorize_stream(site.runtime, scope) == (401, None)


def test_a_new_token_replaces_the_old(site: Site) -> None:
    client = site.kiosk()
    assert site.rewrite(site.path.read_text().replace(KIOSK_TOKEN, "token-baru-0123456789abcdef"))
    assert client.get("/wall/utama").status_code == 302


def test_decide_is_framework_free(site: Site) -> None:
    """The lead's ASGI stream endpoint calls this with plain mappings."""
    anonymous = decide(site.runtime, "/api/stream/utama", {}, {})
    assert (anonymous.allowed, anonymous.status) == (False, 401)
    kiosk = site.kiosk().get_cookie("wb_kiosk").value
    allowed = decide(site.runtime, "/api/stream/utama", {"wb_kiosk": kiosk}, {})
    assert allowed.allowed and allowed.user.name == "dinding" and allowed.user.role == "operator"


@pytest.mark.browser
def test_kiosk_cookie_survives_a_browser_restart(tmp_path: Path, wall_server, chromium, hashes,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A wall PC opens the token link once; after the browser (or the PC) restarts it goes
    straight to the wall. With the token removed from config.yaml it gets the login page."""
    for role, digest in hashes.items():
        monkeypatch.setenv(f"WB_TEST_HASH_{role.upper()}", digest)
    db = tmp_path / "wall.db"
    server = wall_server(demo_config(f"sqlite:///{db}") + users_yaml(hashes))
    profile = tmp_path / "profile"

    def open_browser():
        return chromium.browser_type.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, viewport={"width": 1920, "height": 1080})

    context = open_browser()
    page = context.new_page()
    page.goto(f"{server.url}/wall/utama?token={KIOSK_TOKEN}")
    page.wait_for_selector("#wall [data-panel]")
    assert page.url == f"{server.url}/wall/utama"
    context.close()

    context = open_browser()  # the restart: a new browser process on the same profile
    try:
        page = context.new_page()
        page.goto(f"{server.url}/wall/utama")
        page.wait_for_selector("#wall [data-panel]")
        page.wait_for_function("() => window.wallboard && window.wallboard.stats.hellos > 0")
        assert "/login" not in page.url
        graph = "document.querySelector('#tren .js-plotly-plot')"
        page.wait_for_function(f"() => {graph} && {graph}.data && {graph}.data[0].x.length > 0")
        page.screenshot(path=str(tmp_path / "kiosk-after-restart.png"))

        server.config_path.write_text(demo_config(f"sqlite:///{db}") + users_yaml(hashes, token=None))
        # The open wall sees the new config version, reloads itself and lands on the login page;
        # the promise is within a minute.
        page.wait_for_url("**/login?next=*", timeout=60_000)
        assert "Masuk" in page.content()
        page.goto(f"{server.url}/wall/utama")
        assert "/login" in page.url
    finally:
        context.close()


def test_tokens_never_reach_an_access_log(site: Site, caplog, monkeypatch) -> None:
    """As uvicorn writes its access line: the token in the address is blanked."""
    import logging

    # An in-process uvicorn started earlier in this worker with access_log=False stops the logger
    # propagating (uvicorn's configure_logging); a server that logs access lets it propagate.
    monkeypatch.setattr(logging.getLogger("uvicorn.access"), "propagate", True)
    caplog.set_level(logging.INFO)
    logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', "10.0.0.5", "GET",
                                             f"/wall/utama?display=0,0&token={KIOSK_TOKEN}", "1.1", 302)
    assert KIOSK_TOKEN not in caplog.text and "token=***" in caplog.text and "display=0,0" in caplog.text
