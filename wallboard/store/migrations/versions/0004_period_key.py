"""Periods are part of the key: ``readings`` keyed by (indicator, region, ts, period).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

A wide table with ``TW I .. TW IV`` and ``Semester 1/2`` columns has a quarter and a half year
starting on the same day; keyed by (indicator, region, ts) one overwrote the other. Now the period's
length (an ISO 8601 duration, ``P3M``, ``P6M`` ...) is part of a reading's identity. A key column
cannot be NULL, so a moment's ``period`` becomes '' (the Store maps it back to None).

- ``readings``: every row kept as it is, NULL periods become ''; on SQLite the table is rebuilt
  (``WITHOUT ROWID`` tables cannot change their key in place), on PostgreSQL the key is altered;
- rollups hold moments only from now on (a day that summed a quarter with its hourly readings was
  wrong): hours that counted figures per period are recounted from their moments, or, where
  retention already removed those moments, have the periods' count and sum taken out (their
  minimum and maximum stay as they were, the best left to know); days are recounted from hours;
- ``latest``: the previous figure of a pair that has figures per period is the one before of the
  same length (a quarter's previous quarter), no longer whatever reading came before.

Like 0001-0003, each step checks what is there first, so running it on an upgraded table is a no-op.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

HOUR = 3600
DAY = 86400


def _columns(keyed: bool) -> list[sa.Column]:
    """``readings`` with the period in its key (``keyed``) or as it stood at 0003."""
    period = (sa.Column("period", sa.String(8), primary_key=True, server_default="") if keyed
              else sa.Column("period", sa.String(8)))
    return [
        sa.Column("indicator", sa.String(64), primary_key=True),
        sa.Column("region", sa.String(16), primary_key=True),
        sa.Column("ts", sa.BigInteger, primary_key=True),
        sa.Column("value", sa.Float, nullable=False),
        period,
    ]


def upgrade() -> None:
    bind = op.get_bind()
    if "period" in sa.inspect(bind).get_pk_constraint("readings")["constrained_columns"]:
        return
    if bind.dialect.name == "sqlite":
        op.create_table("readings_keyed", *_columns(keyed=True), sqlite_with_rowid=False)
        bind.exec_driver_sql(
            "INSERT INTO readings_keyed (indicator, region, ts, value, period) "
            "SELECT indicator, region, ts, value, COALESCE(period, '') FROM readings"
        )
        op.drop_table("readings")
        op.rename_table("readings_keyed", "readings")
    else:
        name = sa.inspect(bind).get_pk_constraint("readings")["name"] or "readings_pkey"
        bind.exec_driver_sql("UPDATE readings SET period = '' WHERE period IS NULL")
        op.alter_column("readings", "period", existing_type=sa.String(8), nullable=False, server_default="")
        op.drop_constraint(name, "readings", type_="primary")
        op.create_primary_key(name, "readings", ["indicator", "region", "ts", "period"])
    _moments_only_rollups(bind)
    _previous_of_the_same_length(bind)


def _within(table: str, size: int, moments: bool) -> str:
    """Readings of ``table``'s row's pair inside its bucket: moments or figures per period."""
    return (f"FROM readings r WHERE r.indicator = {table}.indicator AND r.region = {table}.region "
            f"AND r.ts >= {table}.bucket AND r.ts < {table}.bucket + {size} "
            f"AND r.period {'=' if moments else '<>'} ''")


def _moments_only_rollups(bind: sa.Connection) -> None:
    """Take the figures per period out of the hour and day rollups that counted them."""
    periods, moments = _within("rollup_hour", HOUR, False), _within("rollup_hour", HOUR, True)
    bind.exec_driver_sql(
        f"UPDATE rollup_hour SET n = (SELECT COUNT(*) {moments}), total = (SELECT SUM(r.value) {moments}), "
        f"lo = (SELECT MIN(r.value) {moments}), hi = (SELECT MAX(r.value) {moments}) "
        f"WHERE EXISTS (SELECT 1 {periods}) AND EXISTS (SELECT 1 {moments})"
    )
    # Retention removed this hour's moments (never figures per period): take the periods out.
    bind.exec_driver_sql(
        f"UPDATE rollup_hour SET n = n - (SELECT COUNT(*) {periods}), "
        f"total = total - (SELECT SUM(r.value) {periods}) "
        f"WHERE EXISTS (SELECT 1 {periods}) AND NOT EXISTS (SELECT 1 {moments})"
    )
    bind.exec_driver_sql("DELETE FROM rollup_hour WHERE n <= 0")
    bind.exec_driver_sql(f"DELETE FROM rollup_day WHERE EXISTS (SELECT 1 {_within('rollup_day', DAY, False)})")
    day = f"(h.bucket / {DAY}) * {DAY}"
    bind.exec_driver_sql(
        "INSERT INTO rollup_day (indicator, region, bucket, n, total, lo, hi) "
        f"SELECT h.indicator, h.region, {day}, SUM(h.n), SUM(h.total), MIN(h.lo), MAX(h.hi) FROM rollup_hour h "
        "WHERE EXISTS (SELECT 1 FROM readings r WHERE r.indicator = h.indicator AND r.region = h.region "
        f"AND r.ts >= {day} AND r.ts < {day} + {DAY} AND r.period <> '') "
        f"GROUP BY h.indicator, h.region, {day}"
    )


def _previous_of_the_same_length(bind: sa.Connection) -> None:
    """``latest.prev_*`` of pairs with figures per period: the reading before, of the same length."""
    before = ("FROM readings r WHERE r.indicator = latest.indicator AND r.region = latest.region "
              "AND r.period = COALESCE(latest.period, '') AND r.ts < latest.ts ORDER BY r.ts DESC LIMIT 1")
    bind.exec_driver_sql(
        f"UPDATE latest SET prev_ts = (SELECT r.ts {before}), prev_value = (SELECT r.value {before}) "
        "WHERE EXISTS (SELECT 1 FROM readings r WHERE r.indicator = latest.indicator "
        "AND r.region = latest.region AND r.period <> '')"
    )


def downgrade() -> None:
    """Back to one reading per (indicator, region, ts): where lengths share a start, the first by name stays."""
    bind = op.get_bind()
    op.create_table("readings_unkeyed", *_columns(keyed=False), sqlite_with_rowid=False)
    bind.exec_driver_sql(
        "INSERT INTO readings_unkeyed (indicator, region, ts, value, period) "
        "SELECT indicator, region, ts, value, NULLIF(period, '') FROM readings x WHERE period = "
        "(SELECT MIN(period) FROM readings y WHERE y.indicator = x.indicator AND y.region = x.region AND y.ts = x.ts)"
    )
    op.drop_table("readings")
    op.rename_table("readings_unkeyed", "readings")
