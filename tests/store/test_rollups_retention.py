"""Rollups, retention, freshness and source status on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    inspect,
)

from wallboard.records import Batch, Event, Reading
from wallboard.store import Run, Store

DAY = 86400
T0 = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())


def expected_series(readings: list[Reading], since: int, bucket: int, aggregate: str) -> list[tuple[int, float]]:
    """What ``series`` means, computed the slow obvious way.

    sum / mean: each region's readings averaged per bucket, then the regions added / averaged.
    last: the value of the bucket's latest reading (the same meaning as the wall's current figure);
    readings of several regions at that very instant are averaged.
    """
    stored: dict[tuple[str, int], float] = {}
    for r in readings:
        stored[(r.region, r.ts)] = r.value  # a rewritten reading replaces the earlier value
    per: dict[tuple[int, str], list[float]] = defaultdict(list)
    newest: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for (region, ts), value in stored.items():
        if ts >= since:
            per[(ts // bucket * bucket, region)].append(value)
            newest[ts // bucket * bucket].append((ts, value))
    if aggregate == "last":
        out = []
        for b, points in sorted(newest.items()):
            latest = max(ts for ts, _ in points)
            at_latest = [v for ts, v in points if ts == latest]
            out.append((b, sum(at_latest) / len(at_latest)))
        return out
    buckets: dict[int, list[float]] = defaultdict(list)
    for (b, _region), values in per.items():
        buckets[b].append(sum(values) / len(values))
    combine = {"sum": sum, "mean": lambda v: sum(v) / len(v)}[aggregate]
    return [(b, combine(v)) for b, v in sorted(buckets.items())]


def random_readings(seed: int, days: int = 3) -> list[Reading]:
    rng = random.Random(seed)
    out = []
    for region in ("12.75.01", "12.75.02", "12.75.03"):
        ts = T0 + rng.randrange(600)
        while ts < T0 + days * DAY:
            out.append(Reading("air", region, ts, round(rng.uniform(100, 300), 1)))
            ts += rng.choice((300, 600, 1800, 5400))
    rng.shuffle(out)
    return out


def close(a: list[tuple[int, float]], b: list[tuple[int, float]]) -> bool:
    if [x for x, _ in a] != [x for x, _ in b]:
        return False
    return all(abs(x - y) < 1e-6 for (_, x), (_, y) in zip(a, b, strict=True))


@pytest.mark.parametrize("bucket", [3600, 21600, DAY, 900])
def test_series_from_rollups_matches_readings(store: Store, bucket: int) -> None:
    readings = random_readings(bucket)
    for start in range(0, len(readings), 97):  # many small writes touching the same hours again
        store.write("s", Batch(readings=readings[start:start + 97]))
    since = T0 + DAY // 2 // bucket * bucket
    for aggregate in ("sum", "mean", "last"):
        got = store.series("air", since, bucket, aggregate)
        assert close(got, expected_series(readings, since, bucket, aggregate)), aggregate
    with store.engine.connect() as conn:
        hours = conn.exec_driver_sql("SELECT COUNT(*) FROM rollup_hour").scalar()
    assert hours > 0


def test_last_is_the_latest_readings_value_not_the_largest(store: Store) -> None:
    """aggregate: last means the newest reading, even when it is the smallest of its bucket."""
    store.write("s", Batch(readings=[Reading("air", "12.75.01", T0 + 60, 300.0),
                                     Reading("air", "12.75.02", T0 + 120, 250.0),
                                     Reading("air", "12.75.01", T0 + 3000, 120.0),
                                     Reading("air", "12.75.02", T0 + 3600 + 5, 90.0)]))
    assert store.series("air", T0, 3600, "last") == [(T0, 120.0), (T0 + 3600, 90.0)]
    assert store.series("air", T0, 900, "last") == [(T0, 250.0), (T0 + 2700, 120.0), (T0 + 3600, 90.0)]


def test_last_trend_survives_retention(store: Store) -> None:
    """Buckets whose readings retention removed still come from the rollups."""
    store.write("s", Batch(readings=[Reading("air", "r", T0 + d * DAY + 60, float(d)) for d in range(10)]))
    store.maintain(timedelta(days=3), datetime.fromtimestamp(T0 + 10 * DAY, UTC))
    days = store.series("air", T0, DAY, "last")
    assert [b for b, _ in days] == [T0 + d * DAY for d in range(10)]
    assert days[-3:] == [(T0 + d * DAY, float(d)) for d in (7, 8, 9)]


def test_rewritten_reading_is_not_counted_twice(store: Store) -> None:
    store.write("s", Batch(readings=[Reading("a", "r", T0, 10.0), Reading("a", "r", T0 + 60, 20.0)]))
    store.write("s", Batch(readings=[Reading("a", "r", T0, 30.0)]))
    assert store.series("a", T0, 3600, "sum") == [(T0, 25.0)]
    assert store.series("a", T0, DAY, "sum") == [(T0, 25.0)]


def test_retention_removes_old_readings_but_trends_remain(store: Store) -> None:
    readings = [Reading("a", "r", T0 + h * 3600, float(h)) for h in range(24 * 10)]
    store.write("s", Batch(readings=readings))
    daily_before = store.series("a", T0, DAY, "sum")
    now = datetime.fromtimestamp(T0 + 10 * DAY, UTC)
    done = store.maintain(timedelta(days=3), now)
    assert done["cutoff"] == T0 + 7 * DAY
    assert done["readings"] == 7 * 24 and store.count_readings() == 3 * 24
    assert store.series("a", T0, DAY, "sum") == daily_before  # rollups stay
    assert len(store.series("a", T0, 3600, "sum")) == 24 * 10
    [latest] = store.latest(["a"])["a"]
    assert latest.ts == T0 + (24 * 10 - 1) * 3600


def test_retention_removes_the_change_log_rows_of_the_readings_it_deletes(store: Store) -> None:
    store.shared = frozenset({"a"})  # shared with peers: every write is logged in federation_changes
    try:
        store.write("s", Batch(readings=[Reading("a", "r", T0 + h * 3600, float(h)) for h in range(24 * 10)]))
        store.write("s", Batch(readings=[Reading("a", "r", T0 + DAY, 0.0, "P1M")]))  # a month's figure stays
        store.maintain(timedelta(days=3), datetime.fromtimestamp(T0 + 10 * DAY, UTC))
    finally:
        store.shared = frozenset()
    with store.engine.connect() as conn:
        logged = conn.exec_driver_sql("SELECT ts, period FROM federation_changes WHERE indicator = 'a'").all()
    assert sorted(ts for ts, period in logged if not period) == [T0 + h * 3600 for h in range(24 * 7, 24 * 10)]
    assert [(ts, period) for ts, period in logged if period] == [(T0 + DAY, "P1M")]


def test_old_runs_pruned_but_last_success_kept(store: Store) -> None:
    old = datetime(2026, 1, 1, tzinfo=UTC)
    store.record_run(Run("s", old, old, True, 5, 0, None))
    for i in range(3):
        t = old + timedelta(minutes=i + 1)
        store.record_run(Run("s", t, t, False, 0, 0, "HTTP 503", i + 1))
    done = store.maintain(timedelta(days=400), datetime(2026, 11, 27, tzinfo=UTC))
    assert done["runs"] == 2
    status = store.source_status(["s"])["s"]
    assert status.last_success == old and status.failures == 3 and status.last_error == "HTTP 503"


def test_freshness_is_age_of_newest_reading(store: Store) -> None:
    store.write("s", Batch(readings=[Reading("a", "r1", T0, 1.0), Reading("a", "r2", T0 + 100, 1.0),
                                     Reading("b", "r1", T0 + 50, 1.0)]))
    now = datetime.fromtimestamp(T0 + 400, UTC)
    fresh = store.freshness(["a", "b", "c"], now)
    assert (fresh["a"].ts, fresh["a"].age, fresh["a"].regions) == (T0 + 100, 300.0, 2)
    assert fresh["b"].age == 350.0
    assert fresh["c"].ts is None and fresh["c"].age is None


def test_source_status_carries_failures_and_retry(store: Store) -> None:
    t = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
    store.record_run(Run("s", t, t, True, 3, 0, None))
    retry = t + timedelta(seconds=20)
    store.record_run(Run("s", t, t + timedelta(seconds=1), False, 0, 0, "batas waktu 10 dtk habis", 2, retry))
    status = store.source_status(["s", "never"])
    assert status["s"].failures == 2 and status["s"].next_retry == retry
    assert status["s"].last_success == t and status["s"].last_run.error == "batas waktu 10 dtk habis"
    assert status["never"].last_run is None and status["never"].failures == 0
    store.record_run(Run("s", t, t + timedelta(minutes=1), True, 1, 0, None))
    assert store.source_status(["s"])["s"].failures == 0 and store.source_status(["s"])["s"].next_retry is None


def tables(store: Store) -> list[list]:
    with store.engine.connect() as conn:
        return [sorted(map(tuple, conn.exec_driver_sql(f"SELECT * FROM {t}")))
                for t in ("readings", "latest", "rollup_hour", "rollup_day")]


def test_failed_reading_changes_nothing(store: Store) -> None:
    store.write("s", Batch(readings=[Reading("a", "r", T0, 1.0)],
                           events=[Event("E1", datetime.fromtimestamp(T0, UTC), "baru", "x")]))
    before = tables(store)
    bad = Batch(readings=[Reading("a", "r", T0 + 60, 2.0), Reading("a", "r", T0 + 120, None)],  # type: ignore[arg-type]
                events=[Event("E1", datetime.fromtimestamp(T0, UTC), "selesai", "x")])
    with pytest.raises(Exception):  # noqa: B017 - NOT NULL violation, whatever the driver calls it
        store.write("s", bad)
    assert tables(store) == before
    assert store.events("s", 5)[0].status == "baru"


def test_failed_event_takes_the_whole_batch_back(store: Store) -> None:
    """The events are written last: an event that cannot be stored takes back the readings, latest
    values and rollups already written by the same batch, and the other events of it."""
    store.write("s", Batch(readings=[Reading("a", "r", T0, 1.0)],
                           events=[Event("E1", datetime.fromtimestamp(T0, UTC), "baru", "x")]))
    before = tables(store)
    bad = Batch(readings=[Reading("a", "r", T0 + 60, 2.0), Reading("a", "r2", T0 + DAY, 5.0)],
                events=[Event("E1", datetime.fromtimestamp(T0, UTC), "selesai", "x"),
                        Event("E2", datetime.fromtimestamp(T0, UTC), "baru", None)])  # type: ignore[arg-type]
    with pytest.raises(Exception):  # noqa: B017 - NOT NULL violation on events.title
        store.write("s", bad)
    assert tables(store) == before
    [event] = store.events("s", 5)
    assert (event.ref, event.status) == ("E1", "baru")


def test_database_from_before_rollups_is_upgraded(db_url: str) -> None:
    """A database made by the first release: no rollups, collector_runs without the new columns."""
    old = MetaData()
    old_readings = Table("readings", old, Column("indicator", String(64), primary_key=True),
                         Column("region", String(16), primary_key=True), Column("ts", Integer, primary_key=True),
                         Column("value", Integer, nullable=False))
    Index("readings_ts", old_readings.c.ts)
    Table("collector_runs", old, Column("id", Integer, primary_key=True, autoincrement=True),
          Column("source", String(64), nullable=False), Column("started", DateTime(timezone=True), nullable=False),
          Column("finished", DateTime(timezone=True), nullable=False), Column("ok", Boolean, nullable=False),
          Column("rows", Integer, nullable=False), Column("rejected", Integer, nullable=False),
          Column("error", Text))
    engine = create_engine(db_url)
    old.create_all(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"INSERT INTO readings VALUES ('a', 'r', {T0}, 4), ('a', 'r', {T0 + 60}, 6)")
    engine.dispose()
    store = Store.open(db_url)
    try:
        assert store.series("a", T0, 3600, "sum") == [(T0, 5.0)]
        assert "readings_ts" not in {i["name"] for i in inspect(store.engine).get_indexes("readings")}
        t = datetime(2026, 11, 27, tzinfo=UTC)
        store.record_run(Run("s", t, t, False, 0, 0, "x", 1, t))
        assert store.source_status(["s"])["s"].next_retry == t
    finally:
        store.close()


def test_concurrent_writers_all_land(store: Store) -> None:
    """Sources run in parallel threads; their writes (some to the same indicator) must all land."""
    import threading

    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for step in range(15):
                ts = T0 + step * 60
                rows = [Reading("shared", f"12.75.0{r}", ts + n, float(n)) for r in range(1, 6)]
                rows += [Reading(f"own_{n}", "12.75.01", ts, float(step))]
                store.write(f"s{n}", Batch(readings=rows))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.count_readings() == 4 * 15 * 6
    assert store.series("shared", T0, 3600, "sum") == [(T0, 5 * 1.5)]  # each region averages 0..3


def test_database_url_may_hold_a_variable(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    head, _, tail = db_url.rpartition("/")
    monkeypatch.setenv("WB_TEST_DB_NAME", tail)
    store = Store.open(head + "/${WB_TEST_DB_NAME}")
    try:
        store.write("s", Batch(readings=[Reading("a", "r", T0, 1.0)]))
        assert store.count_readings() == 1
    finally:
        store.close()
