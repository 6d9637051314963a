"""The reference 12-panel wall shared by the wall benchmarks: its data, config, writer and servers.

6 kpi, 4 trends of 30 days hourly, 1 bar (by kecamatan) and 1 events list, on one SQLite store.
One indicator (``k1``, shown by the first kpi and the first trend) changes every few seconds,
written the way a collector writes (one transaction, then a recorded run that moves the data
version the hub watches).
"""

from __future__ import annotations

import os
import platform
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wallboard.records import Batch, Event, Reading  # noqa: E402
from wallboard.store import Run, Store  # noqa: E402

CHROMIUM = os.environ.get("WALLBOARD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-background-timer-throttling",
                 "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows"]
CITY = "12.75"
KECAMATAN = [f"12.75.0{i}" for i in range(1, 6)]
KPIS = ["k1", "k2", "k3", "k4", "k5", "k6"]
TRENDS = ["k1", "t2", "t3", "t4"]  # the changing indicator is on a kpi and a trend
BAR = "izin"
EVENTS_SOURCE = "laporan"
SERIES_DAYS = 30

# (panel id, type, extra keys, at, size) on a 12 x 8 grid
PANELS = (
    [(f"kpi{n + 1}", "kpi", f"indicator: {ind}", (2 * n, 0), (2, 2)) for n, ind in enumerate(KPIS)]
    + [(f"tren{n + 1}", "trend", f"indicators: [{ind}], window: {SERIES_DAYS}d", at, (4, 3))
       for n, (ind, at) in enumerate(zip(TRENDS, [(0, 2), (4, 2), (8, 2), (0, 5)], strict=True))]
    + [("batang", "bar", f"indicator: {BAR}, by: region", (4, 5), (4, 3)),
       ("laporan", "events", f"source: {EVENTS_SOURCE}, limit: 12", (8, 5), (4, 3))]
)


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    system = f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    return f"{os.cpu_count()} CPUs (nproc), {model}, {system}"


def config_text(db_url: str, heartbeat: str | None = None) -> str:
    indicators = sorted(set(KPIS + TRENDS + [BAR]))
    ind_lines = "\n".join(f"  - {{id: {i}, label: Indikator {i}, unit: unit, aggregate: last, stale_after: 1h}}"
                          for i in indicators if i != BAR)
    ind_lines += f"\n  - {{id: {BAR}, label: Izin per kecamatan, unit: izin, aggregate: sum, stale_after: 1d}}"
    panel_lines = "\n".join(
        f"      - {{id: {pid}, type: {kind}, {extra}, at: [{at[0]}, {at[1]}], size: [{size[0]}, {size[1]}]}}"
        for pid, kind, extra, at, size in PANELS
    )
    beat = f", heartbeat: {heartbeat}" if heartbeat else ""
    return f"""
site: {{name: Benchmark Wall, region: "{CITY}", timezone: Asia/Jakarta{beat}}}
database: {{url: "{db_url}"}}
sources:
  # only so the events panel has a source; its one run at start-up writes an unshown indicator
  - {{id: {EVENTS_SOURCE}, type: demo, every: 1000d, backfill: 1h, indicators: [diam]}}
indicators:
{ind_lines}
  - {{id: diam, label: Tidak ditampilkan}}
screens:
  - id: utama
    grid: {{columns: 12, rows: 8}}
    panels:
{panel_lines}
"""


def seed(db_url: str) -> None:
    """30 days of hourly history for the trends, a latest value for every kpi, bars and events."""
    store = Store.open(db_url)
    now = int(time.time())
    hour = now // 3600 * 3600
    readings = []
    for n, ind in enumerate(sorted(set(TRENDS))):
        for h in range(SERIES_DAYS * 24 + 1):
            ts = hour - (SERIES_DAYS * 24 - h) * 3600
            readings.append(Reading(ind, CITY, ts, 100 + 50 * n + (h * 7 % 37)))
    for n, ind in enumerate(KPIS[1:]):
        readings.append(Reading(ind, CITY, now - 60, 200 + n))
    for n, kec in enumerate(KECAMATAN):
        readings.append(Reading(BAR, kec, now - 60, 10 + 3 * n))
    events = [
        Event(f"r{n}", datetime.now(UTC) - timedelta(minutes=5 * n), "baru" if n % 3 else "proses",
              f"Laporan warga nomor {n}", "Infrastruktur", KECAMATAN[n % 5])
        for n in range(12)
    ]
    store.write("seed", Batch(readings=readings))
    store.write(EVENTS_SOURCE, Batch(events=events))
    stamp = datetime.now(UTC)
    store.record_run(Run(EVENTS_SOURCE, stamp, stamp, True, len(events), 0, None))
    store.close()


class Writer(threading.Thread):
    """Writes a new value of ``k1`` every ``period`` seconds and remembers when each was committed."""

    def __init__(self, db_url: str, period: float, notify=None):  # noqa: ANN001
        super().__init__(daemon=True, name="bench-writer")
        self.store = Store.open(db_url)
        self.period = period
        self.notify = notify
        self.commits: list[tuple[int, float]] = []  # (value, epoch seconds at commit)
        self.stop_flag = threading.Event()
        self.count = 0

    def next_value(self) -> int:
        return 100 + self.count % 800  # distinct from its neighbours, shown without separators

    def write_once(self) -> None:
        value = self.next_value()
        now = datetime.now(UTC)
        self.store.write("bench", Batch(readings=[Reading("k1", CITY, int(now.timestamp()), value)]))
        self.store.record_run(Run("bench", now, now, True, 1, 0, None))
        self.commits.append((value, time.time()))
        self.count += 1
        if self.notify is not None:
            self.notify()

    def run(self) -> None:
        next_at = time.monotonic()
        while not self.stop_flag.is_set():
            self.write_once()
            next_at += self.period
            self.stop_flag.wait(max(0.0, next_at - time.monotonic()))

    def stop(self) -> None:
        self.stop_flag.set()
        self.join(5)
        self.store.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_process(args: list[str], url: str, log: Path, timeout: float = 60) -> subprocess.Popen:
    out = open(log, "ab")  # noqa: SIM115
    proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, cwd=str(log.parent))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{args} exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{args} did not come up:\n{log.read_text()[-3000:]}")


def stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)
