"""Readings in write order with a cursor, for peers reading this wall (``/api/v1``), and the push positions.

A peer first reads what is stored, oldest first (by time, region, period: the *first sync*); the
first-sync cursor remembers the indicator's write counter (``indicator_versions``) from when it
began. From then on it reads the *change log* (``federation_changes``): every write of a shared
indicator records, per reading, the counter of the write that last stored it, and the log is read
in (counter, region, time, period) order. So a figure written late for an earlier month reaches the
peer as surely as a new one, a reading corrected twice is handed out once with its current value,
and a peer that stored a page with its cursor (and restarts from that cursor) neither misses nor
repeats anything. Storing a reading twice would be harmless anyway: the key makes it one row.

A first-sync cursor whose reading is gone (retention removed it), or any cursor from a counter this
database never reached (a database restored from an older backup), is no longer known: the caller
says so and the peer starts again from the oldest kept reading.

``federation_push`` keeps, per push target and indicator, the cursor of the last page the target
accepted: the outbox is the readings table itself from that cursor on, so nothing waits in memory
and an outage of days loses nothing (until retention).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select

from wallboard.store import schema
from wallboard.store.base import placeholders

MAX_PAGE = 5000
AFTER_ALL = "~"  # a region sorting after every code: "past the whole of this counter"
LOG_ROWS = 5000
ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")  # an indicator id (config's Identifier)


class BadCursor(ValueError):
    """A cursor that is not one this wall hands out (garbled, or from another program)."""


@dataclass(frozen=True, slots=True)
class Cursor:
    phase: str  # "r": first sync through readings; "c": the change log
    version: int  # r: the counter when the first sync began; c: the counter of the last row handed out
    ts: int
    region: str
    period: str  # '' for a moment, as the key stores it

    def encode(self) -> str:
        raw = f"{self.phase}|{self.version}|{self.ts}|{self.region}|{self.period}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            phase, version, ts, region, period = raw.split("|")
            if phase not in ("r", "c") or len(region) > 16 or len(period) > 8 or not region:
                raise ValueError(raw)
            return cls(phase, int(version), int(ts), region, period)
        except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
            raise BadCursor(text[:40]) from exc


def join_cursors(cursors: dict[str, str]) -> str:
    """Several indicators' cursors as the one cursor of ``GET /api/v1/readings``: ``id:cursor`` pairs
    joined by commas (docs/api.md). Documented, not opaque, so a peer holding per-indicator cursors
    (``/api/v1/indicators/<id>/readings``) moves to the combined endpoint exactly where it stood."""
    return ",".join(f"{indicator}:{cursor}" for indicator, cursor in cursors.items() if cursor)


def split_cursors(text: str) -> dict[str, str]:
    """``join_cursors`` read back (each cursor still encoded); ``BadCursor`` for anything else."""
    out: dict[str, str] = {}
    for pair in filter(None, text.split(",")):
        indicator, sep, cursor = pair.partition(":")
        if not sep or not ID.match(indicator) or not cursor or indicator in out:
            raise BadCursor(text[:40])
        out[indicator] = cursor
    return out


@dataclass(frozen=True, slots=True)
class Row:
    region: str
    ts: int
    value: float
    period: str | None


def _version(conn: Any, indicator: str) -> int:
    t = schema.indicator_versions
    return int(conn.execute(select(t.c.version).where(t.c.indicator == indicator)).scalar() or 0)


def _after(cols: tuple[Any, ...], values: tuple[Any, ...]) -> Any:
    """Row-value ``cols > values`` spelled out (lexicographic), which every database plans well."""
    terms = []
    for n in range(len(cols)):
        terms.append(and_(*(c == v for c, v in zip(cols[:n], values[:n], strict=True)), cols[n] > values[n]))
    return or_(*terms)


def readings_after(engine: Any, indicator: str, after: Cursor | None,
                   limit: int) -> tuple[list[Row], Cursor | None, bool]:
    """Up to ``limit`` readings of one indicator after ``after`` (a first sync when None), the cursor
    after them, and whether more may follow at once."""
    limit = max(1, min(limit, MAX_PAGE))
    with engine.connect() as conn:
        if after is None:
            after = Cursor("r", _version(conn, indicator), -1, "", "")
        if after.phase == "r":
            return _first_sync(conn, indicator, after, limit)
        return _changes(conn, indicator, after, limit)


def _first_sync(conn: Any, indicator: str, after: Cursor, limit: int) -> tuple[list[Row], Cursor, bool]:
    r = schema.readings
    query = (select(r.c.region, r.c.ts, r.c.value, r.c.period).where(r.c.indicator == indicator)
             .order_by(r.c.ts, r.c.region, r.c.period).limit(limit + 1))
    if after.ts >= 0:
        query = query.where(_after((r.c.ts, r.c.region, r.c.period), (after.ts, after.region, after.period)))
    found = conn.execute(query).all()
    rows = [Row(x.region, int(x.ts), float(x.value), x.period or None) for x in found[:limit]]
    if len(found) > limit:
        last = rows[-1]
        return rows, Cursor("r", after.version, last.ts, last.region, last.period or ""), True
    # Everything stored when the sync began is handed out: on to the log, past that counter.
    return rows, Cursor("c", after.version, 0, AFTER_ALL, ""), True


def _changes(conn: Any, indicator: str, after: Cursor, limit: int) -> tuple[list[Row], Cursor, bool]:
    c, r = schema.federation_changes, schema.readings
    join = c.join(r, and_(r.c.indicator == c.c.indicator, r.c.region == c.c.region, r.c.ts == c.c.ts,
                          r.c.period == c.c.period))
    query = (select(c.c.version, c.c.region, c.c.ts, c.c.period, r.c.value).select_from(join)
             .where(c.c.indicator == indicator,
                    _after((c.c.version, c.c.region, c.c.ts, c.c.period),
                           (after.version, after.region, after.ts, after.period)))
             .order_by(c.c.version, c.c.region, c.c.ts, c.c.period).limit(limit + 1))
    found = conn.execute(query).all()
    rows = [Row(x.region, int(x.ts), float(x.value), x.period or None) for x in found[:limit]]
    if not rows:
        return rows, after, False
    last = found[len(rows) - 1]
    return rows, Cursor("c", int(last.version), int(last.ts), last.region, last.period or ""), len(found) > limit


def known(engine: Any, indicator: str, cursor: Cursor) -> bool:
    """Does this database still know the cursor? (No: retention removed a first sync's reading, or
    the cursor is from a counter this database never reached.)"""
    return not unknown(engine, {indicator: cursor})


def unknown(engine: Any, cursors: dict[str, Cursor]) -> list[str]:
    """The indicators whose cursor this database no longer knows (see ``known``): one query for all
    the counters, and one per first-sync cursor (only while a peer's first sync lasts)."""
    if not cursors:
        return []
    r, t = schema.readings, schema.indicator_versions
    with engine.connect() as conn:
        versions = dict(conn.execute(select(t.c.indicator, t.c.version).where(t.c.indicator.in_(list(cursors)))).all())

        def gone(indicator: str, cursor: Cursor) -> bool:
            if cursor.version > int(versions.get(indicator) or 0):
                return True
            return cursor.phase == "r" and not conn.execute(select(func.count()).select_from(r).where(
                r.c.indicator == indicator, r.c.region == cursor.region, r.c.ts == cursor.ts,
                r.c.period == cursor.period)).scalar()

        return [indicator for indicator, cursor in cursors.items() if gone(indicator, cursor)]


def readings_after_each(engine: Any, cursors: dict[str, Cursor | None],
                        limit: int) -> tuple[list[tuple[str, Row]], dict[str, Cursor], bool]:
    """Up to ``limit`` readings of several indicators, each after its own cursor (None: a first
    sync), indicator after indicator in the order given; the cursor each one reached, and whether
    the page filled (more may follow at once).

    One cursor per indicator because each indicator's change log is ordered by its own counter
    (``indicator_versions``): counters of two indicators say nothing about which write came first,
    so a single position across them could skip a write. ``GET /api/v1/readings`` hands these out
    side by side as one cursor. An indicator the page had no room for keeps no entry here."""
    limit = max(1, min(limit, MAX_PAGE))
    out: list[tuple[str, Row]] = []
    reached: dict[str, Cursor] = {}
    with engine.connect() as conn:
        for indicator, after in cursors.items():
            if len(out) >= limit:
                return out, reached, True
            position = after or Cursor("r", _version(conn, indicator), -1, "", "")
            more = True
            while more and len(out) < limit:
                step = _first_sync if position.phase == "r" else _changes
                rows, position, more = step(conn, indicator, position, limit - len(out))
                out += [(indicator, row) for row in rows]
            reached[indicator] = position
            if more:
                return out, reached, True
    return out, reached, False


def log_changes(conn: Any, dialect: str, unique: Any, shared: frozenset[str]) -> None:
    """Inside ``Store.write``'s transaction, after the counters moved: each written reading of a
    shared indicator with its indicator's new counter."""
    if not shared:
        return
    items = [(key, value) for key, value in unique.items() if key[0] in shared]
    if not items:
        return
    t = schema.indicator_versions
    ids = sorted({k[0] for k, _ in items})
    versions = dict(conn.execute(select(t.c.indicator, t.c.version).where(t.c.indicator.in_(ids))).all())
    # A file read again stores its unchanged rows again: they keep their place in the log (the
    # WHERE), so a peer is handed a reading once more only when its value changed.
    sql = placeholders(dialect, "INSERT INTO federation_changes (indicator, region, ts, period, version, value) "
                                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (indicator, region, ts, period) "
                                "DO UPDATE SET version = excluded.version, value = excluded.value "
                                "WHERE federation_changes.value <> excluded.value")
    rows = [(i, region, ts, period or "", int(versions[i]), float(value)) for (i, region, ts, period), value in items]
    for start in range(0, len(rows), LOG_ROWS):
        conn.exec_driver_sql(sql, rows[start:start + LOG_ROWS])


# --- peers' incidents ---------------------------------------------------------------------------

def save_peer_incidents(conn: Any, source: str, found: list[dict[str, Any]], now: datetime) -> None:
    """Inside ``Store.write``'s transaction: the source's row replaced by what its peer answered now."""
    t = schema.peer_incidents
    conn.execute(t.delete().where(t.c.source == source))
    conn.execute(t.insert().values(source=source, fetched=now, body=json.dumps(found, ensure_ascii=False)))


def peer_incidents(engine: Any) -> dict[str, tuple[datetime, list[dict[str, Any]]]]:
    """source -> (when read, the peer's open incidents), for the console."""
    t = schema.peer_incidents
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.source, t.c.fetched, t.c.body).order_by(t.c.source)).all()
    out = {}
    for source, fetched, body in rows:
        try:
            found = json.loads(body)
        except ValueError:
            continue
        out[source] = (fetched if fetched.tzinfo else fetched.replace(tzinfo=UTC), found)
    return out


# --- push positions ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PushState:
    cursor: Cursor | None
    attempts: int
    next_try: datetime | None
    error: str | None


def push_states(engine: Any, target: str, indicators: Iterable[str]) -> dict[str, PushState]:
    t = schema.federation_push
    ids = list(indicators)
    out = {i: PushState(None, 0, None, None) for i in ids}
    if not ids:
        return out
    with engine.connect() as conn:
        for row in conn.execute(select(t).where(t.c.target == target, t.c.indicator.in_(ids))):
            cursor = Cursor.decode(row.cursor) if row.cursor else None
            next_try = row.next_try if row.next_try is None or row.next_try.tzinfo else row.next_try.replace(tzinfo=UTC)
            out[row.indicator] = PushState(cursor, int(row.attempts), next_try, row.error)
    return out


def save_push(engine: Any, target: str, indicator: str, state: PushState) -> None:
    """Record where a target stands, after it accepted a page (or after a failed attempt)."""
    t = schema.federation_push
    row = {"target": target, "indicator": indicator, "cursor": state.cursor.encode() if state.cursor else "",
           "attempts": state.attempts, "next_try": state.next_try, "error": (state.error or None),
           "updated": datetime.now(UTC)}
    with engine.begin() as conn:
        done = conn.execute(t.update().where(t.c.target == target, t.c.indicator == indicator)
                            .values(**{k: v for k, v in row.items() if k not in ("target", "indicator")}))
        if not done.rowcount:
            conn.execute(t.insert().values(**row))
