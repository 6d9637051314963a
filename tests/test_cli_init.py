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
    result = wallboard("init", "--region", "91.71", "--no-fetch", "--no-bmkg", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    config = tmp_path / "config.yaml"
    assert result.stdout.strip() == (
        "Kota Jayapura (91.71): config.yaml, README.md, data/disperindag_harga_pangan.csv, "
        "data/dinkes_kasus_dbd.xlsx dibuat. Jalankan `wallboard run` lalu buka http://127.0.0.1:8050/wall/utama")
    text = config.read_text(encoding="utf-8")
    assert 'region: "91.71"' in text and "timezone: Asia/Jayapura" in text and "Kota Jayapura" in text
    assert (tmp_path / "data").is_dir()

    # `wallboard validate` with no path reads ./config.yaml
    result = wallboard("validate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("config.yaml: ok (3 sources,") and result.stderr == ""

    # the generated wall really collects: the simulator writes into data/wallboard.db beside it
    result = wallboard("collect", "--once", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()[1:-1]}
    assert {name: row[1:3] for name, row in rows.items()} == {
        "simulasi": ["demo", "ok"], "harga_pangan": ["csv", "ok"], "kasus_dbd": ["excel", "ok"]}
    assert all(int(row[3]) > 0 for row in rows.values())  # every sample export really read
    assert (tmp_path / "data" / "wallboard.db").stat().st_size > 0


def test_init_dir_and_boundaries_flags(tmp_path: Path) -> None:
    target = tmp_path / "magelang"
    result = wallboard("init", "--region", "Kabupaten Magelang", "--dir", str(target), "--boundaries",
                       str(FIXTURES / "regions"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Kabupaten Magelang (33.08): ")
    assert f"Jalankan `cd {target} && wallboard run`" in result.stdout
    text = (target / "config.yaml").read_text(encoding="utf-8")
    assert "kecamatan: data/regions/33.08-kecamatan.geojson" in text and "desa: data/regions/33.08-desa.geojson" in text
    result = wallboard("validate", str(target / "config.yaml"), cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == "", result.stderr  # boundary files found: no warning


def test_init_refuses_an_unknown_code_and_an_existing_file(tmp_path: Path) -> None:
    result = wallboard("init", "--region", "99.99", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith("wallboard init: '99.99' is not a kabupaten/kota code; closest: ")
    assert not (tmp_path / "config.yaml").exists()

    (tmp_path / "config.yaml").write_text("# mine\n", encoding="utf-8")
    result = wallboard("init", "--region", "12.75", "--no-fetch", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "wallboard init: . is not empty; use --force to write the wall there anyway"
    assert (tmp_path / "config.yaml").read_text(encoding="utf-8") == "# mine\n"  # untouched

    result = wallboard("init", "--region", "12.75", "--no-fetch", "--force", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert 'region: "12.75"' in (tmp_path / "config.yaml").read_text(encoding="utf-8")


def test_init_needs_a_region(tmp_path: Path) -> None:
    result = wallboard("init", cwd=tmp_path)
    assert result.returncode == 2 and "--region" in result.stderr and "Traceback" not in result.stderr
