"""Excel source on real .xlsx files written in the test, through the collector on both databases."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from tests.sources.util import make_collector, settle, snapshot

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
WIB = ZoneInfo("Asia/Jakarta")
SOURCE = """
  - id: harga_pasar
    type: excel
    path: data/harga_pangan.xlsx
    sheet: Harga
    every: 1h
    columns: {time: Tanggal, indicator: Komoditas, value: Harga}
    indicators: {Cabai Merah Keriting: harga_cabai}
"""


def workbook(path: Path, rows: list[tuple]) -> None:
    book = Workbook()
    book.active.title = "Catatan"
    book.active.append(["Data harga dari Disperindag"])
    sheet = book.create_sheet("Harga")
    sheet.append([])  # a blank first row, as hand-made sheets often have
    sheet.append(["Tanggal", "Komoditas", "Harga", "Keterangan"])
    for row in rows:
        sheet.append(list(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    settle(path)


@pytest.fixture
def harga(db_url: str, tmp_path: Path):
    collector, store = make_collector(db_url, SOURCE, tmp_path)
    path = tmp_path / "data" / "harga_pangan.xlsx"
    workbook(path, [
        (datetime(2026, 11, 27, 9, 0), "Harga beras medium", 14750, ""),   # label of the indicator
        (datetime(2026, 11, 27, 9, 0), "harga_beras", "Rp 14.800", "dobel"),  # id; same time: averaged
        ("27/11/2026 10:00", "Cabai Merah Keriting", "45.000", "pasar"),    # mapped by indicators:
    ])
    yield collector, store, path
    store.close()


def test_sheet_rows_become_readings(harga) -> None:
    collector, store, _ = harga
    run = collector.run("harga_pasar", NOW)
    # the two beras rows share a time: one reading, their mean (harga_beras is aggregate: mean)
    assert run.ok and run.rows == 2 and run.rejected == 0 and run.combined == 1, run
    latest = store.latest(["harga_beras", "harga_cabai"])
    [beras] = latest["harga_beras"]
    assert beras.value == (14750 + 14800) / 2 and beras.ts == int(datetime(2026, 11, 27, 9, 0, tzinfo=WIB).timestamp())
    [cabai] = latest["harga_cabai"]
    assert (cabai.region, cabai.value) == ("12.75", 45000.0)
    assert collector.run("harga_pasar", NOW).rows == 0  # unchanged workbook is not read again


def test_unknown_commodity_is_rejected(harga) -> None:
    collector, store, path = harga
    workbook(path, [(datetime(2026, 11, 27, 9, 0), "Bawang Putih", 30000, ""),
                    (datetime(2026, 11, 27, 9, 0), "Harga beras medium", 14000, "")])
    run = collector.run("harga_pasar", NOW)
    assert run.ok and run.rows == 1 and run.rejected == 1
    assert "baris 3 kolom 'Komoditas': indikator tidak dikenal: 'Bawang Putih'" in run.error  # row 3 of the sheet


@pytest.mark.parametrize(("damage", "reason"), [
    ("truncate", "berkas belum lengkap (bukan zip utuh): data/harga_pangan.xlsx; dibaca lagi nanti"),
    ("sheet", "lembar 'Harga' tidak ada"),
    ("column", "kolom 'Harga' tidak ada"),
    ("missing", "berkas tidak ditemukan"),
    ("fresh", "sedang ditulis"),
])
def test_faults_leave_the_store_unchanged(harga, damage: str, reason: str) -> None:
    collector, store, path = harga
    assert collector.run("harga_pasar", NOW).ok
    before = snapshot(store)
    if damage == "truncate":  # a workbook caught half-saved
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
        settle(path)
    elif damage == "sheet":
        book = Workbook()
        book.active.title = "Lain"
        book.save(path)
        settle(path)
    elif damage == "column":
        book = Workbook()
        book.active.title = "Harga"
        book.active.append(["Tanggal", "Komoditas", "Nilai"])
        book.active.append([datetime(2026, 11, 27), "harga_beras", 1])
        book.save(path)
        settle(path)
    elif damage == "missing":
        path.unlink()
    else:
        workbook(path, [(datetime(2026, 11, 27, 11, 0), "harga_beras", 1, "")])
        settle(path, 0)
    run = collector.run("harga_pasar", NOW)
    assert not run.ok and reason in run.error, run.error
    assert snapshot(store) == before


def test_merged_ranges_of_a_streamed_sheet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The merges of a read-only sheet come from its XML, also when ``<mergeCells`` falls across the
    scanner's chunks, and the merged value reaches every row the range spans."""
    from openpyxl import load_workbook

    from wallboard.sources import excel_merged

    book = Workbook()
    sheet = book.active
    sheet.append(["Kecamatan", "Desa", "Kasus"])
    for n in range(40):
        sheet.append([f"Kec {n // 4}" if n % 4 == 0 else None, f"Desa {n}", n])
    for k in range(10):
        sheet.merge_cells(start_row=2 + 4 * k, start_column=1, end_row=5 + 4 * k, end_column=1)
    path = tmp_path / "desa.xlsx"
    book.save(path)
    monkeypatch.setattr(excel_merged, "CHUNK", 7)  # every tag cut somewhere
    read = load_workbook(path, read_only=True)
    try:
        ranges = excel_merged.merged_ranges(path, read.worksheets[0])
        assert sorted(ranges) == [(2 + 4 * k, 0, 5 + 4 * k, 0) for k in range(10)]
        rows = list(excel_merged.spread_merged(enumerate(read.worksheets[0].iter_rows(values_only=True), 1),
                                               ranges))
    finally:
        read.close()
    assert [cells[0] for _line, cells in rows[1:]] == [f"Kec {n // 4}" for n in range(40)]
