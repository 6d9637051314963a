"""Run counts: rows combined on one key, duplicate rows, warnings and their text per collector run.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

Rows of one run on the same indicator, region, time and period are combined by the indicator's
``aggregate`` (wallboard/combine.py); a row identical to an earlier one is counted once; totals
that do not add up are warnings. ``collector_runs`` keeps how many of each a run had, and the first
warnings as one line (``notes``), so ``/admin`` and the drill page show them next to the refusals.

Existing runs read as 0 (server default). Like 0002, each column is added only when missing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COUNTS = ("combined", "duplicates", "warned")


def upgrade() -> None:
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("collector_runs")}
    with op.batch_alter_table("collector_runs") as batch_op:
        for name in COUNTS:
            if name not in have:
                batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
        if "notes" not in have:
            batch_op.add_column(sa.Column("notes", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("collector_runs") as batch_op:
        for name in ("notes", *reversed(COUNTS)):
            batch_op.drop_column(name)
