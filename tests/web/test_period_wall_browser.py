"""A dinas's monthly Excel report on the wall: file -> collector -> store -> trend, in Chromium."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.sources.test_wide import report_cells, write_report

pytestmark = pytest.mark.browser

CONFIG = """
site: {{name: Kabupaten Magelang, region: "33.08", timezone: Asia/Jakarta}}
database: {{url: "sqlite:///{db}"}}
sources:
  - id: dbd
    type: excel
    path: laporan/dbd-2026.xlsx
    every: 1d
    layout: wide
    indicator: kasus_dbd
    columns: {{region: Kecamatan}}
indicators:
  - {{id: kasus_dbd, label: Kasus DBD, unit: kasus, thresholds: {{warning: 200, critical: 400}}}}
screens:
  - id: utama
    grid: {{columns: 4, rows: 2}}
    panels:
      - {{id: tren, type: trend, indicators: [kasus_dbd], window: 365d, at: [0, 0], size: [3, 2]}}
      - {{id: dbd, type: kpi, indicator: kasus_dbd, at: [3, 0], size: [1, 1]}}
"""


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (3840, 2160)])
def test_monthly_report_draws_one_point_per_month(tmp_path: Path, wall_server, page_at, width, height) -> None:
    cells = report_cells()
    write_report(tmp_path / "laporan" / "dbd-2026.xlsx", cells)
    server = wall_server(CONFIG.format(db=tmp_path / "wallboard.db"))
    page = page_at(width, height)
    page.goto(server.url + "/wall/utama")
    graph = "document.querySelector('#tren--graph .js-plotly-plot')"
    page.wait_for_function(f"() => {graph} && {graph}.data[0].x.length > 0")
    trace = page.evaluate(f"() => ({{x: {graph}.data[0].x, y: {graph}.data[0].y, mode: {graph}.data[0].mode}})")
    sums = [sum(float(1050 if c == "1.050" else c) for c in (row[m] for row in cells.values())
                if c not in (None, "-", "\u2013")) for m in range(11)]
    assert trace["x"] == [f"2026-{m:02d}-01 00:00:00" for m in range(1, 12)]  # Jan..Nop; Des still empty
    assert trace["y"] == sums and trace["mode"] == "lines+markers"
    page.wait_for_selector("#tren .point", state="attached")
    assert page.locator("#tren .point").count() == 11
    assert page.get_attribute("#dbd", "data-state") != "stale"  # November's figure is not minutes old
    shots = Path(os.environ.get("WALLBOARD_SHOTS", tmp_path))
    page.screenshot(path=str(shots / f"period-trend-{width}.png"))
