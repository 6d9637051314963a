"""A wall's stream is gzip when the browser accepts it, each message decodable the moment it arrives,
and a quiet wall hears a heartbeat as often as ``site.heartbeat`` says (which its hello repeats)."""

from __future__ import annotations

import asyncio
import json
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import demo_config
from tests.web.conftest import run
from tests.web.test_hub import SCREENS, write
from tests.web.test_streams import Client, until
from wallboard.runtime import Runtime
from wallboard.web.serve import streams
from wallboard.web.serve.streams import Fanout, StreamEndpoint, accepts_gzip


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    path = tmp_path / "config.yaml"
    config = demo_config(f"sqlite:///{tmp_path / 'w.db'}", screens=SCREENS, heartbeat="1s")
    path.write_text(config, encoding="utf-8")
    rt = Runtime.from_path(path, collect=False)
    yield rt
    rt.store.close()


def scope(screen: str, accept: bytes | None) -> dict:
    headers = [(b"accept-encoding", accept)] if accept is not None else []
    return {"type": "http", "method": "GET", "path": f"/api/stream/{screen}", "headers": headers}


class GzipClient(Client):
    """Records the response headers too, and inflates what arrived so far as a browser would."""

    def __init__(self) -> None:
        super().__init__()
        self.headers: dict[bytes, bytes] = {}

    async def send(self, message: dict) -> None:
        if message["type"] == "http.response.start":
            self.headers = dict(message["headers"])
        await super().send(message)

    def text(self) -> str:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(self.body).decode()


def test_gzip_stream_inflates_message_by_message_and_deltas_cost_a_fraction(runtime: Runtime) -> None:
    hub = runtime.hub
    fanout = Fanout(hub)
    endpoint = StreamEndpoint(runtime, fanout)

    async def main() -> None:
        client = GzipClient()
        task = asyncio.ensure_future(endpoint(scope("kedua", b"gzip, deflate, br"), client.receive, client.send))
        await until(lambda: client.body and '"full":true' in client.text())
        assert client.headers[b"content-encoding"] == b"gzip"
        assert client.headers[b"vary"] == b"accept-encoding"
        raw = 0
        for value in range(300, 320):
            before = len(client.body)
            await asyncio.to_thread(write, runtime, "pengaduan_terbuka", value)
            await asyncio.to_thread(hub.rebuild)
            # flushed: the delta inflates from what has arrived, nothing waits in the compressor
            await until(lambda v=value: f'"children":"{v}"' in client.text())
            delta = client.text().rsplit("event: delta", 1)[1]
            raw += len(("event: delta" + delta).encode())
            assert len(client.body) > before
        wire = fanout.bytes_sent
        assert wire == len(client.body)  # counted as sent on the wire
        deltas_on_wire = len(client.body) - len(_gzip_of_greeting(client))
        assert raw > 20 * 50 and deltas_on_wire < raw / 4, (raw, deltas_on_wire)  # seen: 1,766 raw, 299 sent
        client.disconnect.set()
        await asyncio.wait_for(task, 5)

    run(main())


def _gzip_of_greeting(client: GzipClient) -> bytes:
    """The wire bytes up to the end of the full view: the shortest prefix that inflates to it."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    text = b""
    for end in range(1, len(client.body) + 1):
        text += inflater.decompress(client.body[end - 1:end])
        if text.count(b"\n\n") >= 3:  # retry line, hello, full view
            return client.body[:end]
    raise AssertionError("no full view in the stream")


@pytest.mark.parametrize("accept", [None, b"identity", b"gzip;q=0, identity", b"br"])
def test_plain_stream_when_gzip_is_not_accepted(runtime: Runtime, accept: bytes | None) -> None:
    fanout = Fanout(runtime.hub)
    endpoint = StreamEndpoint(runtime, fanout)

    async def main() -> None:
        client = GzipClient()
        task = asyncio.ensure_future(endpoint(scope("kedua", accept), client.receive, client.send))
        await until(lambda: b'"full":true' in client.body)
        assert b"content-encoding" not in client.headers
        client.disconnect.set()
        await asyncio.wait_for(task, 5)

    run(main())


def test_accept_encoding_is_read_as_http_says() -> None:
    assert accepts_gzip(scope("x", b"gzip, deflate, br, zstd"))
    assert accepts_gzip(scope("x", b"deflate, GZIP;q=0.5"))
    assert accepts_gzip(scope("x", b"*"))
    assert not accepts_gzip(scope("x", b"gzip;q=0"))
    assert not accepts_gzip(scope("x", b"gzip; q=0.0, br"))
    assert not accepts_gzip(scope("x", b"deflate"))
    assert not accepts_gzip(scope("x", None))
    # RFC 9110 12.5.3: a coding named with q=0 is refused even where * would allow it
    assert not accepts_gzip(scope("x", b"*, gzip;q=0"))
    assert not accepts_gzip(scope("x", b"gzip;q=0, *;q=1"))
    assert accepts_gzip(scope("x", b"br, *;q=0.1"))
    assert not accepts_gzip(scope("x", b"br, *;q=0"))
    # q is a parameter among others, and the header may come in two lines
    assert not accepts_gzip(scope("x", b"gzip;level=1;q=0"))
    assert accepts_gzip({"headers": [(b"accept-encoding", b"br"), (b"Accept-Encoding", b"x-gzip")]})


def test_a_stream_the_server_ends_is_a_complete_gzip(runtime: Runtime) -> None:
    """Shutdown or withdrawn access ends the stream from the server's side: the body is then a whole
    gzip member (final block and trailer), so no proxy or browser sees a truncated one."""
    fanout = Fanout(runtime.hub)
    endpoint = StreamEndpoint(runtime, fanout)

    async def main() -> None:
        client = GzipClient()
        task = asyncio.ensure_future(endpoint(scope("kedua", b"gzip"), client.receive, client.send))
        await until(lambda: client.body and '"full":true' in client.text())
        fanout.withdraw(next(iter(fanout.walls["kedua"])))
        await asyncio.wait_for(task, 5)
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        text = inflater.decompress(client.body).decode()
        assert inflater.eof and inflater.unused_data == b""  # the trailer came, nothing after it
        assert text.endswith("\n\n") and text.rstrip().split("\n\n")[-1].startswith("event: hello")

    run(main())


def test_quiet_wall_hears_the_configured_heartbeat_and_its_hello_says_how_often(runtime: Runtime) -> None:
    fanout = Fanout(runtime.hub)  # no override: site.heartbeat (1s here)
    endpoint = StreamEndpoint(runtime, fanout)
    assert fanout.heartbeat == 1.0

    async def main() -> None:
        client = Client()
        task = asyncio.ensure_future(endpoint(scope("kedua", None), client.receive, client.send))
        await until(lambda: b'"full":true' in client.body)
        hello = next(line for line in client.body.decode().split("\n") if line.startswith('data: {"version"'))
        assert json.loads(hello[6:])["beat"] == 1000
        greeted = len(client.body)
        await until(lambda: client.body[greeted:].count(b"data:1\n\n") >= 2, timeout=5)
        client.disconnect.set()
        await asyncio.wait_for(task, 5)

    run(main())


class RecordingTransport:
    """What ``Wall.write_now`` writes to uvicorn's transport, kept (chunk framing and all)."""

    def __init__(self) -> None:
        self.data = b""

    def is_closing(self) -> bool:
        return False

    def get_write_buffer_size(self) -> int:
        return 0

    def write(self, data: bytes) -> None:
        self.data += data


def _dechunk(data: bytes) -> bytes:
    out = b""
    while data:
        size, _, data = data.partition(b"\r\n")
        n = int(size, 16)
        out, data = out + data[:n], data[n + 2:]
    return out


def test_a_wall_that_skips_a_message_its_full_view_holds_gets_a_fresh_block_next(runtime: Runtime) -> None:
    """A wall greeted with change s, when s is fanned out after a heartbeat already made it a
    sharer: it skips s, which the screen's compressor takes into its history for the other walls,
    so the wall's next block must refer to nothing before it (or its stream inflates to garbage)."""
    fanout = Fanout(runtime.hub, heartbeat=3600)
    greeting = zlib.compressobj(6, zlib.DEFLATED, 16 + streams.GZIP_WBITS, streams.GZIP_MEMLEVEL)
    wall = streams.Wall("kedua", greeted=5)
    wall.gzip, wall.compressor = True, greeting
    head = wall.encode(b"retry: 2000\n\nevent: delta\ndata: {\"full\":true}\n\n")
    wall.transport, wall.compressor, wall.fresh = RecordingTransport(), None, True  # as the endpoint does
    other = streams.Wall("kedua", greeted=4)  # greeted earlier: it does get change 5
    other.gzip, other.transport, other.fresh = True, RecordingTransport(), True
    fanout.walls["kedua"] = {wall, other}
    stale = b'event: delta\ndata: {"v":5,"p":{"kpi":{"children":"stale value 5"}}}\n\n'
    new = b'event: delta\ndata: {"v":6,"p":{"kpi":{"children":"stale value 6"}}}\n\n'
    fanout._fan("kedua", streams.HEARTBEAT_MESSAGE, 0, direct_only=True)  # the first shared block
    fanout._fan("kedua", stale, 5)  # already in its full view: not sent to it
    fanout._fan("kedua", new, 6)
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    text = inflater.decompress(head + _dechunk(wall.transport.data) + wall.finish()).decode()
    assert text.endswith(new.decode()) and "value 5" not in text
    assert inflater.eof  # and the trailer's CRC and length held
