"""Millions of readings held as columns of numbers, for a big file read in one run.

A 200 MB export holds about four million rows; as ``Reading`` objects (plus the store's key
dict) they took 1.8 GB. Here each reading is 35 bytes in numpy arrays: indicator, region and
period are small codes into name tables, time and value plain numbers, the file line is kept so
a reading can still say where it came from, and a hash of its raw record finds duplicate rows
(combine.py). It is a ``Sequence[Reading]`` (``Batch.readings`` may hold one), so code that
iterates readings keeps working; the store asks for ``unique()``, the deduplicated rows sorted
along the readings key, and writes them in order without building per-row Python objects for the
whole file at once.

Like ``records``, this module sits below both sources and the store and imports neither.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import numpy as np

from wallboard.records import Reading

PACK_LIMIT = 2**62  # (indicator, region, ts) packed into one int64 below this many combinations
KEY_SLICE = 1 << 20  # rows packed into keys at a time
_DTYPES = (("indicator", np.uint16), ("region", np.int32), ("ts", np.int64), ("value", np.float64),
           ("period", np.int8), ("line", np.int32), ("raw", np.int64))
# ``raw``: a 64-bit identity (hash) of the row's raw record, so a row identical to an earlier one
# in every column is found as the row-by-row path finds it (combine.py ``combine_columns``).


class _Names:
    """A table of names (indicator ids, region codes, periods) and their small codes."""

    def __init__(self, first: tuple[Any, ...] = ()) -> None:
        self.names: list[Any] = list(first)
        self.codes: dict[Any, int] = {n: i for i, n in enumerate(first)}

    def code(self, name: Any) -> int:
        found = self.codes.get(name)
        if found is None:
            found = self.codes[name] = len(self.names)
            self.names.append(name)
        return found

    def ranks(self) -> np.ndarray:
        """Each code's place in the names' sorted order: sorting by rank sorts by name."""
        order = sorted(range(len(self.names)), key=lambda i: self.names[i])
        ranks = np.empty(len(self.names), dtype=np.int32)
        ranks[order] = np.arange(len(self.names), dtype=np.int32)
        return ranks


class ReadingColumns(Sequence[Reading]):
    """Readings as columns; ``origin`` of each is ``"{prefix} {line}"`` (``data/x.csv baris 12``)."""

    def __init__(self, prefix: str | None = None, capacity: int = 0) -> None:
        """``capacity``: at most this many rows will be added (a file's size over its shortest
        possible row). The columns are reserved that long at once and filled in place: untouched
        pages of a reservation cost no memory, and no chunk is ever copied into a joined array."""
        self.prefix = prefix
        self.indicators = _Names()
        self.regions = _Names()
        self.periods = _Names((None,))
        self._chunks: list[tuple[np.ndarray, ...]] = []
        self._pending: list[Reading] = []
        self._joined: dict[str, np.ndarray] | None = None
        self._reserved = [np.empty(capacity, dtype=t) for _, t in _DTYPES] if capacity else None
        self._filled = 0
        self._distinct = False  # known: no (indicator, region, ts, period) twice (kept by any subset)

    # filling

    def add(self, indicator: np.ndarray, region: np.ndarray, ts: np.ndarray, value: np.ndarray,
            period: np.ndarray, line: np.ndarray, raw: np.ndarray | None = None) -> None:
        """One chunk of readings, as arrays of codes (``indicators.code()`` ...) and numbers;
        ``raw``: each row's identity of its raw record (0 for all when not given)."""
        self._flush()
        self._distinct = False
        arrays = (indicator, region, ts, value, period, line, np.zeros(len(ts), np.int64) if raw is None else raw)
        n = len(ts)
        if self._reserved is not None and not self._chunks and self._filled + n <= len(self._reserved[0]):
            for into, array in zip(self._reserved, arrays, strict=True):
                into[self._filled:self._filled + n] = array
            self._filled += n
        else:
            self._settle_reserved()
            self._chunks.append(tuple(np.asarray(a, dtype=t) for a, (_, t) in zip(arrays, _DTYPES, strict=True)))
        self._joined = None

    def _settle_reserved(self) -> None:
        """The reserved columns, as far as filled, become the first chunk (views: nothing copied)."""
        if self._reserved is not None:
            if self._filled:
                self._chunks.insert(0, tuple(r[:self._filled] for r in self._reserved))
            self._reserved = None

    def append(self, reading: Reading) -> None:
        """One reading, as a list takes it (slow path; the bulk readers call ``add``)."""
        self._pending.append(reading)
        self._joined = None
        self._distinct = False

    def _flush(self) -> None:
        if not self._pending:
            return
        self._settle_reserved()
        rows = self._pending
        self._pending = []
        self._chunks.append((
            np.fromiter((self.indicators.code(r.indicator) for r in rows), np.uint16, len(rows)),
            np.fromiter((self.regions.code(r.region) for r in rows), np.int32, len(rows)),
            np.fromiter((r.ts for r in rows), np.int64, len(rows)),
            np.fromiter((r.value for r in rows), np.float64, len(rows)),
            np.fromiter((self.periods.code(r.period) for r in rows), np.int8, len(rows)),
            np.zeros(len(rows), np.int32),
            np.zeros(len(rows), np.int64),
        ))

    def columns(self) -> dict[str, np.ndarray]:
        """The columns joined into one array each (the chunks are let go)."""
        if self._joined is None:
            self._flush()
            self._settle_reserved()
            if len(self._chunks) == 1:
                joined = self._chunks[0]
            elif self._chunks:
                # One column at a time, letting each go from the chunks as it is joined: the
                # whole batch is never held twice.
                parts = [list(c) for c in self._chunks]
                self._chunks = []
                columns = []
                for i in range(len(_DTYPES)):
                    columns.append(np.concatenate([p[i] for p in parts]))
                    for p in parts:
                        p[i] = None
                joined = tuple(columns)
            else:
                joined = tuple(np.empty(0, t) for _, t in _DTYPES)
            self._chunks = [joined]
            self._joined = {name: array for (name, _), array in zip(_DTYPES, joined, strict=True)}
        return self._joined

    def repeated(self) -> np.ndarray:
        """Positions (in order) of the rows whose (indicator, region, ts, period) another row shares;
        empty, after one sort, in the usual case of every key once."""
        cols = self.columns()
        if len(cols["ts"]) < 2 or self._distinct:
            return np.empty(0, dtype=np.int64)
        key = self._key(cols)
        key.sort()  # in place: whether any key repeats, with one int64 a row and nothing more
        repeats = bool((key[1:] == key[:-1]).any())
        del key
        if not repeats:
            self._distinct = True  # asked again (duplicates, then combine): answered at once
            return np.empty(0, dtype=np.int64)
        key = self._key(cols)
        order = np.argsort(key, kind="stable")
        key = key[order]
        same = key[1:] == key[:-1]
        del key
        shared = np.zeros(len(order), dtype=bool)
        shared[1:] = same
        shared[:-1] |= same
        return np.sort(order[shared])

    def take_totals(self, region: str) -> list[Reading]:
        """The rows of ``region`` whose indicator also has rows of another region, taken out (in
        order) and returned: a site's total among its kecamatan rows, as
        ``sources.totals.split_site_rows`` does row by row. Nothing is looked at without such rows."""
        code = self.regions.codes.get(region)
        cols = self.columns()
        if code is None or not len(cols["ts"]):
            return []
        site = cols["region"] == code
        if not site.any() or site.all():
            return []
        total = site & np.isin(cols["indicator"], cols["indicator"][~site])
        found = [self._reading(cols, i) for i in np.flatnonzero(total).tolist()]
        if found:
            self._replace(~total)
        return found

    def forget(self, *names: str) -> None:
        """Columns nothing will read again (``raw`` once duplicates are settled) become zeros that
        take no memory (calloc'd pages): 8 bytes a row less for the rest of the run."""
        cols = self.columns()
        self._chunks = []
        for name, dtype in _DTYPES:
            if name in names:
                cols[name] = None  # type: ignore[assignment] - let the old column go first
                cols[name] = np.zeros(len(cols["ts"]), dtype=dtype)
        self._chunks = [tuple(cols[name] for name, _ in _DTYPES)]

    def keep(self, keep: np.ndarray) -> None:
        """Keep only the rows ``keep`` selects (a mask or an index array, in order)."""
        self._replace(keep)

    def _replace(self, keep: np.ndarray, blank: tuple[str, ...] = ()) -> None:
        """Keep the rows ``keep`` selects (a mask or an index array), one column at a time; the
        columns named in ``blank`` become zeros that take no memory until read (calloc'd pages)."""
        cols = self.columns()
        rows = int(np.count_nonzero(keep)) if keep.dtype == bool else len(keep)
        self._chunks = []  # ``cols`` holds the only reference: each old column goes as it is replaced
        for name, dtype in _DTYPES:
            if name in blank:
                cols[name] = None  # type: ignore[assignment] - let the old column go first
                cols[name] = np.zeros(rows, dtype=dtype)
            else:
                cols[name] = cols[name][keep]
        self._chunks = [tuple(cols[name] for name, _ in _DTYPES)]

    # reading back

    def __len__(self) -> int:
        reserved = self._filled if self._reserved is not None else 0
        return reserved + sum(len(c[0]) for c in self._chunks) + len(self._pending)

    @overload
    def __getitem__(self, index: int) -> Reading: ...
    @overload
    def __getitem__(self, index: slice) -> list[Reading]: ...

    def __getitem__(self, index: int | slice) -> Reading | list[Reading]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        cols = self.columns()
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._reading(cols, index)

    def _reading(self, cols: dict[str, np.ndarray], i: int) -> Reading:
        line = int(cols["line"][i])
        return Reading(self.indicators.names[cols["indicator"][i]], self.regions.names[cols["region"][i]],
                       int(cols["ts"][i]), float(cols["value"][i]), self.periods.names[cols["period"][i]],
                       f"{self.prefix} {line}" if self.prefix and line else None)

    def __iter__(self) -> Iterator[Reading]:
        cols = self.columns()
        for i in range(len(self)):
            yield self._reading(cols, i)

    def oldest(self) -> int | None:
        ts = self.columns()["ts"]
        return int(ts.min()) if len(ts) else None

    def drop_older(self, cutoff: int) -> int:
        """Remove readings of a moment before ``cutoff`` (figures per period stay); how many went."""
        cols = self.columns()
        keep = (cols["ts"] >= cutoff) | (cols["period"] != 0)
        dropped = int(len(keep) - keep.sum())
        if dropped:
            self._replace(keep)
        return dropped

    def unique(self, moment: str | None = None) -> UniqueReadings:
        """One row per (indicator, region, ts, period), the file's last one winning, sorted along that key.

        Sorted so the store appends to its key's b-tree instead of jumping around it (a 3.8 M-row
        file in time order was 6x slower to insert). The columns are replaced by the result.
        ``moment``: what the store writes as the period of a moment (None in ``Reading``).
        """
        cols = self.columns()
        if not len(cols["ts"]):
            return UniqueReadings(self, moment)
        key = self._key(cols)
        if self._distinct:  # every key once (``repeated`` found none): the order alone, no tie to keep
            keep = np.argsort(key)
            del key
        else:
            order = np.argsort(key, kind="stable")  # stable: equal keys keep the file's order
            key.sort(kind="stable")  # in place: the sorted keys without a second array
            last = np.ones(len(order), dtype=bool)
            last[:-1] = key[1:] != key[:-1]
            del key
            keep = order if last.all() else order[last]  # every key once: no second index array
            del order, last
        # The store needs no file lines or raw identities (origins and duplicates were settled
        # before): 12 bytes a row less while the batch is written.
        self._replace(keep, blank=("line", "raw"))
        return UniqueReadings(self, moment)

    def _key(self, cols: dict[str, np.ndarray]) -> np.ndarray:
        """One int64 per row that sorts like (indicator, region, ts, period): one sort, little memory."""
        regions, periods = len(self.regions.names), len(self.periods.names)
        low, high = int(cols["ts"].min()), int(cols["ts"].max())
        span = high - low + 1
        if len(self.indicators.names) * regions * span * periods >= PACK_LIMIT:  # too wide: rank the keys
            ind, reg = self.indicators.ranks()[cols["indicator"]], self.regions.ranks()[cols["region"]]
            ts, per = cols["ts"], cols["period"]
            order = np.lexsort((per, ts, reg, ind))
            si, sr, st, sp = ind[order], reg[order], ts[order], per[order]
            new = np.r_[True, (si[1:] != si[:-1]) | (sr[1:] != sr[:-1]) | (st[1:] != st[:-1]) | (sp[1:] != sp[:-1])]
            packed = np.empty(len(ind), dtype=np.int64)
            packed[order] = np.cumsum(new) - 1
            return packed
        indicator_ranks = self.indicators.ranks().astype(np.int64)
        region_ranks = self.regions.ranks().astype(np.int64)
        key = np.empty(len(cols["ts"]), dtype=np.int64)
        for start in range(0, len(key), KEY_SLICE):  # temporaries a slice long, not the batch's
            part = slice(start, start + KEY_SLICE)
            packed = indicator_ranks[cols["indicator"][part]]
            packed *= regions
            packed += region_ranks[cols["region"][part]]
            packed *= span
            packed += cols["ts"][part] - low
            packed *= periods
            packed += cols["period"][part]
            key[part] = packed
        return key


class UniqueReadings:
    """The store's view of ``ReadingColumns.unique()``: like its dict of (indicator, region, ts,
    period) -> value, with the period of a moment written as ``moment``."""

    def __init__(self, columns: ReadingColumns, moment: str | None = None,
                 cols: dict[str, np.ndarray] | None = None) -> None:
        self._source = columns
        self._moment = moment
        self._cols = cols if cols is not None else columns.columns()

    def __len__(self) -> int:
        return len(self._cols["ts"])

    def __bool__(self) -> bool:
        return len(self) > 0

    def __iter__(self) -> Iterator[tuple[str, str, int, str | None]]:
        for key, _ in self.items():
            yield key

    def items(self) -> Iterator[tuple[tuple[str, str, int, str | None], float]]:
        for chunk in self.rows():
            for i, r, t, v, p in chunk:
                yield (i, r, t, p), v

    def rows(self, size: int = 50_000) -> Iterator[list[tuple[str, str, int, float, str | None]]]:
        """The rows as (indicator, region, ts, value, period) tuples, ``size`` at a time (built in C)."""
        c = self._cols
        periods = [self._moment if p is None else p for p in self._source.periods.names]
        names = [np.array(n + [None], dtype=object) for n in
                 (self._source.indicators.names, self._source.regions.names, periods)]
        for start in range(0, len(self), size):
            part = slice(start, start + size)
            yield list(zip(names[0][c["indicator"][part]].tolist(), names[1][c["region"][part]].tolist(),
                           c["ts"][part].tolist(), c["value"][part].tolist(),
                           names[2][c["period"][part]].tolist(), strict=True))

    def moments(self) -> UniqueReadings:
        """The rows of moments only (no period): what the store's rollups count."""
        moment = self._cols["period"] == 0
        if moment.all():
            return self
        return UniqueReadings(self._source, self._moment, {k: v[moment] for k, v in self._cols.items()})

    def alone_in_buckets(self, size: int) -> set[tuple[str, str]]:
        """The (indicator, region) pairs none of whose rows shares a ``size``-second bucket with
        another of its rows (hourly data in hour buckets): their rollup of a bucket is the row itself."""
        c = self._cols
        if not len(c["ts"]):
            return set()
        ind, reg, bucket = c["indicator"], c["region"], c["ts"] // size
        shared = (ind[1:] == ind[:-1]) & (reg[1:] == reg[:-1]) & (bucket[1:] == bucket[:-1])
        crowded = {(int(i), int(r)) for i, r in zip(ind[1:][shared].tolist(), reg[1:][shared].tolist(), strict=True)}
        inds, regs = self._source.indicators.names, self._source.regions.names
        starts = np.flatnonzero(np.r_[True, (ind[1:] != ind[:-1]) | (reg[1:] != reg[:-1])])
        return {(inds[i], regs[r]) for i, r in zip(ind[starts].tolist(), reg[starts].tolist(), strict=True)
                if (i, r) not in crowded}

    def of_pairs(self, pairs: set[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                                           tuple[list[Any], list[Any]], np.ndarray]:
        """Indicator and region codes, ts and value of every row (views, nothing copied), the names the
        codes stand for, and which (indicator code, region code) are ``pairs``: what the store sums
        its day rollups from, a chunk at a time."""
        c = self._cols
        inds, regs = self._source.indicators.names, self._source.regions.names
        wanted = np.zeros((len(inds), len(regs)), dtype=bool)
        codes_i, codes_r = {n: k for k, n in enumerate(inds)}, {n: k for k, n in enumerate(regs)}
        for i, r in pairs:
            wanted[codes_i[i], codes_r[r]] = True
        return c["indicator"], c["region"], c["ts"], c["value"], (inds, regs), wanted

    def spans(self) -> dict[tuple[str, str], tuple[int, int]]:
        """Oldest and newest time per (indicator, region), in key order (see store ``_spans``)."""
        c = self._cols
        if not len(c["ts"]):
            return {}
        ind, reg, ts = c["indicator"], c["region"], c["ts"]
        starts = np.flatnonzero(np.r_[True, (ind[1:] != ind[:-1]) | (reg[1:] != reg[:-1])])
        ends = np.r_[starts[1:], len(ts)] - 1
        inds, regs = self._source.indicators.names, self._source.regions.names
        spans = {}
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
            part = ts[a:b + 1]  # periods of one time sort after it: the span is min..max
            spans[(inds[ind[a]], regs[reg[a]])] = (int(part[0]), int(part[-1]))
        return dict(sorted(spans.items()))

    def lows(self) -> dict[str, int]:
        """The oldest time written per indicator."""
        out: dict[str, int] = {}
        for (indicator, _), (low, _) in self.spans().items():
            out[indicator] = min(low, out.get(indicator, low))
        return out
