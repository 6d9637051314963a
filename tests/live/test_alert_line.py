"""The alert line every panel type gets from the live layer: who handles it, or how long it has waited."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from wallboard.alerts.repo import AlertInfo
from wallboard.config import parse_config
from wallboard.indicators import IndicatorValue
from wallboard.live.views import panel_props
from wallboard.panels import panel_types
from wallboard.panels.base import WallContext
from wallboard.snapshot import Snapshot

CONFIG = """site: {name: Uji, region: "12.75"}
indicators:
  - {id: air, label: Tinggi muka air, unit: cm, thresholds: {warning: 250, critical: 320}}
screens:
  - id: utama
    grid: {columns: 2, rows: 2}
    panels:
      - {id: k, type: kpi, indicator: air, at: [0, 0]}
      - {id: g, type: gauge, indicator: air, at: [1, 0]}
      - {id: m, type: map, indicator: air, level: kecamatan, at: [0, 1]}
"""
NOW = datetime(2026, 11, 28, 7, 30, tzinfo=UTC)  # 14:30 WIB


def alert(region: str = "12.75", state: str = "critical", by: str | None = None) -> AlertInfo:
    opened = NOW - timedelta(minutes=25)
    return AlertInfo(1, "air", region, "BPBD", "open", state, opened, opened, None, 400.0, 410.0, by,
                     NOW - timedelta(minutes=5) if by else None, None, 0, state)


def props(alerts: list[AlertInfo]) -> dict[str, dict]:
    config = parse_config(CONFIG).config
    wall = WallContext(config, config.screens[0])
    snap = Snapshot(NOW, 1, {"air": IndicatorValue("air", 400.0, 390.0, NOW, {"12.75.01": 400.0})}, {}, {}, {},
                    alerts=alerts)
    out: dict[str, dict] = {}
    for panel_config in config.screens[0].all_panels():
        panel = panel_types()[panel_config.type](panel_config, wall)
        out[panel_config.id] = panel_props(panel, snap)[f"{panel_config.id}--alert"]
    return out


def test_every_panel_type_shows_an_unacknowledged_wait() -> None:
    lines = props([alert()])
    assert {p["data-alert"] for p in lines.values()} == {"waiting"}
    assert lines["k"]["children"] == "14.05 · belum ditanggapi · 25 menit"
    assert "alert-critical" in lines["g"]["className"]


def test_acknowledged_shows_who_and_since_when() -> None:
    line = props([alert(by="sari")])["k"]
    assert (line["data-alert"], line["children"]) == ("acknowledged", "✔ Ditangani sari sejak 14.25")


def test_kecamatan_alerts_are_counted_and_no_alert_means_no_line() -> None:
    line = props([alert("12.75.01", "warning"), dataclasses.replace(alert("12.75.02"), id=2)])["m"]
    assert line["children"] == "0 dari 2 wilayah ditangani · 14.05 · menunggu 25 menit"
    assert "alert-critical" in line["className"]
    assert {p["data-alert"] for p in props([]).values()} == {""}


def test_handled_only_when_every_alert_shown_is_acknowledged() -> None:
    """The city's alert acknowledged while two kecamatan wait: not "handled", but 1 of 3 (issue 21)."""
    city = alert("12.75", "warning", by="sari")
    waiting = [dataclasses.replace(alert("12.75.01"), id=2), dataclasses.replace(alert("12.75.02", "warning"), id=3)]
    line = props([city, *waiting])["k"]
    assert line["data-alert"] == "waiting" and "Ditangani" not in line["children"]
    assert line["children"] == "1 dari 3 wilayah ditangani · 14.05 · menunggu 25 menit"
    assert "alert-critical" in line["className"]
    done = [city] + [dataclasses.replace(a, acknowledged_by="budi", acknowledged_at=NOW) for a in waiting]
    line = props(done)["k"]
    assert line["data-alert"] == "acknowledged" and line["children"] == "✔ 3 wilayah ditangani budi sejak 14.30"
