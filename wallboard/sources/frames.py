"""A big long file split into cells by pandas' C tokenizer, a block of whole lines at a time.

bulk.py's loop over ``csv.reader`` rows, one Python call per row, was most of a 200 MB file's
time (issue 20, item 10: 3.8 M rows in at most 30 s). Here the file is read in blocks of whole
lines; each block is split into cells by ``pandas.read_csv`` (C), and each line's cell count is
counted on the block's bytes with numpy, so a cut row (fewer cells than the header) is found and
named by its line exactly as row by row. The cells then go through bulk.py's converter, which
reads each distinct text once with the row-by-row functions: what is stored, refused or counted
as a duplicate is the same as on the csv-module path, row for row.

What this path does not read raises ``Fallback`` and the file is read again by the csv-module
path, with the same results, only slower:

* a block holding a quote character: a quoted cell may hold a line break, and line numbers
  counted on the bytes would drift (and ``"a;b"`` is one cell, not two); or a NUL byte;
* a bare CR line end, a delimiter or encoding that is not one byte per ASCII character;
* a value column whose texts prove a decimal dot (``85.5``): the column's mark is then judged over
  the whole file first, as row by row. Indonesian values (``1.234.567,89``, ``85,5``, ``14.750``)
  never prove a dot, so a file of them is read in one pass.
"""

from __future__ import annotations

import codecs
import csv
import io
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from wallboard.columns import ReadingColumns
from wallboard.sources.base import Batch, Deadline
from wallboard.sources.bulk import Converter, Fallback, drop_duplicates, plan
from wallboard.sources.mapping import Mapper

BLOCK = 1 << 20  # bytes of whole lines split at once: about 20,000 rows of a Satu Data export
_ASCII_SAFE = {"utf-8", "utf-8-sig", "cp1252", "latin-1", "iso8859-1", "ascii", "iso8859-15"}
_MIX = np.uint64(0x9E3779B97F4A7C15)  # spreads a row's cell count into its identity hash


def ascii_safe(encoding: str) -> bool:
    """Bytes of this encoding can be split at ``\\n`` and the delimiter without decoding."""
    return codecs.lookup(encoding).name in {codecs.lookup(e).name for e in _ASCII_SAFE}


def header(buffered: io.BufferedReader, encoding: str, errors: str, delimiter: str | None,
           sniff: Any) -> tuple[list[str], str]:
    """The header line's cells and the delimiter (sniffed from it unless given), as csv.py reads them."""
    first = buffered.readline(1 << 20)
    if not first.endswith(b"\n"):
        raise Fallback  # an empty file, a bare-CR file or a header without its end: the csv path says which
    text = first.decode(encoding, errors)
    if not text.strip():
        raise Fallback
    delimiter = delimiter or sniff(text)
    cells = next(csv.reader([text], delimiter=delimiter), [])
    return cells, delimiter


def read_blocks(buffered: io.BufferedReader, encoding: str, errors: str, delimiter: str, head: list[str],
                width: int, mapper: Mapper, now: datetime, deadline: Deadline, prefix: str, size: int) -> Batch:
    """The rows after the header line (``buffered`` is past it) to a batch of columns."""
    where = plan(mapper, head)
    if where is None or len(delimiter) != 1 or not delimiter.isascii() or not ascii_safe(encoding):
        raise Fallback
    # Unlike bulk.read_long, the garbage collector stays on: pandas' frames hold reference cycles,
    # and with it paused each block's cells (tens of MB) stayed in memory until the end.
    return _read(buffered, _Block(encoding, errors, delimiter, len(head), width), where, mapper, now,
                 deadline, prefix, size)


def _read(buffered: io.BufferedReader, splitter: _Block, where: dict[str, Any], mapper: Mapper, now: datetime,
          deadline: Deadline, prefix: str, size: int) -> Batch:
    mapper.prepare()
    readings = ReadingColumns(prefix, capacity=size // (splitter.width + 1) + 1 if size else 0)
    batch = Batch(readings=readings)  # type: ignore[arg-type] - a Sequence[Reading]
    convert = Converter(mapper, where["columns"], now, readings, batch, None, prefix, watch_dot=True)
    names = [name for name in ("value", "time", "region", "indicator") if where[name] is not None]
    short: list[str] = []
    cut = 0
    line = 1  # the header's
    for block in _blocks(buffered):
        deadline.check()
        frame, fields = splitter.split(block)
        full = fields >= splitter.width
        cells = frame.to_numpy()
        keep = full & ~_empty(cells, full, where["value"])
        for i in np.flatnonzero(~full).tolist():  # rare: a cut line (a blank line has no cell)
            if any(cells[i, :fields[i]]):
                cut += 1
                if len(short) < 5:
                    short.append(f"{prefix} {line + i + 1}: {fields[i]} kolom, header punya {splitter.width} "
                                 "(baris terpotong?)")
        rows = np.flatnonzero(keep)
        if len(rows):
            texts = {name: cells[rows, where[name]] for name in names}
            raw = _identity(frame.iloc[rows, :splitter.cells], fields[rows], splitter.cells)
            convert.arrays(texts, rows + line + 1, raw)
        line += len(fields)
    for reason in short:
        batch.reject(reason)
    batch.rejected += cut - len(short)
    drop_duplicates(readings, batch, prefix)
    if where["region"] is not None and mapper.config.totals != "keep":  # as the mapper's split_site_rows
        batch.totals = readings.take_totals(mapper.site)
    deadline.check()
    return batch


class _Block:
    """Splits a block of whole lines into cells (pandas) and counts each line's cells (numpy)."""

    def __init__(self, encoding: str, errors: str, delimiter: str, cells: int, width: int) -> None:
        self.encoding = encoding
        self.errors = errors
        self.delimiter = delimiter
        self.byte = ord(delimiter)  # ASCII, one byte in every encoding read here
        self.cells = cells  # the header's length: a row's record, its identity for duplicates
        self.width = width  # cells a full row has

    def split(self, block: bytes) -> tuple[pd.DataFrame, np.ndarray]:
        if b'"' in block or b"\0" in block or block.count(b"\r") != block.count(b"\r\n"):
            raise Fallback  # quotes, a NUL (the csv module refuses the file) or a bare CR: not this path
        data = np.frombuffer(block, dtype=np.uint8)
        ends = np.flatnonzero(data == 10)
        if not block.endswith(b"\n"):
            ends = np.r_[ends, len(data)]  # the file's last line, without its end (csv.py refuses the file)
        marks = np.flatnonzero(data == self.byte)
        fields = np.diff(np.searchsorted(marks, ends), prepend=0) + 1
        # A blank line is no cell for the csv module (``[]``), one empty cell here: both are skipped.
        width = max(self.cells, int(fields.max()))
        try:
            frame = pd.read_csv(io.BytesIO(block), sep=self.delimiter, header=None, names=list(range(width)),
                                dtype=str, na_filter=False, skip_blank_lines=False, index_col=False,
                                quoting=csv.QUOTE_NONE, encoding=self.encoding, encoding_errors=self.errors,
                                engine="c", low_memory=False)
        except pd.errors.ParserError:
            raise Fallback from None  # a shape the C tokenizer refuses (a NUL byte ...): the csv module says what
        if len(frame) != len(fields):
            raise Fallback  # pandas saw other lines than the bytes say: not a shape this path knows
        return frame, fields


def _blocks(buffered: io.BufferedReader) -> Any:
    """The rest of the file in blocks of whole lines (the last one as it ends)."""
    rest = b""
    while True:
        data = buffered.read(BLOCK)
        if not data:
            break
        data = rest + data
        end = data.rfind(b"\n") + 1
        if not end:
            rest = data
            continue
        yield data[:end]
        rest = data[end:]
    if rest:
        yield rest


def _empty(cells: np.ndarray, full: np.ndarray, value: int | None) -> np.ndarray:
    """Full rows whose every cell is empty (``;;;``): skipped, as ``not any(row)`` row by row.
    Only rows with an empty value cell are looked at whole."""
    empty = np.zeros(len(cells), dtype=bool)
    maybe = np.flatnonzero(full & (cells[:, value if value is not None else 0] == ""))
    if len(maybe):
        empty[maybe] = (cells[maybe] == "").all(axis=1)
    return empty


def _identity(frame: pd.DataFrame, fields: np.ndarray, cells: int) -> np.ndarray:
    """A 64-bit identity of each row's record (its first ``cells`` cells and how many it had): two
    rows identical in every column share it, as the mapper's duplicate check compares them."""
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    hashed = hashed ^ (np.minimum(fields, cells).astype(np.uint64) * _MIX)
    raw = hashed.view(np.int64)
    raw[raw == 0] = 1  # 0 is "no identity" (columns.py)
    return raw
