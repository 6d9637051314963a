"""Sessions: a row per password sign-in, so logging out revokes the cookie in every web process.

Revision ID: 0008
Revises: 0007 (incidents; branch authsec)
Create Date: 2026-12-02

Logging out used to clear the cookie in one browser only: a copied cookie stayed valid for up to
``auth.session_max_age``. The cookie now names a session stored here; logout deletes the row.
Databases upgraded from an earlier revision start with no sessions: everyone signs in once more.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "sessions" not in set(sa.inspect(op.get_bind()).get_table_names()):
        op.create_table(
            "sessions",
            sa.Column("id", sa.String(length=64), nullable=False),
            sa.Column("actor", sa.String(length=64), nullable=False),
            sa.Column("created", sa.DateTime(timezone=True), nullable=False),
            sa.Column("expires", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("sessions_expires", "sessions", ["expires"])


def downgrade() -> None:
    op.drop_index("sessions_expires", table_name="sessions")
    op.drop_table("sessions")
