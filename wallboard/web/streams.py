"""Walls' live streams: Server-Sent Events on the event loop, no thread and no growing buffer per wall.

A wall is one long HTTP response. Under a thread-per-request server each one held a thread, and
waitress kept every byte of an endless response in the connection's buffer (it prunes only between
responses), so memory grew with walls x messages (benchmarks/waitress_buffer.py shows it). Here a
wall costs a small queue and a coroutine; the hub's thread hands each message to the loop once per
screen (``Fanout.deliver``) and the loop copies it to that screen's walls.

What a wall may hold is bounded: a wall whose queue fills, or whose socket has not taken a message
for ``STUCK_AFTER`` seconds (a browser that stopped reading: its TCP window is full), is dropped and
its connection aborted; the browser's EventSource reconnects by itself when it reads again and gets
the full view. A wall that closes is released at once (the ASGI ``http.disconnect``), and any other
dead one at the next heartbeat, when writing to it fails.

A browser that accepts gzip (every one does) gets its stream compressed: one deflate stream per
wall, flushed after every message so nothing waits in the compressor. Consecutive deltas are
alike (the same panels, a value and a time changed), so one of 300 bytes costs about 30 on the
wire. The compressor's window is kept small (4 KB, ``GZIP_WBITS``): about 38 KB of zlib state per
wall (a thousand walls: about 38 MB) instead of the default's 256 KB.

A quiet wall gets a heartbeat every ``site.heartbeat`` (10 s by default): often enough that a
half-open link (a cable pulled, a NAT that forgot the connection) shows as "reconnecting" within
half a minute, rarely enough that a wall the data keeps busy costs nothing for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import zlib
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote

from wallboard.web.live import Hub, event
from wallboard.web.metrics import FANOUT_SECONDS

log = logging.getLogger(__name__)

QUEUE_LIMIT = 100  # messages waiting for one wall before it is dropped (it gets the full view on return)
STUCK_AFTER = 15.0  # seconds one write may wait for a wall that stopped reading before it is dropped
PREFIX = "/api/stream/"
HEARTBEAT_MESSAGE = b"data:1\n\n"  # a data message: comments are invisible to EventSource
GZIP_WBITS, GZIP_MEMLEVEL = 12, 5  # a 4 KB window (a few deltas back); about 38 KB of state per wall

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class Wall:
    """One connected browser: its queue, and since when a write to it has been waiting."""

    __slots__ = ("screen_id", "queue", "greeted", "last_sent", "writing_since", "dropped", "abort", "user",
                 "compressor")

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
        self.compressor: Any = None  # zlib's, when the browser accepts gzip

    def encode(self, body: bytes) -> bytes:
        """What goes on the wire: the message itself, or its gzip, flushed to a byte boundary."""
        if self.compressor is None:
            return body
        return self.compressor.compress(body) + self.compressor.flush(zlib.Z_SYNC_FLUSH)

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
        self.bytes_sent = 0
        self.dropped = 0
        self.connected = 0  # walls ever connected
        hub.listen(self)

    # called from the hub's thread

    def deliver(self, screen_id: str | None, message: str | None, seq: int) -> None:
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
        """How often ``_beat`` looks at the walls: half a heartbeat, and at least every 2.5 s, so a
        stuck wall or one whose access was withdrawn goes soon after it should."""
        return min(self.heartbeat / 2, 2.5)

    def _dispatch(self, screen_id: str | None, message: str | None, seq: int, published: float = 0.0) -> None:
        targets = self.walls.get(screen_id, ()) if screen_id is not None else \
            [w for walls in self.walls.values() for w in walls]
        body = None if message is None else message.encode()  # once, whatever the walls
        for wall in list(targets):
            if not wall.offer(body, seq, published):
                self.drop(wall, "queue full")

    def _beat(self) -> None:
        """Heartbeats for quiet walls, the drop of walls whose socket stopped taking data, and of
        walls whose user or kiosk token a config reload took away (the wall then meets the login)."""
        now = time.monotonic()
        heartbeat = self.heartbeat
        digest = self.hub.runtime.loaded.digest
        recheck = self.still_allowed is not None and digest != self._digest
        self._digest = digest
        for walls in list(self.walls.values()):
            for wall in list(walls):
                if recheck and not self.still_allowed(wall.user):
                    self.withdraw(wall)
                elif wall.writing_since is not None and now - wall.writing_since > STUCK_AFTER:
                    self.drop(wall, "not reading")
                elif wall.writing_since is None and now - wall.last_sent >= heartbeat and wall.queue.empty():
                    wall.offer(HEARTBEAT_MESSAGE, 0)
        assert self.loop is not None
        self.loop.call_later(self._beat_every(), self._beat)

    def connect(self, screen_id: str, user: Any = None) -> tuple[Wall, str]:
        """Register a wall and give it its greeting, in one step on the loop (no delta in between)."""
        seq, greeting = self.hub.greeting(screen_id)
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

    def withdraw(self, wall: Wall) -> None:
        """A reload took this wall's user or token away: its last message is a hello with the new
        config version, so the page reloads itself (and meets the login page), then the stream ends."""
        self.release(wall)
        while not wall.queue.empty():  # what was queued for it is moot now
            wall.queue.get_nowait()
        wall.offer(event("hello", self.hub.hello(wall.screen_id)).encode(), 0)
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
        headers = [
            (b"content-type", b"text/event-stream; charset=utf-8"),
            (b"cache-control", b"no-cache, no-transform"),  # no-transform: proxies leave the stream alone
            (b"x-accel-buffering", b"no"),
            (b"vary", b"accept-encoding"),
        ]
        if accepts_gzip(scope):
            wall.compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + GZIP_WBITS, GZIP_MEMLEVEL)
            headers.append((b"content-encoding", b"gzip"))
        watcher = asyncio.ensure_future(_wait_for_disconnect(receive, wall))
        try:
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await self._write(wall, send, greeting.encode())
            while not wall.dropped:
                item = await wall.queue.get()
                if item is None:
                    break
                message, published = item
                await self._write(wall, send, message)
                if published:  # /metrics: hub to this wall's socket; one lock and a bucket search
                    FANOUT_SECONDS.observe(wall.last_sent - published)
            if not wall.dropped:
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            watcher.cancel()
            fanout.release(wall)

    async def _write(self, wall: Wall, send: Send, message: bytes) -> None:
        body = wall.encode(message)
        wall.writing_since = time.monotonic()
        await send({"type": "http.response.body", "body": body, "more_body": True})
        wall.writing_since = None
        wall.last_sent = time.monotonic()
        self.fanout.bytes_sent += len(body)


def accepts_gzip(scope: Scope) -> bool:
    """The request's Accept-Encoding names gzip (or ``*``) without ``q=0``."""
    for name, value in scope.get("headers", []):
        if name.lower() != b"accept-encoding":
            continue
        for item in value.decode("latin-1").split(","):
            coding, _, params = item.strip().partition(";")
            if coding.strip().lower() in ("gzip", "*"):
                q = params.strip().lower()
                if not (q.startswith("q=") and _quality(q[2:]) == 0):
                    return True
    return False


def _quality(text: str) -> float:
    try:
        return float(text)
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
