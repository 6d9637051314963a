"""Downloads with a total deadline and a size cap: ``regions fetch``, the BPS bridge, every HTTP source.

httpx's ``timeout`` bounds each wait (connect, one read, one write), not the whole: a server that
drips one byte every few seconds never trips it, and ``response.content`` holds whatever size the
server sends. Here every socket operation of a ``Bounded`` client waits at most what is left of one
deadline for the whole download (all pages and redirects included: ``_DeadlineStream``, under
httpcore), and a body is counted while it streams into a spooled temporary file (in memory while
small, on disk beyond ``SPOOL``), stopped as soon as it passes ``max_bytes``.
Environment proxies and TLS settings stay httpx's own: only the socket layer is wrapped.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import httpcore
import httpx

MB = 1024 * 1024
BOUNDARY_MAX_BYTES = 200 * MB  # regions fetch: one province's desa SQL file is about 60 MB
SOURCE_MAX_BYTES = 50 * MB  # an HTTP source's answer (each page)
SPOOL = 4 * MB  # bodies up to this stay in memory; larger ones go to a temporary file
CHUNK = 64 * 1024


class DownloadError(Exception):
    """A download that did not complete; ``kind`` says why (``deadline``, ``too_large``, ``status``,
    ``connect``, ``failed``) so each caller words it in its own language."""

    def __init__(self, kind: str, detail: str = "", status: int = 0):
        super().__init__(detail or kind)
        self.kind, self.detail, self.status = kind, detail, status


class _Deadline:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def left(self) -> float:
        return self.ends - time.monotonic()

    def bound(self, timeout: float | None, timeout_error: type[Exception]) -> float:
        """The wait allowed for one socket operation: its own timeout, never past the deadline."""
        left = self.left()
        if left <= 0:
            raise timeout_error("deadline passed")
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write waits at most until the download's deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: _Deadline):
        self.inner, self.deadline = inner, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, self.deadline.bound(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, self.deadline.bound(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        bound = self.deadline.bound(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self.inner.start_tls(ssl_context, server_hostname, bound), self.deadline)

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class _DeadlineBackend(httpcore.SyncBackend):
    def __init__(self, deadline: _Deadline):
        self.deadline = deadline

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        bound = self.deadline.bound(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(super().connect_tcp(host, port, bound, local_address, socket_options), self.deadline)


class Bounded:
    """An httpx client whose downloads share one deadline of ``seconds`` and each stop at ``max_bytes``."""

    def __init__(self, seconds: float, max_bytes: int, verify: bool = True):
        self.deadline = _Deadline(seconds)
        self.max_bytes = max_bytes
        self.client = httpx.Client(timeout=seconds, verify=verify, follow_redirects=True)
        backend = _DeadlineBackend(self.deadline)
        transports = [self.client._transport, *(t for t in self.client._mounts.values() if t is not None)]
        for transport in transports:  # httpx's own transports (proxies from the environment too)
            pool = getattr(transport, "_pool", None)
            if pool is None or not hasattr(pool, "_network_backend"):
                raise RuntimeError("httpx/httpcore internals changed: downloads cannot be bounded")
            pool._network_backend = backend

    @property
    def seconds(self) -> float:
        return self.deadline.seconds

    def close(self) -> None:
        self.client.close()

    def fetch(self, method: str, url: str, **kw: Any) -> tuple[IO[bytes], httpx.Response]:
        """The body at ``url`` in a spooled file (rewound), and the response (headers, final URL).

        Raises ``DownloadError``: ``deadline`` past the deadline, ``too_large`` past ``max_bytes``
        (announced or counted), ``status`` for an HTTP error status, ``connect`` or ``failed``.
        """
        left = self.deadline.left()
        if left <= 0:
            raise DownloadError("deadline")
        body = tempfile.SpooledTemporaryFile(max_size=SPOOL)  # noqa: SIM115 - handed to the caller
        try:
            response = self._stream_into(body, method, url, left, **kw)
        except BaseException:
            body.close()
            raise
        body.seek(0)
        return body, response

    def _stream_into(self, body: IO[bytes], method: str, url: str, left: float, **kw: Any) -> httpx.Response:
        try:
            with self.client.stream(method, url, timeout=left, **kw) as response:
                if response.status_code >= 400:
                    raise DownloadError("status", response.reason_phrase, response.status_code)
                announced = response.headers.get("content-length", "")
                if announced.isdigit() and int(announced) > self.max_bytes:
                    raise DownloadError("too_large", announced)
                size = 0
                for chunk in response.iter_bytes(CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise DownloadError("too_large", str(size))
                    body.write(chunk)
                return response
        except httpx.TimeoutException:
            raise DownloadError("deadline") from None
        except httpx.ConnectError as exc:
            raise DownloadError("connect", _reason(exc)) from None
        except httpx.HTTPError as exc:
            raise DownloadError("failed", _reason(exc)) from None

    def read(self, method: str, url: str, **kw: Any) -> tuple[bytes, httpx.Response]:
        """``fetch``'s body as bytes, for answers a parser needs whole (JSON, a CSV table)."""
        body, response = self.fetch(method, url, **kw)
        with body:
            return body.read(), response


@contextmanager
def bounded(seconds: float, max_bytes: int, verify: bool = True) -> Iterator[Bounded]:
    client = Bounded(seconds, max_bytes, verify)
    try:
        yield client
    finally:
        client.close()


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text and text[0] else type(exc).__name__


def megabytes(size: int) -> str:
    return f"{size / MB:g} MB"
