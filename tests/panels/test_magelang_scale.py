"""Panels at Kabupaten Magelang's scale (21 kecamatan, 372 desa), without a browser: bars that keep
readable rows and count the rest, map labels placed apart, demo figures that differ per area, and
trend level lines. The browser side is in test_magelang_wall_browser.py."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime, timedelta

from tests.conftest import ROOT
from tests.panels.helpers import NOW, snap, value
from wallboard import regions
from wallboard.config.loader import parse_config
from wallboard.panels import panel_types
from wallboard.panels.base import WallContext
from wallboard.panels.map import load_boundaries, place_labels
from wallboard.snapshot import SeriesKey
from wallboard.sources.base import SourceContext
from wallboard.sources.demo import DemoSource

FIXTURES = ROOT / "tests" / "fixtures" / "regions"
SITE = "33.08"

CONFIG = """
site: {{name: Magelang, region: "33.08", timezone: Asia/Jakarta, locale: {locale}}}
database: {{url: "sqlite://"}}
regions: {{kecamatan: 33.08-kecamatan.geojson, desa: 33.08-desa.geojson}}
sources:
  - {{id: simulasi, type: demo, every: 10s, level: {level}, indicators: [izin, sla, beras, air]}}
indicators:
  - {{id: izin, label: Izin terbit, unit: izin, aggregate: sum}}
  - {{id: sla, label: SLA, unit: "%", aggregate: mean, direction: down, thresholds: {{warning: 85, critical: 70}}}}
  - {{id: beras, label: Harga beras, unit: IDR/kg, format: currency, aggregate: mean,
     thresholds: {{warning: 14000, critical: 15500}}}}
  - {{id: air, label: Tinggi muka air, unit: cm, aggregate: last, target: 200, thresholds: {{warning: 250}}}}
screens:
  - id: utama
    grid: {{columns: 12, rows: 8}}
    panels:
{panels}
"""


def magelang(panels: str, locale: str = "id", level: str = "kecamatan"):
    config = parse_config(CONFIG.format(panels=panels, locale=locale, level=level), base=FIXTURES).config
    screen = config.screens[0]
    ctx = WallContext(config, screen, FIXTURES)
    return config, [panel_types()[p.type](p, ctx) for p in screen.all_panels()]


def kecamatan_figures() -> dict[str, float]:
    return {k.code: float(10 + n * 3) for n, k in enumerate(regions.kecamatan(SITE))}


# bar -------------------------------------------------------------------------------------------

def test_bar_with_more_kecamatan_than_fit_shows_the_largest_and_counts_the_rest():
    _, (bar,) = magelang("      - {id: b, type: bar, indicator: izin, by: region, at: [4, 4], size: [4, 3]}")
    figures = kecamatan_figures()
    view = bar.view(snap({"izin": value("izin", sum(figures.values()), by_region=figures)}))
    shown = [int(view.props[f"b{i}-value"]["children"]) for i in range(bar.slots())]
    assert 3 <= len(shown) < 12  # fewer than `limit`: only what fits at readable size
    assert shown == sorted(figures.values(), reverse=True)[: len(shown)]
    assert view.props["more"] == {"children": f"+{21 - len(shown)} lainnya", "style": {}}
    # Every line (bars and the "+N" line) gets at least the smallest readable row.
    assert bar.fit() * 1.5 + (bar.fit() - 1) * 0.35 <= bar.body_rem() + 0.01
    assert view.props["list"]["style"]["--rows"] == len(shown) + 1 <= bar.fit()


def test_bar_that_fits_everything_has_no_more_line_and_english_says_more():
    _, (tall,) = magelang("      - {id: b, type: bar, indicator: izin, by: region, limit: 30,"
                          " at: [0, 0], size: [4, 8]}")
    figures = kecamatan_figures()
    view = tall.view(snap({"izin": value("izin", 1, by_region=figures)}))
    assert tall.slots() == 21 and view.props["more"]["style"] == {"display": "none"}
    _, (small,) = magelang("      - {id: b, type: bar, indicator: izin, by: region, at: [0, 0], size: [3, 2]}",
                           locale="en")
    view = small.view(snap({"izin": value("izin", 1, by_region=figures)}))
    assert view.props["more"]["children"] == f"+{21 - small.slots()} more"


# map labels ------------------------------------------------------------------------------------

def boxes(feats, chosen, width, height, font):
    """The same geometry place_labels uses, to check its answer independently of its loop."""
    xs = [c[0] for f in feats for poly in _polys(f) for c in poly[0]]
    ys = [c[1] for f in feats for poly in _polys(f) for c in poly[0]]
    scale = min(width / (max(xs) - min(xs)), height / (max(ys) - min(ys)))
    out = {}
    for f in feats:
        if f["id"] in chosen:
            p = f["properties"]
            w = max(len(p["name"]), 3) * 0.62 * font
            cx, cy = (p["lng"] - min(xs)) * scale, (max(ys) - p["lat"]) * scale
            out[f["id"]] = (cx - w / 2, cy - font * 1.3, cx + w / 2, cy + font * 1.3)
    return out


def _polys(f):
    g = f["geometry"]
    return g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]


def test_map_labels_never_overlap_and_larger_areas_keep_theirs():
    geo = load_boundaries(str(FIXTURES / "33.08-kecamatan.geojson"))
    feats = geo["features"]
    lines = {f["id"]: [f["properties"]["name"], "12"] for f in feats}
    chosen = place_labels(feats, lines, 28.0, 21.0, 0.95)
    assert 5 <= len(chosen) < 21
    placed = list(boxes(feats, chosen, 28.0, 21.0, 0.95).values())
    for i, a in enumerate(placed):
        for b in placed[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
    # On a wall four times as large, every kecamatan is labelled.
    assert len(place_labels(feats, lines, 112.0, 84.0, 0.95)) == 21


def test_map_figure_only_labels_the_chosen_areas():
    _, (m,) = magelang("      - {id: m, type: map, indicator: izin, level: kecamatan, at: [0, 4], size: [4, 4]}")
    figures = kecamatan_figures()
    view = m.view(snap({"izin": value("izin", 1, by_region=figures)}))
    data = view.props["graph"]["figure"]["data"]
    label = next(t for t in data if t["name"] == "label")
    assert 5 <= len(label["text"]) < 21
    assert label["textfont"]["size"] >= 0.016 * 1080  # px at 1080 lines
    assert len({t["fillcolor"] for t in data if t.get("fill")}) >= 4  # the figures differ, so do colours


# demo source -----------------------------------------------------------------------------------

def demo(level: str = "kecamatan", seed: int | None = None) -> DemoSource:
    config = parse_config(CONFIG.format(panels="      - {id: k, type: clock, at: [0, 0]}", locale="id",
                                        level=level), base=FIXTURES).config
    source = config.sources[0].model_copy(update={"backfill": timedelta(0), "seed": seed})
    return DemoSource(source, SourceContext(config.site, {i.id: i for i in config.indicators}, FIXTURES))


def figures_of(source: DemoSource, indicator: str) -> dict[str, float]:
    batch = source.fetch(datetime(2026, 11, 27, 4, tzinfo=UTC))
    return {r.region: r.value for r in batch.readings if r.indicator == indicator}


def test_demo_kecamatan_differ_skewed_and_the_same_on_every_install():
    izin = figures_of(demo(seed=1), "izin")
    assert set(izin) == {k.code for k in regions.kecamatan(SITE)}
    values = sorted(izin.values(), reverse=True)
    assert len(set(values)) >= 8  # not one flat colour
    assert values[0] >= 2 * statistics.median(values)  # a few large kecamatan, many small ones
    # Which kecamatan are large comes from their codes, not the run's random seed.
    other = figures_of(demo(seed=2), "izin")
    top = sorted(izin, key=izin.get)[-5:]
    assert sorted(other, key=other.get)[-5:][-1] in top
    sla = figures_of(demo(seed=1), "sla")
    assert max(sla.values()) - min(sla.values()) >= 2  # rates vary a little around the level
    assert all(60 <= v <= 100 for v in sla.values())


def test_demo_desa_level_gives_every_desa_and_keeps_the_kabupaten_total():
    kec = figures_of(demo(seed=3), "izin")
    desa = figures_of(demo("desa", seed=3), "izin")
    assert set(desa) == {d.code for d in regions.desa(SITE)} and len(desa) == 372
    assert len(set(desa.values())) >= 3
    assert abs(sum(desa.values()) - sum(kec.values())) <= 0.35 * sum(kec.values())


# trend -----------------------------------------------------------------------------------------

def test_trend_draws_warning_critical_and_target():
    panels = ("      - {id: t, type: trend, indicators: [air], window: 6h, at: [0, 0], size: [6, 2]}\n"
              "      - {id: u, type: trend, indicators: [sla], window: 6h, thresholds: false,"
              " at: [6, 0], size: [6, 2]}")
    _, (air, sla) = magelang(panels)
    start = int(NOW.timestamp()) - 3600
    series = {SeriesKey("air", 6 * 3600): [(start, 180.0), (start + 600, 190.0)],
              SeriesKey("sla", 6 * 3600): [(start, 90.0), (start + 600, 91.0)]}
    current = {"air": value("air", 190), "sla": value("sla", 91)}
    fig = air.view(snap(current, series=series)).props["graph"]["figure"]
    shapes = [(s["name"], s["y0"], s["label"]["text"]) for s in fig["layout"]["shapes"]]
    assert shapes == [("warning", 250, "Waspada")]
    assert fig["layout"]["shapes"][0]["label"]["yanchor"] == "top"  # at the plot's top: named below the line
    target = next(t for t in fig["data"] if t["name"] == "Target")  # drawn without `target: true`
    assert target["y"] == [200, 200]
    assert sla.view(snap(current, series=series)).props["graph"]["figure"]["layout"]["shapes"] == []
