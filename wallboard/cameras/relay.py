"""Relaying a camera with credentials: the server logs in, the wall only ever sees the server.

The URL's ``${VAR}`` are filled in from the server's environment at the moment of the request
(``wallboard.secrets``), the user name and password move from the URL into an Authorization header
(Basic, or Digest when the camera asks for it, as many IP cameras do), and every error message is
redacted before it is logged or answered. What it may fetch at all is ``guard.py``'s: the camera's own
origin, never the metadata service, loopback (unless the camera is there) or the server's ``/metrics``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx

from wallboard.cameras.guard import (
    MAX_REDIRECTS,
    GuardedTransport,
    RelayRefused,
    on_loopback,
    refused_path,
    same_origin,
)
from wallboard.secrets import expand

CHUNK = 16384
SNAPSHOT_LIMIT = 8 * 1024 * 1024  # a still picture larger than this is not a still picture


def split_credentials(url: str) -> tuple[str, httpx.Auth | None, tuple[str, str] | None]:
    """``url`` without user info, and the credentials it carried."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    bare = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    creds = (unquote(parts.username or ""), unquote(parts.password or ""))
    return bare, httpx.BasicAuth(*creds), creds


@contextmanager
def upstream(url: str, proxy: bool, timeout: float, method: str = "GET",
             read_timeout: float | None = None) -> Iterator[httpx.Response]:
    """An open streamed response from the camera; closed (connection and all) on leaving.

    ``read_timeout`` (default ``timeout``) bounds each wait for bytes: a relay allows an MJPEG
    camera a slow frame, a question about the camera's kind does not wait that long. Redirects are
    followed only within the camera's origin, and no connection goes to an address ``guard`` refuses
    (``guard.RelayRefused``, a ``ValueError``).
    """
    if proxy:
        url = expand(url)
    bare, auth, creds = split_credentials(url)
    if refused_path(bare):
        raise RelayRefused("the server's own /metrics and /healthz are never relayed; refused")
    limits = httpx.Timeout(timeout, read=read_timeout or timeout)
    transport = GuardedTransport(allow_loopback=on_loopback(bare))
    with httpx.Client(timeout=limits, follow_redirects=False, transport=transport) as client:
        response = _follow(client, client.build_request(method, bare), auth, bare)
        challenge = response.headers.get("www-authenticate", "")
        if response.status_code == 401 and creds and challenge.lower().startswith("digest"):
            again = client.build_request(method, response.request.url)
            response.close()
            response = client.send(again, auth=httpx.DigestAuth(*creds), stream=True)
        try:
            yield response
        finally:
            response.close()


def _follow(client: httpx.Client, request: httpx.Request, auth: httpx.Auth | None, camera: str) -> httpx.Response:
    """Send, following at most ``MAX_REDIRECTS`` redirects, each to the camera's own origin only."""
    response = client.send(request, auth=auth, stream=True)
    for _ in range(MAX_REDIRECTS):
        target = response.next_request
        if target is None:
            return response
        response.close()
        if not same_origin(target.url, camera):
            raise RelayRefused(f"camera redirected to another host ({target.url.host}); refused")
        if refused_path(target.url):
            raise RelayRefused("the server's own /metrics and /healthz are never relayed; refused")
        response = client.send(target, auth=auth, stream=True)
    if response.next_request is not None:
        response.close()
        raise RelayRefused("camera redirected too many times; refused")
    return response
