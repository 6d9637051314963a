"""On a province wall a kab/kota is an area, judged by the per-area levels by every part alike: the
panel's badge, the alert engine, the drill page and the peer API (issue 21's one judgement, issue 24's
province). Before, the drill judged Kabupaten Magelang KRITIS while the badge and alerts, which took
only kecamatan and desa codes for areas, never judged it at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from wallboard.alerts.evaluate import evaluate
from wallboard.alerts.repo import AlertRepo
from wallboard.config import parse_config
from wallboard.indicators import from_latest, judge, threshold_state
from wallboard.panels import panel_types
from wallboard.panels.base import WallContext
from wallboard.records import Batch, Reading
from wallboard.snapshot import Needs, build_snapshot
from wallboard.store import Store

CONFIG = """
site: {name: Provinsi Jawa Tengah, region: "33", timezone: Asia/Jakarta}
database: {url: "sqlite://"}
indicators:
  - {id: kasus_dbd, label: Kasus DBD, unit: kasus, region_thresholds: {warning: 50, critical: 100}}
alerts: {min_duration: null}
screens:
  - id: utama
    grid: {columns: 2, rows: 1}
    panels:
      - {id: dbd, type: kpi, indicator: kasus_dbd, at: [0, 0]}
"""
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def test_a_kab_kota_over_its_level_is_critical_on_the_badge_the_alerts_and_the_drill() -> None:
    config = parse_config(CONFIG).config
    store = Store.open("sqlite://")
    ts = int((NOW - timedelta(minutes=5)).timestamp())
    store.write("kab", Batch(readings=[Reading("kasus_dbd", "33.08", ts, 120),
                                       Reading("kasus_dbd", "33.71", ts, 10)]))
    indicator = config.indicators[0]
    rows = store.latest(["kasus_dbd"])["kasus_dbd"]
    verdict = judge(from_latest("kasus_dbd", rows, "sum", config.site.zone), indicator, "33")
    assert verdict.regions == {"33.08": (120.0, "critical"), "33.71": (10.0, "ok")}
    assert threshold_state(120, indicator, "33.08", "33") == "critical"  # the drill's judgement

    evaluate(store, config, NOW)
    opened = AlertRepo(store.engine).open_alerts()
    assert [(a.region, a.state) for a in opened] == [("33.08", "critical")]

    wall = WallContext(config, config.screens[0], None)
    panel = panel_types()["kpi"](config.screens[0].panels[0], wall)
    snap = build_snapshot(store, config, Needs(indicators={"kasus_dbd"}), NOW, 1,
                          open_alerts=lambda _at: opened)
    assert panel.view(snap).state == "critical"  # the badge says what the alert says
    store.close()
