"""Drill page server time at Kabupaten Magelang's scale, on SQLite and PostgreSQL.

One indicator with two years of hourly readings for the 21 kecamatan of 33.08 (367,920 rows) and
one year of daily readings for its 372 desa/kelurahan (135,780 rows). Each drill page view (every
range, the desa of one kecamatan, the exports) is requested through the Flask app in-process, so
the time is the server's whole answer: queries, figures, template. Target: at most 1 s each.
A baseline in the same run computes the 1-year breakdown and history straight from ``readings``
(what the page would cost without rollups and per-region seeks).

    python benchmarks/drill.py                 # SQLite and PostgreSQL
    python benchmarks/drill.py --no-postgres
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wallboard import regions  # noqa: E402
from wallboard.records import Batch, Reading  # noqa: E402
from wallboard.store import Store  # noqa: E402

PG_ADMIN = os.environ.get("WALLBOARD_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SITE = "33.08"
TARGET = 1.0  # seconds of server time per drill page
REPEAT = 5
FIXTURES = ROOT / "tests" / "fixtures" / "regions"
HOUR, DAY = 3600, 86400


def fill(url: str, now: int) -> int:
    """The readings, through ``Store.write`` (so rollups are kept as collectors keep them)."""
    store = Store.open(url)
    rng = random.Random(7)
    written = 0
    try:
        end = now // HOUR * HOUR
        for k in regions.kecamatan(SITE):
            base = rng.uniform(50, 150)
            rows = [Reading("bench", k.code, end - h * HOUR, base + 20 * ((h % 24) / 24) + rng.gauss(0, 5))
                    for h in range(2 * 365 * 24)]
            written += store.write("bench", Batch(readings=rows))
        desa = regions.desa(SITE)
        day_end = now // DAY * DAY
        for start in range(0, len(desa), 60):
            rows = [Reading("bench", d.code, day_end - n * DAY, rng.uniform(0, 20))
                    for d in desa[start:start + 60] for n in range(365)]
            written += store.write("bench", Batch(readings=rows))
        if store.engine.dialect.name == "postgresql":
            # What autovacuum does within a minute of a bulk load; without statistics the planner
            # guesses, and the same queries take 5 to 10 times longer until it has run.
            with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
    finally:
        store.close()
    return written


def config(url: str) -> str:
    return f"""
site: {{name: Benchmark Magelang, region: "{SITE}", timezone: Asia/Jakarta}}
database: {{url: "{url}"}}
regions: {{kecamatan: "{FIXTURES / '33.08-kecamatan.geojson'}", desa: "{FIXTURES / '33.08-desa.geojson'}"}}
sources:
  - {{id: bench, type: demo, every: 1h, indicators: [bench]}}
indicators:
  - {{id: bench, label: Indikator uji, unit: laporan, aggregate: mean, thresholds: {{warning: 120, critical: 140}},
     target: 100}}
screens:
  - id: utama
    grid: {{columns: 2, rows: 1}}
    panels:
      - {{id: uji, type: kpi, indicator: bench, at: [0, 0], drill: true}}
"""


def views() -> list[tuple[str, str]]:
    kec = regions.kecamatan(SITE)[0].code
    return [
        ("page 24h", "/panel/uji?range=24h"),
        ("page 7d", "/panel/uji?range=7d"),
        ("page 30d", "/panel/uji?range=30d"),
        ("page 1y", "/panel/uji?range=1y"),
        ("page custom 2 years", "/panel/uji?range=custom&from=2024-12-01&to=2026-11-28"),
        ("page 1y, desa of one kecamatan", f"/panel/uji?range=1y&region={kec}"),
        ("export.xlsx 1y", "/panel/uji/export.xlsx?range=1y"),
        ("export.csv 1y, desa", f"/panel/uji/export.csv?range=1y&region={kec}"),
    ]


def baseline(url: str, now: int) -> float:
    """The 1-year breakdown and daily history straight from readings, grouped over the whole range."""
    from sqlalchemy import text

    store = Store.open(url)
    try:
        start = now - 365 * DAY
        t0 = time.perf_counter()
        with store.engine.connect() as conn:
            conn.execute(text("SELECT region, COUNT(*), AVG(value), MIN(value), MAX(value) FROM readings "
                              "WHERE indicator = 'bench' AND ts >= :a GROUP BY region"), {"a": start}).all()
            conn.execute(text("SELECT b, AVG(v) FROM (SELECT (ts / 86400) * 86400 AS b, region, AVG(value) AS v "
                              "FROM readings WHERE indicator = 'bench' AND ts >= :a AND length(region) = 8 "
                              "GROUP BY (ts / 86400) * 86400, region) x GROUP BY b"), {"a": start}).all()
        return time.perf_counter() - t0
    finally:
        store.close()


def measure(name: str, url: str, folder: Path) -> list[tuple[str, str, float, float, str]]:
    from wallboard.runtime import Runtime
    from wallboard.web.app import create_app

    now = int(datetime.now(UTC).timestamp())
    t0 = time.perf_counter()
    rows = fill(url, now)
    print(f"{name}: wrote {rows:,} readings in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    path = folder / f"{name}.yaml"
    path.write_text(config(url), encoding="utf-8")
    runtime = Runtime.from_path(path, collect=False)
    out = []
    try:
        client = create_app(runtime).server.test_client()
        client.get("/panel/uji")  # first request: boundary files read and cached, templates compiled
        for label, target in views():
            times = []
            for _ in range(REPEAT):
                started = time.perf_counter()
                answer = client.get(target)
                times.append(time.perf_counter() - started)
                assert answer.status_code == 200, (target, answer.status_code)
            verdict = "ok" if max(times) <= TARGET else "SLOW"
            out.append((name, label, statistics.median(times), max(times), verdict))
        base = [baseline(url, now) for _ in range(3)]
        out.append((name, "baseline: 1y from readings, queries only", statistics.median(base), max(base), ""))
    finally:
        runtime.store.close()
    return out


def pg_database():
    from sqlalchemy import create_engine, text

    db = f"wallboard_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{db}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        admin.dispose()

    return PG_ADMIN.rsplit("/", 1)[0] + "/" + db, drop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        results += measure("SQLite", f"sqlite:///{folder / 'drill.db'}", folder)
        if not args.no_postgres:
            url, drop = pg_database()
            try:
                results += measure("PostgreSQL", url, folder)
            finally:
                drop()
    print(f"| {'database':<10} | {'view':<40} | {'median s':>8} | {'max s':>6} | target <= {TARGET:.0f} s |")
    print(f"|{'-' * 12}|{'-' * 42}|{'-' * 10}|{'-' * 8}|{'-' * 17}|")
    for db, label, median, worst, verdict in results:
        print(f"| {db:<10} | {label:<40} | {median:>8.3f} | {worst:>6.3f} | {verdict:<15} |")
    return 1 if any(v == "SLOW" for *_, v in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
