"""Peer incidents: the open incidents each ``type: wallboard`` source last read from its peer.

Revision ID: 0012
Revises: 0011 (incidents2_notify; chained after it when the branches met)
Create Date: 2026-12-02

A province's console lists its kabupaten/kota's open incidents read-only. The source reads the
peer's ``GET /api/v1/incidents`` on each run and replaces its row here (one row per source: the
peer's whole answer, as JSON), in the same transaction as the readings of that run.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "peer_incidents" in set(sa.inspect(op.get_bind()).get_table_names()):
        return
    op.create_table(
        "peer_incidents",
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("fetched", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("source"),
    )


def downgrade() -> None:
    op.drop_table("peer_incidents")
