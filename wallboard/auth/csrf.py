"""CSRF: a signed random token in a cookie, echoed by every state-changing request.

Double-submit: a form sends it as ``csrf_token``, a script as the ``X-CSRFToken`` header. Another
site can make a browser send the cookie but cannot read it, so it cannot echo it. The token is
signed, so a cookie planted from a sibling subdomain does not pass either. Dash's own callback
endpoint changes nothing and only takes ``application/json``, which no cross-site form can send;
the JSON APIs under ``/api/`` (a wall's camera report, an alert acknowledged by a script) are
taken as JSON the same way: another site's script cannot send JSON without a CORS preflight,
which this server never grants.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from itsdangerous import BadSignature

from wallboard.auth.keys import serializer

CSRF_COOKIE = "wb_csrf"
FIELD = "csrf_token"
HEADER = "X-CSRFToken"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
JSON_ONLY = ("/_dash-update-component",)
JSON_APIS = "/api/"  # JSON bodies here need no token; forms still do


def valid(runtime: Any, token: str | None) -> bool:
    if not token:
        return False
    try:
        serializer(runtime, "csrf").loads(token)
    except BadSignature:
        return False
    return True


def new_token(runtime: Any) -> str:
    return serializer(runtime, "csrf").dumps(secrets.token_urlsafe(16))


def check(runtime: Any, method: str, path: str, cookie: str | None, sent: str | None, is_json: bool) -> bool:
    """True when the request may go ahead."""
    if method.upper() in SAFE_METHODS:
        return True
    if path in JSON_ONLY:
        return is_json
    if is_json and path.startswith(JSON_APIS):
        return True
    if not (valid(runtime, cookie) and sent):
        return False
    return hmac.compare_digest(cookie.encode(), sent.encode())
