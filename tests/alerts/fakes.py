"""Local stand-ins for what alerts talk to: an SMTP server (aiosmtpd), a webhook receiver and the
Telegram Bot API (small HTTP servers on threads). Each can be told to fail, hang or talk garbage."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.local_http import local_server


@dataclass
class FakeHttp:
    """Records every POST; ``mode``: ok | error (HTTP 500) | garbage (HTML) | slow (sleeps ``delay``)."""

    mode: str = "ok"
    delay: float = 5.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0
    telegram: bool = False
    fail_first: int = 0  # answer the first n requests with HTTP 500, then behave per mode

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def http_server(fake: FakeHttp) -> Iterator[FakeHttp]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: Any) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode(errors="replace")
            fake.requests.append({"path": self.path, "body": body, "at": time.monotonic()})
            mode = "error" if len(fake.requests) <= fake.fail_first else fake.mode
            if mode == "slow":
                time.sleep(fake.delay)
            if mode == "error":
                self._answer(500, b'{"ok": false, "description": "Internal"}', "application/json")
            elif mode == "garbage":
                self._answer(200, b"<html>not json</html>", "text/html")
            else:
                answer = {"ok": True, "result": {"message_id": len(fake.requests)}} if fake.telegram else {"ok": 1}
                self._answer(200, json.dumps(answer).encode(), "application/json")

        def _answer(self, status: int, data: bytes, kind: str) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up (timeout)

    with local_server(Handler) as server:
        fake.port = server.port
        yield fake


@dataclass
class FakeSmtp:
    messages: list[Any] = field(default_factory=list)
    port: int = 0


@contextmanager
def smtp_server() -> Iterator[FakeSmtp]:
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    fake = FakeSmtp()

    class Keep(Message):
        def handle_message(self, message: Any) -> None:
            fake.messages.append(message)

    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        fake.port = s.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=fake.port)
    controller.start()
    try:
        yield fake
    finally:
        controller.stop()


def wait_for(condition: Any, timeout: float = 10.0, step: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("condition not met in time")
