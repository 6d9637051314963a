"""Panels showing figures per period: one marked point per period, stale only after periods."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.panels.helpers import NOW, snap, wall
from wallboard.indicators import IndicatorValue
from wallboard.snapshot import SeriesKey

WIB = ZoneInfo("Asia/Jakarta")


def monthly(indicator: str, v: float, month: int) -> IndicatorValue:
    return IndicatorValue(indicator, v, None, datetime(2026, month, 1, tzinfo=WIB), {}, "P1M")


def test_trend_of_monthly_figures_marks_each_month() -> None:
    panels = "      - {id: t, type: trend, indicators: [beras], window: 90d, at: [0, 0], size: [6, 2]}"
    _, (panel,) = wall(panels)
    months = [int(datetime(2026, m, 1, tzinfo=WIB).timestamp()) for m in (9, 10, 11)]
    series = {SeriesKey("beras", 90 * 86400): [(ts, 14000.0 + n) for n, ts in enumerate(months)]}
    view = panel.view(snap({"beras": monthly("beras", 14002.0, 11)}, series=series))
    [trace] = view.props["graph"]["figure"]["data"]
    assert trace["mode"] == "lines+markers"  # a month with one figure is still visible as a point
    assert trace["x"] == ["2026-09-01 00:00:00", "2026-10-01 00:00:00", "2026-11-01 00:00:00"]
    assert view.state == "ok"  # 26 days after the month began: not stale for a monthly figure


def test_kpi_of_a_monthly_figure_is_stale_after_three_months_not_minutes() -> None:
    _, (panel,) = wall("      - {id: k, type: kpi, indicator: beras, at: [0, 0], size: [2, 2]}")
    current = monthly("beras", 14000.0, 11)
    assert panel.view(snap({"beras": current})).state == "ok"
    assert panel.view(snap({"beras": current}, now=NOW + timedelta(days=60))).state == "ok"  # 86 days old
    assert panel.view(snap({"beras": current}, now=NOW + timedelta(days=70))).state == "stale"  # 96 > 3 x 31
    moment = IndicatorValue("beras", 14000.0, None, datetime(2026, 11, 1, tzinfo=WIB), {})
    assert panel.view(snap({"beras": moment})).state == "stale"  # the same age as a moment: 3 x 10 s is long past
