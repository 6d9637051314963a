"""An alert's life from real collector runs: opened, acknowledged, escalated (once per incident) through
every channel, closed — on SQLite and PostgreSQL (``db_url``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.alerts.fakes import FakeHttp, http_server, smtp_server
from tests.alerts.helpers import River
from wallboard.alerts import incidents
from wallboard.alerts.repo import AckRefused, AlertRepo
from wallboard.alerts.service import AlertService
from wallboard.store import schema

T0 = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)  # 14:00 WIB


def kinds(store, alert_id: int) -> list[str]:
    e = schema.alert_events
    with store.engine.connect() as conn:
        return [k for (k,) in conn.execute(select(e.c.kind).where(e.c.alert_id == alert_id).order_by(e.c.id))]


def test_open_acknowledge_escalate_close(tmp_path, db_url, monkeypatch) -> None:
    monkeypatch.setenv("TEST_BOT_TOKEN", "123456:rahasia-bot")
    monkeypatch.setenv("TEST_CHAT_ID", "-100777")
    with http_server(FakeHttp()) as hook, http_server(FakeHttp(telegram=True)) as telegram, smtp_server() as mail:
        river = River(
            tmp_path, db_url, escalate_after="5m",
            contacts=f'[{{channel: webhook, url: "{hook.url}/hooks/wallboard"}}, '
                     '{channel: telegram, chat_id: "${TEST_CHAT_ID}", bot_token: "${TEST_BOT_TOKEN}"}]',
            next_contacts="[{channel: email, to: setda@example.go.id}]",
            alerts=f'{{min_duration: 2m, telegram_api: "{telegram.url}", retry_after: 1s, timeout: 2s}}',
            notify=f"{{smtp: {{host: 127.0.0.1, port: {mail.port}, sender: cc@example.go.id, security: none}}}}",
        )
        service = AlertService(river.store, lambda: river.config)
        repo = AlertRepo(river.store.engine)
        try:
            river.run(T0, {"12.75.01": 200, "12.75.02": 200})
            assert service.evaluate(T0) == []

            # 14:01 the river rises: mean 330 (critical), kecamatan 01 critical, 02 warning. Not yet 2 minutes.
            river.run(T0 + timedelta(minutes=1), {"12.75.01": 400, "12.75.02": 260})
            assert service.evaluate(T0 + timedelta(minutes=1)) == []
            assert repo.open_alerts() == []

            opened_at = T0 + timedelta(minutes=3)
            river.run(opened_at, {"12.75.01": 400, "12.75.02": 260})
            changes = service.evaluate(opened_at)
            assert sorted(k for k, _ in changes) == ["opened", "opened", "opened"]
            alerts = {a.region: a for a in repo.open_alerts()}
            assert set(alerts) == {"12.75", "12.75.01", "12.75.02"}
            whole = alerts["12.75"]
            assert (whole.state, whole.value, whole.peak, whole.owner) == ("critical", 330.0, 330.0, "BPBD")
            assert alerts["12.75.01"].state == "critical" and alerts["12.75.02"].state == "warning"

            # The operator takes the kecamatan 02 warning at once; the others wait.
            repo.acknowledge(alerts["12.75.02"].id, "sari", "petugas ke lokasi", now=opened_at + timedelta(minutes=1))
            with pytest.raises(AckRefused, match="already acknowledged by sari"):
                repo.acknowledge(alerts["12.75.02"].id, "budi", "")

            # The river peaks at 380 (mean) — peak kept; no escalation before escalate_after.
            river.run(opened_at + timedelta(minutes=2), {"12.75.01": 500, "12.75.02": 260})
            service.evaluate(opened_at + timedelta(minutes=2))
            assert repo.get(whole.id).peak == 380.0
            assert service.escalate(opened_at + timedelta(minutes=4)) == []

            # 5 minutes unacknowledged: BPBD is told over webhook and Telegram, once for the incident (its
            # three areas), not once per alert; the acknowledged kecamatan is listed but not escalated.
            [incident] = incidents.open_incidents(river.store.engine)
            made = service.escalate(opened_at + timedelta(minutes=5))
            assert made == [(incident.id, "BPBD", 1)]
            service.deliver_due(opened_at + timedelta(minutes=5), wait=True)
            assert len(hook.requests) == 1 and len(telegram.requests) == 1
            [posted] = [r["body"] for r in hook.requests]
            assert posted["incident"]["id"] == incident.id and posted["regions"] == 3 and posted["level"] == 1
            assert [r["region"] for r in posted["incident"]["regions"]] == ["12.75.01", "12.75", "12.75.02"]
            assert posted["alert"]["region"] == "12.75.01" and posted["alert"]["indicator"] == "tinggi_muka_air"
            assert posted["incident"]["regions"][1]["peak"] == 380.0
            assert hook.requests[0]["path"] == "/hooks/wallboard"
            assert all(r["path"] == "/bot123456:rahasia-bot/sendMessage" for r in telegram.requests)
            assert {r["body"]["chat_id"] for r in telegram.requests} == {"-100777"}
            text = telegram.requests[0]["body"]["text"]
            assert "KRITIS" in text and "3 wilayah" in text and "Binjai" in text
            log = repo.notifications()
            assert {(n.channel, n.status, n.attempts, n.incident) for n in log} == {
                ("webhook", "sent", 1, incident.id), ("telegram", "sent", 1, incident.id)}
            assert all("rahasia" not in n.target and "-100777" not in n.target for n in log)
            assert (repo.get(whole.id).level, repo.get(alerts["12.75.02"].id).level) == (1, 0)

            # Still nobody: a further escalate_after later the next level (Setda) gets one e-mail.
            assert service.escalate(opened_at + timedelta(minutes=9)) == []
            made = service.escalate(opened_at + timedelta(minutes=10))
            assert made == [(incident.id, "Setda", 2)]
            service.deliver_due(opened_at + timedelta(minutes=10), wait=True)
            assert len(mail.messages) == 1
            assert mail.messages[0]["To"] == "setda@example.go.id"
            assert "KRITIS" in mail.messages[0]["Subject"] and "Tinggi muka air" in mail.messages[0]["Subject"]
            assert "3 wilayah" in mail.messages[0]["Subject"]
            assert service.escalate(opened_at + timedelta(hours=1)) == []  # the chain has ended

            # Acknowledged at last; then the river falls. Closed only after 2 minutes back to normal.
            repo.acknowledge(whole.id, "budi", "pompa dinyalakan", now=opened_at + timedelta(minutes=12))
            back = opened_at + timedelta(minutes=15)
            river.run(back, {"12.75.01": 150, "12.75.02": 150})
            assert service.evaluate(back) == []
            assert {a.region for a in repo.open_alerts()} == {"12.75", "12.75.01", "12.75.02"}
            river.run(back + timedelta(minutes=2), {"12.75.01": 150, "12.75.02": 150})
            assert sorted(k for k, _ in service.evaluate(back + timedelta(minutes=2))) == ["closed"] * 3
            assert repo.open_alerts() == []
            closed = repo.get(whole.id)
            assert closed.status == "closed" and closed.closed == back + timedelta(minutes=2)
            assert (closed.acknowledged_by, closed.ack_note) == ("budi", "pompa dinyalakan")
            assert kinds(river.store, whole.id) == ["opened", "escalated", "escalated", "acknowledged", "closed"]
            with pytest.raises(AckRefused, match="already closed"):
                repo.acknowledge(alerts["12.75.01"].id, "budi", "")
        finally:
            service.stop()
            river.close()


def test_alert_changes_move_the_data_version(tmp_path, db_url) -> None:
    """The wall redraws on an alert change (open, acknowledge) even when no collector ran since."""
    river = River(tmp_path, db_url, alerts="{min_duration: null}")
    service = AlertService(river.store, lambda: river.config)
    try:
        river.run(T0, {"12.75.01": 400})
        before = river.store.data_version()
        service.evaluate(T0)
        opened = river.store.data_version()
        assert opened > before
        AlertRepo(river.store.engine).acknowledge(AlertRepo(river.store.engine).open_alerts()[0].id, "sari", "")
        assert river.store.data_version() > opened
    finally:
        service.stop()
        river.close()
