"""Indicator versions and the series kept between snapshots: a kept series must always equal what the
store would answer now, whatever was written (new readings, corrected old ones, several writes
between two snapshots, retention), on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from wallboard.records import Batch, Reading
from wallboard.snapshot import SeriesCache, SeriesKey
from wallboard.store import Store

HOUR = 3600
NOW = 1_790_000_000 // HOUR * HOUR  # a whole hour, late 2026
CITY = "12.75"


def test_every_write_moves_its_indicators_version_and_remembers_the_oldest_time(store: Store) -> None:
    assert store.indicator_versions(["a", "b"]) == {"a": (0, None), "b": (0, None)}
    store.write("s", Batch(readings=[Reading("a", CITY, NOW, 1), Reading("a", CITY, NOW - 7200, 2),
                                     Reading("b", CITY, NOW, 3)]))
    assert store.indicator_versions(["a", "b"]) == {"a": (1, NOW - 7200), "b": (1, NOW)}
    store.write("s", Batch(readings=[Reading("a", CITY, NOW + 60, 4)]))
    assert store.indicator_versions(["a", "b"]) == {"a": (2, NOW + 60), "b": (1, NOW)}


def test_retention_moves_the_version_without_a_time(store: Store) -> None:
    old = NOW - 40 * 86400
    store.write("s", Batch(readings=[Reading("a", CITY, old, 1), Reading("a", CITY, NOW, 2)]))
    removed = store.maintain(timedelta(days=30), datetime.fromtimestamp(NOW, UTC))
    assert removed["readings"] == 1
    assert store.indicator_versions(["a"]) == {"a": (2, None)}  # the next snapshot reads it whole


def test_a_kept_series_always_equals_a_fresh_read(store: Store) -> None:
    rng = random.Random(7)
    key = SeriesKey("a", 48 * HOUR)
    since = (NOW - key.window) // key.bucket * key.bucket
    store.write("s", Batch(readings=[Reading("a", CITY, NOW - h * HOUR, 100 + h) for h in range(48)]))
    caches = {"sum": SeriesCache(), "last": SeriesCache()}  # an indicator has one aggregate
    for round_ in range(40):
        for _ in range(rng.choice([1, 1, 1, 2])):  # now and then two writes between snapshots
            ts = NOW - rng.choice([0, 0, 0, 1, 5, 30]) * HOUR + rng.randrange(HOUR)  # mostly the last hour
            store.write("s", Batch(readings=[Reading("a", rng.choice([CITY, "12.75.01"]), ts, rng.randrange(1000))]))
        for aggregate in ("sum", "last"):
            fresh = store.series("a", since, key.bucket, aggregate)
            kept = caches[aggregate].series(store, key, store.indicator_versions(["a"])["a"], since, aggregate, None)
            assert kept == fresh, (round_, aggregate)
    for cache in caches.values():
        assert cache.tails > 10 and cache.reads >= 2  # the cheap path was taken, and the full one


def test_an_unwritten_indicator_is_not_read_again(store: Store) -> None:
    store.write("s", Batch(readings=[Reading(i, CITY, NOW - h * HOUR, h) for i in ("a", "b") for h in range(5)]))
    cache = SeriesCache()
    keys = {i: SeriesKey(i, 24 * HOUR) for i in ("a", "b")}
    since = (NOW - 24 * HOUR) // HOUR * HOUR

    def read_both() -> dict[str, list]:
        versions = store.indicator_versions(keys)
        return {i: cache.series(store, k, versions[i], since, "sum", None) for i, k in keys.items()}

    first = read_both()
    store.write("s", Batch(readings=[Reading("a", CITY, NOW, 99)]))
    second = read_both()
    assert second["b"] is first["b"]  # kept: nothing of b was written
    assert second["a"] == store.series("a", since, HOUR, "sum") and second["a"][-1] == (NOW, 99.0)
    assert (cache.reads, cache.tails, cache.hits) == (2, 1, 1)


def test_a_kept_thirty_day_trend_follows_retention(store: Store) -> None:
    """A 30-day hourly trend (the hourly roll-up's path, and ``last``'s fallback to raw readings)
    stays equal to a fresh read while retention removes its oldest readings between snapshots."""
    rng = random.Random(11)
    key = SeriesKey("a", 30 * 86400)
    since = (NOW - key.window) // key.bucket * key.bucket
    store.write("s", Batch(readings=[Reading("a", region, NOW - h * HOUR - rng.randrange(HOUR), 10 + h % 17)
                                     for h in range(30 * 24) for region in (CITY, "12.75.01")]))
    caches = {"sum": SeriesCache(), "last": SeriesCache()}
    for round_ in range(12):
        if round_ % 3 == 2:  # retention cuts a further day off the oldest readings
            kept_days = 29 - round_ // 3
            removed = store.maintain(timedelta(days=kept_days), datetime.fromtimestamp(NOW, UTC))
            assert removed["readings"] > 0
        else:
            ts = NOW - rng.choice([0, 2, 26]) * HOUR + rng.randrange(HOUR)
            store.write("s", Batch(readings=[Reading("a", rng.choice([CITY, "12.75.01"]), ts, rng.randrange(50))]))
        for aggregate, cache in caches.items():
            fresh = store.series("a", since, key.bucket, aggregate)
            kept = cache.series(store, key, store.indicator_versions(["a"])["a"], since, aggregate, None)
            assert kept == fresh, (round_, aggregate)
    for cache in caches.values():
        assert cache.tails >= 6 and cache.reads >= 4  # spliced after writes, read whole after retention
