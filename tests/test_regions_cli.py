"""`wallboard regions search|show|fetch`, downloading from a local server only."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.boundary_server import FIXTURES, serve, write_mirror
from tests.conftest import ROOT
from wallboard.boundaries.sqlrows import value_rows


def wallboard(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """The CLI of this checkout, wherever it runs."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-m", "wallboard.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env=env)


def features(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["features"]


# search / show ---------------------------------------------------------------------------------

def test_search_finds_codes_by_name() -> None:
    result = wallboard("regions", "search", "magelang")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("33.08") and "Kabupaten Magelang" in lines[0]
    assert any(line.startswith("33.71") and "Kota Magelang" in line for line in lines)
    missing = wallboard("regions", "search", "zzqx")
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1


@pytest.mark.parametrize(("code", "kecamatan", "desa"), [("33.08", 21, 372), ("12.75", 5, 37)])
def test_show_lists_kecamatan_with_desa_counts(code: str, kecamatan: int, desa: int) -> None:
    result = wallboard("regions", "show", code)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    rows = [line for line in lines if line.startswith(f"  {code}.")]
    assert len(rows) == kecamatan
    assert sum(int(line.split()[-2]) for line in rows) == desa
    assert lines[-1] == f"{kecamatan} kecamatan, {desa} desa/kelurahan"


def test_show_refuses_a_province_with_its_kabupaten_kota() -> None:
    result = wallboard("regions", "show", "33")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "province (Jawa Tengah)" in result.stderr and "33.01" in result.stderr


# the SQL reader ----------------------------------------------------------------------------------

def test_sql_rows_are_read_as_data_never_run() -> None:
    text = ("/* a comment; with ('x') */ DROP TABLE x; INSERT INTO t(a,b,c) VALUES\n"
            "\t('12.75.01','Ma''dung',1.5,-98.25e0,'[[[1,2]]]'),('a\\'b',NULL,3,4,'p');\n"
            "-- trailing comment\nINSERT INTO t VALUES ('z','y',1,2,'[]');")
    assert list(value_rows(text)) == [
        ("12.75.01", "Ma'dung", 1.5, -98.25, "[[[1,2]]]"), ("a'b", None, 3.0, 4.0, "p"), ("z", "y", 1.0, 2.0, "[]")]


# fetch -------------------------------------------------------------------------------------------

@pytest.fixture
def mirror(tmp_path: Path):
    root = tmp_path / "mirror"
    for code in ("12.75", "33.08"):
        write_mirror(root, code)
    geo = root / "geo"
    geo.mkdir()
    for f in FIXTURES.glob("*.geojson"):
        shutil.copy(f, geo / f.name)
    with serve(root) as url:
        yield url


@pytest.mark.parametrize(("code", "kecamatan", "desa"), [("12.75", 5, 37), ("33.08", 21, 372)])
def test_fetch_from_the_default_sources_sql_format(tmp_path: Path, mirror: str, code: str, kecamatan: int,
                                                    desa: int) -> None:
    result = wallboard("regions", "fetch", code, "--from", mirror + "/db", "--dir", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    kec = features(tmp_path / "data" / "regions" / f"{code}-kecamatan.geojson")
    des = features(tmp_path / "data" / "regions" / f"{code}-desa.geojson")
    assert (len(kec), len(des)) == (kecamatan, desa)
    # Same areas as the fixtures, turned back from [lat, lng] into GeoJSON's [lng, lat].
    reference = {f["id"]: f for f in features(FIXTURES / f"{code}-kecamatan.geojson")}
    for f in kec:
        assert f["id"] == f["properties"]["code"]
        assert f["properties"]["name"] == reference[f["id"]]["properties"]["name"]
        assert f["geometry"] == reference[f["id"]]["geometry"]
    lng, lat = kec[0]["geometry"]["coordinates"][0][0][:2] if kec[0]["geometry"]["type"] == "Polygon" else \
        kec[0]["geometry"]["coordinates"][0][0][0][:2]
    assert 94 < lng < 142 and -12 < lat < 7


def test_fetch_from_a_geojson_template(tmp_path: Path, mirror: str) -> None:
    result = wallboard("regions", "fetch", "33.08", "--from", mirror + "/geo/{code}-{level}.geojson",
                       "--dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert len(features(tmp_path / "data" / "regions" / "33.08-desa.geojson")) == 372


@pytest.mark.parametrize(("template", "says"), [
    ("/missing/{code}-{level}.geojson", "HTTP 404"),
    ("/slow/geo/{code}-{level}.geojson", "not complete within 1 s"),
    ("/html/{code}-{level}.geojson", "neither GeoJSON nor"),
    ("/geo/33.08-{level}.geojson", "no kecamatan of 12.75"),  # another region's file
    ("/bad/{code}-{level}.geojson", "not on the official Kemendagri list: 12.75.09"),
    ("/short/{code}-{level}.geojson", "1 official kecamatan of 12.75 missing: 12.75.05"),
])
def test_a_bad_download_is_one_line_and_writes_nothing(tmp_path: Path, mirror: str, template: str,
                                                        says: str) -> None:
    root = tmp_path / "mirror"
    for folder, change in (("bad", "12.75.09"), ("short", None)):
        (root / folder).mkdir(exist_ok=True)
        data = json.loads((FIXTURES / "12.75-kecamatan.geojson").read_text())
        if change:
            data["features"][0]["id"] = data["features"][0]["properties"]["code"] = change
        else:
            data["features"].pop()
        (root / folder / "12.75-kecamatan.geojson").write_text(json.dumps(data))
        shutil.copy(FIXTURES / "12.75-desa.geojson", root / folder / "12.75-desa.geojson")
    wall = tmp_path / "wall"
    existing = wall / "data" / "regions" / "12.75-kecamatan.geojson"
    existing.parent.mkdir(parents=True)
    existing.write_text("the map the wall draws now")
    result = wallboard("regions", "fetch", "12.75", "--from", mirror + template, "--dir", str(wall),
                       "--timeout", "1")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and says in result.stderr and "nothing written" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in existing.parent.iterdir()) == ["12.75-kecamatan.geojson"]
    assert existing.read_text() == "the map the wall draws now"


def test_fetch_refuses_an_unknown_code_with_closest_matches(tmp_path: Path) -> None:
    result = wallboard("regions", "fetch", "12.99", "--dir", str(tmp_path))
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "closest: 12." in result.stderr
    assert not (tmp_path / "data").exists()


def test_fetch_also_takes_the_bps_bridging_table(tmp_path: Path) -> None:
    """`--bps-from`: the table lands beside the boundaries, with where and when it came from."""
    from tests.sources.test_bps import TABLE

    site = tmp_path / "site"
    (site / "csv").mkdir(parents=True)
    (site / "csv" / "kecamatan.csv").write_text(TABLE, encoding="utf-8")
    for level in ("kecamatan", "desa"):
        shutil.copy(FIXTURES / f"12.75-{level}.geojson", site / f"12.75-{level}.geojson")
    wall = tmp_path / "wall"
    with serve(site) as url:
        result = wallboard("regions", "fetch", "12.75", "--from", url + "/{code}-{level}.geojson",
                           "--bps-from", url + "/csv/{level}.csv", "--dir", str(wall))
        assert result.returncode == 0, result.stderr
        folder = wall / "data" / "regions"
        assert (folder / "bps-kemendagri-kecamatan.csv").read_text(encoding="utf-8") == TABLE
        meta = json.loads((folder / "bps-kemendagri-kecamatan.json").read_text())
        assert meta["url"] == url + "/csv/kecamatan.csv" and meta["codes"] >= 8
        broken = wallboard("regions", "fetch", "12.75", "--from", url + "/{code}-{level}.geojson",
                           "--bps-from", url + "/csv/nope.csv", "--dir", str(tmp_path / "other"))
    assert broken.returncode == 1 and "HTTP 404" in broken.stderr and broken.stderr.count("\n") == 1
    assert not (tmp_path / "other" / "data" / "regions").exists()  # nothing written, boundaries neither


def test_fetch_takes_the_bps_table_from_a_local_file(tmp_path: Path) -> None:
    """`--bps-from FILE`: a wall without internet gets its table from a file exported elsewhere."""
    from tests.sources.test_bps import NEWER_TABLE

    site = tmp_path / "site"
    site.mkdir()
    for level in ("kecamatan", "desa"):
        shutil.copy(FIXTURES / f"12.75-{level}.geojson", site / f"12.75-{level}.geojson")
    exported = tmp_path / "unduhan" / "bridging-kecamatan.csv"
    exported.parent.mkdir()
    exported.write_text(NEWER_TABLE, encoding="utf-8")
    wall = tmp_path / "wall"
    with serve(site) as url:
        result = wallboard("regions", "fetch", "12.75", "--from", url + "/{code}-{level}.geojson",
                           "--bps-from", str(exported), "--dir", str(wall))
        assert result.returncode == 0, result.stderr
        missing = wallboard("regions", "fetch", "12.75", "--from", url + "/{code}-{level}.geojson",
                            "--bps-from", str(tmp_path / "nope.csv"), "--dir", str(tmp_path / "other"))
    folder = wall / "data" / "regions"
    assert (folder / "bps-kemendagri-kecamatan.csv").read_text(encoding="utf-8") == NEWER_TABLE
    meta = json.loads((folder / "bps-kemendagri-kecamatan.json").read_text())
    assert meta["path"] == str(exported) and meta["codes"] >= 6
    assert missing.returncode == 1 and "nope.csv" in missing.stderr and missing.stderr.count("\n") == 1
    assert not (tmp_path / "other" / "data" / "regions").exists()
