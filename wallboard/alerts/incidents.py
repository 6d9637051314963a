"""Incidents: one event of one indicator across its regions, handled with one acknowledge.

A desa-level flood crosses the levels of 37 kelurahan in one evaluation: 37 alerts, one event.
An alert that opens joins the open incident of its indicator (``attach``), or starts one; so alerts
opening in one evaluation, or while the incident is still open, are one incident. An incident
closes when its last alert has closed (``settle``, at the end of every evaluation, which also
keeps its state the worst of its open alerts). Acknowledging the incident acknowledges every open
alert in it; a region that joins after that is shown as new within it until acknowledged.
Escalation and notifications are per incident (``service``, ``messages``): one message for the
incident, one escalation chain for all its regions, an update only when it worsens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from wallboard.alerts.repo import ORDER, AckRefused, AlertInfo, _info, aware, utc
from wallboard.store import schema


def attach(conn: Any, alert_id: int, indicator: str, state: str, now: datetime) -> int:
    """Put an alert that has just opened into its indicator's open incident, or a new one."""
    i = schema.incidents
    current = conn.execute(
        select(i.c.id).where(i.c.status == "open", i.c.indicator == indicator).order_by(i.c.id.desc()).limit(1)
    ).scalar()
    if current is None:
        current = int(conn.execute(i.insert().values(
            indicator=indicator, status="open", state=state, opened=now)).inserted_primary_key[0])
    conn.execute(schema.alerts.update().where(schema.alerts.c.id == alert_id).values(incident=current))
    return int(current)


def settle(conn: Any, now: datetime) -> None:
    """Each open incident takes the worst state of its open alerts; one without any closes."""
    i, a = schema.incidents, schema.alerts
    for incident_id, state in conn.execute(select(i.c.id, i.c.state).where(i.c.status == "open")).all():
        states = conn.execute(
            select(a.c.state).where(a.c.incident == incident_id, a.c.status == "open")).scalars().all()
        if not states:
            conn.execute(i.update().where(i.c.id == incident_id).values(status="closed", closed=now))
            continue
        worst = max(states, key=lambda s: ORDER.get(s, 0))
        if worst != state:
            conn.execute(i.update().where(i.c.id == incident_id).values(state=worst))


@dataclass(frozen=True)
class Incident:
    id: int
    indicator: str
    status: str
    state: str
    opened: datetime
    closed: datetime | None
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    note: str | None
    alerts: list[AlertInfo] = field(default_factory=list)  # its open alerts, worst first
    level: int = 0  # escalation levels notified so far, for all its regions at once

    @property
    def waiting(self) -> int:
        return sum(1 for a in self.alerts if a.acknowledged_at is None)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "indicator": self.indicator, "state": self.state, "status": self.status,
            "opened": _iso(self.opened), "acknowledged_by": self.acknowledged_by,
            "acknowledged_at": _iso(self.acknowledged_at), "note": self.note,
            "count": len(self.alerts), "waiting": self.waiting,
            "regions": [{
                "region": a.region, "state": a.state, "peak": a.peak, "value": a.value, "since": _iso(a.opened),
                "acknowledged_at": _iso(a.acknowledged_at), "acknowledged_by": a.acknowledged_by, "alert": a.id,
                # joined after the incident was acknowledged, and not acknowledged itself yet
                "new": self.acknowledged_at is not None and a.acknowledged_at is None,
            } for a in self.alerts],
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def worst_first(alerts: list[AlertInfo], directions: dict[str, str]) -> list[AlertInfo]:
    """Critical before warning, then the furthest peak (highest, or lowest for ``direction: down``)."""
    def key(a: AlertInfo) -> tuple[int, float]:
        down = directions.get(a.indicator) == "down"
        return -ORDER.get(a.state, 0), a.peak if down else -a.peak
    return sorted(alerts, key=key)


def _incident(row: Any, alerts: list[AlertInfo]) -> Incident:
    return Incident(row.id, row.indicator, row.status, row.state, aware(row.opened), aware(row.closed),
                    row.acknowledged_by, aware(row.acknowledged_at), row.ack_note, alerts, row.level or 0)


def open_incidents(engine: Any, directions: dict[str, str] | None = None) -> list[Incident]:
    """Open incidents, worst and oldest first, each with its open alerts worst first."""
    i, a = schema.incidents, schema.alerts
    with engine.connect() as conn:
        rows = conn.execute(select(i).where(i.c.status == "open").order_by(i.c.opened, i.c.id)).all()
        alerts = conn.execute(select(a).where(a.c.status == "open", a.c.incident.in_([r.id for r in rows]))).all()
    by_incident: dict[int, list[AlertInfo]] = {}
    for r in alerts:
        by_incident.setdefault(r.incident, []).append(_info(r))
    out = [_incident(r, worst_first(by_incident.get(r.id, []), directions or {})) for r in rows]
    return sorted(out, key=lambda n: -ORDER.get(n.state, 0))


def get(engine: Any, incident_id: int, directions: dict[str, str] | None = None) -> Incident | None:
    with engine.connect() as conn:
        return read(conn, incident_id, directions)


def read(conn: Any, incident_id: int, directions: dict[str, str] | None = None) -> Incident | None:
    """One incident with its open alerts, worst first, on the caller's connection."""
    i, a = schema.incidents, schema.alerts
    row = conn.execute(select(i).where(i.c.id == incident_id)).first()
    if row is None:
        return None
    alerts = conn.execute(select(a).where(a.c.incident == incident_id, a.c.status == "open")).all()
    return _incident(row, worst_first([_info(r) for r in alerts], directions or {}))


def acknowledge(engine: Any, incident_id: int, who: str, note: str, now: datetime | None = None) -> Incident:
    """Acknowledge the incident and every open alert in it not acknowledged yet, in one transaction.

    Refused (``AckRefused``) for an unknown or closed incident, and for one with nothing left to
    acknowledge; each alert's update is conditional, so two operators cannot both acknowledge one.
    """
    now = utc(now or datetime.now(UTC))
    i, a = schema.incidents, schema.alerts
    with engine.begin() as conn:
        row = conn.execute(select(i).where(i.c.id == incident_id)).first()
        if row is None:
            raise AckRefused("incident {incident} does not exist", 404, incident=incident_id)
        if row.status == "closed":
            raise AckRefused("incident {incident} is already closed", incident=incident_id)
        waiting = conn.execute(select(a.c.id).where(
            a.c.incident == incident_id, a.c.status == "open", a.c.acknowledged_at.is_(None))).scalars().all()
        if not waiting and row.acknowledged_at is not None:
            raise AckRefused("incident {incident} is already acknowledged by {who}", incident=incident_id,
                             who=row.acknowledged_by)
        for alert_id in waiting:
            done = conn.execute(a.update().where(a.c.id == alert_id, a.c.acknowledged_at.is_(None)).values(
                acknowledged_by=who, acknowledged_at=now, ack_note=note)).rowcount
            if done:
                conn.execute(schema.alert_events.insert().values(
                    alert_id=alert_id, time=now, kind="acknowledged", actor=who, note=note))
        conn.execute(i.update().where(i.c.id == incident_id).values(
            acknowledged_by=who, acknowledged_at=now, ack_note=note))
    found = get(engine, incident_id)
    assert found is not None
    return found
