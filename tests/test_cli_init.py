"""README's adoption path as a user types it: `wallboard init --region CODE`, then the config runs.

The command is run as a process (flags, refusals, message, exit codes), and what it writes is used
the way README says: `wallboard validate` with no path, and `wallboard collect --once`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURES


def wallboard(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wallboard.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_init_writes_a_config_that_validates_and_collects(tmp_path: Path) -> None:
    result = wallboard("init", "--region", "91.71", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    config = tmp_path / "config.yaml"
    assert result.stdout.strip() == ("config.yaml dibuat. Jalankan `wallboard run --config config.yaml` lalu buka "
                                     "http://127.0.0.1:8050/wall/utama")
    text = config.read_text(encoding="utf-8")
    assert 'region: "91.71"' in text and "timezone: Asia/Jayapura" in text and "Kota Jayapura" in text
    assert (tmp_path / "data").is_dir()

    # `wallboard validate` with no path reads ./config.yaml
    result = wallboard("validate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("config.yaml: ok (1 sources,") and result.stderr == ""

    # the generated wall really collects: the simulator writes into data/wallboard.db beside it
    result = wallboard("collect", "--once", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[1].split()[:3] == ["simulasi", "demo", "ok"] and int(lines[1].split()[3]) > 0
    assert (tmp_path / "data" / "wallboard.db").stat().st_size > 0


def test_init_output_and_boundaries_flags(tmp_path: Path) -> None:
    target = tmp_path / "magelang" / "wall.yaml"
    result = wallboard("init", "--region", "33.08", "--output", str(target), "--boundaries",
                       str(FIXTURES / "regions"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{target} dibuat.")
    text = target.read_text(encoding="utf-8")
    assert f"kecamatan: {(FIXTURES / 'regions' / '33.08-kecamatan.geojson').as_posix()}" in text
    assert f"desa: {(FIXTURES / 'regions' / '33.08-desa.geojson').as_posix()}" in text
    result = wallboard("validate", str(target), cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == "", result.stderr  # boundary files found: no warning


def test_init_refuses_an_unknown_code_and_an_existing_file(tmp_path: Path) -> None:
    result = wallboard("init", "--region", "99.99", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == ("wallboard init: '99.99' is not a Kemendagri kabupaten/kota code "
                                     "(for example 12.75 or 33.08)")
    assert not (tmp_path / "config.yaml").exists()

    (tmp_path / "config.yaml").write_text("# mine\n", encoding="utf-8")
    result = wallboard("init", "--region", "12.75", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "wallboard init: config.yaml already exists; use --force to overwrite it"
    assert (tmp_path / "config.yaml").read_text(encoding="utf-8") == "# mine\n"  # untouched

    result = wallboard("init", "--region", "12.75", "--force", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert 'region: "12.75"' in (tmp_path / "config.yaml").read_text(encoding="utf-8")


def test_init_needs_a_region(tmp_path: Path) -> None:
    result = wallboard("init", cwd=tmp_path)
    assert result.returncode == 2 and "--region" in result.stderr and "Traceback" not in result.stderr
