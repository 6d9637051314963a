"""The indicator tables.

Readings keep their time as integer seconds since the epoch (UTC): it is the hot table, and plain
integers keep writes fast on SQLite and make hour/day buckets simple integer division on any
database. ``latest`` holds each (indicator, region)'s newest and previous reading so the wall's
most frequent question never scans ``readings``.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

indicators = Table(
    "indicators",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("label", String(200), nullable=False),
    Column("unit", String(40), nullable=False, default=""),
    Column("owner", String(120)),
    Column("aggregate", String(8), nullable=False, default="sum"),
)

readings = Table(
    "readings",
    metadata,
    Column("indicator", String(64), primary_key=True),
    Column("region", String(16), primary_key=True),
    Column("ts", BigInteger, primary_key=True),
    Column("value", Float, nullable=False),
)
Index("readings_ts", readings.c.ts)

latest = Table(
    "latest",
    metadata,
    Column("indicator", String(64), primary_key=True),
    Column("region", String(16), primary_key=True),
    Column("ts", BigInteger, nullable=False),
    Column("value", Float, nullable=False),
    Column("prev_ts", BigInteger),
    Column("prev_value", Float),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(64), nullable=False),
    Column("ref", String(120), nullable=False),
    Column("time", DateTime(timezone=True), nullable=False),
    Column("category", String(120), nullable=False, default=""),
    Column("region", String(16)),
    Column("status", String(40), nullable=False, default="baru"),
    Column("title", Text, nullable=False, default=""),
    Column("detail", Text, nullable=False, default=""),
    Column("updated", DateTime(timezone=True), nullable=False),
    UniqueConstraint("source", "ref", name="events_source_ref"),
)
Index("events_source_time", events.c.source, events.c.time)

collector_runs = Table(
    "collector_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(64), nullable=False),
    Column("started", DateTime(timezone=True), nullable=False),
    Column("finished", DateTime(timezone=True), nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("rows", Integer, nullable=False, default=0),
    Column("rejected", Integer, nullable=False, default=0),
    Column("error", Text),
)
Index("collector_runs_source", collector_runs.c.source, collector_runs.c.id)
