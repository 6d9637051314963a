"""A big long-layout file (millions of rows) read in chunks into columns, in bounded memory.

Row by row, a 200 MB export became four million ``Reading`` objects and took minutes. Here the
rows are gathered a chunk at a time as plain text columns; each column's *distinct* texts are read
once with the very functions the row-by-row path uses (``parse_number``, ``parse_when``, the
mapper's region and indicator lookups), so a value is read exactly as it would be row by row, and
a refused row gets the same reason (the first failing column in the same order: value, time,
region, indicator). The result is a ``ReadingColumns`` batch (wallboard/columns.py).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import datetime
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd

from wallboard.columns import ReadingColumns
from wallboard.sources.base import Batch, Deadline
from wallboard.sources.mapping import Columns, Mapper
from wallboard.sources.periods import parse_when
from wallboard.sources.values import (
    COMMON_SHAPE,
    DOT,
    ValueProblem,
    decimal_evidence,
    judge_decimal_mark,
    parse_number,
)

CHUNK = 20_000  # rows gathered before a chunk is converted; a few MB of text
CACHED = 200_000  # distinct texts of one column remembered across chunks (times, regions repeat)


def plan(mapper: Mapper, header: list[str]) -> dict[str, Any] | None:
    """Which header position holds each mapped column, or None when this path cannot read the file
    (a column the header lacks: the row-by-row path refuses each row with its reason)."""
    columns = mapper.config.columns or mapper._default_columns(header)
    folded = {str(h).strip().casefold(): i for i, h in reversed(list(enumerate(header)))}
    exact = {h: i for i, h in reversed(list(enumerate(header)))}
    out: dict[str, Any] = {}
    if isinstance(columns.time, list):
        return None  # a time read from several columns: row by row
    for name in ("value", "time", "region", "indicator"):
        key = getattr(columns, name)
        if key and key.startswith("=") and name != "indicator":
            return None  # a constant value, time or region: rare, read row by row
        if not key or key.startswith("="):
            out[name] = None
            continue
        spelled = mapper._header.get(key, key)
        index = exact.get(spelled, folded.get(key.strip().casefold()))
        if index is None:
            return None
        out[name] = index
    out["columns"] = columns  # the mapping as read (the header's own when config gives none)
    return out


def read_long(reader: Any, width: int, where: dict[str, Any], mapper: Mapper, now: datetime,
              deadline: Deadline, prefix: str, size: int = 0, decimal: tuple[str | None, str | None] = (None, None),
              cells: int | None = None) -> Batch:
    """Rows of a long file (a ``csv.reader`` past its header) to a batch of columns.

    ``prefix`` names a row in origins and reasons (``data/dbd.csv baris``), as the mapper does;
    ``cells``: the header's length, the cells of a row that make its record (its identity for the
    duplicate check, combine.py ``combine_columns``).

    The cyclic garbage collector is paused meanwhile: it would walk every text gathered so far
    again and again (2x the run's time), while nothing read here forms a cycle.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _read_long(reader, width, where, mapper, now, deadline, prefix, size, decimal, cells or width)
    finally:
        if collecting:
            gc.enable()


def _read_long(reader: Any, width: int, where: dict[str, Any], mapper: Mapper, now: datetime,
               deadline: Deadline, prefix: str, size: int, decimal: tuple[str | None, str | None],
               cells: int) -> Batch:
    mapper.prepare()
    # A row of ``width`` cells takes at least ``width`` bytes (its separators and line break) and
    # one for the value: no file of ``size`` bytes holds more rows than this.
    readings = ReadingColumns(prefix, capacity=size // (width + 1) + 1 if size else 0)
    batch = Batch(readings=readings)  # type: ignore[arg-type] - a Sequence[Reading]
    convert = Converter(mapper, where["columns"], now, readings, batch, decimal[0], prefix)
    mixed = decimal[1]
    names = [name for name in ("value", "time", "region", "indicator") if where[name] is not None]
    pick = itemgetter(*(where[name] for name in names), 0)  # always a tuple, even of one column
    picked: list[tuple[str, ...]] = []
    lines: list[int] = []
    raws: list[int] = []
    short: list[str] = []  # refused after the other rows, as the row-by-row path does (csv.py)
    cut = 0
    for row in reader:
        if len(row) < width:
            if any(row):
                cut += 1
                if len(short) < 5:
                    short.append(f"{prefix} {reader.line_num}: {len(row)} kolom, header punya {width} "
                                 "(baris terpotong?)")
            continue
        if not any(row):
            continue
        if mixed:  # the value column mixes decimal marks: every row is refused, as row by row
            batch.reject(f"{prefix} {reader.line_num}: {mixed}")
            continue
        picked.append(pick(row))
        lines.append(reader.line_num)
        raws.append(hash(tuple(row[:cells])) or 1)  # 0 is "no identity" (columns.py)
        if len(lines) == CHUNK:
            deadline.check()
            convert.chunk(dict(zip(names, zip(*picked, strict=False), strict=False)), lines, raws)
            picked, lines, raws = [], [], []
    if lines:
        convert.chunk(dict(zip(names, zip(*picked, strict=False), strict=False)), lines, raws)
    for reason in short:
        batch.reject(reason)
    batch.rejected += cut - len(short)
    drop_duplicates(readings, batch, prefix)
    if where["region"] is not None and mapper.config.totals != "keep":  # as the mapper's split_site_rows
        batch.totals = readings.take_totals(mapper.site)
    deadline.check()
    return batch


class Fallback(Exception):  # noqa: N818 - a signal, not an error: the csv-module path reads the file
    """The block reader (frames.py) cannot read this file; the csv-module path reads it instead."""


class Converter:
    """Reads each distinct text once per run (the caches outlive chunks: times and regions repeat).

    ``watch_dot``: the column's decimal mark was not judged beforehand (frames.py reads in one
    pass); a value proving a dot raises ``Fallback``, so the file is read again with the mark
    judged first, as row by row. Texts of the common Indonesian shape (``COMMON_SHAPE``) never prove a dot.
    """

    def __init__(self, mapper: Mapper, columns: Columns, now: datetime, readings: ReadingColumns, batch: Batch,
                 decimal: str | None = None, prefix: str = "baris", watch_dot: bool = False):
        self.mapper = mapper
        self.prefix = prefix
        self.zone = mapper.zone
        self.readings = readings
        self.batch = batch
        self.decimal = decimal
        self.watch_dot = watch_dot
        fixed = mapper.config.indicator
        indicator_col = columns.indicator
        if columns.indicator and columns.indicator.startswith("="):
            fixed, indicator_col = columns.indicator[1:].strip(), None
        # A reason names its column, as row by row (mapping.py ``_readings``).
        self.names = {"value": repr(columns.value), "time": repr(columns.time), "region": repr(columns.region),
                      "indicator": repr(indicator_col)}
        self.fixed_indicator = readings.indicators.code(fixed) if fixed else 0
        self.fixed_region = readings.regions.code(mapper.site)
        self.default_ts = int(now.timestamp())
        self.caches: dict[str, dict[str, Any]] = {"time": {}, "region": {}, "indicator": {}}

    def _read(self, name: str, text: str) -> Any:
        """One distinct text of a column: its value, or the ``ValueProblem`` the row would get."""
        try:
            if name == "time":
                ts, period = parse_when(text, self.zone)
                return ts, self.readings.periods.code(period)
            if name == "region":
                return self.readings.regions.code(self.mapper._region(text))
            return self.readings.indicators.code(self.mapper._indicator(text))
        except ValueProblem as problem:
            return problem

    def _column(self, name: str, texts: np.ndarray) -> _Part:
        """A column's texts: codes into its distinct texts, what each reads as, which rows fail."""
        codes, distinct = pd.factorize(texts)
        good, problems = self._numbers(distinct) if name == "value" else self._distinct(name, distinct)
        bad = np.zeros(len(distinct), dtype=bool)
        bad[list(problems)] = True
        return _Part(codes, good, problems, bad[codes])

    def _distinct(self, name: str, distinct: np.ndarray) -> tuple[np.ndarray, dict[int, ValueProblem]]:
        cache = self.caches[name]
        if len(cache) > CACHED:  # memory stays bounded
            cache.clear()
        results = []
        for text in distinct.tolist():
            found = cache.get(text, cache)
            if found is cache:
                found = cache[text] = self._read(name, text)
            results.append(found)
        problems = {i: r for i, r in enumerate(results) if isinstance(r, ValueProblem)}
        blank = (0, 0) if name == "time" else 0
        good = np.array([blank if i in problems else r for i, r in enumerate(results)], dtype=np.int64)
        return good.reshape(len(results), 2) if name == "time" else good, problems

    def _numbers(self, distinct: np.ndarray) -> tuple[np.ndarray, dict[int, ValueProblem]]:
        """The distinct texts of the value column as numbers: the common Indonesian shapes
        (``12``, ``1.234``, ``1.234.567,89``, ``85,5``) at once, by the very expression
        ``parse_number`` applies to them (the separators moved, then ``float`` of the text); any
        other text one at a time through ``parse_number``."""
        good = np.zeros(len(distinct), dtype=np.float64)
        common = np.zeros(len(distinct), dtype=bool)
        if self.decimal != DOT and len(distinct):
            texts = pd.Series(distinct, dtype=object)
            common = texts.str.fullmatch(COMMON_SHAPE.pattern).to_numpy(dtype=bool, na_value=False)
            if common.any():
                plain = texts[common].str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
                good[common] = plain.to_numpy(dtype=object).astype(np.float64)
        problems: dict[int, ValueProblem] = {}
        for i in np.flatnonzero(~common).tolist():
            text = distinct[i]
            if self.watch_dot and (decimal_evidence(text) or ("",))[0] == DOT:
                raise Fallback
            try:
                good[i] = parse_number(text, self.decimal)
            except ValueProblem as problem:
                problems[i] = problem
        return good, problems

    def chunk(self, texts: dict[str, tuple[str, ...]], lines: list[int], raws: list[int]) -> None:
        """Rows gathered by the csv-module path: as ``arrays``."""
        self.arrays({name: np.array(column, dtype=object) for name, column in texts.items()},
                    np.asarray(lines, dtype=np.int64), np.asarray(raws, dtype=np.int64))

    def arrays(self, texts: dict[str, np.ndarray], line: np.ndarray, raw: np.ndarray) -> None:
        """Rows as text columns (object arrays), their file lines and record identities."""
        failing = np.zeros(len(line), dtype=bool)
        parts: dict[str, _Part] = {}
        for name in ("value", "time", "region", "indicator"):  # the row-by-row path's order
            if name in texts:
                parts[name] = self._column(name, texts[name])
                failing |= parts[name].failing
        for i in np.flatnonzero(failing).tolist():
            step, problem = next((name, p.problems[p.codes[i]]) for name, p in parts.items() if p.failing[i])
            reason = str(problem)
            where = "" if reason.startswith("kolom ") else f" kolom {self.names[step]}"
            self.batch.reject(f"{self.prefix} {line[i]}{where}: {reason}")
        ok = ~failing
        value = parts["value"].take(ok)
        if "time" in parts:
            pairs = parts["time"].take(ok)
            ts, period = pairs[:, 0], pairs[:, 1]
        else:
            ts = np.full(int(ok.sum()), self.default_ts, dtype=np.int64)
            period = np.zeros(len(ts), dtype=np.int8)
        region = parts["region"].take(ok) if "region" in parts else np.full(len(ts), self.fixed_region)
        indicator = parts["indicator"].take(ok) if "indicator" in parts else np.full(len(ts), self.fixed_indicator)
        self.readings.add(indicator, region, ts, value, period, line[ok], raw[ok])


class _Part:
    """One column of a chunk, read: codes into its distinct texts, their readings, their problems."""

    def __init__(self, codes: np.ndarray, good: np.ndarray, problems: dict[int, ValueProblem],
                 failing: np.ndarray) -> None:
        self.codes = codes
        self.good = good
        self.problems = problems
        self.failing = failing

    def take(self, ok: np.ndarray) -> np.ndarray:
        """What the rows ``ok`` selects read as."""
        return self.good[self.codes[ok]]


def drop_duplicates(readings: ReadingColumns, batch: Batch, prefix: str) -> None:
    """Rows identical to an earlier row in every column, counted once with the mapper's warning
    (mapping.py ``_seen_before``): same key and same raw record (its hash). Such rows share a key,
    so only rows of repeated keys are compared, after one sort; none in the usual file."""
    rows = readings.repeated()
    if not len(rows):
        readings.forget("raw")
        return
    cols = readings.columns()
    unit = prefix.rsplit(" ", 1)[-1]
    keep = np.ones(len(cols["ts"]), dtype=bool)
    firsts: dict[tuple, int] = {}  # (key, raw) -> the first such row's line
    names = ("indicator", "region", "ts", "period", "raw")
    for i, line, *key in zip(rows.tolist(), cols["line"][rows].tolist(), *(cols[n][rows].tolist() for n in names),
                             strict=True):
        first = firsts.setdefault(tuple(key), line)
        if first != line:
            batch.duplicate(f"{prefix} {line} sama persis dengan {unit} {first} (duplikat, dihitung sekali)")
            keep[i] = False
    if not keep.all():
        readings.keep(keep)
    readings.forget("raw")  # nothing reads a row's identity after this


def decimal_mark(reader: Any, width: int, value: int, column: str) -> tuple[str | None, str | None]:
    """The value column's decimal mark, judged over the whole file before any row is read, as the
    row-by-row path does (mapping.py ``_decimal_mark``): (".", None) when a value proves a dot,
    (None, reason) when values prove both marks, (None, None) otherwise."""
    return judge_decimal_mark(_distinct_values(reader, width, value), column)


def _distinct_values(reader: Any, width: int, value: int) -> Iterator[str]:
    """The value column's texts, each once while the bounded memory of texts seen allows."""
    looked: set[str] = set()
    for row in reader:
        if len(row) < width or not any(row):
            continue
        raw = row[value]
        if raw in looked:
            continue
        if len(looked) > CACHED:
            looked.clear()
        looked.add(raw)
        yield raw
