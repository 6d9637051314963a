"""Local HTTP servers for tests: a handler served from a thread on 127.0.0.1, stopped when done.

Every fake the tests talk to (cameras in ``tests/camera_streams.py``, the boundary mirror in
``tests/boundary_server.py``, the alert channels in ``tests/alerts/fakes.py``) starts and stops
here, so no test ever reaches past loopback and none leaves a server thread behind.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Handler = Callable[..., BaseHTTPRequestHandler] | type[BaseHTTPRequestHandler]


class LocalServer(ThreadingHTTPServer):
    """A threading HTTP server on 127.0.0.1 whose request threads never keep the test process alive."""

    daemon_threads = True

    def __init__(self, handler: Any, port: int = 0):
        super().__init__(("127.0.0.1", port), handler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LocalServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop answering and close the port; waits for the serving thread."""
        self.shutdown()
        self.server_close()
        self.thread.join(5)


@contextmanager
def local_server(handler: Any, port: int = 0) -> Iterator[LocalServer]:
    """``handler`` served on 127.0.0.1 (any free port unless given) for the duration of the block."""
    server = LocalServer(handler, port).start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def wsgi_server(app: Any) -> Iterator[str]:
    """A WSGI ``app`` (a wall's Flask server, as ``wallboard run`` serves it) on 127.0.0.1, threaded,
    for the duration of the block; yields its base URL."""
    from werkzeug.serving import make_server  # noqa: PLC0415 - only the tests of a real peer need it

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
