"""Ingest one million readings through the collector path, on SQLite and PostgreSQL.

Two paths are timed:

* ``store.write``: batches of readings (as a source hands them to the collector) written by
  ``Store.write`` -- readings, ``latest`` and the hour/day rollups, one transaction per batch;
* ``collector csv``: ``Collector.run`` on a CSV source (read, parse Indonesian numbers and dates,
  map columns, write, record the run), the whole path a work unit's export takes.

Usage::

    python benchmarks/ingest.py [--rows 1000000] [--batch 50000] [--csv-rows 200000] [--no-postgres]

Prints a table and compares each figure with the target (100,000 rows/s on SQLite for store.write);
exits 1 when the SQLite store.write figure misses it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wallboard.collector import Collector  # noqa: E402
from wallboard.config import parse_config  # noqa: E402
from wallboard.records import Batch, Reading  # noqa: E402
from wallboard.store import Store  # noqa: E402

TARGET_SQLITE = 100_000
PG_ADMIN = os.environ.get("WALLBOARD_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REGIONS = [f"12.75.0{i}" for i in range(1, 6)]
INDICATORS = [f"ind_{i:02d}" for i in range(20)]


def batches(total: int, size: int, start: int):
    """``total`` readings: 20 indicators x 5 kecamatan, one reading a minute each, in time order."""
    out: list[Reading] = []
    step = 0
    made = 0
    while made < total:
        ts = start + step * 60
        for indicator in INDICATORS:
            for region in REGIONS:
                out.append(Reading(indicator, region, ts, float((step * 7 + made) % 1000)))
                made += 1
                if len(out) == size or made == total:
                    yield Batch(readings=out)
                    out = []
                if made == total:
                    return
        step += 1


def time_store_write(url: str, rows: int, size: int) -> tuple[float, int]:
    store = Store.open(url)
    try:
        start = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
        work = list(batches(rows, size, start))  # built before the clock starts: we time the store
        t0 = time.perf_counter()
        for batch in work:
            store.write("bench", batch)
        elapsed = time.perf_counter() - t0
        assert store.count_readings() == rows, store.count_readings()
        return elapsed, rows
    finally:
        store.close()


def time_baseline(url: str, rows: int, size: int) -> tuple[float, int]:
    """The skeleton's way, for comparison: SQLAlchemy Core upsert of dicts into readings, nothing else."""
    from sqlalchemy.dialects import postgresql, sqlite

    from wallboard.store import schema

    store = Store.open(url)
    try:
        insert = postgresql.insert if store.engine.dialect.name == "postgresql" else sqlite.insert
        stmt = insert(schema.readings)
        stmt = stmt.on_conflict_do_update(index_elements=["indicator", "region", "ts", "period"],
                                          set_={"value": stmt.excluded.value})
        start = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
        work = list(batches(rows, size, start))
        t0 = time.perf_counter()
        for batch in work:
            with store.engine.begin() as conn:
                conn.execute(stmt, [{"indicator": r.indicator, "region": r.region, "ts": r.ts, "value": r.value}
                                    for r in batch.readings])
        return time.perf_counter() - t0, rows
    finally:
        store.close()


def time_collector_csv(url: str, rows: int, folder: Path) -> tuple[float, int]:
    path = folder / f"bench-{uuid.uuid4().hex[:6]}.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write("tanggal;kode_kecamatan;indikator;jumlah\n")
        made, step = 0, 0
        while made < rows:
            minute = step % 60
            hour = (step // 60) % 24
            day = 1 + step // 1440
            for indicator in INDICATORS:
                for region in REGIONS:
                    if made < rows:
                        f.write(f"{day:02d}/01/2026 {hour:02d}:{minute:02d};{region};{indicator};"
                                f"{1 + made % 999}.{made % 1000:03d},5\n")
                        made += 1
            step += 1
    os.utime(path, (time.time() - 60, time.time() - 60))
    indicators = "\n".join(f"  - {{id: {i}, label: {i}}}" for i in INDICATORS)
    config = parse_config(f"""
site: {{name: Bench, region: "12.75"}}
database: {{url: "{url}", retention: 4000d}}
sources:
  - id: bench
    type: csv
    path: {path}
    every: 1h
    columns: {{time: tanggal, region: kode_kecamatan, indicator: indikator, value: jumlah}}
indicators:
{indicators}
screens:
  - {{id: s, grid: {{columns: 1, rows: 1}}, panels: [{{id: k, type: kpi, indicator: ind_00, at: [0, 0]}}]}}
""").config
    store = Store.open(url)
    try:
        collector = Collector(store, config, folder)
        t0 = time.perf_counter()
        run = collector.run("bench", now=datetime(2026, 3, 1, tzinfo=UTC))
        elapsed = time.perf_counter() - t0
        assert run.ok and run.rows == rows and run.rejected == 0, run
        return elapsed, rows
    finally:
        store.close()
        path.unlink()


def pg_database():
    from sqlalchemy import create_engine, text

    name = f"wallboard_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name, drop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, action="append",
                        help="readings per Store.write (repeatable; default 50000 and 5000)")
    parser.add_argument("--csv-rows", type=int, default=200_000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    sizes = args.batch or [50_000, 5_000]

    results: list[tuple[str, str, int, float, int | None]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        databases = [("SQLite", lambda n: (f"sqlite:///{folder / f'bench-{n}.db'}", lambda: None))]
        if not args.no_postgres:
            try:
                url, drop = pg_database()
                drop()
                databases.append(("PostgreSQL", lambda n: pg_database()))
            except Exception as exc:  # noqa: BLE001
                print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
        csv_dbs = []
        for name, fresh in databases:
            for n, size in enumerate(sizes):
                url, drop = fresh(n)
                try:
                    elapsed, rows = time_store_write(url, args.rows, size)
                    first = n == 0 and name == "SQLite"  # the target is for bulk batches on SQLite
                    results.append((name, f"store.write ({size:,}/batch)", rows, elapsed,
                                    TARGET_SQLITE if first else None))
                finally:
                    drop()
            url, drop = fresh("baseline")
            try:
                elapsed, rows = time_baseline(url, min(args.rows, 200_000), sizes[0])
                results.append((name, f"baseline: Core upsert only ({sizes[0]:,})", rows, elapsed, None))
            finally:
                drop()
            csv_dbs.append((name, *fresh("csv")))
        for name, url, drop in csv_dbs:
            try:
                elapsed, rows = time_collector_csv(url, args.csv_rows, folder)
                results.append((name, "collector csv (parse+write)", rows, elapsed, None))
            finally:
                drop()

    print(f"\n{'database':<11} {'path':<36} {'rows':>10} {'seconds':>8} {'rows/s':>10}  target")
    failed = False
    for name, path, rows, elapsed, target in results:
        rate = rows / elapsed
        verdict = "" if target is None else (f">= {target:,}: " + ("ok" if rate >= target else "MISSED"))
        failed |= target is not None and rate < target
        print(f"{name:<11} {path:<36} {rows:>10,} {elapsed:>8.2f} {rate:>10,.0f}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
