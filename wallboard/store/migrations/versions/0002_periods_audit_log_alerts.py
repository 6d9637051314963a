"""Periods, the audit log and alerts: the tables and columns added when those features landed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

- ``readings.period`` and ``latest.period``: a figure for a month, quarter or year (P1M, P3M, P1Y)
  is stored at the period's start with its length (wallboard/sources/periods.py);
- ``audit``: config reloads, sign-ins and admin actions (wallboard/store/audit.py);
- ``alerts``, ``alert_events``, ``notifications``: alerts, their history and every notification
  attempt (wallboard/alerts/).

Adding a nullable column is an ALTER TABLE on SQLite too (batch mode does not copy the table).
Like 0001, each step checks what is there first: a database that picked some of this up before
migrations existed (the store used to add columns and tables in place) upgrades all the same.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _tables() -> dict[str, tuple[list, list[tuple[str, list[str]]]]]:
    """Each new table's columns and its indexes (name, columns)."""
    return {
        "alerts": ([
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("indicator", sa.String(length=64), nullable=False),
            sa.Column("region", sa.String(length=16), nullable=False),
            sa.Column("owner", sa.String(length=120), nullable=True),
            sa.Column("status", sa.String(length=12), nullable=False),
            sa.Column("state", sa.String(length=12), nullable=False),
            sa.Column("started", sa.DateTime(timezone=True), nullable=False),
            sa.Column("opened", sa.DateTime(timezone=True), nullable=True),
            sa.Column("closed", sa.DateTime(timezone=True), nullable=True),
            sa.Column("normal_since", sa.DateTime(timezone=True), nullable=True),
            sa.Column("value", sa.Float(), nullable=False),
            sa.Column("peak", sa.Float(), nullable=False),
            sa.Column("peak_state", sa.String(length=12), nullable=False),
            sa.Column("acknowledged_by", sa.String(length=120), nullable=True),
            sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("ack_note", sa.Text(), nullable=True),
            sa.Column("level", sa.Integer(), nullable=False),
            sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        ], [("alerts_opened", ["opened"]), ("alerts_status", ["status", "indicator", "region"])]),
        "alert_events": ([
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("alert_id", sa.Integer(), nullable=False),
            sa.Column("time", sa.DateTime(timezone=True), nullable=False),
            sa.Column("kind", sa.String(length=16), nullable=False),
            sa.Column("state", sa.String(length=12), nullable=True),
            sa.Column("value", sa.Float(), nullable=True),
            sa.Column("actor", sa.String(length=120), nullable=True),
            sa.Column("note", sa.Text(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        ], [("alert_events_alert", ["alert_id", "id"])]),
        "notifications": ([
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("alert_id", sa.Integer(), nullable=False),
            sa.Column("owner", sa.String(length=120), nullable=False),
            sa.Column("level", sa.Integer(), nullable=False),
            sa.Column("channel", sa.String(length=16), nullable=False),
            sa.Column("target", sa.String(length=300), nullable=False),
            sa.Column("contact", sa.Integer(), nullable=False),
            sa.Column("created", sa.DateTime(timezone=True), nullable=False),
            sa.Column("status", sa.String(length=12), nullable=False),
            sa.Column("attempts", sa.Integer(), nullable=False),
            sa.Column("next_try", sa.DateTime(timezone=True), nullable=True),
            sa.Column("last_try", sa.DateTime(timezone=True), nullable=True),
            sa.Column("error", sa.Text(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        ], [("notifications_due", ["status", "next_try"])]),
        "audit": ([
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("time", sa.DateTime(timezone=True), nullable=False),
            sa.Column("actor", sa.String(length=64), nullable=False),
            sa.Column("action", sa.String(length=40), nullable=False),
            sa.Column("address", sa.String(length=64), nullable=False),
            sa.Column("detail", sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        ], [("audit_time", ["id"])]),
    }


def upgrade() -> None:
    have = sa.inspect(op.get_bind())
    tables = set(have.get_table_names())
    for name, (columns, indexes) in _tables().items():
        if name not in tables:
            op.create_table(name, *columns)
        present = {i["name"] for i in have.get_indexes(name)} if name in tables else set()
        for index, on in indexes:
            if index not in present:
                op.create_index(index, name, on, unique=False)
    for table in ("readings", "latest"):
        if "period" not in {c["name"] for c in have.get_columns(table)}:
            with op.batch_alter_table(table) as batch_op:
                batch_op.add_column(sa.Column("period", sa.String(length=8), nullable=True))


def downgrade() -> None:
    for table in ("readings", "latest"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("period")
    for name in reversed(list(_tables())):
        op.drop_table(name)
