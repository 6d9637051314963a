"""The running alert engine: evaluation after each collector run, escalation, delivery.

Three kinds of work, none of which may hold up a collector or the wall:

* evaluation runs in its own thread (``wallboard-alerts``), woken by the collector's run signal
  (``notify``) and every ``TICK``, so a slow database answer delays alerts, never the next collection;
* escalation runs in the same wake-up, right after evaluation: it only decides who is due and queues
  notification rows, then hands the due ones to delivery; it never talks to a channel. It works on
  incidents: one message per incident and level (not one per region), one chain for all its regions,
  and one update when the incident worsens;
* delivery runs on a small pool of its own; each attempt has ``alerts.timeout``, a failure is
  retried with a doubling ``alerts.retry_after`` up to ``alerts.retries`` times, and every attempt's
  result is written to ``notifications`` (the console shows failures).

The thread goes quiet when there is nothing to watch: no indicator has thresholds, no alert is
pending or open and no notification waits. Then only ``notify`` (a collector run, a config reload)
or ``stop`` wakes it, with ``QUIET_WAIT`` as a safety net: on a VM each timer wake-up costs CPU, and
an idle server would otherwise spend it on passes that cannot change anything. It also stays quiet
while another process leads collection (only the leader judges alerts); the new leader's first
collector runs wake it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from wallboard.alerts import channels, incidents
from wallboard.alerts.evaluate import evaluate
from wallboard.alerts.messages import incident_message, message_for
from wallboard.alerts.repo import ORDER, AlertRepo, Notification, aware
from wallboard.backoff import Backoff
from wallboard.indicators import watched
from wallboard.reasons import one_line
from wallboard.store import Store, schema

log = logging.getLogger(__name__)
TICK = 5.0  # seconds: evaluation also runs this often without a collector run (min_duration, clearing)
# Escalation and delivery are checked on every tick of the alert thread, so at least this often while
# anything is open or pending (a ``tick`` larger than this would slow them down with it).
ESCALATE_EVERY = TICK
QUIET_WAIT = 300.0  # seconds: a quiet thread's safety-net wake-up, should a wake signal ever be missed
DELIVERY_THREADS = 4


class AlertService:
    def __init__(self, store: Store, config: Callable[[], Any], tick: float = TICK):
        self.store = store
        self._config = config
        self.repo = AlertRepo(store.engine)
        self.tick = tick
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool = ThreadPoolExecutor(max_workers=DELIVERY_THREADS, thread_name_prefix="wallboard-notify")
        self._escalate_lock = threading.Lock()
        self._scheduler: Any | None = None

    def _active(self) -> bool:
        return self._scheduler is None or getattr(self._scheduler, "leading", True)

    @property
    def config(self) -> Any:
        return self._config()

    # lifecycle

    def notify(self, _run: Any = None) -> None:
        """A collector run finished (or the config was reloaded): evaluate soon, on the alert
        thread (never on the caller's). This is also what wakes a quiet thread."""
        self._wake.set()

    def start(self, scheduler: Any | None = None) -> None:
        """Evaluate and escalate while ``scheduler`` collects: only the process holding the
        collector lease (``store/lease.py``) judges alerts, so two processes never open one twice."""
        self._scheduler = scheduler
        if scheduler is not None and hasattr(scheduler, "on_lead"):
            scheduler.on_lead = self.notify  # taking over: open alerts and queued notifications wait
        self._thread = threading.Thread(target=self._loop, name="wallboard-alerts", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _loop(self) -> None:
        quiet = False
        while not self._stop.is_set():
            self._wake.wait(QUIET_WAIT if quiet else self.tick)
            self._wake.clear()
            if self._stop.is_set():
                return
            if not self._active():
                quiet = True  # a process that does not collect judges nothing; its first runs as leader wake it
                continue
            quiet = self._pass()

    def _pass(self) -> bool:
        """Evaluate, escalate and deliver once; True when nothing can need the next tick."""
        evaluated = True
        try:
            self.evaluate()
        except Exception as exc:  # noqa: BLE001 - the database may be briefly away; next run tries again
            log.error("alert evaluation failed: %s", one_line(exc))
            evaluated = False
        self.escalate_and_deliver()  # due escalations go out even when evaluation failed
        if not evaluated or any(watched(i) for i in self.config.indicators):
            return False  # min_duration, clearing and new crossings are judged on the tick
        try:
            return not self.repo.anything_pending()
        except Exception as exc:  # noqa: BLE001 - not knowing means ticking on
            log.error("alert check failed: %s", one_line(exc))
            return False

    # work

    def evaluate(self, now: datetime | None = None) -> list[tuple[str, int]]:
        changes = evaluate(self.store, self.config, now)
        for kind, alert_id in changes:
            log.info("alert %s: %s", alert_id, kind)
        return changes

    def escalate_and_deliver(self) -> None:
        """Escalate what is due and start due deliveries; the alert thread's every pass does this."""
        if not self._active():
            return
        try:
            self.escalate()
            self.deliver_due()
        except Exception as exc:  # noqa: BLE001 - next tick tries again
            log.error("alert escalation failed: %s", one_line(exc))

    def escalate(self, now: datetime | None = None) -> list[tuple[int, str, int]]:
        """Queue the messages that are due: per incident (one for all its regions), and per alert
        only for alerts that predate incidents.

        Level 1 is the indicator's owner, ``escalate_after`` (the owner's) after the incident opened;
        level n+1 is the ``next`` owner of level n, a further ``escalate_after`` of level n later.
        Acknowledging the incident stops it for all its regions, those that join later included.
        An incident that worsens (waspada → kritis) sends one update to the owners told so far; an
        owner with ``notify_on_open`` is told once as soon as the incident opens (level 0, ``opened``).
        Returns (incident id, or alert id for an old alert; owner id; level) for each escalation made.
        """
        now = (now or datetime.now(UTC)).astimezone(UTC)
        config = self.config
        owners = {o.id: o for o in config.owners}
        directions = {i.id: i.direction for i in config.indicators}
        with self._escalate_lock, self.store.engine.begin() as conn:
            made = [m for incident_id in conn.execute(select(schema.incidents.c.id).where(
                        schema.incidents.c.status == "open").order_by(schema.incidents.c.id)).scalars().all()
                    for m in self._escalate_incident(conn, incident_id, owners, directions, now)]
            made.extend(self._escalate_alerts(conn, owners, now))
        return made

    def _escalate_incident(self, conn: Any, incident_id: int, owners: dict[str, Any], directions: dict[str, str],
                           now: datetime) -> list[tuple[int, str, int]]:
        incident = incidents.read(conn, incident_id, directions)
        if incident is None or not incident.alerts:
            return []
        i = schema.incidents
        row = conn.execute(select(i).where(i.c.id == incident_id)).first()
        worst = incident.alerts[0]
        chain = _chain(owners, worst.owner)
        level = incident.level
        told = row.notified_state  # set once the incident's first message was queued (opened or level 1)
        if told is None and not level and chain and chain[0].notify_on_open:
            self.repo.queue(conn, worst.id, chain[0], 0, now, incident=incident_id, kind="opened")
            conn.execute(i.update().where(i.c.id == incident_id).values(notified_state=incident.state))
            told = incident.state
            log.info("incident %s opened: %s told at once", incident_id, chain[0].id)
        heard = chain[:level] if level else chain[:1] if told else []
        if heard and ORDER.get(incident.state, 0) > ORDER.get(told or "", 0):
            for index, owner in enumerate(heard):  # everyone told so far hears it got worse, once
                self.repo.queue(conn, worst.id, owner, index + 1 if level else 0, now, incident=incident_id,
                                kind="worsened")
            conn.execute(i.update().where(i.c.id == incident_id).values(notified_state=incident.state))
            log.info("incident %s worsened to %s: update to %d owner(s)", incident_id, incident.state, len(heard))
        waiting = [a for a in incident.alerts if a.acknowledged_at is None]
        if incident.acknowledged_at is not None or not waiting or level >= len(chain):
            return []
        # Level n+1 waits escalate_after of the owner notified at level n (of the first owner at 0).
        wait = chain[max(level - 1, 0)].escalate_after
        since = aware(row.escalated_at) if level else incident.opened
        if since is None or now - since < wait:
            return []
        same_level = i.c.level == row.level if row.level is not None else i.c.level.is_(None)
        if not conn.execute(i.update().where(i.c.id == incident_id, same_level).values(
                level=level + 1, escalated_at=now, notified_state=incident.state)).rowcount:
            return []
        target = chain[level]
        self.repo.queue(conn, worst.id, target, level + 1, now, incident=incident_id, kind="escalated")
        a = schema.alerts
        for alert in waiting:  # each region's history says it was escalated, with its incident
            conn.execute(a.update().where(a.c.id == alert.id).values(level=level + 1, escalated_at=now))
            self.repo.event(conn, alert.id, now, "escalated", alert.state, alert.value, actor=target.id,
                            note=f"level {level + 1}, incident {incident_id}")
        log.info("incident %s (%d areas) escalated to %s (level %d)", incident_id, len(incident.alerts),
                 target.id, level + 1)
        return [(incident_id, target.id, level + 1)]

    def _escalate_alerts(self, conn: Any, owners: dict[str, Any], now: datetime) -> list[tuple[int, str, int]]:
        """Alerts opened before incidents existed (no ``incident``) escalate one by one, as they did."""
        made: list[tuple[int, str, int]] = []
        a = schema.alerts
        rows = conn.execute(select(a).where(a.c.status == "open", a.c.acknowledged_at.is_(None),
                                            a.c.incident.is_(None))).all()
        for row in rows:
            chain = _chain(owners, row.owner)
            level = row.level or 0
            if level >= len(chain):
                continue
            wait = chain[max(level - 1, 0)].escalate_after
            since = aware(row.escalated_at) if level else aware(row.opened)
            if since is None or now - since < wait:
                continue
            target = chain[level]
            conn.execute(a.update().where(a.c.id == row.id, a.c.level == row.level)
                         .values(level=level + 1, escalated_at=now))
            self.repo.queue(conn, row.id, target, level + 1, now)
            self.repo.event(conn, row.id, now, "escalated", row.state, row.value, actor=target.id,
                            note=f"level {level + 1}")
            made.append((row.id, target.id, level + 1))
            log.info("alert %s escalated to %s (level %d)", row.id, target.id, level + 1)
        return made

    def deliver_due(self, now: datetime | None = None, wait: bool = False) -> list[Future]:
        """Start every due notification on the delivery pool (``wait``: until they finish, for tests)."""
        now = now or datetime.now(UTC)
        settings = self.config.alerts
        lease = now + 2 * settings.timeout + timedelta(seconds=5)
        futures = [self._pool.submit(self._attempt, n) for n in self.repo.claim_due(now, lease)]
        if wait:
            for future in futures:
                future.result()
        return futures

    def _attempt(self, notification: Notification) -> bool:
        config = self.config
        settings = config.alerts
        owner = next((o for o in config.owners if o.id == notification.owner), None)
        contact = owner.contacts[notification.contact] if owner and notification.contact < len(owner.contacts) else None
        error: str | None = None
        if contact is None or contact.channel != notification.channel:
            error = "contact no longer in config.yaml"
        else:
            try:
                channels.send(contact, self._message(notification, config), config, settings.timeout.total_seconds())
            except Exception as exc:  # noqa: BLE001 - any fault of a channel is recorded, not raised
                error = one_line(exc)
        finished = datetime.now(UTC)
        attempts = notification.attempts + 1
        next_try = None
        if error is not None and attempts <= settings.retries and contact is not None:
            next_try = finished + Backoff(settings.retry_after, cap=None).delay(attempts)
        self.repo.record_attempt(notification.id, error is None, error, finished, next_try)
        if error is not None:
            log.warning("notification %s (%s) failed: %s", notification.id, notification.target, error)
        return error is None


    def _message(self, notification: Notification, config: Any) -> channels.Message:
        """The incident's message as it stands now (its regions, worst first); one alert's for an
        old alert, or for an incident that closed before its message went out."""
        if notification.incident is not None:
            directions = {i.id: i.direction for i in config.indicators}
            incident = incidents.get(self.store.engine, notification.incident, directions)
            if incident is not None and incident.alerts:
                return incident_message(incident, config, notification.level, notification.kind or "escalated")
        alert = self.repo.get(notification.alert_id)
        return message_for(alert, config, notification.level)


def _chain(owners: dict[str, Any], first: str | None) -> list[Any]:
    """The owner and its ``next`` levels, each once (a loop in config ends the chain)."""
    chain: list[Any] = []
    current = owners.get(first) if first else None
    while current is not None and current not in chain:
        chain.append(current)
        current = owners.get(current.next) if current.next else None
    return chain
