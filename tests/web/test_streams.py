"""Walls' streams on the event loop: greeting, deltas, heartbeats, and what a wall may hold.

The endpoint is driven here through ASGI in-process (fake ``send``/``receive``) and through a real
uvicorn server on a socket, for the cases only a real socket shows: a browser that stops reading.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import demo_config
from tests.web.conftest import run
from tests.web.test_hub import SCREENS, write
from wallboard.live.messages import Message
from wallboard.runtime import Runtime
from wallboard.web.serve import streams
from wallboard.web.serve.server import WallboardASGI, create_asgi
from wallboard.web.serve.streams import Fanout, StreamEndpoint


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    path = tmp_path / "config.yaml"
    path.write_text(demo_config(f"sqlite:///{tmp_path / 'w.db'}", screens=SCREENS), encoding="utf-8")
    rt = Runtime.from_path(path, collect=False)
    yield rt
    rt.store.close()


class Client:
    """An ASGI client for one stream: what was sent, and a way to hang up or to stop reading."""

    def __init__(self) -> None:
        self.body = b""
        self.status: int | None = None
        self.complete = False
        self.disconnect = asyncio.Event()
        self.stuck = asyncio.Event()  # set: every write blocks, as to a full TCP window
        self.aborted = False
        self.transport = self  # what streams._aborter looks for on send.__self__

    def abort(self) -> None:
        self.aborted = True
        self.stuck.clear()

    async def receive(self) -> dict:
        await self.disconnect.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: dict) -> None:
        while self.stuck.is_set():
            await asyncio.sleep(0.01)
        if message["type"] == "http.response.start":
            self.status = message["status"]
        else:
            self.body += message.get("body", b"")
            self.complete = not message.get("more_body", False)

    def events(self) -> list[str]:
        return [chunk.split("\n")[0] for chunk in self.body.decode().split("\n\n") if chunk]


async def until(condition, timeout: float = 5.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.005)


def scope(screen: str) -> dict:
    return {"type": "http", "method": "GET", "path": f"/api/stream/{screen}", "headers": []}


def test_greeting_then_deltas_then_heartbeats_then_the_end(runtime: Runtime, monkeypatch) -> None:
    hub = runtime.hub
    fanout = Fanout(hub, heartbeat=0.05)
    endpoint = StreamEndpoint(runtime, fanout)

    async def main() -> None:
        client = Client()
        task = asyncio.ensure_future(endpoint(scope("kedua"), client.receive, client.send))
        await until(lambda: b'"full":true' in client.body)
        assert client.status == 200 and client.events()[:2] == ["retry: 2000", "event: delta"]
        assert fanout.stats()["walls"] == 1
        await asyncio.to_thread(write, runtime, "pengaduan_terbuka", 33)
        await asyncio.to_thread(hub.rebuild)
        await until(lambda: b'"children":"33"' in client.body)
        await until(lambda: client.body.endswith(b"data:1\n\n"))  # a heartbeat when quiet
        hub.stop()  # a server stopping ends every stream properly
        await asyncio.wait_for(task, 5)
        assert client.complete and fanout.stats()["walls"] == 0 and fanout.bytes_sent == len(client.body)

    run(main())


def test_a_delta_already_in_the_greeting_is_not_sent_again(runtime: Runtime) -> None:
    """A trend's "append a point" applied twice would draw the point twice."""
    hub = runtime.hub
    fanout = Fanout(hub)
    endpoint = StreamEndpoint(runtime, fanout)

    async def main() -> None:
        fanout.start()
        write(runtime, "pengaduan_terbuka", 44)
        hub.rebuild()  # its delta is handed to the loop, but not yet dispatched...
        client = Client()
        task = asyncio.ensure_future(endpoint(scope("kedua"), client.receive, client.send))
        await until(lambda: b'"full":true' in client.body)  # ...when the wall is greeted with it
        write(runtime, "pengaduan_terbuka", 45)
        hub.rebuild()
        await until(lambda: b'"children":"45"' in client.body)
        assert client.body.count(b'"children":"44"') == 1  # in the full view only
        client.disconnect.set()
        await asyncio.wait_for(task, 5)

    run(main())


def test_a_delta_held_back_until_after_the_greeting_is_skipped_on_the_queued_path(runtime: Runtime) -> None:
    """The race itself, made certain: the hub publishes a change, the wall is greeted with a full view
    that holds it, and only then does the loop dispatch the change's delta to the wall's queue (the
    in-process client takes the queued path, as HEAD requests and other servers do). Applied twice, a
    trend's "append a point" would draw the point twice."""
    hub = runtime.hub
    fanout = Fanout(hub)
    endpoint = StreamEndpoint(runtime, fanout)
    held: list[tuple] = []

    async def main() -> None:
        fanout.start()
        fanout.deliver = lambda *handed: held.append(handed)  # the hub's hand-over, held back
        await asyncio.to_thread(write, runtime, "pengaduan_terbuka", 44)
        await asyncio.to_thread(hub.rebuild)
        assert any(screen == "kedua" and seq for screen, _message, seq in held)
        client = Client()
        task = asyncio.ensure_future(endpoint(scope("kedua"), client.receive, client.send))
        await until(lambda: b'"full":true' in client.body and b'"children":"44"' in client.body)
        [wall] = fanout.walls["kedua"]
        assert wall.transport is None  # the queued path
        del fanout.deliver
        for handed in held:  # now the loop dispatches the delta the full view already holds
            fanout.deliver(*handed)
        await asyncio.to_thread(write, runtime, "pengaduan_terbuka", 45)
        await asyncio.to_thread(hub.rebuild)
        await until(lambda: b'"children":"45"' in client.body)
        assert client.body.count(b'"children":"44"') == 1  # in the full view only
        client.disconnect.set()
        await asyncio.wait_for(task, 5)

    run(main())


def test_a_closed_wall_is_released_at_once(runtime: Runtime, monkeypatch) -> None:
    fanout = Fanout(runtime.hub, heartbeat=60.0)  # not at the next heartbeat: now
    endpoint = StreamEndpoint(runtime, fanout)

    async def main() -> None:
        clients = [Client() for _ in range(3)]
        tasks = [asyncio.ensure_future(endpoint(scope("utama"), c.receive, c.send)) for c in clients]
        await until(lambda: fanout.stats()["walls"] == 3)
        clients[1].disconnect.set()
        await asyncio.wait_for(tasks[1], 1)
        assert fanout.stats() == {"walls": 2, "dropped": 0, "bytes_sent": fanout.bytes_sent, "connected": 3}
        assert fanout.walls["utama"] and all(w.queue.qsize() == 0 for w in fanout.walls["utama"])
        for c in clients:
            c.disconnect.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 1)
        assert fanout.walls == {}

    run(main())


def test_a_wall_that_stops_reading_is_dropped_and_aborted(runtime: Runtime, monkeypatch) -> None:
    monkeypatch.setattr(streams, "STUCK_AFTER", 0.3)
    fanout = Fanout(runtime.hub, heartbeat=0.05)
    endpoint = StreamEndpoint(runtime, fanout)

    async def main() -> None:
        stuck, fine = Client(), Client()
        tasks = [asyncio.ensure_future(endpoint(scope("utama"), c.receive, c.send)) for c in (stuck, fine)]
        await until(lambda: fanout.stats()["walls"] == 2)
        stuck.stuck.set()
        runtime.hub._publish("utama", Message("delta", "{}"), 0)
        await until(lambda: stuck.aborted)  # its connection is cut, its buffers with it
        assert fanout.stats()["walls"] == 1 and fanout.dropped == 1
        await asyncio.wait_for(tasks[0], 1)
        fine.disconnect.set()
        await asyncio.wait_for(tasks[1], 1)

    run(main())


def test_a_wall_whose_queue_overflows_is_dropped(runtime: Runtime, monkeypatch) -> None:
    monkeypatch.setattr(streams, "QUEUE_LIMIT", 5)
    monkeypatch.setattr(streams, "STUCK_AFTER", 60.0)
    fanout = Fanout(runtime.hub)
    endpoint = StreamEndpoint(runtime, fanout)

    async def main() -> None:
        client = Client()
        task = asyncio.ensure_future(endpoint(scope("utama"), client.receive, client.send))
        await until(lambda: b'"full":true' in client.body)
        client.stuck.set()
        for _ in range(12):
            runtime.hub._publish("utama", Message("delta", "{}"), 0)
        await until(lambda: client.aborted)
        assert fanout.dropped == 1 and fanout.stats()["walls"] == 0
        await asyncio.wait_for(task, 1)

    run(main())


def test_unknown_screens_and_methods_are_refused(runtime: Runtime) -> None:
    endpoint = StreamEndpoint(runtime, Fanout(runtime.hub))

    async def call(method: str, screen: str) -> Client:
        client = Client()
        await endpoint({**scope(screen), "method": method}, client.receive, client.send)
        return client

    assert run(call("GET", "nope")).status == 404
    assert run(call("POST", "utama")).status == 405


# a real socket ---------------------------------------------------------------------------------

@pytest.fixture
def served(runtime: Runtime) -> Iterator[tuple[WallboardASGI, str]]:
    """The real ASGI app under uvicorn in this process, on a port the kernel picked."""
    import uvicorn

    app = create_asgi(runtime)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    yield app, url
    runtime.hub.stop()
    server.should_exit = True
    thread.join(10)
    sock.close()


def test_pages_and_streams_share_one_server(served) -> None:  # noqa: ANN001
    app, url = served
    assert httpx.get(url + "/").status_code == 200
    assert httpx.get(url + "/api/health").json()["hub"]["walls"] == 0
    with httpx.stream("GET", url + "/api/stream/utama", timeout=10) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["x-accel-buffering"] == "no"
        lines = response.iter_lines()
        assert next(lines) == "retry: 2000"
        assert httpx.get(url + "/api/health").json()["hub"]["walls"] == 1
    deadline = time.monotonic() + 5
    while app.fanout.stats()["walls"]:
        assert time.monotonic() < deadline, "a closed stream still counts as a wall"
        time.sleep(0.01)


def test_under_uvicorn_messages_go_straight_to_the_socket_in_order(served, runtime) -> None:  # noqa: ANN001
    """Once greeted, a wall's messages are written by the fan-out itself (no task step per wall),
    compressed and chunked as ``send`` would; plain and gzip walls read the same deltas in order."""
    app, url = served
    seen: dict[str, list[str]] = {"gzip": [], "identity": []}
    ready = threading.Barrier(3)

    def read(encoding: str) -> None:
        with httpx.stream("GET", url + "/api/stream/utama", headers={"accept-encoding": encoding},
                          timeout=10) as response:
            assert response.headers.get("content-encoding", "identity") == encoding
            lines = response.iter_lines()
            for line in lines:
                if '"full":true' in line:
                    break
            ready.wait(10)
            for line in lines:
                if line.startswith("data: {\"n\""):
                    seen[encoding].append(line)
                    if len(seen[encoding]) == 30:
                        return

    readers = [threading.Thread(target=read, args=(e,), daemon=True) for e in seen]
    for thread in readers:
        thread.start()
    ready.wait(10)
    walls = [w for ws in app.fanout.walls.values() for w in ws]
    deadline = time.monotonic() + 5
    while len(walls) < 2 or any(w.transport is None for w in walls):
        assert time.monotonic() < deadline, "walls never switched to direct writes"
        time.sleep(0.01)
        walls = [w for ws in app.fanout.walls.values() for w in ws]
    sent = app.fanout.bytes_sent
    for n in range(30):
        runtime.hub._publish("utama", Message("delta", f'{{"n":{n}}}'), 0)
    for thread in readers:
        thread.join(10)
    expected = [f'data: {{"n":{n}}}' for n in range(30)]
    assert seen == {"gzip": expected, "identity": expected}
    assert app.fanout.bytes_sent > sent  # counted for /api/health


class RawWall:
    """A wall on a bare socket that asks for gzip, keeps the raw chunked body and inflates it."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall(b"GET /api/stream/utama HTTP/1.1\r\nHost: wall\r\nAccept-Encoding: gzip\r\n\r\n")
        self.sock.settimeout(0.2)
        self.raw = b""
        self.closed = False

    def pump(self) -> None:
        try:
            while data := self.sock.recv(1 << 16):
                self.raw += data
            self.closed = True
        except TimeoutError:
            pass

    def body(self) -> bytes:
        """The response body, chunk framing removed."""
        rest = self.raw.split(b"\r\n\r\n", 1)[1]
        out = b""
        while rest:
            size, _, rest = rest.partition(b"\r\n")
            n = int(size, 16)
            if n == 0:
                break
            out, rest = out + rest[:n], rest[n + 2:]
        return out

    def text(self) -> tuple[str, bool]:
        """What a browser would have inflated so far, and whether the gzip ended (trailer checked)."""
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        text = inflater.decompress(self.body()).decode()
        return text, inflater.eof

    def wait_for(self, predicate, timeout: float = 10) -> str:  # noqa: ANN001
        deadline = time.monotonic() + timeout
        while True:
            self.pump()
            text, _ = self.text()
            if predicate(text):
                return text
            assert time.monotonic() < deadline, text[-500:]


def test_gzip_walls_share_one_compression_and_each_stream_stays_whole(served, runtime) -> None:  # noqa: ANN001
    """Walls that joined at different times take the screen's shared deflate blocks from their first
    delta on (the block a newcomer first gets refers to nothing before it); every stream still
    inflates to exactly its messages, in order, and ends as a complete gzip whose CRC and length
    zlib checks."""
    app, url = served
    port = int(url.rsplit(":", 1)[1])

    def delta(n: int) -> Message:
        return Message("delta", f'{{"n":{n},"pad":"{"wallboard " * 12}{n * 7919 % 1000}"}}')

    first = RawWall(port)
    first.wait_for(lambda text: '"full":true' in text)
    for n in range(30):
        runtime.hub._publish("utama", delta(n), 0)
    first.wait_for(lambda text: '"n":29,' in text)
    second = RawWall(port)  # joins late: its own compression for the full view only
    second.wait_for(lambda text: '"full":true' in text)
    runtime.hub._publish("utama", delta(30), 0)
    second.wait_for(lambda text: '"n":30,' in text)
    assert all(w.compressor is None and not w.fresh for w in app.fanout.walls["utama"])
    for n in range(31, 90):
        runtime.hub._publish("utama", delta(n), 0)
    for wall in (first, second):
        wall.wait_for(lambda text: '"n":89,' in text)
    walls = list(app.fanout.walls["utama"])
    assert len(walls) == 2 and all(w.compressor is None for w in walls), "walls did not share"
    runtime.hub.stop()  # the server ends every stream: final block and trailer
    for wall, numbers in ((first, range(90)), (second, range(30, 90))):
        deadline = time.monotonic() + 10
        while not wall.closed:
            assert time.monotonic() < deadline, "the stream did not end"
            wall.pump()
        text, ended = wall.text()
        assert ended, "no complete gzip member"
        sent = [int(line.split('"n":')[1].split(",")[0]) for line in text.split("\n") if line.startswith('data: {"n"')]
        assert sent == list(numbers)
        wall.sock.close()


def test_a_socket_that_stops_reading_is_cut_and_its_browser_can_come_back(served, runtime, monkeypatch) -> None:  # noqa: ANN001
    """Big messages fill the kernel's buffers; the stuck wall is dropped, the server holds nothing for it."""
    monkeypatch.setattr(streams, "STUCK_AFTER", 0.5)
    app, url = served
    port = int(url.rsplit(":", 1)[1])
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.sendall(b"GET /api/stream/utama HTTP/1.1\r\nHost: wall\r\n\r\n")
    deadline = time.monotonic() + 10
    while app.fanout.stats()["walls"] < 1:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    big = Message("delta", "{\"x\":\"" + "x" * 200_000 + "\"}")
    deadline = time.monotonic() + 20
    while not app.fanout.dropped:  # never read: the TCP window fills, then the loop's buffer
        assert time.monotonic() < deadline, "a wall that never reads was never dropped"
        runtime.hub._publish("utama", big, 0)
        time.sleep(0.05)
    assert app.fanout.stats()["walls"] == 0
    sock.settimeout(5)
    try:  # reading again drains what the kernel still had, then finds the connection closed
        while sock.recv(1 << 20):
            pass
    except ConnectionResetError:
        pass
    sock.close()
    with httpx.stream("GET", url + "/api/stream/utama", timeout=10) as response:  # a reconnect is welcome
        assert next(response.iter_lines()) == "retry: 2000"


def test_a_wall_whose_access_a_reload_withdrew_is_told_to_reload_then_closed(runtime: Runtime) -> None:
    """Not cut off mid-air: its last message is a hello with the new version, so the page reloads
    itself and meets the login page (a cut stream would only show the offline banner)."""
    allowed = {"yes": True}
    fanout = Fanout(runtime.hub, lambda user: allowed["yes"])
    endpoint = StreamEndpoint(runtime, fanout)

    async def main() -> None:
        client = Client()
        task = asyncio.ensure_future(endpoint(scope("utama"), client.receive, client.send))
        await until(lambda: b'"full":true' in client.body)
        before = runtime.hub.version_tag
        allowed["yes"] = False
        text = runtime.path.read_text().replace("name: Uji Wallboard", "name: Uji Wallboard Baru")
        runtime.path.write_text(text)
        assert await asyncio.to_thread(runtime.reload)
        await asyncio.wait_for(task, 5)  # the stream ends by itself, properly
        hellos = [c for c in client.body.decode().split("\n\n") if c.startswith("event: hello")]
        assert runtime.hub.version_tag != before and runtime.hub.version_tag in hellos[-1]
        assert client.complete and not client.aborted and fanout.stats()["walls"] == 0

    run(main())
