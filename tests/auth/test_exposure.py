"""Without users the server only listens on loopback; ``wallboard hash-password``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import demo_config, free_port
from wallboard.auth import verify_password

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def wallboard(*args: str, cwd: Path, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wallboard.cli", *args], capture_output=True, text=True,
                          timeout=60, cwd=cwd, env=ENV, **kw)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20"])
def test_no_users_no_network(tmp_path: Path, host: str) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(demo_config(f"sqlite:///{tmp_path / 'w.db'}"))
    done = wallboard("run", "--config", str(config), "--host", host, "--port", str(free_port()), cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"refusing to listen on {host}" in lines[0] and "users:" in lines[0], done.stderr
    assert "127.0.0.1" in lines[0] and "Traceback" not in done.stderr
    assert not (tmp_path / "w.db").exists()  # refused before anything started


def test_loopback_variants_are_allowed() -> None:
    from wallboard.cli import exposure_problem

    for host in ("127.0.0.1", "::1", "localhost", "127.0.0.2"):
        assert exposure_problem(Path("does-not-matter.yaml"), host) is None


def test_with_users_the_network_is_allowed(tmp_path: Path) -> None:
    from wallboard.cli import exposure_problem

    config = tmp_path / "config.yaml"
    config.write_text(demo_config(f"sqlite:///{tmp_path / 'w.db'}")
                      + "users:\n  - {name: dinding, role: operator, display_token: token-0123456789abcdef}\n")
    assert exposure_problem(config, "0.0.0.0") is None


def test_hash_password_argument(tmp_path: Path) -> None:
    done = wallboard("hash-password", "sandi-rahasia-9", cwd=tmp_path)
    digest = done.stdout.strip()
    assert done.returncode == 0 and digest.startswith("$argon2id$")
    assert verify_password(digest, "sandi-rahasia-9") and not verify_password(digest, "sandi-lain")


def test_hash_password_prompts_twice(tmp_path: Path) -> None:
    done = wallboard("hash-password", cwd=tmp_path, input="sandi-rahasia-9\nsandi-rahasia-9\n")
    assert done.returncode == 0 and verify_password(done.stdout.strip().splitlines()[-1], "sandi-rahasia-9")
    assert "sandi-rahasia-9" not in done.stdout + done.stderr  # never echoed
    differ = wallboard("hash-password", cwd=tmp_path, input="sandi-rahasia-9\nsandi-rahasia-8\n")
    assert differ.returncode == 2 and "differ" in differ.stderr


def test_hash_password_prompt_uses_getpass(monkeypatch, capsys) -> None:
    """On a terminal the password is read by getpass (no echo), twice."""
    from wallboard.cli import main

    asked = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or "sandi-rahasia-9")
    assert main(["hash-password"]) == 0
    assert len(asked) == 2 and capsys.readouterr().out.startswith("$argon2id$")
