"""Periods in a time column: parsed, stored at their start with their length, drawn one point each."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.sources.site import site_collector, site_config, stored, write_csv
from tests.sources.util import settle
from wallboard.config import parse_config
from wallboard.snapshot import Needs, SeriesKey, build_snapshot
from wallboard.sources.periods import NOMINAL, month_names, parse_period, parse_when, parse_when_parts
from wallboard.sources.values import ValueProblem, parse_time
from wallboard.store import Store

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def start(year: int, month: int = 1) -> int:
    return int(datetime(year, month, 1, tzinfo=WIB).timestamp())


@pytest.mark.parametrize(("written", "first", "length"), [
    ("2026", date(2026, 1, 1), "P1Y"),
    (2026, date(2026, 1, 1), "P1Y"),
    (2026.0, date(2026, 1, 1), "P1Y"),  # a year cell in Excel
    ("2026-11", date(2026, 11, 1), "P1M"),
    ("11/2026", date(2026, 11, 1), "P1M"),
    ("November 2026", date(2026, 11, 1), "P1M"),
    ("Nov 2026", date(2026, 11, 1), "P1M"),
    ("Nop 2026", date(2026, 11, 1), "P1M"),
    ("NOPEMBER 2026", date(2026, 11, 1), "P1M"),
    ("Agu 2026", date(2026, 8, 1), "P1M"),
    ("Agustus 2026", date(2026, 8, 1), "P1M"),
    ("Mei 2026", date(2026, 5, 1), "P1M"),
    ("Des 2026", date(2026, 12, 1), "P1M"),
    ("Pebruari 2026", date(2026, 2, 1), "P1M"),
    ("Triwulan III 2026", date(2026, 7, 1), "P3M"),
    ("TW III 2026", date(2026, 7, 1), "P3M"),
    ("Q3 2026", date(2026, 7, 1), "P3M"),
    ("Triwulan IV 2026", date(2026, 10, 1), "P3M"),
    ("Semester I 2026", date(2026, 1, 1), "P6M"),
    ("Semester II 2026", date(2026, 7, 1), "P6M"),
])
def test_periods_as_written(written, first, length) -> None:
    period = parse_period(written)
    assert period is not None and (period.start, period.length) == (first, length)
    ts, stored_length = parse_when(written, WIB)
    assert ts == int(datetime(first.year, first.month, 1, tzinfo=WIB).timestamp()) and stored_length == length


@pytest.mark.parametrize("written", ["Triwulan V 2026", "TW 0 2026", "Semester III 2026", "13/2026", "2026-00"])
def test_impossible_periods_say_so(written) -> None:
    with pytest.raises(ValueProblem, match=f"^'{written}' bukan periode$"):
        parse_when(written, WIB)


# Every spelling of every month seen in real files: Satu Data exports, dinas templates, old reports.
SPELLINGS = {
    1: ["Januari", "JANUARI", "Jan", "JAN", "Jan.", "January"],
    2: ["Februari", "Feb", "Peb", "PEB.", "Pebruari", "Febr", "Pebr"],
    3: ["Maret", "Mar", "Mrt", "MRT.", "March"],
    4: ["April", "Apr", "APR."],
    5: ["Mei", "MEI", "May"],
    6: ["Juni", "Jun", "JUN."],
    7: ["Juli", "Jul", "JUL"],
    8: ["Agustus", "Agu", "Agt", "Ags", "Agst", "Agus", "Agust", "AGUST.", "Aug", "August"],
    9: ["September", "Sep", "Sept", "SEPT.", "Septem"],
    10: ["Oktober", "Okt", "OKT.", "Oct", "Okto"],
    11: ["November", "Nov", "Nop", "NOP", "Nopember", "NOPEMBER", "Nop."],
    12: ["Desember", "Des", "DES.", "Dec", "Desem"],
}


@pytest.mark.parametrize(("written", "month"), [(w, m) for m, ws in SPELLINGS.items() for w in ws])
def test_every_month_spelling_is_that_month(written: str, month: int) -> None:
    period = parse_period(f"{written} 2026")
    assert period is not None and (period.start, period.length) == (date(2026, month, 1), "P1M")
    assert parse_when_parts([2026, written], WIB) == (start(2026, month), "P1M")


@pytest.mark.parametrize(("written", "monday"), [
    ("Minggu ke-3 2026", date(2026, 1, 12)),
    ("Minggu ke 3 2026", date(2026, 1, 12)),
    ("Minggu 3 2026", date(2026, 1, 12)),
    ("M3 2026", date(2026, 1, 12)),
    ("2026-W03", date(2026, 1, 12)),
    ("2026-W01", date(2025, 12, 29)),  # ISO week 1 of 2026 begins on Monday 29 December 2025
    ("Minggu ke-53 2026", date(2026, 12, 28)),
])
def test_weeks_are_iso_weeks_from_their_monday(written: str, monday: date) -> None:
    period = parse_period(written)
    assert period is not None and (period.start, period.length) == (monday, "P1W")
    assert parse_when(written, WIB) == (int(datetime(monday.year, monday.month, monday.day, tzinfo=WIB).timestamp()),
                                       "P1W")
    assert NOMINAL["P1W"] == timedelta(days=7)


@pytest.mark.parametrize("written", ["Minggu ke-54 2026", "2025-W53", "Agutus 2026", "Sepember 2026",
                                     "Pebuari 2026", "M3"])
def test_period_words_that_name_no_period_are_refused(written: str) -> None:
    """A misspelt month or an impossible week is refused, never taken for something else."""
    with pytest.raises(ValueProblem, match=f"^'{written}' bukan periode$"):
        parse_period(written)


@pytest.mark.parametrize("written", ["Desa 2026", "Minggu, 29 November 2026", "Jumlah 2026", "Total 2026"])
def test_other_words_before_a_year_are_no_period(written: str) -> None:
    assert parse_period(written) is None


@pytest.mark.parametrize(("parts", "expected"), [
    ((2026, "Agust"), (date(2026, 8, 1), "P1M")),
    (("2026", "08"), (date(2026, 8, 1), "P1M")),
    ((2026.0, 8.0), (date(2026, 8, 1), "P1M")),  # Excel cells
    (("Agust", 2026), (date(2026, 8, 1), "P1M")),  # the month column first
    ((2026, "TW III"), (date(2026, 7, 1), "P3M")),
    ((2026, "Triwulan 3"), (date(2026, 7, 1), "P3M")),
    ((2026, "Semester 2"), (date(2026, 7, 1), "P6M")),
    ((2026, "S2"), (date(2026, 7, 1), "P6M")),
    ((2026, "Minggu ke-3"), (date(2026, 1, 12), "P1W")),
    ((2026, "M3"), (date(2026, 1, 12), "P1W")),
])
def test_year_and_part_in_two_cells(parts, expected) -> None:
    first, length = expected
    assert parse_when_parts(list(parts), WIB) == (
        int(datetime(first.year, first.month, first.day, tzinfo=WIB).timestamp()), length)


def test_date_and_clock_in_two_cells() -> None:
    assert parse_when_parts(["27/11/2026", "14:05"], WIB) == (
        int(datetime(2026, 11, 27, 14, 5, tzinfo=WIB).timestamp()), None)


@pytest.mark.parametrize(("parts", "reason"), [
    ((2026, ""), "tahun 2026 tanpa bulan, triwulan, semester atau minggu"),
    ((2026, None), "tahun 2026 tanpa bulan, triwulan, semester atau minggu"),
    ((2026, "13"), "bulan '13' tidak ada (tahun 2026)"),
    ((2026, "Agutus"), "'Agutus' bukan bulan, triwulan, semester atau minggu (tahun 2026)"),
    ((2026, "TW V"), "'TW V' bukan bulan, triwulan, semester atau minggu (tahun 2026)"),
])
def test_two_cells_that_make_no_period_are_refused(parts, reason) -> None:
    with pytest.raises(ValueProblem) as info:
        parse_when_parts(list(parts), WIB)
    assert str(info.value) == reason


def test_dates_stay_moments() -> None:
    assert parse_period("27/11/2026") is None and parse_period("2026-11-27 14:05") is None
    assert parse_when("27/11/2026", WIB) == (int(datetime(2026, 11, 27, tzinfo=WIB).timestamp()), None)


def test_month_names_come_from_babel_with_old_spellings() -> None:
    names = month_names()
    for name, number in {"januari": 1, "mei": 5, "agu": 8, "agustus": 8, "okt": 10, "nop": 11, "des": 12,
                         "desember": 12, "may": 5, "aug": 8}.items():
        assert names[name] == number


@pytest.mark.parametrize(("raw", "expected"), [
    ("1764201600", 1764201600), (1764201600, 1764201600), ("1764201600123", 1764201600),
    (1764201600123, 1764201600),
])
def test_epoch_only_with_10_or_13_digits(raw, expected) -> None:
    assert parse_time(raw, WIB) == expected


@pytest.mark.parametrize("raw", ["176420160", "20261127", 20261127, "17642016001", 176420160012345, "0"])
def test_other_bare_numbers_are_not_times(raw) -> None:
    with pytest.raises(ValueProblem, match="waktu tidak dikenali"):
        parse_time(raw, WIB)


SOURCE = """
  - id: dbd_bulanan
    type: csv
    path: dbd.csv
    every: 1h
    indicator: kasus_dbd
    columns: {time: bulan, region: kode_kecamatan, value: kasus}
"""


def test_monthly_csv_is_stored_per_period(db_url: str, tmp_path: Path) -> None:
    rows = [
        ["2026-09", "33.08.01", "4"],
        ["Oktober 2026", "33.08.01", "6"],
        ["Nop 2026", "33.08.01", "3"],
        ["09/2026", "330802", "1"],
        ["Okt 2026", "33.08.02", "2"],
        ["2026-11", "33.08.02", "5"],
        ["27/11/2026 10:00", "33.08.03", "7"],  # a date among periods: a moment, kept as such
        ["Triwulan V 2026", "33.08.04", "9"],   # line 9 of the file
    ]
    write_csv(tmp_path / "dbd.csv", ["bulan", "kode_kecamatan", "kasus"], rows)
    settle(tmp_path / "dbd.csv")
    collector, store, _ = site_collector(db_url, "33.08", SOURCE, tmp_path)
    try:
        run = collector.run("dbd_bulanan", NOW)
        assert run.ok and run.rows == 7 and run.rejected == 1, run
        assert "baris 9 kolom 'bulan': 'Triwulan V 2026' bukan periode" in run.error
        assert stored(store, "kasus_dbd") == {
            ("33.08.01", start(2026, 9)): (4.0, "P1M"), ("33.08.01", start(2026, 10)): (6.0, "P1M"),
            ("33.08.01", start(2026, 11)): (3.0, "P1M"), ("33.08.02", start(2026, 9)): (1.0, "P1M"),
            ("33.08.02", start(2026, 10)): (2.0, "P1M"), ("33.08.02", start(2026, 11)): (5.0, "P1M"),
            ("33.08.03", int(datetime(2026, 11, 27, 10, tzinfo=WIB).timestamp())): (7.0, None),
        }
        latest = {r.region: r for r in store.latest(["kasus_dbd"])["kasus_dbd"]}
        assert (latest["33.08.01"].ts, latest["33.08.01"].period) == (start(2026, 11), "P1M")
        assert latest["33.08.03"].period is None
    finally:
        store.close()


def test_yearly_rows_older_than_retention_are_kept(db_url: str, tmp_path: Path) -> None:
    """Open data comes per year; 2021 is far beyond the default 400 days of retention, yet it is the data."""
    source = SOURCE.replace("dbd_bulanan", "tahunan").replace("dbd.csv", "tahunan.csv").replace(
        "time: bulan", "time: tahun")
    write_csv(tmp_path / "tahunan.csv", ["tahun", "kode_kecamatan", "kasus"],
              [[str(y), "33.08.01", str(y - 2000)] for y in range(2021, 2027)])
    settle(tmp_path / "tahunan.csv")
    collector, store, _ = site_collector(db_url, "33.08", source, tmp_path)
    try:
        run = collector.run("tahunan", NOW)
        assert run.ok and run.rows == 6 and run.rejected == 0, run
        assert stored(store, "kasus_dbd") == {("33.08.01", start(y)): (float(y - 2000), "P1Y")
                                              for y in range(2021, 2027)}
        store.maintain(timedelta(days=400), NOW)  # hourly upkeep leaves figures per period alone
        assert len(stored(store, "kasus_dbd")) == 6
    finally:
        store.close()


def test_trend_draws_one_point_per_period(db_url: str, tmp_path: Path) -> None:
    config = parse_config(site_config(db_url, "33.08", SOURCE), base=tmp_path).config
    store = Store.open(db_url)
    try:
        from wallboard.records import Batch, Reading

        batch = Batch(readings=[
            Reading("kasus_dbd", region, start(2026, month), float(month + n), "P1M")
            for month in (8, 9, 10, 11) for n, region in enumerate(("33.08.01", "33.08.02"))
        ])
        store.write("dbd_bulanan", batch)
        key = SeriesKey("kasus_dbd", int(timedelta(days=90).total_seconds()))
        snap = build_snapshot(store, config, Needs(indicators={"kasus_dbd"}, series={key}), NOW, 1)
        # 90 days back from 27 Nov opens in August: August's figure belongs to the window too.
        assert snap.series[key] == [(start(2026, m), float(2 * m + 1)) for m in (8, 9, 10, 11)]
        assert snap.indicators["kasus_dbd"].period == "P1M"
    finally:
        store.close()


def test_stale_after_of_monthly_data_is_months(tmp_path: Path) -> None:
    config = parse_config(site_config("sqlite:///x.db", "33.08", SOURCE), base=tmp_path).config
    assert config.stale_after("kasus_dbd") == timedelta(hours=3)  # 3 x every: 1h
    assert config.stale_after("kasus_dbd", "P1M") == timedelta(days=93)
    assert config.stale_after("kasus_dbd", "P1Y") == timedelta(days=3 * 366)
    own = parse_config(site_config("sqlite:///x.db", "33.08", SOURCE).replace(
        "unit: kasus}", "unit: kasus, stale_after: 40d}"), base=tmp_path).config
    assert own.stale_after("kasus_dbd", "P1M") == timedelta(days=40)  # the indicator's own setting wins


def test_monthly_value_is_not_stale_after_minutes(tmp_path: Path) -> None:
    from wallboard.indicators import IndicatorValue, state_of

    config = parse_config(site_config("sqlite:///x.db", "33.08", SOURCE), base=tmp_path).config
    value = IndicatorValue("kasus_dbd", 5.0, None, datetime(2026, 11, 1, tzinfo=WIB), period="P1M")
    stale_after = config.stale_after("kasus_dbd", value.period)
    assert state_of(value, config.indicator("kasus_dbd"), stale_after, NOW) == "ok"
    assert state_of(value, config.indicator("kasus_dbd"), stale_after, NOW + timedelta(days=95)) == "stale"


def test_database_from_before_periods_gets_the_column(db_url: str) -> None:
    from sqlalchemy import create_engine

    from wallboard.store import migrate

    engine = create_engine(db_url)
    migrate.upgrade(engine, "0001")  # the tables as they stood before periods
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO readings (indicator, region, ts, value) VALUES ('kasus_dbd', '33.08', 1, 2)")
    engine.dispose()
    store = Store.open(db_url)  # migration 0002 adds the columns in place; old rows are moments
    try:
        with store.engine.connect() as conn:  # a moment's period is '' since 0004 put periods in the key
            assert conn.exec_driver_sql("SELECT value, period FROM readings").all() == [(2.0, "")]
            assert conn.exec_driver_sql("SELECT period FROM latest").all() == []
    finally:
        store.close()


WIDE_SOURCE = """
  - id: dbd_bulanan
    type: csv
    path: dbd.csv
    every: 1h
    layout: wide
    delimiter: ";"
    indicator: kasus_dbd
    columns: {region: Kecamatan}
"""


def test_wide_month_headers_in_every_spelling(db_url: str, tmp_path: Path) -> None:
    """A dinas report's month headers as typed by hand: ``Agust`` and ``Sept`` were skipped without a word."""
    headers = ["Jan", "PEB", "Mrt", "Apr", "Mei", "Juni", "Jul", "Agust", "Sept", "Okt", "NOP", "Des."]
    text = "LAPORAN KASUS DBD TAHUN 2026\n\n" + ";".join(["Kecamatan", *headers]) + "\n" \
        + ";".join(["Salaman", *[str(m) for m in range(1, 13)]]) + "\n"
    (tmp_path / "dbd.csv").write_text(text, encoding="utf-8")
    settle(tmp_path / "dbd.csv")
    collector, store, _ = site_collector(db_url, "33.08", WIDE_SOURCE, tmp_path)
    try:
        run = collector.run("dbd_bulanan", NOW)
        assert run.ok and run.rows == 12 and run.rejected == 0, run
        assert stored(store, "kasus_dbd") == {("33.08.01", start(2026, m)): (float(m), "P1M") for m in range(1, 13)}
    finally:
        store.close()


def test_wide_misspelt_month_header_is_reported_not_skipped(db_url: str, tmp_path: Path) -> None:
    text = "LAPORAN KASUS DBD TAHUN 2026\n\nKecamatan;Jul;Agutus;Sept\nSalaman;7;8;9\n"
    (tmp_path / "dbd.csv").write_text(text, encoding="utf-8")
    settle(tmp_path / "dbd.csv")
    collector, store, _ = site_collector(db_url, "33.08", WIDE_SOURCE, tmp_path)
    try:
        run = collector.run("dbd_bulanan", NOW)
        assert run.rows == 2 and run.rejected == 1, run
        assert "kolom 'Agutus': 'Agutus 2026' bukan periode" in run.error
        assert stored(store, "kasus_dbd") == {("33.08.01", start(2026, 7)): (7.0, "P1M"),
                                              ("33.08.01", start(2026, 9)): (9.0, "P1M")}
    finally:
        store.close()
