"""The shipped demo, run for 15 simulated minutes: no alert opens on a panel whose badge says NORMAL.

Issue 21: eleven minutes after ``wallboard run`` the demo had five KRITIS alerts for buses in single
kecamatan (a city-wide "fewer than 5 buses" applied to each) while the bus panel said "● NORMAL".
The simulator and the collector run every 5 s of simulated time (no real waiting), the alert engine
judges after each run as the alert thread does, and every panel showing the indicator of an alert
that opens is asked for its state from the same store at the same moment.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.conftest import ROOT
from wallboard.alerts.evaluate import evaluate
from wallboard.alerts.repo import AlertRepo
from wallboard.collector import Collector
from wallboard.config import parse_config
from wallboard.panels import panel_types
from wallboard.panels.base import WallContext
from wallboard.snapshot import Needs, build_snapshot
from wallboard.store import Store

# A weekday morning in office hours, WIB: the simulator's daily cycle is rising.
START = datetime(2026, 12, 2, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


def test_fifteen_demo_minutes_open_no_alert_on_a_normal_panel(tmp_path: Path) -> None:
    # The shipped config, with the complaints SLA judged per kecamatan too (per_region) so that some
    # kecamatan do cross in these 15 minutes: alerts must open, and only on panels that say so.
    text = (ROOT / "config.yaml").read_text(encoding="utf-8").replace(
        "sqlite:///data/wallboard.db", f"sqlite:///{tmp_path / 'demo.db'}").replace(
        "thresholds: {warning: 85, critical: 70}", "thresholds: {warning: 90, critical: 70, per_region: true}")
    config = parse_config(text, str(ROOT / "config.yaml"), base=ROOT).config
    store = Store.open(config.database.url)
    store.sync_indicators(config.indicators)
    collector = Collector(store, config, ROOT)
    panels = [(screen.id, p) for screen in config.screens for p in screen.all_panels() if p.indicator_ids()]
    needs = Needs(indicators={i.id for i in config.indicators})
    repo = AlertRepo(store.engine)
    opened_on_normal: list[str] = []
    opened = 0
    try:
        now = START
        while now <= START + timedelta(minutes=15):
            run = collector.run("simulasi", now=now)
            assert run.ok, run.error
            changes = evaluate(store, config, now)
            new = [repo.get(alert_id) for kind, alert_id in changes if kind == "opened"]
            if new:
                opened += len(new)
                snap = build_snapshot(store, config, needs, now, 1, open_alerts=lambda _at: repo.open_alerts())
                for alert in new:
                    for screen_id, panel_config in panels:
                        if alert.indicator not in panel_config.indicator_ids():
                            continue
                        screen = next(s for s in config.screens if s.id == screen_id)
                        panel = panel_types()[panel_config.type](panel_config, WallContext(config, screen, ROOT))
                        state = panel.view(snap).state
                        if state == "ok":
                            opened_on_normal.append(f"{alert.indicator} {alert.region} {alert.state} "
                                                    f"{alert.value:g} on panel {panel_config.id} (NORMAL)")
            now += timedelta(seconds=5)
    finally:
        store.close()
    assert opened_on_normal == [], f"alerts opened on NORMAL panels ({opened} alerts opened in all)"
    assert opened > 0
