"""`wallboard init --region CODE` gives any kabupaten/kota a config that validates and runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from wallboard.config import load_config
from wallboard.init import InitError, render_config, write_config
from wallboard.regions import kecamatan


@pytest.mark.parametrize(
    ("code", "zone", "name"),
    [("33.08", "Asia/Jakarta", "Kabupaten Magelang"), ("73.71", "Asia/Makassar", "Kota Makassar"),
     ("91.71", "Asia/Jayapura", "Kota Jayapura")],
)
def test_init_writes_a_valid_config_in_the_right_time_zone(tmp_path: Path, code: str, zone: str, name: str) -> None:
    path = write_config(code, tmp_path / "config.yaml")
    config = load_config(path).config
    assert config.site.region == code
    assert config.site.timezone == zone
    assert config.site.name == f"Command Center {name}"
    assert config.site.locale == "id"
    assert (tmp_path / "data").is_dir()
    assert {p.type for p in config.screens[0].all_panels()} >= {"kpi", "trend", "map", "events", "clock"}


def test_init_names_boundary_files_when_given(tmp_path: Path) -> None:
    path = write_config("33.08", tmp_path / "config.yaml", boundaries=FIXTURES / "regions")
    loaded = load_config(path)
    assert loaded.config.regions.kecamatan.endswith("33.08-kecamatan.geojson")
    assert loaded.warnings == ()
    assert len(kecamatan("33.08")) == 21


def test_init_refuses_unknown_code_and_existing_file(tmp_path: Path) -> None:
    with pytest.raises(InitError, match="not a Kemendagri"):
        render_config("99.99")
    write_config("12.75", tmp_path / "config.yaml")
    with pytest.raises(InitError, match="already exists"):
        write_config("12.75", tmp_path / "config.yaml")
