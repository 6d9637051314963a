"""Users and roles as config.yaml lists them, with their ``${VAR}`` secrets filled in at use.

Roles are ranked: an operator sees the walls, a supervisor also the drill pages and exports, an
admin everything. A user's *key* (name plus a digest of its current hash or token) goes into its
cookies, so changing or removing the secret in config.yaml signs that user out on the next check.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from wallboard.secrets import MissingVariable, expand

ROLES = {"operator": 1, "supervisor": 2, "admin": 3}


@dataclass(frozen=True)
class Principal:
    """Who is asking: a signed-in user (``kiosk`` when signed in by a display token)."""

    name: str
    role: str
    kiosk: bool = False
    key: str = ""  # digest of the secret signed in with; a changed secret no longer matches
    session: str = ""  # the session id of a password sign-in (``wallboard.auth.sessions``)
    screens: tuple[str, ...] | None = None  # a display's walls (kiosk only); None: every wall

    def may(self, role: str) -> bool:
        return ROLES[self.role] >= ROLES[role]


def _secret(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return expand(value)
    except MissingVariable:
        return None  # validate refuses this config; a variable unset later signs nobody in


def digest(secret: str) -> str:
    return hashlib.sha256(("wallboard:" + secret).encode()).hexdigest()[:24]


def find(config: Any, name: str) -> Any | None:
    return next((u for u in config.users if u.name == name), None)


def password_hash(user: Any) -> str | None:
    return _secret(user.password_hash)


def display_token(user: Any) -> str | None:
    return _secret(user.display_token)


def by_token(config: Any, token: str) -> Any | None:
    for user in config.users:
        expected = display_token(user)
        if expected and hmac.compare_digest(expected.encode(), token.encode()):
            return user
    return None


def session_key(user: Any) -> str | None:
    secret = password_hash(user)
    return digest(secret) if secret else None


def kiosk_key(user: Any) -> str | None:
    secret = display_token(user)
    return digest(secret) if secret else None
