"""Keeping the camera relay on the camera: which addresses and URLs the server may fetch for a wall.

The relay logs in to a camera with the server's credentials and hands the answer to an operator, so
whatever it fetches is shown to someone. A camera (or anything posing as one) that redirects to the
cloud metadata service (169.254.169.254), to the database on 127.0.0.1:5432 or to the server's own
``/metrics`` would turn it into a window onto the server's network. So:

* redirects are followed only within the camera's own origin (scheme, host and port: ``same_origin``);
* ``/metrics`` and ``/healthz`` are never fetched, whatever the host (``refused_path``);
* every connection is checked at the moment it is made, on the address it is made to
  (``GuardedBackend``, httpcore's network backend): link-local (which holds the metadata address),
  the other metadata addresses, and loopback unless the configured camera is itself on loopback are
  refused before a socket is opened. Resolving and connecting in one place means a name that
  resolves to a harmless address for a check and a forbidden one for the connection (DNS
  rebinding) connects only to the address that was checked.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

MAX_REDIRECTS = 5
REFUSED_PATHS = ("/metrics", "/healthz")
# Cloud metadata services outside link-local: Alibaba's, and AWS's IPv6 one.
METADATA = (ipaddress.ip_network("100.100.100.200/32"), ipaddress.ip_network("fd00:ec2::254/128"))
LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")


class RelayRefused(ValueError):
    """A fetch the relay will not make; its message names the reason, never a credential."""


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    ip = ipaddress.ip_address(text.split("%", 1)[0])  # an IPv6 zone id is not part of the address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def refused_address(text: str, allow_loopback: bool) -> str | None:
    """Why the relay may not connect to this address, or None when it may."""
    ip = _address(text)
    if ip.is_link_local or any(ip in net for net in METADATA):
        return "link-local or metadata address"
    if (ip.is_loopback or ip.is_unspecified) and not allow_loopback:
        return "loopback address"
    return None


def on_loopback(url: str) -> bool:
    """The configured camera itself is on this machine: then, and only then, loopback is allowed."""
    host = (urlsplit(url).hostname or "").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return _address(host).is_loopback
    except ValueError:
        return False


def refused_path(url: str | httpx.URL) -> bool:
    path = (urlsplit(str(url)).path or "/").rstrip("/").lower()
    return path in REFUSED_PATHS


def origin(url: str | httpx.URL) -> tuple[str, str, int | None]:
    u = httpx.URL(str(url))
    return u.scheme, u.host.lower(), u.port or {"http": 80, "https": 443}.get(u.scheme)


def same_origin(a: str | httpx.URL, b: str | httpx.URL) -> bool:
    return origin(a) == origin(b)


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, resolving the host itself and connecting only to allowed addresses."""

    def __init__(self, allow_loopback: bool) -> None:
        self.allow_loopback = allow_loopback

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        for address in addresses:
            why = refused_address(address, self.allow_loopback)
            if why is not None:
                raise RelayRefused(f"camera host {host} resolves to a {why}; refused")
        last: Exception | None = None
        for address in addresses:  # only the addresses just checked: no second look-up to rebind
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                last = exc
        raise last or httpcore.ConnectError(f"no address for {host}")


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport on a ``GuardedBackend``; no proxy from the environment (it would hide the
    address actually connected to)."""

    def __init__(self, allow_loopback: bool) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(trust_env=False),
                                             network_backend=GuardedBackend(allow_loopback))
