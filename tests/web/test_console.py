"""The operator console and the alert API (Flask test client on the real app and store)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from tests.alerts.helpers import River
from wallboard.alerts.repo import AlertRepo
from wallboard.alerts.service import AlertService
from wallboard.runtime import Runtime
from wallboard.web.app import create_app

AJAX = {"X-Requested-With": "wallboard"}  # what the site's own scripts send with JSON (CSRF)


@pytest.fixture
def desk(tmp_path, monkeypatch):
    """Two open alerts (the city critical, kecamatan 02 warning), one closed, one failed notification."""
    river = River(tmp_path, f"sqlite:///{tmp_path / 'w.db'}", escalate_after="1s",
                  contacts='[{channel: webhook, url: "http://127.0.0.1:9/down"}]',
                  alerts="{min_duration: null, retries: 0, timeout: 1s}")
    (tmp_path / "config.yaml").write_text(river.text, encoding="utf-8")
    (tmp_path / "air.csv").write_text("waktu,wilayah,nilai\n", encoding="utf-8")
    service = AlertService(river.store, lambda: river.config)
    now = datetime.now(UTC)
    river.run(now - timedelta(minutes=30), {"12.75.03": 400})
    service.evaluate(now - timedelta(minutes=30))
    river.run(now - timedelta(minutes=20), {"12.75.03": 100, "12.75.02": 270, "12.75.01": 400})
    service.evaluate(now - timedelta(minutes=20))
    service.escalate(now - timedelta(minutes=10))
    service.deliver_due(now - timedelta(minutes=10), wait=True)
    runtime = Runtime.from_path(tmp_path / "config.yaml", collect=False)
    app = create_app(runtime)
    yield app.server.test_client(), AlertRepo(river.store.engine)
    runtime.stop()
    service.stop()
    river.close()


def test_api_lists_open_alerts_most_severe_first(desk) -> None:
    client, repo = desk
    body = client.get("/api/alerts").get_json()
    # Critical first; among warnings the older (the city's, lowered from critical) first.
    assert [(a["region"], a["state"]) for a in body] == [("12.75.01", "critical"), ("12.75", "warning"),
                                                         ("12.75.02", "warning")]
    first = body[0]
    for key in ("indicator", "region", "state", "since", "peak", "acknowledged_by", "acknowledged_at"):
        assert key in first
    assert first["indicator"] == "tinggi_muka_air" and first["acknowledged_by"] is None
    assert datetime.fromisoformat(first["since"]) <= datetime.now(UTC)


def test_acknowledge_once_then_refused_with_a_reason(desk) -> None:
    client, repo = desk
    alert_id = client.get("/api/alerts").get_json()[0]["id"]
    answer = client.post(f"/api/alerts/{alert_id}/ack", json={"name": "sari", "note": "tim ke lokasi"}, headers=AJAX)
    assert answer.status_code == 200
    assert answer.get_json()["acknowledged_by"] == "sari" and answer.get_json()["note"] == "tim ke lokasi"
    listed = {a["id"]: a for a in client.get("/api/alerts").get_json()}
    assert listed[alert_id]["acknowledged_by"] == "sari" and listed[alert_id]["acknowledged_at"]

    again = client.post(f"/api/alerts/{alert_id}/ack", json={"name": "budi"}, headers=AJAX)
    assert again.status_code == 409 and "sudah ditanggapi oleh sari" in again.get_json()["error"]
    closed_id = next(a.id for a in repo.recent() if a.status == "closed")
    refused = client.post(f"/api/alerts/{closed_id}/ack", json={"name": "budi"}, headers=AJAX)
    # In the site's language (id), not English (issue 22).
    assert refused.status_code == 409 and refused.get_json()["error"] == f"peringatan {closed_id} sudah ditutup"
    assert client.post("/api/alerts/9999/ack", json={"name": "budi"}, headers=AJAX).status_code == 404
    nameless = client.post(f"/api/alerts/{listed[alert_id]['id'] + 1}/ack", json={}, headers=AJAX)
    assert nameless.status_code == 400 and "nama" in nameless.get_json()["error"]


def test_console_page_acknowledges_and_shows_failed_notifications(desk) -> None:
    client, repo = desk
    page = client.get("/console").get_data(as_text=True)
    # The three alerts opened while one incident of the river was open: one incident of 3 areas.
    assert "Meja operator" in page and "Kejadian terbuka (1)" in page and "3 wilayah" in page
    assert 'id="open-alerts"' not in page  # no alert listed on its own
    assert page.index("KRITIS") < page.index("WASPADA")  # critical rows first
    assert "gagal" in page and "webhook:127.0.0.1:9" in page and "refused" in page.lower()
    assert "/down" not in page  # a channel's kind and host, never its URL path (issue 22)
    assert 'href="#"' in page and "scrub-minute" in page and "/console/report.xlsx" in page

    incident = client.get("/api/incidents").get_json()[0]["id"]
    # The log names the incident its one message was about (not one row per alert).
    assert [n.incident for n in repo.notifications()] == [incident] and f"insiden #{incident}" in page
    forged = client.post("/console/incidents/ack", data={"name": "mallory", "incident": incident})  # no CSRF
    assert forged.status_code == 400 and repo.open_alerts()[0].acknowledged_by is None
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"name": "sari", "note": "ditangani", "csrf_token": token, "incident": str(incident)}
    done = client.post("/console/incidents/ack", data=form)
    assert done.status_code == 303
    assert {a.acknowledged_by for a in repo.open_alerts()} == {"sari"}
    page = client.get("/console").get_data(as_text=True)
    assert "sari sejak" in page and "ditangani" in page
    refused = client.post("/console/incidents/ack", data={"name": "budi", "csrf_token": token, "only": incident})
    assert refused.status_code == 409 and "sudah ditanggapi oleh sari" in refused.get_data(as_text=True)


def test_incidents_api_lists_regions_worst_first_and_one_ack_handles_all(desk) -> None:
    client, repo = desk
    listed = client.get("/api/incidents").get_json()
    assert len(listed) == 1
    incident = listed[0]
    assert incident["indicator"] == "tinggi_muka_air" and incident["state"] == "critical"
    # worst first: the critical kecamatan, then the warnings by their peak
    assert [(r["region"], r["state"]) for r in incident["regions"]] == [
        ("12.75.01", "critical"), ("12.75", "warning"), ("12.75.02", "warning")]
    assert incident["regions"][0]["peak"] == 400 and incident["count"] == 3
    for region in incident["regions"]:
        assert set(region) >= {"region", "state", "peak", "since", "acknowledged_at"}
    alerts = client.get("/api/alerts").get_json()
    assert {a["incident"] for a in alerts} == {incident["id"]}

    answer = client.post(f"/api/incidents/{incident['id']}/ack", json={"name": "sari", "note": "tim berangkat"},
                         headers=AJAX)
    assert answer.status_code == 200
    assert all(r["acknowledged_at"] for r in answer.get_json()["regions"])
    assert {(a["acknowledged_by"], a["note"]) for a in client.get("/api/alerts").get_json()} == {
        ("sari", "tim berangkat")}
    again = client.post(f"/api/incidents/{incident['id']}/ack", json={"name": "budi"}, headers=AJAX)
    assert again.status_code == 409 and "sudah ditanggapi oleh sari" in again.get_json()["error"]  # site's language
    assert client.post("/api/incidents/9999/ack", json={"name": "budi"}, headers=AJAX).status_code == 404


def test_console_report_download(desk) -> None:
    client, _ = desk
    answer = client.get("/console/report.xlsx")
    assert answer.status_code == 200 and "attachment" in answer.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(answer.data))
    assert book.sheetnames == ["Indikator", "Peringatan", "OPD"]
    bad = client.get("/console/report.xlsx?date=kemarin")
    assert bad.status_code == 400 and "TTTT-BB-HH" in bad.get_data(as_text=True)
