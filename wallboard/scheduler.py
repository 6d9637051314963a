"""APScheduler jobs: one per source, on its ``every:`` or ``cron:`` in the site's time zone.

Each job coalesces missed runs, never overlaps itself (``max_instances=1`` plus the collector's
lock per source, which also covers retries), and runs once at start-up. The pool has a thread per
source, so a slow source never delays another. Sources run every minute or more often are spread
over their interval after the start-up run (``PhasedInterval``), so many of them never run as one burst.

A failed run is retried sooner than its schedule, backing off: 5 s, 10 s, 20 s ... up to 15
minutes, and only while the retry comes before the next scheduled run (which is itself the next
try). The first success resets the count. Retention and rollup upkeep runs as one more job.

Given a lease (``wallboard/store/lease.py``), the scheduler collects only while it holds it: a
second process on the same database waits, tries again every ``LEASE_CHECK`` seconds and takes over
when the first one dies; a process that loses its lease (the database restarted) stops collecting
until it wins it back. That periodic check runs only while it can change something: while waiting,
and while leading on a lease that can be lost (PostgreSQL's); a SQLite leader's flock cannot be, so
it has no such job (an idle server's CPU is mostly timer wake-ups).
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from wallboard.backoff import Backoff
from wallboard.collector import Collector
from wallboard.reasons import one_line
from wallboard.store.lease import CollectorLease

log = logging.getLogger(__name__)

JOB_PREFIX = "source:"
RETRY_PREFIX = "retry:"
MAINTENANCE_JOB = "maintenance"
MAINTENANCE_EVERY = timedelta(hours=1)
MAINTENANCE_FIRST = timedelta(minutes=2)  # after start-up, once the first runs are in
LEASE_JOB = "collector-lease"
LEASE_CHECK = 5.0  # seconds between a waiting scheduler's tries (and a check that a losable lease is still held)


SPREAD_UP_TO = 60.0  # sources run this often or more get a phase of their own within their interval


class PhasedInterval(IntervalTrigger):
    """Every ``interval`` on the grid that starts at ``start_date``, after a start-up run at any time.

    APScheduler counts an interval from the previous run, so every source started together would run
    together for ever: 514 kab/kota at ``every: 10s`` as one burst of 514 runs every ten seconds
    (threads, database connections and the peers all at once), then nothing. Each source's grid is
    shifted by a phase of its own instead (``phase``), and the start-up run is followed by the
    first run on that grid."""

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        if previous_fire_time is not None and previous_fire_time < self.start_date:
            return self.start_date
        return super().get_next_fire_time(previous_fire_time, now)


def phase(source_id: str, seconds: float) -> float:
    """Where in its interval a source runs: fixed per source id (a restart keeps it), spread evenly."""
    return zlib.crc32(source_id.encode()) / 2**32 * seconds


def trigger_for(source: Any, timezone: Any, now: datetime | None = None) -> Any:
    if source.cron is not None:
        return CronTrigger.from_crontab(source.cron, timezone=timezone)
    seconds = source.interval.total_seconds()
    if seconds > SPREAD_UP_TO or not getattr(source, "id", None):
        return IntervalTrigger(seconds=seconds, timezone=timezone)
    start = (now or datetime.now(UTC)) + timedelta(seconds=phase(source.id, seconds))
    return PhasedInterval(seconds=seconds, start_date=start, timezone=timezone)


class CollectorScheduler:
    def __init__(self, collector: Collector, extra_threads: int = 2, backoff: Backoff | None = None,
                 only: set[str] | None = None):
        self.collector = collector
        self.backoff = backoff or Backoff()
        self.only = only
        size = max(4, len(collector.config.sources) + extra_threads)
        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=size)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
            timezone=collector.config.site.zone,
        )
        collector.retry_policy = self.retry_at
        self.lease: CollectorLease | None = None
        self.leading = False
        self._maintenance = True
        self.on_lead: Callable[[], None] | None = None  # told when this process starts collecting

    def start(self, maintenance: bool = True, lease: CollectorLease | None = None) -> None:
        """Collect now, or (with a lease someone else holds) wait for the turn to collect."""
        self.lease, self._maintenance = lease, maintenance
        if lease is None or self._try_lease():
            self._lead()
        else:
            log.warning("%s collects from this database; this process waits and takes over when it stops",
                        self._holder())
        self.scheduler.start()
        self._watch_lease()

    def _watch_lease(self) -> None:
        """Keep the ``LEASE_CHECK`` job only while a check can change something: while waiting for
        the lease, and while leading on a lease that can be lost. A leader on a lease that cannot
        (SQLite's flock, an in-memory database) would only wake up for nothing."""
        needed = self.lease is not None and (not self.leading or self.lease.can_be_lost)
        job = self.scheduler.get_job(LEASE_JOB)
        if needed and job is None:
            self.scheduler.add_job(self._check_lease, IntervalTrigger(seconds=LEASE_CHECK), id=LEASE_JOB,
                                   name=LEASE_JOB, replace_existing=True)
        elif not needed and job is not None:
            job.remove()

    def _try_lease(self) -> bool:
        assert self.lease is not None
        try:
            return self.lease.acquire()
        except Exception as exc:  # noqa: BLE001 - a database that is down: try again later
            log.error("collector lease not taken: %s", one_line(exc))
            return False

    def _holder(self) -> str:
        try:
            return self.lease.holder() if self.lease is not None else "another process"
        except Exception:  # noqa: BLE001
            return "another process"

    def _lead(self) -> None:
        self.leading = True
        self.schedule(self.collector.config)
        log.info("collecting from %d sources", sum(j.id.startswith(JOB_PREFIX) for j in self.scheduler.get_jobs()))
        if self._maintenance:
            self.scheduler.add_job(
                self.maintain, IntervalTrigger(seconds=MAINTENANCE_EVERY.total_seconds()), id=MAINTENANCE_JOB,
                name=MAINTENANCE_JOB, next_run_time=datetime.now(UTC) + MAINTENANCE_FIRST, replace_existing=True,
            )
        if self.on_lead is not None:
            self.on_lead()  # e.g. the alert thread, asleep while another process led

    def _follow(self) -> None:
        self.leading = False
        for job in self.scheduler.get_jobs():
            if job.id.startswith((JOB_PREFIX, RETRY_PREFIX)) or job.id == MAINTENANCE_JOB:
                job.remove()

    def _check_lease(self) -> None:
        assert self.lease is not None
        if self.leading and not self.lease.held():
            log.error("collector lease lost (database restarted?); collecting stops until it is won back")
            self._follow()
        elif not self.leading and self._try_lease():
            log.warning("collector lease taken: this process collects now")
            self._lead()
            self._watch_lease()

    def schedule(self, config: Any) -> None:
        """(Re)create the source jobs for ``config``; jobs of removed sources go away."""
        if not self.leading:
            return  # waiting for the lease: the leader collects
        wanted = {JOB_PREFIX + s.id: s for s in config.sources if self.only is None or s.id in self.only}
        for job in self.scheduler.get_jobs():
            if job.id.startswith((JOB_PREFIX, RETRY_PREFIX)) and JOB_PREFIX + job.id.split(":", 1)[1] not in wanted:
                job.remove()
        for job_id, source in wanted.items():
            existing = self.scheduler.get_job(job_id)
            trigger = trigger_for(source, config.site.zone)
            if existing is not None:
                if str(existing.trigger) != str(trigger):
                    existing.reschedule(trigger)
                continue
            self.scheduler.add_job(
                self.run_source, trigger, args=[source.id], id=job_id, name=source.id,
                next_run_time=datetime.now(UTC),
            )

    def run_source(self, source_id: str) -> Any:
        return self.collector.try_run(source_id)

    def retry_at(self, source: Any, failures: int, now: datetime) -> datetime | None:
        """The collector asks this after a failure; a retry job is added when it beats the schedule."""
        when = now + self.backoff.delay(failures)
        job = self.scheduler.get_job(JOB_PREFIX + source.id) if self.scheduler.running else None
        upcoming = getattr(job, "next_run_time", None) if job is not None else None
        if upcoming is not None and when >= upcoming:
            return None
        if job is None:
            return None
        self.scheduler.add_job(
            self.run_source, DateTrigger(run_date=when), args=[source.id], id=RETRY_PREFIX + source.id,
            name=f"retry {source.id}", replace_existing=True,
        )
        return when

    def maintain(self) -> None:
        try:
            done = self.collector.store.maintain(self.collector.config.database.retention)
            log.info("maintenance: %s old readings and %s old runs removed", done["readings"], done["runs"])
        except Exception as exc:  # noqa: BLE001 - next hour tries again
            log.error("maintenance failed: %s", one_line(exc))

    def add_job(self, func: Any, seconds: float, job_id: str) -> None:
        self.scheduler.add_job(func, IntervalTrigger(seconds=seconds), id=job_id, name=job_id)

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self.lease is not None:
            self.lease.release()
