"""Wide tables: one row per region, one column per period (or per indicator), as work units report.

A monthly report from a dinas is a spreadsheet with a title block (``LAPORAN KASUS DBD ...
TAHUN 2026``), a header that may span two rows with merged cells (``Bulan`` over ``Jan`` ...
``Des``), one row per kecamatan, a ``JUMLAH`` row, and ``-`` where there is nothing to report.
``read_wide`` reads that shape in four steps, each a function below:

1. header (``read_header``): ``header_row`` or the first row holding the ``region`` column's name,
   so the title block above it is skipped and a header that moved a row down is still found; a
   second header row below it (month names under a merged ``Bulan``) and a row of column numbers
   ``(1) (2) (3)`` as statistics tables have are part of it; merged cells fill what they cover;
2. periods (``value_columns``): period columns named (``periods: [Jan, Feb, ...]``), matched by a
   regular expression (``periods: '^(Jan|Feb|Mar)'``) or found by themselves (every header that
   reads as a period), or one column per indicator (``indicators:``); a month without a year takes
   ``year:`` or the year written in the title block;
3. totals (``Rows.region``): a row labelled ``JUMLAH`` / ``TOTAL`` / ``Kabupaten X`` is the
   kabupaten's total (see totals.py), checked by the collector and not stored unless ``totals: keep``;
   a kecamatan that bears the kabupaten's name (Sleman in Sleman) is a kecamatan; ``Sub Total`` and
   ``Rata-rata`` rows are left out;
4. cells (``Rows.read``): ``-``, ``–`` and empty cells are no value, never 0; a cell that cannot be
   read is rejected naming the cell and its row's other cells are kept; a row identical to an
   earlier one in every cell is counted once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from wallboard.sources.base import Batch, Reading, SourceError
from wallboard.sources.mapping import Mapper, field_text
from wallboard.sources.periods import MONTH, Period, parse_period, parse_when_parts
from wallboard.sources.totals import SUMMARY, TOTAL
from wallboard.sources.values import ValueProblem, parse_number

HEADER_SEARCH = 30  # rows looked at for the header when header_row is not given
_NO_VALUE = {"", "-", "--", "---", "\u2013", "\u2014", "n/a", "na"}
_NUMBERING = re.compile(r"^\(?\d{1,3}\)?$")
_TITLE_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")

# (row number as the admin sees it, column index, column label) -> where a cell is ("sel E8 (Mar)")
CellName = Callable[[int, int, str], str]
Grid = list[tuple[int, list[Any]]]
Merged = Sequence[tuple[int, int, int, int]]


def _norm(value: Any) -> str:
    return " ".join(str(value).split()).casefold() if value is not None else ""


def no_value(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and cell.strip().casefold() in _NO_VALUE)


@dataclass
class Header:
    """The header as found: where the data starts and what each column is called."""

    last: int  # position in the grid of the header's last row; the data starts below it
    region_col: int
    names: list[list[str]]  # every header text of each column, normalised, top row first
    label: list[str]  # each column's lowest header text as written (``Jan`` under ``Bulan``)
    raw: list[Any]  # that cell as typed: a date heads a month column
    title_year: int | None  # the year written in the title block


@dataclass(frozen=True)
class Target:
    """A column that holds values: its own indicator or period, else the row's."""

    column: int
    indicator: str | None
    when: tuple[int, str] | None  # (ts, period) of a period column


def read_wide(rows: Sequence[tuple[int, list[Any]]], config: Any, mapper: Mapper, now: datetime,
              cell_name: CellName, merged: Merged = (), shown: str | None = None) -> Batch:
    """Readings from a wide table. ``rows``: (row number, cells); ``merged``: merged cell ranges as
    (first row, first column index, last row, last column index); ``shown``: the file as the admin
    names it, put before each reading's cell in its ``origin``."""
    mapper.prepare()
    grid = [(number, list(cells)) for number, cells in rows]
    header = read_header(grid, config, merged)
    batch = Batch()
    targets = value_columns(config, header, batch, mapper.zone)
    reader = Rows(config, header, targets, mapper, batch, now, cell_name, shown)
    for number, cells in grid[header.last + 1:]:
        reader.read(number, cells)
    reader.finish()
    return batch


def read_header(grid: Grid, config: Any, merged: Merged) -> Header:
    """Step 1: find the header under the title block and name every column from it."""
    # A cell merged down (``Kecamatan`` over two header rows, a kecamatan over its puskesmas rows)
    # gives its value to every row it spans, in its first column; across columns only in the
    # header, as notes and the JUMLAH label span a row's columns.
    _fill_merged(grid, [(r0, c0, r1, c0) for r0, c0, r1, _c1 in merged if r1 > r0])
    h = _header_position(grid, config)
    _fill_merged(grid, [m for m in merged if m[0] <= grid[h][0] + 3 and m[2] >= grid[h][0]])
    region = config.columns.region
    region_col = _find(grid[h][1], region)
    header_rows = [h] + _continuation(grid, h, region_col, region)
    width = max(len(cells) for _, cells in grid)
    texts = [[grid[r][1][c] for r in header_rows if c < len(grid[r][1]) and _heading(grid[r][1][c])]
             for c in range(width)]
    raw = [column[-1] if column else None for column in texts]
    return Header(
        last=max(header_rows),
        region_col=region_col,
        names=[[_norm(t) for t in column] for column in texts],
        label=[" ".join(str(v).split()) if v is not None else "" for v in raw],
        raw=raw,
        title_year=_title_year(grid[:h]),
    )


def value_columns(config: Any, header: Header, batch: Batch, zone: Any) -> list[Target]:
    """Step 2: the columns that hold values, each with its period (or its indicator)."""
    periods = config.columns.periods
    year = config.year or header.title_year
    others = [c for c in range(len(header.names)) if c != header.region_col and header.names[c]]
    if isinstance(periods, list):
        out = _listed_periods(periods, header, others, batch, year, zone)
    elif isinstance(periods, str):
        pattern = re.compile(periods, re.IGNORECASE)
        out = [_period_column(header, c, year, zone, explicit=True) for c in others
               if any(pattern.search(n) for n in header.names[c]) or pattern.search(header.label[c])]
    elif config.indicators and not (config.indicator or config.columns.indicator):
        out = _indicator_columns(config.indicators, header, batch)
    else:
        out = [t for c in others if (t := _period_column(header, c, year, zone, explicit=False, batch=batch))]
    found = [t for t in out if t is not None]
    if not found:
        raise SourceError(f"tidak ada kolom periode atau indikator (kolom yang ada: "
                          f"{', '.join(header.label[c] for c in others)[:160]})")
    return found


class Rows:
    """Steps 3 and 4: each row below the header, a kecamatan's or a total, into readings."""

    def __init__(self, config: Any, header: Header, targets: list[Target], mapper: Mapper, batch: Batch,
                 now: datetime, cell_name: CellName, shown: str | None):
        columns = config.columns
        self.header, self.targets, self.mapper, self.batch = header, targets, mapper, batch
        self.region_name = columns.region
        self.keep = config.totals == "keep"
        self.cell_name = cell_name
        self.prefix = f"{shown} " if shown else ""
        self.by_column = {t.column: t for t in targets}
        self.time_cols = [_column(header.names, t) for t in columns.time_columns()]  # [tahun, bulan]: read together
        self.indicator_col = None
        if columns.indicator and not columns.indicator.startswith("="):
            self.indicator_col = _column(header.names, columns.indicator)
        self.fixed_indicator = (columns.indicator[1:].strip() if columns.indicator and columns.indicator.startswith("=")
                                else config.indicator)
        self.default_ts = int(now.timestamp())
        self.seen: dict[tuple[Any, ...], int] = {}  # a row's cells -> its row number, for duplicates
        self.site_rows: list[Reading] = []  # readings of rows for the whole kabupaten/kota
        self.inside = False  # a row for a kecamatan (or desa) was met: the site's rows are its totals

    def read(self, number: int, cells: list[Any]) -> None:
        present = [(t, cells[t.column]) for t in self.targets
                   if t.column < len(cells) and not no_value(cells[t.column])]
        if not present:
            return  # a blank row, a note under the table, a sub-heading: nothing to read
        if self._duplicate(number, cells):
            return
        region = self.region(number, cells)
        if region is None:
            return
        try:
            row_indicator = self.mapper._indicator(_cell(cells, self.indicator_col)) \
                if self.indicator_col is not None else None
            row_when = (parse_when_parts([_cell(cells, c) for c in self.time_cols], self.mapper.zone)
                        if self.time_cols else (self.default_ts, None))
        except ValueProblem as problem:
            self.batch.reject(f"baris {number}: {problem}")
            return
        out = self.site_rows if region == self.mapper.site else self.batch.readings
        for target, cell in present:
            where = self.cell_name(number, target.column, self.header.label[target.column])
            try:
                value = parse_number(cell)
            except ValueProblem as problem:
                self.batch.reject(f"{where}: {problem}")
                continue
            ts, period = target.when if target.when is not None else row_when
            indicator = target.indicator or row_indicator or self.fixed_indicator
            out.append(Reading(indicator, region, ts, value, period, origin=self.prefix + where))

    def region(self, number: int, cells: list[Any]) -> str | None:
        """The region a row is for, the site itself for a total row; None for a row left out
        (refused with its reason, or a ``Sub Total`` / ``Rata-rata`` row)."""
        labels = [field_text(cell) for c, cell in enumerate(cells)
                  if c not in self.by_column and isinstance(cell, str)]
        # JUMLAH / TOTAL, also when written in the number column beside an empty region cell
        if any(TOTAL.match(text) for text in labels):
            return self.mapper.site
        if any(SUMMARY.match(text) for text in labels):
            return None  # a sub-total of part of the table or an average: not the site's figure
        written = field_text(_cell(cells, self.header.region_col))
        if not written:
            self.batch.reject(f"baris {number}: kolom {self.region_name!r} kosong")
            return None
        try:
            region = self.mapper._region(written)  # a kecamatan of the site's name first, then Kabupaten X
        except ValueProblem as problem:
            self.inside = True  # a kecamatan that could not be placed: still a table of kecamatan
            self.batch.reject(f"baris {number}: {problem}")
            return None
        self.inside = self.inside or region != self.mapper.site
        return region

    def finish(self) -> None:
        """The site's own rows: the source's totals among kecamatan rows (stored with ``totals: keep``),
        the readings themselves in a table with no rows inside the site."""
        if self.keep or not self.inside:
            self.batch.readings.extend(self.site_rows)
        else:
            self.batch.totals.extend(self.site_rows)

    def _duplicate(self, number: int, cells: list[Any]) -> bool:
        key = tuple(None if c == "" else c for c in cells)
        while key and key[-1] is None:
            key = key[:-1]
        first = self.seen.setdefault(key, number)
        if first == number:
            return False
        self.batch.duplicate(f"baris {number} sama persis dengan baris {first} (duplikat, dihitung sekali)")
        return True


def _cell(cells: list[Any], column: int | None) -> Any:
    return cells[column] if column is not None and column < len(cells) else None


def _heading(cell: Any) -> bool:
    return cell not in (None, "") and not _numbering(cell)


def _header_position(grid: list[tuple[int, list[Any]]], config: Any) -> int:
    wanted = _norm(config.columns.region)
    if config.header_row is not None:
        for position, (number, cells) in enumerate(grid):
            if number == config.header_row:
                if any(_norm(c) == wanted for c in cells):
                    return position
                shown = ", ".join(str(c) for c in cells if c not in (None, ""))[:120]
                raise SourceError(f"baris {number} (header_row) tidak memuat kolom {config.columns.region!r}"
                                  f" (isinya: {shown or 'kosong'})")
        raise SourceError(f"header_row {config.header_row} melewati akhir tabel")
    for position, (_number, cells) in enumerate(grid[:HEADER_SEARCH]):
        if any(_norm(c) == wanted for c in cells):
            return position
    raise SourceError(f"kolom {config.columns.region!r} tidak ditemukan di {HEADER_SEARCH} baris pertama; "
                      "beri header_row:")


def _fill_merged(grid: list[tuple[int, list[Any]]], merged: Sequence[tuple[int, int, int, int]]) -> None:
    """Merged cells hold their value in the first cell only: spread it over the range."""
    position = {number: i for i, (number, _) in enumerate(grid)}
    for r0, c0, r1, c1 in merged:
        if r0 not in position:
            continue
        first = grid[position[r0]][1]
        value = first[c0] if c0 < len(first) else None
        for r in range(r0, r1 + 1):
            if r not in position:
                continue
            cells = grid[position[r]][1]
            cells.extend([None] * (c1 + 1 - len(cells)))
            for c in range(c0, c1 + 1):
                if cells[c] in (None, ""):
                    cells[c] = value


def _find(cells: list[Any], name: str) -> int:
    wanted = _norm(name)
    return next(i for i, c in enumerate(cells) if _norm(c) == wanted)


def _numbering(cell: Any) -> bool:
    return isinstance(cell, str | int) and not isinstance(cell, bool) and bool(_NUMBERING.match(str(cell).strip()))


def _continuation(grid: list[tuple[int, list[Any]]], h: int, region_col: int, region: str) -> list[int]:
    """Rows under the header that still belong to it: a second header row, a row of column numbers."""
    more: list[int] = []
    for position in range(h + 1, min(h + 4, len(grid))):
        cells = grid[position][1]
        filled = [c for c in cells if c not in (None, "")]
        if not filled:
            break
        under_region = cells[region_col] if region_col < len(cells) else None
        if all(_numbering(c) for c in filled):
            more.append(position)
            continue
        header_like = all(isinstance(c, datetime | date) or (isinstance(c, str) and not _number(c)) for c in filled)
        if header_like and (under_region in (None, "") or _norm(under_region) == _norm(region)):
            more.append(position)
            continue
        break
    return more


def _number(text: str) -> bool:
    try:
        parse_number(text)
    except ValueProblem:
        return False
    return True


def _column(names: list[list[str]], wanted: str) -> int | None:
    key = _norm(wanted)
    return next((c for c, options in enumerate(names) if key in options), None)


def _title_year(title: list[tuple[int, list[Any]]]) -> int | None:
    for _number, cells in title:
        for cell in cells:
            if isinstance(cell, str) and (m := _TITLE_YEAR.search(cell)):
                return int(m.group(1))
    return None


def _period_of(raw: Any, label: str, year: int | None) -> Period | None:
    """The period a header names; a month (or quarter) without a year takes ``year``."""
    if isinstance(raw, datetime | date):
        return Period(date(raw.year, raw.month, 1), MONTH)
    if year is not None and label and not _TITLE_YEAR.search(label):
        with_year = parse_period(f"{label} {year}")
        if with_year is not None:
            return with_year
    return parse_period(label)


def _without_year(label: str) -> bool:
    try:
        return parse_period(f"{label} 2000") is not None
    except ValueProblem:
        return False


def _period_column(header: Header, c: int, year: int | None, zone: Any, explicit: bool,
                   batch: Batch | None = None) -> Target | None:
    """Column ``c`` as a period column; a column that was asked for and is no period fails the run,
    one found by itself that is a period word naming no period (``Agutus``) is reported in ``batch``."""
    label = header.label[c]
    try:
        period = _period_of(header.raw[c], label, year)
    except ValueProblem as problem:
        period, problem_text = None, str(problem)
        if not explicit and batch is not None:  # said, never skipped without a word
            batch.reject(f"kolom {label!r}: {problem_text}")
            return None
    else:
        problem_text = f"{label!r} bukan periode"
    if period is not None:
        return Target(c, None, (period.ts(zone), period.length))
    if not explicit:
        return None
    if year is None and _without_year(label):
        raise SourceError(f"kolom {label!r} tidak menyebut tahun, judul tabel juga tidak; beri year:")
    raise SourceError(f"kolom {label!r}: {problem_text}")


def _listed_periods(periods: list[str], header: Header, others: list[int], batch: Batch, year: int | None,
                    zone: Any) -> list[Target | None]:
    """``periods: [Jan, Feb, ...]``: a missing one is a reject (a renamed month), all missing fail."""
    out: list[Target | None] = []
    missing = []
    for wanted in periods:
        c = _column(header.names, wanted)
        if c is None:
            missing.append(wanted)
        else:
            out.append(_period_column(header, c, year, zone, explicit=True))
    if missing and not out:
        raise SourceError(f"kolom periode {', '.join(repr(m) for m in missing)} tidak ada "
                          f"(kolom yang ada: {', '.join(header.label[c] for c in others)[:160]})")
    for wanted in missing:  # a renamed month column: the others are still read
        batch.reject(f"kolom {wanted!r} tidak ada")
    return out


def _indicator_columns(indicators: dict[str, str], header: Header, batch: Batch) -> list[Target | None]:
    """One column per indicator, as ``indicators:`` maps its header."""
    out: list[Target | None] = []
    for written, indicator in indicators.items():
        c = _column(header.names, written)
        if c is None:
            batch.reject(f"kolom {written!r} tidak ada")
        else:
            out.append(Target(c, indicator, None))
    return out
