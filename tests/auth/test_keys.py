"""The signing key: from auth.secret_key, else a private file that outlives a restart."""

from __future__ import annotations

import stat

from tests.auth.sites import KIOSK_TOKEN, Site
from wallboard.auth import keys, principal


def test_the_key_file_is_private_and_sessions_survive_a_restart(make_site, tmp_path) -> None:
    site: Site = make_site()
    client = site.kiosk()
    cookie = {"wb_kiosk": client.get_cookie("wb_kiosk").value}
    key_file = site.path.parent / keys.KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    keys._cache.clear()  # as a new process would start
    restarted = make_site()
    assert principal(restarted.runtime, cookie).name == "dinding"
    key_file.write_text("x" * 64)  # a new key (the file replaced): old cookies no longer verify
    keys._cache.clear()
    assert principal(make_site().runtime, cookie) is None


def test_secret_key_from_the_environment(make_site, monkeypatch) -> None:
    monkeypatch.setenv("WB_TEST_SECRET", "k" * 48)
    site: Site = make_site(extra="auth: {secret_key: \"${WB_TEST_SECRET}\"}\n")
    assert keys.secret_key(site.runtime) == "k" * 48
    assert not (site.path.parent / keys.KEY_FILE).exists()
    assert site.client().get(f"/wall/utama?token={KIOSK_TOKEN}").status_code == 302


def test_login_without_users_goes_straight_on(make_site) -> None:
    site: Site = make_site(token=None)
    site.rewrite(site.path.read_text().split("users:")[0])
    answer = site.client("127.0.0.1").get("/login?next=/wall/utama")
    assert answer.status_code == 303 and answer.headers["Location"] == "/wall/utama"
