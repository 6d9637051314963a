"""What every part of the ``Store`` shares: its engine, the period order, the rollup tables.

A reading's period length is part of its identity: a quarter and a half year that start on the same
day are two readings. Inside the database a moment's ``period`` is '' (a key column cannot be NULL);
above the store it is ``None`` (``Reading.period``, ``Latest.period``), so '' never leaves it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import Engine

from wallboard.store.identity import FileIdentity

HOUR = 3600
DAY = 86400
MOMENT = ""  # ``readings.period`` of a moment (a reading with no period)
_DURATION = re.compile(r"^P(\d+)([YMWD])$")
_DAYS = {"Y": 366, "M": 31, "W": 7, "D": 1}  # nominal days per unit, only to order lengths
UNKNOWN_LENGTH = 10**9  # a length the store cannot read orders after every known one

# The rollup tables, each counted from the one below it: (table, bucket seconds, counted from, its time
# column, then the SQL of n, total, lo and hi over those rows). Writes recount them, retention rebuilds them.
ROLLUPS = (
    ("rollup_hour", HOUR, "readings", "ts", "COUNT(*)", "SUM(value)", "MIN(value)", "MAX(value)"),
    ("rollup_day", DAY, "rollup_hour", "bucket", "SUM(n)", "SUM(total)", "MIN(lo)", "MAX(hi)"),
)


def period_days(period: str | None) -> int:
    """A period's nominal length in days (0 for a moment), to order lengths: shortest first.

    Any ISO 8601 duration of one unit (``P1Y``, ``P6M``, ``P3M``, ``P1M``, ``P1W``, ``P10D``) is read,
    so a new length needs nothing here; one that is not (``PT1H``) orders last.
    """
    if not period:
        return 0
    found = _DURATION.match(period)
    return int(found.group(1)) * _DAYS[found.group(2)] if found else UNKNOWN_LENGTH


def _length_sql(dialect: str, column: str = "period") -> str:
    """``period_days`` in SQL, for ORDER BY: the same order on SQLite and PostgreSQL."""
    if dialect == "postgresql":  # substring() with a pattern gives NULL, never a cast error, for other text
        number = f"CAST(substring({column} from '^P([0-9]+)[YMWD]$') AS bigint)"
    else:
        number = f"CAST(SUBSTR({column}, 2, LENGTH({column}) - 2) AS INTEGER)"
    unit = f"SUBSTR({column}, LENGTH({column}), 1)"
    days = " ".join(f"WHEN '{u}' THEN {d}" for u, d in _DAYS.items())
    return (f"(CASE WHEN {column} = '' THEN 0 ELSE COALESCE(NULLIF({number}, 0) * CASE {unit} {days} END, "
            f"{UNKNOWN_LENGTH}) END)")


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def placeholders(dialect: str, statement: str) -> str:
    """Statements are written with ``?`` placeholders; psycopg wants ``%s``."""
    return statement.replace("?", "%s") if dialect == "postgresql" else statement


class StorePart:
    """The ground each job of the ``Store`` (a mixin in ``store.py``) stands on: one engine, its dialect."""

    engine: Engine
    _dialect: str
    identity: FileIdentity  # the SQLite file as opened (set by ``Store``): writes check it first

    def _sql(self, statement: str) -> str:
        """Statements below are written with ``?`` placeholders; psycopg wants ``%s``."""
        return placeholders(self._dialect, statement)
