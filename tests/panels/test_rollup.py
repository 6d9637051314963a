"""Maps and bars at one level fed figures at the other: desa rolled up to kecamatan with the
indicator's aggregate, kecamatan shown as such on a desa map, and a note saying which it is."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import ROOT
from tests.panels.helpers import wall
from wallboard import regions
from wallboard.config.loader import parse_config
from wallboard.indicators import from_latest
from wallboard.records import Batch, Reading
from wallboard.rollup import at_level, roll_up
from wallboard.snapshot import Needs, build_snapshot
from wallboard.store import Latest, Store

FIXTURES = ROOT / "tests" / "fixtures" / "regions"
# Kota Binjai (12.75): two kecamatan and three of their kelurahan.
K1, K2 = "12.75.01", "12.75.02"
D1, D2, D3 = "12.75.01.1001", "12.75.01.1002", "12.75.02.1001"


@pytest.mark.parametrize(("aggregate", "k1", "k2"), [("sum", 10.0, 7.0), ("mean", 5.0, 7.0), ("last", 6.0, 7.0)])
def test_desa_roll_up_to_kecamatan_with_each_aggregate(aggregate, k1, k2):
    desa = {D1: 4.0, D3: 7.0, D2: 6.0}  # oldest reading first: D2 is K1's newest
    figures = at_level(desa, "kecamatan", aggregate, "12.75")
    assert figures.values == {K1: k1, K2: k2}
    assert figures.level == "kecamatan" and figures.rolled_from == "desa" and not figures.coarser
    assert roll_up(desa, aggregate) == {K1: k1, K2: k2}


@pytest.mark.parametrize("aggregate", ["sum", "mean", "last"])
def test_kecamatan_figures_on_a_desa_panel_stay_kecamatan(aggregate):
    figures = at_level({K1: 3.0, K2: 5.0, "12.75": 8.0}, "desa", aggregate, "12.75")
    assert figures.values == {K1: 3.0, K2: 5.0}  # never split among desa, never the city figure
    assert figures.level == "kecamatan" and figures.coarser


def test_figures_at_the_asked_level_are_used_as_they_are():
    both = {K1: 100.0, D1: 1.0, D2: 2.0, D3: 3.0}
    assert at_level(both, "desa", "sum", "12.75").values == {D1: 1.0, D2: 2.0, D3: 3.0}
    kec = at_level(both, "kecamatan", "sum", "12.75")
    assert kec.values == {K1: 100.0, K2: 3.0}  # K1 reported itself; only K2 is rolled up
    assert kec.rolled_from == "desa"
    assert at_level({K1: 1.0}, "kecamatan", "sum", "12.75").rolled_from is None
    assert at_level({"13.71.01": 5.0}, "kecamatan", "sum", "12.75").values == {}  # another kota's


def test_the_city_figure_counts_the_coarsest_level_only():
    rows = [Latest(K1, 1, 10.0, None, None), Latest(D1, 2, 4.0, None, None), Latest(D2, 3, 6.0, None, None)]
    value = from_latest("x", rows, "sum", UTC)
    assert value.value == 10.0  # not 20: the desa are inside the kecamatan
    assert list(value.by_region) == [K1, D1, D2]


def test_snapshot_rolls_up_what_panels_ask_for(tmp_path):
    config = parse_config("""
site: {name: Uji, region: "12.75", timezone: Asia/Jakarta}
database: {url: "sqlite://"}
indicators:
  - {id: bansos, label: Penerima bansos, aggregate: sum}
  - {id: sla, label: SLA, unit: "%", aggregate: mean}
screens: [{id: s, grid: {columns: 2, rows: 2}, panels: [{id: k, type: clock, at: [0, 0], size: [1, 1]}]}]
""", base=tmp_path).config
    store = Store.open(f"sqlite:///{tmp_path / 'w.db'}")
    now = datetime(2026, 11, 27, 11, tzinfo=UTC)
    ts = int(now.timestamp())
    readings = [Reading("bansos", D1, ts, 4), Reading("bansos", D2, ts, 6), Reading("bansos", D3, ts, 7),
                Reading("sla", K1, ts, 90), Reading("sla", K2, ts, 80)]
    store.write("s", Batch(readings=readings))
    needs = Needs(regions={("bansos", "kecamatan"), ("sla", "desa")})
    snap = build_snapshot(store, config, needs, now, 1)
    store.close()
    assert snap.regions["bansos", "kecamatan"].values == {K1: 10.0, K2: 7.0}
    assert snap.indicators["bansos"].value == 17.0
    assert snap.regions["sla", "desa"].values == {K1: 90.0, K2: 80.0} and snap.regions["sla", "desa"].coarser


REGIONS = f"regions: {{kecamatan: {FIXTURES / '12.75-kecamatan.geojson'}, desa: {FIXTURES / '12.75-desa.geojson'}}}"


ALL_KECAMATAN = {k.code: float(n + 1) for n, k in enumerate(regions.kecamatan("12.75"))}


def _view(panel, by_region, indicator="pengaduan"):
    from tests.panels.helpers import snap, value

    total = sum(v for c, v in by_region.items() if c.count(".") == min(k.count(".") for k in by_region))
    return panel.view(snap({indicator: value(indicator, total, by_region=by_region)}))


def test_desa_map_fed_kecamatan_draws_kecamatan_and_says_so():
    _, (panel,) = wall("      - {id: m, type: map, indicator: pengaduan, level: desa, at: [0, 0], size: [4, 4]}",
                       regions=REGIONS)
    view = _view(panel, ALL_KECAMATAN)
    assert view.state != "nodata"
    assert view.note.startswith("Per kecamatan (tidak ada angka desa)")
    fig = view.props["graph"]["figure"]
    areas = [t for t in fig["data"] if t.get("fill") == "toself"]
    assert len(areas) == len(regions.kecamatan("12.75"))  # the kecamatan outlines, all coloured
    assert all(a["fillcolor"] != "#3a4556" for a in areas)
    assert panel.needs().regions == {("pengaduan", "desa")}


def test_desa_map_without_kecamatan_outlines_colours_each_desa_as_its_kecamatan():
    regions_desa = f"regions: {{desa: {FIXTURES / '12.75-desa.geojson'}}}"
    _, (panel,) = wall("      - {id: m, type: map, indicator: pengaduan, level: desa, at: [0, 0], size: [4, 4]}",
                       regions=regions_desa)
    view = _view(panel, ALL_KECAMATAN)
    areas = [t for t in view.props["graph"]["figure"]["data"] if t.get("fill") == "toself"]
    assert len(areas) == len(panel.areas) > 30 and all(a["fillcolor"] != "#3a4556" for a in areas)
    assert view.note.startswith("Per kecamatan (tidak ada angka desa)")


def test_kecamatan_map_and_bar_fed_desa_roll_up_and_say_so():
    panels = ("      - {id: m, type: map, indicator: pengaduan, level: kecamatan, at: [0, 0], size: [4, 4]}\n"
              "      - {id: b, type: bar, indicator: pengaduan, by: region, at: [4, 0], size: [4, 4]}")
    _, (m, b) = wall(panels, regions=REGIONS)
    desa = {D1: 4.0, D2: 6.0, D3: 7.0}
    view = _view(m, desa)
    assert view.note.startswith("Per kecamatan: jumlah desanya")
    labels = [t for t in view.props["graph"]["figure"]["data"] if t.get("name") == "label"][0]
    assert any("<b>10</b>" in s for s in labels["text"])  # the largest area keeps its label
    fills = {t["name"]: t["fillcolor"] for t in view.props["graph"]["figure"]["data"] if t.get("fill")}
    assert fills[regions.name(K1)] != fills[regions.name(K2)] != "#3a4556"  # 7 coloured, apart from 10
    bars = _view(b, desa)
    assert bars.note.startswith("Per kecamatan: jumlah desanya")
    shown = [bars.props[f"b{i}-label"]["children"] for i in range(2)]
    assert shown == [regions.name(K1), regions.name(K2)]
    assert [bars.props[f"b{i}-value"]["children"] for i in range(2)] == ["10", "7"]


def test_desa_bar_with_desa_figures_has_no_level_note():
    _, (b,) = wall("      - {id: b, type: bar, indicator: pengaduan, by: region, level: desa,"
                   " at: [0, 0], size: [4, 4]}")
    view = _view(b, {D1: 4.0, D2: 6.0})
    assert "kecamatan" not in view.note.lower()
    assert view.props["b0-label"]["children"] == regions.name(D2)



def test_trend_of_an_indicator_reported_at_two_levels_counts_one(db_url):
    """Kecamatan and their desa both reported: the trend sums the kecamatan only, like the KPI
    (on SQLite and PostgreSQL, from raw readings and from the hourly rollups)."""
    from wallboard.snapshot import SeriesKey

    config = parse_config("""
site: {name: Uji, region: "12.75", timezone: Asia/Jakarta}
database: {url: "sqlite://"}
indicators: [{id: bansos, label: Penerima bansos, aggregate: sum}]
screens: [{id: s, grid: {columns: 2, rows: 2}, panels: [{id: k, type: clock, at: [0, 0], size: [1, 1]}]}]
""").config
    store = Store.open(db_url)
    now = datetime(2026, 11, 27, 11, tzinfo=UTC)
    ts = int(now.timestamp()) - 1800
    store.write("s", Batch(readings=[Reading("bansos", K1, ts, 10), Reading("bansos", K2, ts, 7),
                                     Reading("bansos", D1, ts, 4), Reading("bansos", D2, ts, 6),
                                     Reading("bansos", D3, ts, 7)]))
    fine, hourly = SeriesKey("bansos", 6 * 3600), SeriesKey("bansos", 7 * 86400)
    snap = build_snapshot(store, config, Needs(indicators={"bansos"}, series={fine, hourly}), now, 1)
    assert snap.indicators["bansos"].value == 17.0
    assert [v for _, v in snap.series[fine]] == [17.0]
    assert [v for _, v in snap.series[hourly]] == [17.0]
    assert [v for _, v in store.series("bansos", ts - 3600, 60, "sum")] == [34.0]  # unfiltered: both levels
    store.close()
