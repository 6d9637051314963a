"""A 200 MB CSV export (3.8 million rows) through the real collector and store (SQLite).

The file is real-shaped: a long layout ``time;kode_wilayah;indikator;nilai`` as a Satu Data
portal exports it, every desa of Kabupaten Bogor (435) for five indicators, hourly, with
Indonesian numbers (``14.750``, ``1.234.567,89``, ``85,5``) and CRLF line ends. Each measurement
runs ``Collector.run`` once in a fresh child process (so peak RSS is that run's own), then checks
the result against the file: rows stored, nothing refused, and every 10,000th row's value.

Three paths are timed:

* ``streamed, pandas blocks``: a file of BULK_BYTES or more split by pandas' C tokenizer a block
  at a time (frames.py) into columns;
* ``streamed, csv module``: the streamed path as it was before frames.py (``csv.reader`` rows
  gathered in Python, bulk.py), on the same file (``--before``; the path quoted files still take);
* ``baseline: row by row``: the same collector with the streaming path switched off (the path
  every CSV took before), on ``--baseline-rows`` rows (default 380,000, a tenth: the whole file
  took 158 s and 1.79 GB that way on main, measured on this machine);

Usage::

    python benchmarks/big_csv.py [--rows 3800000] [--baseline-rows 380000] [--keep DIR]

Exits 1 when the streamed run misses 30 s or 400 MB peak RSS, or stores anything wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 30.0
TARGET_MB = 400.0
RECORDED_BASELINE = (3_800_000, 158.0, 1790.0)  # main before this change, whole file (rows, s, MB)
SITE = "32.01"  # Kabupaten Bogor: 435 desa
START = datetime(2026, 3, 1)
WIB = ZoneInfo("Asia/Jakarta")
SAMPLE_EVERY = 10_000

INDICATORS = {
    "harga_beras": "{{id: harga_beras, label: Harga beras medium, unit: IDR/kg, aggregate: mean}}",
    "harga_cabai": "{{id: harga_cabai, label: Harga cabai merah, unit: IDR/kg, aggregate: mean}}",
    "izin_terbit": "{{id: izin_terbit, label: Izin terbit, unit: izin}}",
    "realisasi_pad": "{{id: realisasi_pad, label: Realisasi PAD, unit: IDR}}",
    "cakupan_imunisasi": "{{id: cakupan_imunisasi, label: Cakupan imunisasi, unit: '%', aggregate: mean}}",
}


def _grouped(whole: int) -> str:
    return f"{whole:,}".replace(",", ".")


def value_text(indicator: str, step: int, place: int) -> tuple[str, float]:
    """A figure as the office writes it, and the number it means."""
    mix = (step * 7919 + place * 104729) % 1_000_003
    if indicator == "harga_beras":
        rupiah = 14_000 + (mix % 50) * 50
        return _grouped(rupiah), float(rupiah)
    if indicator == "harga_cabai":
        rupiah = 35_000 + (mix % 160) * 250
        return _grouped(rupiah), float(rupiah)
    if indicator == "izin_terbit":
        return str(mix % 41), float(mix % 41)
    if indicator == "realisasi_pad":
        sen = 10_000_000_00 + mix * 997
        whole, cents = divmod(sen, 100)
        return f"{_grouped(whole)},{cents:02d}", float(f"{whole}.{cents:02d}")
    tenths = 700 + mix % 300
    return f"{tenths // 10},{tenths % 10}", float(f"{tenths // 10}.{tenths % 10}")


def generate(path: Path, rows: int) -> list[tuple[str, str, int, float]]:
    """Write the file; return every SAMPLE_EVERY-th row as (indicator, region, ts, value)."""
    from wallboard import regions

    desa = [d.code for d in regions.desa(SITE)]
    sample: list[tuple[str, str, int, float]] = []
    written = 0
    step = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("time;kode_wilayah;indikator;nilai\r\n")
        while written < rows:
            moment = START + timedelta(hours=step)
            stamp = moment.strftime("%d/%m/%Y %H:%M")
            ts = int(moment.replace(tzinfo=WIB).timestamp())
            lines = []
            for indicator in INDICATORS:
                for place, code in enumerate(desa):
                    text, number = value_text(indicator, step, place)
                    lines.append(f"{stamp};{code};{indicator};{text}\r\n")
                    if written % SAMPLE_EVERY == 0:
                        sample.append((indicator, code, ts, number))
                    written += 1
                    if written == rows:
                        break
                if written == rows:
                    break
            f.write("".join(lines))
            step += 1
    return sample


def config_text(folder: Path, csv_path: Path) -> str:
    indicators = "\n".join(f"  - {spec.format()}" for spec in INDICATORS.values())
    return f"""
site: {{name: Kabupaten Bogor, region: "{SITE}", timezone: Asia/Jakarta}}
database: {{url: "sqlite:///{folder / 'wallboard.db'}", retention: 3650d}}
sources:
  - id: satudata
    type: csv
    path: {csv_path}
    every: 1h
    timeout: 10m
    columns: {{time: time, region: kode_wilayah, indicator: indikator, value: nilai}}
indicators:
{indicators}
screens:
  - id: utama
    grid: {{columns: 1, rows: 1}}
    panels:
      - {{id: izin, type: kpi, indicator: izin_terbit, at: [0, 0]}}
"""


def child(folder: Path, csv_path: Path, row_by_row: bool, csv_module: bool = False) -> None:
    """One collector run in this process; prints a JSON line with its figures."""
    from wallboard.collector import Collector
    from wallboard.config import parse_config
    from wallboard.sources import bulk, frames
    from wallboard.sources import csv as csv_source
    from wallboard.store import Store

    if row_by_row:
        csv_source.BULK_BYTES = 1 << 62
    if csv_module:
        def fall_back(*_args: object, **_kw: object) -> None:
            raise bulk.Fallback

        frames.read_blocks = fall_back
    config = parse_config(config_text(folder, csv_path), base=folder).config
    store = Store.open(config.database.url)
    collector = Collector(store, config, folder)
    writing = [0.0]
    write = store.write

    def timed_write(*args: object, **kwargs: object) -> int:
        start = time.perf_counter()
        try:
            return write(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            writing[0] += time.perf_counter() - start

    store.write = timed_write  # type: ignore[method-assign]
    began = time.perf_counter()
    run = collector.run("satudata", datetime.now(UTC))
    seconds = time.perf_counter() - began
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stored = store.count_readings()
    store.close()
    print(json.dumps({"ok": run.ok, "rows": run.rows, "rejected": run.rejected, "error": run.error,
                      "seconds": seconds, "write_seconds": writing[0], "peak_mb": peak_mb, "stored": stored}))


def measure(folder: Path, csv_path: Path, row_by_row: bool, csv_module: bool = False) -> dict:
    db = folder / "wallboard.db"
    for leftover in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        leftover.unlink(missing_ok=True)
    args = ([sys.executable, __file__, "--child", str(folder), str(csv_path)] + (["--row-by-row"] if row_by_row else [])
            + (["--csv-module"] if csv_module else []))
    done = subprocess.run(args, capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode != 0:
        raise SystemExit(f"child failed:\n{done.stderr}")
    got = json.loads(done.stdout.strip().splitlines()[-1])
    got["load"] = os.getloadavg()[0]  # the machine is shared: how busy it was as the run ended
    return got


def check_values(folder: Path, sample: list[tuple[str, str, int, float]]) -> int:
    """How many sampled rows the store holds with a different value (or not at all)."""
    with sqlite3.connect(folder / "wallboard.db") as conn:
        wrong = 0
        for indicator, region, ts, value in sample:
            got = conn.execute("SELECT value FROM readings WHERE indicator = ? AND region = ? AND ts = ?",
                               (indicator, region, ts)).fetchone()
            wrong += got is None or got[0] != value
        wrong += wrong_days(conn)
    return wrong


def wrong_days(conn: sqlite3.Connection) -> int:
    """How many day rollups of every 25th (indicator, region) differ from SQL's recount of their hours
    (the store may sum a big batch's days itself, store/daysums.py: they must be the same to the bit)."""
    pairs = conn.execute("SELECT DISTINCT indicator, region FROM rollup_day ORDER BY 1, 2").fetchall()[::25]
    wrong = 0
    for indicator, region in pairs:
        recount = conn.execute(
            "SELECT indicator, region, (bucket / 86400) * 86400, SUM(n), SUM(total), MIN(lo), MAX(hi) FROM rollup_hour "
            "WHERE indicator = ? AND region = ? GROUP BY indicator, region, (bucket / 86400) * 86400",
            (indicator, region)).fetchall()
        stored = conn.execute("SELECT * FROM rollup_day WHERE indicator = ? AND region = ? ORDER BY bucket",
                              (indicator, region)).fetchall()
        wrong += len(set(recount) ^ set(stored))
    return wrong


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=3_800_000)
    parser.add_argument("--baseline-rows", type=int, default=380_000, help="0: no baseline run")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--row-by-row", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--csv-module", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--before", action=argparse.BooleanOptionalAction, default=True,
                        help="also time the csv-module streamed path on the same file (default: yes)")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.row_by_row, args.csv_module)
        return 0
    folder = args.keep or Path(tempfile.mkdtemp(prefix="big_csv_"))
    folder.mkdir(parents=True, exist_ok=True)
    big = folder / "satudata.csv"
    began = time.perf_counter()
    sample = generate(big, args.rows)
    # A finished export, as a work unit's share holds it: not one still being written (the source
    # waits for a file changed in the last seconds, which is not what this measures).
    stamp = time.time() - 60
    os.utime(big, (stamp, stamp))
    print(f"generated {big} ({big.stat().st_size / 1e6:.0f} MB, {args.rows:,} rows) in "
          f"{time.perf_counter() - began:.0f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    table = []
    streamed = measure(folder, big, row_by_row=False)
    wrong = check_values(folder, sample)
    table.append(("streamed, pandas blocks", args.rows, streamed, wrong))
    if args.before:
        before = measure(folder, big, row_by_row=False, csv_module=True)
        table.append(("streamed, csv module (before)", args.rows, before, check_values(folder, sample)))
    if args.baseline_rows:
        small = folder / "satudata_part.csv"
        part = generate(small, args.baseline_rows)
        base = measure(folder, small, row_by_row=True)
        table.append(("baseline: row by row", args.baseline_rows, base, check_values(folder, part)))
    rows, seconds, mb = RECORDED_BASELINE
    print(f"\n| {'path':<30} | {'rows':>9} | {'seconds':>7} | {'rows/s':>7} | {'peak RSS':>8} | result")
    print(f"|{'-' * 32}|{'-' * 11}|{'-' * 9}|{'-' * 9}|{'-' * 10}|{'-' * 30}")
    for name, n, got, bad in table:
        right = got["ok"] and got["rejected"] == 0 and got["stored"] == n and bad == 0
        result = f"ok (load {got['load']:.1f})" if right else f"WRONG: {got} ({bad} sampled values differ)"
        print(f"  {name}: Store.write {got.get('write_seconds', 0):.1f} s of {got['seconds']:.1f} s")
        print(f"| {name:<30} | {n:>9,} | {got['seconds']:>7.1f} | {n / got['seconds']:>7,.0f} | "
              f"{got['peak_mb']:>5.0f} MB | {result}")
    print(f"| {'recorded: main, row by row':<30} | {rows:>9,} | {seconds:>7.1f} | {rows / seconds:>7,.0f} | "
          f"{mb:>5.0f} MB | (before this change)")
    failed = (streamed["seconds"] > TARGET_SECONDS or streamed["peak_mb"] > TARGET_MB or not streamed["ok"]
              or streamed["stored"] != args.rows or wrong)
    print(f"\ntarget: <= {TARGET_SECONDS:.0f} s and <= {TARGET_MB:.0f} MB peak RSS: {'missed' if failed else 'ok'}")
    if not args.keep:
        for leftover in folder.iterdir():
            leftover.unlink()
        folder.rmdir()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
