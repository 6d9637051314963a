"""A wall server must run for weeks: streaming must not cost memory per byte streamed.

The server this replaced (waitress) kept every byte of an endless response in the connection's
buffer, so its memory grew by about what the walls received. Here a real `wallboard run` streams
several megabytes to a few walls that read everything; its resident memory may not grow by more
than a small fraction of that. A two-hour soak with figures is ``benchmarks/soak.py``.
"""

from __future__ import annotations

import socket
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from tests.conftest import demo_config
from wallboard.records import Batch, Event
from wallboard.store import Run, Store

WALLS = 8
ENOUGH = 8_000_000  # bytes streamed in the measured phase
SCREENS = """
  - id: utama
    grid: {columns: 4, rows: 4}
    panels:
      - {id: laporan, type: events, source: simulasi, limit: 20, at: [0, 0], size: [4, 4]}
"""


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def test_memory_does_not_grow_with_the_bytes_streamed(tmp_path: Path, wall_server) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    server = wall_server(demo_config(url, every="1h", screens=SCREENS))
    received = [0] * WALLS
    stop = threading.Event()

    def wall(n: int) -> None:
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(b"GET /api/stream/utama HTTP/1.1\r\nHost: wall\r\n\r\n")
            sock.settimeout(1)
            while not stop.is_set():
                try:
                    chunk = sock.recv(1 << 16)
                except TimeoutError:
                    continue
                if not chunk:
                    return
                received[n] += len(chunk)

    def write_events() -> None:
        """Twenty new long-titled events per write: every row of the panel changes each time."""
        store = Store.open(url)
        n = 0
        while not stop.wait(0.2):
            now = datetime.now(UTC)
            events = [Event(f"e{n}-{i}", now, "baru", f"Laporan {n}-{i} " + "jalan rusak " * 50, "uji", "12.75.01")
                      for i in range(20)]
            store.write("simulasi", Batch(events=events))
            store.record_run(Run("simulasi", now, now, True, len(events), 0, None))
            n += 1
        store.close()

    threads = [threading.Thread(target=wall, args=(n,), daemon=True) for n in range(WALLS)]
    threads.append(threading.Thread(target=write_events, daemon=True))
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + 30
        while not all(received):
            assert time.monotonic() < deadline, "the walls never connected"
            time.sleep(0.1)
        deadline = time.monotonic() + 60
        while sum(received) < 2_000_000:  # warm-up: allocators and caches settle
            assert time.monotonic() < deadline, "the walls received too little"
            time.sleep(0.1)
        before, streamed_before = rss_bytes(server.process.pid), sum(received)
        deadline = time.monotonic() + 120
        while sum(received) - streamed_before < ENOUGH:
            assert time.monotonic() < deadline, f"only {sum(received) - streamed_before} bytes streamed"
            time.sleep(0.1)
        growth = rss_bytes(server.process.pid) - before
        streamed = sum(received) - streamed_before
    finally:
        stop.set()
        for t in threads:
            t.join(5)
    assert httpx.get(server.url + "/api/health").status_code == 200
    # waitress grew by about 1 byte per byte streamed; allow 5 % for allocator noise.
    assert growth < 0.05 * streamed, f"memory grew {growth / 1e6:.1f} MB while streaming {streamed / 1e6:.1f} MB"
