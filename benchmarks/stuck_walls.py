"""Walls that stop reading, dropped within a minute and a half on the real server (issue 22, item 8).

Starts ``wallboard run`` on the reference 12-panel wall, writes a new value every second, opens
``--stuck`` raw connections to ``/api/stream/utama`` with a 4 KB receive buffer that never read and
``--live`` walls that do, and watches ``/metrics`` until ``wallboard_walls_dropped_total`` counts
every stuck one. Before the fix the kernel grew each stuck socket's send buffer to ~4 MB and nothing
was dropped for over an hour; now the server's ``NO_PROGRESS_AFTER`` (60 s) does it.

    python benchmarks/stuck_walls.py [--stuck 50] [--live 3] [--limit 90] [--gzip]
"""

from __future__ import annotations

import argparse
import re
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from wall_common import Writer, config_text, free_port, machine, seed, start_process, stop_process  # noqa: E402


def stuck_client(port: int, gzip: bool) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    encoding = b"Accept-Encoding: gzip\r\n" if gzip else b""
    sock.sendall(b"GET /api/stream/utama HTTP/1.1\r\nHost: wall\r\n" + encoding + b"\r\n")
    return sock


class Live(threading.Thread):
    """A wall that reads: when it last received anything, and whether its stream is still open."""

    def __init__(self, base: str):
        super().__init__(daemon=True)
        self.base, self.last, self.open, self.messages = base, 0.0, False, 0

    def run(self) -> None:
        with httpx.stream("GET", self.base + "/api/stream/utama", timeout=120) as response:
            self.open = True
            for _ in response.iter_raw():
                self.last = time.monotonic()
                self.messages += 1
        self.open = False


def dropped(base: str) -> int:
    text = httpx.get(base + "/metrics", timeout=10).text
    found = re.search(r"^wallboard_walls_dropped_total (\d+)", text, re.M)
    return int(found.group(1)) if found else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stuck", type=int, default=50)
    parser.add_argument("--live", type=int, default=3)
    parser.add_argument("--limit", type=float, default=90.0, help="seconds allowed until every stuck wall is dropped")
    parser.add_argument("--gzip", action="store_true", help="the stuck clients ask for gzip")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="stuck-"))
    db_url = f"sqlite:///{tmp / 'bench.db'}"
    seed(db_url)
    config = tmp / "config.yaml"
    config.write_text(config_text(db_url), encoding="utf-8")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_process([sys.executable, "-m", "wallboard.cli", "run", "--config", str(config), "--port", str(port)],
                         base + "/api/health", tmp / "server.log")
    writer = Writer(db_url, 1.0)
    writer.start()
    lives = [Live(base) for _ in range(args.live)]
    socks: list[socket.socket] = []
    try:
        for live in lives:
            live.start()
        started = time.monotonic()
        socks = [stuck_client(port, args.gzip) for _ in range(args.stuck)]
        took = None
        while time.monotonic() - started < args.limit + 30:
            if dropped(base) >= args.stuck:
                took = time.monotonic() - started
                break
            time.sleep(1.0)
        time.sleep(3.0)
        count = dropped(base)
        fresh = sum(1 for live in lives if live.open and time.monotonic() - live.last < 5)
    finally:
        for sock in socks:
            sock.close()
        writer.stop()
        stop_process(proc)
    ok = took is not None and took <= args.limit and count == args.stuck and fresh == args.live
    print(f"\nMachine: {machine()}")
    print(f"{args.stuck} stuck clients (4 KB receive buffer{', gzip' if args.gzip else ''}), {args.live} live walls, "
          "a new value every second\n")
    print(f"| {'metric':40} | {'value':>10} | {'target':>10} |")
    print(f"|{'-' * 42}|{'-' * 12}|{'-' * 12}|")
    print(f"| {'every stuck wall dropped after':40} | {(f'{took:.0f} s' if took else 'never'):>10} | "
          f"{f'<= {args.limit:g} s':>10} |")
    print(f"| {'wallboard_walls_dropped_total':40} | {count:>10} | {args.stuck:>10} |")
    print(f"| {'live walls still receiving':40} | {fresh:>10} | {args.live:>10} |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
