"""`wallboard validate` and `wallboard run` on bad configs: one line per problem, exit code 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def wallboard(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wallboard.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=60)


def test_validate_shipped_config() -> None:
    result = wallboard("validate", "config.yaml")
    assert result.returncode == 0, result.stderr
    assert "ok (" in result.stdout


def test_validate_broken_config_exit_2_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "config.yaml"
    text = (ROOT / "config.yaml").read_text().replace("site:\n", "site:\n  colour: red\n", 1)
    bad.write_text(text)
    line = text.splitlines().index("  colour: red") + 1
    result = wallboard("validate", str(bad))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines == [f"{bad}:{line}:3: site.colour: unknown key 'colour'"]


def test_run_broken_config_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "config.yaml"
    bad.write_text("site: {name: X, region: '12.75'}\nscreens: []\n")
    result = wallboard("run", "--config", str(bad), "--port", "0")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[0].startswith(f"{bad}:2:")
    assert "Traceback" not in result.stderr


def test_missing_config_file(tmp_path: Path) -> None:
    result = wallboard("validate", str(tmp_path / "missing.yaml"))
    assert result.returncode == 2
    assert "berkas config tidak ditemukan" in result.stderr and "wallboard init --region" in result.stderr
