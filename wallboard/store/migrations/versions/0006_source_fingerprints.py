"""Source fingerprints: what each file source last stored, so a file is stored once.

Revision ID: 0006
Revises: 0005 (chained after 0005 when that lands)
Create Date: 2026-12-02

A file source remembered the files it had read only in memory, so a collector that restarted, or
one that took over after the other was killed, read the same file again and stored a file without
a time column a second time (at its own run's time). ``source_files`` keeps each file source's
last stored file (size, modification time, content hash), written in the same transaction as the
data. Databases upgraded from an earlier revision start empty: the first run of each file source
stores as before and fills its row.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "source_files" not in set(sa.inspect(op.get_bind()).get_table_names()):
        op.create_table(
            "source_files",
            sa.Column("source", sa.String(length=64), nullable=False),
            sa.Column("path", sa.Text(), nullable=False),
            sa.Column("size", sa.BigInteger(), nullable=False),
            sa.Column("mtime_ns", sa.BigInteger(), nullable=False),
            sa.Column("digest", sa.String(length=128), nullable=False),
            sa.Column("stored", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("source"),
        )


def downgrade() -> None:
    op.drop_table("source_files")
