"""The drill page's store queries, on SQLite and PostgreSQL: history between two times, figures per
region over a range (rollups plus edge hours), and filtered events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from wallboard.records import Batch, Event, Reading
from wallboard.store.drill import (
    EventFilter,
    event,
    event_facets,
    events_between,
    region_figures,
    regions_with_data,
    series_between,
)

DAY0 = 1_767_225_600  # 2026-01-01 00:00 UTC, a whole day
H = 3600
KEC = ["12.75.01", "12.75.02", "12.75.03"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """The same tests against both databases (marked, so a PostgreSQL run can be selected)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'drill.db'}"
        return
    url = request.getfixturevalue("pg_database")
    from sqlalchemy import create_engine

    from wallboard.store.schema import metadata

    engine = create_engine(url)
    metadata.drop_all(engine)
    engine.dispose()
    yield url


def hourly(store, days: int = 3) -> None:
    """Kecamatan i reads 10*(i+1) + hour-of-day, every hour for ``days`` days."""
    readings = [
        Reading("x", code, DAY0 + h * H, 10.0 * (i + 1) + h % 24)
        for i, code in enumerate(KEC) for h in range(days * 24)
    ]
    store.write("s", Batch(readings=readings))


def test_series_between_sums_regions_per_bucket_from_every_source_table(store) -> None:
    hourly(store)
    # Hours (rollup_hour), days (rollup_day) and 30-minute buckets (readings) agree with the data.
    hours = series_between(store, "x", KEC, DAY0, DAY0 + 6 * H, H, "sum")
    assert hours == [(DAY0 + h * H, 60.0 + 3 * h) for h in range(6)]
    days = series_between(store, "x", KEC, DAY0, DAY0 + 3 * 86400, 86400, "sum")
    assert days == [(DAY0 + d * 86400, 60.0 + 3 * 11.5) for d in range(3)]
    fine = series_between(store, "x", KEC, DAY0 + 1800, DAY0 + 3 * H, 1800, "mean")
    assert fine == [(DAY0 + H, 21.0), (DAY0 + 2 * H, 22.0)]
    # Only the regions asked for, only inside [start, end).
    one = series_between(store, "x", ["12.75.02"], DAY0 + 24 * H, DAY0 + 26 * H, H, "sum")
    assert one == [(DAY0 + 24 * H, 20.0), (DAY0 + 25 * H, 21.0)]
    assert series_between(store, "x", [], DAY0, DAY0 + H, H, "sum") == []


def test_region_figures_mix_day_and_hour_rollups_exactly(store) -> None:
    hourly(store)
    # From 20:00 on day 0 to 03:00 on day 2: 4 edge hours, one whole day, 3 edge hours.
    start, end = DAY0 + 20 * H, DAY0 + 2 * 86400 + 3 * H
    figures = region_figures(store, "x", KEC + ["12.75.04"], start, end)
    assert set(figures) == set(KEC)  # a region without readings has no figures
    values = [10.0 + h % 24 for h in range(20, 51)]
    f = figures["12.75.01"]
    assert f.n == len(values) == 31
    assert f.mean == pytest.approx(sum(values) / len(values))
    assert (f.lo, f.hi) == (10.0, 33.0)
    assert (f.last_ts, f.last) == (DAY0 + 50 * H, 12.0)
    # Within one day only hours are read.
    short = region_figures(store, "x", ["12.75.03"], DAY0 + 2 * H, DAY0 + 4 * H)
    assert (short["12.75.03"].n, short["12.75.03"].mean, short["12.75.03"].last) == (2, 32.5, 33.0)


def test_regions_with_data_lists_every_region_written(store) -> None:
    hourly(store, days=1)
    store.write("s", Batch(readings=[Reading("x", "12.75.01.1001", DAY0, 1.0), Reading("y", "12.75.05", DAY0, 2.0)]))
    assert regions_with_data(store, "x") == set(KEC) | {"12.75.01.1001"}


def test_events_filter_by_time_status_category_and_kecamatan(store) -> None:
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    events = [
        Event("a", t0, "baru", "Jalan rusak", "Infrastruktur", "12.75.01.1001"),
        Event("b", t0 + timedelta(hours=1), "proses", "Sampah", "Kebersihan", "12.75.01"),
        Event("c", t0 + timedelta(hours=2), "selesai", "Lampu", "Penerangan", "12.75.02.1003"),
        Event("d", t0 - timedelta(days=10), "baru", "Lama", "Infrastruktur", "12.75.01"),
    ]
    store.write("lapor", Batch(events=events), now=t0)
    store.write("lain", Batch(events=[Event("z", t0, "baru", "Lain", "Infrastruktur", "12.75.01")]), now=t0)
    window = EventFilter(t0 - timedelta(days=1), t0 + timedelta(days=1))

    def refs(**kw):
        return [e.ref for e in events_between(store, "lapor", EventFilter(window.start, window.end, **kw))]

    assert refs() == ["c", "b", "a"]  # newest first, other sources and older events left out
    assert refs(statuses=("baru", "proses")) == ["b", "a"]
    assert refs(categories=("Infrastruktur",)) == ["a"]
    assert refs(region="12.75.01") == ["b", "a"]  # the kecamatan and the desa inside it
    assert refs(region="12.75.02", statuses=("baru",)) == []
    assert event_facets(store, "lapor") == (["baru", "proses", "selesai"],
                                             ["Infrastruktur", "Kebersihan", "Penerangan"])
    found = event(store, "lapor", "c")
    assert found is not None and found.title == "Lampu" and found.time == t0 + timedelta(hours=2)
    assert event(store, "lapor", "nope") is None
