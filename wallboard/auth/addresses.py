"""Who is asking, as far as can be known: the peer, or what a trusted proxy says the client was.

``X-Forwarded-For`` is anyone's to write. It is believed only when the peer is one of
``auth.trusted_proxies`` (none by default), and then read from the right, skipping further trusted
proxies, so a client cannot prepend addresses to reset its own throttling counts. The web server
(``wallboard run``) leaves the header alone (uvicorn's own proxy handling is off), so this is the
one place that decides. A deployment may add its own proxy through the environment
(``WALLBOARD_TRUSTED_PROXIES``, as deploy/compose.yaml does for its nginx), so a config.yaml need
not know the compose network's addresses.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Iterable
from functools import cache
from typing import Any

log = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().split("%")[0])
    except ValueError:
        return None


def trusted(address: str | None, proxies: Iterable[Network]) -> bool:
    ip = _ip(address or "")
    return ip is not None and any(ip.version == net.version and ip in net for net in proxies)


def client_address(peer: str | None, forwarded_for: str | None, proxies: Iterable[Network]) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy that says otherwise."""
    proxies = list(proxies)
    peer = peer or ""
    if not forwarded_for or not trusted(peer, proxies):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if _ip(hop) is None:
            return peer  # a garbled header from the proxy: the proxy is all that is known
        if not trusted(hop, proxies):
            return hop
    return hops[0] if hops else peer


ENV = "WALLBOARD_TRUSTED_PROXIES"  # CIDRs, comma-separated: what a deployment (compose) adds


@cache
def _from_environment(text: str) -> tuple[Network, ...]:
    found = []
    for item in text.replace(";", ",").split(","):
        if item.strip():
            try:
                found.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError:
                log.error("%s: %r is not an address or CIDR; ignored", ENV, item.strip())
    return tuple(found)


def proxies(runtime: Any) -> list[Network]:
    """``auth.trusted_proxies`` plus those the deployment names in ``WALLBOARD_TRUSTED_PROXIES``."""
    return [*runtime.config.auth.trusted_proxies, *_from_environment(os.environ.get(ENV, ""))]


def from_runtime(runtime: Any, peer: str | None, forwarded_for: str | None) -> str:
    return client_address(peer, forwarded_for, proxies(runtime))
