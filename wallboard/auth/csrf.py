"""CSRF: every state-changing request carries a token bound to who is asking, or is same-origin JSON.

* Signed in with a password: the token is signed with the session's id in it and the session's
  lifetime as its age limit, so it is good for that session only and dies with it (a visitor's
  token, or one taken before a logout, is refused).
* Not signed in (the login form) or a display: double-submit, a signed random token in a cookie
  echoed by the form, and no older than ``auth.session_max_age``.

A form sends it as ``csrf_token``, a script as the ``X-CSRFToken`` header. Without a token, only
JSON with the ``X-Requested-With`` header from this site's own pages passes: another site cannot
send JSON or a custom header without a CORS preflight, which this server never grants, and the
``Origin`` / ``Sec-Fetch-Site`` headers a browser adds must not name another site. A form POST is
never JSON, so a form to ``/api/...`` needs the token like any other. Dash's own callback endpoint
changes nothing and takes only same-origin JSON.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from itsdangerous import BadSignature

from wallboard.auth.keys import serializer

CSRF_COOKIE = "wb_csrf"
FIELD = "csrf_token"
HEADER = "X-CSRFToken"
CUSTOM_HEADER = "X-Requested-With"
# The peer API (docs/api.md) takes an ``api_tokens:`` bearer token per request and no session or
# cookie, so another site's page cannot make a browser send it: CSRF does not apply there.
TOKEN_APIS = ("/api/v1/",)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
JSON_ONLY = ("/_dash-update-component",)
JSON_APIS = "/api/"  # same-origin JSON with the custom header needs no token here; forms still do


@dataclass(frozen=True)
class Request:
    """What the check needs to know of a request, from any framework."""

    method: str
    path: str
    cookie: str | None = None  # the double-submit cookie
    sent: str | None = None  # the token the request carries (form field or header)
    is_json: bool = False
    custom_header: bool = False
    origin: str | None = None  # the Origin header
    fetch_site: str | None = None  # the Sec-Fetch-Site header
    host: str | None = None  # the Host header
    session: str = ""  # the session id of a password sign-in, if any


def _max_age(runtime: Any) -> float:
    return runtime.config.auth.session_max_age.total_seconds()


def _binding(session_id: str) -> str:
    return hashlib.sha256(("wallboard-csrf:" + session_id).encode()).hexdigest()[:32]


def valid(runtime: Any, token: str | None) -> bool:
    """A signed, unexpired double-submit token (not one bound to a session)."""
    return isinstance(_payload(runtime, token), str)


def _payload(runtime: Any, token: str | None) -> Any:
    if not token:
        return None
    try:
        return serializer(runtime, "csrf").loads(token, max_age=_max_age(runtime))
    except BadSignature:  # SignatureExpired is one too
        return None


def new_token(runtime: Any) -> str:
    return serializer(runtime, "csrf").dumps(secrets.token_urlsafe(16))


def session_token(runtime: Any, session_id: str) -> str:
    """The token of a signed-in session: good for that session and its lifetime only."""
    return serializer(runtime, "csrf").dumps({"s": _binding(session_id)})


def bound(runtime: Any, token: str | None, session_id: str) -> bool:
    data = _payload(runtime, token)
    return isinstance(data, dict) and hmac.compare_digest(str(data.get("s", "")), _binding(session_id))


def same_origin(req: Request) -> bool:
    """Neither ``Origin`` nor ``Sec-Fetch-Site`` (when the browser sent them) names another site."""
    if req.fetch_site and req.fetch_site.lower() not in ("same-origin", "none"):
        return False
    if req.origin:
        # Host names only: a proxy may pass on the Host without the port the browser used.
        origin_host = urlsplit(req.origin).hostname
        own_host = urlsplit("//" + (req.host or "")).hostname
        return bool(origin_host) and origin_host == own_host
    return True


def check(runtime: Any, req: Request) -> bool:
    """True when the request may go ahead."""
    if req.method.upper() in SAFE_METHODS:
        return True
    if req.path.startswith(TOKEN_APIS):  # bearer token in a header, never a cookie: nothing to forge
        return True
    if req.path in JSON_ONLY:
        return req.is_json and same_origin(req)
    if req.is_json and req.path.startswith(JSON_APIS) and req.custom_header and same_origin(req):
        return True
    if req.session:
        return bound(runtime, req.sent, req.session)
    if not (valid(runtime, req.cookie) and req.sent):
        return False
    return hmac.compare_digest(req.cookie.encode(), req.sent.encode())
