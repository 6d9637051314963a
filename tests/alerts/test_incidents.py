"""A desa-level flood is one incident: one acknowledge handles every kelurahan in it (issue 21)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.alerts.helpers import River
from wallboard import regions
from wallboard.alerts import incidents
from wallboard.alerts.repo import AckRefused, AlertRepo
from wallboard.alerts.service import AlertService
from wallboard.collector import Collector
from wallboard.config import parse_config

# Flood sensors per kelurahan: each kelurahan judged on its own (region_thresholds), the city's
# mean level too (thresholds).
FLOOD = "thresholds: {warning: 250, critical: 320}, region_thresholds: {warning: 250, critical: 320}"


@pytest.fixture
def flood(tmp_path):
    river = River(tmp_path, f"sqlite:///{tmp_path / 'w.db'}", alerts="{min_duration: null}")
    river.text = river.text.replace("thresholds: {warning: 250, critical: 320, per_region: true}",
                                    FLOOD)
    river.config = parse_config(river.text, str(tmp_path / "config.yaml"), base=tmp_path).config
    river.collector = Collector(river.store, river.config, tmp_path)
    service = AlertService(river.store, lambda: river.config)
    yield river, service
    service.stop()
    river.close()


def test_a_flood_of_37_kelurahan_is_one_incident_and_one_acknowledge_handles_it(flood) -> None:
    river, service = flood
    desa = [d.code for d in regions.desa("12.75")]
    assert len(desa) == 37
    now = datetime.now(UTC) - timedelta(minutes=30)
    river.run(now, {code: 300 + i for i, code in enumerate(desa)})  # every kelurahan flooded
    service.evaluate(now)
    repo = AlertRepo(river.store.engine)
    opened = repo.open_alerts()
    assert len(opened) == 38  # the city's mean and 37 kelurahan
    listed = incidents.open_incidents(river.store.engine)
    assert len(listed) == 1 and len(listed[0].alerts) == 38
    incident = listed[0]
    assert {a.incident for a in opened} == {incident.id}
    # worst first: the critical kelurahan (the highest peak first), then the warnings
    assert incident.alerts[0].region == desa[-1] and incident.alerts[0].state == "critical"
    states = [a.state for a in incident.alerts]
    assert states == sorted(states, key=lambda s: s != "critical")

    done = incidents.acknowledge(river.store.engine, incident.id, "sari", "tim BPBD ke lokasi", now)
    assert done.waiting == 0
    assert {(a.acknowledged_by, a.ack_note) for a in repo.open_alerts()} == {("sari", "tim BPBD ke lokasi")}
    with pytest.raises(AckRefused, match="already acknowledged"):
        incidents.acknowledge(river.store.engine, incident.id, "budi", "", now)

    # A kelurahan that had been normal floods while the incident is open: it joins as new, waiting.
    later = now + timedelta(minutes=5)
    values = {code: 300 + i for i, code in enumerate(desa)}
    values[desa[0]] = 100
    river.run(later - timedelta(minutes=1), values)
    service.evaluate(later - timedelta(minutes=1))  # desa[0] closes
    values[desa[0]] = 330
    river.run(later, values)
    service.evaluate(later)
    [again] = incidents.open_incidents(river.store.engine)
    assert again.id == incident.id and again.waiting == 1
    joined = next(r for r in again.as_json()["regions"] if r["region"] == desa[0])
    assert joined["new"] is True and joined["acknowledged_at"] is None
    incidents.acknowledge(river.store.engine, incident.id, "budi", "", later)
    assert all(a.acknowledged_at is not None for a in repo.open_alerts())

    # All back to normal: every alert closes, and so does the incident.
    river.run(later + timedelta(minutes=1), {code: 100 for code in desa})
    service.evaluate(later + timedelta(minutes=1))
    assert repo.open_alerts() == [] and incidents.open_incidents(river.store.engine) == []
    # The next flood is a new incident.
    river.run(later + timedelta(minutes=2), {desa[3]: 400})
    service.evaluate(later + timedelta(minutes=2))
    [fresh] = incidents.open_incidents(river.store.engine)
    assert fresh.id != incident.id


def test_a_city_wide_threshold_judges_no_kelurahan(tmp_path) -> None:
    """Without region_thresholds (or per_region) a kelurahan's own figure opens nothing: 'fewer than
    5 buses' for the city says nothing of one kecamatan's buses."""
    river = River(tmp_path, f"sqlite:///{tmp_path / 'w.db'}", alerts="{min_duration: null}")
    river.text = river.text.replace(", per_region: true", "")
    river.config = parse_config(river.text, str(tmp_path / "config.yaml"), base=tmp_path).config
    river.collector = Collector(river.store, river.config, tmp_path)
    service = AlertService(river.store, lambda: river.config)
    try:
        now = datetime.now(UTC)
        river.run(now, {"12.75.01": 400, "12.75.02": 100, "12.75.03": 100, "12.75.04": 100, "12.75.05": 100})
        service.evaluate(now)  # the city's mean is 160: normal, though one kecamatan is at 400
        assert AlertRepo(river.store.engine).open_alerts() == []
        river.run(now + timedelta(minutes=1), {"12.75.01": 400, "12.75.02": 400, "12.75.03": 400,
                                               "12.75.04": 300, "12.75.05": 300})
        service.evaluate(now + timedelta(minutes=1))
        assert [(a.region, a.state) for a in AlertRepo(river.store.engine).open_alerts()] == [("12.75", "critical")]
    finally:
        service.stop()
        river.close()
