"""Readings in order with a cursor, for peers reading this wall (``/api/v1``), and the push positions.

A cursor names the last reading a peer received: its (time, region, period), in the order readings
are handed out (time, then region, then period). The next page starts right after it, so a peer that
stored a page and asks again with that page's cursor gets neither a gap nor a reading twice; a peer
that restarts with the cursor it stored with its data carries on where it stopped. A cursor whose
reading is gone (retention removed it) is no longer known: the caller says so and the peer starts
again from the oldest kept reading (storing a reading again is harmless, the key makes it one row).

Ordered by reading time: a reading written later for an earlier time than a peer's cursor (a
backfill, a corrected past figure) is not handed out again; docs/api.md says so.

``federation_push`` keeps, per push target and indicator, the cursor of the last reading the target
accepted: the outbox is the readings table itself from that cursor on, so nothing waits in memory
and an outage of days loses nothing (until retention).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select

from wallboard.store import schema

MAX_PAGE = 5000


class BadCursor(ValueError):
    """A cursor that is not one this wall hands out (garbled, or from another program)."""


@dataclass(frozen=True, slots=True, order=True)
class Cursor:
    ts: int
    region: str
    period: str  # '' for a moment, as the key stores it

    def encode(self) -> str:
        raw = f"{self.ts}|{self.region}|{self.period}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            ts, region, period = raw.split("|")
            if len(region) > 16 or len(period) > 8 or not region:
                raise ValueError(raw)
            return cls(int(ts), region, period)
        except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
            raise BadCursor(text[:40]) from exc


@dataclass(frozen=True, slots=True)
class Row:
    region: str
    ts: int
    value: float
    period: str | None


def readings_after(engine: Any, indicator: str, after: Cursor | None, limit: int) -> tuple[list[Row], bool]:
    """Up to ``limit`` readings of one indicator after ``after`` (all from the oldest when None), and
    whether more follow."""
    r = schema.readings
    query = select(r.c.region, r.c.ts, r.c.value, r.c.period).where(r.c.indicator == indicator)
    if after is not None:
        query = query.where(or_(
            r.c.ts > after.ts,
            and_(r.c.ts == after.ts, r.c.region > after.region),
            and_(r.c.ts == after.ts, r.c.region == after.region, r.c.period > after.period),
        ))
    limit = max(1, min(limit, MAX_PAGE))
    query = query.order_by(r.c.ts, r.c.region, r.c.period).limit(limit + 1)
    with engine.connect() as conn:
        rows = [Row(x.region, int(x.ts), float(x.value), x.period or None) for x in conn.execute(query)]
    return rows[:limit], len(rows) > limit


def known(engine: Any, indicator: str, cursor: Cursor) -> bool:
    """Is the reading a cursor points at still kept? (No: retention passed it, or it never was.)"""
    r = schema.readings
    query = select(func.count()).select_from(r).where(
        r.c.indicator == indicator, r.c.region == cursor.region, r.c.ts == cursor.ts, r.c.period == cursor.period)
    with engine.connect() as conn:
        return bool(conn.execute(query).scalar())


def cursor_of(row: Row) -> Cursor:
    return Cursor(row.ts, row.region, row.period or "")


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


def pending(engine: Any, target: str, indicators: Iterable[str]) -> int:
    """Readings not yet accepted by ``target`` (for /metrics and the log)."""
    r = schema.readings
    states = push_states(engine, target, indicators)
    total = 0
    with engine.connect() as conn:
        for indicator, state in states.items():
            query = select(func.count()).select_from(r).where(r.c.indicator == indicator)
            if state.cursor is not None:
                c = state.cursor
                query = query.where(or_(r.c.ts > c.ts, and_(r.c.ts == c.ts, r.c.region > c.region),
                                        and_(r.c.ts == c.ts, r.c.region == c.region, r.c.period > c.period)))
            total += int(conn.execute(query).scalar() or 0)
    return total
