"""The store read "as of" a past time (replay), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from wallboard.records import Batch, Event, Reading
from wallboard.store import Run

T = 1_795_000_000 // 3600 * 3600  # an hour boundary, epoch seconds


def test_latest_series_events_and_runs_as_of(store) -> None:
    store.write("s", Batch(readings=[Reading("air", "12.75", T + s, v) for s, v in
                                     ((0, 100.0), (60, 110.0), (120, 120.0), (3600, 500.0))]))
    store.write("s", Batch(readings=[Reading("air", "12.75.01", T + 30, 7.0)]))
    at = T + 90
    latest = {r.region: r for r in store.latest_at(["air"], at)["air"]}
    assert (latest["12.75"].value, latest["12.75"].prev_value) == (110.0, 100.0)
    assert latest["12.75.01"].value == 7.0
    assert store.latest(["air"])["air"] and max(r.value for r in store.latest(["air"])["air"]) == 500.0

    # minute buckets up to "at": the 500 an hour later is not there yet
    assert store.series("air", T, 60, "sum", until=at) == [(T, 107.0), (T + 60, 110.0)]
    # whole hours from rollups stop before the hour "until" falls in
    assert store.series("air", T, 3600, "mean", until=T + 3600) != store.series("air", T, 3600, "mean")

    when = datetime.fromtimestamp(T, UTC)
    store.write("lapor", Batch(events=[Event("a", when), Event("b", when + timedelta(hours=1))]))
    assert [e.ref for e in store.events("lapor", 10, until=when + timedelta(minutes=5))] == ["a"]
    store.record_run(Run("s", when, when + timedelta(seconds=1), True, 1, 0, None))
    store.record_run(Run("s", when + timedelta(hours=1), when + timedelta(hours=1, seconds=1), False, 0, 0, "putus"))
    then = store.source_status(["s"], until=when + timedelta(minutes=5))["s"]
    assert then.last_run.ok and then.last_error is None
    assert store.source_status(["s"])["s"].last_error == "putus"
