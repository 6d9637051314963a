"""Stuck walls dropped in a minute (issue 22, item 8), on a real uvicorn socket.

Fifty raw clients that never read (receive buffer 4 KB) and three live walls that do; data changes
all the time. The kernel would take megabytes for each stuck client before the loop's own buffer
grew, so only the bounded send buffer and the unacknowledged-bytes watch can drop them. The 60 s of
``NO_PROGRESS_AFTER`` is lowered to 3 s here; ``benchmarks/stuck_walls.py`` runs the real minute.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import demo_config
from tests.web.test_hub import SCREENS
from wallboard.live.messages import Message
from wallboard.runtime import Runtime
from wallboard.web.serve import streams
from wallboard.web.serve.server import create_asgi

STUCK, LIVE = 50, 3


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Runtime, object, str]]:
    import uvicorn

    path = tmp_path / "config.yaml"
    path.write_text(demo_config(f"sqlite:///{tmp_path / 'w.db'}", screens=SCREENS), encoding="utf-8")
    runtime = Runtime.from_path(path, collect=False)
    app = create_asgi(runtime)
    app.fanout._heartbeat = 1.0  # the fan-out looks at its walls every 0.5 s
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    yield runtime, app, f"http://127.0.0.1:{sock.getsockname()[1]}"
    runtime.hub.stop()
    server.should_exit = True
    thread.join(10)
    sock.close()
    runtime.store.close()


def _stuck_client(port: int) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.sendall(b"GET /api/stream/utama HTTP/1.1\r\nHost: wall\r\n\r\n")
    return sock  # never read


def _live(url: str, seen: dict[int, int], stop: threading.Event, index: int) -> None:
    with httpx.stream("GET", url + "/api/stream/utama", headers={"accept-encoding": "identity"},
                      timeout=30) as response:
        for line in response.iter_lines():
            if m := re.match(r'data: \{"n":(\d+)', line):
                seen[index] = int(m.group(1))
            if stop.is_set():
                return


def _wait(condition, timeout: float, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_walls_that_never_read_are_dropped_and_live_walls_go_on(served, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(streams, "NO_PROGRESS_AFTER", 3.0)
    runtime, app, url = served
    port = int(url.rsplit(":", 1)[1])
    seen: dict[int, int] = {}
    stop = threading.Event()
    readers = [threading.Thread(target=_live, args=(url, seen, stop, i), daemon=True) for i in range(LIVE)]
    for reader in readers:
        reader.start()
    stuck = [_stuck_client(port) for _ in range(STUCK)]
    _wait(lambda: app.fanout.stats()["walls"] == STUCK + LIVE, 20, "walls never all connected")
    walls = [w for ws in app.fanout.walls.values() for w in ws]
    sndbuf = walls[0].conn.get_extra_info("socket").getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
    assert sndbuf <= 2 * streams.SNDBUF  # the kernel doubles what it is given, and grows it no more

    n = 0
    started = time.monotonic()
    pad = "x" * 1500  # a delta of a busy screen: the stuck clients' windows fill in a second or two
    try:
        while app.fanout.dropped < STUCK:
            assert time.monotonic() - started < 30, f"only {app.fanout.dropped} of {STUCK} stuck walls dropped"
            n += 1
            runtime.hub._publish("utama", Message("delta", f'{{"n":{n},"pad":"{pad}"}}'), 0)
            time.sleep(0.2)
        assert app.fanout.dropped == STUCK  # not one live wall among them
        _wait(lambda: app.fanout.stats()["walls"] == LIVE, 5, "dropped walls still counted")
        n += 1
        runtime.hub._publish("utama", Message("delta", f'{{"n":{n}}}'), 0)
        _wait(lambda: len(seen) == LIVE and all(v == n for v in seen.values()), 10,
              f"live walls fell behind: {seen}, last {n}")
        metrics = httpx.get(url + "/metrics", timeout=10).text
        assert re.search(rf"^wallboard_walls_dropped_total {STUCK}(\.0)?$", metrics, re.M), metrics[:2000]
    finally:
        stop.set()
        runtime.hub._publish("utama", Message("delta", '{"n":0}'), 0)  # wakes the readers to see stop
        for sock in stuck:
            sock.close()
        for reader in readers:
            reader.join(10)
