"""`wallboard init --region 33` (or a province name): a province wall whose areas are its kab/kota,
one ``type: wallboard`` source per kab/kota with ``${URL_xxxx}`` placeholders, a README in Bahasa
Indonesia, and the province's own time zone."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.boundary_server import serve
from wallboard import regions
from wallboard.config import load_config
from wallboard.init import create
from wallboard.panels import panel_types
from wallboard.panels.base import WallContext


def placeholders(text: str) -> dict[str, str]:
    return {name: f"nilai-{name.lower()}-rahasia" for name in re.findall(r"\$\{([A-Z_0-9]+)\}", text)}


def test_init_by_province_code_writes_a_wall_reading_every_kab_kota(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    done = subprocess.run([sys.executable, "-m", "wallboard.cli", "init", "--region", "33", "--dir", str(tmp_path),
                           "--no-fetch"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "config.yaml").read_text(encoding="utf-8")
    for name, value in placeholders(text).items():
        monkeypatch.setenv(name, value)
    config = load_config(tmp_path / "config.yaml").config
    assert config.site.region == "33" and config.site.timezone == "Asia/Jakarta"
    peers = [s for s in config.sources if s.type == "wallboard"]
    assert len(peers) == 35
    magelang = next(s for s in peers if s.region == "33.08")
    assert magelang.url == "${URL_3308}" and magelang.token == "${TOKEN_3308}"
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "api_tokens:" in readme and "Yang ditambahkan setiap kabupaten/kota" in readme
    assert "| 33.71 | Kota Magelang | `URL_3371` | `TOKEN_3371` |" in readme


@pytest.mark.parametrize(("province", "zone"), [
    ("Papua", "Asia/Jayapura"), ("94", "Asia/Jayapura"), ("Kalimantan Utara", "Asia/Makassar"),
    ("Provinsi Bali", "Asia/Makassar"), ("Kalimantan Barat", "Asia/Jakarta"), ("Maluku Utara", "Asia/Jayapura"),
])
def test_a_province_wall_keeps_the_province_time_zone(tmp_path: Path, province: str, zone: str) -> None:
    done = create(province, tmp_path, fetch=False)
    text = (tmp_path / "config.yaml").read_text(encoding="utf-8")
    assert f"timezone: {zone}\n" in text, done.code
    assert text.count("    type: wallboard\n") == len(re.findall(r"region: \"\d{2}\.\d{2}\"", text)) > 0


def kab_squares(root: Path) -> Path:
    """A ``db/kab`` file in wilayah_boundaries' layout for Jawa Tengah: a square per kab/kota, and one
    kab/kota of another province (the real files hold one province each; fetch must keep 33's)."""
    rows = []
    for n, area in enumerate((*regions.kecamatan("33"), regions.get_wilayah("34.71"))):
        lat, lng = -7.0 - (n // 6) * 0.1, 109.0 + (n % 6) * 0.1
        path = [[[lat, lng], [lat, lng + 0.1], [lat - 0.1, lng + 0.1], [lat - 0.1, lng], [lat, lng]]]
        rows.append(f"\t('{area.code}','{area.name}',{lat - 0.05},{lng + 0.05},'{json.dumps(path)}')")
    (root / "db" / "kab").mkdir(parents=True)
    (root / "db" / "kab" / "wilayah_boundaries_kab_33.sql").write_text(
        "INSERT INTO wilayah_boundaries(kode,nama,lat,lng,path) VALUES\n" + ",\n".join(rows) + ";\n",
        encoding="utf-8")
    return root / "db"


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("mirror")
    kab_squares(root)
    with serve(root) as url:
        yield url + "/db"


def test_init_of_a_province_fetches_its_kab_kota_boundaries_and_the_map_draws_them(
        tmp_path: Path, mirror: str, monkeypatch: pytest.MonkeyPatch) -> None:
    done = create("33", tmp_path, source=mirror)
    text = (tmp_path / "config.yaml").read_text(encoding="utf-8")
    assert "  kecamatan: data/regions/33-kabupaten.geojson\n" in text, done.notes
    geo = json.loads((tmp_path / "data" / "regions" / "33-kabupaten.geojson").read_text(encoding="utf-8"))
    assert len(geo["features"]) == 35 and "34.71" not in {f["id"] for f in geo["features"]}
    for name, value in placeholders(text).items():
        monkeypatch.setenv(name, value)
    config = load_config(tmp_path / "config.yaml").config
    screen = next(s for s in config.screens if any(p.type == "map" for p in s.all_panels()))
    peta = next(p for p in screen.all_panels() if p.type == "map")
    panel = panel_types()["map"](peta, WallContext(config, screen, tmp_path))
    assert panel.geo is not None and len(panel.geo["features"]) == 35  # outlines, not tiles


def test_regions_fetch_of_a_province_writes_its_kab_kota(tmp_path: Path, mirror: str) -> None:
    done = subprocess.run([sys.executable, "-m", "wallboard.cli", "regions", "fetch", "33", "--dir", str(tmp_path),
                           "--from", mirror], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "data" / "regions" / "33-kabupaten.geojson").exists()
    assert "kab/kota" in done.stdout


def test_a_province_whose_boundaries_cannot_be_fetched_draws_tiles(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    done = create("33", tmp_path, source=f"http://127.0.0.1:{port}/{{code}}-{{level}}.geojson")
    assert any("kab/kota boundaries not downloaded" in note for note in done.notes)
    assert "regions:" not in (tmp_path / "config.yaml").read_text(encoding="utf-8")  # tiles instead


def clock_text(component: object) -> list[str]:
    """Every text in a Dash component tree, depth first."""
    children = getattr(component, "children", None)
    if isinstance(children, str):
        return [children]
    items = children if isinstance(children, list) else [children] if children is not None else []
    return [text for child in items for text in clock_text(child)]


@pytest.mark.parametrize(("code", "zone", "label"), [
    ("65", "Asia/Makassar", "WITA"),  # Kalimantan Utara
    ("95", "Asia/Jayapura", "WIT"),  # Papua Pegunungan (2022)
    ("96", "Asia/Jayapura", "WIT"),  # Papua Barat Daya (2022)
    ("91", "Asia/Jayapura", "WIT"),  # Papua
])
def test_the_province_walls_clock_names_its_zone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: str,
                                                  zone: str, label: str) -> None:
    """`wallboard init --region 65` (and a Papua province): the generated config's zone, and the wall's
    clock says WITA or WIT and counts the hours in that zone (``data-zone``, which the browser ticks in)."""
    done = subprocess.run([sys.executable, "-m", "wallboard.cli", "init", "--region", code, "--dir", str(tmp_path),
                           "--no-fetch"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "config.yaml").read_text(encoding="utf-8")
    assert f"  timezone: {zone}\n" in text
    for name, value in placeholders(text).items():
        monkeypatch.setenv(name, value)
    config = load_config(tmp_path / "config.yaml").config
    screen = config.screens[0]
    jam = next(p for p in screen.all_panels() if p.type == "clock")
    panel = panel_types()["clock"](jam, WallContext(config, screen, tmp_path))
    texts = clock_text(panel.body()[0])
    assert label in texts and not {"WIB", "WITA", "WIT"} - {label} & set(texts), texts
    sync = panel.body()[0].children[-1]
    assert getattr(sync, "data-zone") == zone and sync.children.endswith(f" {label}")
