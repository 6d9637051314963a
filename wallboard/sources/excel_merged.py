"""Merged cells of a sheet read in openpyxl's read-only (streaming) mode.

Staff merge a kecamatan's cell down over its desa rows; Excel keeps the name in the first row
only. A streamed sheet knows nothing of merges, so every row below would read as an empty
kecamatan. The ranges are listed in the sheet's ``<mergeCells>`` element, after all the cell data,
so they are found by scanning the sheet's XML in the workbook (a zip) as bytes, without parsing
the cells: a 100 MB sheet costs a decompression, not a second parse.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

CHUNK = 1 << 20
_START = re.compile(rb"<(?:\w+:)?mergeCells[\s>/]")
_RANGE = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?\bref=\"\$?([A-Z]{1,3})\$?(\d+):\$?([A-Z]{1,3})\$?(\d+)\"")

# (first row, first column index, last row, last column index): rows from 1, columns from 0
Range = tuple[int, int, int, int]


def merged_ranges(path: Path, sheet: Any) -> list[Range]:
    """The merged ranges of a read-only ``sheet`` of the workbook at ``path``."""
    from openpyxl.utils import column_index_from_string

    member = getattr(sheet, "_worksheet_path", None)  # the sheet's part in the zip (openpyxl 3.x)
    if not member:
        return []
    with zipfile.ZipFile(path) as archive, archive.open(member.lstrip("/")) as stream:
        section = _merge_section(stream)
    return [(int(r0), column_index_from_string(c0.decode()) - 1, int(r1), column_index_from_string(c1.decode()) - 1)
            for c0, r0, c1, r1 in _RANGE.findall(section)]


def _merge_section(stream: Any) -> bytes:
    """The XML from ``<mergeCells`` to the end of the sheet; empty when the sheet has no merges."""
    tail = b""
    while chunk := stream.read(CHUNK):
        data = tail + chunk
        found = _START.search(data)
        if found:
            return data[found.start():] + stream.read()
        tail = data[-64:]  # a tag cut between two chunks
    return b""


def spread_merged(rows: Iterable[tuple[int, Any]], merged: list[Range]) -> Iterator[tuple[int, Any]]:
    """(line, cells) with each merged range's value repeated down every row it spans (in its first
    column, where Excel shows it); ``rows`` are streamed, in order."""
    starts: dict[int, list[tuple[int, int]]] = {}
    for r0, c0, r1, _c1 in merged:
        starts.setdefault(r0, []).append((c0, r1))
    active: list[tuple[int, int, Any]] = []  # (column, last row, value) of the ranges being spread
    for line, cells in rows:
        active = [a for a in active if a[1] >= line]
        if active:
            cells = list(cells)
            for column, _last, value in active:
                if column >= len(cells):
                    cells.extend([None] * (column + 1 - len(cells)))
                if cells[column] in (None, ""):
                    cells[column] = value
        for column, last in starts.get(line, ()):
            active.append((column, last, cells[column] if column < len(cells) else None))
        yield line, cells
