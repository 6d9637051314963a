"""Local servers that misbehave the way the issue-22 downloads did: dripping, and endless.

``/drip/...`` sends its headers, then one byte a second (at most ``DRIP_BYTES``, so a client that
does not cut it off waits that long and no longer); ``/huge/...`` sends bytes without a length until
the client hangs up (at most ``HUGE_LIMIT``), counting what it sent; ``/announced/...`` announces a
length larger than any cap. Served on 127.0.0.1 by ``tests/local_http.py``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

from tests.local_http import LocalServer, local_server

DRIP_BYTES = 12
HUGE_LIMIT = 64 * 1024 * 1024
CHUNK = 64 * 1024


class _Handler(BaseHTTPRequestHandler):
    sent: dict[str, int]  # path -> bytes sent, set per server

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        kind = self.path.strip("/").split("/", 1)[0]
        try:
            if kind == "drip":
                self._drip()
            elif kind == "huge":
                self._huge()
            elif kind == "announced":
                self.send_response(200)
                self.send_header("Content-Length", str(10**12))
                self.end_headers()
                self.wfile.write(b"{")
            else:
                self.send_error(404)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _drip(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        for _ in range(DRIP_BYTES):
            self.wfile.write(b" ")
            self.wfile.flush()
            time.sleep(1.0)

    def _huge(self) -> None:
        self.send_response(200)  # HTTP/1.0, no length: the body ends when the connection does
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        block = b" " * CHUNK
        self.sent[self.path] = 0
        while self.sent[self.path] < HUGE_LIMIT:
            self.wfile.write(block)
            self.sent[self.path] += len(block)


@contextmanager
def misbehaving() -> Iterator[LocalServer]:
    """The server; ``server.sent`` maps each ``/huge/`` path asked for to the bytes sent."""
    sent: dict[str, int] = {}
    handler = type("Handler", (_Handler,), {"sent": sent})
    with local_server(handler) as server:
        server.sent = sent  # type: ignore[attr-defined]
        yield server
