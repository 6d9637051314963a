"""Kabupaten Magelang's wall (21 kecamatan, 372 desa) as a new user gets it from `wallboard init`,
in headless Chromium: readable type everywhere, map labels apart, and the small boxes that used to
cut their text (a clock in a 1x1 cell at 4K, a ticker's "sejak").
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.conftest import ROOT, WallServer, free_port
from tests.web.conftest import write_reading

pytestmark = pytest.mark.browser

FIXTURES = ROOT / "tests" / "fixtures" / "regions"

# A second screen with the small boxes: a clock and a ticker in 1x1 cells of a 5x2 grid, and a
# trend of an indicator with warning and critical levels.
SMALL_SCREEN = """
  - id: kecil
    grid: {columns: 5, rows: 2}
    panels:
      - {id: jam-kecil, type: clock, at: [0, 0], size: [1, 1]}
      - {id: info-kecil, type: ticker, indicators: [pengaduan_terbuka], at: [1, 0], size: [1, 1]}
      - {id: tren-sla, type: trend, indicators: [pengaduan_terbuka], window: 6h, at: [2, 0], size: [3, 1]}
"""

# Every visible text node's computed font size, smallest first. The clock's hidden sync element
# (for screen readers, clipped to 1px) is not on the wall.
SMALLEST_TEXT_JS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.querySelector('.wall-page.active') || document.body,
                                           NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim()) continue;
    const el = n.parentElement;
    if (el.closest('.clock-sync')) continue;
    const s = getComputedStyle(el);
    if (s.display === 'none' || s.visibility === 'hidden' || parseFloat(s.opacity) === 0) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    const r = range.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    out.push({size: parseFloat(s.fontSize), where: (el.closest('[data-panel]') || {dataset: {}}).dataset.panel,
              text: n.textContent.trim().slice(0, 30)});
  }
  return out.sort((a, b) => a.size - b.size);
}"""

LABEL_BOXES_JS = """(panel) => [...document.querySelectorAll(`[data-panel=${panel}] .textpoint text`)]
  .filter(t => t.textContent.trim())
  .map(t => { const r = t.getBoundingClientRect();
              return {text: t.textContent, l: r.left, t: r.top, r: r.right, b: r.bottom}; })"""


@pytest.fixture(scope="module")
def magelang(tmp_path_factory) -> Iterator[WallServer]:
    """`wallboard init --region 33.08 --boundaries <fixtures>`, run as generated (a short backfill
    and a second screen added), on its own SQLite file."""
    folder = tmp_path_factory.mktemp("magelang")
    config = folder / "config.yaml"
    subprocess.run([sys.executable, "-m", "wallboard.cli", "init", "--region", "33.08", "--dir", str(folder),
                    "--boundaries", str(FIXTURES), "--no-bmkg"], check=True, capture_output=True)
    text = config.read_text(encoding="utf-8")
    assert "33.08-kecamatan.geojson" in text
    text = text.replace("    every: 10s\n", "    every: 2s\n    backfill: 8h\n", 1)
    config.write_text(text.rstrip("\n") + "\n" + SMALL_SCREEN, encoding="utf-8")
    server = WallServer(config, free_port()).start()
    yield server
    server.stop()


def open_wall(page_at, server: WallServer, screen: str, width: int, height: int, ready: int):
    page = page_at(width, height)
    page.goto(f"{server.url}/wall/{screen}")
    page.wait_for_function(
        f"() => document.querySelectorAll('[data-panel]:not([data-state=nodata])').length >= {ready}",
        timeout=30_000)
    return page


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (3840, 2160)])
def test_no_text_on_the_magelang_wall_is_below_1_6_percent_of_the_screen(magelang, page_at, width, height):
    page = open_wall(page_at, magelang, "utama", width, height, 10)
    page.wait_for_selector("[data-panel=izin-kecamatan] .bar-more:not([style*=none])", timeout=20_000)
    page.wait_for_selector("[data-panel=peta-dbd] .textpoint text", timeout=20_000)
    texts = page.evaluate(SMALLEST_TEXT_JS)
    assert len(texts) > 60  # bars, map labels, axis ticks, badges: the whole wall was measured
    floor = 0.016 * height
    small = [t for t in texts if t["size"] < floor]
    assert not small, small[:5]
    # 21 kecamatan do not fit a 4x3 bar panel at that size: the largest, sorted, then the rest.
    bars = page.evaluate("""() => [...document.querySelectorAll('[data-panel=izin-kecamatan] .bar-row')]
      .filter(r => r.style.display !== 'none')
      .map(r => Number(r.querySelector('.bar-value').textContent.replace(/\\./g, '')))""")
    more = page.text_content("[data-panel=izin-kecamatan] .bar-more")
    assert 3 <= len(bars) < 21 and bars == sorted(bars, reverse=True)
    assert more == f"+{21 - len(bars)} lainnya"


def test_magelang_map_labels_never_overlap(magelang, page_at):
    page = open_wall(page_at, magelang, "utama", 1920, 1080, 10)
    page.wait_for_selector("[data-panel=peta-dbd] .textpoint text", timeout=20_000)
    boxes = page.evaluate(LABEL_BOXES_JS, "peta-dbd")
    assert 5 <= len(boxes) < 21  # the larger kecamatan keep a label, the smaller drop theirs
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            apart = a["r"] <= b["l"] or b["r"] <= a["l"] or a["b"] <= b["t"] or b["b"] <= a["t"]
            assert apart, (a["text"], b["text"])
    # The demo gives kecamatan different figures: the map is not one flat colour.
    fills = page.evaluate("""() => new Set([...document.querySelectorAll(
      '[data-panel=peta-dbd] path.js-fill')].map(p => p.style.fill)).size""")
    assert fills >= 3


def test_clock_fits_a_one_cell_box_of_a_5x2_grid_at_4k(magelang, page_at):
    page = open_wall(page_at, magelang, "kecil", 3840, 2160, 2)
    fit = page.evaluate("""() => {
      const body = document.querySelector('[data-panel=jam-kecil] .panel-body').getBoundingClientRect();
      const zone = document.querySelector('[data-panel=jam-kecil] .clock-zone').getBoundingClientRect();
      const time = document.querySelector('[data-panel=jam-kecil] .clock-time');
      return {zoneRight: zone.right, bodyRight: body.right, zoneWidth: zone.width,
              overflow: time.scrollWidth - time.clientWidth};
    }""")
    assert fit["zoneWidth"] > 0
    assert fit["zoneRight"] <= fit["bodyRight"] + 0.5, fit
    assert fit["overflow"] <= 1, fit
    assert page.text_content("[data-panel=jam-kecil] .clock-zone") == "WIB"


def test_ticker_in_a_small_box_keeps_its_since_time_visible_and_trend_draws_levels(magelang, page_at):
    write_reading(f"sqlite:///{magelang.config_path.parent / 'data' / 'wallboard.db'}",
                  "pengaduan_terbuka", 500.0, region="33.08")  # far above critical (80)
    page = open_wall(page_at, magelang, "kecil", 1920, 1080, 2)
    page.wait_for_function(
        "() => document.querySelector('[data-panel=info-kecil]')?.dataset.state === 'critical'", timeout=20_000)
    seen = page.evaluate("""() => {
      const item = document.querySelector('[data-panel=info-kecil] .ticker-item.ticker-alert');
      const box = item.getBoundingClientRect();
      const range = document.createRange();
      const text = item.firstChild, at = text.textContent.indexOf('sejak');
      range.setStart(text, at);
      range.setEnd(text, at + 'sejak 00.00'.length);
      const r = range.getBoundingClientRect();
      return {text: item.textContent, top: r.top, bottom: r.bottom, right: r.right,
              boxBottom: box.bottom, boxRight: box.right, size: parseFloat(getComputedStyle(item).fontSize)};
    }""")
    assert "sejak" in seen["text"]
    assert seen["bottom"] <= seen["boxBottom"] + 0.5 and seen["right"] <= seen["boxRight"] + 0.5, seen
    assert seen["size"] >= 0.016 * 1080
    # The trend of that indicator draws its warning (40) and critical (80) levels.
    # (a horizontal line is a zero-height box, which playwright never calls visible)
    page.wait_for_selector("[data-panel=tren-sla] .shapelayer path", state="attached", timeout=20_000)
    shapes = page.evaluate("""() => {
      const gd = document.querySelector('[data-panel=tren-sla] .js-plotly-plot');
      return (gd.layout.shapes || []).map(s => [s.name, s.y0, s.label && s.label.text]);
    }""")
    assert ["warning", 40, "Waspada"] in shapes and ["critical", 80, "Kritis"] in shapes
    assert page.locator("[data-panel=tren-sla] .shapelayer path").count() >= 2
    page.screenshot(path=str(magelang.config_path.parent / "kecil-1080.png"))
