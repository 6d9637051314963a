"""Who is acting at the console: the logged-in user once access control exists, else a typed name.

Access control (``wallboard.auth``) is built separately; when it provides ``current_user_name()``
that answer wins and the name field is ignored, so acknowledgements cannot be signed in someone
else's name. Until then the operator types a name.
"""

from __future__ import annotations

import importlib


def current_user_name(typed: str | None = None) -> str | None:
    try:
        auth = importlib.import_module("wallboard.auth")
    except ImportError:
        auth = None
    ask = getattr(auth, "current_user_name", None) if auth is not None else None
    if callable(ask):
        try:
            name = ask()
        except Exception:  # noqa: BLE001 - outside a request, or auth not set up: fall back
            name = None
        if name:
            return str(name)
    typed = " ".join((typed or "").split())[:120]
    return typed or None
