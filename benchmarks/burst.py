"""5,000 connection attempts in a burst against `wallboard run`: walls already open keep streaming.

Opens ``--walls`` wall streams, then makes ``--burst`` TCP connections as fast as the machine
allows (each sends half a request line and hangs, the cheapest way to hold a server's attention),
holds them for a few seconds and drops them. Meanwhile it records the largest gap between two
messages on every open wall (the config asks for a heartbeat every 2 s, ``site.heartbeat``, so a
quiet wall hears something every 2 s; the browser would call the link lost after 5 s) and times
``/api/health`` and ``/`` during and after the burst.

Targets: no open wall sees a gap of 5 s or more; ``/`` answers within 2 s after the burst.

    python benchmarks/burst.py [--walls 20] [--burst 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx  # noqa: E402
from wall_common import config_text, free_port, machine, seed, start_process, stop_process  # noqa: E402


async def wall(url: str, gaps: list[float], stop: asyncio.Event) -> None:
    async with httpx.AsyncClient(timeout=30) as client, client.stream("GET", url) as response:
        last = time.monotonic()
        async for _ in response.aiter_raw():
            now = time.monotonic()
            gaps.append(now - last)
            last = now
            if stop.is_set():
                return


async def attempt(port: int, held: list, failed: list) -> None:
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 10)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n")  # and never finish the request
        held.append(writer)
    except (OSError, TimeoutError) as exc:
        failed.append(type(exc).__name__)


async def timed_get(url: str) -> float:
    t0 = time.monotonic()
    async with httpx.AsyncClient(timeout=30) as client:
        (await client.get(url)).raise_for_status()
    return time.monotonic() - t0


async def run(base: str, port: int, walls: int, burst: int, hold: float) -> dict:
    stop = asyncio.Event()
    gaps: list[list[float]] = [[] for _ in range(walls)]
    tasks = [asyncio.create_task(wall(base + "/api/stream/utama", g, stop)) for g in gaps]
    await asyncio.sleep(3)
    for g in gaps:
        g.clear()  # gaps during the burst only
    held: list = []
    failed: list = []
    t0 = time.monotonic()
    health_during = asyncio.create_task(timed_get(base + "/api/health"))
    await asyncio.gather(*(attempt(port, held, failed) for _ in range(burst)))
    connect_all = time.monotonic() - t0
    home_during = await timed_get(base + "/")
    await asyncio.sleep(hold)
    for writer in held:
        writer.close()
    home_after = await timed_get(base + "/")
    await asyncio.sleep(2.5)  # one more heartbeat period after the burst
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "connected": len(held), "failed": len(failed), "connect_all": connect_all,
        "health_during": await health_during, "home_during": home_during, "home_after": home_after,
        "max_gap": max((max(g) for g in gaps if g), default=float("inf")),
        "walls_alive": sum(1 for t in tasks if t.cancelled() or not t.exception()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--walls", type=int, default=20)
    parser.add_argument("--burst", type=int, default=5000)
    parser.add_argument("--hold", type=float, default=5.0, help="seconds the burst's connections stay open")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, args.burst + 1000)), hard))
    tmp = Path(tempfile.mkdtemp(prefix="burst-"))
    db_url = f"sqlite:///{tmp / 'bench.db'}"
    seed(db_url)
    config = tmp / "config.yaml"
    config.write_text(config_text(db_url, heartbeat="2s"), encoding="utf-8")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_process([sys.executable, "-m", "wallboard.cli", "run", "--config", str(config), "--port", str(port)],
                         base + "/api/health", tmp / "server.log")
    try:
        got = asyncio.run(run(base, port, args.walls, args.burst, args.hold))
    finally:
        stop_process(proc)
    ok_gap = got["max_gap"] < 5.0
    ok_home = got["home_after"] <= 2.0
    print(f"\nMachine: {machine()}")
    print(f"{args.walls} walls open, then {args.burst:,} connection attempts held {args.hold:g} s\n")
    print(f"| {'metric':44} | {'value':>10} | {'target':>8} | ok  |")
    print(f"|{'-' * 46}|{'-' * 12}|{'-' * 10}|-----|")
    rows = [
        ("largest gap between messages on an open wall", f"{got['max_gap']:.2f} s", "< 5 s", ok_gap),
        ("/ answered after the burst", f"{got['home_after']:.2f} s", "<= 2 s", ok_home),
        ("/ answered during the burst", f"{got['home_during']:.2f} s", "", None),
        ("/api/health answered during the burst", f"{got['health_during']:.2f} s", "", None),
        ("burst connections accepted / failed", f"{got['connected']} / {got['failed']}", "", None),
        ("time to make every connection", f"{got['connect_all']:.2f} s", "", None),
    ]
    for name, value, target, ok in rows:
        print(f"| {name:44} | {value:>10} | {target:>8} | {'' if ok is None else 'yes' if ok else 'NO':3} |")
    return 0 if ok_gap and ok_home else 1


if __name__ == "__main__":
    sys.exit(main())
