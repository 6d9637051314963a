"""A channel that is down, slow or answers garbage: retried with back-off, the failure recorded, and
collection never waits for it."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from tests.alerts.fakes import FakeHttp, http_server, wait_for
from tests.alerts.helpers import River
from tests.conftest import free_port
from wallboard.alerts.repo import AlertRepo
from wallboard.alerts.service import AlertService


def open_alert(river: River, service: AlertService) -> datetime:
    now = datetime.now(UTC)
    river.run(now, {"12.75": 400})
    service.evaluate(now)
    assert len(AlertRepo(river.store.engine).open_alerts()) == 1
    return now


def test_down_slow_and_garbage_channels_are_retried_and_logged(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TEST_BOT_TOKEN", "99:token-rahasia")
    closed_port = free_port()  # nothing listens here: the SMTP server is down
    slow = FakeHttp(mode="slow", delay=3.0)
    garbage = FakeHttp(mode="garbage", telegram=True)
    with http_server(slow), http_server(garbage):
        river = River(
            tmp_path, f"sqlite:///{tmp_path / 'w.db'}", escalate_after="1s",
            contacts=f'[{{channel: webhook, url: "{slow.url}/hook"}}, '
                     '{channel: telegram, chat_id: "1", bot_token: "${TEST_BOT_TOKEN}"}, '
                     "{channel: email, to: bpbd@example.go.id}]",
            alerts=f'{{min_duration: null, telegram_api: "{garbage.url}", retries: 2, retry_after: 1s, timeout: 1s}}',
            notify=f"{{smtp: {{host: 127.0.0.1, port: {closed_port}, sender: cc@example.go.id, security: none}}}}",
        )
        service = AlertService(river.store, lambda: river.config)
        repo = AlertRepo(river.store.engine)
        try:
            opened = open_alert(river, service)
            assert len(service.escalate(opened + timedelta(seconds=2))) == 1
            started = time.monotonic()
            futures = service.deliver_due(opened + timedelta(seconds=2))
            assert time.monotonic() - started < 0.5  # handed to the delivery pool, not waited for
            # Meanwhile a collector run and an evaluation go through at once.
            started = time.monotonic()
            river.run(datetime.now(UTC), {"12.75": 410})
            service.evaluate()
            assert time.monotonic() - started < 1.5
            for future in futures:
                future.result(timeout=10)
            log = {n.channel: n for n in repo.notifications()}
            assert set(log) == {"webhook", "telegram", "email"}
            assert all(n.status == "pending" and n.attempts == 1 for n in log.values())
            assert "timed out" in log["webhook"].error.lower()
            assert "without JSON" in log["telegram"].error
            assert "refused" in log["email"].error.lower()
            assert "token-rahasia" not in " ".join(n.error + n.target for n in log.values())
            first_retry = log["webhook"].next_try - log["webhook"].last_try
            assert timedelta(seconds=0.9) <= first_retry <= timedelta(seconds=1.1)

            # The webhook recovers: its retry is sent; the others back off (2 s) and then give up.
            slow.mode = "ok"
            wait_for(lambda: all(n.next_try and n.next_try <= datetime.now(UTC) for n in repo.notifications()
                                 if n.status == "pending"), timeout=5)
            for future in service.deliver_due():
                future.result(timeout=10)
            log = {n.channel: n for n in repo.notifications()}
            assert (log["webhook"].status, log["webhook"].attempts, log["webhook"].error) == ("sent", 2, None)
            second = log["telegram"].next_try - log["telegram"].last_try
            assert timedelta(seconds=1.9) <= second <= timedelta(seconds=2.1)  # doubled
            wait_for(lambda: all(n.next_try <= datetime.now(UTC) for n in repo.notifications()
                                 if n.status == "pending"), timeout=5)
            for future in service.deliver_due():
                future.result(timeout=10)
            log = {n.channel: n for n in repo.notifications()}
            assert (log["telegram"].status, log["telegram"].attempts) == ("failed", 3)
            assert (log["email"].status, log["email"].attempts) == ("failed", 3)
            assert service.deliver_due() == []  # nothing left to try
            assert len(slow.requests) == 2 and len(garbage.requests) == 3
        finally:
            service.stop()
            river.close()


def test_a_hanging_channel_does_not_hold_up_the_running_service(tmp_path) -> None:
    """The real threads: evaluation woken by collector runs, escalation and delivery on their own."""
    hang = FakeHttp(mode="slow", delay=4.0)
    with http_server(hang):
        river = River(
            tmp_path, f"sqlite:///{tmp_path / 'w.db'}", escalate_after="1s",
            contacts=f'[{{channel: webhook, url: "{hang.url}/hook"}}]',
            alerts="{min_duration: null, retries: 0, timeout: 3s}",
        )
        service = AlertService(river.store, lambda: river.config, tick=0.2)
        river.collector.on_run = service.notify
        repo = AlertRepo(river.store.engine)
        try:
            service.start()
            river.run(datetime.now(UTC), {"12.75": 400})
            wait_for(repo.open_alerts, timeout=5)
            later = datetime.now(UTC) + timedelta(seconds=2)
            assert service.escalate(later)
            service.deliver_due(later)
            wait_for(lambda: hang.requests, timeout=5)  # the webhook now hangs for 4 s
            started = time.monotonic()
            for value in (300, 200, 100):
                river.run(datetime.now(UTC), {"12.75": value})
            assert time.monotonic() - started < 2.0
            wait_for(lambda: not repo.open_alerts(), timeout=5)  # evaluation went on meanwhile
            wait_for(lambda: repo.notifications()[0].status == "failed", timeout=8)
        finally:
            service.stop()
            river.close()
