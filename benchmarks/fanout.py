"""A thousand walls on one process: time to connect them, fan-out lag, server CPU and memory.

Starts `wallboard run` on a wall config, opens ``--walls`` stream clients (one asyncio process, as
many sockets), then commits a changed reading every ``--every`` seconds. Each reading's value
names its change, so every wall can tell when the change reached it: the lag is from the commit
to the moment a wall has the delta, over all walls and changes. Meanwhile it times ``/`` (the
home page must answer within 0.5 s while they are connected) and samples the server's CPU time
and memory: before the walls connect, with them connected (the difference over the walls is the
memory per connected wall), and after they all left (``RSS left``: what the process gives back
after a wave of walls disconnects; ``wallboard.web.serve.memory`` trims the heap at the next
heartbeat look).

    python benchmarks/fanout.py --walls 10000 --changes 30

    python benchmarks/fanout.py --walls 1000 --changes 30 [--gzip]
    python benchmarks/fanout.py --walls 1000 --changes 30 --database postgresql+psycopg://postgres@127.0.0.1:5432/test

The baseline in the same run is the same measurement with ``--baseline`` walls (default 10): what
a change costs when almost nobody is watching.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONFIG = """
site: {{name: Uji Seribu Layar, region: "12.75", timezone: Asia/Jakarta}}
database: {{url: "{db}"}}
sources:
  - {{id: simulasi, type: demo, every: 1h, backfill: 2d, indicators: [pengaduan_terbuka, tinggi_muka_air]}}
indicators:
  - {{id: pengaduan_terbuka, label: Pengaduan terbuka, unit: laporan, aggregate: last}}
  - {{id: tinggi_muka_air, label: Tinggi muka air, unit: cm, aggregate: last}}
screens:
  - id: utama
    grid: {{columns: 4, rows: 2}}
    panels:
      - {{id: pengaduan, type: kpi, indicator: pengaduan_terbuka, at: [0, 0], size: [2, 1]}}
      - {{id: air, type: kpi, indicator: tinggi_muka_air, at: [2, 0], size: [2, 1]}}
      - {{id: tren, type: trend, indicators: [tinggi_muka_air], window: 24h, at: [0, 1], size: [4, 1]}}
"""
MARK = re.compile(rb'"pengaduan--value":\{"children":"(\d+(?:\.\d+)*)"')
LEFT_WAIT = 20.0  # seconds after the walls left before the memory they held is read
BASE = 10_000  # change n is written as the value BASE + n, shown as "10.00n" with Indonesian grouping


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Dechunker:
    """HTTP/1.1 chunked framing taken off, as bytes arrive; then inflated when the stream is gzip."""

    def __init__(self, gzip: bool) -> None:
        self.buffer = b""
        self.headers_done = False
        self.inflater = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzip else None

    def feed(self, data: bytes) -> bytes:
        self.buffer += data
        if not self.headers_done:
            if b"\r\n\r\n" not in self.buffer:
                return b""
            self.buffer = self.buffer.split(b"\r\n\r\n", 1)[1]
            self.headers_done = True
        body = b""
        while b"\r\n" in self.buffer:
            size, rest = self.buffer.split(b"\r\n", 1)
            n = int(size, 16)
            if len(rest) < n + 2:
                break
            body, self.buffer = body + rest[:n], rest[n + 2:]
        return self.inflater.decompress(body) if self.inflater is not None else body


class Wall:
    def __init__(self, gzip: bool = False) -> None:
        self.greeted = asyncio.Event()
        self.seen: dict[int, float] = {}
        self.gzip = gzip

    async def run(self, port: int, stop: asyncio.Event) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        accept = b"Accept-Encoding: gzip\r\n" if self.gzip else b""
        writer.write(b"GET /api/stream/utama HTTP/1.1\r\nHost: bench\r\n" + accept + b"\r\n")
        body = Dechunker(self.gzip)
        tail = b""
        try:
            while not stop.is_set():
                data = await reader.read(65536)
                if not data:
                    break
                now = time.monotonic()
                chunk = body.feed(data)
                if b'"full":true' in chunk:
                    self.greeted.set()
                for match in MARK.finditer(tail + chunk):
                    n = int(match.group(1).replace(b".", b"")) - BASE
                    self.seen.setdefault(n, now)
                tail = chunk[-200:]
        finally:  # cancelled too: the socket is closed now, so the server sees the wall leave
            writer.close()


async def measure(port: int, pid: int, db: str, walls: int, changes: int, every: float,
                  gzip: bool = False) -> dict:
    from wallboard.records import Batch, Reading
    from wallboard.store import Run, Store

    stop = asyncio.Event()
    idle = rss_mb(pid)
    clients = [Wall(gzip) for _ in range(walls)]
    t0 = time.monotonic()
    tasks = []
    for wall in clients:  # connect in batches, as screens coming up after a power cut would
        tasks.append(asyncio.ensure_future(wall.run(port, stop)))
        if len(tasks) % 100 == 0:
            await asyncio.sleep(0)
    await asyncio.wait_for(asyncio.gather(*(w.greeted.wait() for w in clients)), 300)
    connect_s = time.monotonic() - t0
    store = Store.open(db)
    committed: dict[int, float] = {}
    home: list[float] = []
    cpu0, wall0, rss0 = cpu_seconds(pid), time.monotonic(), rss_mb(pid)
    for n in range(1, changes + 1):
        now = datetime.now(UTC)
        await asyncio.to_thread(store.write, "simulasi",
                                Batch(readings=[Reading("pengaduan_terbuka", "12.75", int(now.timestamp()) + n,
                                                        BASE + n)]))
        await asyncio.to_thread(store.record_run, Run("simulasi", now, now, True, 1, 0, None))
        committed[n] = time.monotonic()
        home.append(await asyncio.to_thread(time_home, port))
        await asyncio.sleep(max(0.0, every - (time.monotonic() - committed[n])))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not all(changes in w.seen for w in clients):
        await asyncio.sleep(0.1)
    cpu = cpu_seconds(pid) - cpu0
    elapsed = time.monotonic() - wall0
    rss1 = rss_mb(pid)
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    store.close()
    left = await settled_rss(pid, LEFT_WAIT)
    lags = [w.seen[n] - committed[n] for w in clients for n in committed if n in w.seen]
    missing = sum(1 for w in clients for n in committed if n not in w.seen)
    by_change = {n: sum(1 for w in clients if n not in w.seen) for n in committed}
    if missing:
        print(f"{walls} walls: walls that missed each change {by_change}", file=sys.stderr)
    return {"walls": walls, "connect_s": connect_s, "p50": pct(lags, 50), "p95": pct(lags, 95),
            "max": max(lags) if lags else float("nan"), "missing": missing, "home_max": max(home),
            "cpu_pct": 100 * cpu / elapsed, "rss0": rss0, "rss1": rss1, "idle": idle, "left": left,
            "kb_per_wall": 1024 * (max(rss0, rss1) - idle) / walls}


def time_home(port: int) -> float:
    """Seconds for ``/``, timed by curl in its own process: this process's loop is busy reading
    the walls' streams, and a request timed from it would add that wait to the server's answer."""
    done = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}",
                           f"http://127.0.0.1:{port}/"], capture_output=True, text=True, timeout=60, check=False)
    status, seconds = done.stdout.split()
    assert status == "200", done.stdout
    return float(seconds)


async def settled_rss(pid: int, seconds: float) -> float:
    """The server's RSS once the walls' disconnects were seen and a heartbeat look (every 5 s at
    most) had its chance to give memory back: the lowest figure over ``seconds``."""
    low = rss_mb(pid)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        low = min(low, rss_mb(pid))
    return low


def run_server(db: str, folder: Path, code: Path = ROOT) -> tuple[subprocess.Popen, int]:
    import httpx

    config = folder / "config.yaml"
    config.write_text(CONFIG.format(db=db), encoding="utf-8")
    port = free_port()
    log = (folder / "server.log").open("ab")
    process = subprocess.Popen([sys.executable, "-m", "wallboard.cli", "run", "--config", str(config),
                                "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, cwd=folder,
                               env={**os.environ, "PYTHONPATH": str(code)})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return process, port
        time.sleep(0.2)
    raise RuntimeError((folder / "server.log").read_text()[-3000:])


def raise_file_limit(walls: int) -> None:
    """As many open files as the OS lets an unprivileged process have (the server, started from
    here, inherits it): each wall is one socket on either side. Says so when that is too few."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else max(soft, walls + 1024)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft != resource.RLIM_INFINITY and soft < walls + 256:
        print(f"open-file limit {soft} is below {walls} walls + 256: raise it (ulimit -Hn, "
              "/etc/security/limits.conf) or ask for fewer walls", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--walls", type=int, default=1000)
    parser.add_argument("--baseline", type=int, default=10)
    parser.add_argument("--changes", type=int, default=30)
    parser.add_argument("--every", type=float, default=2.0, help="seconds between changes")
    parser.add_argument("--database", help="SQLAlchemy URL (default: a new SQLite file)")
    parser.add_argument("--gzip", action="store_true", help="walls ask for gzip, as every browser does")
    parser.add_argument("--code", type=Path, default=ROOT,
                        help="the wallboard checkout the server runs (another worktree: before/after)")
    args = parser.parse_args()
    raise_file_limit(args.walls)
    sys.path.insert(0, str(args.code))  # the store this process writes to is that checkout's too

    rows = []
    for walls in (args.baseline, args.walls):
        folder = Path(tempfile.mkdtemp(prefix="wallboard-fanout-"))
        db = args.database or f"sqlite:///{folder / 'w.db'}"
        process, port = run_server(db, folder, args.code)
        try:
            rows.append(asyncio.run(measure(port, process.pid, db, walls, args.changes, args.every, args.gzip)))
        finally:
            process.terminate()
            process.wait(20)
    print(f"{'walls':>6} {'connect s':>10} {'lag p50 s':>10} {'lag p95 s':>10} {'lag max s':>10} {'missed':>7} "
          f"{'/ max s':>8} {'CPU %':>7} {'RSS MB idle → with → left':>27} {'KB/wall':>8}")
    for r in rows:
        print(f"{r['walls']:6d} {r['connect_s']:10.2f} {r['p50']:10.3f} {r['p95']:10.3f} {r['max']:10.3f} "
              f"{r['missing']:7d} {r['home_max']:8.3f} {r['cpu_pct']:7.1f} "
              f"{r['idle']:7.1f} → {max(r['rss0'], r['rss1']):7.1f} → {r['left']:7.1f} {r['kb_per_wall']:8.1f}")
    big = rows[-1]
    ok = big["p95"] <= 1.0 and big["home_max"] <= 0.5 and big["missing"] == 0
    print(f"targets (p95 lag <= 1 s, / within 0.5 s, every wall got every change): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
