"""A wall with users of every role, served in-process through Flask's test client.

Fixtures for tests/auth (via its conftest) and tests/web/test_admin*.py (imported there).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.auth.helpers import csrf_from, login
from tests.conftest import demo_config

PASSWORDS = {"operator": "operator-sandi-1", "supervisor": "supervisor-sandi-2", "admin": "admin-sandi-3"}
KIOSK_TOKEN = "dinding-utama-7f3c9a1e55d04b2e"
NETWORK_ADDRESS = "10.20.30.40"  # not loopback: /metrics and the like treat loopback specially


@pytest.fixture(scope="session")
def hashes() -> dict[str, str]:
    """argon2id hashes made cheap to verify (the cost is written into each hash), so the throttling
    tests' dozens of sign-ins take milliseconds; ``wallboard hash-password`` uses the library default."""
    from argon2 import PasswordHasher

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return {role: cheap.hash(pw) for role, pw in PASSWORDS.items()}


def users_yaml(hashes: dict[str, str], token: str | None = KIOSK_TOKEN, screens: str | None = None) -> str:
    """``screens``: the display token's ``screens:`` list as YAML (``"[utama]"``); None: every wall."""
    out = "users:\n"
    for role in ("operator", "supervisor", "admin"):
        out += f'  - {{name: {role}, role: {role}, password_hash: "${{WB_TEST_HASH_{role.upper()}}}"}}\n'
    if token:
        walls = f", screens: {screens}" if screens else ""
        out += f"  - {{name: dinding, role: operator, display_token: \"{token}\"{walls}}}\n"
    return out


@dataclass
class Site:
    runtime: Any
    app: Any
    path: Path

    def client(self, address: str = NETWORK_ADDRESS) -> Any:
        client = self.app.server.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        return client

    def signed_in(self, role: str) -> Any:
        client = self.client()
        assert login(client, role, PASSWORDS[role]).status_code == 303
        return client

    def kiosk(self) -> Any:
        client = self.client()
        assert client.get(f"/wall/utama?token={KIOSK_TOKEN}").status_code == 302
        return client

    def rewrite(self, text: str) -> bool:
        """Write config.yaml and run the watcher's check, as the running wall would within 2 s."""
        import os
        import time

        self.path.write_text(text)
        stamp = time.time() + 5
        os.utime(self.path, (stamp, stamp))
        self.runtime.check_config()
        return not self.runtime.last_reload_problems


def csrf(client: Any) -> str:
    return csrf_from(client.get("/login").get_data(as_text=True))


@pytest.fixture
def make_site(tmp_path: Path, hashes: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from wallboard.runtime import Runtime
    from wallboard.web.app import create_app

    for role, digest in hashes.items():
        monkeypatch.setenv(f"WB_TEST_HASH_{role.upper()}", digest)
    made: list[Any] = []

    def make(extra: str = "", token: str | None = KIOSK_TOKEN, probes: bool = True, screens: str | None = None,
             kiosk_screens: str | None = None) -> Site:
        text = (demo_config(f"sqlite:///{tmp_path / 'wall.db'}", screens=screens) + extra
                + users_yaml(hashes, token, kiosk_screens))
        path = tmp_path / "config.yaml"
        path.write_text(text)
        runtime = Runtime.from_path(path, collect=False)
        made.append(runtime)
        app = create_app(runtime)
        if probes:
            # Stand-ins for route kinds other branches add (drill pages, exports, metrics), so the
            # matrix checks their role rules here; the real routes get rows of their own.
            for rule in ("/panel/_probe", "/export/_probe", "/metrics", "/console"):
                app.server.add_url_rule(rule, rule, lambda: "probe ok")
        return Site(runtime, app, path)

    yield make
    for runtime in made:
        runtime.store.close()


@pytest.fixture
def site(make_site) -> Site:
    return make_site()
