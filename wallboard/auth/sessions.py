"""Password sign-ins as rows in the wall's database, so logout ends a session everywhere.

The session cookie stays a signed payload (user, key, session id); the id must also name a row in
``sessions`` that has not expired. Logout deletes the row: the same cookie, replayed from a copy or
sent to another web process behind the proxy, signs nobody in. Only a digest of the id is stored,
so reading the table does not give anyone a session. Kiosk walls keep their cookie-only sign-in:
a display's cookie is removed by removing its token from config.yaml.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select

from wallboard.store import schema

log = logging.getLogger(__name__)


def digest(session_id: str) -> str:
    return hashlib.sha256(("wallboard-session:" + session_id).encode()).hexdigest()


def start(store: Any, actor: str, max_age: timedelta) -> str:
    """A new session for ``actor``; returns the id for the cookie. Expired rows are swept here."""
    session_id = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    t = schema.sessions
    with store.engine.begin() as conn:
        conn.execute(delete(t).where(t.c.expires < now))
        conn.execute(insert(t).values(id=digest(session_id), actor=actor[:64], created=now, expires=now + max_age))
    return session_id


def active(store: Any, session_id: str, actor: str) -> bool:
    """Is this session still in force for this user? A database that cannot answer says no."""
    if not session_id:
        return False
    t = schema.sessions
    try:
        with store.engine.connect() as conn:
            row = conn.execute(select(t.c.actor, t.c.expires).where(t.c.id == digest(session_id))).first()
    except Exception as exc:  # noqa: BLE001 - a database away signs nobody in, it does not crash the page
        log.error("sessions not readable (%s): treated as signed out", type(exc).__name__)
        return False
    if row is None or row.actor != actor:
        return False
    expires = row.expires if row.expires.tzinfo else row.expires.replace(tzinfo=UTC)
    return expires > datetime.now(UTC)


def end(store: Any, session_id: str) -> None:
    t = schema.sessions
    with store.engine.begin() as conn:
        conn.execute(delete(t).where(t.c.id == digest(session_id)))
