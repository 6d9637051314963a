"""Notifications per incident: an incident escalates (and tells its owners) once, not per region.

Revision ID: 0011
Revises: 0010 (chained after sessions, forecasts and the federation tables when the branches met)
Create Date: 2026-12-02

A desa-level flood of 37 kelurahan sent 38 messages, one per alert, and escalated each alert on its
own. ``incidents.level`` / ``incidents.escalated_at`` carry the incident's escalation (as
``alerts.level`` did per alert), ``incidents.notified_state`` the worst state its owners were told of
(a worsening is sent once as an update). ``notifications.incident`` names the incident a message is
about and ``notifications.kind`` says which message it is (``escalated`` or ``worsened``); rows of
an upgraded database keep both empty (per-alert messages, as before).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

INCIDENTS = (("level", sa.Integer()), ("escalated_at", sa.DateTime(timezone=True)),
             ("notified_state", sa.String(length=12)))
NOTIFICATIONS = (("incident", sa.Integer()), ("kind", sa.String(length=16)))


def _add(inspector: sa.Inspector, table: str, columns: tuple[tuple[str, sa.types.TypeEngine], ...]) -> None:
    have = {c["name"] for c in inspector.get_columns(table)}
    missing = [(name, kind) for name, kind in columns if name not in have]
    if missing:
        with op.batch_alter_table(table) as batch:
            for name, kind in missing:
                batch.add_column(sa.Column(name, kind, nullable=True))


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    _add(inspector, "incidents", INCIDENTS)
    _add(inspector, "notifications", NOTIFICATIONS)
    # An open incident whose alerts were already escalated one by one goes on from their level:
    # its owners are not told again from level 1 after the upgrade.
    op.execute(
        "UPDATE incidents SET "
        "level = (SELECT MAX(a.level) FROM alerts a WHERE a.incident = incidents.id), "
        "escalated_at = (SELECT MAX(a.escalated_at) FROM alerts a WHERE a.incident = incidents.id), "
        "notified_state = state "
        "WHERE status = 'open' AND level IS NULL AND EXISTS "
        "(SELECT 1 FROM alerts a WHERE a.incident = incidents.id AND a.level > 0)"
    )


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        for name, _ in NOTIFICATIONS:
            batch.drop_column(name)
    with op.batch_alter_table("incidents") as batch:
        for name, _ in INCIDENTS:
            batch.drop_column(name)
