"""Indicator versions: a counter per indicator, bumped by every write of its readings.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

The hub keeps each trend's series between data changes and reads it again only when the
indicator's counter moved, so a change to one indicator no longer re-reads thirty days of every
other trend on the wall; ``low``, the oldest reading time the last write touched, lets it re-read
only the buckets from there on when exactly one write happened since. Databases upgraded from an
earlier revision start with no counters: the first write of each indicator creates its row, and a
missing row reads as version 0.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "indicator_versions" not in set(sa.inspect(op.get_bind()).get_table_names()):
        op.create_table(
            "indicator_versions",
            sa.Column("indicator", sa.String(length=64), nullable=False),
            sa.Column("version", sa.BigInteger(), nullable=False),
            sa.Column("low", sa.BigInteger(), nullable=True),
            sa.PrimaryKeyConstraint("indicator"),
        )


def downgrade() -> None:
    op.drop_table("indicator_versions")
