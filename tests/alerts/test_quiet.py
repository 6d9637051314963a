"""The alert thread wakes only when a pass can change something: it ticks while thresholds are
configured or anything is pending or open, and otherwise sleeps until a collector run (``notify``).
Escalation and delivery happen in the thread's own passes, with no scheduler job of their own."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.alerts.fakes import FakeHttp, http_server, wait_for
from tests.alerts.helpers import River
from wallboard.alerts.repo import AlertRepo
from wallboard.alerts.service import AlertService
from wallboard.config import parse_config

THRESHOLDS = ",\n     thresholds: {warning: 250, critical: 320, per_region: true}"
QUIET = 0.5  # seconds of watching a quiet thread: ten of its 0.05 s ticks


def variant(river: River, old: str, new: str) -> Any:
    """River's config with one piece of its text replaced (as an edit of config.yaml would)."""
    assert old in river.text
    return parse_config(river.text.replace(old, new), str(river.path / "config.yaml"), base=river.path).config


def counted(service: AlertService) -> list[datetime | None]:
    """Record every evaluation the service makes (the thread calls ``self.evaluate``)."""
    calls: list[datetime | None] = []
    real = service.evaluate

    def evaluate(now: datetime | None = None) -> list[tuple[str, int]]:
        calls.append(now)
        return real(now)

    service.evaluate = evaluate  # type: ignore[method-assign]
    return calls


class Leader:
    """What the service asks of a scheduler: whether this process collects; it adds no job."""

    def __init__(self, leading: bool = True):
        self.leading = leading
        self.jobs: list[str] = []
        self.on_lead: Any = None  # CollectorScheduler calls it when this process takes the lease

    def add_job(self, func: Any, seconds: float, job_id: str) -> None:
        self.jobs.append(job_id)


def test_anything_pending_sees_active_alerts_and_waiting_notifications(tmp_path, db_url) -> None:
    river = River(tmp_path, db_url, escalate_after="1s",
                  contacts='[{channel: webhook, url: "http://127.0.0.1:9/down"}]',
                  alerts="{min_duration: null, retries: 0, timeout: 1s}")
    config = {"now": variant(river, "min_duration: null", "min_duration: 2m")}
    service = AlertService(river.store, lambda: config["now"])
    repo = AlertRepo(river.store.engine)
    try:
        now = datetime.now(UTC)
        assert not repo.anything_pending()
        river.run(now, {"12.75": 400})
        service.evaluate(now)
        with river.store.engine.connect() as conn:
            assert [a.status for a in repo.active(conn).values()] == ["pending"]
        assert repo.anything_pending()
        river.run(now + timedelta(seconds=1), {"12.75": 100})
        service.evaluate(now + timedelta(seconds=1))  # a crossing shorter than min_duration is forgotten
        assert not repo.anything_pending()
        config["now"] = river.config  # min_duration: null
        river.run(now + timedelta(seconds=2), {"12.75": 400})
        service.evaluate(now + timedelta(seconds=2))
        assert len(repo.open_alerts()) == 1 and repo.anything_pending()
        assert service.escalate(now + timedelta(seconds=4))
        river.run(now + timedelta(seconds=5), {"12.75": 100})
        service.evaluate(now + timedelta(seconds=5))
        assert repo.open_alerts() == []
        assert repo.anything_pending()  # the closed alert's notification still waits to be sent
        service.deliver_due(now + timedelta(seconds=5), wait=True)
        assert [n.status for n in repo.notifications()] == ["failed"]
        assert not repo.anything_pending()
    finally:
        service.stop()
        river.close()


def test_with_nothing_to_watch_the_thread_sleeps_until_woken(tmp_path) -> None:
    river = River(tmp_path, f"sqlite:///{tmp_path / 'w.db'}", alerts="{min_duration: null}")
    config = {"now": variant(river, THRESHOLDS, "")}
    service = AlertService(river.store, lambda: config["now"], tick=0.05)
    calls = counted(service)
    try:
        service.start()
        wait_for(lambda: calls)  # the first pass, on the first tick, finds nothing to watch
        time.sleep(QUIET)
        assert len(calls) == 1, "a thread with nothing to watch evaluated on a timer"

        service.notify()  # a collector run
        wait_for(lambda: len(calls) == 2)
        time.sleep(QUIET)
        assert len(calls) == 2

        config["now"] = river.config  # thresholds added (a config reload notifies the service)
        service.notify()
        wait_for(lambda: len(calls) >= 6)  # ticking again without any run

        river.run(datetime.now(UTC), {"12.75": 400})
        wait_for(AlertRepo(river.store.engine).open_alerts)
        config["now"] = variant(river, THRESHOLDS, "")  # thresholds removed: the open alert is closed
        wait_for(lambda: not AlertRepo(river.store.engine).open_alerts())
        settled = len(calls)  # the pass that closed the alert is counted, and it found nothing left
        time.sleep(QUIET)
        assert len(calls) == settled, "the thread kept ticking once nothing was left to watch"
    finally:
        service.stop()
        river.close()


def test_the_thread_escalates_and_delivers_only_while_leading(tmp_path) -> None:
    with http_server(FakeHttp()) as hook:
        river = River(tmp_path, f"sqlite:///{tmp_path / 'w.db'}", escalate_after="1s",
                      contacts=f'[{{channel: webhook, url: "{hook.url}/hook"}}]',
                      alerts="{min_duration: null, retries: 0, timeout: 2s}")
        service = AlertService(river.store, lambda: river.config, tick=0.05)
        river.collector.on_run = service.notify
        calls = counted(service)
        leader = Leader(leading=False)
        repo = AlertRepo(river.store.engine)
        try:
            service.start(leader)
            river.run(datetime.now(UTC), {"12.75": 400})
            time.sleep(QUIET)
            assert calls == [] and repo.open_alerts() == []  # another process judges alerts

            leader.leading = True  # this process took the collector lease; its first run wakes alerts
            river.run(datetime.now(UTC), {"12.75": 400})
            wait_for(repo.open_alerts)
            # A second after opening, the owner's webhook is told, with nobody calling escalate_and_deliver.
            wait_for(lambda: [n.status for n in repo.notifications()] == ["sent"], timeout=10)
            assert len(hook.requests) == 1
            assert leader.jobs == []  # no scheduler job of its own any more
        finally:
            service.stop()
            river.close()


def test_taking_the_lead_wakes_the_sleeping_thread_without_a_run(tmp_path) -> None:
    """A follower's alert thread sleeps; when its process takes the collector lease it judges at once,
    even with no source run to wake it (the old leader's open alerts must go on escalating)."""
    river = River(tmp_path, f"sqlite:///{tmp_path / 'w.db'}", alerts="{min_duration: null}")
    service = AlertService(river.store, lambda: river.config, tick=0.05)
    calls = counted(service)
    leader = Leader(leading=False)
    try:
        service.start(leader)
        time.sleep(QUIET)
        assert calls == []  # another process leads
        leader.leading = True
        leader.on_lead()  # what CollectorScheduler._lead does
        wait_for(lambda: calls)
    finally:
        service.stop()
        river.close()
