"""Wide tables: a dinas's monthly Excel report and a CSV with one column per period or indicator."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from tests.sources.site import site_collector, stored, write_csv
from tests.sources.util import settle, snapshot
from wallboard import regions

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
MONTHS = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nop", "Des"]
# As the report writes them (upper case, one with "Kec."), for the 21 kecamatan of Kabupaten Magelang.
WRITTEN = {code: ("Kec. " + k.name if n == 4 else k.name.upper())
           for n, (code, k) in enumerate((k.code, k) for k in regions.kecamatan("33.08"))}


def month(m: int) -> int:
    return int(datetime(2026, m, 1, tzinfo=WIB).timestamp())


def report_cells() -> dict[str, list[object]]:
    """Cases per kecamatan and month: numbers, '-' and '–' for none, text with a thousands dot, and
    December still empty (the report is filled month by month)."""
    cells: dict[str, list[object]] = {}
    for n, code in enumerate(WRITTEN):
        row: list[object] = []
        for m in range(1, 13):
            if m == 12:
                row.append(None)
            elif (n + m) % 7 == 0:
                row.append("-")
            elif (n + m) % 11 == 0:
                row.append("\u2013")
            elif n == 3 and m == 2:
                row.append("1.050")  # typed as text with the Indonesian thousands dot
            else:
                row.append((n * 3 + m) % 9)
        cells[code] = row
    return cells


def expected(cells: dict[str, list[object]]) -> dict[tuple[str, int], tuple[float, str]]:
    out = {}
    for code, row in cells.items():
        for m, cell in enumerate(row, start=1):
            if cell in (None, "-", "\u2013"):
                continue
            out[(code, month(m))] = (1050.0 if cell == "1.050" else float(cell), "P1M")
    return out


def write_report(path: Path, cells: dict[str, list[object]], extra_title_rows: int = 0,
                 month_names: list[str] = MONTHS) -> int:
    """The monthly report as a dinas makes it; returns the row number of the first kecamatan."""
    book = Workbook()
    sheet = book.active
    sheet.title = "DBD"
    titles = ["LAPORAN BULANAN KASUS DEMAM BERDARAH DENGUE (DBD)", "DINAS KESEHATAN KABUPATEN MAGELANG",
              "TAHUN 2026"] + ["(data sementara)"] * extra_title_rows
    for r, title in enumerate(titles, start=1):
        sheet.cell(r, 1, title)
        sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=15)
    h = len(titles) + 2  # one blank row under the title block
    sheet.cell(h, 1, "No")
    sheet.merge_cells(start_row=h, start_column=1, end_row=h + 1, end_column=1)
    sheet.cell(h, 2, "Kecamatan")
    sheet.merge_cells(start_row=h, start_column=2, end_row=h + 1, end_column=2)
    sheet.cell(h, 3, "Bulan")
    sheet.merge_cells(start_row=h, start_column=3, end_row=h, end_column=14)
    sheet.cell(h, 15, "Jumlah")
    sheet.merge_cells(start_row=h, start_column=15, end_row=h + 1, end_column=15)
    for m, name in enumerate(month_names):
        sheet.cell(h + 1, 3 + m, name)
    for c in range(1, 16):
        sheet.cell(h + 2, c, f"({c})")
    first = h + 3
    for n, (code, row) in enumerate(cells.items()):
        r = first + n
        sheet.cell(r, 1, n + 1)
        sheet.cell(r, 2, WRITTEN[code])
        for m, cell in enumerate(row):
            sheet.cell(r, 3 + m, cell)
        sheet.cell(r, 15, sum(c for c in row if isinstance(c, int)))
    total = first + len(cells)
    sheet.cell(total, 1, "JUMLAH")
    sheet.merge_cells(start_row=total, start_column=1, end_row=total, end_column=2)
    for m in range(12):
        sheet.cell(total, 3 + m, sum(row[m] for row in cells.values() if isinstance(row[m], int)))
    sheet.cell(total + 2, 1, "Sumber: Seksi P2P Dinas Kesehatan")
    sheet.cell(total + 3, 1, "Keterangan: - = tidak ada kasus")
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    settle(path)
    return first


SOURCE = """
  - id: dbd
    type: excel
    path: laporan/dbd-2026.xlsx
    every: 1d
    layout: wide
    indicator: kasus_dbd
    columns: {region: Kecamatan}
"""


@pytest.fixture
def report(db_url: str, tmp_path: Path):
    collector, store, _ = site_collector(db_url, "33.08", SOURCE, tmp_path)
    yield collector, store, tmp_path / "laporan" / "dbd-2026.xlsx"
    store.close()


def test_monthly_report_with_title_block_and_merged_header(report) -> None:
    collector, store, path = report
    cells = report_cells()
    write_report(path, cells)
    run = collector.run("dbd", NOW)
    want = expected(cells)
    assert run.ok and run.rejected == 0 and run.rows == len(want), run
    assert stored(store, "kasus_dbd") == want  # each value as in its cell; '-', '–' and empty stored as nothing
    assert ("33.08.04", month(2)) in want and want[("33.08.04", month(2))] == (1050.0, "P1M")
    assert not any(ts == month(12) for _, ts in want)  # December is empty, not zero
    assert all(region != "33.08" for region, _ in stored(store, "kasus_dbd"))  # the JUMLAH row is skipped


def test_header_found_when_it_moved_down(report) -> None:
    collector, store, path = report
    cells = report_cells()
    write_report(path, cells, extra_title_rows=2)
    run = collector.run("dbd", NOW)
    assert run.ok and run.rejected == 0, run
    assert stored(store, "kasus_dbd") == expected(cells)


def test_a_bad_cell_is_rejected_by_name_and_the_rest_kept(report) -> None:
    collector, store, path = report
    cells = report_cells()
    code = next(iter(cells))
    cells[code][2] = "abc"  # March of the first kecamatan
    first = write_report(path, cells)
    run = collector.run("dbd", NOW)
    assert run.ok and run.rejected == 1, run
    assert f"sel E{first} (Mar): bukan angka: 'abc'" in run.error
    want = expected({c: [None if v == "abc" else v for v in row] for c, row in cells.items()})
    assert stored(store, "kasus_dbd") == want


def test_a_wrong_header_row_fails_and_changes_nothing(db_url: str, tmp_path: Path) -> None:
    collector, store, _ = site_collector(db_url, "33.08", SOURCE + "    header_row: 5\n", tmp_path)
    path = tmp_path / "laporan" / "dbd-2026.xlsx"
    try:
        cells = report_cells()
        write_report(path, cells)  # header on row 5
        assert collector.run("dbd", NOW).ok
        before = snapshot(store)
        write_report(path, {c: [7] * 11 + [None] for c in cells}, extra_title_rows=1)  # header now on row 6
        run = collector.run("dbd", NOW)
        assert not run.ok and "baris 5 (header_row) tidak memuat kolom 'Kecamatan'" in run.error, run
        assert snapshot(store) == before
    finally:
        store.close()


def test_a_renamed_month_column_is_reported_and_the_others_kept(db_url: str, tmp_path: Path) -> None:
    source = SOURCE.replace("columns: {region: Kecamatan}",
                            f"columns: {{region: Kecamatan, periods: [{', '.join(MONTHS[:11])}]}}")
    collector, store, _ = site_collector(db_url, "33.08", source, tmp_path)
    try:
        cells = report_cells()
        names = list(MONTHS)
        names[7] = "Agust"  # the work unit typed August differently this time
        write_report(tmp_path / "laporan" / "dbd-2026.xlsx", cells, month_names=names)
        run = collector.run("dbd", NOW)
        assert run.ok and run.rejected == 1 and "kolom 'Agu' tidak ada" in run.error, run
        assert stored(store, "kasus_dbd") == {k: v for k, v in expected(cells).items() if k[1] != month(8)}
    finally:
        store.close()


CSV_SOURCE = """
  - id: dbd_csv
    type: csv
    path: dbd.csv
    every: 1d
    layout: wide
    indicator: kasus_dbd
    columns: {region: Nama Kecamatan, periods: "^(TW|Triwulan)"}
"""


def test_csv_wide_by_quarter_with_indonesian_numbers(db_url: str, tmp_path: Path) -> None:
    text = "\n".join([
        "REKAPITULASI KASUS DBD PER TRIWULAN;;;;",
        "KABUPATEN MAGELANG TAHUN 2026;;;;",
        ";;;;",
        "No;Nama Kecamatan;TW I;TW II;TW III;Keterangan",
        "1;SALAMAN;1.204;–;17;",
        "2;BOROBUDUR;-;3;;baru",
        "3;MUNGKID;12;5;x;",
        "4;NGABLAK;2;;1;",
        ";Jumlah Total;1.216;8;18;",
    ]) + "\n"
    (tmp_path / "dbd.csv").write_text(text, encoding="utf-8")
    settle(tmp_path / "dbd.csv")
    collector, store, _ = site_collector(db_url, "33.08", CSV_SOURCE, tmp_path)
    try:
        run = collector.run("dbd_csv", NOW)
        assert run.ok and run.rejected == 1 and "baris 7 kolom 'TW III': bukan angka: 'x'" in run.error, run
        q = {n: int(datetime(2026, 1 + 3 * (n - 1), 1, tzinfo=WIB).timestamp()) for n in (1, 2, 3)}
        assert stored(store, "kasus_dbd") == {
            ("33.08.01", q[1]): (1204.0, "P3M"), ("33.08.01", q[3]): (17.0, "P3M"),
            ("33.08.02", q[2]): (3.0, "P3M"),
            ("33.08.09", q[1]): (12.0, "P3M"), ("33.08.09", q[2]): (5.0, "P3M"),
            ("33.08.17", q[1]): (2.0, "P3M"), ("33.08.17", q[3]): (1.0, "P3M"),
        }
    finally:
        store.close()


def test_csv_wide_without_a_year_anywhere_fails_with_the_fix(db_url: str, tmp_path: Path) -> None:
    source = CSV_SOURCE.replace('periods: "^(TW|Triwulan)"', "periods: [Jan, Feb]")
    write_csv(tmp_path / "dbd.csv", ["Nama Kecamatan", "Jan", "Feb"], [["SALAMAN", "1", "2"]], delimiter=";")
    settle(tmp_path / "dbd.csv")
    collector, store, _ = site_collector(db_url, "33.08", source, tmp_path)
    try:
        run = collector.run("dbd_csv", NOW)
        assert not run.ok and "kolom 'Jan' tidak menyebut tahun" in run.error and "year:" in run.error
        assert store.count_readings() == 0
    finally:
        store.close()


def test_csv_wide_one_column_per_indicator(db_url: str, tmp_path: Path) -> None:
    source = """
  - id: profil
    type: csv
    path: profil.csv
    every: 1d
    layout: wide
    columns: {region: Kecamatan, time: Tahun}
    indicators: {Jumlah Penduduk (jiwa): penduduk, "Luas (km2)": luas_wilayah}
"""
    write_csv(tmp_path / "profil.csv", ["Kecamatan", "Tahun", "Luas (km2)", "Jumlah Penduduk (jiwa)"], [
        ["Salaman", "2025", "68,87", "71.520"],
        ["Borobudur", "2025", "54,55", "-"],
        ["JUMLAH", "2025", "123,42", "71.520"],
    ], delimiter=";")
    settle(tmp_path / "profil.csv")
    collector, store, _ = site_collector(db_url, "33.08", source, tmp_path)
    try:
        run = collector.run("profil", NOW)
        assert run.ok and run.rejected == 0 and run.rows == 3, run
        year = int(datetime(2025, 1, 1, tzinfo=WIB).timestamp())
        assert stored(store, "penduduk") == {("33.08.01", year): (71520.0, "P1Y")}
        assert stored(store, "luas_wilayah") == {("33.08.01", year): (68.87, "P1Y"),
                                                 ("33.08.02", year): (54.55, "P1Y")}
    finally:
        store.close()


def test_wide_keys_need_layout_wide(tmp_path: Path) -> None:
    from tests.sources.site import site_config
    from wallboard.config import ConfigError, parse_config

    bad = CSV_SOURCE.replace("    layout: wide\n", "")
    with pytest.raises(ConfigError, match="belong to layout: wide"):
        parse_config(site_config("sqlite:///x.db", "33.08", bad), base=tmp_path)


def test_header_row_on_the_lower_row_of_a_merged_header(db_url: str, tmp_path: Path) -> None:
    """``Kecamatan`` is merged over rows 5-6; naming row 6 still finds it, through the merged range."""
    collector, store, _ = site_collector(db_url, "33.08", SOURCE + "    header_row: 6\n", tmp_path)
    try:
        cells = report_cells()
        write_report(tmp_path / "laporan" / "dbd-2026.xlsx", cells)
        run = collector.run("dbd", NOW)
        assert run.ok and run.rejected == 0, run
        assert stored(store, "kasus_dbd") == expected(cells)
    finally:
        store.close()


def test_periods_need_a_file_source(tmp_path: Path) -> None:
    from tests.sources.site import site_config
    from wallboard.config import ConfigError, parse_config

    api = """
  - id: api
    type: http_json
    url: http://127.0.0.1:9/dbd
    indicator: kasus_dbd
    columns: {region: kecamatan, value: kasus, periods: [Jan, Feb]}
"""
    with pytest.raises(ConfigError, match="columns.periods belongs to layout: wide"):
        parse_config(site_config("sqlite:///x.db", "33.08", api), base=tmp_path)


PATI = """
  - id: dbd_pati
    type: csv
    path: dbd_pati.csv
    every: 1d
    layout: wide
    indicator: kasus_dbd
    columns: {region: Kecamatan}
"""


def test_csv_wide_kecamatan_pati_is_kept_and_jumlah_is_a_total(db_url: str, tmp_path: Path) -> None:
    """Kabupaten Pati has a kecamatan Pati: its row is a kecamatan; the JUMLAH row is the total."""
    text = "\n".join([
        "REKAP KASUS DBD KABUPATEN PATI TAHUN 2026;;;",
        "No;Kecamatan;Jan;Feb",
        "1;SUKOLILO;3;1",
        "2;PATI;12;7",
        "3;JUWANA;-;2",
        "2;PATI;12;7",  # the Pati row pasted twice
        ";JUMLAH;15;10",
    ]) + "\n"
    (tmp_path / "dbd_pati.csv").write_text(text, encoding="utf-8")
    settle(tmp_path / "dbd_pati.csv")
    collector, store, _ = site_collector(db_url, "33.18", PATI, tmp_path)
    try:
        source = collector._source("dbd_pati")
        batch = source.fetch(NOW)
        source.discard()
        assert [(t.region, t.ts, t.value, t.origin) for t in batch.totals] == [
            ("33.18", month(1), 15.0, "baris 7 kolom 'Jan'"), ("33.18", month(2), 10.0, "baris 7 kolom 'Feb'")]
        assert batch.duplicates == 1 and "baris 6 sama persis dengan baris 4" in batch.warnings[0]
        pati = next(r for r in batch.readings if r.region == "33.18.10" and r.ts == month(1))
        assert pati.origin == "baris 4 kolom 'Jan'"
        run = collector.run("dbd_pati", NOW)
        assert run.ok and run.rejected == 0, run
        assert stored(store, "kasus_dbd") == {
            ("33.18.01", month(1)): (3.0, "P1M"), ("33.18.01", month(2)): (1.0, "P1M"),
            ("33.18.10", month(1)): (12.0, "P1M"), ("33.18.10", month(2)): (7.0, "P1M"),
            ("33.18.08", month(2)): (2.0, "P1M"),
        }
    finally:
        store.close()


def test_excel_wide_kecamatan_merged_over_its_puskesmas_rows(db_url: str, tmp_path: Path) -> None:
    """A report by puskesmas: the kecamatan cell merged over two columns and down its puskesmas rows
    names every one of them; nothing becomes a reading for the whole kabupaten."""
    book = Workbook()
    sheet = book.active
    sheet.append(["LAPORAN KASUS DBD PER PUSKESMAS TAHUN 2026"])
    sheet.append(["Kecamatan", None, "Puskesmas", "Jan", "Feb"])
    sheet.merge_cells("A2:B2")
    sheet.append(["BOROBUDUR", None, "Borobudur", 5, 3])
    sheet.append(["MUNGKID", None, "Mungkid", "-", "-"])
    sheet.append(["NGABLAK", None, "Ngablak", None, None])
    sheet.append(["SALAMAN", None, "Salaman I", 4, 1])  # row 6, below what the header's merges reach
    sheet.append([None, None, "Salaman II", 2, "-"])
    sheet.merge_cells("A6:B7")
    path = tmp_path / "laporan" / "dbd-2026.xlsx"
    path.parent.mkdir(parents=True)
    book.save(path)
    settle(path)
    source = SOURCE.replace("columns: {region: Kecamatan}", "columns: {region: Kecamatan, periods: [Jan, Feb]}")
    collector, store, _ = site_collector(db_url, "33.08", source, tmp_path)
    try:
        batch = collector._source("dbd").fetch(NOW)
        collector._source("dbd").discard()
        assert batch.rejected == 0 and batch.totals == []
        assert sorted((r.region, r.ts, r.value) for r in batch.readings) == [
            ("33.08.01", month(1), 2.0), ("33.08.01", month(1), 4.0), ("33.08.01", month(2), 1.0),
            ("33.08.02", month(1), 5.0), ("33.08.02", month(2), 3.0)]
        run = collector.run("dbd", NOW)
        assert run.ok and run.rejected == 0, run
        assert {region for region, _ in stored(store, "kasus_dbd")} == {"33.08.01", "33.08.02"}
    finally:
        store.close()
