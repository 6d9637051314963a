"""Federation: the shared indicators' change log (``federation_changes``) and the push positions
(``federation_push``).

Revision ID: 0010
Revises: 0009 (0009_bmkg_forecasts; chained after sessions and forecasts when the branches met)
Create Date: 2026-12-02

A kabupaten behind NAT pushes its shared readings to its province (``federation.push``). The
readings table is the outbox; this table keeps, per target and indicator, the cursor of the last
reading the target accepted, the failed attempts in a row and when to try again, so a restart or
an outage of the province loses nothing and sends nothing twice.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "federation_changes" not in set(sa.inspect(op.get_bind()).get_table_names()):
        op.create_table(
            "federation_changes",
            sa.Column("indicator", sa.String(length=64), nullable=False),
            sa.Column("region", sa.String(length=16), nullable=False),
            sa.Column("ts", sa.BigInteger(), nullable=False),
            sa.Column("period", sa.String(length=8), server_default="", nullable=False),
            sa.Column("version", sa.BigInteger(), nullable=False),
            sa.Column("value", sa.Float(), nullable=False),
            sa.PrimaryKeyConstraint("indicator", "region", "ts", "period"),
            sqlite_with_rowid=False,
        )
        op.create_index("federation_changes_version", "federation_changes", ["indicator", "version"])
    if "federation_push" not in set(sa.inspect(op.get_bind()).get_table_names()):
        op.create_table(
            "federation_push",
            sa.Column("target", sa.String(length=64), nullable=False),
            sa.Column("indicator", sa.String(length=64), nullable=False),
            sa.Column("cursor", sa.Text(), nullable=False),
            sa.Column("attempts", sa.Integer(), nullable=False),
            sa.Column("next_try", sa.DateTime(timezone=True), nullable=True),
            sa.Column("error", sa.Text(), nullable=True),
            sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("target", "indicator"),
        )


def downgrade() -> None:
    op.drop_table("federation_push")
    op.drop_index("federation_changes_version", table_name="federation_changes")
    op.drop_table("federation_changes")
