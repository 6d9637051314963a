"""The web server: uvicorn runs one ASGI app, walls' streams on the event loop, pages through Flask.

``/api/stream/<screen_id>`` is answered on the loop (``streams.py``), so a thousand open walls cost
coroutines, not threads. Everything else (the Dash pages, the API, static assets) is the Dash/Flask
app, run in a small thread pool by a2wsgi: those requests are short, and Flask's ecosystem
(sessions, CSRF, Dash itself) stays as it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from email.utils import formatdate
from typing import Any

from wallboard.auth.addresses import from_runtime
from wallboard.auth.policy import decide, still_allowed
from wallboard.web.app import create_app
from wallboard.web.serve.streams import PREFIX, Fanout, Receive, Scope, Send, StreamEndpoint
from wallboard.web.serve.versions import uvicorn_internals

log = logging.getLogger(__name__)
PAGE_THREADS = 16  # threads for page and API requests; streams need none
SAFETY_TICK = 30.0  # seconds: the main loop looks at should_exit this often even if nobody woke it


class WallboardASGI:
    """Routes the live streams to the loop and the rest to the WSGI app."""

    def __init__(self, runtime: Any, wsgi_app: Any, threads: int = PAGE_THREADS):
        from a2wsgi import WSGIMiddleware

        self.runtime = runtime
        self.fanout = Fanout(runtime.hub, lambda user: still_allowed(runtime, user))
        self.stream = StreamEndpoint(runtime, self.fanout, lambda scope: authorize_stream(runtime, scope))
        self.pages = WSGIMiddleware(wsgi_app, workers=threads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(PREFIX):
            await self.stream(scope, receive, send)
        elif scope["type"] == "lifespan":
            await _lifespan(receive, send)
        else:
            await self.pages(scope, receive, send)


def authorize_stream(runtime: Any, scope: Scope) -> tuple[int, Any]:
    """The same decision the Flask pages get (``wallboard.auth``), from the ASGI scope's cookies."""
    from http.cookies import SimpleCookie
    from urllib.parse import parse_qsl

    jar: SimpleCookie = SimpleCookie()
    forwarded = None
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            with contextlib.suppress(Exception):  # a malformed cookie header signs nobody in
                jar.load(value.decode("latin-1"))
        elif name == b"x-forwarded-for":
            forwarded = value.decode("latin-1")
    cookies = {key: morsel.value for key, morsel in jar.items()}
    query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
    client = scope.get("client")
    address = from_runtime(runtime, client[0] if client else None, forwarded)
    decision = decide(runtime, scope["path"], cookies, query, address, api=True)
    if decision.allowed:
        return 200, decision.user
    return (decision.status if decision.status in (401, 403, 429) else 401), None


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def create_asgi(runtime: Any, threads: int = PAGE_THREADS) -> WallboardASGI:
    return WallboardASGI(runtime, create_app(runtime).server, threads)


class _DatedState:
    """uvicorn's ServerState with ``default_headers`` made on demand: the Date header is the current
    second's whenever a response is started, with no timer keeping it fresh."""

    def __init__(self, config: Any) -> None:
        from uvicorn.server import ServerState

        self._state = ServerState()
        self._config = config  # its encoded_headers are filled in by config.load(), after this
        self._second = -1
        self._headers: list[tuple[bytes, bytes]] = []

    def __getattr__(self, name: str) -> Any:  # total_requests, connections, tasks
        return getattr(self._state, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "default_headers":
            return  # uvicorn's on_tick refresh: these are never stale
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            setattr(self._state, name, value)

    @property
    def default_headers(self) -> list[tuple[bytes, bytes]]:
        now = int(time.time())
        if now != self._second:
            date = [(b"date", formatdate(now, usegmt=True).encode())] if self._config.date_header else []
            self._headers, self._second = date + list(self._config.encoded_headers), now
        return self._headers


def _settle(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)


def serve(runtime: Any, host: str, port: int, threads: int = PAGE_THREADS) -> None:
    """Serve until SIGINT/SIGTERM; the hub is stopped first, which ends every stream at once."""
    import uvicorn

    app = create_asgi(runtime, threads)
    config = uvicorn.Config(
        app, host=host, port=port, log_config=None, access_log=False, lifespan="on",
        backlog=4096,  # a burst of connection attempts waits in the kernel instead of being refused
        timeout_keep_alive=5, timeout_graceful_shutdown=5, server_header=False,
        # X-Forwarded-For is judged by auth.trusted_proxies (wallboard.auth.addresses), not by
        # uvicorn, which would believe any loopback peer and let it reset its throttling counts.
        proxy_headers=False,
    )

    class Server(uvicorn.Server):
        """uvicorn's own main loop wakes ten times a second to look for a shutdown and refreshes
        the Date header on every tenth: 600 wake-ups a minute, most of an idle wall server's CPU
        (a wake-up costs about 0.1 ms on a virtual machine). Here the Date header is made when a
        response asks for it (``_DatedState``), and the loop sleeps until it is told to stop."""

        _tick: asyncio.Future | None = None
        _loop: asyncio.AbstractEventLoop | None = None

        def __init__(self, config: uvicorn.Config) -> None:
            super().__init__(config)
            if uvicorn_internals():  # another uvicorn: its own state and loop (versions.py)
                self.server_state = _DatedState(config)

        async def main_loop(self) -> None:
            if not uvicorn_internals():
                return await super().main_loop()
            self._loop = loop = asyncio.get_running_loop()
            # The future exists before on_tick looks at should_exit: a signal arriving in between
            # settles it, so the loop does not sleep on before stopping.
            self._tick = tick = loop.create_future()
            while not await self.on_tick(0):
                timer = loop.call_later(SAFETY_TICK, _settle, tick)
                await tick
                timer.cancel()
                self._tick = tick = loop.create_future()

        def handle_exit(self, sig: int, frame: Any) -> None:
            runtime.hub.stop()
            super().handle_exit(sig, frame)
            if self._loop is not None and self._tick is not None and not self._loop.is_closed():
                self._loop.call_soon_threadsafe(_settle, self._tick)

    try:
        Server(config).run()
    finally:
        runtime.stop()
