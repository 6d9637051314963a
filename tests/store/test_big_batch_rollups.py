"""A big file's batch (columns) rolls up exactly as the same readings written as plain readings.

On SQLite, an hour that will hold one moment (hourly data, nothing there before) is copied from
its reading instead of recounted through a GROUP BY; an hour already holding a moment, or two rows
of the batch in one hour, is recounted. The tables must come out the same either way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

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
