"""Soak: does the wall server's memory stay flat for hours with walls open and data changing?

Two `wallboard run` servers start on the same wall config, each with its own SQLite database: one
with ``--walls`` stream clients that read everything, one with none (the baseline: what the
collectors, the hub and the store cost by themselves). A writer commits a changed reading (and a
new event) to both every ``--every`` seconds. Each server's resident memory is sampled every
``--sample`` seconds; after ``--warmup`` minutes the script fits a line through the samples and
prints the slope in MB per hour and the spread (max - min), with and without walls.

    python benchmarks/soak.py --walls 20 --minutes 120          # issue: within 10 MB over 2 hours
    python benchmarks/soak.py --walls 100 --minutes 120

Why it matters: ``benchmarks/waitress_buffer.py`` shows how the server `wallboard run` used before
kept every byte it streamed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONFIG = """
site: {{name: Uji Ketahanan, region: "12.75", timezone: Asia/Jakarta}}
database: {{url: "sqlite:///{db}"}}
sources:
  - {{id: simulasi, type: demo, every: 1h, backfill: 2d, events: true,
     indicators: [pengaduan_terbuka, tinggi_muka_air, izin_terbit]}}
indicators:
  - {{id: pengaduan_terbuka, label: Pengaduan terbuka, unit: laporan, thresholds: {{warning: 40, critical: 80}}}}
  - {{id: tinggi_muka_air, label: Tinggi muka air, unit: cm, aggregate: last,
     thresholds: {{warning: 250, critical: 320}}}}
  - {{id: izin_terbit, label: Izin terbit, unit: izin}}
screens:
  - id: utama
    grid: {{columns: 12, rows: 8}}
    panels:
      - {{id: pengaduan, type: kpi, indicator: pengaduan_terbuka, at: [0, 0], size: [3, 2]}}
      - {{id: air, type: kpi, indicator: tinggi_muka_air, at: [3, 0], size: [3, 2]}}
      - {{id: jam, type: clock, at: [6, 0], size: [3, 2]}}
      - {{id: status, type: status, at: [9, 0], size: [3, 2]}}
      - {{id: tren, type: trend, indicators: [tinggi_muka_air], window: 24h, at: [0, 2], size: [6, 3]}}
      - {{id: izin, type: bar, indicator: izin_terbit, by: region, at: [6, 2], size: [6, 3]}}
      - {{id: laporan, type: events, source: simulasi, limit: 10, at: [0, 5], size: [8, 3]}}
      - {{id: gauge, type: gauge, indicator: pengaduan_terbuka, at: [8, 5], size: [4, 3]}}
"""

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


class Server:
    def __init__(self, folder: Path, name: str):
        self.folder = folder / name
        self.folder.mkdir()
        self.db = self.folder / "w.db"
        self.config = self.folder / "config.yaml"
        self.config.write_text(CONFIG.format(db=self.db), encoding="utf-8")
        self.port = free_port()
        self.name = name
        log = (self.folder / "server.log").open("ab")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        cmd = [sys.executable, "-m", "wallboard.cli", "run", "--config", str(self.config), "--port", str(self.port)]
        self.process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=self.folder, env=env)
        log.close()
        self.wait_up()

    def wait_up(self, timeout: float = 60) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError((self.folder / "server.log").read_text()[-3000:])
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{self.port}/api/health", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not come up")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def writer(dbs: list[Path], every: float, stop: threading.Event) -> None:
    """A reading that changes every time (and now and then an event), committed as a collector run."""
    from wallboard.records import Batch, Event, Reading
    from wallboard.store import Run, Store

    stores = [Store.open(f"sqlite:///{db}") for db in dbs]
    n = 0
    while not stop.wait(every):
        n += 1
        now = datetime.now(UTC)
        batch = Batch(readings=[Reading("tinggi_muka_air", "12.75", int(now.timestamp()), 100 + n % 200),
                                Reading("pengaduan_terbuka", "12.75.01", int(now.timestamp()), n % 90)],
                      events=[Event(f"soak-{n}", now, "baru", f"Laporan uji {n}", "uji", "12.75.01")]
                      if n % 10 == 0 else [])
        for store in stores:
            store.write("simulasi", batch)
            store.record_run(Run("simulasi", now, now, True, len(batch.readings), 0, None))
    for store in stores:
        store.close()


async def wall(port: int, counter: list[int], stop: asyncio.Event) -> None:
    """A wall that reads everything, reconnecting when dropped (as a browser's EventSource does)."""
    while not stop.is_set():
        try:
            reader, writer_ = await asyncio.open_connection("127.0.0.1", port)
            writer_.write(b"GET /api/stream/utama HTTP/1.1\r\nHost: soak\r\n\r\n")
            await writer_.drain()
            while not stop.is_set():
                chunk = await reader.read(65536)
                if not chunk:
                    break
                counter[0] += len(chunk)
            writer_.close()
        except OSError:
            pass
        await asyncio.sleep(1)


def slope_per_hour(samples: list[tuple[float, float]]) -> float:
    if len(samples) < 2:
        return float("nan")
    n = len(samples)
    mx = sum(t for t, _ in samples) / n
    my = sum(m for _, m in samples) / n
    var = sum((t - mx) ** 2 for t, _ in samples)
    return sum((t - mx) * (m - my) for t, m in samples) / var * 3600 if var else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--walls", type=int, default=20)
    parser.add_argument("--minutes", type=float, default=120)
    parser.add_argument("--warmup", type=float, default=10, help="minutes left out of the fit")
    parser.add_argument("--every", type=float, default=1.0, help="seconds between data changes")
    parser.add_argument("--sample", type=float, default=60, help="seconds between memory samples")
    parser.add_argument("--limit", type=float, default=10.0, help="MB allowed after warm-up")
    parser.add_argument("--json", type=Path, help="also write the samples here")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="wallboard-soak-"))
    with_walls = Server(folder, "with-walls")
    without = Server(folder, "without-walls")
    stop_writer = threading.Event()
    threading.Thread(target=writer, args=([with_walls.db, without.db], args.every, stop_writer), daemon=True).start()
    counter = [0]
    samples: dict[str, list[tuple[float, float]]] = {"with": [], "without": []}
    started = time.monotonic()

    async def run() -> None:
        stop = asyncio.Event()
        tasks = [asyncio.ensure_future(wall(with_walls.port, counter, stop)) for _ in range(args.walls)]
        print(f"{'min':>6} {'RSS with walls':>15} {'RSS without':>12} {'MB streamed':>12}", flush=True)
        end = started + args.minutes * 60
        while True:
            t = time.monotonic() - started
            a, b = rss_mb(with_walls.process.pid), rss_mb(without.process.pid)
            samples["with"].append((t, a))
            samples["without"].append((t, b))
            print(f"{t / 60:6.1f} {a:15.1f} {b:12.1f} {counter[0] / 1e6:12.1f}", flush=True)
            if time.monotonic() >= end:
                break
            await asyncio.sleep(min(args.sample, max(0.0, end - time.monotonic())))
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    try:
        asyncio.run(run())
    finally:
        stop_writer.set()
        with_walls.stop()
        without.stop()

    ok = True
    print()
    print(f"wallboard run; {args.walls} walls; a data change every {args.every:g} s; "
          f"{args.minutes:g} min, fit after {args.warmup:g} min warm-up")
    print(f"{'':16} {'slope MB/h':>11} {'min MB':>8} {'max MB':>8} {'spread MB':>10}")
    for key, label in (("with", f"{args.walls} walls"), ("without", "no walls")):
        kept = [(t, m) for t, m in samples[key] if t >= args.warmup * 60]
        values = [m for _, m in kept] or [float("nan")]
        spread = max(values) - min(values)
        print(f"{label:16} {slope_per_hour(kept):11.2f} {min(values):8.1f} {max(values):8.1f} {spread:10.1f}")
        if key == "with":
            ok = spread <= args.limit
    print(f"streamed {counter[0] / 1e6:.1f} MB to the walls; within {args.limit:g} MB after warm-up: "
          f"{'yes' if ok else 'NO'}")
    if args.json:
        args.json.write_text(json.dumps({"args": vars(args) | {"json": str(args.json)}, "samples": samples,
                                         "streamed": counter[0]}, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
