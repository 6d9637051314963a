"""Rows of one run on one key: combined by the indicator's aggregate, never the last row silently.

The collector tests write real-shaped files (one row per puskesmas, as a Dinas Kesehatan export of
Kota Binjai has it) and check each stored value against the file on SQLite and PostgreSQL; the
rule itself and the totals check are tested on hand-made batches.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.sources.site import stored, write_csv
from tests.sources.util import settle, snapshot
from wallboard.collector import Collector
from wallboard.combine import check_totals, combine
from wallboard.config import parse_config
from wallboard.records import Batch, Reading
from wallboard.store import Store

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
WIB = ZoneInfo("Asia/Jakarta")
KECAMATAN = {"Binjai Utara": "12.75.01", "Binjai Kota": "12.75.02", "Binjai Barat": "12.75.03",
             "Binjai Timur": "12.75.04", "Binjai Selatan": "12.75.05"}
HEADER = ["Tanggal", "Kecamatan", "Puskesmas", "Kasus DBD"]
# One row per puskesmas: several rows land on one kecamatan and day.
PUSKESMAS_ROWS = [
    ["25/11/2026", "Binjai Utara", "Puskesmas Kebun Lada", 4],
    ["25/11/2026", "Binjai Utara", "Puskesmas Cengkeh Turi", 3],
    ["25/11/2026", "Binjai Utara", "Puskesmas Nangka", 2],
    ["25/11/2026", "Binjai Kota", "Puskesmas Kota", 5],
    ["25/11/2026", "Binjai Timur", "Puskesmas Tanah Tinggi", 1],
    ["25/11/2026", "Binjai Timur", "Puskesmas Sunggal", 6],
    ["26/11/2026", "Binjai Utara", "Puskesmas Kebun Lada", 1],
    ["26/11/2026", "Binjai Utara", "Puskesmas Cengkeh Turi", 0],
    ["26/11/2026", "Binjai Selatan", "Puskesmas Binjai Estate", 7],
    ["26/11/2026", "Binjai Selatan", "Puskesmas Tanah Seribu", 2],
]
INDICATORS = """
  - {id: kasus_dbd, label: Kasus DBD, unit: kasus, aggregate: sum}
  - {id: suhu_udara, label: Suhu udara, unit: °C, aggregate: mean}
  - {id: status_siaga, label: Status siaga bencana, unit: level, aggregate: last}
"""


def config(db_url: str, sources: str) -> str:
    return f"""
site: {{name: Kota Binjai, region: "12.75", timezone: Asia/Jakarta}}
database: {{url: "{db_url}", retention: 400d}}
sources:
{sources}
indicators:{INDICATORS}
screens:
  - id: utama
    grid: {{columns: 2, rows: 1}}
    panels:
      - {{id: dbd, type: kpi, indicator: kasus_dbd, at: [0, 0]}}
"""


def source(indicator: str, path: str = "data/dbd.csv", value: str = "Kasus DBD") -> str:
    return f"""
  - id: dinkes
    type: csv
    path: {path}
    every: 1h
    columns: {{time: Tanggal, region: Kecamatan, value: {value}}}
    indicator: {indicator}
"""


@pytest.fixture
def site(db_url: str, tmp_path: Path):
    made: list[Store] = []

    def make(sources: str) -> tuple[Collector, Store]:
        parsed = parse_config(config(db_url, sources), base=tmp_path).config
        store = Store.open(db_url)
        store.sync_indicators(parsed.indicators)
        made.append(store)
        return Collector(store, parsed, tmp_path), store

    yield make
    for store in made:
        store.close()


def day(text: str) -> int:
    return int(datetime.strptime(text, "%d/%m/%Y").replace(tzinfo=WIB).timestamp())


def from_file(path: Path, value: str, how: str) -> dict[tuple[str, int], float]:
    """What the file says per (kecamatan, day), read back with the csv module: the expected figures."""
    groups: dict[tuple[str, int], list[float]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            groups[(KECAMATAN[row["Kecamatan"]], day(row["Tanggal"]))].append(float(row[value]))
    return {k: math.fsum(v) if how == "sum" else math.fsum(v) / len(v) for k, v in groups.items()}


def test_one_row_per_puskesmas_is_summed_into_its_kecamatan(site, tmp_path: Path) -> None:
    """Fails on last-row-wins: Binjai Utara on the 25th is 4 + 3 + 2 = 9, not the last puskesmas' 2."""
    collector, store = site(source("kasus_dbd"))
    path = tmp_path / "data" / "dbd.csv"
    write_csv(path, HEADER, PUSKESMAS_ROWS)
    settle(path)
    run = collector.run("dinkes", NOW)
    expected = from_file(path, "Kasus DBD", "sum")
    assert run.ok and run.rejected == 0 and run.error is None, run
    assert run.rows == len(expected) == 5 and run.combined == len(PUSKESMAS_ROWS) - 5
    assert {k: v for k, (v, _) in stored(store, "kasus_dbd").items()} == expected
    assert expected[("12.75.01", day("25/11/2026"))] == 9.0
    [last] = store.runs("dinkes", 1)
    assert (last.rows, last.combined, last.duplicates, last.warned) == (5, 5, 0, 0)
    # read again (the file changed): the sums are recomputed, not added onto what is stored
    write_csv(path, HEADER, [*PUSKESMAS_ROWS, ["26/11/2026", "Binjai Utara", "Puskesmas Nangka", 10]])
    settle(path, 30)
    assert collector.run("dinkes", NOW).ok
    assert stored(store, "kasus_dbd")[("12.75.01", day("26/11/2026"))] == (11.0, None)


def test_mean_indicator_averages_the_rows_of_one_key(site, tmp_path: Path) -> None:
    collector, store = site(source("suhu_udara", "data/suhu.csv", "Suhu"))
    path = tmp_path / "data" / "suhu.csv"
    write_csv(path, ["Tanggal", "Kecamatan", "Stasiun", "Suhu"], [
        ["25/11/2026", "Binjai Kota", "Pos Lapangan Merdeka", 31.5],
        ["25/11/2026", "Binjai Kota", "Pos Pasar Tavip", 32.25],
        ["25/11/2026", "Binjai Kota", "Pos Stasiun KA", 30.0],
        ["25/11/2026", "Binjai Barat", "Pos Limau Sundai", 29.75],
    ])
    settle(path)
    run = collector.run("dinkes", NOW)
    assert run.ok and run.rows == 2 and run.combined == 2, run
    expected = from_file(path, "Suhu", "mean")
    assert {k: v for k, (v, _) in stored(store, "suhu_udara").items()} == expected
    assert expected[("12.75.02", day("25/11/2026"))] == pytest.approx(31.25)


STATUS_HEADER = ["Tanggal", "Kecamatan", "Pelapor", "Level"]


def test_last_refuses_two_different_values_naming_both_rows(site, tmp_path: Path) -> None:
    collector, store = site(source("status_siaga", "data/siaga.csv", "Level"))
    path = tmp_path / "data" / "siaga.csv"
    write_csv(path, STATUS_HEADER, [
        ["25/11/2026", "Binjai Utara", "BPBD", 2],         # line 2
        ["25/11/2026", "Binjai Kota", "BPBD", 1],          # line 3: alone on its key, stored
        ["25/11/2026", "Binjai Barat", "BPBD", 3],         # line 4
        ["25/11/2026", "Binjai Barat", "Camat", 3],        # line 5: the same figure: one reading
        ["25/11/2026", "Binjai Utara", "Camat", 3],        # line 6: disagrees with line 2
    ])
    settle(path)
    run = collector.run("dinkes", NOW)
    assert run.ok and run.rows == 2 and run.rejected == 2 and run.combined == 1, run
    assert ("data/dbd.csv" not in run.error and
            "data/siaga.csv baris 2 dan baris 6: dua nilai berbeda untuk status_siaga 12.75.01 (2 dan 3); "
            "aggregate: last tidak bisa menggabungkan" in run.error), run.error
    assert {k: v for k, (v, _) in stored(store, "status_siaga").items()} == {
        ("12.75.02", day("25/11/2026")): 1.0, ("12.75.03", day("25/11/2026")): 3.0}


def test_a_run_whose_rows_all_conflict_fails_and_changes_nothing(site, tmp_path: Path) -> None:
    collector, store = site(source("status_siaga", "data/siaga.csv", "Level"))
    path = tmp_path / "data" / "siaga.csv"
    write_csv(path, STATUS_HEADER, [["25/11/2026", "Binjai Utara", "BPBD", 2]])
    settle(path)
    assert collector.run("dinkes", NOW).ok
    before = snapshot(store)
    write_csv(path, STATUS_HEADER, [["26/11/2026", "Binjai Utara", "BPBD", 2],
                                    ["26/11/2026", "Binjai Utara", "Camat", 4]])
    settle(path, 30)
    run = collector.run("dinkes", NOW)
    assert not run.ok and run.rows == 0 and run.rejected == 2, run
    assert run.error.startswith("semua 2 record ditolak: data/siaga.csv baris 2 dan baris 3: dua nilai berbeda")
    assert snapshot(store) == before


def test_a_row_identical_in_every_column_is_counted_once(site, tmp_path: Path) -> None:
    collector, store = site(source("kasus_dbd"))
    path = tmp_path / "data" / "dbd.csv"
    rows = [*PUSKESMAS_ROWS[:3], PUSKESMAS_ROWS[1]]  # line 5 repeats line 3 (the export was pasted twice)
    write_csv(path, HEADER, rows)
    settle(path)
    run = collector.run("dinkes", NOW)
    assert run.ok and run.rows == 1 and run.duplicates == 1 and run.warned == 1 and run.combined == 2, run
    assert run.notes == "data/dbd.csv baris 5 sama persis dengan baris 3 (duplikat, dihitung sekali)"
    assert stored(store, "kasus_dbd") == {("12.75.01", day("25/11/2026")): (4 + 3 + 2, None)}


def test_refusal_reasons_name_the_file(site, tmp_path: Path) -> None:
    collector, _ = site(source("kasus_dbd"))
    path = tmp_path / "data" / "dbd.csv"
    write_csv(path, HEADER, [*PUSKESMAS_ROWS[:2], ["25/11/2026", "Binjai Utara", "Puskesmas Nangka", "tiga"],
                             ["25/11/2026", "Binjai Utara", "Puskesmas Kota", "2 kasus"]])
    settle(path)
    run = collector.run("dinkes", NOW)
    # the file is named in each reason and written once in the run's line, which is cut at 300 characters
    assert run.ok and run.rejected == 2 and run.error == (
        "2 record ditolak: data/dbd.csv baris 4 kolom 'Kasus DBD': bukan angka: 'tiga'; "
        "baris 5 kolom 'Kasus DBD': bukan angka: '2 kasus'"), run


EVENTS = """
  - id: lapor
    type: csv
    path: data/pengaduan.csv
    every: 5m
    events: {ref: No Tiket, time: Waktu, title: Judul, status: Status}
"""


def test_an_event_given_twice_is_never_silent(site, tmp_path: Path) -> None:
    collector, store = site(EVENTS)
    path = tmp_path / "data" / "pengaduan.csv"
    write_csv(path, ["No Tiket", "Waktu", "Judul", "Status"], [
        ["LPR-101", "25/11/2026 08:10", "Jalan berlubang di Jl. Gatot Subroto", "baru"],
        ["LPR-102", "25/11/2026 09:00", "Lampu jalan padam", "baru"],
        ["LPR-101", "25/11/2026 08:10", "Jalan berlubang di Jl. Gatot Subroto", "baru"],    # line 4 = line 2
        ["LPR-102", "25/11/2026 09:00", "Lampu jalan padam", "diproses"],                   # line 5: newer state
    ])
    settle(path)
    run = collector.run("lapor", NOW)
    assert run.ok and run.rows == 2 and run.duplicates == 1 and run.warned == 2, run
    assert "data/pengaduan.csv baris 4 sama persis dengan baris 2 (duplikat, dihitung sekali)" in run.notes
    assert ("data/pengaduan.csv baris 3 dan baris 5: dua isi berbeda untuk ref 'LPR-102'; "
            "yang kemudian (baris 5) dipakai") in run.notes
    assert {e.ref: e.status for e in store.events("lapor", 10)} == {"LPR-101": "baru", "LPR-102": "diproses"}


# the rule and the totals check on hand-made batches


def reading(region: str, value: float, line: int, indicator: str = "kasus_dbd", period: str | None = None,
            ts: int = 1_764_003_600) -> Reading:
    return Reading(indicator, region, ts, value, period, f"data/dbd.csv baris {line}")


def test_period_is_part_of_the_key() -> None:
    batch = Batch(readings=[reading("12.75.01", 4, 2), reading("12.75.01", 30, 3, period="P1M"),
                            reading("12.75.01", 5, 4)])
    combine(batch, {"kasus_dbd": "sum"})
    assert [(r.value, r.period, r.origin) for r in batch.readings] == [
        (9.0, None, "data/dbd.csv baris 2"), (30.0, "P1M", "data/dbd.csv baris 3")]
    assert batch.combined == 1


def test_last_with_equal_values_is_one_reading_and_three_rows_one_conflict() -> None:
    batch = Batch(readings=[reading("12.75.01", 2, 2, "status_siaga"), reading("12.75.01", 2, 3, "status_siaga"),
                            reading("12.75.02", 1, 4, "status_siaga"), reading("12.75.02", 1, 5, "status_siaga"),
                            reading("12.75.02", 3, 6, "status_siaga")])
    combine(batch, {"status_siaga": "last"})
    assert [(r.region, r.value) for r in batch.readings] == [("12.75.01", 2.0)]
    assert batch.combined == 1 and batch.rejected == 3 and batch.reasons == [
        "data/dbd.csv baris 4 dan baris 6: dua nilai berbeda untuk status_siaga 12.75.02 (1 dan 3); "
        "aggregate: last tidak bisa menggabungkan"]


def test_a_sum_keeps_every_digit() -> None:
    batch = Batch(readings=[reading("12.75.01", 0.1, n) for n in range(2, 12)])
    combine(batch, {})
    assert batch.readings[0].value == 1.0  # math.fsum: ten times 0.1 is 1.0, not 0.9999999999999999


def test_a_total_that_adds_up_is_dropped_silently_and_one_that_does_not_is_a_warning() -> None:
    below = [reading("12.75.01", 40, 2), reading("12.75.02", 50, 3), reading("12.75.03", 28, 4),
             reading("12.75.01.1001", 999, 5)]  # a desa: two levels below, not part of the kota's sum
    batch = Batch(readings=list(below), totals=[reading("12.75", 118, 7), reading("12.75", 120, 8, ts=1)])
    batch.readings.append(reading("12.75.02", 120, 6, ts=1))
    check_totals(batch, {"kasus_dbd": "sum"})
    assert batch.totals == [] and batch.readings[:4] == below and batch.warned == 0
    batch.totals = [reading("12.75", 120, 7)]
    check_totals(batch, {"kasus_dbd": "sum"})
    assert batch.warnings == [
        "data/dbd.csv baris 7: JUMLAH 120 tidak sama dengan jumlah baris kecamatan 118; tidak disimpan"]
    assert batch.totals == [] and len(batch.readings) == 5


def test_totals_of_other_aggregates_are_not_checked_and_a_lone_total_is_named() -> None:
    batch = Batch(readings=[reading("12.75.01", 31, 2, "suhu_udara")],
                  totals=[reading("12.75", 30, 7, "suhu_udara"), reading("12.75", 12, 8, period="P1Y")])
    check_totals(batch, {"suhu_udara": "mean", "kasus_dbd": "sum"})
    assert batch.totals == [] and batch.warnings == [
        "data/dbd.csv baris 8: JUMLAH 12 tanpa baris kecamatan untuk dibandingkan; tidak disimpan"]


def test_totals_are_checked_and_never_stored_through_the_collector(site, tmp_path: Path, monkeypatch) -> None:
    """The wide/long readers fill ``batch.totals``; here a source that does so by hand."""
    collector, store = site(source("kasus_dbd"))
    path = tmp_path / "data" / "dbd.csv"
    write_csv(path, HEADER, PUSKESMAS_ROWS[:6])
    settle(path)
    dinkes = collector._source("dinkes")
    fetch = dinkes.fetch

    def with_total(now: datetime) -> Batch:
        batch = fetch(now)
        batch.totals.append(Reading("kasus_dbd", "12.75", day("25/11/2026"), 20, None, "data/dbd.csv baris 8"))
        return batch

    monkeypatch.setattr(dinkes, "fetch", with_total)
    run = collector.run("dinkes", NOW)
    assert run.ok and run.warned == 1 and run.notes == (
        "data/dbd.csv baris 8: JUMLAH 20 tidak sama dengan jumlah baris kecamatan 21; tidak disimpan")
    assert ("12.75", day("25/11/2026")) not in stored(store, "kasus_dbd")


def test_a_jumlah_row_is_checked_against_the_kecamatan_sums_and_never_stored(site, tmp_path: Path) -> None:
    """The export's own JUMLAH row per day: the 25th adds up (21), the 26th says 12 where the rows give 10."""
    collector, store = site(source("kasus_dbd"))
    path = tmp_path / "data" / "dbd.csv"
    write_csv(path, HEADER, [*PUSKESMAS_ROWS[:6], ["25/11/2026", "JUMLAH", "", 21],
                             *PUSKESMAS_ROWS[6:], ["26/11/2026", "JUMLAH", "", 12]])
    settle(path)
    run = collector.run("dinkes", NOW)
    assert run.ok and run.rejected == 0 and run.warned == 1, run
    assert run.notes == ("data/dbd.csv baris 13: JUMLAH 12 tidak sama dengan jumlah baris kecamatan 10; "
                         "tidak disimpan")
    got = stored(store, "kasus_dbd")
    assert ("12.75", day("25/11/2026")) not in got and ("12.75", day("26/11/2026")) not in got
    assert {k: v for k, (v, _) in got.items()} == from_file_without_totals(path)


def from_file_without_totals(path: Path) -> dict[tuple[str, int], float]:
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [r for r in csv.DictReader(lines) if r["Kecamatan"] != "JUMLAH"]
    sums: dict[tuple[str, int], float] = defaultdict(float)
    for row in rows:
        sums[(KECAMATAN[row["Kecamatan"]], day(row["Tanggal"]))] += float(row["Kasus DBD"])
    return dict(sums)


def as_columns(readings: list[Reading]) -> Batch:
    """The same readings as a big file's columns (sources/bulk.py), each row's line kept."""
    import numpy as np

    from wallboard.columns import ReadingColumns

    cols = ReadingColumns("data/dbd.csv baris")
    cols.add(np.array([cols.indicators.code(r.indicator) for r in readings]),
             np.array([cols.regions.code(r.region) for r in readings]), np.array([r.ts for r in readings]),
             np.array([r.value for r in readings]), np.array([cols.periods.code(r.period) for r in readings]),
             np.array([int(r.origin.rsplit(" ", 1)[1]) for r in readings]),
             np.arange(1, len(readings) + 1))  # every raw record different
    return Batch(readings=cols)  # type: ignore[arg-type]


@pytest.mark.parametrize("rule", ["sum", "mean", "last"])
def test_columns_are_combined_exactly_as_readings(rule: str) -> None:
    """A big file's columns get the same values, origins, counts and reasons as a list of readings."""
    rows = [reading("12.75.01", 4, 2), reading("12.75.02", 7, 3), reading("12.75.01", 3, 4),
            reading("12.75.01", 30, 5, period="P1M"), reading("12.75.03", 1, 6), reading("12.75.03", 2, 7),
            reading("12.75.01", 3, 8), reading("12.75.04", 5, 9)]
    listed, columns = Batch(readings=list(rows)), as_columns(rows)
    combine(listed, {"kasus_dbd": rule})
    combine(columns, {"kasus_dbd": rule})
    assert type(columns.readings).__name__ == "ReadingColumns"  # still columns: millions of rows stay small
    assert list(columns.readings) == listed.readings
    assert [r.origin for r in columns.readings] == [r.origin for r in listed.readings]
    assert (columns.combined, columns.rejected, columns.reasons) == (listed.combined, listed.rejected, listed.reasons)
    assert listed.combined + listed.rejected > 0  # the case combines or refuses something
