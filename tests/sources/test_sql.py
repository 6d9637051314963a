"""sql source against a real SQLite file and the real PostgreSQL, each feeding stores on both."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.sources.util import make_collector, snapshot

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def finance(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A finance database with a penerimaan_pad table: (url, table name)."""
    table = f"penerimaan_pad_{uuid.uuid4().hex[:6]}"
    url = (f"sqlite:///{tmp_path / 'keuangan.db'}" if request.param == "sqlite"
           else request.getfixturevalue("pg_database"))
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE {table} (tanggal DATE, kecamatan VARCHAR(20), nilai NUMERIC(18, 2))"))
        conn.execute(text(f"INSERT INTO {table} VALUES (:t, :k, :n)"), [
            {"t": date(2026, 11, 25), "k": "12.75.01", "n": 1_500_000},
            {"t": date(2026, 11, 25), "k": "12.75.02", "n": 2_500_000.5},
            {"t": date(2026, 11, 26), "k": "12.75.01", "n": 1_000_000},
        ])
    yield url, table
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
    engine.dispose()


def source(query: str, timeout: str = "10s") -> str:
    return f"""
  - id: keuangan
    type: sql
    url: ${{KEUANGAN_DB_URL}}
    query: "{query}"
    indicator: realisasi_pad
    timeout: {timeout}
    cron: "0 * * * *"
"""


@pytest.fixture
def run_query(finance, db_url: str, tmp_path: Path, monkeypatch):
    url, table = finance
    monkeypatch.setenv("KEUANGAN_DB_URL", url)
    made = []

    def run(query: str, timeout: str = "10s"):
        collector, store = make_collector(db_url, source(query.format(t=table), timeout), tmp_path)
        made.append(store)
        return collector, store

    yield run
    for store in made:
        store.close()


def test_query_rows_become_readings(run_query) -> None:
    collector, store = run_query("select tanggal as time, sum(nilai) as value from {t} group by tanggal")
    run = collector.run("keuangan", NOW)
    assert run.ok and run.rows == 2, run
    series = store.series("realisasi_pad", 0, 86400, "sum")
    assert [v for _, v in series] == [4_000_000.5, 1_000_000.0]


def test_region_column_and_default_mapping(run_query) -> None:
    collector, store = run_query(
        "select tanggal as time, kecamatan as region, nilai as value from {t} "
        "where kecamatan like '12.75%' and '10:00' <> ''"  # literals reach the database as written
    )
    assert collector.run("keuangan", NOW).rows == 3
    regions = {r.region for r in store.latest(["realisasi_pad"])["realisasi_pad"]}
    assert regions == {"12.75.01", "12.75.02"}


def test_query_runs_read_only(run_query, finance) -> None:
    url, table = finance
    collector, store = run_query("delete from {t}")
    run = collector.run("keuangan", NOW)
    assert not run.ok and "kesalahan SQL" in run.error
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text(f"select count(*) from {table}")).scalar() == 3
    engine.dispose()
    assert store.count_readings() == 0


@pytest.mark.parametrize(("query", "reason"), [
    ("select tanggal as time, jumlah as value from {t}", "kesalahan SQL"),           # column dropped upstream
    ("select tanggal as time, nilai as nominal from {t}", "kolom 'value' tidak ada"),  # column renamed
    ("select tanggal as time, nilai as value from {t} where 1 = 0", "tidak ada data"),
    ("select tanggal as time, 'banyak' as value from {t}", "semua 3 record ditolak"),
])
def test_faults_leave_the_store_unchanged(run_query, query: str, reason: str) -> None:
    collector, store = run_query("select tanggal as time, sum(nilai) as value from {t} group by tanggal")
    assert collector.run("keuangan", NOW).ok
    before = snapshot(store)
    bad, store2 = run_query(query)
    run = bad.run("keuangan", NOW)
    assert not run.ok and reason in run.error, run.error
    assert snapshot(store2) == before


def test_slow_query_hits_the_timeout(run_query, finance) -> None:
    url, _ = finance
    slow = ("select pg_sleep(5) as value" if url.startswith("postgresql")
            else "with recursive n(i) as (select 1 union all select i + 1 from n where i < 100000000) "
                 "select count(*) as value from n")
    collector, store = run_query(slow, timeout="1s")
    run = collector.run("keuangan", NOW)
    assert not run.ok and run.error.startswith("batas waktu 1 dtk habis"), run.error
    assert store.count_readings() == 0


def test_password_in_url_is_never_shown(db_url: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("KEUANGAN_DB_URL", "postgresql+psycopg://pad:rahasia-pw-77@127.0.0.1:1/keuangan")
    collector, store = make_collector(db_url, source("select 1 as value"), tmp_path)
    try:
        run = collector.run("keuangan", NOW)
        assert not run.ok and "rahasia-pw-77" not in run.error
    finally:
        store.close()
