"""Totals recognised by what they are, not by a name; blank and merged region cells.

About 115 of the 514 kabupaten/kota have a kecamatan bearing their own name (Sleman in Kabupaten
Sleman, Pati in Kabupaten Pati, Kota Kudus in Kabupaten Kudus): such a row is a kecamatan, stored
like any other, while ``JUMLAH`` / ``Kabupaten Sleman`` is the kabupaten's total, handed to the
collector's check (``batch.totals``) and stored only with ``totals: keep``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from tests.sources.site import site_collector, stored, write_csv
from tests.sources.util import settle
from wallboard import regions
from wallboard.records import Batch

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
MONTHS = ["Jan", "Feb", "Mar"]


def month(m: int) -> int:
    return int(datetime(2026, m, 1, tzinfo=WIB).timestamp())


def fetched(collector, source_id: str) -> Batch:
    """The batch a run would store (and the totals it would check), the file left unread for the run."""
    source = collector._source(source_id)
    batch = source.fetch(NOW)
    source.discard()
    return batch


def cases(site: str) -> dict[str, list[int]]:
    """Cases per kecamatan (code) for Jan..Mar, different in every cell."""
    return {k.code: [(n * 5 + m) % 13 + 1 for m in range(3)] for n, k in enumerate(regions.kecamatan(site))}


def column_sums(cells: dict[str, list[int]]) -> list[int]:
    return [sum(row[m] for row in cells.values()) for m in range(3)]


def wide_expected(cells: dict[str, list[int]]) -> dict[tuple[str, int], tuple[float, str]]:
    return {(code, month(m + 1)): (float(v), "P1M") for code, row in cells.items() for m, v in enumerate(row)}


def write_wide_report(path: Path, site: str, cells: dict[str, list[int]], total_label: str = "JUMLAH",
                      duplicate_of: int | None = None) -> int:
    """A dinas's monthly report of one kabupaten: title block, header, one row per kecamatan (upper case,
    as typed), the total row; returns the first kecamatan's row. ``duplicate_of``: that kecamatan's row
    (0-based) typed a second time at the end, as a copy-paste leaves it."""
    book = Workbook()
    sheet = book.active
    sheet.title = "DBD"
    sheet.append([f"LAPORAN KASUS DBD {regions.name(site).upper()}"])
    sheet.append(["TAHUN 2026"])
    sheet.append([])
    sheet.append(["No", "Kecamatan", *MONTHS, "Jumlah"])
    first = 5
    rows = []
    for n, (code, row) in enumerate(cells.items(), start=1):
        rows.append([n, regions.name(code).upper(), *row, sum(row)])
    if duplicate_of is not None:
        rows.append(list(rows[duplicate_of]))
    for row in rows:
        sheet.append(row)
    sums = column_sums(cells)
    sheet.append([None, total_label, *sums, sum(sums)])
    sheet.append([])
    sheet.append(["Sumber: Dinas Kesehatan"])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    settle(path)
    return first


def wide_source(extra: str = "") -> str:
    return f"""
  - id: dbd
    type: excel
    path: laporan/dbd.xlsx
    every: 1d
    layout: wide
    indicator: kasus_dbd
    columns: {{region: Kecamatan, periods: [Jan, Feb, Mar]}}
{extra}"""


@pytest.mark.parametrize(("site", "kecamatan", "total_label"), [
    ("34.04", "34.04.13", "JUMLAH"),             # kecamatan Sleman in Kabupaten Sleman
    ("34.04", "34.04.13", "Kabupaten Sleman"),
    ("33.19", "33.19.02", "KABUPATEN KUDUS"),    # kecamatan Kota Kudus in Kabupaten Kudus
    ("33.18", "33.18.10", "Kab. Pati"),          # kecamatan Pati in Kabupaten Pati
])
def test_wide_kecamatan_named_like_its_kabupaten_is_stored_and_the_total_checked(
        db_url: str, tmp_path: Path, site: str, kecamatan: str, total_label: str) -> None:
    collector, store, _ = site_collector(db_url, site, wide_source(), tmp_path)
    try:
        cells = cases(site)
        first = write_wide_report(tmp_path / "laporan" / "dbd.xlsx", site, cells, total_label)
        batch = fetched(collector, "dbd")
        assert sorted((t.region, t.ts, t.value) for t in batch.totals) == [
            (site, month(m + 1), float(v)) for m, v in enumerate(column_sums(cells))]
        total_row = first + len(cells)
        assert {t.origin for t in batch.totals} == {f"laporan/dbd.xlsx sel {c}{total_row} ({name})"
                                                   for c, name in zip("CDE", MONTHS, strict=True)}
        run = collector.run("dbd", NOW)
        assert run.ok and run.rejected == 0, run
        got = stored(store, "kasus_dbd")
        assert got == wide_expected(cells)  # the kecamatan named like the kabupaten among them
        assert got[(kecamatan, month(1))] == (float(cells[kecamatan][0]), "P1M")
        assert not any(region == site for region, _ in got)  # the total is checked, never stored
    finally:
        store.close()


def test_wide_totals_keep_stores_the_kabupaten_row(db_url: str, tmp_path: Path) -> None:
    collector, store, _ = site_collector(db_url, "34.04", wide_source("    totals: keep\n"), tmp_path)
    try:
        cells = cases("34.04")
        write_wide_report(tmp_path / "laporan" / "dbd.xlsx", "34.04", cells, "Kab. Sleman")
        batch = fetched(collector, "dbd")
        assert batch.totals == []
        run = collector.run("dbd", NOW)
        assert run.ok and run.rejected == 0, run
        want = wide_expected(cells) | {("34.04", month(m + 1)): (float(v), "P1M")
                                       for m, v in enumerate(column_sums(cells))}
        assert stored(store, "kasus_dbd") == want
    finally:
        store.close()


def test_wide_every_reading_names_its_cell(db_url: str, tmp_path: Path) -> None:
    collector, store, _ = site_collector(db_url, "34.04", wide_source(), tmp_path)
    try:
        cells = cases("34.04")
        first = write_wide_report(tmp_path / "laporan" / "dbd.xlsx", "34.04", cells)
        batch = fetched(collector, "dbd")
        origins = {(r.region, r.ts): r.origin for r in batch.readings}
        assert origins[("34.04.01", month(1))] == f"laporan/dbd.xlsx sel C{first} (Jan)"
        assert origins[("34.04.13", month(3))] == f"laporan/dbd.xlsx sel E{first + 12} (Mar)"
        assert all(r.origin for r in batch.readings) and len(batch.readings) == 3 * len(cells)
    finally:
        store.close()


def test_wide_row_identical_to_another_is_counted_once(db_url: str, tmp_path: Path) -> None:
    collector, store, _ = site_collector(db_url, "34.04", wide_source(), tmp_path)
    try:
        cells = cases("34.04")
        first = write_wide_report(tmp_path / "laporan" / "dbd.xlsx", "34.04", cells, duplicate_of=4)
        batch = fetched(collector, "dbd")
        copy = first + len(cells)
        assert batch.duplicates == 1 and batch.warnings == [
            f"baris {copy} sama persis dengan baris {first + 4} (duplikat, dihitung sekali)"]
        assert len(batch.readings) == 3 * len(cells)
        run = collector.run("dbd", NOW)
        assert run.ok and run.rejected == 0, run
        assert stored(store, "kasus_dbd") == wide_expected(cells)
    finally:
        store.close()


LONG = """
  - id: dbd_long
    type: csv
    path: dbd_long.csv
    every: 1d
    indicator: kasus_dbd
    columns: {{region: kecamatan, time: bulan, value: kasus}}
{extra}"""


def write_long(path: Path, site: str, cells: dict[str, list[int]], total_label: str) -> list[list[object]]:
    """A long export, one row per kecamatan and month, and a total row per month under each month."""
    rows: list[list[object]] = []
    sums = column_sums(cells)
    for m in range(3):
        rows += [[regions.name(code).upper(), f"2026-{m + 1:02d}", row[m]] for code, row in cells.items()]
        rows.append([total_label, f"2026-{m + 1:02d}", sums[m]])
    write_csv(path, ["kecamatan", "bulan", "kasus"], rows, delimiter=";")
    settle(path)
    return rows


@pytest.mark.parametrize(("site", "kecamatan", "total_label"), [
    ("34.04", "34.04.13", "JUMLAH"),
    ("34.04", "34.04.13", "Kabupaten Sleman"),
    ("33.19", "33.19.02", "Total"),
    ("33.18", "33.18.10", "KAB. PATI"),
])
def test_long_kecamatan_named_like_its_kabupaten_and_total_rows(
        db_url: str, tmp_path: Path, site: str, kecamatan: str, total_label: str) -> None:
    collector, store, _ = site_collector(db_url, site, LONG.format(extra=""), tmp_path)
    try:
        cells = cases(site)
        write_long(tmp_path / "dbd_long.csv", site, cells, total_label)
        batch = fetched(collector, "dbd_long")
        assert sorted((t.region, t.ts, t.value) for t in batch.totals) == [
            (site, month(m + 1), float(v)) for m, v in enumerate(column_sums(cells))]
        run = collector.run("dbd_long", NOW)
        assert run.ok and run.rejected == 0, run
        got = stored(store, "kasus_dbd")
        assert got == wide_expected(cells)
        assert got[(kecamatan, month(2))] == (float(cells[kecamatan][1]), "P1M")
    finally:
        store.close()


def test_long_totals_keep_stores_the_kabupaten_rows(db_url: str, tmp_path: Path) -> None:
    collector, store, _ = site_collector(db_url, "34.04", LONG.format(extra="    totals: keep\n"), tmp_path)
    try:
        cells = cases("34.04")
        write_long(tmp_path / "dbd_long.csv", "34.04", cells, "JUMLAH")
        run = collector.run("dbd_long", NOW)
        assert run.ok and run.rejected == 0, run
        want = wide_expected(cells) | {("34.04", month(m + 1)): (float(v), "P1M")
                                       for m, v in enumerate(column_sums(cells))}
        assert stored(store, "kasus_dbd") == want
    finally:
        store.close()


def test_long_site_wide_rows_alone_are_readings(db_url: str, tmp_path: Path) -> None:
    """A city-wide indicator written with the kabupaten's code on every row: nothing to check them
    against, so they are the figures themselves."""
    collector, store, _ = site_collector(db_url, "34.04", LONG.format(extra=""), tmp_path)
    try:
        write_csv(tmp_path / "dbd_long.csv", ["kecamatan", "bulan", "kasus"],
                  [["34.04", "2026-01", "41"], ["Kabupaten Sleman", "2026-02", "37"]], delimiter=";")
        settle(tmp_path / "dbd_long.csv")
        assert fetched(collector, "dbd_long").totals == []
        run = collector.run("dbd_long", NOW)
        assert run.ok and run.rejected == 0, run
        assert stored(store, "kasus_dbd") == {("34.04", month(1)): (41.0, "P1M"),
                                              ("34.04", month(2)): (37.0, "P1M")}
    finally:
        store.close()


def test_long_total_of_a_month_without_kecamatan_rows_is_still_a_total(db_url: str, tmp_path: Path) -> None:
    """The column holds kecamatan: a JUMLAH row for a month whose kecamatan rows were all refused is
    a total to check, never the kabupaten's own reading (it was stored as one when totals were judged
    per month)."""
    collector, store, _ = site_collector(db_url, "34.04", LONG.format(extra=""), tmp_path)
    try:
        write_csv(tmp_path / "dbd_long.csv", ["kecamatan", "bulan", "kasus"],
                  [["Sleman", "2026-01", "4"], ["Depok", "2026-01", "6"], ["Kabupaten Sleman", "2026-01", "10"],
                   ["", "2026-02", "5"], ["Kabupaten Sleman", "2026-02", "99"]], delimiter=";")
        settle(tmp_path / "dbd_long.csv")
        run = collector.run("dbd_long", NOW)
        assert run.ok and run.rejected == 1, run
        assert "99" in (run.notes or ""), run
        got = stored(store, "kasus_dbd")
        assert all(region != "34.04" for region, _ts in got), got
        assert sorted(v for v, _p in got.values()) == [4.0, 6.0]
    finally:
        store.close()


def test_long_blank_region_cell_is_refused_not_the_kabupaten(db_url: str, tmp_path: Path) -> None:
    collector, store, _ = site_collector(db_url, "34.04", LONG.format(extra=""), tmp_path)
    try:
        rows = [["GAMPING", "2026-01", "4"], ["", "2026-01", "3"], ["SLEMAN", "2026-01", "6"]]
        write_csv(tmp_path / "dbd_long.csv", ["kecamatan", "bulan", "kasus"], rows, delimiter=";")
        settle(tmp_path / "dbd_long.csv")
        run = collector.run("dbd_long", NOW)
        assert run.ok and run.rejected == 1 and "baris 3: kolom 'kecamatan' kosong" in run.error, run
        assert stored(store, "kasus_dbd") == {("34.04.01", month(1)): (4.0, "P1M"),
                                              ("34.04.13", month(1)): (6.0, "P1M")}
    finally:
        store.close()


EXCEL_LONG = """
  - id: dbd_desa
    type: excel
    path: dbd_desa.xlsx
    every: 1d
    indicator: kasus_dbd
    columns: {region: Kecamatan, time: Bulan, value: Kasus}
"""


def write_desa_sheet(path: Path) -> None:
    """Cases per desa, the kecamatan cell merged down over its desa rows, as typed in Excel."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Desa"
    sheet.append(["Kecamatan", "Desa", "Bulan", "Kasus"])
    sheet.append(["Sleman", "Caturharjo", "2026-01", 3])
    sheet.append([None, "Triharjo", "2026-01", 8])
    sheet.append([None, "Tridadi", "2026-01", 10])
    sheet.merge_cells("A2:A4")
    sheet.append(["Tempel", "Banyurejo", "2026-01", 5])
    sheet.append([None, "Banyurejo", "2026-02", 2])
    sheet.merge_cells("A5:A6")
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    settle(path)


def test_excel_long_merged_kecamatan_cell_spans_its_desa_rows(db_url: str, tmp_path: Path) -> None:
    collector, store, _ = site_collector(db_url, "34.04", EXCEL_LONG, tmp_path)
    try:
        write_desa_sheet(tmp_path / "dbd_desa.xlsx")
        batch = fetched(collector, "dbd_desa")
        assert batch.rejected == 0 and batch.totals == []
        sleman = [r.value for r in batch.readings if r.region == "34.04.13"]
        assert sorted(sleman) == [3.0, 8.0, 10.0] and sum(sleman) == 21  # the kecamatan's sum, not 3
        assert not any(r.region == "34.04" for r in batch.readings)
        run = collector.run("dbd_desa", NOW)
        assert run.ok and run.rejected == 0, run
        got = stored(store, "kasus_dbd")
        assert {region for region, _ in got} == {"34.04.13", "34.04.14"}  # nothing for the kabupaten
        assert got[("34.04.14", month(2))] == (2.0, "P1M")  # the merged cell reaches the month below
        assert got[("34.04.14", month(1))] == (5.0, "P1M")
    finally:
        store.close()


def test_excel_long_blank_kecamatan_cell_is_refused(db_url: str, tmp_path: Path) -> None:
    collector, store, _ = site_collector(db_url, "34.04", EXCEL_LONG, tmp_path)
    try:
        book = Workbook()
        sheet = book.active
        sheet.append(["Kecamatan", "Desa", "Bulan", "Kasus"])
        sheet.append(["Sleman", "Caturharjo", "2026-01", 3])
        sheet.append([None, "Triharjo", "2026-01", 8])  # left blank, not merged
        book.save(tmp_path / "dbd_desa.xlsx")
        settle(tmp_path / "dbd_desa.xlsx")
        run = collector.run("dbd_desa", NOW)
        assert run.ok and run.rejected == 1 and "baris 3: kolom 'Kecamatan' kosong" in run.error, run
        assert stored(store, "kasus_dbd") == {("34.04.13", month(1)): (3.0, "P1M")}
    finally:
        store.close()
