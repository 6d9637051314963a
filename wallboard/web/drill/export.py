"""The table a drill page shows, and the same table as CSV and XLSX.

A ``Table`` holds each cell twice: the text the page prints (``1.234,5`` in Indonesian) and the
value an export writes (the number 1234.5, rounded exactly as shown). Page and exports are built
from one ``Table`` object, so a downloaded file always has the numbers the supervisor saw.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from babel.numbers import format_decimal

from wallboard.spreadsheet import append_row, csv_row, sheet_title

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Cell:
    text: str
    value: Any  # what the export writes: a number, or the text itself
    href: str | None = None
    css: str = ""


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    numeric: set[int] = field(default_factory=set)  # column indexes holding numbers (right-aligned)

    def values(self) -> list[list[Any]]:
        return [[c.value for c in row] for row in self.rows]


def number_cell(value: float | int | None, digits: int, locale: str, empty: str = "–") -> Cell:
    if value is None:
        return Cell(empty, None)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return Cell(format_decimal(value, format=pattern, locale=locale), value)


def text_cell(text: str, href: str | None = None, css: str = "") -> Cell:
    return Cell(text, text, href, css)


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens Indonesian names correctly with a double click;
    text that a spreadsheet would take for a formula is neutralised (``wallboard.spreadsheet``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(csv_row(table.headers))
    for row in table.values():
        writer.writerow(csv_row(row))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: Table, sheet: str, digits: int) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    ws = book.active
    ws.title = sheet_title(sheet)
    append_row(ws, table.headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    number_format = "#,##0" + ("." + "0" * digits if digits else "")
    for row in table.values():
        append_row(ws, row)
        for i in table.numeric:
            cell = ws.cell(row=ws.max_row, column=i + 1)
            if isinstance(cell.value, float):
                cell.number_format = number_format
    for i, header in enumerate(table.headers):
        width = max([len(str(header))] + [len(c.text) for c in (r[i] for r in table.rows)]) + 2
        ws.column_dimensions[ws.cell(row=1, column=i + 1).column_letter].width = min(width, 60)
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
