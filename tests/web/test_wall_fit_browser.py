"""Nothing on the wall is cut off (issue 21, item 6), at 1920x1080 and 3840x2160, in Chromium.

Three walls: the demo wall as shipped, the wall `wallboard init` makes for Kabupaten Magelang
(33.08: 21 kecamatan, with their real boundaries) and a wall of small panels carrying the longest
indicator names in the docs, with an open alert. Each is loaded at 1920x1080, checked, then the same
page is resized to 3840x2160 and checked again (text is fitted when a box changes size, not on a
timer). A clipped text is one wider or taller than its box where the box hides the overflow, an
active ellipsis or line clamp, or text drawn partly outside the panel that holds it
(``tests/web/clipping.py``).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT, WallServer, reserve_port
from tests.web.clipping import CLIPPED_JS
from tests.web.conftest import write_reading

pytestmark = pytest.mark.browser

# Small panels with the longest indicator names of docs/config.md and docs/config.example.yaml.
LONG_NAMES = """
  - id: panjang
    title: Nama terpanjang
    resolution: 1920x1080
    grid: {columns: 12, rows: 8}
    panels:
      - {id: p-sla, type: kpi, indicator: pengaduan_selesai_sla, at: [0, 0], size: [3, 2]}
      - {id: p-air, type: kpi, indicator: tinggi_muka_air, at: [3, 0], size: [3, 2]}
      - {id: p-puskesmas, type: kpi, indicator: kunjungan_puskesmas, at: [6, 0], size: [3, 1]}
      - {id: p-bus, type: kpi, indicator: bus_trans_binjai, at: [6, 1], size: [3, 1]}
      - {id: p-jam, type: clock, at: [9, 0], size: [3, 1]}
      - id: p-info
        type: ticker
        text:
          - Laporkan jalan rusak dan lampu padam lewat aplikasi pengaduan warga, layanan 24 jam
        at: [9, 1]
        size: [3, 1]
      - id: p-layanan
        type: bar
        title: Layanan publik hari ini
        by: indicator
        indicators: [pengaduan_selesai_sla, kunjungan_puskesmas, bus_trans_binjai, tinggi_muka_air]
        at: [0, 2]
        size: [3, 2]
      - {id: p-tren, type: trend, indicators: [tinggi_muka_air, bus_trans_binjai], window: 24h,
         at: [3, 2], size: [6, 2]}
      - {id: p-pad, type: gauge, indicator: realisasi_pad, at: [9, 2], size: [3, 2]}
      - {id: p-peta, type: map, indicator: kunjungan_puskesmas, level: kecamatan, at: [0, 4], size: [3, 4]}
      - {id: p-izin, type: bar, indicator: pengaduan_selesai_sla, by: region, at: [3, 4], size: [3, 4]}
      - {id: p-warga, type: events, source: simulasi, limit: 6, at: [6, 4], size: [3, 4]}
      - {id: p-status, type: status, at: [9, 4], size: [3, 2]}
      - {id: p-cabai, type: kpi, indicator: harga_cabai, at: [9, 6], size: [3, 1]}
      - {id: p-minyak, type: kpi, indicator: harga_minyak, at: [9, 7], size: [3, 1]}
"""


# A bar that pages through all 21 kecamatan of 33.08 instead of "+14 lainnya".
PAGES = """
  - id: halaman
    grid: {columns: 12, rows: 8}
    panels:
      - {id: izin-semua, type: bar, indicator: izin_terbit, by: region, rotate: 1s, at: [0, 0], size: [4, 3]}
"""


def ready_js(count: int) -> str:
    """The wall has drawn its figures and fitted its text."""
    return f"""() => {{
      const ps = [...document.querySelectorAll('.wall-page.active [data-panel]')];
      const drawn = ps.filter(p => !['nodata'].includes(p.dataset.state)).length;
      return ps.length >= {count} && drawn >= {count} - 2 && window.wallboard && window.wallboard.fitted &&
             window.wallboard.fitted() && document.fonts.status === 'loaded';
    }}"""


def start(folder: Path, config: str) -> WallServer:
    (folder / "config.yaml").write_text(config, encoding="utf-8")
    held = reserve_port()
    server = WallServer(folder / "config.yaml", held.getsockname()[1])
    server.held = held  # type: ignore[attr-defined]  (closed with the server)
    return server.start()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WallServer]:
    """The shipped demo wall (config.yaml and data/) with one more screen of long names; alerts open
    at the first crossing."""
    folder = tmp_path_factory.mktemp("demo")
    shutil.copytree(ROOT / "data", folder / "data", ignore=shutil.ignore_patterns("wallboard.db*"))
    config = (ROOT / "config.yaml").read_text(encoding="utf-8")
    config = config.replace("\nscreens:", "\nalerts: {min_duration: null}\nscreens:", 1)
    server = start(folder, config.rstrip() + "\n" + LONG_NAMES)
    yield server
    server.stop()
    server.held.close()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def magelang(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WallServer]:
    """The wall `wallboard init --region 33.08` makes, with the real kecamatan and desa boundaries."""
    from wallboard.init import create, render_config

    folder = tmp_path_factory.mktemp("magelang")
    create("33.08", folder, fetch=False)
    (folder / "data" / "regions").mkdir(parents=True, exist_ok=True)
    for level in ("kecamatan", "desa"):
        shutil.copy(FIXTURES / "regions" / f"33.08-{level}.geojson", folder / "data" / "regions")
    server = start(folder, render_config("33.08", boundaries=True).rstrip() + "\n" + PAGES)
    yield server
    server.stop()
    server.held.close()  # type: ignore[attr-defined]


def clipped_once_fitted(page, panels: int, timeout: float) -> list:  # noqa: ANN001
    """What is cut off, read in the same turn as the check that every text is fitted: a message
    arriving between the two (a new event's title, fitted in the next frame) is never read unfitted."""
    return page.wait_for_function(f"() => ({ready_js(panels)})() ? ({CLIPPED_JS})() : null",
                                  timeout=timeout).json_value()


def clipped_at_both_sizes(page_at, url: str, panels: int, shots: Path, name: str) -> dict[str, list]:
    page = page_at(1920, 1080)
    page.goto(url)
    found = {"1920x1080": clipped_once_fitted(page, panels, 30_000)}
    page.screenshot(path=str(shots / f"{name}-1920.png"))
    page.set_viewport_size({"width": 3840, "height": 2160})
    page.wait_for_function("() => innerHeight === 2160")
    found["3840x2160"] = clipped_once_fitted(page, panels, 10_000)
    page.screenshot(path=str(shots / f"{name}-3840.png"))
    return found


def report(found: dict[str, list]) -> str:
    return "text cut off:\n" + "\n".join(f"{size} {c['el']}: {c['text']!r} ({c['why']})"
                                          for size, cut in found.items() for c in cut)


def test_demo_wall_cuts_no_text(demo: WallServer, page_at, tmp_path: Path) -> None:
    found = clipped_at_both_sizes(page_at, demo.url + "/wall/utama", 14, tmp_path, "demo")
    assert not any(found.values()), report(found)


def test_magelang_wall_cuts_no_text(magelang: WallServer, page_at, tmp_path: Path) -> None:
    found = clipped_at_both_sizes(page_at, magelang.url + "/wall/utama", 11, tmp_path, "magelang")
    assert not any(found.values()), report(found)


def test_longest_names_and_an_alert_line_cut_no_text(demo: WallServer, page_at, tmp_path: Path) -> None:
    db = "sqlite:///" + str(demo.config_path.parent / "data" / "wallboard.db")
    # Above critical and ahead of the simulator's readings: the alert line shows under the panel.
    write_reading(db, "tinggi_muka_air", 777, ts=int(time.time()) + 600, region="12.75.01")  # region_thresholds
    page = page_at(1920, 1080)
    page.goto(demo.url + "/wall/panjang")
    page.wait_for_function("() => document.querySelector('#p-air--alert.alert-waiting')", timeout=20_000)
    page.close()
    found = clipped_at_both_sizes(page_at, demo.url + "/wall/panjang", 15, tmp_path, "panjang")
    assert not any(found.values()), report(found)


def test_magelang_map_labels_or_lists_all_21_kecamatan(magelang: WallServer, page_at) -> None:
    """Issue 21, item 7: every kecamatan is readable, on the map (name and figure, or a number
    key) or in the list beside it, at the floor size; the legend names fixed bins."""
    from wallboard import regions

    page = page_at(1920, 1080)
    page.goto(magelang.url + "/wall/utama")
    page.wait_for_function(ready_js(11), timeout=30_000)
    page.wait_for_selector("[data-panel=peta-dbd] .textpoint text", timeout=20_000)
    shown = page.evaluate("""() => {
      const p = document.querySelector('[data-panel=peta-dbd]');
      const labels = [...p.querySelectorAll('.textpoint text')].map(t => [...t.querySelectorAll('tspan')]
        .map(s => s.textContent)[0] || t.textContent);
      const listed = [...p.querySelectorAll('.map-rest-row')].map(r => ({
        key: r.querySelector('.map-key').textContent, name: r.querySelector('.map-rest-item').textContent,
        value: r.querySelector('.map-rest-value').textContent}));
      const legend = [...p.querySelectorAll('.map-legend-item')].filter(i => i.style.display !== 'none')
        .map(i => i.textContent);
      const more = p.querySelector('.map-rest-more');
      return {labels, listed, legend, more: more ? more.textContent : null,
              sizes: [...p.querySelectorAll('.textpoint text')].map(t => parseFloat(getComputedStyle(t).fontSize))};
    }""")
    names = {r.name for r in regions.kecamatan("33.08")}
    on_map = {t for t in shown["labels"] if t in names}
    listed = {r["name"] for r in shown["listed"]}
    assert shown["more"] is None
    assert on_map | listed == names, sorted(names - on_map - listed)
    assert not on_map & listed  # a full label is not listed again
    keys = [t for t in shown["labels"] if t.isdigit()]
    assert sorted(keys, key=int) == [r["key"] for r in shown["listed"] if r["key"].isdigit()]
    assert all(r["value"] not in ("", "–") for r in shown["listed"])
    assert min(shown["sizes"]) >= 0.016 * 1080
    assert len(shown["legend"]) >= 3 and shown["legend"][0].startswith("<")


def test_magelang_trend_level_names_never_overlap(magelang: WallServer, page_at) -> None:
    """Two close levels (cabai: warning 55.000, critical 70.000) on a two-row trend name themselves
    apart; on the old figure both sat at the right end, one over the other."""
    page = page_at(1920, 1080)
    page.goto(magelang.url + "/wall/utama")
    page.wait_for_function("""() => document.querySelectorAll('[data-panel=tren-harga] .shape-label-text')
                              .length >= 2""", timeout=30_000)
    boxes = page.evaluate("""() => [...document.querySelectorAll('[data-panel=tren-harga] .shape-label-text')]
      .map(t => { const r = t.getBoundingClientRect();
                  return {text: t.textContent, l: r.left, t: r.top, r: r.right, b: r.bottom}; })""")
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a["r"] <= b["l"] or b["r"] <= a["l"] or a["b"] <= b["t"] or b["b"] <= a["t"], (a, b)


def test_magelang_bar_pages_through_all_21_kecamatan(magelang: WallServer, page_at) -> None:
    """``rotate:`` shows every kecamatan in turn, a page at a time, and says which page it shows."""
    from wallboard import regions

    page = page_at(1920, 1080)
    page.goto(magelang.url + "/wall/halaman")
    page.wait_for_selector("[data-panel=izin-semua] .bar-page:not(:empty)", timeout=30_000)
    seen: set[str] = set()
    pages: set[str] = set()
    deadline = time.monotonic() + 15
    names = {r.name for r in regions.kecamatan("33.08")}
    while seen != names and time.monotonic() < deadline:
        shown = page.evaluate("""() => { const p = document.querySelector('[data-panel=izin-semua]');
          return {rows: [...p.querySelectorAll('.bar-label')].filter(l => l.getClientRects().length)
                          .map(l => l.textContent),
                  page: p.querySelector('.bar-page').textContent}; }""")
        assert 3 <= len(shown["rows"]) < 21 and shown["page"].endswith("/ 21"), shown
        seen |= set(shown["rows"])
        pages.add(shown["page"])
        page.wait_for_timeout(250)
    assert seen == names and len(pages) >= 3
