"""The store on SQLite and PostgreSQL: writes are idempotent and ``latest`` tracks the previous value."""

from __future__ import annotations

from datetime import UTC, datetime

from wallboard.records import Batch, Event, Reading
from wallboard.store import Run


def test_same_reading_twice_is_one_row(store) -> None:
    batch = Batch(readings=[Reading("a", "12.75.01", 1_000, 5.0)])
    store.write("s", batch)
    store.write("s", batch)
    store.write("s", Batch(readings=[Reading("a", "12.75.01", 1_000, 7.0)]))
    assert store.count_readings() == 1
    [row] = store.latest(["a"])["a"]
    assert (row.ts, row.value) == (1_000, 7.0)


def test_duplicates_inside_one_batch_keep_the_last(store) -> None:
    store.write("s", Batch(readings=[Reading("a", "r", 10, 1.0), Reading("a", "r", 10, 2.0)]))
    assert store.count_readings() == 1
    assert store.latest(["a"])["a"][0].value == 2.0


def test_latest_keeps_previous_value_and_ignores_older_rows(store) -> None:
    store.write("s", Batch(readings=[Reading("a", "r", 10, 1.0)]))
    store.write("s", Batch(readings=[Reading("a", "r", 20, 2.0)]))
    store.write("s", Batch(readings=[Reading("a", "r", 5, 9.0)]))  # late, older reading
    [row] = store.latest(["a"])["a"]
    assert (row.ts, row.value, row.prev_ts, row.prev_value) == (20, 2.0, 10, 1.0)
    store.write("s", Batch(readings=[Reading("a", "r", 30, 3.0), Reading("a", "r", 25, 2.5)]))
    [row] = store.latest(["a"])["a"]
    assert (row.ts, row.value, row.prev_ts, row.prev_value) == (30, 3.0, 25, 2.5)


def test_event_upserted_by_ref(store) -> None:
    t = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
    for status in ("baru", "proses", "selesai"):
        store.write("lapor", Batch(events=[Event("A-1", t, status, "Jalan rusak")]))
    [event] = store.events("lapor", 10)
    assert (event.ref, event.status, event.title) == ("A-1", "selesai", "Jalan rusak")
    assert event.time == t


def test_series_combines_regions_by_aggregate(store) -> None:
    rows = [Reading("a", "r1", 0, 1.0), Reading("a", "r2", 0, 3.0), Reading("a", "r1", 3600, 2.0),
            Reading("a", "r2", 3600, 4.0), Reading("a", "r1", 3700, 4.0)]
    store.write("s", Batch(readings=rows))
    assert store.series("a", 0, 3600, "sum") == [(0, 4.0), (3600, 7.0)]
    assert store.series("a", 0, 3600, "mean") == [(0, 2.0), (3600, 3.5)]


def test_data_version_grows_with_each_run(store) -> None:
    before = store.data_version()
    now = datetime.now(UTC)
    store.record_run(Run("s", now, now, True, 1, 0, None))
    assert store.data_version() > before
