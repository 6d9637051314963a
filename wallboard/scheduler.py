"""APScheduler jobs: one per source, on its ``every:`` or ``cron:`` in the site's time zone.

Each job coalesces missed runs, never overlaps itself, and runs once at start-up. The pool has a
thread per source, so a slow source never delays another.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from wallboard.collector import Collector

JOB_PREFIX = "source:"


def trigger_for(source: Any, timezone: Any) -> Any:
    if source.cron is not None:
        return CronTrigger.from_crontab(source.cron, timezone=timezone)
    return IntervalTrigger(seconds=source.interval.total_seconds(), timezone=timezone)


class CollectorScheduler:
    def __init__(self, collector: Collector, extra_threads: int = 2):
        self.collector = collector
        size = max(4, len(collector.config.sources) + extra_threads)
        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=size)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
            timezone=collector.config.site.zone,
        )

    def start(self) -> None:
        self.schedule(self.collector.config)
        self.scheduler.start()

    def schedule(self, config: Any) -> None:
        """(Re)create the source jobs for ``config``; jobs of removed sources go away."""
        wanted = {JOB_PREFIX + s.id: s for s in config.sources}
        for job in self.scheduler.get_jobs():
            if job.id.startswith(JOB_PREFIX) and job.id not in wanted:
                job.remove()
        for job_id, source in wanted.items():
            existing = self.scheduler.get_job(job_id)
            trigger = trigger_for(source, config.site.zone)
            if existing is not None:
                if str(existing.trigger) != str(trigger):
                    existing.reschedule(trigger)
                continue
            self.scheduler.add_job(
                self.collector.run, trigger, args=[source.id], id=job_id, name=source.id,
                next_run_time=datetime.now(UTC),
            )

    def add_job(self, func: Any, seconds: float, job_id: str) -> None:
        self.scheduler.add_job(func, IntervalTrigger(seconds=seconds), id=job_id, name=job_id)

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
