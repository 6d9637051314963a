"""Throttling that slows guessers down without locking the owner out (issue 22, item 1).

Failures count per (account, address) and per address, with exponential back-off; nothing counts
per account alone, so the admin signs in from an address with no failures whatever happened
elsewhere. ``X-Forwarded-For`` counts only from ``auth.trusted_proxies``; display tokens have their
own budget, and a wall PC whose cookie still works is never throttled.
"""

from __future__ import annotations

import httpx
import pytest

from tests.auth.helpers import csrf_from, login
from tests.auth.sites import KIOSK_TOKEN, PASSWORDS, Site, users_yaml
from tests.conftest import demo_config
from wallboard.auth.throttle import Throttle
from wallboard.store import audit

TRUST_LOCAL_PROXY = 'auth: {trusted_proxies: ["127.0.0.1/32", "::1/128"]}\n'
# Ten wrong passwords from one address, each account under its own (account, address) limit. Real
# names: an unknown name costs a full-strength argon2 check (as long as a wrong password would).
TEN_NAMES = ["operator"] * 4 + ["supervisor"] * 4 + ["admin"] * 2


def via(site: Site, peer: str, forwarded: str | None = None):
    client = site.client(peer)
    if forwarded is not None:
        client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded
    return client


def test_admin_signs_in_from_a_fresh_address_after_50_failures_from_10_addresses(site: Site) -> None:
    for n in range(10):
        client = site.client(f"10.0.1.{n + 1}")
        statuses = [login(client, "admin", f"salah-{n}-{k}").status_code for k in range(5)]
        assert statuses == [401] * 5
        # The guessers' own addresses are slowed down ...
        slowed = login(client, "admin", "salah-lagi")
        assert slowed.status_code == 429 and int(slowed.headers["Retry-After"]) > 0
    assert "Terlalu banyak" in slowed.get_data(as_text=True)
    # ... the owner, from an address with no failures, is not.
    assert login(site.client("10.0.2.1"), "admin", PASSWORDS["admin"]).status_code == 303


def test_failures_back_off_exponentially_and_are_forgotten() -> None:
    gate = Throttle()
    waits = []
    for n in range(9):
        gate.fail("10.0.0.1", "admin", now=1000.0 + n * 1000)  # far apart: each wait has passed
        waits.append(gate.retry_after("10.0.0.1", "admin", now=1000.0 + n * 1000))
    assert waits == [0, 0, 0, 0, 5, 10, 20, 40, 80]  # the fifth failure starts a 5 s wait, then doubling
    assert gate.retry_after("10.0.0.2", "admin", now=9000) == 0  # another address: untouched
    assert gate.retry_after("10.0.0.1", "admin", now=9000 + 3601) == 0  # an hour of silence: forgotten
    capped = Throttle()
    for _ in range(40):
        capped.fail("a", "u", now=0)
    assert capped.retry_after("a", "u", now=0) == 900  # never longer than 15 minutes


def test_one_address_guessing_many_names_is_slowed_down(site: Site) -> None:
    client = site.client("10.9.9.9")
    assert [login(client, name, "salah").status_code for name in TEN_NAMES] == [401] * 10
    assert login(client, "admin", "salah").status_code == 429
    assert login(client, "operator", PASSWORDS["operator"]).status_code == 429
    assert login(site.client("10.9.9.10"), "operator", PASSWORDS["operator"]).status_code == 303


def test_a_successful_login_clears_only_its_own_count(site: Site) -> None:
    """Fails if a successful sign-in clears every throttle counter (the mutation of issue 22)."""
    attacker = site.client("10.4.4.4")
    assert [login(attacker, "admin", f"salah-{n}").status_code for n in range(5)] == [401] * 5
    assert login(attacker, "admin", "salah-6").status_code == 429
    assert login(site.client("10.5.5.5"), "admin", PASSWORDS["admin"]).status_code == 303
    assert login(attacker, "admin", "salah-7").status_code == 429  # still slowed down
    # The same address's own count survives a valid account's sign-in too: one account known to an
    # attacker must not buy guesses at the others.
    shared = site.client("10.6.6.6")
    names = ["supervisor"] * 4 + ["admin"] * 4 + ["dinding"] * 2
    assert [login(shared, name, "salah").status_code for name in names] == [401] * 10
    assert login(shared, "operator", PASSWORDS["operator"]).status_code == 429


def test_throttling_is_in_the_audit_log(site: Site) -> None:
    client = site.client("10.3.3.3")
    for n in range(6):
        login(client, "admin", f"salah-{n}")
    actions = [(e.action, e.actor, e.address, e.detail) for e in audit.entries(site.runtime.store, 20)]
    assert ("login.throttled", "admin", "10.3.3.3", "pair: wait 5 s") in actions


def test_rotating_forwarded_for_from_an_untrusted_peer_does_not_reset_counts(site: Site) -> None:
    statuses = [login(via(site, "127.0.0.1", f"203.0.113.{n}"), name, "salah").status_code
                for n, name in enumerate([*TEN_NAMES, "admin"])]
    assert statuses == [401] * 10 + [429]
    assert audit.entries(site.runtime.store)[0].address == "127.0.0.1"


def test_a_trusted_proxy_names_the_client(make_site) -> None:
    site = make_site(extra=TRUST_LOCAL_PROXY)
    guesser = "198.51.100.7"
    for n, name in enumerate(TEN_NAMES):
        # A client may prepend anything; the proxy appends the address it saw, read from the right.
        assert login(via(site, "127.0.0.1", f"10.{n}.0.1, {guesser}"), name, "salah").status_code == 401
    assert login(via(site, "127.0.0.1", guesser), "admin", PASSWORDS["admin"]).status_code == 429
    assert login(via(site, "127.0.0.1", "198.51.100.8"), "admin", PASSWORDS["admin"]).status_code == 303
    assert audit.entries(site.runtime.store)[0].address == "198.51.100.8"
    # From a peer that is not a proxy the header means nothing.
    assert login(via(site, "10.8.8.8", guesser), "admin", PASSWORDS["admin"]).status_code == 303


def test_display_tokens_have_their_own_budget(site: Site) -> None:
    shared = site.client("10.2.2.2")  # a ward office: staff and wall PCs behind one address
    assert [login(shared, name, "salah").status_code for name in TEN_NAMES] == [401] * 10
    assert login(shared, "operator", PASSWORDS["operator"]).status_code == 429
    assert shared.get(f"/wall/utama?token={KIOSK_TOKEN}").status_code == 302  # not the passwords' budget
    guesser = site.client("10.2.2.3")
    statuses = [guesser.get(f"/wall/utama?token=tebakan-{n:012d}").status_code for n in range(11)]
    assert statuses == [403] * 10 + [429]
    assert login(guesser, "operator", PASSWORDS["operator"]).status_code == 303  # nor the other way round


def test_a_wall_pc_with_a_valid_cookie_is_never_throttled(site: Site) -> None:
    wall = site.kiosk()  # from 10.20.30.40
    guesser = site.client()  # the same address: the PC's own token link would now be 429
    for n in range(12):
        guesser.get(f"/wall/utama?token=tebakan-{n:012d}")
    assert guesser.get(f"/wall/utama?token={KIOSK_TOKEN}").status_code == 429
    answer = wall.get(f"/wall/utama?display=0,0&token={KIOSK_TOKEN}")  # a wall PC's bookmarked link
    assert answer.status_code == 302 and answer.headers["Location"] == "/wall/utama?display=0,0"
    assert wall.get("/wall/utama").status_code == 200


def test_the_real_server_does_not_believe_forwarded_for_from_loopback(tmp_path, wall_server, hashes,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """``wallboard run`` (uvicorn) must not take X-Forwarded-For from a loopback peer on its own:
    uvicorn's default would, and each request would count against a new address."""
    for role, digest in hashes.items():
        monkeypatch.setenv(f"WB_TEST_HASH_{role.upper()}", digest)
    server = wall_server(demo_config(f"sqlite:///{tmp_path / 'wall.db'}") + users_yaml(hashes))
    statuses = []
    with httpx.Client(base_url=server.url, timeout=10) as client:
        for n, name in enumerate([*TEN_NAMES, "admin"]):
            token = csrf_from(client.get("/login").text)
            answer = client.post("/login", data={"name": name, "password": "salah", "csrf_token": token},
                                 headers={"X-Forwarded-For": f"203.0.113.{n}"})
            statuses.append(answer.status_code)
    assert statuses == [401] * 10 + [429]


def test_a_deployment_names_its_proxy_in_the_environment(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    """deploy/compose.yaml sets WALLBOARD_TRUSTED_PROXIES to its nginx's address."""
    assert login(via(site, "127.0.0.1", "198.51.100.9"), "operator", PASSWORDS["operator"]).status_code == 303
    assert audit.entries(site.runtime.store)[0].address == "127.0.0.1"
    monkeypatch.setenv("WALLBOARD_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1/32")
    assert login(via(site, "127.0.0.1", "198.51.100.9"), "operator", PASSWORDS["operator"]).status_code == 303
    assert audit.entries(site.runtime.store)[0].address == "198.51.100.9"
