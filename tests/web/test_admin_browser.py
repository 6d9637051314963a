"""An admin signs in through the real page in Chromium, sees /admin and runs a source."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.auth.sites import PASSWORDS, users_yaml
from tests.conftest import demo_config

pytestmark = pytest.mark.browser


def test_admin_signs_in_and_runs_a_source(tmp_path: Path, wall_server, page_at, monkeypatch) -> None:
    from argon2 import PasswordHasher

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    hashes = {role: cheap.hash(pw) for role, pw in PASSWORDS.items()}
    for role, digest in hashes.items():
        monkeypatch.setenv(f"WB_TEST_HASH_{role.upper()}", digest)
    server = wall_server(demo_config(f"sqlite:///{tmp_path / 'wall.db'}", every="1h") + users_yaml(hashes))
    errors: list[str] = []
    for width, height in ((1920, 1080), (3840, 2160)):
        page = page_at(width, height)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{server.url}/admin")
        assert "/login?next=%2Fadmin" in page.url
        page.screenshot(path=str(tmp_path / f"login-{width}.png"))
        page.fill("#name", "admin")
        page.fill("#password", PASSWORDS["admin"])
        page.click("button[type=submit]")
        page.wait_for_url("**/admin")
        page.wait_for_selector("#source-simulasi")
        page.click("#source-simulasi button")
        page.wait_for_url("**/admin?ran=simulasi*")
        page.wait_for_selector("text=Pengambilan data simulasi dimulai.")
        page.reload()
        page.wait_for_selector("text=admin.run_source")
        page.screenshot(path=str(tmp_path / f"admin-{width}.png"), full_page=True)
    assert errors == []
