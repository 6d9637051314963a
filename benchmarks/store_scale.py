"""The store at ten million readings, SQLite and PostgreSQL: the wall's and the drill page's questions.

40 indicators x 21 kecamatan x hourly readings for 11,905 hours (about 16 months) = 10,000,200
readings, written through ``Store.write`` (so ``latest`` and the rollups are kept as collectors keep
them). Then, each repeated and the median and worst of the repeats reported:

* latest snapshot for every indicator: ``Store.latest`` + ``Store.freshness`` for all 40 (what the
  hub reads per data change), target <= 20 ms;
* a 30-day trend: ``Store.series`` with the wall's bucket for 30 days (1 h, from ``rollup_hour``),
  target <= 50 ms;
* a drill-down breakdown by kecamatan: ``drill.region_figures`` over 30 days and over a year (last
  value, count, mean, min, max per kecamatan), target <= 200 ms.

A baseline in the same run answers the same questions straight from ``readings`` (no ``latest``, no
rollups): what the store would cost without them.

    python benchmarks/store_scale.py                    # both engines, ten million readings
    python benchmarks/store_scale.py --rows 1000000 --no-postgres
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from wallboard.snapshot import bucket_for  # noqa: E402
from wallboard.sources.base import Batch, Reading  # noqa: E402
from wallboard.store import Store  # noqa: E402
from wallboard.store.drill import region_figures  # noqa: E402

PG_ADMIN = os.environ.get("WALLBOARD_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
HOUR, DAY = 3600, 86400
INDICATORS = [f"ind{i:02d}" for i in range(40)]
REGIONS = [f"33.08.{k:02d}" for k in range(1, 22)]
REPEAT = 7
TARGETS = {"latest": 0.020, "trend": 0.050, "breakdown": 0.200}


def load(url: str, rows: int, now: int) -> float:
    hours = max(1, rows // (len(INDICATORS) * len(REGIONS)))
    end = now // HOUR * HOUR
    store = Store.open(url)
    t0 = time.perf_counter()
    try:
        for n, indicator in enumerate(INDICATORS):
            for r, region in enumerate(REGIONS):
                base = 50 + n + r
                store.write("bench", Batch(readings=[
                    Reading(indicator, region, end - h * HOUR, base + (h % 24) + (h * 7919 % 13))
                    for h in range(hours)]))
            print(f"  {n + 1}/{len(INDICATORS)} indicators loaded ({time.perf_counter() - t0:.0f} s)",
                  file=sys.stderr, flush=True)
        if store.engine.dialect.name == "postgresql":
            with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        else:
            with store.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
    finally:
        store.close()
    return time.perf_counter() - t0


def timed(fn, repeat: int = REPEAT) -> tuple[float, float]:  # noqa: ANN001
    fn()  # warm: the first read of a cold cache is not what a running wall sees
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), max(times)


def measure(url: str, now: int) -> dict[str, tuple[float, float]]:
    store = Store.open(url)
    try:
        window = 30 * DAY
        bucket = bucket_for(window)
        since = (now - window) // bucket * bucket
        out = {
            "latest": timed(lambda: (store.latest(INDICATORS), store.freshness(INDICATORS))),
            "trend": timed(lambda: store.series("ind07", since, bucket, "sum")),
            "breakdown": timed(lambda: region_figures(store, "ind07", REGIONS, now - window, now)),
            "breakdown 1y": timed(lambda: region_figures(store, "ind07", REGIONS, now - 365 * DAY, now)),
        }
        # Baselines: the same answers straight from readings.
        with store.engine.connect() as conn:
            def latest_raw() -> None:
                sql = ("SELECT r.indicator, r.region, r.ts, r.value FROM readings r JOIN (SELECT indicator, region, "
                       "MAX(ts) AS ts FROM readings GROUP BY indicator, region) m ON r.indicator = m.indicator "
                       "AND r.region = m.region AND r.ts = m.ts")
                conn.execute(text(sql)).all()

            def trend_raw() -> None:
                conn.execute(text("SELECT b, SUM(v) FROM (SELECT (ts / :bucket) * :bucket AS b, region, AVG(value) "
                                  "AS v FROM readings WHERE indicator = 'ind07' AND ts >= :since "
                                  "GROUP BY (ts / :bucket) * :bucket, region) x GROUP BY b ORDER BY b"),
                             {"bucket": bucket, "since": since}).all()

            def breakdown_raw() -> None:
                conn.execute(text("SELECT region, COUNT(*), AVG(value), MIN(value), MAX(value) FROM readings "
                                  "WHERE indicator = 'ind07' AND ts >= :a GROUP BY region"),
                             {"a": now - window}).all()

            out["latest (baseline)"] = timed(latest_raw, 2)
            out["trend (baseline)"] = timed(trend_raw)
            out["breakdown (baseline)"] = timed(breakdown_raw)
        out["_readings"] = (float(store.count_readings()), 0.0)
        return out
    finally:
        store.close()


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    load1 = os.getloadavg()[0]
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}, load average {load1:.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    now = int(time.time())
    engines: list[tuple[str, str, object]] = []
    tmp = Path(tempfile.mkdtemp(prefix="store-scale-"))
    if not args.no_sqlite:
        engines.append(("SQLite", f"sqlite:///{tmp / 'scale.db'}", None))
    if not args.no_postgres:
        name = f"wallboard_scale_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engines.append(("PostgreSQL", PG_ADMIN.rsplit("/", 1)[0] + "/" + name, (admin, name)))
    results, loads = {}, {}
    ok = True
    try:
        for label, url, _ in engines:
            print(f"loading {args.rows:,} readings into {label}...", file=sys.stderr, flush=True)
            loads[label] = load(url, args.rows, now)
            results[label] = measure(url, now)
    finally:
        for _, _, pg in engines:
            if pg is not None:
                admin, name = pg
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    print(f"\nMachine: {machine()}")
    for label, figures in results.items():
        print(f"\n{label}: {figures['_readings'][0]:,.0f} readings, loaded through Store.write in {loads[label]:.0f} s")
        print(f"| {'question':26} | {'median':>10} | {'worst':>10} | {'target':>9} | ok  |")
        print(f"|{'-' * 28}|{'-' * 12}|{'-' * 12}|{'-' * 11}|-----|")
        for name, (median, worst) in figures.items():
            if name.startswith("_"):
                continue
            target = TARGETS.get(name.split(" ")[0]) if "baseline" not in name else None
            good = target is None or median <= target
            ok = ok and good
            limit = f"<= {target * 1000:.0f} ms" if target else ""
            verdict = ("yes" if good else "NO") if target else ""
            print(f"| {name:26} | {median * 1000:7.1f} ms | {worst * 1000:7.1f} ms | {limit:>9} | {verdict:3} |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
