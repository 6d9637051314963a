"""Incidents: the alerts of one indicator that open together, handled with one acknowledge.

Revision ID: 0007
Revises: 0006 (branch ``incidents``: renumber/chain on merge if another 0007 lands first)
Create Date: 2026-12-02

A desa-level flood opened one alert per desa, each acknowledged on its own. ``incidents`` groups
the alerts of one indicator that open in one evaluation or while an incident of that indicator is
open; ``alerts.incident`` names each alert's incident. Alerts of an upgraded database keep no
incident (they predate grouping) and are shown, and acknowledged, one by one as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if "incidents" not in set(inspector.get_table_names()):
        op.create_table(
            "incidents",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("indicator", sa.String(length=64), nullable=False),
            sa.Column("status", sa.String(length=12), nullable=False),
            sa.Column("state", sa.String(length=12), nullable=False),
            sa.Column("opened", sa.DateTime(timezone=True), nullable=False),
            sa.Column("closed", sa.DateTime(timezone=True), nullable=True),
            sa.Column("acknowledged_by", sa.String(length=120), nullable=True),
            sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("ack_note", sa.Text(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("incidents_status", "incidents", ["status", "indicator"])
    if "incident" not in {c["name"] for c in inspector.get_columns("alerts")}:
        with op.batch_alter_table("alerts") as batch:
            batch.add_column(sa.Column("incident", sa.Integer(), nullable=True))
        op.create_index("alerts_incident", "alerts", ["incident"])


def downgrade() -> None:
    op.drop_index("alerts_incident", table_name="alerts")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("incident")
    op.drop_index("incidents_status", table_name="incidents")
    op.drop_table("incidents")
