"""One rule for rows of one run that land on the same key, and the check of a source's own totals.

A file with one row per puskesmas has several rows for one kecamatan, day and indicator; the store
keeps one figure per (indicator, region, time), so before this step the last row silently won and
the wall showed one puskesmas as the kecamatan. Here the rows of one key are combined the way the
indicator says (``aggregate``): ``sum`` adds them, ``mean`` averages them, ``last`` accepts only
rows that agree and refuses a key whose rows disagree, naming both rows, because no rule says which
one is right. The key includes the period: a month's figure and a moment on the same first day are
different readings.

Totals the source labels as the whole site's (``JUMLAH``) are checked against the sum of the rows
one level below and never stored; a total that does not add up is a warning naming both figures.

This sits in the collector layer, between ``Source.fetch`` and ``Store.write``, and needs nothing
but the records and each indicator's ``aggregate``. It is one dict pass over the readings; only
keys seen twice build groups, so a million distinct readings cost about what the key dict
``Store.write`` builds anyway costs (``benchmarks/combine.py``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from itertools import compress
from operator import attrgetter, ne
from typing import Any

import numpy as np

from wallboard.columns import ReadingColumns
from wallboard.records import Batch, Reading

_KEY = attrgetter("indicator", "region", "ts", "period")
# The level a region code of N dotted segments is: what a total's rows below it are called.
_LEVELS = {1: "provinsi", 2: "kabupaten/kota", 3: "kecamatan", 4: "desa/kelurahan"}
UNKNOWN_ORIGIN = "(asal tidak diketahui)"


def aggregates(indicators: Mapping[str, Any]) -> dict[str, str]:
    """Indicator id -> its ``aggregate`` (sum, mean, last), from the config's indicators."""
    return {i: getattr(ind, "aggregate", "sum") for i, ind in indicators.items()}


def combine(batch: Batch, rules: Mapping[str, str], default: str = "sum") -> None:
    """Combine the batch's readings that share (indicator, region, ts, period), in place.

    The combined reading takes the first row's place (and origin); ``batch.combined`` counts the rows
    folded into another, a refused key counts every one of its rows in ``batch.rejected``.
    """
    readings = batch.readings
    if isinstance(readings, ReadingColumns):
        combine_columns(batch, readings, rules, default)
        return
    n = len(readings)
    if n < 2:
        return
    # Whole-batch passes run in C; Python loops only over the rows of repeated keys. The usual case,
    # every key once, stops after the first dict (a dict, not a set: these tuple hashes cluster, and
    # a set's linear probing is slower).
    keys = list(map(_KEY, readings))
    last = dict(zip(keys, range(n), strict=True))  # key -> its last row
    if len(last) == n:
        return
    earlier = compress(range(n), map(ne, map(last.__getitem__, keys), range(n)))  # rows that are not their key's last
    repeated = {keys[i] for i in earlier}
    groups: dict[tuple, list[int]] = {}
    for i in compress(range(n), map(repeated.__contains__, keys)):  # only the rows of repeated keys
        groups.setdefault(keys[i], []).append(i)
    out: list[Reading | None] = list(readings)
    for rows in groups.values():
        merged = _merge(batch, [readings[i] for i in rows], rules.get(readings[rows[0]].indicator, default))
        for i in rows:
            out[i] = None
        out[rows[0]] = merged  # the combined reading takes the first row's place
    batch.readings = list(filter(None, out))


def combine_columns(batch: Batch, columns: ReadingColumns, rules: Mapping[str, str], default: str = "sum") -> None:
    """``combine`` for a big file read into columns (sources/bulk.py), with the same results.

    Only the rows of repeated keys become ``Reading`` objects, after one sort of the packed keys
    (``ReadingColumns.repeated``); the combined value is written back into the first row of its
    key, the key's other rows dropped. (Duplicate rows were already counted once by bulk.py, as
    the mapper counts them before this step.)
    """
    rows = columns.repeated()
    if not len(rows):
        return  # every key once: the usual case
    cols = columns.columns()
    keep = np.ones(len(cols["ts"]), dtype=bool)
    groups: dict[tuple, list[int]] = {}
    for i in rows.tolist():
        groups.setdefault(_KEY(columns[i]), []).append(i)
    for group in groups.values():
        readings = [columns[i] for i in group]
        merged = _merge(batch, readings, rules.get(readings[0].indicator, default))
        keep[group] = False
        if merged is not None:  # the combined reading takes the first row's place
            keep[group[0]] = True
            cols["value"][group[0]] = merged.value
    columns.keep(keep)


def _merge(batch: Batch, rows: list[Reading], rule: str) -> Reading | None:
    """One reading from the rows of one key, or None when they conflict (then all are refused)."""
    first = rows[0]
    values = [r.value for r in rows]
    if rule == "sum":
        value = math.fsum(values)
    elif rule == "mean":
        value = math.fsum(values) / len(values)
    else:  # last: only rows that agree make one reading
        other = next((r for r in rows if r.value != first.value), None)
        if other is not None:
            batch.reject(
                f"{_pair(first.origin, other.origin)}: dua nilai berbeda untuk {first.indicator} {first.region} "
                f"({figure(first.value)} dan {figure(other.value)}); aggregate: {rule} tidak bisa menggabungkan"
            )
            batch.rejected += len(rows) - 1
            return None
        value = first.value
    batch.combined += len(rows) - 1
    return Reading(first.indicator, first.region, first.ts, value, first.period, first.origin)


def check_totals(batch: Batch, rules: Mapping[str, str], default: str = "sum") -> None:
    """Compare each total of a ``sum`` indicator with the batch's rows one level below it.

    A mismatch, or a total with no rows below it, is a warning; totals are never stored, so
    ``batch.totals`` is emptied either way.
    """
    totals = [t for t in batch.totals if rules.get(t.indicator, default) == "sum"]
    batch.totals = []
    if not totals:
        return
    wanted = {t.indicator for t in totals}
    sums: dict[tuple, list[float]] = {}
    for r in batch.readings:
        if r.indicator in wanted and "." in r.region:
            parent = r.region.rsplit(".", 1)[0]
            sums.setdefault((r.indicator, r.ts, r.period, parent), []).append(r.value)
    for total in totals:
        below = sums.get((total.indicator, total.ts, total.period, total.region))
        where = total.origin or UNKNOWN_ORIGIN
        level = _LEVELS.get(total.region.count(".") + 2, "wilayah")
        if below is None:
            batch.warn(f"{where}: JUMLAH {figure(total.value)} tanpa baris {level} untuk dibandingkan; "
                       "tidak disimpan")
            continue
        added = math.fsum(below)
        if not math.isclose(added, total.value, rel_tol=1e-9, abs_tol=1e-9):
            batch.warn(f"{where}: JUMLAH {figure(total.value)} tidak sama dengan jumlah baris {level} "
                       f"{figure(added)}; tidak disimpan")


def figure(value: float) -> str:
    """A value as the file wrote it: 12, not 12.0; 12.75 as is."""
    value = float(value)
    return str(int(value)) if math.isfinite(value) and value.is_integer() else repr(value)


def _pair(a: str | None, b: str | None) -> str:
    """``data/dbd.csv baris 4 dan baris 9``: the file named once when both rows are from it."""
    a, b = a or UNKNOWN_ORIGIN, b or UNKNOWN_ORIGIN
    head = a.rsplit(" ", 2)
    if len(head) == 3 and b.startswith(head[0] + " "):
        b = b[len(head[0]) + 1:]
    return f"{a} dan {b}"
