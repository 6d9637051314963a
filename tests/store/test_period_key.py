"""A period's length is part of a reading's identity: a quarter and a half year that start on the
same day are two readings, both kept, and each is drawn and rolled up as what it is (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.sources.site import site_collector
from tests.sources.util import settle
from wallboard.records import Batch, Reading
from wallboard.store import Store

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
