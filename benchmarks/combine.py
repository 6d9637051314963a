"""Rows on one key: ``wallboard.combine.combine`` on a million readings, against the dict Store.write builds.

Three shapes, each built before the clock starts: every key once (the usual run: only the set of
keys is built), one row per puskesmas (ten rows on each kecamatan key, summed), and a tenth of the
rows given twice. For scale, the same run times the key dict ``Store.write`` builds of the same
readings, the floor every write already pays. Best of three.

    python benchmarks/combine.py [--readings 1000000]
"""

from __future__ import annotations

import argparse
import time

from wallboard.combine import combine
from wallboard.records import Batch, Reading

KECAMATAN = ["12.75.01", "12.75.02", "12.75.03", "12.75.04", "12.75.05"]
INDICATORS = [f"ind_{i:02d}" for i in range(20)]


def readings(n: int, rows_per_key: int) -> list[Reading]:
    """20 indicators x 5 kecamatan, one reading a minute; ``rows_per_key`` rows land on each key."""
    out = []
    for i in range(n):
        key = i // rows_per_key
        out.append(Reading(INDICATORS[key % 20], KECAMATAN[key // 20 % 5], 1_764_000_000 + key // 100 * 60,
                           float(i % 97), None, f"data/dbd.csv baris {i + 2}"))
    return out


def best(make: list[Reading], run) -> float:
    times = []
    for _ in range(3):
        data = list(make)
        start = time.perf_counter()
        run(data)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--readings", type=int, default=1_000_000)
    n = parser.parse_args().readings
    distinct = readings(n, 1)
    shapes = {
        "every key once": distinct,
        "10 rows per key (sum)": readings(n, 10),
        "a tenth given twice": distinct[: n - n // 10] + distinct[: n // 10],
    }
    print(f"{'shape':<26}{'readings':>10}{'kept':>10}{'seconds':>9}")
    for name, data in shapes.items():
        kept = {}

        def run(rows: list[Reading], kept: dict = kept) -> None:
            batch = Batch(readings=rows)
            combine(batch, {})
            kept["n"] = len(batch.readings)


        seconds = best(data, run)
        print(f"{name:<26}{len(data):>10}{kept['n']:>10}{seconds:>9.2f}")
    floor = best(distinct, lambda rows: {(r.indicator, r.region, r.ts): (r.value, r.period) for r in rows})
    print(f"{'Store.write key dict':<26}{n:>10}{'':>10}{floor:>9.2f}")


if __name__ == "__main__":
    main()
