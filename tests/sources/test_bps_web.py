"""type: bps against a local stand-in of webapi.bps.go.id: readings per region and period."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.api_server import ApiServer, bps_path, bps_table
from tests.sources.site import site_collector, stored
from tests.sources.test_bps import NEWER_TABLE
from tests.sources.util import snapshot
from wallboard import bps
from wallboard.config import parse_config
from wallboard.sources import source_types

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
KEY = "c0ffee9f8e7d6c5b4a39"
# Kecamatan of Jayawijaya by their BPS codes (the bridging table in NEWER_TABLE places them).
KECAMATAN = [(9702010, "Wamena"), (9702020, "Asolokobal"), (9702030, "Walelagama"), (9702110, "Hubikosi")]
DAGRI = {9702010: "95.01.01", 9702020: "95.01.09", 9702030: "95.01.06", 9702110: "95.01.04"}
YEARS = [(123, "2023"), (124, "2024")]


def source(url: str, extra: str = "") -> str:
    return f"""
  - id: penduduk-bps
    type: bps
    url: "{url}"
    every: 1d
    timeout: 5s
    indicator: penduduk
{extra}"""


@pytest.fixture
def webapi():
    server = ApiServer()
    yield server
    server.close()


@pytest.fixture
def wall(tmp_path: Path) -> Path:
    """A Jayawijaya wall with the bridging table read from a local file."""
    exported = tmp_path / "bridging.csv"
    exported.write_text(NEWER_TABLE, encoding="utf-8")
    bps.fetch_bridge(tmp_path / "data" / "regions", str(exported), today=date(2026, 11, 29))
    return tmp_path


def yearly_values() -> dict[str, int]:
    """datacontent of a yearly table: key vervar+var+turvar+tahun+turtahun -> population."""
    return {f"{code}31{0}{year}0": 20000 + k * 1711 + (year - 123) * 389
            for k, (code, _) in enumerate(KECAMATAN) for year, _ in YEARS}


def test_yearly_table_as_readings_per_kecamatan_and_year(webapi: ApiServer, wall: Path, db_url: str,
                                                         monkeypatch) -> None:
    monkeypatch.setenv("BPS_KEY", KEY)
    values = yearly_values()
    values["97021203101240"] = 999  # a key of no cell in the table (vervar 9702120 is not listed)
    webapi.handlers[bps_path("9702", 31, KEY)] = bps_table(
        var={"val": 31, "label": "Jumlah Penduduk Menurut Kecamatan", "unit": "Jiwa"},
        vervar=KECAMATAN, tahun=YEARS, turtahun=[(0, "Tahun")], values=values)
    url = webapi.url + bps_path("9702", 31, "${BPS_KEY}")
    collector, store, _ = site_collector(db_url, "95.01", source(url), wall)
    try:
        run = collector.run("penduduk-bps", NOW)
        assert run.ok and run.rows == 8 and run.rejected == 1, run
        assert ("datacontent 97021203101240: kunci tidak cocok dengan vervar, var, turvar, tahun dan "
                "turtahun tabel") in run.error
        expected = {
            (DAGRI[code], int(datetime(int(label), 1, 1, tzinfo=WIB).timestamp())):
                (float(values[f"{code}310{year}0"]), "P1Y")
            for code, _ in KECAMATAN for year, label in YEARS
        }
        assert stored(store, "penduduk") == expected
        assert expected[("95.01.09", int(datetime(2024, 1, 1, tzinfo=WIB).timestamp()))] == (22100.0, "P1Y")
        assert KEY in webapi.requests[-1] and KEY not in run.error
    finally:
        store.close()


def monthly_table(values: dict[str, object]):
    """A monthly table by kecamatan name (vervar 1, 2), by sex (turvar), with a Tahunan column."""
    return bps_table(
        var={"val": 215, "label": "Jumlah Kasus Malaria", "unit": "Kasus"},
        vervar=[(1, "Wamena"), (2, "Kurulu")], label_vervar="Kecamatan",
        turvar=[(1, "Laki-laki"), (2, "Perempuan"), (3, "Jumlah")],
        tahun=[(125, "2025")], turtahun=[(m, label) for m, label in enumerate(
            ["Januari", "Februari", "Maret"], start=1)] + [(13, "Tahunan")],
        values=values)


def test_monthly_table_by_name_and_turvar(webapi: ApiServer, wall: Path, db_url: str, monkeypatch) -> None:
    monkeypatch.setenv("BPS_KEY", KEY)
    values: dict[str, object] = {}
    for v in (1, 2):
        for t in (1, 2, 3):
            for m in (1, 2, 3, 13):
                values[f"{v}215{t}125{m}"] = v * 100 + t * 10 + m
    values["1215312512"] = "-"  # not in the table's turtahun (12), refused by key
    values["2215312502"] = "-"
    webapi.handlers["/malaria"] = monthly_table(values)
    values_path = "/malaria"
    collector, store, _ = site_collector(
        db_url, "95.01", source(webapi.url + values_path, "    turvar: Jumlah\n    vervar: nama\n"), wall)
    try:
        run = collector.run("penduduk-bps", NOW)
        assert run.ok and run.rows == 6 and run.rejected == 2, run
        assert "datacontent 1215312512: kunci tidak cocok" in run.error
        assert "datacontent 2215312502: kunci tidak cocok" in run.error
        batch = source_types()["bps"](collector.config.source("penduduk-bps"), collector.context).fetch(NOW)
        assert batch.warnings == ["2 angka tahunan (turtahun 'Tahunan') tidak dibaca: tabel ini per periode; "
                                  "pakai turtahun: tahunan untuk angka tahunannya"]
        expected = {
            (region, int(datetime(2025, m, 1, tzinfo=WIB).timestamp())): (float(v * 100 + 30 + m), "P1M")
            for v, region in ((1, "95.01.01"), (2, "95.01.02")) for m in (1, 2, 3)
        }
        assert stored(store, "penduduk") == expected
    finally:
        store.close()


def test_annual_figures_of_a_monthly_table(webapi: ApiServer, wall: Path, db_url: str) -> None:
    values = {f"{v}2153125{m}": v * 1000 + m for v in (1, 2) for m in (1, 2, 3, 13)}
    webapi.handlers["/malaria"] = monthly_table(values)
    extra = "    turvar: '3'\n    vervar: nama\n    turtahun: tahunan\n"
    collector, store, _ = site_collector(db_url, "95.01", source(webapi.url + "/malaria", extra), wall)
    try:
        run = collector.run("penduduk-bps", NOW)
        assert run.ok and run.rows == 2 and run.rejected == 0, run
        year = int(datetime(2025, 1, 1, tzinfo=WIB).timestamp())
        assert stored(store, "penduduk") == {("95.01.01", year): (1013.0, "P1Y"), ("95.01.02", year): (2013.0, "P1Y")}
    finally:
        store.close()


@pytest.mark.parametrize(("answer", "extra", "reason"), [
    (dict(status="Error"), "", "BPS menjawab status 'Error'"),
    (dict(availability="list-not-available"), "", "tidak tersedia (data-availability: 'list-not-available')"),
    ({}, "", "beberapa turvar (1 Laki-laki, 2 Perempuan, 3 Jumlah); pilih satu dengan turvar:"),
    ({}, "    turvar: Total\n", "turvar 'Total' tidak ada di tabel BPS"),
], ids=["status", "not available", "turvar not chosen", "turvar unknown"])
def test_a_table_that_cannot_be_read_fails_and_changes_nothing(webapi: ApiServer, wall: Path, db_url: str,
                                                               answer: dict, extra: str, reason: str) -> None:
    table = dict(var={"val": 215, "label": "Jumlah Kasus Malaria"}, vervar=[(1, "Wamena")],
                 tahun=[(125, "2025")], turtahun=[(1, "Januari")], turvar=[(3, "Total")], values={"121531251": 4})
    webapi.handlers["/malaria"] = bps_table(**table)
    config = source(webapi.url + "/malaria", "    vervar: nama\n" + extra)
    collector, store, _ = site_collector(db_url, "95.01", config, wall)
    try:
        assert collector.run("penduduk-bps", NOW).ok
        before = snapshot(store)
        table.update(turvar=[(1, "Laki-laki"), (2, "Perempuan"), (3, "Jumlah")], values={"121531251": 5})
        table.update(answer)
        webapi.handlers["/malaria"] = bps_table(**table)
        run = collector.run("penduduk-bps", NOW)
        assert not run.ok and reason in run.error, run.error
        assert snapshot(store) == before
    finally:
        store.close()


def test_standard_address_from_domain_var_and_key(tmp_path: Path) -> None:
    text = f"""
site: {{name: Uji, region: "95.01", timezone: Asia/Jayapura}}
database: {{url: "sqlite:///{tmp_path}/w.db"}}
sources:
  - {{id: bps, type: bps, domain: "9702", var: 31, key: "${{BPS_KEY}}", indicator: penduduk, every: 1d}}
indicators:
  - {{id: penduduk, label: Jumlah penduduk, unit: jiwa}}
screens:
  - id: utama
    grid: {{columns: 1, rows: 1}}
    panels:
      - {{id: p, type: kpi, indicator: penduduk, at: [0, 0]}}
"""
    config = parse_config(text, base=tmp_path).config
    assert config.source("bps").address() == (
        "https://webapi.bps.go.id/v1/api/list/model/data/lang/ind/domain/9702/var/31/key/${BPS_KEY}/")
    with pytest.raises(Exception, match="give url:, or domain:, var: and key:"):
        parse_config(text.replace('var: 31, ', ''), base=tmp_path)
