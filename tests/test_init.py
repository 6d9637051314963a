"""`wallboard init --region CODE_OR_NAME [--dir DIR]` writes a ready wall directory for any region.

Everything here runs offline: boundaries come from the fixtures (a local folder or a local HTTP
server), and "offline" is a refused connection on a local port.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.boundary_server import FIXTURES
from tests.conftest import ROOT
from wallboard import regions
from wallboard.config import load_config
from wallboard.init import InitError, create
from wallboard.samples import DENGUE_XLSX, PRICES_CSV


def wallboard(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-m", "wallboard.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env=env)


def closed_port_template() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/{{code}}-{{level}}.geojson"  # nothing listens: like a cut-off network


@pytest.mark.parametrize(
    ("text", "code", "zone", "name"),
    [("33.08", "33.08", "Asia/Jakarta", "Kabupaten Magelang"), ("Kota Makassar", "73.71", "Asia/Makassar",
                                                                "Kota Makassar"),
     ("9171", "91.71", "Asia/Jayapura", "Kota Jayapura")],
)
def test_init_writes_a_valid_config_in_the_right_time_zone(tmp_path: Path, text: str, code: str, zone: str,
                                                           name: str) -> None:
    done = create(text, tmp_path, fetch=False)
    loaded = load_config(tmp_path / "config.yaml")
    config = loaded.config
    assert (done.code, config.site.region, config.site.timezone) == (code, code, zone)
    assert config.site.name == f"Command Center {name}" and config.site.locale == "id"
    assert loaded.warnings == ()
    types = {s.id: s.type for s in config.sources}
    assert types == {"simulasi": "demo", "harga_pangan": "csv", "kasus_dbd": "excel", "bmkg_gempa": "bmkg_gempa",
                     "bmkg_peringatan": "bmkg_peringatan", "bmkg_cuaca": "bmkg_cuaca"}
    assert len(config.source("bmkg_cuaca").desa) == len(regions.kecamatan(code))  # one desa per kecamatan
    assert {p.type for p in config.screens[0].all_panels()} >= {"kpi", "trend", "map", "events", "clock", "status"}


def test_samples_are_written_the_indonesian_way_and_dated_up_to_today(tmp_path: Path) -> None:
    create("12.75", tmp_path, fetch=False, today=date(2026, 11, 27))
    lines = (tmp_path / "data" / PRICES_CSV).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "Tanggal;Komoditas;Harga"
    assert lines[-1].startswith("27/11/2026;Minyak Goreng Curah;Rp ") and "." in lines[-1].split(";")[2]
    sheet = load_workbook(tmp_path / "data" / DENGUE_XLSX).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Minggu", "Kecamatan", "Kasus DBD")
    assert {r[1] for r in rows[1:]} == {"Binjai Utara", "Binjai Kota", "Binjai Barat", "Binjai Timur",
                                        "Binjai Selatan"}
    assert max(r[0] for r in rows[1:]).date() == date(2026, 11, 23)  # the Monday of the week
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert f"data/{PRICES_CSV}" in readme and f"data/{DENGUE_XLSX}" in readme and "Cara mengganti" in readme


def test_init_cli_in_a_directory_then_collect_once_reads_every_sample(tmp_path: Path) -> None:
    wall = tmp_path / "binjai"
    result = wallboard("init", "--region", "binjai", "--dir", str(wall), "--boundaries", str(FIXTURES),
                       "--no-bmkg")
    assert result.returncode == 0, result.stderr
    assert "Kota Binjai (12.75)" in result.stdout
    config = load_config(wall / "config.yaml").config
    assert config.regions.kecamatan == "data/regions/12.75-kecamatan.geojson"
    assert len(json.loads((wall / config.regions.desa).read_text())["features"]) == 37
    collect = wallboard("collect", "--once", cwd=wall)
    assert collect.returncode == 0, collect.stdout + collect.stderr
    rows = {line.split()[0]: line.split() for line in collect.stdout.splitlines()[1:-1]}
    assert rows["harga_pangan"][2] == "ok" and int(rows["harga_pangan"][3]) == 28
    assert rows["kasus_dbd"][2] == "ok" and int(rows["kasus_dbd"][3]) == 10 and rows["kasus_dbd"][4] == "0"


def test_offline_boundaries_are_one_line_and_the_map_keeps_its_tiles(tmp_path: Path) -> None:
    result = wallboard("init", "--region", "33.08", "--dir", str(tmp_path), "--from", closed_port_template())
    assert result.returncode == 0
    notes = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(notes) == 1 and "boundaries not downloaded" in notes[0] and "regions fetch 33.08" in notes[0]
    assert "regions:" not in (tmp_path / "config.yaml").read_text()
    assert not (tmp_path / "data" / "regions").exists()
    assert wallboard("validate", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize(("region", "says"), [
    ("magelang", "33.08 Kabupaten Magelang, 33.71 Kota Magelang"),
    # a province code ("33") makes a province wall since issue 24 (tests/federation/test_init_province.py)
    ("33.99", "closest: 33."),
    ("33.0x", "no kabupaten/kota named"),
    ("Magelangg", "closest: 33.08 Kabupaten Magelang"),
    ("12.75.01", "did you mean 12.75 Kota Binjai"),
])
def test_bad_regions_are_one_line_with_closest_matches_and_exit_2(tmp_path: Path, region: str, says: str) -> None:
    result = wallboard("init", "--region", region, "--dir", str(tmp_path / "wall"), "--no-fetch")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and says in result.stderr, result.stderr
    assert not (tmp_path / "wall").exists()


def test_a_non_empty_directory_is_only_written_with_force(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("# my own wall\n")
    result = wallboard("init", "--region", "12.75", "--dir", str(tmp_path), "--no-fetch")
    assert result.returncode == 2 and "not empty" in result.stderr and "--force" in result.stderr
    assert (tmp_path / "config.yaml").read_text() == "# my own wall\n"
    with pytest.raises(InitError, match="not empty"):
        create("12.75", tmp_path, fetch=False)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "wallboard.db").write_bytes(b"stored readings")
    forced = wallboard("init", "--region", "12.75", "--dir", str(tmp_path), "--no-fetch", "--force")
    assert forced.returncode == 0, forced.stderr
    assert "Kota Binjai" in (tmp_path / "config.yaml").read_text()
    assert (tmp_path / "data" / "wallboard.db").read_bytes() == b"stored readings"  # nothing stored is lost


def test_init_defaults_to_the_current_directory(tmp_path: Path) -> None:
    result = wallboard("init", "--region", "12.75", "--no-fetch", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "config.yaml").exists() and (tmp_path / "data" / PRICES_CSV).exists()
