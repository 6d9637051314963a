"""Walls' live streams: Server-Sent Events on the event loop, no thread and no growing buffer per wall.

A wall is one long HTTP response. Under a thread-per-request server each one held a thread, and
waitress kept every byte of an endless response in the connection's buffer (it prunes only between
responses), so memory grew with walls x messages (benchmarks/waitress_buffer.py shows it). Here a
wall costs a small queue and a coroutine; the hub's thread hands each message to the loop once per
screen (``Fanout.deliver``), the loop frames it as a Server-Sent Event once (``sse.py``) and copies
it to that screen's walls.

What a wall may hold is bounded: a wall whose queue fills, or whose socket has not taken a message
for ``STUCK_AFTER`` seconds (a browser that stopped reading: its TCP window is full), is dropped and
its connection aborted; the browser's EventSource reconnects by itself when it reads again and gets
the full view. The kernel would otherwise hide a wall that stopped reading for an hour: it grows a
socket's send buffer to megabytes and takes every message into it. So a stream's socket has a
fixed send buffer (``SNDBUF``), and the bytes written to a wall but not yet acknowledged by it
(the loop's buffer plus the kernel's send queue, ``SIOCOUTQ`` on Linux) are watched: a wall whose
count makes no progress for ``NO_PROGRESS_AFTER`` seconds is dropped, whatever the kernel would
still accept (``Fanout._no_progress``; counted in ``wallboard_walls_dropped``). A wall that closes
is released at once (the ASGI ``http.disconnect``), and any other dead one at the next heartbeat,
when writing to it fails.

Under uvicorn, once a wall has its full view, the fan-out writes each message straight to its
socket (``Wall.write_now``: one encode, one ``transport.write``, framed as uvicorn's ``send`` would)
rather than waking the wall's coroutine to pass it through the ASGI ``send``: a message to a
thousand walls is one loop callback, not a thousand task steps. The coroutine is left waiting only
for the stream's end. A wall whose loop-side buffer passes ``BUFFER_LIMIT``, or makes no progress
for ``STUCK_AFTER``, is dropped as before. Other servers (and h11, and HEAD requests) take the queue.

A browser that accepts gzip (every one does) gets its stream compressed: one deflate stream per
wall, flushed after every message so nothing waits in the compressor. Consecutive deltas are
alike (the same panels, a value and a time changed), so one of 300 bytes costs about 30 on the
wire. The compressor's window is kept small (4 KB, ``GZIP_WBITS``): about 38 KB of zlib state
instead of the default's 256 KB, and under uvicorn only for the full view: from then on a wall
takes its screen's blocks, compressed once for all its walls (``ScreenStream``), and its own
compressor is let go. A gzip stream the server ends gets a final block and gzip's trailer (CRC-32
and length), whichever compressed it.

A quiet wall gets a heartbeat every ``site.heartbeat`` (10 s by default): often enough that a
half-open link (a cable pulled, a NAT that forgot the connection) shows as "reconnecting" within
half a minute, rarely enough that a wall the data keeps busy costs nothing for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
import time
import zlib
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote

try:  # Linux: the bytes in a socket's send queue, sent or not, not yet acknowledged (SIOCOUTQ)
    import fcntl
    import termios

    OUTQ: int | None = termios.TIOCOUTQ
except (ImportError, AttributeError):  # elsewhere walls are judged by the loop's buffer alone
    OUTQ = None

from wallboard.live import Hub
from wallboard.live.messages import Message
from wallboard.web.serve import sse
from wallboard.web.serve.memory import TrimAfterWave
from wallboard.web.serve.metrics import FANOUT_SECONDS
from wallboard.web.serve.versions import uvicorn_internals

log = logging.getLogger(__name__)

QUEUE_LIMIT = 100  # messages waiting for one wall before it is dropped (it gets the full view on return)
STUCK_AFTER = 15.0  # seconds one write may wait for a wall that stopped reading before it is dropped
PREFIX = "/api/stream/"
HEARTBEAT_MESSAGE = b"data:1\n\n"  # a data message: comments are invisible to EventSource
GZIP_WBITS, GZIP_MEMLEVEL = 12, 5  # a 4 KB window (a few deltas back); about 38 KB of state each
BUFFER_LIMIT = 256 * 1024  # bytes the loop may hold for a wall whose socket is full before it is dropped
SNDBUF = 64 * 1024  # a stream socket's kernel send buffer (the kernel doubles it): not the 4 MB it would grow to
NO_PROGRESS_AFTER = 60.0  # seconds a wall's unacknowledged bytes may stand still before it is dropped

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class ScreenStream:
    """One screen's messages compressed once for all its gzip walls.

    Every wall of a screen is sent the same messages in the same order, so a deflate block
    compressed against the screen's recent messages decodes the same in every wall's stream that
    holds them. A wall that has just had its full view does not hold them: for it the next block is
    made after a full flush (``reset``), which refers to nothing before it, and from then on the wall
    takes the screen's blocks and lets its own compressor go. A message to a thousand walls is
    compressed once instead of a thousand times.
    """

    __slots__ = ("compressor", "last_sent")

    def __init__(self) -> None:
        self.compressor = zlib.compressobj(6, zlib.DEFLATED, -GZIP_WBITS, GZIP_MEMLEVEL)  # raw: no header
        self.last_sent = time.monotonic()

    def block(self, body: bytes, reset: bool) -> bytes:
        head = self.compressor.flush(zlib.Z_FULL_FLUSH) if reset else b""
        return head + self.compressor.compress(body) + self.compressor.flush(zlib.Z_SYNC_FLUSH)


class Wall:
    """One connected browser: its queue, and since when a write to it has been waiting."""

    __slots__ = ("screen_id", "queue", "greeted", "last_sent", "writing_since", "dropped", "abort", "user",
                 "gzip", "compressor", "transport", "chunked", "crc", "size", "fresh", "buffered",
                 "conn", "sent_total", "acked", "pending", "progress_at")

    def __init__(self, screen_id: str, greeted: int, user: Any = None):
        self.screen_id = screen_id
        self.user = user  # who signed this wall in (wallboard.auth), re-checked when the config changes
        # (message, when the hub published it: monotonic seconds, 0 for heartbeats), None: end
        self.queue: asyncio.Queue[tuple[bytes, float] | None] = asyncio.Queue(QUEUE_LIMIT)
        self.greeted = greeted
        self.last_sent = time.monotonic()
        self.writing_since: float | None = None
        self.dropped = False
        self.abort: Callable[[], None] | None = None
        self.gzip = False  # the browser accepts gzip
        self.compressor: Any = None  # zlib's, while the wall compresses its own stream
        self.transport: Any = None  # the socket's transport once messages go straight to it (uvicorn)
        self.chunked = True  # HTTP/1.1 chunked framing on that transport
        # gzip's trailer is a CRC-32 and length of everything sent, whichever compressor sent it
        self.crc = 0
        self.size = 0
        # written straight to (``transport``), a gzip wall takes its screen's blocks (ScreenStream) and
        # has no compressor of its own; ``fresh``: it holds none of the screen's history yet
        self.fresh = False
        self.buffered = 0  # bytes in the loop's buffer for it at the last look (direct walls)
        # progress (``Fanout._no_progress``): the connection's transport (either path), bytes handed
        # to it, and at the last look the bytes it had acknowledged and still held, and since when
        self.conn: Any = None
        self.sent_total = 0
        self.acked = 0
        self.pending = 0
        self.progress_at = time.monotonic()

    def encode(self, body: bytes) -> bytes:
        """What goes on the wire: the message itself, or its gzip, flushed to a byte boundary."""
        if not self.gzip:
            return body
        self.crc = zlib.crc32(body, self.crc)
        self.size += len(body)
        if self.compressor is None:  # it takes the screen's blocks: a stored one (the farewell hello)
            return b"\x00" + struct.pack("<HH", len(body), len(body) ^ 0xFFFF) + body
        return self.compressor.compress(body) + self.compressor.flush(zlib.Z_SYNC_FLUSH)

    def finish(self) -> bytes:
        """The end of a gzip stream: a final block, the CRC-32 and the length."""
        if self.compressor is not None:
            return self.compressor.flush(zlib.Z_FINISH)
        return b"\x03\x00" + struct.pack("<II", self.crc, self.size & 0xFFFFFFFF)  # empty final block

    def write_now(self, message: bytes, now: float, block: bytes | None = None) -> int:
        """Write a message straight to the socket; the bytes written, -1 when the wall cannot keep up.

        ``transport.write`` sends at once while the kernel takes it and keeps the rest in the loop's
        buffer; that buffer is what a wall that stopped reading would grow. ``block``: the message
        as the screen's stream compressed it, which a gzip wall takes from now on.
        """
        transport = self.transport
        if transport.is_closing():
            return 0  # it left: the disconnect watcher releases it
        if transport.get_write_buffer_size() > BUFFER_LIMIT:
            return -1
        if block is not None and self.gzip:
            body = block
            self.crc = zlib.crc32(message, self.crc)
            self.size += len(message)
            self.fresh = False
        else:
            body = self.encode(message)
        wire = b"%x\r\n%b\r\n" % (len(body), body) if self.chunked else body
        transport.write(wire)
        self.sent_total += len(wire)
        self.last_sent = now
        if self.writing_since is None and (waiting := transport.get_write_buffer_size()):
            self.writing_since, self.buffered = now, waiting  # the kernel did not take it all
        return len(body)

    def offer(self, message: bytes | None, seq: int, published: float = 0.0) -> bool:
        """Queue a message; False when the wall cannot keep up (the caller drops it)."""
        if seq and seq <= self.greeted:
            return True  # its full view already holds this change
        try:
            self.queue.put_nowait(None if message is None else (message, published))
        except asyncio.QueueFull:
            return False
        return True


class Fanout:
    """The hub's listener on the event loop: one hand-over per screen and message, whatever the walls."""

    def __init__(self, hub: Hub, still_allowed: Callable[[Any], bool] | None = None,
                 heartbeat: float | None = None):
        self.hub = hub
        self.still_allowed = still_allowed
        self._heartbeat = heartbeat  # seconds; None: the config's site.heartbeat
        self._digest = hub.runtime.loaded.digest  # config the walls' access was last judged under
        self.loop: asyncio.AbstractEventLoop | None = None
        self.walls: dict[str, set[Wall]] = {}
        self.streams: dict[str, ScreenStream] = {}  # per screen with walls written to directly
        self.bytes_sent = 0
        self.dropped = 0
        self.connected = 0  # walls ever connected
        self.memory = TrimAfterWave()  # a wave of walls gone: their memory back to the system
        hub.listen(self)

    # called from the hub's thread

    def deliver(self, screen_id: str | None, message: Message | None, seq: int) -> None:
        loop = self.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._dispatch, screen_id, message, seq, time.monotonic())

    @property
    def heartbeat(self) -> float:
        if self._heartbeat is not None:
            return self._heartbeat
        return self.hub.runtime.config.site.heartbeat.total_seconds()

    def stats(self) -> dict[str, int]:
        return {"walls": sum(len(w) for w in list(self.walls.values())), "dropped": self.dropped,
                "bytes_sent": self.bytes_sent, "connected": self.connected}

    # on the loop

    def start(self) -> None:
        """Bind to the running loop and start the heartbeat (called on the first connection)."""
        if self.loop is None:
            self.loop = asyncio.get_running_loop()
            self.loop.call_later(self._beat_every(), self._beat)

    def _beat_every(self) -> float:
        """How often ``_beat`` looks at the walls: half a heartbeat, and at least every 5 s, so a
        stuck wall or one whose access was withdrawn goes soon after it should (each look is a
        wake-up of the loop: about 0.1 ms of CPU on a virtual machine, whatever the walls)."""
        return min(self.heartbeat / 2, 5.0)

    def _dispatch(self, screen_id: str | None, message: Message | None, seq: int, published: float = 0.0) -> None:
        if message is None or screen_id is None:  # the end of every stream (the hub stops)
            for wall in [w for walls in self.walls.values() for w in walls]:
                if not wall.offer(None, seq, published):
                    self.drop(wall, "queue full")
            return
        self._fan(screen_id, sse.frame(message).encode(), seq, published)  # framed once, whatever the walls

    def _fan(self, screen_id: str, body: bytes, seq: int, published: float = 0.0, direct_only: bool = False) -> None:
        """One message to every wall of a screen: written straight to the sockets of walls that are
        up to date (compressed once for those that share the screen's stream), queued for the rest."""
        walls = self.walls.get(screen_id)
        if not walls:
            return
        now = time.monotonic()
        block = None
        gzip_walls = [w for w in walls if w.transport is not None and w.gzip and not (seq and seq <= w.greeted)]
        if gzip_walls:
            stream = self.streams.get(screen_id)
            if stream is None:
                stream = self.streams[screen_id] = ScreenStream()
            # walls new to the screen's stream hold none of its history: this block refers to none
            block = stream.block(body, reset=any(w.fresh for w in gzip_walls))
        if screen_id in self.streams:
            self.streams[screen_id].last_sent = now
        written = 0
        for wall in list(walls):
            if wall.transport is None:
                if not direct_only and not wall.offer(body, seq, published):
                    self.drop(wall, "queue full")
                continue
            if seq and seq <= wall.greeted:
                # its full view already holds this change; the screen's stream has it in its history
                # now and this wall does not: its next block must refer to nothing before it
                wall.fresh = wall.fresh or (block is not None and wall.gzip)
                continue
            sent = wall.write_now(body, now, block)
            if sent < 0:
                self.drop(wall, "not reading")
            else:
                self.bytes_sent += sent
                written += 1
        if written and published:  # /metrics: hub to the last of these walls' sockets, once per message
            FANOUT_SECONDS.observe(time.monotonic() - published)

    def _send(self, wall: Wall, message: bytes) -> None:
        """A message for one wall alone (the farewell hello): straight out, or queued."""
        if wall.transport is None:
            wall.offer(message, 0)
            return
        sent = wall.write_now(message, time.monotonic())
        if sent < 0:
            self.drop(wall, "not reading")
        else:
            self.bytes_sent += sent

    def _beat(self) -> None:
        """Heartbeats for quiet walls, the drop of walls whose socket stopped taking data, and of
        walls whose user or kiosk token a config reload took away (the wall then meets the login)."""
        now = time.monotonic()
        heartbeat = self.heartbeat
        digest = self.hub.runtime.loaded.digest
        recheck = self.still_allowed is not None and digest != self._digest
        self._digest = digest
        for screen_id, walls in list(self.walls.items()):
            stream = self.streams.get(screen_id)
            beat = False
            for wall in list(walls):
                if wall.transport is not None and wall.writing_since is not None:
                    waiting = wall.transport.get_write_buffer_size()
                    if not waiting:
                        wall.writing_since = None  # the kernel took what was waiting
                    elif waiting < wall.buffered:
                        wall.writing_since = now  # slow, but reading: stuck only if it stops
                    wall.buffered = waiting
                if recheck and not self.still_allowed(wall.user):
                    self.withdraw(wall)
                elif wall.writing_since is not None and now - wall.writing_since > STUCK_AFTER:
                    self.drop(wall, "not reading")
                elif self._no_progress(wall, now):
                    self.drop(wall, f"nothing acknowledged for {NO_PROGRESS_AFTER:g} s")
                elif wall.transport is not None:  # a screen's direct walls beat together, in its stream
                    beat = beat or now - (stream.last_sent if stream is not None else wall.last_sent) >= heartbeat
                elif wall.writing_since is None and now - wall.last_sent >= heartbeat and wall.queue.empty():
                    wall.offer(HEARTBEAT_MESSAGE, 0)
            if beat:
                self._fan(screen_id, HEARTBEAT_MESSAGE, 0, direct_only=True)
        self.memory.observe(sum(len(w) for w in self.walls.values()))
        assert self.loop is not None
        self.loop.call_later(self._beat_every(), self._beat)

    @staticmethod
    def _no_progress(wall: Wall, now: float) -> bool:
        """The wall's unacknowledged bytes have stood still for ``NO_PROGRESS_AFTER`` seconds.

        Progress is the wall acknowledging bytes (what was handed to its connection minus what the
        loop and the kernel still hold grows) or holding fewer; nothing held is no stall at all.
        """
        pending = unacknowledged(wall.conn)
        if pending is None:
            return False
        acked = wall.sent_total - pending
        if pending == 0 or acked > wall.acked or pending < wall.pending:
            wall.progress_at = now
        wall.acked, wall.pending = max(acked, wall.acked), pending
        return pending > 0 and now - wall.progress_at > NO_PROGRESS_AFTER

    def connect(self, screen_id: str, user: Any = None) -> tuple[Wall, str]:
        """Register a wall and give it its greeting, in one step on the loop (no delta in between)."""
        seq, messages = self.hub.greeting(screen_id)
        greeting = sse.greeting(messages)
        wall = Wall(screen_id, seq, user)
        self.walls.setdefault(screen_id, set()).add(wall)
        self.connected += 1
        return wall, greeting

    def release(self, wall: Wall) -> None:
        walls = self.walls.get(wall.screen_id)
        if walls is not None:
            walls.discard(wall)
            if not walls:
                del self.walls[wall.screen_id]
                self.streams.pop(wall.screen_id, None)

    def withdraw(self, wall: Wall) -> None:
        """A reload took this wall's user or token away: its last message is a hello with the new
        config version, so the page reloads itself (and meets the login page), then the stream ends."""
        self.release(wall)
        while not wall.queue.empty():  # what was queued for it is moot now
            wall.queue.get_nowait()
        self._send(wall, sse.event("hello", self.hub.hello(wall.screen_id)).encode())
        wall.transport = None  # its coroutine writes the end
        wall.queue.put_nowait(None)
        log.info("wall on %s signed out: its access was withdrawn by a config reload", wall.screen_id)

    def drop(self, wall: Wall, why: str) -> None:
        if wall.dropped:
            return
        wall.dropped = True
        self.dropped += 1
        self.release(wall)
        log.info("wall on %s dropped (%s); it reconnects by itself", wall.screen_id, why)
        if wall.abort is not None:
            wall.abort()
        with contextlib.suppress(asyncio.QueueFull):
            wall.queue.put_nowait(None)


def _connection(send: Send) -> Any:
    """The transport under uvicorn's ``send`` (either protocol), its socket's send buffer bounded to
    ``SNDBUF``: None under another server."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None or not hasattr(transport, "get_extra_info"):
        return None
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SNDBUF)
    return transport


def unacknowledged(transport: Any) -> int | None:
    """Bytes handed to a connection that its reader has not acknowledged: the loop's buffer and the
    kernel's send queue. None when it cannot be told (not Linux, not a socket, closed)."""
    if transport is None or OUTQ is None or transport.is_closing():
        return None
    sock = transport.get_extra_info("socket")
    try:
        queued = struct.unpack("i", fcntl.ioctl(sock.fileno(), OUTQ, b"\0\0\0\0"))[0]
    except (OSError, ValueError, AttributeError):
        return None
    return queued + transport.get_write_buffer_size()


def _aborter(send: Send) -> Callable[[], None] | None:
    """Abort the connection under ``send``, discarding what its socket buffer still holds.

    ASGI has no call for it. Closing politely would wait to flush to a browser that no longer reads,
    so a stuck wall would keep its buffer and socket for as long as TCP keeps probing. uvicorn's
    ``send`` is a method of the request cycle, which holds the transport; with another server the
    stream simply ends.
    """
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    return transport.abort if transport is not None and hasattr(transport, "abort") else None


class StreamEndpoint:
    """``GET /api/stream/<screen_id>``: the hello, the full view, then deltas and heartbeats."""

    def __init__(self, runtime: Any, fanout: Fanout, authorize: Callable[[Scope], tuple[int, Any]] | None = None):
        self.runtime = runtime
        self.fanout = fanout
        self.authorize = authorize  # scope -> (HTTP status, user): 200 lets the wall in

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        screen_id = unquote(scope["path"][len(PREFIX):])
        if scope.get("method", "GET") not in ("GET", "HEAD"):
            await _plain(send, 405, "method not allowed")
            return
        if self.runtime.config.screen(screen_id) is None:
            await _plain(send, 404, "unknown screen")
            return
        user = None
        if self.authorize is not None:
            status, user = self.authorize(scope)
            if status != 200:
                await _plain(send, status, "sign in" if status == 401 else "forbidden")
                return
        fanout = self.fanout
        fanout.start()
        wall, greeting = fanout.connect(screen_id, user)
        wall.abort = _aborter(send)
        wall.conn = _connection(send)
        headers = [
            (b"content-type", b"text/event-stream; charset=utf-8"),
            (b"cache-control", b"no-cache, no-transform"),  # no-transform: proxies leave the stream alone
            (b"x-accel-buffering", b"no"),
            (b"vary", b"accept-encoding"),
        ]
        if accepts_gzip(scope):
            wall.gzip = True
            wall.compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + GZIP_WBITS, GZIP_MEMLEVEL)
            headers.append((b"content-encoding", b"gzip"))
        watcher = asyncio.ensure_future(_wait_for_disconnect(receive, wall))
        try:
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await self._write(wall, send, greeting.encode())
            direct = _socket_of(send, scope)
            while not wall.dropped:
                if direct is not None and wall.queue.empty():
                    # Up to date: from here on the fan-out writes to the socket itself; the queue
                    # brings only the end (None). No await between the look and the switch.
                    wall.transport, wall.chunked = direct
                    direct = None
                    if wall.gzip:  # the full view was its own compressor's only work: let it go
                        wall.compressor, wall.fresh = None, True
                item = await wall.queue.get()
                if item is None:
                    break
                message, published = item
                await self._write(wall, send, message)
                if published:  # /metrics: hub to this wall's socket; one lock and a bucket search
                    FANOUT_SECONDS.observe(wall.last_sent - published)
            wall.transport = None  # the fan-out writes no more: this coroutine ends the stream
            if not wall.dropped:  # the server ends it (shutdown, access withdrawn): a complete gzip
                tail = wall.finish() if wall.gzip else b""
                await send({"type": "http.response.body", "body": tail, "more_body": False})
        finally:
            watcher.cancel()
            fanout.release(wall)

    async def _write(self, wall: Wall, send: Send, message: bytes) -> None:
        body = wall.encode(message)
        wall.writing_since = time.monotonic()
        await send({"type": "http.response.body", "body": body, "more_body": True})
        wall.sent_total += len(body)  # uvicorn's chunk framing aside: enough to see acknowledgements grow
        wall.writing_since = None
        wall.last_sent = time.monotonic()
        self.fanout.bytes_sent += len(body)


def _socket_of(send: Send, scope: Scope) -> tuple[Any, bool] | None:
    """The transport under uvicorn's httptools ``send``, and whether it frames chunks: what
    ``Wall.write_now`` needs to write a message the way ``send`` would. None elsewhere (another
    server, h11, a HEAD request, a uvicorn whose internals were not tested: versions.py), and the
    stream goes through ``send``."""
    if not uvicorn_internals():
        return None
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    chunked = getattr(cycle, "chunked_encoding", None)
    if (scope.get("method") != "GET" or type(cycle).__module__ != "uvicorn.protocols.http.httptools_impl"
            or not isinstance(chunked, bool) or not hasattr(transport, "get_write_buffer_size")):
        return None
    return transport, chunked


def accepts_gzip(scope: Scope) -> bool:
    """The request's Accept-Encoding allows gzip (RFC 9110, 12.5.3): named with a non-zero ``q``, or
    not named and ``*`` allowed. A named ``gzip;q=0`` refuses it whatever ``*`` says."""
    named: float | None = None
    star: float | None = None
    for name, value in scope.get("headers", []):
        if name.lower() != b"accept-encoding":
            continue
        for item in value.decode("latin-1").split(","):
            coding, *params = (part.strip() for part in item.split(";"))
            q = 1.0
            for param in params:
                key, _, number = param.partition("=")
                if key.strip().lower() == "q":
                    q = _quality(number.strip())
            coding = coding.lower()
            if coding in ("gzip", "x-gzip"):
                named = q if named is None else max(named, q)
            elif coding == "*":
                star = q if star is None else max(star, q)
    if named is not None:
        return named > 0
    return star is not None and star > 0


def _quality(text: str) -> float:
    try:
        return min(max(float(text), 0.0), 1.0)
    except ValueError:
        return 1.0


async def _wait_for_disconnect(receive: Receive, wall: Wall) -> None:
    """A closed wall is released now, not at its next heartbeat."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            wall.dropped = True  # not counted: it left by itself
            with contextlib.suppress(asyncio.QueueFull):
                wall.queue.put_nowait(None)
            return


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
