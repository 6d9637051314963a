"""The indicator tables, as the code reads them; the migrations (store/migrations/) create them.

Change a table here and add a migration beside it (docs/operations.md): tests/test_migrations.py
fails while the two differ.

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
    # A figure for a whole period stored at the period's start with the period's length, an ISO 8601
    # duration (P1Y, P6M, P3M, P1M, P1W ...); '' for a moment. Part of the key: a quarter and a half
    # year that start on the same day are two readings (a key column cannot be NULL, hence ''; the
    # Store maps '' to ``Reading.period = None`` both ways, so nothing above it sees '').
    Column("period", String(8), primary_key=True, server_default=""),
    # Clustered on the key on SQLite: one b-tree per insert instead of a table plus an index. No
    # index on ts alone: retention deletes per (indicator, region) along the key, so writes pay
    # for nothing they do not need.
    sqlite_with_rowid=False,
)


def _rollup(name: str) -> Table:
    """Per region and bucket: count, sum, min and max, so averages combine exactly across buckets."""
    return Table(
        name,
        metadata,
        Column("indicator", String(64), primary_key=True),
        Column("region", String(16), primary_key=True),
        Column("bucket", BigInteger, primary_key=True),  # epoch seconds at the start of the bucket
        Column("n", Integer, nullable=False),
        Column("total", Float, nullable=False),
        Column("lo", Float, nullable=False),
        Column("hi", Float, nullable=False),
        sqlite_with_rowid=False,
    )


# Kept in step with readings inside every write; they outlive readings' retention for long trends.
rollup_hour = _rollup("rollup_hour")
rollup_day = _rollup("rollup_day")

latest = Table(
    "latest",
    metadata,
    Column("indicator", String(64), primary_key=True),
    Column("region", String(16), primary_key=True),
    Column("ts", BigInteger, nullable=False),
    Column("value", Float, nullable=False),
    Column("prev_ts", BigInteger),
    Column("prev_value", Float),
    # The current reading's period (NULL for a moment), so freshness can be judged by it. When several
    # lengths start at the newest time, the shortest is current; ``prev_*`` is the reading before it
    # of the same length (a quarter's previous quarter, a moment's previous moment).
    Column("period", String(8)),
)

# How many times each indicator's readings were written, bumped inside every write: the hub
# re-reads a trend only when its indicator's count moved (a backfilled or corrected past reading
# moves it too, which the newest reading alone would not show). ``low``: the oldest reading time
# the last write touched (NULL: unknown, e.g. retention removed readings), so after one write the
# hub re-reads only the buckets from there on.
indicator_versions = Table(
    "indicator_versions",
    metadata,
    Column("indicator", String(64), primary_key=True),
    Column("version", BigInteger, nullable=False),
    Column("low", BigInteger),
)

# What each file source last stored: the file's size, time and content hash, written in the same
# transaction as its data, so a restarted collector (or one taking over from a killed one) never
# stores the same file twice. One row per source.
source_files = Table(
    "source_files",
    metadata,
    Column("source", String(64), primary_key=True),
    Column("path", Text, nullable=False, default=""),
    Column("size", BigInteger, nullable=False),
    Column("mtime_ns", BigInteger, nullable=False),
    Column("digest", String(128), nullable=False),
    Column("stored", DateTime(timezone=True), nullable=False),
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

# Forecasts (BMKG's weather, every 3 hours): what is expected, with when it was issued and the moment
# it is for. Never in ``readings``: a trend of measured figures must not mix in a prediction.
forecasts = Table(
    "forecasts",
    metadata,
    Column("source", String(64), primary_key=True),
    Column("region", String(16), primary_key=True),
    Column("valid", DateTime(timezone=True), primary_key=True),
    Column("issued", DateTime(timezone=True), nullable=False),
    Column("place", String(16), nullable=False, default=""),
    Column("temperature", Float),
    Column("humidity", Float),
    Column("rain", Float),
    Column("wind_speed", Float),
    Column("wind_dir", String(8), nullable=False, default=""),
    Column("weather", Integer),
    Column("text", String(120), nullable=False, default=""),
    Column("text_en", String(120), nullable=False, default=""),
    Column("updated", DateTime(timezone=True), nullable=False),
)

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
    Column("failures", Integer, nullable=False, default=0),  # consecutive failed runs, this one included
    Column("retry_at", DateTime(timezone=True)),  # when the scheduler tries again after this failure
    # Rows added into another on one key, rows identical to an earlier one, warnings, and the
    # first warnings as one line (migration 0005).
    Column("combined", Integer, nullable=False, default=0, server_default="0"),
    Column("duplicates", Integer, nullable=False, default=0, server_default="0"),
    Column("warned", Integer, nullable=False, default=0, server_default="0"),
    Column("notes", Text),
)
Index("collector_runs_source", collector_runs.c.source, collector_runs.c.id)
Index("collector_runs_source_ok", collector_runs.c.source, collector_runs.c.ok, collector_runs.c.id)

# Which readings of the shared indicators (api_tokens, federation.push) each write touched: one row
# per reading key with the indicator's write counter (``indicator_versions.version``) of the write
# that last changed it. Peers page through it by (version, region, ts, period), so a late figure for
# an earlier month is handed out as surely as a new one (store/federation.py). Only shared
# indicators are logged: a wall that shares nothing writes nothing here.
federation_changes = Table(
    "federation_changes",
    metadata,
    Column("indicator", String(64), primary_key=True),
    Column("region", String(16), primary_key=True),
    Column("ts", BigInteger, primary_key=True),
    Column("period", String(8), primary_key=True, server_default=""),
    Column("version", BigInteger, nullable=False),
    Column("value", Float, nullable=False),  # as last logged: storing the same value again moves nothing
    sqlite_with_rowid=False,
)
Index("federation_changes_version", federation_changes.c.indicator, federation_changes.c.version)

# Where each push target (``federation.push``, hashed URL) stands per indicator: the cursor of the
# last reading it accepted (store/federation.py). The readings from there on are the outbox.
federation_push = Table(
    "federation_push",
    metadata,
    Column("target", String(64), primary_key=True),
    Column("indicator", String(64), primary_key=True),
    Column("cursor", Text, nullable=False, default=""),
    Column("attempts", Integer, nullable=False, default=0),  # failed attempts in a row
    Column("next_try", DateTime(timezone=True)),
    Column("error", Text),
    Column("updated", DateTime(timezone=True), nullable=False),
)

# Alembic's bookkeeping (store/migrate.py creates and fills it). Declared here only so that
# ``metadata.drop_all`` (a test resetting its database) drops it with the tables: a revision
# stamp left behind would claim tables that are gone. Alembic leaves it out of its comparisons.
alembic_version = Table("alembic_version", metadata, Column("version_num", String(32), primary_key=True))

# Who did what to the running wall: config reloads (what changed), logins, refused logins, admin
# actions. Details are built by the callers from ids and key names only, never from values.
audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("time", DateTime(timezone=True), nullable=False),
    Column("actor", String(64), nullable=False, default=""),
    Column("action", String(40), nullable=False),
    Column("address", String(64), nullable=False, default=""),
    Column("detail", Text, nullable=False, default=""),
)
Index("audit_time", audit.c.id)

# Signed-in sessions (``wallboard.auth.sessions``): a row per password sign-in, deleted at logout, so
# a logged-out cookie is refused by every web process at once. ``id`` is a digest of the random
# session id the cookie carries, never the id itself.
sessions = Table(
    "sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("actor", String(64), nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("expires", DateTime(timezone=True), nullable=False),
)
Index("sessions_expires", sessions.c.expires)

# --- alerts (wallboard/alerts) ------------------------------------------------------------------
# Alerts per indicator and region (the kabupaten/kota code for the whole indicator, a kecamatan
# code for one kecamatan), their history (what replay and the report read) and every notification
# attempt with its delivery result. ``status``: pending (crossing shorter than alerts.min_duration),
# open, closed. Only these three tables belong to the alerts package.

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("indicator", String(64), nullable=False),
    Column("region", String(16), nullable=False),
    Column("owner", String(120)),
    Column("status", String(12), nullable=False),  # pending | open | closed
    Column("state", String(12), nullable=False),  # warning | critical (the current level)
    Column("started", DateTime(timezone=True), nullable=False),  # first reading outside the threshold
    Column("opened", DateTime(timezone=True)),
    Column("closed", DateTime(timezone=True)),
    Column("normal_since", DateTime(timezone=True)),  # back to normal, waiting min_duration to close
    Column("value", Float, nullable=False),
    Column("peak", Float, nullable=False),
    Column("peak_state", String(12), nullable=False),
    Column("acknowledged_by", String(120)),
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("ack_note", Text),
    Column("level", Integer, nullable=False, default=0),  # escalation levels notified so far
    Column("escalated_at", DateTime(timezone=True)),
    Column("incident", Integer),  # the incident it belongs to, from the moment it opens
)
Index("alerts_status", alerts.c.status, alerts.c.indicator, alerts.c.region)
Index("alerts_opened", alerts.c.opened)
Index("alerts_incident", alerts.c.incident)

# One event of one indicator across its regions: the alerts that opened together, or while it was open.
incidents = Table(
    "incidents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("indicator", String(64), nullable=False),
    Column("status", String(12), nullable=False),  # open | closed (when its last alert closed)
    Column("state", String(12), nullable=False),  # warning | critical: the worst of its open alerts
    Column("opened", DateTime(timezone=True), nullable=False),
    Column("closed", DateTime(timezone=True)),
    Column("acknowledged_by", String(120)),
    Column("acknowledged_at", DateTime(timezone=True)),
    Column("ack_note", Text),
    Column("level", Integer),  # escalation levels notified so far (none: 0), for all its regions at once
    Column("escalated_at", DateTime(timezone=True)),
    Column("notified_state", String(12)),  # the worst state its owners were told of: a worse one is news
)
Index("incidents_status", incidents.c.status, incidents.c.indicator)

alert_events = Table(
    "alert_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, nullable=False),
    Column("time", DateTime(timezone=True), nullable=False),
    Column("kind", String(16), nullable=False),  # opened | raised | lowered | acknowledged | escalated | closed
    Column("state", String(12)),
    Column("value", Float),
    Column("actor", String(120)),
    Column("note", Text),
)
Index("alert_events_alert", alert_events.c.alert_id, alert_events.c.id)

notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, nullable=False),
    Column("owner", String(120), nullable=False),
    Column("level", Integer, nullable=False),
    Column("channel", String(16), nullable=False),
    Column("target", String(300), nullable=False),  # as written in config: a ${VAR} is never filled in here
    Column("contact", Integer, nullable=False),  # index of the contact in the owner's contacts
    Column("created", DateTime(timezone=True), nullable=False),
    Column("status", String(12), nullable=False),  # pending | sent | failed (no retries left)
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_try", DateTime(timezone=True)),
    Column("last_try", DateTime(timezone=True)),
    Column("error", Text),
    Column("incident", Integer),  # the incident the message is about (none: one alert's message)
    Column("kind", String(16)),  # escalated | worsened (none: an alert's escalation, before incidents)
)
Index("notifications_due", notifications.c.status, notifications.c.next_try)
# --- end of alerts ----------------------------------------------------------------------------------
