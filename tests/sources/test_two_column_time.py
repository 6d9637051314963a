"""A time written in two columns (``tahun`` and ``bulan``, ``tahun`` and ``triwulan``), as Satu Data
portals export it, read together into one period by every record source and by wide tables."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from tests.sources.site import site_collector, stored, write_csv
from tests.sources.test_http_json import Api
from tests.sources.util import settle

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
SITE = "33.08"  # Kabupaten Magelang: 33.08.01 Salaman, 33.08.02 Borobudur
# Every month as the real exports write it: short, old spellings, capitals, a trailing dot.
SPELLED = ["Jan", "PEB", "Mrt", "April", "Mei", "Juni", "JUL", "Agust", "Sept", "Okt", "NOP", "Des."]
WORDS = ["JANUARI", "Pebruari", "Maret", "APR", "MEI", "Jun", "Juli", "Agt", "Sep", "OKTOBER", "Nopember",
         "Desember"]


def start(year: int, month: int = 1, day: int = 1) -> int:
    return int(datetime(year, month, day, tzinfo=WIB).timestamp())


def long_source(kind: str, path: str, time: str = "[tahun, bulan]", extra: str = "") -> str:
    return f"""
  - id: dbd
    type: {kind}
    path: {path}
    every: 1h
    indicator: kasus_dbd
    columns: {{time: {time}, region: kecamatan, value: jumlah}}{extra}
"""


def satu_data_rows() -> list[list[str]]:
    """``tahun;bulan;kecamatan;jumlah`` for two kecamatan, a row per month, Indonesian numbers."""
    rows = []
    for m, (short, word) in enumerate(zip(SPELLED, WORDS, strict=True), start=1):
        rows.append(["2026", short, "Salaman", f"{m * 3}"])
        rows.append(["2026", word, "BOROBUDUR", f"1.{m:03d}"])  # 1.001 ... 1.012: thousands
    return rows


def expected_months() -> dict[tuple[str, int], tuple[float, str]]:
    out = {}
    for m in range(1, 13):
        out[("33.08.01", start(2026, m))] = (float(m * 3), "P1M")
        out[("33.08.02", start(2026, m))] = (float(1000 + m), "P1M")
    return out


def test_satu_data_csv_year_and_month_columns(db_url: str, tmp_path: Path) -> None:
    """Every month of the year is stored in its own month, not all twelve on the year (the bug:
    ``time: tahun`` kept one value per kecamatan, the last month's)."""
    write_csv(tmp_path / "dbd.csv", ["tahun", "bulan", "kecamatan", "jumlah"], satu_data_rows(), delimiter=";")
    settle(tmp_path / "dbd.csv")
    collector, store, _ = site_collector(db_url, SITE, long_source("csv", "dbd.csv"), tmp_path)
    try:
        run = collector.run("dbd", NOW)
        assert run.ok and run.rows == 24 and run.rejected == 0, run
        assert stored(store, "kasus_dbd") == expected_months()
    finally:
        store.close()


def test_bad_month_cells_are_refused_by_row_and_columns(db_url: str, tmp_path: Path) -> None:
    rows = [
        ["2026", "Agust", "Salaman", "4"],
        ["2026", "Agutus", "Salaman", "5"],   # line 3: a misspelt month, never skipped or guessed
        ["2026", "", "Salaman", "6"],         # line 4: a year alone is not a month's figure
        ["2026", "13", "Borobudur", "7"],     # line 5: there is no 13th month
        ["2026", "8", "Borobudur", "8"],      # a month by its number
    ]
    write_csv(tmp_path / "dbd.csv", ["tahun", "bulan", "kecamatan", "jumlah"], rows, delimiter=";")
    settle(tmp_path / "dbd.csv")
    collector, store, _ = site_collector(db_url, SITE, long_source("csv", "dbd.csv"), tmp_path)
    try:
        run = collector.run("dbd", NOW)
        assert run.ok and run.rows == 2 and run.rejected == 3, run
        assert ("baris 3 kolom 'tahun' + 'bulan': 'Agutus' bukan bulan, triwulan, semester atau minggu "
                "(tahun 2026)") in run.error
        assert "baris 4 kolom 'tahun' + 'bulan': tahun 2026 tanpa bulan" in run.error
        assert "baris 5 kolom 'tahun' + 'bulan': bulan '13' tidak ada (tahun 2026)" in run.error
        assert stored(store, "kasus_dbd") == {("33.08.01", start(2026, 8)): (4.0, "P1M"),
                                              ("33.08.02", start(2026, 8)): (8.0, "P1M")}
    finally:
        store.close()


@pytest.mark.parametrize(("header", "written", "expected", "length"), [
    ("triwulan", ["TW I", "TW II", "Triwulan 3", "TW IV"],
     [date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1), date(2026, 10, 1)], "P3M"),
    ("semester", ["Semester 1", "S2"], [date(2026, 1, 1), date(2026, 7, 1)], "P6M"),
    ("minggu", ["Minggu ke-1", "M2", "Minggu 3", "minggu ke 53"],
     [date(2025, 12, 29), date(2026, 1, 5), date(2026, 1, 12), date(2026, 12, 28)], "P1W"),
])
def test_year_with_quarter_half_or_week(db_url: str, tmp_path: Path, header: str, written: list[str],
                                        expected: list[date], length: str) -> None:
    rows = [["2026", w, "Salaman", str(10 + i)] for i, w in enumerate(written)]
    write_csv(tmp_path / "dbd.csv", ["tahun", header, "kecamatan", "jumlah"], rows, delimiter=";")
    settle(tmp_path / "dbd.csv")
    source = long_source("csv", "dbd.csv", time=f"[tahun, {header}]")
    collector, store, _ = site_collector(db_url, SITE, source, tmp_path)
    try:
        run = collector.run("dbd", NOW)
        assert run.ok and run.rows == len(written) and run.rejected == 0, run
        assert stored(store, "kasus_dbd") == {
            ("33.08.01", start(d.year, d.month, d.day)): (float(10 + i), length) for i, d in enumerate(expected)
        }
    finally:
        store.close()


def test_a_constant_year_beside_a_month_column(db_url: str, tmp_path: Path) -> None:
    """A monthly sheet without a year column: the year is written once in the config."""
    rows = [[w, "Salaman", str(m)] for m, w in enumerate(SPELLED, start=1)]
    write_csv(tmp_path / "dbd.csv", ["bulan", "kecamatan", "jumlah"], rows, delimiter=";")
    settle(tmp_path / "dbd.csv")
    collector, store, _ = site_collector(db_url, SITE, long_source("csv", "dbd.csv", time="['=2025', bulan]"),
                                         tmp_path)
    try:
        run = collector.run("dbd", NOW)
        assert run.ok and run.rows == 12 and run.rejected == 0, run
        assert stored(store, "kasus_dbd") == {("33.08.01", start(2025, m)): (float(m), "P1M") for m in range(1, 13)}
    finally:
        store.close()


def test_excel_year_cells_and_month_names(db_url: str, tmp_path: Path) -> None:
    """Excel keeps the year as a number (2026, sometimes 2026.0) and the month as text."""
    book = Workbook()
    sheet = book.active
    sheet.append(["Tahun", "Bulan", "Kecamatan", "Jumlah"])
    for m, (short, word) in enumerate(zip(SPELLED, WORDS, strict=True), start=1):
        sheet.append([2026, short, "Salaman", m * 3])
        sheet.append([2026.0, word, "Borobudur", 1000 + m])
    sheet.append([2026, "Agutus", "Salaman", 99])  # row 26
    path = tmp_path / "data" / "dbd.xlsx"
    path.parent.mkdir(parents=True)
    book.save(path)
    settle(path)
    source = long_source("excel", "data/dbd.xlsx", time="[Tahun, Bulan]").replace(
        "region: kecamatan, value: jumlah", "region: Kecamatan, value: Jumlah")
    collector, store, _ = site_collector(db_url, SITE, source, tmp_path)
    try:
        run = collector.run("dbd", NOW)
        assert run.ok and run.rows == 24 and run.rejected == 1, run
        assert "baris 26 kolom 'Tahun' + 'Bulan': 'Agutus' bukan bulan" in run.error
        assert stored(store, "kasus_dbd") == expected_months()
    finally:
        store.close()


def test_http_json_year_and_month_fields(db_url: str, tmp_path: Path) -> None:
    api = Api()
    try:
        records = [{"tahun": 2026, "bulan": short, "kecamatan": "Salaman", "jumlah": m * 3}
                   for m, short in enumerate(SPELLED, start=1)]
        records += [{"tahun": "2026", "bulan": m, "kecamatan": "33.08.02", "jumlah": f"1.{m:03d}"}
                    for m in range(1, 13)]  # the month as a number, the year as text
        api.set("/api/dbd", {"data": records})
        source = f"""
  - id: dbd
    type: http_json
    url: {api.url}/api/dbd
    every: 1h
    records: data
    indicator: kasus_dbd
    columns: {{time: [tahun, bulan], region: kecamatan, value: jumlah}}
"""
        collector, store, _ = site_collector(db_url, SITE, source, tmp_path)
        try:
            run = collector.run("dbd", NOW)
            assert run.ok and run.rows == 24 and run.rejected == 0, run
            assert stored(store, "kasus_dbd") == expected_months()
        finally:
            store.close()
    finally:
        api.server.shutdown()


def test_sql_year_and_month_columns(db_url: str, tmp_path: Path, monkeypatch) -> None:
    database = tmp_path / "dinkes.db"
    with sqlite3.connect(database) as conn:
        conn.execute("CREATE TABLE kasus (tahun INTEGER, bulan TEXT, kecamatan TEXT, jumlah INTEGER)")
        conn.executemany("INSERT INTO kasus VALUES (?, ?, ?, ?)",
                         [(2026, short, "33.08.01", m * 3) for m, short in enumerate(SPELLED, start=1)]
                         + [(2026, str(m), "33.08.02", 1000 + m) for m in range(1, 13)])
    conn.close()
    monkeypatch.setenv("DINKES_DB_URL", f"sqlite:///{database}")
    source = """
  - id: dbd
    type: sql
    url: ${DINKES_DB_URL}
    query: "SELECT tahun, bulan, kecamatan, jumlah FROM kasus"
    every: 1h
    indicator: kasus_dbd
    columns: {time: [tahun, bulan], region: kecamatan, value: jumlah}
"""
    collector, store, _ = site_collector(db_url, SITE, source, tmp_path)
    try:
        run = collector.run("dbd", NOW)
        assert run.ok and run.rows == 24 and run.rejected == 0, run
        assert stored(store, "kasus_dbd") == expected_months()
    finally:
        store.close()


def test_wide_table_with_year_and_month_columns(db_url: str, tmp_path: Path) -> None:
    """A profile table, one column per indicator, its time in ``Tahun`` and ``Bulan``."""
    source = """
  - id: profil
    type: csv
    path: profil.csv
    every: 1d
    layout: wide
    columns: {region: Kecamatan, time: [Tahun, Bulan]}
    indicators: {Kasus DBD: kasus_dbd, Jumlah Penduduk (jiwa): penduduk}
"""
    write_csv(tmp_path / "profil.csv", ["Kecamatan", "Tahun", "Bulan", "Kasus DBD", "Jumlah Penduduk (jiwa)"], [
        ["Salaman", "2026", "Agust", "4", "71.520"],
        ["Salaman", "2026", "Sept", "6", "71.530"],
        ["Borobudur", "2026", "NOP", "2", "-"],
        ["JUMLAH", "2026", "Agust", "4", "71.520"],
    ], delimiter=";")
    settle(tmp_path / "profil.csv")
    collector, store, _ = site_collector(db_url, SITE, source, tmp_path)
    try:
        run = collector.run("profil", NOW)
        assert run.ok and run.rejected == 0 and run.rows == 5, run
        assert stored(store, "kasus_dbd") == {("33.08.01", start(2026, 8)): (4.0, "P1M"),
                                              ("33.08.01", start(2026, 9)): (6.0, "P1M"),
                                              ("33.08.02", start(2026, 11)): (2.0, "P1M")}
        assert stored(store, "penduduk") == {("33.08.01", start(2026, 8)): (71520.0, "P1M"),
                                             ("33.08.01", start(2026, 9)): (71530.0, "P1M")}
    finally:
        store.close()


def test_time_list_names_its_columns_in_the_header_check(db_url: str, tmp_path: Path) -> None:
    """A missing ``bulan`` column fails the run by name, as any configured column does."""
    write_csv(tmp_path / "dbd.csv", ["tahun", "kecamatan", "jumlah"], [["2026", "Salaman", "4"]], delimiter=";")
    settle(tmp_path / "dbd.csv")
    collector, store, _ = site_collector(db_url, SITE, long_source("csv", "dbd.csv"), tmp_path)
    try:
        run = collector.run("dbd", NOW)
        assert not run.ok and "kolom 'bulan' tidak ada" in run.error, run
        assert stored(store, "kasus_dbd") == {}
    finally:
        store.close()
