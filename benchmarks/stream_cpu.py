"""What one wall costs per message in wallboard's own Python, with the socket taken out.

Connects ``--walls`` streams to the real ``StreamEndpoint`` in-process, with an ASGI ``send`` that
only counts, then hands the fan-out ``--messages`` deltas the size of a real one and measures the
process CPU per wall and message, plain and gzip, both ways a message reaches a wall: through the
wall's queue and the ASGI ``send`` (any ASGI server), and written by the fan-out itself (uvicorn,
``Wall.write_now``; gzip walls from the screen's shared blocks once caught up). What this leaves
out (the transport's write and the kernel's) is the rest of the MARGINAL figure of
``wall_traffic.py``.

    python benchmarks/stream_cpu.py [--walls 200] [--messages 200]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from wall_common import config_text, machine, seed  # noqa: E402

from wallboard.live.messages import Message  # noqa: E402
from wallboard.runtime import Runtime  # noqa: E402
from wallboard.web.serve import sse  # noqa: E402
from wallboard.web.serve.streams import Fanout, StreamEndpoint  # noqa: E402

DELTA = Message("delta", '{"v":5,"p":{"kpi1":{"data-updated":"2026-11-29T12:08:39+07:00"},'
                '"kpi1--value":{"children":"102"},"tren1":{"data-updated":"2026-11-29T12:08:39+07:00"},'
                '"tren1--graph":{"figure":{"__dash_patch_update":"__dash_patch_update","operations":'
                '[{"operation":"Assign","location":["data",0,"y",720],"params":{"value":102.0}}]}}}}')


class Stub:
    """An ASGI client that never blocks: counts what it is sent, hangs up when told."""

    def __init__(self) -> None:
        self.sent = 0
        self.leave = asyncio.Event()

    async def receive(self) -> dict:
        await self.leave.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: dict) -> None:
        self.sent += 1


async def greeted_walls(runtime: Runtime, walls: int, gzip: bool) -> tuple[Fanout, list[Stub], list]:
    """``walls`` streams connected to the real endpoint, each past its response start and greeting."""
    fanout = Fanout(runtime.hub, heartbeat=3600)
    endpoint = StreamEndpoint(runtime, fanout)
    stubs = [Stub() for _ in range(walls)]
    headers = [(b"accept-encoding", b"gzip")] if gzip else []
    scope = {"type": "http", "method": "GET", "path": "/api/stream/utama", "headers": headers}
    tasks = [asyncio.ensure_future(endpoint(dict(scope), s.receive, s.send)) for s in stubs]
    while sum(s.sent for s in stubs) < 2 * walls:  # response start and greeting
        await asyncio.sleep(0.01)
    return fanout, stubs, tasks


async def measure(runtime: Runtime, walls: int, messages: int, gzip: bool) -> float:
    fanout, stubs, tasks = await greeted_walls(runtime, walls, gzip)
    start = time.process_time()
    for n in range(messages):
        fanout._dispatch("utama", DELTA, 0, time.monotonic())
        while stubs[-1].sent < 3 + n:  # the last wall has it: every wall has
            await asyncio.sleep(0)
    spent = time.process_time() - start
    for s in stubs:
        s.leave.set()
    await asyncio.gather(*tasks)
    return spent / (walls * messages)


class CountingTransport:
    """What ``Wall.write_now`` needs of uvicorn's transport, counting instead of sending."""

    def __init__(self) -> None:
        self.written = 0

    def is_closing(self) -> bool:
        return False

    def get_write_buffer_size(self) -> int:
        return 0

    def write(self, data: bytes) -> None:
        self.written += len(data)


async def measure_direct(runtime: Runtime, walls: int, messages: int, gzip: bool) -> float:
    """The path under uvicorn: greeted walls are written by the fan-out itself (``Wall.write_now``),
    gzip walls from the screen's shared blocks (each message compressed once for all)."""
    fanout, stubs, tasks = await greeted_walls(runtime, walls, gzip)
    transports = []
    for wall in fanout.walls["utama"]:
        wall.transport = CountingTransport()  # as the endpoint does with uvicorn's
        if wall.gzip:
            wall.compressor, wall.fresh = None, True
        transports.append(wall.transport)
    start = time.process_time()
    for _ in range(messages):
        fanout._dispatch("utama", DELTA, 0, time.monotonic())
    spent = time.process_time() - start
    assert all(t.written for t in transports)
    for wall in list(fanout.walls["utama"]):
        wall.transport = None
    for s in stubs:
        s.leave.set()
    await asyncio.gather(*tasks)
    return spent / (walls * messages)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--walls", type=int, default=200)
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{tmp}/bench.db"
        seed(db_url)
        config = Path(tmp) / "config.yaml"
        config.write_text(config_text(db_url), encoding="utf-8")
        runtime = Runtime.from_path(config, collect=False)
        plain = asyncio.run(measure(runtime, args.walls, args.messages, gzip=False))
        gzipped = asyncio.run(measure(runtime, args.walls, args.messages, gzip=True))
        direct_plain = asyncio.run(measure_direct(runtime, args.walls, args.messages, gzip=False))
        direct_gzip = asyncio.run(measure_direct(runtime, args.walls, args.messages, gzip=True))
        runtime.store.close()
    print(f"\nMachine: {machine()}")
    size = len(sse.frame(DELTA).encode())
    print(f"{args.walls} walls, {args.messages} deltas of {size} bytes, the socket replaced by a counter\n")
    print("| stream | through the wall's queue and ASGI send (other servers) | written by the fan-out (uvicorn) |")
    print("|---|---|---|")
    print(f"| plain | {plain * 1e6:.1f} µs | {direct_plain * 1e6:.1f} µs |")
    print(f"| gzip | {gzipped * 1e6:.1f} µs | {direct_gzip * 1e6:.1f} µs |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
