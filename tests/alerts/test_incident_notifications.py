"""Notifications per incident, as a command center expects them (issue 21): a desa-level flood of 37
kelurahan is one message per escalation level (how many areas, the worst first, the peak), not 38;
areas that join an open incident send nothing new; a worsening (waspada → kritis) sends one update
to the owners told so far; an acknowledged incident stops escalating for all its areas, later ones
included. Each test fails on per-alert notifications (one message and one chain per alert)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.alerts.fakes import FakeHttp, http_server
from tests.alerts.helpers import River
from wallboard import regions
from wallboard.alerts import incidents
from wallboard.alerts.service import AlertService
from wallboard.collector import Collector
from wallboard.config import parse_config

T0 = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)  # 14:00 WIB
DESA = [d.code for d in regions.desa("12.75")]
# Each kelurahan judged on its own (region_thresholds), the city's mean level too (thresholds).
FLOOD = "thresholds: {warning: 250, critical: 320}, region_thresholds: {warning: 250, critical: 320}"


@pytest.fixture
def owners():
    """BPBD's and Setda's webhooks, and a flood config escalating BPBD → Setda every 5 minutes."""
    with http_server(FakeHttp()) as bpbd, http_server(FakeHttp()) as setda:
        yield bpbd, setda


def flood_river(tmp_path, owners, on_open: bool = False) -> tuple[River, AlertService]:
    bpbd, setda = owners
    river = River(tmp_path, f"sqlite:///{tmp_path / 'w.db'}", escalate_after="5m", alerts="{min_duration: null}",
                  contacts=f'[{{channel: webhook, url: "{bpbd.url}/bpbd"}}]',
                  next_contacts=f'[{{channel: webhook, url: "{setda.url}/setda"}}]')
    river.text = river.text.replace("thresholds: {warning: 250, critical: 320, per_region: true}", FLOOD)
    if on_open:
        river.text = river.text.replace("    next: Setda", "    notify_on_open: true\n    next: Setda")
    river.config = parse_config(river.text, str(tmp_path / "config.yaml"), base=tmp_path).config
    river.collector = Collector(river.store, river.config, tmp_path)
    return river, AlertService(river.store, lambda: river.config)


@pytest.fixture
def flood(tmp_path, owners):
    river, service = flood_river(tmp_path, owners)
    yield river, service
    service.stop()
    river.close()


def step(river: River, service: AlertService, at: datetime, values: dict[str, float]) -> list:
    """A collector run at ``at``, its evaluation, and escalation with delivery as the thread does."""
    river.run(at, values)
    service.evaluate(at)
    made = service.escalate(at)
    service.deliver_due(at, wait=True)
    return made


def bodies(fake: FakeHttp) -> list[dict]:
    return [r["body"] for r in fake.requests]


def test_a_flood_of_37_kelurahan_sends_one_message_per_level(flood, owners) -> None:
    river, service = flood
    bpbd, setda = owners
    assert len(DESA) == 37
    flooded = {code: 300 + i for i, code in enumerate(DESA)}  # 17 kritis (≥ 320), 20 waspada; mean 318
    assert step(river, service, T0, flooded) == []
    [incident] = incidents.open_incidents(river.store.engine)
    assert len(incident.alerts) == 38
    assert step(river, service, T0 + timedelta(minutes=4), flooded) == []

    assert step(river, service, T0 + timedelta(minutes=5), flooded) == [(incident.id, "BPBD", 1)]
    [told] = bodies(bpbd)  # one message, not 38
    assert (told["kind"], told["level"], told["regions"]) == ("escalated", 1, 38)
    assert told["alert"]["region"] == DESA[-1] and told["alert"]["peak"] == 336.0  # the worst, its peak
    assert [r["region"] for r in told["incident"]["regions"]][:3] == DESA[-1:-4:-1]
    text = told["text"]
    assert text.startswith("KRITIS: Tinggi muka air di 38 wilayah sejak 28 Nov 14.00")
    assert "Terparah: " in text and "+33 lainnya" in text and "(eskalasi tingkat 1)" in text
    worst_name = regions.name(DESA[-1])
    assert text.index(worst_name) < text.index(regions.name(DESA[-2]))

    assert step(river, service, T0 + timedelta(minutes=10), flooded) == [(incident.id, "Setda", 2)]
    assert len(bpbd.requests) == 1 and [(b["level"], b["regions"]) for b in bodies(setda)] == [(2, 38)]
    assert step(river, service, T0 + timedelta(hours=1), flooded) == []  # the chain has ended
    assert (len(bpbd.requests), len(setda.requests)) == (1, 1)


def test_joining_areas_send_nothing_and_a_worsening_sends_one_update(flood, owners) -> None:
    river, service = flood
    bpbd, setda = owners
    values = {code: (270 if i < 30 else 100) for i, code in enumerate(DESA)}  # 30 waspada; the mean is normal
    step(river, service, T0, values)
    [incident] = incidents.open_incidents(river.store.engine)
    assert (incident.state, len(incident.alerts)) == ("warning", 30)
    assert step(river, service, T0 + timedelta(minutes=5), values) == [(incident.id, "BPBD", 1)]
    assert len(bpbd.requests) == 1

    # Two more kelurahan join, still waspada: shown in the incident, no message of their own, ever.
    values.update({DESA[30]: 280, DESA[31]: 290})
    assert step(river, service, T0 + timedelta(minutes=6), values) == []
    [same] = incidents.open_incidents(river.store.engine)
    assert same.id == incident.id and len(same.alerts) == 32
    assert step(river, service, T0 + timedelta(minutes=9), values) == []
    assert len(bpbd.requests) == 1

    # One kelurahan turns kritis: the incident worsens; BPBD (told so far) gets one update.
    values[DESA[0]] = 330  # (the mean stays below 250: the city does not join)
    assert step(river, service, T0 + timedelta(minutes=9, seconds=30), values) == []
    assert len(bpbd.requests) == 2
    update = bodies(bpbd)[1]
    assert (update["kind"], update["level"], update["regions"]) == ("worsened", 1, 32)
    assert update["incident"]["state"] == "critical" and update["alert"]["region"] == DESA[0]
    assert update["text"].startswith("Memburuk, kini KRITIS: Tinggi muka air di 32 wilayah")
    assert step(river, service, T0 + timedelta(minutes=9, seconds=45), values) == []  # told once
    assert len(bpbd.requests) == 2 and setda.requests == []

    # Setda, told later, hears the incident as it stands (kritis, 32 areas); there is no update to repeat.
    assert step(river, service, T0 + timedelta(minutes=10), values) == [(incident.id, "Setda", 2)]
    assert [(b["kind"], b["regions"], b["incident"]["state"]) for b in bodies(setda)] == [
        ("escalated", 32, "critical")]
    assert step(river, service, T0 + timedelta(hours=1), values) == []
    assert (len(bpbd.requests), len(setda.requests)) == (2, 1)


def test_an_acknowledged_incident_stops_escalating_for_every_area_even_later_ones(flood, owners) -> None:
    river, service = flood
    bpbd, setda = owners
    values = {code: (300 if i < 10 else 100) for i, code in enumerate(DESA)}
    step(river, service, T0, values)
    [incident] = incidents.open_incidents(river.store.engine)
    incidents.acknowledge(river.store.engine, incident.id, "sari", "tim BPBD ke lokasi", T0 + timedelta(minutes=1))

    values[DESA[20]] = 300  # a kelurahan joins after the acknowledge: new within it, but no chain of its own
    step(river, service, T0 + timedelta(minutes=2), values)
    [same] = incidents.open_incidents(river.store.engine)
    assert same.id == incident.id and same.waiting == 1
    for minutes in (5, 7, 10, 15, 60):
        assert step(river, service, T0 + timedelta(minutes=minutes), values) == []
    assert (bpbd.requests, setda.requests) == ([], [])


def test_notify_on_open_tells_the_owner_once_as_the_incident_opens(tmp_path, owners) -> None:
    """``owners[].notify_on_open``: one message the moment the flood opens (not one per kelurahan, none
    for those that join), one update when it worsens, then escalation as without it."""
    river, service = flood_river(tmp_path, owners, on_open=True)
    bpbd, setda = owners
    try:
        values = {code: (270 if i < 30 else 100) for i, code in enumerate(DESA)}  # 30 waspada
        assert step(river, service, T0, values) == []  # not an escalation: level 0
        [incident] = incidents.open_incidents(river.store.engine)
        [opened] = bodies(bpbd)
        assert (opened["kind"], opened["level"], opened["regions"]) == ("opened", 0, 30)
        assert opened["text"].startswith("Baru: WASPADA, Tinggi muka air di 30 wilayah sejak 28 Nov 14.00")
        assert "+25 lainnya" in opened["text"]
        values.update({DESA[30]: 280, DESA[31]: 290})  # two join: nothing new
        assert step(river, service, T0 + timedelta(minutes=1), values) == []
        assert len(bpbd.requests) == 1
        values[DESA[0]] = 330  # kritis: one update to BPBD
        step(river, service, T0 + timedelta(minutes=2), values)
        assert [(b["kind"], b["level"]) for b in bodies(bpbd)] == [("opened", 0), ("worsened", 0)]
        step(river, service, T0 + timedelta(minutes=3), values)
        assert len(bpbd.requests) == 2
        # Still nobody: escalation as before, level 1 after BPBD's 5 minutes.
        assert step(river, service, T0 + timedelta(minutes=5), values) == [(incident.id, "BPBD", 1)]
        assert [(b["kind"], b["level"], b["regions"]) for b in bodies(bpbd)][2] == ("escalated", 1, 32)
        assert setda.requests == []
    finally:
        service.stop()
        river.close()
