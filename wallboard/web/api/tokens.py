"""Who is asking ``/api/v1``: the ``api_tokens:`` entry whose token the request carries.

``Authorization: Bearer <token>``. Every configured token is compared with ``hmac.compare_digest``
(all of them, whichever matches), so the answer's timing says nothing about how much of a token was
right. Tokens are read as config writes them (``${PROV_TOKEN}``) and filled in here at the moment of
comparison; a removed token stops working with the next config reload. Every use, allowed or refused,
is one line in the audit log and one count in ``/metrics`` (``wallboard_api_requests``); the token
itself is never logged, shown or echoed.
"""

from __future__ import annotations

import hmac
import logging
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

from flask import Response, jsonify, request

from wallboard.secrets import MissingVariable, expand
from wallboard.store import audit

log = logging.getLogger(__name__)
_lock = threading.Lock()
# (token name or "-", endpoint, outcome) -> requests, for /metrics
USES: Counter[tuple[str, str, str]] = Counter()


@dataclass(frozen=True)
class Caller:
    name: str
    entry: Any  # the ApiToken in force


def _secret(entry: Any) -> bytes | None:
    try:
        return expand(entry.token).encode()
    except MissingVariable:
        return None


def find(config: Any, sent: str) -> Any | None:
    """The ``api_tokens`` entry whose token is ``sent``; every entry compared, in constant time each."""
    given = sent.encode()
    found = None
    for entry in getattr(config, "api_tokens", []) or []:
        secret = _secret(entry)
        if secret is not None and hmac.compare_digest(secret, given) and found is None:
            found = entry
    return found


def bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def count(name: str, endpoint: str, outcome: str) -> None:
    with _lock:
        USES[(name, endpoint, outcome)] += 1


def note(runtime: Any, caller: str, endpoint: str, outcome: str, detail: str = "") -> None:
    """One audit line and one count per use."""
    count(caller, endpoint, outcome)
    audit.record(runtime.store, f"api.{outcome}", caller, f"{request.method} {request.path} {detail}".strip(),
                 request.remote_addr or "")


def refuse(status: int, error: str, message: str) -> Response:
    response = jsonify({"error": error, "message": message})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="wallboard"'
    return response


def caller(runtime: Any, endpoint: str) -> Caller | Response:
    """The token's holder, or the 401 answer (no token, or one not in config.yaml)."""
    sent = bearer()
    entry = find(runtime.config, sent) if sent else None
    if entry is None:
        note(runtime, "-", endpoint, "refused", "unknown token" if sent else "no token")
        log.warning("api: %s %s refused: %s", request.method, request.path, "unknown token" if sent else "no token")
        return refuse(401, "unauthorized", "token tidak dikenal atau tidak ada (Authorization: Bearer ...)")
    return Caller(entry.name, entry)


def metrics_families() -> list[Any]:
    from prometheus_client.core import CounterMetricFamily

    family = CounterMetricFamily("wallboard_api_requests", "Requests to /api/v1 per token, endpoint and outcome",
                                 labels=["token", "endpoint", "outcome"])
    with _lock:
        for (name, endpoint, outcome), n in sorted(USES.items()):
            family.add_metric([name, endpoint, outcome], n)
    return [family]
