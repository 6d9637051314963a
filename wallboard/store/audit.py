"""The audit log: a row per config reload, login, refused login and admin action.

Kept in the wall's own database so it survives restarts and is backed up with the data. The
callers pass ids and key names only; ``mask_text`` still runs over every detail in case an error
message quoted a secret back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select

from wallboard.secrets import mask_text
from wallboard.store import schema

log = logging.getLogger(__name__)
DETAIL_LIMIT = 2000


@dataclass(frozen=True, slots=True)
class AuditEntry:
    time: datetime
    actor: str
    action: str
    address: str
    detail: str


def record(store: object, action: str, actor: str = "", detail: str = "", address: str = "") -> None:
    """Append one entry; an audit write that fails is logged, never allowed to break the request."""
    row = {"time": datetime.now(UTC), "actor": actor[:64], "action": action[:40], "address": address[:64],
           "detail": mask_text(detail)[:DETAIL_LIMIT]}
    try:
        with store.engine.begin() as conn:  # type: ignore[attr-defined]
            conn.execute(insert(schema.audit).values(**row))
    except Exception as exc:  # noqa: BLE001 - the database may be down; the action itself still happened
        log.error("audit entry not stored (%s): %s %s", type(exc).__name__, action, actor)


def entries(store: object, limit: int = 100) -> list[AuditEntry]:
    t = schema.audit
    with store.engine.connect() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(select(t).order_by(t.c.id.desc()).limit(limit))
        return [AuditEntry(_aware(r.time), r.actor, r.action, r.address, r.detail) for r in rows]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
