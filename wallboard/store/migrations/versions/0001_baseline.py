"""Baseline: the schema as it stood when migrations began, from any database made before them.

Revision ID: 0001
Revises:
Create Date: 2026-11-29

A fresh database gets every table. A database made before migrations existed has no
``alembic_version`` and some of these tables, so each step checks what is there first:

- the first release: no rollups, ``collector_runs`` without ``failures``/``retry_at`` and the
  ``(source, ok, id)`` index, ``readings`` indexed by time alone (``readings_ts``, dropped: nothing
  reads it and every write paid for it) and, on SQLite, stored as a rowid table (rebuilt
  ``WITHOUT ROWID``, every reading copied, so it is clustered on its key like a fresh one);
- a later, self-upgraded database (rollups present, maybe ``readings_ts`` still there).

Rollups are then computed once from the readings kept. The tables are spelled out here rather than
taken from ``schema.py``: this file must keep creating *this* schema after schema.py moves on.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

HOUR = 3600
DAY = 86400


def _tables() -> dict[str, tuple[list[sa.Column], dict]]:
    def rollup() -> list[sa.Column]:
        return [
            sa.Column("indicator", sa.String(64), primary_key=True),
            sa.Column("region", sa.String(16), primary_key=True),
            sa.Column("bucket", sa.BigInteger, primary_key=True),
            sa.Column("n", sa.Integer, nullable=False),
            sa.Column("total", sa.Float, nullable=False),
            sa.Column("lo", sa.Float, nullable=False),
            sa.Column("hi", sa.Float, nullable=False),
        ]

    return {
        "indicators": ([
            sa.Column("id", sa.String(64), primary_key=True),
            sa.Column("label", sa.String(200), nullable=False),
            sa.Column("unit", sa.String(40), nullable=False),
            sa.Column("owner", sa.String(120)),
            sa.Column("aggregate", sa.String(8), nullable=False),
        ], {}),
        "readings": ([
            sa.Column("indicator", sa.String(64), primary_key=True),
            sa.Column("region", sa.String(16), primary_key=True),
            sa.Column("ts", sa.BigInteger, primary_key=True),
            sa.Column("value", sa.Float, nullable=False),
        ], {"sqlite_with_rowid": False}),
        "rollup_hour": (rollup(), {"sqlite_with_rowid": False}),
        "rollup_day": (rollup(), {"sqlite_with_rowid": False}),
        "latest": ([
            sa.Column("indicator", sa.String(64), primary_key=True),
            sa.Column("region", sa.String(16), primary_key=True),
            sa.Column("ts", sa.BigInteger, nullable=False),
            sa.Column("value", sa.Float, nullable=False),
            sa.Column("prev_ts", sa.BigInteger),
            sa.Column("prev_value", sa.Float),
        ], {}),
        "events": ([
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("source", sa.String(64), nullable=False),
            sa.Column("ref", sa.String(120), nullable=False),
            sa.Column("time", sa.DateTime(timezone=True), nullable=False),
            sa.Column("category", sa.String(120), nullable=False),
            sa.Column("region", sa.String(16)),
            sa.Column("status", sa.String(40), nullable=False),
            sa.Column("title", sa.Text, nullable=False),
            sa.Column("detail", sa.Text, nullable=False),
            sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
            sa.UniqueConstraint("source", "ref", name="events_source_ref"),
        ], {}),
        "collector_runs": ([
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("source", sa.String(64), nullable=False),
            sa.Column("started", sa.DateTime(timezone=True), nullable=False),
            sa.Column("finished", sa.DateTime(timezone=True), nullable=False),
            sa.Column("ok", sa.Boolean, nullable=False),
            sa.Column("rows", sa.Integer, nullable=False),
            sa.Column("rejected", sa.Integer, nullable=False),
            sa.Column("error", sa.Text),
            sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
            sa.Column("retry_at", sa.DateTime(timezone=True)),
        ], {}),
    }


INDEXES = {
    "events_source_time": ("events", ["source", "time"]),
    "collector_runs_source": ("collector_runs", ["source", "id"]),
    "collector_runs_source_ok": ("collector_runs", ["source", "ok", "id"]),
}


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    have = set(inspector.get_table_names())
    tables = _tables()
    for name, (columns, options) in tables.items():
        if name not in have:
            op.create_table(name, *columns, **options)
    if "collector_runs" in have:  # columns the first release did not have
        present = {c["name"] for c in inspector.get_columns("collector_runs")}
        for column in tables["collector_runs"][0]:
            if isinstance(column, sa.Column) and column.name not in present:
                op.add_column("collector_runs", column)
    indexes = {i["name"] for t in ("events", "collector_runs", "readings") for i in sa.inspect(bind).get_indexes(t)}
    for name, (table, columns) in INDEXES.items():
        if name not in indexes:
            op.create_index(name, table, columns)
    if "readings_ts" in indexes:
        op.drop_index("readings_ts", table_name="readings")
    if bind.dialect.name == "sqlite" and "readings" in have:
        _cluster_sqlite_readings(bind, tables["readings"][0])
    _fill_rollups(bind)


def _cluster_sqlite_readings(bind: sa.Connection, columns: list[sa.Column]) -> None:
    """The first release's readings were a rowid table plus a primary-key index: copy them into a clustered one."""
    sql = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'readings'").scalar()
    if sql is None or "WITHOUT ROWID" in sql.upper():
        return
    op.create_table("readings_clustered", *columns, sqlite_with_rowid=False)
    bind.exec_driver_sql(
        "INSERT INTO readings_clustered (indicator, region, ts, value) "
        "SELECT indicator, region, ts, value FROM readings"
    )
    op.drop_table("readings")
    op.rename_table("readings_clustered", "readings")


def _fill_rollups(bind: sa.Connection) -> None:
    """A database from before rollups existed gets them computed once from its readings."""
    if bind.exec_driver_sql("SELECT 1 FROM rollup_hour LIMIT 1").first() is not None:
        return
    if bind.exec_driver_sql("SELECT 1 FROM readings LIMIT 1").first() is None:
        return
    for table, size, below, ts, n, total, lo, hi in (
        ("rollup_hour", HOUR, "readings", "ts", "COUNT(*)", "SUM(value)", "MIN(value)", "MAX(value)"),
        ("rollup_day", DAY, "rollup_hour", "bucket", "SUM(n)", "SUM(total)", "MIN(lo)", "MAX(hi)"),
    ):
        bind.exec_driver_sql(
            f"INSERT INTO {table} (indicator, region, bucket, n, total, lo, hi) "
            f"SELECT indicator, region, ({ts} / {size}) * {size}, {n}, {total}, {lo}, {hi} FROM {below} "
            f"GROUP BY indicator, region, ({ts} / {size}) * {size}"
        )


def downgrade() -> None:
    for name in reversed(list(_tables())):
        op.drop_table(name)
