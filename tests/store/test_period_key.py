"""A period's length is part of a reading's identity: a quarter and a half year that start on the
same day are two readings, both kept, and each is drawn and rolled up as what it is (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.sources.site import site_collector
from tests.sources.util import settle
from wallboard.records import Batch, Reading
from wallboard.store import Store
from wallboard.store.store import COPY_THRESHOLD

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2027, 1, 20, 8, 0, tzinfo=UTC)
T0 = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())  # a UTC midnight
DAY = 86400


def start(month: int) -> int:
    return int(datetime(2026, month, 1, tzinfo=WIB).timestamp())


def readings(store: Store, indicator: str) -> dict[tuple[str, int, str | None], float]:
    """Every stored reading of ``indicator``: (region, ts, period) -> value (None: a moment)."""
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            f"SELECT region, ts, NULLIF(period, ''), value FROM readings WHERE indicator = '{indicator}'"
        ).all()
    return {(r[0], int(r[1]), r[2]): float(r[3]) for r in rows}


# A Dinas Kesehatan recap: cases per kecamatan per quarter and per half year, side by side.
RECAP = "\n".join([
    "REKAPITULASI KASUS DBD PER TRIWULAN DAN SEMESTER;;;;;;;",
    "KABUPATEN MAGELANG TAHUN 2026;;;;;;;",
    ";;;;;;;",
    "No;Nama Kecamatan;TW I;TW II;TW III;TW IV;Semester 1;Semester 2",
    "1;SALAMAN;12;7;9;4;19;13",
    "2;BOROBUDUR;1.204;3;-;5;1.207;5",
    ";Jumlah Total;1.216;10;9;9;1.226;18",
]) + "\n"

RECAP_SOURCE = """
  - id: dbd_recap
    type: csv
    path: dbd.csv
    every: 1d
    layout: wide
    indicator: kasus_dbd
    columns: {region: Nama Kecamatan, periods: "^(TW|Semester)"}
"""

SALAMAN, BOROBUDUR = "33.08.01", "33.08.02"


def recap_expected() -> dict[tuple[str, int, str | None], float]:
    q = {n: start(1 + 3 * (n - 1)) for n in (1, 2, 3, 4)}
    h = {1: start(1), 2: start(7)}
    return {
        (SALAMAN, q[1], "P3M"): 12.0, (SALAMAN, q[2], "P3M"): 7.0, (SALAMAN, q[3], "P3M"): 9.0,
        (SALAMAN, q[4], "P3M"): 4.0, (SALAMAN, h[1], "P6M"): 19.0, (SALAMAN, h[2], "P6M"): 13.0,
        (BOROBUDUR, q[1], "P3M"): 1204.0, (BOROBUDUR, q[2], "P3M"): 3.0,
        (BOROBUDUR, q[4], "P3M"): 5.0, (BOROBUDUR, h[1], "P6M"): 1207.0, (BOROBUDUR, h[2], "P6M"): 5.0,
    }


def test_quarters_and_half_years_of_one_wide_csv_are_all_kept(db_url: str, tmp_path: Path) -> None:
    """TW I and Semester 1 both start on 1 January, TW III and Semester 2 on 1 July: all six kept."""
    (tmp_path / "dbd.csv").write_text(RECAP, encoding="utf-8")
    settle(tmp_path / "dbd.csv")
    collector, store, _ = site_collector(db_url, "33.08", RECAP_SOURCE, tmp_path)
    try:
        run = collector.run("dbd_recap", NOW)
        assert run.ok and run.rows == 11, run
        assert readings(store, "kasus_dbd") == recap_expected()
        # Run again: the same eleven readings, nothing doubled or overwritten.
        assert collector.run("dbd_recap", NOW).ok
        assert readings(store, "kasus_dbd") == recap_expected()
    finally:
        store.close()


# Store-level: one region's quarters and half years of 2026, written as a collector would.
R = "33.08.01"
Q = {n: start(1 + 3 * (n - 1)) for n in (1, 2, 3, 4)}
H = {1: start(1), 2: start(7)}


def recap(quarters: int = 4) -> list[Reading]:
    """Q1..Q<quarters> (10, 20, 30, 40) and both half years (300, 700)."""
    return ([Reading("kasus_dbd", R, Q[n], 10.0 * n, "P3M") for n in range(1, quarters + 1)]
            + [Reading("kasus_dbd", R, H[1], 300.0, "P6M"), Reading("kasus_dbd", R, H[2], 700.0, "P6M")])


def test_a_quarter_and_a_half_year_from_one_day_are_two_readings(store: Store) -> None:
    store.write("s", Batch(readings=[Reading("kasus_dbd", R, Q[1], 12.0, "P3M")]))
    store.write("s", Batch(readings=[Reading("kasus_dbd", R, H[1], 19.0, "P6M")]))  # another run
    assert readings(store, "kasus_dbd") == {(R, Q[1], "P3M"): 12.0, (R, H[1], "P6M"): 19.0}
    # A correction replaces the reading of its own length only; a moment at that time is a third.
    store.write("s", Batch(readings=[Reading("kasus_dbd", R, Q[1], 13.0, "P3M"), Reading("kasus_dbd", R, Q[1], 1.0)]))
    assert readings(store, "kasus_dbd") == {(R, Q[1], "P3M"): 13.0, (R, H[1], "P6M"): 19.0, (R, Q[1], None): 1.0}
    assert store.count_readings() == 3


def test_a_large_batch_keeps_every_length(store: Store) -> None:
    """Over COPY_THRESHOLD rows: PostgreSQL's COPY path keys by period as the row-by-row one does."""
    batch = [Reading("kasus_dbd", f"33.08.{k:02d}", ts, float(k * 1000 + ts % 997), p)
             for k in range(1, 22) for ts, p in [(Q[1], "P3M"), (H[1], "P6M"), (Q[3], "P3M"), (H[2], "P6M"),
                                                 (Q[1], None)]]
    assert store.write("s", Batch(readings=batch)) == 105 > COPY_THRESHOLD
    store.write("s", Batch(readings=batch + [Reading("kasus_dbd", "33.08.22", Q[1], 1.0, "P1Y")]))
    got = readings(store, "kasus_dbd")
    assert len(got) == 106 and all(got[(r.region, r.ts, r.period)] == r.value for r in batch)


def test_latest_is_the_newest_start_then_the_shortest_length(store: Store) -> None:
    # Half years written after the quarters, in their own run: the order of writes does not matter.
    store.write("s", Batch(readings=recap(3)[:3]))
    store.write("s", Batch(readings=recap(3)[3:]))
    [now] = store.latest(["kasus_dbd"])["kasus_dbd"]
    # TW III and Semester 2 both start on 1 July: TW III is current, and before it TW II (not Semester 1).
    assert (now.ts, now.value, now.period, now.prev_ts, now.prev_value) == (Q[3], 30.0, "P3M", Q[2], 20.0)
    store.write("s", Batch(readings=[Reading("kasus_dbd", R, Q[4], 40.0, "P3M")]))
    [now] = store.latest(["kasus_dbd"])["kasus_dbd"]
    assert (now.ts, now.value, now.period, now.prev_ts, now.prev_value) == (Q[4], 40.0, "P3M", Q[3], 30.0)
    # A moment at the newest time is shorter than any period; its previous is a moment too (none here).
    store.write("s", Batch(readings=[Reading("kasus_dbd", R, Q[4], 5.0)]))
    [now] = store.latest(["kasus_dbd"])["kasus_dbd"]
    assert (now.value, now.period, now.prev_ts, now.prev_value) == (5.0, None, None, None)


def test_lengths_beyond_the_four_order_by_their_duration(store: Store) -> None:
    """Weeks (P1W) and days (P10D) are read from the duration itself, not from a list of known lengths."""
    t = Q[4]
    store.write("s", Batch(readings=[Reading("x", R, t, 1.0, "P1M"), Reading("x", R, t, 2.0, "P1W"),
                                     Reading("x", R, t, 3.0, "P10D"), Reading("x", R, t, 4.0, "P1Y")]))
    [now] = store.latest(["x"])["x"]
    assert (now.value, now.period) == (2.0, "P1W")
    assert store.drawn_period("x") == "P1W"
    [then] = store.latest_at(["x"], t + 60)["x"]
    assert (then.value, then.period) == (2.0, "P1W")


def test_replay_picks_as_latest_does(store: Store) -> None:
    store.write("s", Batch(readings=recap()))
    [then] = store.latest_at(["kasus_dbd"], Q[3] + 86400)["kasus_dbd"]
    assert (then.ts, then.value, then.period, then.prev_ts, then.prev_value) == (Q[3], 30.0, "P3M", Q[2], 20.0)
    [before] = store.latest_at(["kasus_dbd"], Q[2] + 86400)["kasus_dbd"]
    assert (before.value, before.period, before.prev_value) == (20.0, "P3M", 10.0)


def test_rollups_count_moments_only(store: Store) -> None:
    """A day bucket never adds a quarter and a half year (nor either to the day's moments)."""
    day = Q[1] // DAY * DAY
    moments = [Reading("kasus_dbd", R, Q[1] + 600, 2.0), Reading("kasus_dbd", R, Q[1] + 1200, 4.0)]
    store.write("s", Batch(readings=recap() + moments))
    with store.engine.connect() as conn:
        for table in ("rollup_hour", "rollup_day"):
            rows = conn.exec_driver_sql(f"SELECT n, total, lo, hi FROM {table} WHERE indicator = 'kasus_dbd'").all()
            assert [tuple(r) for r in rows] == [(2, 6.0, 2.0, 4.0)], table
    # The trend of moments: their mean per day, from the rollups and from the readings alike.
    assert store.series("kasus_dbd", day, DAY, "sum") == [(day, 3.0)]
    assert store.series("kasus_dbd", day, 600, "sum") == [(Q[1] // 600 * 600 + 600, 2.0),
                                                         (Q[1] // 600 * 600 + 1200, 4.0)]
    assert store.series("kasus_dbd", day, DAY, "last") == [(day, 4.0)]
    store.rebuild_rollups()
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT n, total FROM rollup_day").all() == [(2, 6.0)]


def test_periodic_trend_draws_one_length(store: Store) -> None:
    store.write("s", Batch(readings=recap(3)))
    # The current figure is TW III (shortest of those from 1 July): the trend draws quarters.
    assert store.drawn_period("kasus_dbd") == "P3M"
    assert store.series("kasus_dbd", Q[1], DAY, "sum", periodic=True) == [(Q[1], 10.0), (Q[2], 20.0), (Q[3], 30.0)]
    # Asked for half years, half years only.
    assert store.series("kasus_dbd", Q[1], DAY, "sum", periodic=True, period="P6M") == [(H[1], 300.0),
                                                                                          (H[2], 700.0)]
    # Nothing per period at all: no periodic trend (and the moments' trend is empty too).
    assert store.series("other", Q[1], DAY, "sum", periodic=True) == []
    assert store.series("kasus_dbd", Q[1], DAY, "sum") == []


def test_retention_keeps_every_length(store: Store) -> None:
    old = Q[1] - 30 * DAY
    store.write("s", Batch(readings=recap() + [Reading("kasus_dbd", R, old, 7.0)]))
    removed = store.maintain(timedelta(days=1), datetime(2027, 1, 20, tzinfo=UTC))
    assert removed["readings"] == 1
    assert readings(store, "kasus_dbd") == {(r.region, r.ts, r.period): r.value for r in recap()}


def test_a_write_of_another_length_moves_the_indicator_version(store: Store) -> None:
    store.write("s", Batch(readings=[Reading("kasus_dbd", R, Q[3], 30.0, "P3M")]))
    before = store.indicator_versions(["kasus_dbd"])["kasus_dbd"]
    store.write("s", Batch(readings=[Reading("kasus_dbd", R, H[2], 700.0, "P6M")]))
    assert store.indicator_versions(["kasus_dbd"])["kasus_dbd"] == (before[0] + 1, H[2])


def test_drill_reads_one_length(store: Store) -> None:
    from wallboard.store.drill import region_figures, series_between

    other = "33.08.02"
    store.write("s", Batch(readings=recap() + [Reading("kasus_dbd", other, Q[4], 4.0, "P3M"),
                                               Reading("kasus_dbd", other, H[2], 9.0, "P6M")]))
    end = int(datetime(2027, 1, 1, tzinfo=WIB).timestamp())
    points = series_between(store, "kasus_dbd", [R, other], Q[1], end, DAY, "sum")
    assert points == [(Q[1], 10.0), (Q[2], 20.0), (Q[3], 30.0), (Q[4], 44.0)]
    figures = region_figures(store, "kasus_dbd", [R, other], Q[1], end)
    assert (figures[R].last_ts, figures[R].last, figures[R].n, figures[R].mean) == (Q[4], 40.0, 4, 25.0)
    assert (figures[R].lo, figures[R].hi) == (10.0, 40.0)
    assert (figures[other].last, figures[other].n) == (4.0, 1)


def test_wall_figure_and_trend_of_a_recap(db_url: str, tmp_path: Path) -> None:
    """The wall's current figure and trend from the TW + Semester recap: quarters, never a half year."""
    from wallboard.snapshot import Needs, SeriesKey, build_snapshot

    (tmp_path / "dbd.csv").write_text(RECAP, encoding="utf-8")
    settle(tmp_path / "dbd.csv")
    collector, store, config = site_collector(db_url, "33.08", RECAP_SOURCE, tmp_path)
    try:
        assert collector.run("dbd_recap", NOW).ok
        key = SeriesKey("kasus_dbd", 400 * DAY)
        snap = build_snapshot(store, config, Needs(indicators={"kasus_dbd"}, series={key}), NOW, 1)
        figure = snap.indicators["kasus_dbd"]
        # TW IV of both kecamatan (4 + 5), compared with their TW III (9 + Borobudur's none: its TW II, 3).
        assert (figure.value, figure.period, figure.previous) == (9.0, "P3M", 12.0)
        q = recap_expected()
        assert snap.series[key] == [(ts, sum(v for (_, t, p), v in q.items() if t == ts and p == "P3M"))
                                    for ts in sorted({t for (_, t, p) in q if p == "P3M"})]
    finally:
        store.close()


def test_the_city_figure_combines_one_length() -> None:
    from wallboard.indicators import from_latest
    from wallboard.store import Latest

    rows = [Latest("33.08.01", Q[4], 40.0, Q[3], 30.0, "P3M"), Latest("33.08.02", H[2], 700.0, H[1], 300.0, "P6M"),
            Latest("33.08.03", Q[4], 2.0, None, None, "P3M")]
    figure = from_latest("kasus_dbd", rows, "sum", WIB)
    assert (figure.value, figure.previous, figure.period) == (42.0, 32.0, "P3M")
    assert figure.by_region["33.08.02"] == 700.0  # each region's own figure stays on the map


@pytest.mark.parametrize("aggregate", ["sum", "mean", "last"])
def test_periodic_trend_per_aggregate_is_one_length(store: Store, aggregate: str) -> None:
    store.write("s", Batch(readings=recap() + [Reading("kasus_dbd", "33.08.02", ts, 1.0, "P3M") for ts in Q.values()]))
    got = store.series("kasus_dbd", Q[1], DAY, aggregate, periodic=True)
    combine = {"sum": lambda a: a + 1.0, "mean": lambda a: (a + 1.0) / 2, "last": lambda a: (a + 1.0) / 2}[aggregate]
    assert got == [(Q[n], combine(10.0 * n)) for n in (1, 2, 3, 4)]


def test_migration_keeps_every_reading_and_takes_periods_out_of_rollups(db_url: str) -> None:
    """A database at 0003 (periods NULL for moments, rollups that counted periods) upgraded by 0004."""
    from sqlalchemy import create_engine

    from tests.test_migrations import differences
    from wallboard.store import migrate

    oct1, oct15, jan1 = (int(datetime(2026, m, d, tzinfo=UTC).timestamp()) for m, d in ((10, 1), (10, 15), (1, 1)))
    rows = [
        ("m", "r1", T0 + 60, 1.5, None), ("m", "r1", T0 + 120, 2.5, None), ("m", "r1", T0 + 4000, 3.5, None),
        ("p", "r1", T0, 5.0, "P1M"), ("p", "r1", T0 + 300, 1.0, None), ("p", "r1", T0 + 600, 3.0, None),
        ("p", "r2", oct1, 4.0, "P1M"), ("p", "r2", oct15, 50.0, None), ("p", "r2", T0, 5.0, "P1M"),
        ("p", "r3", jan1, 100.0, "P1Y"),  # its hour also held a moment of 7, since removed by retention
    ]
    engine = create_engine(db_url)
    migrate.upgrade(engine, "0003")
    mark = "%s" if engine.dialect.name == "postgresql" else "?"
    with engine.begin() as conn:
        conn.exec_driver_sql(f"INSERT INTO readings (indicator, region, ts, value, period) VALUES "
                             f"({', '.join([mark] * 5)})", rows)
        # latest and rollups as 0003's code wrote them: the second newest reading, of any length, is
        # "previous"; rollups counted every reading.
        conn.exec_driver_sql(f"INSERT INTO latest VALUES ('p', 'r2', {T0}, 5.0, {oct15}, 50.0, 'P1M')")
        conn.exec_driver_sql(f"INSERT INTO latest VALUES ('m', 'r1', {T0 + 4000}, 3.5, {T0 + 120}, 2.5, NULL)")
        for table, size, below, ts, n, total, lo, hi in (
            ("rollup_hour", 3600, "readings", "ts", "COUNT(*)", "SUM(value)", "MIN(value)", "MAX(value)"),
            ("rollup_day", DAY, "rollup_hour", "bucket", "SUM(n)", "SUM(total)", "MIN(lo)", "MAX(hi)"),
        ):
            if table == "rollup_day":
                conn.exec_driver_sql("UPDATE rollup_hour SET n = 2, total = 107, lo = 7 WHERE region = 'r3'")
            conn.exec_driver_sql(
                f"INSERT INTO {table} (indicator, region, bucket, n, total, lo, hi) "
                f"SELECT indicator, region, ({ts} / {size}) * {size}, {n}, {total}, {lo}, {hi} FROM {below} "
                f"GROUP BY indicator, region, ({ts} / {size}) * {size}")
        before_m = conn.exec_driver_sql("SELECT * FROM rollup_hour WHERE indicator = 'm' ORDER BY bucket").all()
    engine.dispose()

    store = Store.open(db_url)
    try:
        assert readings(store, "m") | readings(store, "p") == {(r, t, p): v for _, r, t, v, p in rows}
        with store.engine.connect() as conn:
            def rollup(table: str, indicator: str) -> list[tuple]:
                return [tuple(x) for x in conn.exec_driver_sql(
                    f"SELECT region, bucket, n, total, lo, hi FROM {table} WHERE indicator = '{indicator}' "
                    "ORDER BY region, bucket")]

            assert conn.exec_driver_sql("SELECT * FROM rollup_hour WHERE indicator = 'm' ORDER BY bucket").all() \
                == before_m
            assert rollup("rollup_hour", "p") == [
                ("r1", T0, 2, 4.0, 1.0, 3.0),  # the month's figure out, its moments recounted
                ("r2", oct15, 1, 50.0, 50.0, 50.0),  # hours that held only a month are gone
                ("r3", jan1, 1, 7.0, 7.0, 100.0),  # the removed moment stays; the highest is all there is
            ]
            assert rollup("rollup_day", "p") == [("r1", T0, 2, 4.0, 1.0, 3.0), ("r2", oct15, 1, 50.0, 50.0, 50.0),
                                                 ("r3", jan1, 1, 7.0, 7.0, 100.0)]
        latest = {(i, x.region): x for i in ("m", "p") for x in store.latest([i])[i]}
        assert (latest[("p", "r2")].prev_ts, latest[("p", "r2")].prev_value) == (oct1, 4.0)  # the month before
        assert (latest[("m", "r1")].prev_ts, latest[("m", "r1")].prev_value) == (T0 + 120, 2.5)
        # What was stored reads back the same through the store, and new writes key by period.
        store.write("s", Batch(readings=[Reading("p", "r2", T0, 55.0, "P3M")]))
        assert readings(store, "p")[("r2", T0, "P1M")] == 5.0 and readings(store, "p")[("r2", T0, "P3M")] == 55.0
    finally:
        store.close()
    assert differences(db_url) == []


def test_migration_down_and_up_again(db_url: str) -> None:
    """0004's downgrade keeps one reading per start (the first length by name, a moment before all)."""
    from alembic import command
    from sqlalchemy import create_engine

    from tests.test_migrations import differences
    from wallboard.store import migrate

    store = Store.open(db_url)
    store.write("s", Batch(readings=[Reading("p", R, Q[1], 1.0, "P3M"), Reading("p", R, H[1], 2.0, "P6M"),
                                     Reading("p", R, Q[2], 3.0, "P3M"), Reading("m", R, Q[1], 4.0)]))
    store.close()
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            command.downgrade(migrate._config(conn), "0003")
            assert sorted(tuple(r) for r in conn.exec_driver_sql("SELECT indicator, ts, value, period FROM readings")) \
                == [("m", Q[1], 4.0, None), ("p", Q[1], 1.0, "P3M"), ("p", Q[2], 3.0, "P3M")]
        assert migrate.upgrade(engine).up_to_date
    finally:
        engine.dispose()
    assert differences(db_url) == []
    store = Store.open(db_url)
    try:
        assert readings(store, "p") == {(R, Q[1], "P3M"): 1.0, (R, Q[2], "P3M"): 3.0}
        assert readings(store, "m") == {(R, Q[1], None): 4.0}
    finally:
        store.close()
