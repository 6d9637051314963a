"""Wide tables: one row per region, one column per period (or per indicator), as work units report.

A monthly report from a dinas is a spreadsheet with a title block (``LAPORAN KASUS DBD ...
TAHUN 2026``), a header that may span two rows with merged cells (``Bulan`` over ``Jan`` ...
``Des``), one row per kecamatan, a ``JUMLAH`` row, and ``-`` where there is nothing to report.
This module reads that shape into readings:

* the header row is ``header_row`` or the first row holding the ``region`` column's name, so the
  title block above it is skipped and a header that moved a row down is still found;
* a second header row below it (month names under a merged ``Bulan``), and a row of column
  numbers ``(1) (2) (3)`` as statistics tables have, are taken as part of the header;
* period columns are named (``periods: [Jan, Feb, ...]``), matched by a regular expression
  (``periods: '^(Jan|Feb|Mar)'``) or found by themselves (every header that reads as a period);
  a month without a year takes ``year:`` or the year written in the title block;
* total rows (``JUMLAH``, ``TOTAL``, ``Jumlah Total``, the kabupaten itself) are skipped, and
  ``-``, ``–`` and empty cells are no value, never 0.

A cell that cannot be read is rejected naming the cell; its row's other cells are kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from wallboard import regions
from wallboard.sources.base import Batch, Reading, SourceError
from wallboard.sources.mapping import Mapper, field_text
from wallboard.sources.periods import MONTH, Period, parse_period, parse_when
from wallboard.sources.values import ValueProblem, parse_number

HEADER_SEARCH = 30  # rows looked at for the header when header_row is not given
_TOTAL = re.compile(r"^(jumlah|total|grand total|sub ?total|rata ?rata|rerata)\b", re.IGNORECASE)
_NO_VALUE = {"", "-", "--", "---", "\u2013", "\u2014", "n/a", "na"}
_NUMBERING = re.compile(r"^\(?\d{1,3}\)?$")
_TITLE_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")

# (row number as the admin sees it, column index, column label) -> where a rejected cell is
CellName = Callable[[int, int, str], str]


def _norm(value: Any) -> str:
    return " ".join(str(value).split()).casefold() if value is not None else ""


def no_value(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and cell.strip().casefold() in _NO_VALUE)


def read_wide(rows: Sequence[tuple[int, list[Any]]], config: Any, mapper: Mapper, now: datetime,
              cell_name: CellName, merged: Sequence[tuple[int, int, int, int]] = ()) -> Batch:
    """Readings from a wide table. ``rows``: (row number, cells); ``merged``: merged cell ranges as
    (first row, first column index, last row, last column index), whose value fills the header."""
    mapper.prepare()
    columns = config.columns
    grid = [(number, list(cells)) for number, cells in rows]
    # Cells merged down one column (``Kecamatan`` over two header rows, a kecamatan over two rows)
    # hold their value in every row; wider merges only in the header, as notes span whole rows.
    _fill_merged(grid, [m for m in merged if m[1] == m[3]])
    h = _header_position(grid, config)
    _fill_merged(grid, [m for m in merged if m[0] <= grid[h][0] + 3 and m[2] >= grid[h][0]])
    region_col = _find(grid[h][1], columns.region)
    header_rows = [h] + _continuation(grid, h, region_col, columns.region)
    width = max(len(cells) for _, cells in grid)
    names = [[_norm(grid[r][1][c]) for r in header_rows
              if c < len(grid[r][1]) and grid[r][1][c] not in (None, "") and not _numbering(grid[r][1][c])]
             for c in range(width)]
    raw_label = [next((grid[r][1][c] for r in reversed(header_rows) if c < len(grid[r][1])
                       and grid[r][1][c] not in (None, "") and not _numbering(grid[r][1][c])), None)
                 for c in range(width)]
    label = [" ".join(str(v).split()) if v is not None else "" for v in raw_label]
    batch = Batch()
    title_year = _title_year(grid[:h])
    targets = _targets(config, names, label, raw_label, region_col, title_year, batch, mapper.zone)
    time_col = indicator_col = None
    if columns.time:
        time_col = _column(names, columns.time)
    if columns.indicator and not columns.indicator.startswith("="):
        indicator_col = _column(names, columns.indicator)
    fixed_indicator = (columns.indicator[1:].strip() if columns.indicator and columns.indicator.startswith("=")
                       else config.indicator)
    site_names = _site_names(mapper.site)
    default_ts = int(now.timestamp())
    start = max(header_rows) + 1
    value_cols = {c for c, _ind, _when in targets}
    for number, cells in grid[start:]:
        present = [(c, cells[c]) for c, _ind, _when in targets if c < len(cells) and not no_value(cells[c])]
        if not present:
            continue  # a blank row, a note under the table, a sub-heading: nothing to read
        labels = [field_text(cell) for c, cell in enumerate(cells) if c not in value_cols and isinstance(cell, str)]
        if any(_TOTAL.match(text) for text in labels):
            continue  # JUMLAH / TOTAL, also when written in the number column beside an empty region cell
        written = field_text(cells[region_col] if region_col < len(cells) else None)
        if not written:
            batch.reject(f"baris {number}: kolom {columns.region!r} kosong")
            continue
        simple = _norm(re.sub(r"[^\w\s]", " ", written))
        if simple in site_names:
            continue
        try:
            region = mapper._region(written)
            row_indicator = mapper._indicator(cells[indicator_col]) if indicator_col is not None else None
            row_when = (parse_when(cells[time_col], mapper.zone) if time_col is not None
                        else (default_ts, None))
        except ValueProblem as problem:
            batch.reject(f"baris {number}: {problem}")
            continue
        for c, cell in present:
            indicator, when = next((ind, w) for col, ind, w in targets if col == c)
            try:
                value = parse_number(cell)
            except ValueProblem as problem:
                batch.reject(f"{cell_name(number, c, label[c])}: {problem}")
                continue
            ts, period = when if when is not None else row_when
            batch.readings.append(Reading(indicator or row_indicator or fixed_indicator, region, ts, value, period))
    return batch


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


def _targets(config: Any, names: list[list[str]], label: list[str], raw_label: list[Any], region_col: int,
             title_year: int | None, batch: Batch, zone: Any) -> list[tuple[int, str | None, tuple[int, str] | None]]:
    """The columns that hold values: (column index, indicator or None, (ts, period) or None)."""
    columns = config.columns
    year = config.year or title_year
    out: list[tuple[int, str | None, tuple[int, str] | None]] = []

    def period_column(c: int, explicit: bool) -> None:
        try:
            period = _period_of(raw_label[c], label[c], year)
        except ValueProblem as problem:
            period, problem_text = None, str(problem)
        else:
            problem_text = f"{label[c]!r} bukan periode"
        if period is None:
            if not explicit:
                return
            if year is None and _without_year(label[c]):
                raise SourceError(f"kolom {label[c]!r} tidak menyebut tahun, judul tabel juga tidak; beri year:")
            raise SourceError(f"kolom {label[c]!r}: {problem_text}")
        out.append((c, None, (period.ts(zone), period.length)))

    others = [c for c in range(len(names)) if c != region_col and names[c]]
    if isinstance(columns.periods, list):
        missing = []
        for wanted in columns.periods:
            c = _column(names, wanted)
            if c is None:
                missing.append(wanted)
            else:
                period_column(c, explicit=True)
        if missing and not out:
            raise SourceError(f"kolom periode {', '.join(repr(m) for m in missing)} tidak ada "
                              f"(kolom yang ada: {', '.join(label[c] for c in others)[:160]})")
        for wanted in missing:  # a renamed month column: the others are still read
            batch.reject(f"kolom {wanted!r} tidak ada")
    elif isinstance(columns.periods, str):
        pattern = re.compile(columns.periods, re.IGNORECASE)
        for c in others:
            if any(pattern.search(n) for n in names[c]) or pattern.search(label[c]):
                period_column(c, explicit=True)
    elif config.indicators and not (config.indicator or columns.indicator):
        for written, indicator in config.indicators.items():
            c = _column(names, written)
            if c is None:
                batch.reject(f"kolom {written!r} tidak ada")
            else:
                out.append((c, indicator, None))
    else:
        for c in others:
            period_column(c, explicit=False)
    if not out:
        raise SourceError(f"tidak ada kolom periode atau indikator (kolom yang ada: "
                          f"{', '.join(label[c] for c in others)[:160]})")
    return out


def _site_names(site: str) -> set[str]:
    """The kabupaten/kota's own name as a total row writes it: ``Kabupaten Magelang``, ``Magelang``."""
    full = _norm(re.sub(r"[^\w\s]", " ", regions.name(site)))
    short = re.sub(r"^(kabupaten|kab|kota)\s+", "", full)
    return {full, short, f"kab {short}", f"kota {short}", f"kabupaten {short}"}
