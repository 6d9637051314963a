"""SQL for the alert tables (``alerts``, ``alert_events``, ``notifications`` in store/schema.py).

Every change of an alert writes one ``alert_events`` row in the same transaction: that history is
what replay shows for a past minute and what the daily report measures, and its growing id moves
the store's data version so every wall redraws when an alert opens or is acknowledged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import exists, func, or_, select

from wallboard.store import schema

# Asked by the live hub on every data change: built once (building a select costs more than running it).
_OPEN_NOW = select(schema.alerts).where(schema.alerts.c.status == "open").order_by(schema.alerts.c.id)

ORDER = {"warning": 1, "critical": 2}


class AckRefused(Exception):
    """Acknowledging was refused; the message says why (already acknowledged, closed, unknown).

    ``message`` is an English message id with ``{placeholders}`` filled from ``values``, so the web
    answers it in the site's language (the ``console`` catalogue); ``str()`` is the English text.
    """

    def __init__(self, message: str, status: int = 409, **values: object):
        super().__init__(message.format(**values) if values else message)
        self.status = status
        self.message_id = message
        self.values = values


@dataclass(frozen=True)
class AlertInfo:
    id: int
    indicator: str
    region: str
    owner: str | None
    status: str
    state: str
    started: datetime
    opened: datetime | None
    closed: datetime | None
    value: float
    peak: float
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    ack_note: str | None
    level: int
    peak_state: str = ""
    incident: int | None = None  # the incident it belongs to (wallboard.alerts.incidents)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "indicator": self.indicator, "region": self.region, "owner": self.owner,
            "state": self.state, "status": self.status,
            "since": _iso(self.opened), "peak": self.peak, "value": self.value,
            "acknowledged_by": self.acknowledged_by, "acknowledged_at": _iso(self.acknowledged_at),
            "note": self.ack_note, "closed": _iso(self.closed), "escalation_level": self.level,
            "incident": self.incident,
        }


@dataclass(frozen=True)
class Notification:
    id: int
    alert_id: int
    owner: str
    level: int
    channel: str
    target: str
    contact: int
    created: datetime
    status: str
    attempts: int
    next_try: datetime | None
    last_try: datetime | None
    error: str | None
    incident: int | None = None  # the incident the message is about (wallboard.alerts.incidents)
    kind: str | None = None  # escalated | worsened; None: one alert's escalation (before incidents)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def utc(value: datetime) -> datetime:
    """Every time goes to the database in UTC: SQLite keeps no zone, so a WIB time would be misread."""
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _info(row: Any) -> AlertInfo:
    return AlertInfo(
        row.id, row.indicator, row.region, row.owner, row.status, row.state, aware(row.started),
        aware(row.opened), aware(row.closed), row.value, row.peak, row.acknowledged_by,
        aware(row.acknowledged_at), row.ack_note, row.level or 0, row.peak_state, row.incident,
    )


def _notification(row: Any) -> Notification:
    return Notification(
        row.id, row.alert_id, row.owner, row.level, row.channel, row.target, row.contact, aware(row.created),
        row.status, row.attempts, aware(row.next_try), aware(row.last_try), row.error, row.incident, row.kind,
    )


class AlertRepo:
    def __init__(self, engine: Any):
        self.engine = engine

    # alerts

    def active(self, conn: Any) -> dict[tuple[str, str], AlertInfo]:
        t = schema.alerts
        rows = conn.execute(select(t).where(t.c.status.in_(("pending", "open"))))
        return {(r.indicator, r.region): _info(r) for r in rows}

    def row(self, conn: Any, alert_id: int) -> Any:
        return conn.execute(select(schema.alerts).where(schema.alerts.c.id == alert_id)).first()

    def event(self, conn: Any, alert_id: int, time: datetime, kind: str, state: str | None = None,
              value: float | None = None, actor: str | None = None, note: str | None = None) -> None:
        conn.execute(schema.alert_events.insert().values(
            alert_id=alert_id, time=time, kind=kind, state=state, value=value, actor=actor, note=note))

    def get(self, alert_id: int) -> AlertInfo | None:
        with self.engine.connect() as conn:
            row = self.row(conn, alert_id)
        return _info(row) if row is not None else None

    def open_alerts(self, at: datetime | None = None) -> list[AlertInfo]:
        """Alerts open now, or as they stood at ``at`` (state, acknowledgement) for replay."""
        t = schema.alerts
        at = utc(at) if at is not None else None
        with self.engine.connect() as conn:
            if at is None:
                return [_info(r) for r in conn.execute(_OPEN_NOW)]
            rows = conn.execute(
                select(t).where(t.c.opened.is_not(None), t.c.opened <= at,
                                or_(t.c.closed.is_(None), t.c.closed > at)).order_by(t.c.id)
            ).all()
            out = []
            e = schema.alert_events
            for r in rows:
                state = conn.execute(
                    select(e.c.state).where(e.c.alert_id == r.id, e.c.time <= at,
                                            e.c.kind.in_(("opened", "raised", "lowered")))
                    .order_by(e.c.id.desc()).limit(1)
                ).scalar() or r.state
                info = _info(r)
                acked = info.acknowledged_at is not None and info.acknowledged_at <= at
                out.append(AlertInfo(
                    info.id, info.indicator, info.region, info.owner, "open", state, info.started, info.opened,
                    None, info.value, info.peak, info.acknowledged_by if acked else None,
                    info.acknowledged_at if acked else None, info.ack_note if acked else None, info.level,
                    info.peak_state, info.incident,
                ))
            return out

    def alerts_between(self, start: datetime, end: datetime) -> list[AlertInfo]:
        """Alerts open at any moment of [start, end): what a day's report lists."""
        start, end = utc(start), utc(end)
        t = schema.alerts
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t).where(t.c.opened.is_not(None), t.c.opened < end,
                                or_(t.c.closed.is_(None), t.c.closed >= start)).order_by(t.c.opened, t.c.id)
            )
            return [_info(r) for r in rows]

    def recent(self, limit: int = 100) -> list[AlertInfo]:
        t = schema.alerts
        with self.engine.connect() as conn:
            rows = conn.execute(select(t).where(t.c.status != "pending").order_by(t.c.id.desc()).limit(limit))
            return [_info(r) for r in rows]

    def acknowledge(self, alert_id: int, who: str, note: str, now: datetime | None = None) -> AlertInfo:
        """Record who acknowledged and when; refuses (``AckRefused``) a second time or a closed alert.

        The update is conditional on the alert still being open and unacknowledged, so two operators
        pressing at once cannot both succeed.
        """
        now = utc(now or datetime.now(UTC))
        t = schema.alerts
        with self.engine.begin() as conn:
            row = self.row(conn, alert_id)
            if row is None or row.status == "pending":
                raise AckRefused("alert {alert} does not exist", 404, alert=alert_id)
            if row.status == "closed":
                raise AckRefused("alert {alert} is already closed", alert=alert_id)
            if row.acknowledged_at is not None:
                raise AckRefused("alert {alert} was already acknowledged by {who} at {at}", alert=alert_id,
                                 who=row.acknowledged_by, at=aware(row.acknowledged_at).isoformat())
            done = conn.execute(
                t.update().where(t.c.id == alert_id, t.c.status == "open", t.c.acknowledged_at.is_(None))
                .values(acknowledged_by=who, acknowledged_at=now, ack_note=note)
            ).rowcount
            if done != 1:
                raise AckRefused("alert {alert} changed meanwhile; reload and try again", alert=alert_id)
            self.event(conn, alert_id, now, "acknowledged", actor=who, note=note)
            return _info(self.row(conn, alert_id))

    # notifications

    def queue(self, conn: Any, alert_id: int, owner: Any, level: int, now: datetime,
              incident: int | None = None, kind: str | None = None) -> int:
        """One message to each of the owner's contacts: about one alert, or (``incident``) about an
        incident, ``alert_id`` then naming its worst region at the time."""
        rows = [
            {"alert_id": alert_id, "owner": owner.id, "level": level, "channel": c.channel, "target": c.target(),
             "contact": index, "created": now, "status": "pending", "attempts": 0, "next_try": now,
             "incident": incident, "kind": kind}
            for index, c in enumerate(owner.contacts)
        ]
        if rows:
            conn.execute(schema.notifications.insert(), rows)
        return len(rows)

    def claim_due(self, now: datetime, lease_until: datetime, limit: int = 20) -> list[Notification]:
        """Pending notifications whose time has come, leased so a slow send is not started twice."""
        n = schema.notifications
        now, lease_until = utc(now), utc(lease_until)
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(n).where(n.c.status == "pending", n.c.next_try <= now).order_by(n.c.id).limit(limit)
            ).all()
            claimed = []
            for r in rows:
                if conn.execute(n.update().where(n.c.id == r.id, n.c.next_try == r.next_try)
                                .values(next_try=lease_until)).rowcount == 1:
                    claimed.append(_notification(r))
            return claimed

    def record_attempt(self, notification_id: int, ok: bool, error: str | None, now: datetime,
                       next_try: datetime | None) -> None:
        n = schema.notifications
        status = "sent" if ok else ("pending" if next_try is not None else "failed")
        with self.engine.begin() as conn:
            conn.execute(n.update().where(n.c.id == notification_id).values(
                status=status, attempts=n.c.attempts + 1, last_try=now, next_try=next_try, error=error))

    def notifications(self, limit: int = 100, alert_id: int | None = None) -> list[Notification]:
        n = schema.notifications
        query = select(n).order_by(n.c.id.desc()).limit(limit)
        if alert_id is not None:
            query = query.where(n.c.alert_id == alert_id)
        with self.engine.connect() as conn:
            return [_notification(r) for r in conn.execute(query)]

    def anything_pending(self) -> bool:
        """Whether an alert is active (pending or open) or a notification still waits to be sent.

        One cheap query, asked only when no indicator has thresholds: then nothing else can need
        the alert thread's next tick (``min_duration``, closing, escalation, retries).
        """
        a, n = schema.alerts, schema.notifications
        query = select(or_(exists().where(a.c.status.in_(("pending", "open"))),
                           exists().where(n.c.status == "pending")))
        with self.engine.connect() as conn:
            return bool(conn.execute(query).scalar())

    def version(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.max(schema.alert_events.c.id))).scalar() or 0)


__all__ = ["AckRefused", "AlertInfo", "AlertRepo", "Notification", "ORDER", "aware"]
