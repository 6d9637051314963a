"""A big file's batch (columns) rolls up exactly as the same readings written as plain readings.

On SQLite, an hour that will hold one moment (hourly data, nothing there before) is copied from
its reading instead of recounted through a GROUP BY; an hour already holding a moment, or two rows
of the batch in one hour, is recounted. The tables must come out the same either way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from tests.sources.util import snapshot
from wallboard.columns import ReadingColumns
from wallboard.records import Batch, Reading
from wallboard.store import Store

T0 = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())


def hourly(values: dict[str, float]) -> list[Reading]:
    """Two days of hourly moments for three kecamatan, values with cents (sums that round)."""
    return [Reading("pad", region, T0 + hour * 3600 + 600, base + hour * 0.01)
            for region, base in values.items() for hour in range(48)]


def test_hour_rollups_of_a_columns_batch_equal_the_recount(db_url: str, tmp_path: Path) -> None:
    before = [Reading("pad", "12.75.01", T0 + 5 * 3600 + 1200, 7.25)]  # 05:20: that hour already has a moment
    big = hourly({"12.75.01": 1_000_000.01, "12.75.02": 0.1, "12.75.03": 3.3})
    big.append(Reading("pad", "12.75.03", T0 + 7 * 3600 + 1800, 0.7))  # 07:30 beside 07:10: two in one hour
    big.append(Reading("pad", "12.75.02", T0 + 3 * 86400, 5.0, "P1M"))  # a figure per period: no rollup
    seen = []
    for as_columns in (False, True):
        url = db_url if as_columns else f"sqlite:///{tmp_path / 'plain.db'}"
        store = Store.open(url)
        try:
            store.write("satudata", Batch(readings=list(before)))
            readings: list[Reading] | ReadingColumns = list(big)
            if as_columns:
                readings = ReadingColumns("satudata.csv baris")
                for reading in big:
                    readings.append(reading)
            store.write("satudata", Batch(readings=readings))  # type: ignore[arg-type]
            seen.append(snapshot(store))
        finally:
            store.close()
    plain, columns = seen
    assert columns == plain
    hours = {(r[1], r[2]): r[3] for r in columns[2]}
    assert hours[("12.75.01", T0 + 5 * 3600)] == 2 and hours[("12.75.03", T0 + 7 * 3600)] == 2
    assert hours[("12.75.02", T0 + 5 * 3600)] == 1 and len(columns[2]) == 3 * 48


def _columns(readings: list[Reading]) -> ReadingColumns:
    columns = ReadingColumns("satudata.csv baris")
    for reading in readings:
        columns.append(reading)
    return columns


def _days(store: Store) -> list[tuple]:
    with store.engine.connect() as conn:
        return sorted(tuple(r) for r in conn.exec_driver_sql("SELECT * FROM rollup_day"))


def test_day_rollups_summed_from_the_batch_equal_the_sql_recount(db_url: str, monkeypatch) -> None:
    """Days whose hours were empty are summed from the batch (SQLite); the SQL recount of the same
    store (``rebuild_rollups``) must give every day's n, total, lo and hi to the last bit.

    The values are chosen so the order and precision of the summing matter: a plain double sum of
    the same rows differs from SQLite's on some days (asserted), so a wrong rule is caught."""
    from wallboard.store import daysums

    monkeypatch.setattr(daysums, "CHUNK_ROWS", 37)  # chunks that end inside days and inside a pair left out
    summed_pairs: list[int] = []
    day_rows = daysums.day_rows
    monkeypatch.setattr(daysums, "day_rows",  # rows summed here: those of the wanted pairs
                        lambda *a: summed_pairs.append(int(a[5][a[0], a[1]].sum())) or day_rows(*a))
    values = {"12.75.01": 1_000_000.01, "12.75.02": 0.1, "12.75.03": 3.3, "12.75.04": 123_456_789.987}
    big = [Reading("pad", region, T0 + hour * 3600 + 60 * (hour % 7), base * (1 + hour % 5) + hour * 0.01 + 1e-3 / 3)
           for region, base in values.items() for hour in range(72)]
    big += [Reading("izin", "12.75.01", T0 + hour * 3600, float(hour % 9)) for hour in range(30)]  # whole numbers
    store = Store.open(db_url)
    try:
        store.write("satudata", Batch(readings=[Reading("pad", "12.75.04", T0 + 86400 + 30, 1e9 / 7)]))
        store.write("satudata", Batch(readings=_columns(big)))  # type: ignore[arg-type]
        fast = _days(store)
        store.rebuild_rollups()
        recount = _days(store)
    finally:
        store.close()
    assert fast == recount
    assert len(fast) == 4 * 3 + 2
    if db_url.startswith("sqlite"):
        # 12.75.04's second day held an hour before: that pair is recounted by SQL, the rest summed here.
        assert summed_pairs == [72 * 3 + 30]
        # Every other summing rule gives another total on some day: the values tell the rules apart.
        by_day: dict[tuple[str, str, int], list[float]] = {}
        for r in sorted(big, key=lambda r: (r.indicator, r.region, r.ts)):
            if r.region != "12.75.04":
                by_day.setdefault((r.indicator, r.region, r.ts // 86400 * 86400), []).append(r.value)
        totals = {(i, r, b): t for i, r, b, _, t, _, _ in recount}
        with store.engine.connect() as conn:
            found = daysums.rule(conn)
        others = [summed for summed in daysums.RULES.values() if summed is not found]
        assert found is not None and len(others) == 2
        for summed in others:
            assert any(float(summed(np.array(vals), np.zeros(len(vals), dtype=np.int64), np.arange(len(vals)), 1)[0])
                       != totals[key] for key, vals in by_day.items()), summed
