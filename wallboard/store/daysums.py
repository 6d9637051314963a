"""Day rollups of a big batch computed from its columns, exactly as SQLite's recount would give them.

Why: a 3.8 M-row hourly file wrote 3.8 M hour rollups and then read them all back through SQL to
recount 160,000 days. When a pair's hours each hold one moment of the batch and its days held no
hour rollup before (``Writer._fresh_days``), a day is just the batch's rows of that day: n is their
count, lo and hi their min and max, and total their sum *as SQLite sums*. Only that sum needs care:
SQLite up to 3.42 adds REAL values one by one, in the order the GROUP BY reads them (bucket order,
the primary key), into a ``long double`` and rounds to a double at the end; from 3.43 it adds
doubles with Kahan-Babuska-Neumaier compensation. The rule: the sum is taken in bucket order,
starting from 0.0, under whichever of those rules SQLite *here* follows, found by asking it a few
sums that tell them apart (``rule``). When no rule here matches SQLite's answers the fast path is
off and days are recounted by SQL, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from wallboard.store.base import DAY

CHUNK_ROWS = 250_000  # rows summed at a time (temporaries a chunk long, not the batch's)

# Sums on which the rules differ: (1, 1e16, 1, -1e16) is 0 in plain doubles and 2 with more
# precision; (1e20, 1, -1e20) is 0 in an x87 long double and 1 with compensation.
PROBES = ((1.0, 1e16, 1.0, -1e16), (1e20, 1.0, -1e20), (0.1, 0.2, 0.3, 1e-17, 1e3, -1e3))

Rule = Callable[[np.ndarray, np.ndarray, np.ndarray, int], np.ndarray]


def _plain(value: np.ndarray, group: np.ndarray, rank: np.ndarray, groups: int) -> np.ndarray:
    """One double added after another, from 0.0."""
    total = np.zeros(groups, dtype=np.float64)
    for k in range(int(rank.max()) + 1 if len(rank) else 0):
        pick = rank == k  # at most one row per group: a plain fancy-indexed add is exact
        total[group[pick]] += value[pick]
    return total


def _long(value: np.ndarray, group: np.ndarray, rank: np.ndarray, groups: int) -> np.ndarray:
    """Added one after another into a long double (SQLite <= 3.42's ``LONGDOUBLE_TYPE rSum``)."""
    total = np.zeros(groups, dtype=np.longdouble)
    for k in range(int(rank.max()) + 1 if len(rank) else 0):
        pick = rank == k
        total[group[pick]] += value[pick].astype(np.longdouble)
    return total.astype(np.float64)


def _kbn(value: np.ndarray, group: np.ndarray, rank: np.ndarray, groups: int) -> np.ndarray:
    """Kahan-Babuska-Neumaier in doubles (SQLite >= 3.43's ``kahanBabuskaNeumaierStep``)."""
    total = np.zeros(groups, dtype=np.float64)
    error = np.zeros(groups, dtype=np.float64)
    for k in range(int(rank.max()) + 1 if len(rank) else 0):
        pick = rank == k
        g, r = group[pick], value[pick]
        s = total[g]
        t = s + r
        error[g] += np.where(np.abs(s) > np.abs(r), (s - t) + r, (r - t) + s)
        total[g] = t
    return total + error


RULES: dict[str, Rule] = {"plain": _plain, "long double": _long, "kbn": _kbn}
_found: dict[str, str | None] = {}


def rule(conn: Any) -> Rule | None:
    """The rule SQLite's SUM follows on this connection's library, None if none here matches it."""
    version = conn.exec_driver_sql("SELECT sqlite_version()").scalar()
    if version not in _found:
        asked = [conn.exec_driver_sql("SELECT SUM(column1) FROM (VALUES " + ", ".join(f"({v!r})" for v in probe)
                                      + ")").scalar() for probe in PROBES]
        _found[version] = next((name for name, summed in RULES.items() if all(
            _sum_one(summed, probe) == got for probe, got in zip(PROBES, asked, strict=True))), None)
    name = _found[version]
    return RULES[name] if name else None


def _sum_one(summed: Rule, values: tuple[float, ...]) -> float:
    n = len(values)
    return float(summed(np.array(values), np.zeros(n, dtype=np.int64), np.arange(n), 1)[0])


def day_rows(indicator: np.ndarray, region: np.ndarray, ts: np.ndarray, value: np.ndarray,
             names: tuple[list[Any], list[Any]], wanted: np.ndarray, summed: Rule) -> Iterator[list[tuple[Any, ...]]]:
    """(indicator, region, day, n, total, lo, hi) of every day the rows of the ``wanted`` (indicator
    code, region code) pairs fall in, a chunk at a time (no copy of the batch's columns).

    The rows are sorted by (indicator, region, ts) and the wanted pairs' are one moment per hour: a
    day's rows are next to each other, in bucket order, which is the order SQL adds them in.
    """
    inds, regs = np.array(names[0], dtype=object), np.array(names[1], dtype=object)
    start = 0
    while start < len(ts):
        end = min(start + CHUNK_ROWS, len(ts))
        if end < len(ts):  # end the chunk on a day boundary, so no day is split
            key = (indicator[end - 1], region[end - 1], ts[end - 1] // DAY)
            while end < len(ts) and (indicator[end], region[end], ts[end] // DAY) == key:
                end += 1
        ind, reg, t, v = indicator[start:end], region[start:end], ts[start:end], value[start:end]
        keep = wanted[ind, reg]
        start = end
        if not keep.all():
            ind, reg, t, v = ind[keep], reg[keep], t[keep], v[keep]
            if not len(t):
                continue
        day = t // DAY
        new = np.r_[True, (ind[1:] != ind[:-1]) | (reg[1:] != reg[:-1]) | (day[1:] != day[:-1])]
        starts = np.flatnonzero(new)
        group = np.cumsum(new) - 1
        rank = np.arange(len(t)) - starts[group]
        total = summed(v, group, rank, len(starts))
        count = np.diff(np.r_[starts, len(t)])
        yield list(zip(inds[ind[starts]].tolist(), regs[reg[starts]].tolist(), (day[starts] * DAY).tolist(),
                       count.tolist(), total.tolist(), np.minimum.reduceat(v, starts).tolist(),
                       np.maximum.reduceat(v, starts).tolist(), strict=True))


def fits(ts: np.ndarray, value: np.ndarray) -> bool:
    """The rows this module may sum: after 1970 (SQL's integer division truncates, numpy floors) and
    finite values (SQLite stores NaN as NULL, which MIN and MAX would skip)."""
    return bool(len(ts) == 0 or (ts.min() >= 0 and np.isfinite(value).all()))

