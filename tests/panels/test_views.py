"""Each panel type's view for a snapshot, without a browser: figures, states, words, limits."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from tests.conftest import ROOT, fixture_file
from tests.panels.helpers import NOW, run, snap, status, value, wall
from wallboard import formatting
from wallboard.config import ConfigError
from wallboard.panels import BUILTIN, panel_types
from wallboard.panels.base import STATE_SHAPES, flat_props, frame
from wallboard.panels.map import EMPTY_FILL
from wallboard.snapshot import SeriesKey
from wallboard.store import StoredEvent


def test_every_panel_type_is_registered():
    assert set(BUILTIN) == {"kpi", "trend", "bar", "map", "events", "gauge", "status", "clock", "ticker", "camera",
                            "cameras", "weather"}
    for name, cls in panel_types().items():
        assert cls.Config.model_fields["type"].annotation.__args__ == (name,)


def test_example_config_shows_every_panel_type():
    from tests.config.test_docs import example_environment
    from wallboard.config.loader import load_config

    config = load_config(ROOT / "docs" / "config.example.yaml", environ=example_environment()).config
    types = {p.type for s in config.screens for p in s.all_panels()}
    assert types == set(BUILTIN)


# kpi -------------------------------------------------------------------------------------------

KPI = "      - {id: k, type: kpi, indicator: pengaduan, at: [0, 0], size: [3, 2]}"


@pytest.mark.parametrize(("v", "age", "state"), [
    (12, timedelta(seconds=5), "ok"),
    (45, timedelta(seconds=5), "warning"),
    (80, timedelta(seconds=5), "critical"),
    (12, timedelta(minutes=3), "stale"),  # stale_after: 2m
])
def test_kpi_state_follows_thresholds_and_age(v, age, state):
    _, (panel,) = wall(KPI)
    view = panel.view(snap({"pengaduan": value("pengaduan", v, age)}))
    assert view.state == state
    assert view.props["value"]["children"] == str(v)
    if state == "stale":
        assert "menit lalu" in view.note


def test_kpi_nodata_and_direction_down():
    config, (panel,) = wall(KPI)
    assert panel.view(snap()).state == "nodata"
    _, (sla,) = wall("      - {id: s, type: kpi, indicator: sla, at: [0, 0], size: [3, 2]}")
    assert sla.view(snap({"sla": value("sla", 90)})).state == "ok"
    assert sla.view(snap({"sla": value("sla", 80)})).state == "warning"
    assert sla.view(snap({"sla": value("sla", 65)})).state == "critical"
    assert sla.view(snap({"sla": value("sla", 65)})).props["value"]["children"] == "65,0%"


def test_kpi_currency_sets_rp_small_and_fits_its_box():
    _, (panel,) = wall("      - {id: b, type: kpi, indicator: beras, at: [0, 0], size: [3, 2]}")
    view = panel.view(snap({"beras": value("beras", 14250, previous=14200)}))
    assert view.props["prefix"]["children"] == "Rp"
    assert view.props["value"]["children"] == "14.250"
    # At [3, 2] "/kg" beside the figure would shrink it under 1/12 of the screen: it moves down.
    assert view.props["unit"]["children"] == ""
    assert view.props["change"]["children"] == "/kg · ▲ +Rp50"
    _, (wide,) = wall("      - {id: b, type: kpi, indicator: beras, at: [0, 0], size: [5, 2]}")
    assert wide.view(snap({"beras": value("beras", 14250)})).props["unit"]["children"] == "/kg"
    size = view.props["main"]["style"]["fontSize"]
    width = float(re.search(r"([\d.]+)cqw", size).group(1))
    assert width < 30  # a longer figure gets a smaller size than a short one
    short = panel.view(snap({"beras": value("beras", 9)})).props["main"]["style"]["fontSize"]
    assert float(re.search(r"([\d.]+)cqw", short).group(1)) > width


def test_badge_tells_state_by_shape_and_word():
    _, (panel,) = wall(KPI)
    for v, word in ((12, "NORMAL"), (45, "WASPADA"), (90, "KRITIS")):
        view = panel.view(snap({"pengaduan": value("pengaduan", v)}))
        props = flat_props(panel, view)
        assert props["k--badge"]["children"] == f"{STATE_SHAPES[view.state]} {word}"
        assert props["k"]["data-state"] == view.state


# trend -----------------------------------------------------------------------------------------

def test_trend_draws_each_indicator_and_target_line():
    panels = "      - {id: t, type: trend, indicators: [pad, air], window: 7d, target: true, at: [0, 0], size: [6, 2]}"
    _, (panel,) = wall(panels)
    keys = panel.keys()
    assert {k.window for k in keys} == {7 * 86400}
    start = int(NOW.timestamp()) - 3600
    series = {SeriesKey("pad", 7 * 86400): [(start, 1e9), (start + 600, 2e9)],
              SeriesKey("air", 7 * 86400): [(start, 200.0), (start + 600, 210.0)]}
    view = panel.view(snap({"pad": value("pad", 2e9), "air": value("air", 210)}, series=series))
    traces = view.props["graph"]["figure"]["data"]
    names = [t["name"] for t in traces]
    assert names == ["Realisasi PAD", "Target Realisasi PAD", "Tinggi muka air"]  # air has no target
    assert traces[1]["y"] == [185.0, 185.0]  # in miliar, the axis says " M"
    assert view.props["graph"]["figure"]["layout"]["yaxis"]["ticksuffix"] == " M"
    assert traces[0]["x"][0].startswith("2026-11-27 17:00")  # in WIB
    assert view.props["graph"]["figure"]["layout"]["showlegend"] is True


def test_trend_axes_reused_from_the_last_series_equal_a_fresh_drawing():
    """A series that slid, gained points and had its last value revised keeps its formatted part
    (not formatted again) and draws exactly what a panel seeing it for the first time draws."""
    panels = "      - {id: t, type: trend, indicators: [air], window: 7d, at: [0, 0], size: [6, 2]}"
    _, (panel,) = wall(panels)
    key = SeriesKey("air", 7 * 86400)
    start = int(NOW.timestamp()) - 200 * 600
    first = [(start + 600 * i, 100.0 + (i * 7 % 13) / 3) for i in range(200)]
    later = first[3:-1] + [(first[-1][0], 999.123456), (first[-1][0] + 600, 5.5)]  # slid, revised, added
    views = [panel.view(snap({"air": value("air", s[-1][1])}, series={key: s})).props["graph"]["figure"]["data"][0]
             for s in (first, later)]
    assert views[1]["x"][0] is views[0]["x"][3]  # the kept text itself: not formatted again
    _, (fresh,) = wall(panels)
    again = fresh.view(snap({"air": value("air", later[-1][1])}, series={key: later}))
    again = again.props["graph"]["figure"]["data"][0]
    assert (views[1]["x"], views[1]["y"]) == (again["x"], again["y"])
    assert views[1]["y"][-2:] == [999.123, 5.5]
    changed = later[:50] + [(later[50][0], later[50][1] + 1)] + later[51:]  # a value inside revised
    inside = panel.view(snap({"air": value("air", 5.5)}, series={key: changed})).props["graph"]["figure"]["data"][0]
    assert inside["y"][50] == round(later[50][1] + 1, 3)


# bar -------------------------------------------------------------------------------------------

def test_bar_by_region_is_sorted_and_named():
    _, (panel,) = wall("      - {id: b, type: bar, indicator: pengaduan, by: region, at: [0, 0], size: [3, 4]}")
    regions = {"12.75.01": 4, "12.75.02": 9, "12.75.03": 1}
    view = panel.view(snap({"pengaduan": value("pengaduan", 14, by_region=regions)}))
    labels = [view.props[f"b{i}-label"]["children"] for i in range(3)]
    values = [view.props[f"b{i}-value"]["children"] for i in range(3)]
    # each bar keeps its own kecamatan's name: 12.75.02 Binjai Kota, 12.75.01 Binjai Utara, 12.75.03 Binjai Barat
    assert list(zip(labels, values, strict=True)) == [
        ("Binjai Kota", "9"), ("Binjai Utara", "4"), ("Binjai Barat", "1")]
    assert view.props["b0-fill"]["style"]["transform"] == "scaleX(1.000)"
    assert view.props["b3"]["style"] == {"display": "none"}


def test_bar_by_indicator_marks_each_state():
    panels = ("      - {id: b, type: bar, by: indicator, indicators: [pengaduan, air], sort: asc,"
              " at: [0, 0], size: [3, 2]}")
    _, (panel,) = wall(panels)
    view = panel.view(snap({"pengaduan": value("pengaduan", 90), "air": value("air", 100)}))
    assert view.props["b0-label"]["children"] == "Pengaduan terbuka"
    assert view.props["b0-value"]["children"] == "◆ 90"
    assert view.props["b0"]["className"] == "bar-row bar-critical"
    assert view.props["b1-value"]["children"] == "● 100"
    assert view.state == "critical"


def test_bar_config_needs_what_it_shows():
    with pytest.raises(ConfigError):
        wall("      - {id: b, type: bar, by: indicator, at: [0, 0], size: [3, 2]}")


# map -------------------------------------------------------------------------------------------

def test_map_without_boundaries_draws_one_tile_per_kecamatan():
    _, (panel,) = wall("      - {id: m, type: map, indicator: pengaduan, at: [0, 0], size: [3, 4]}")
    assert len(panel.areas) == 5
    names = [n for _, n in panel.areas]
    assert "Binjai Utara" in names
    body = json.dumps(frame(panel).to_plotly_json(), default=lambda o: o.to_plotly_json())
    assert "Binjai Utara" in body and "map-tile" in body
    view = panel.view(snap({"pengaduan": value("pengaduan", 10, by_region={"12.75.01": 10})}))
    index = [c for c, _ in panel.areas].index("12.75.01")
    assert view.props[f"t{index}-v"]["children"] == "10"
    assert view.props[f"t{index}"]["style"]["background"].startswith("#")
    assert any(p.get("className") == "map-tile map-tile-empty" for k, p in view.props.items() if k != f"t{index}")


def test_map_desa_level_lists_every_kelurahan():
    _, (panel,) = wall("      - {id: m, type: map, indicator: pengaduan, level: desa, at: [0, 0], size: [3, 4]}")
    assert len(panel.areas) > 30  # Binjai has 37 kelurahan


def test_map_with_boundary_file_relative_to_config_draws_a_choropleth(tmp_path):
    (tmp_path / "peta").mkdir()
    (tmp_path / "peta" / "kec.geojson").write_text(
        fixture_file("regions/12.75-kecamatan.geojson").read_text(encoding="utf-8"), encoding="utf-8")
    _, (panel,) = wall("      - {id: m, type: map, indicator: pengaduan, at: [0, 0], size: [3, 4]}",
                       regions="regions: {kecamatan: peta/kec.geojson}", base=tmp_path)
    assert panel.geo is not None
    view = panel.view(snap({"pengaduan": value("pengaduan", 12, by_region={"12.75.01": 7, "12.75.02": 5})}))
    data = view.props["graph"]["figure"]["data"]
    areas = {t["name"]: t for t in data if t["name"] != "label"}
    assert len(areas) == 5
    assert areas["Binjai Utara"]["fillcolor"] == "#08519c"  # the largest value, darkest blue
    assert areas["Binjai Timur"]["fillcolor"] == EMPTY_FILL  # no data: grey
    assert all(t["fill"] == "toself" and t["x"] for t in areas.values())
    assert any("<b>7</b>" in t for t in data[-1]["text"])


# events ----------------------------------------------------------------------------------------

def event(ref: str, status_: str, title: str, ago: timedelta) -> StoredEvent:
    return StoredEvent("simulasi", ref, NOW - ago, "Drainase", "12.75.01", status_, title, "detail", NOW - ago)


def test_events_show_status_word_age_and_title_as_text():
    _, (panel,) = wall("      - {id: e, type: events, source: simulasi, limit: 4, at: [6, 4], size: [4, 4]}")
    xss = "<img src=x onerror=alert(1)>"
    events = [event("1", "baru", xss, timedelta(minutes=2)), event("2", "proses", "Banjir", timedelta(minutes=30)),
              event("3", "selesai", "Lampu", timedelta(hours=2))]
    sources = {"simulasi": status("simulasi", run("simulasi", True, timedelta(seconds=5)), timedelta(seconds=5))}
    view = panel.view(snap(events={"simulasi": events}, sources=sources))
    assert view.state == "ok"
    assert view.props["r0-title"]["children"] == xss  # a plain string: Dash renders it as text
    assert view.props["r0-status"]["children"] == "◆ BARU"
    assert view.props["r1-status"]["children"] == "▶ PROSES"
    assert view.props["r2-status"]["children"] == "✔ SELESAI"
    assert view.props["r0"]["className"] == "ev ev-baru"
    assert view.props["r0-age"]["children"] == "2 menit lalu"
    assert view.props["r1-meta"]["children"] == "Binjai Utara · Drainase"
    assert view.props["r3"]["style"] == {"display": "none"}
    assert panel.needs().events == {"simulasi": 4}


def test_events_turn_stale_when_the_source_stops():
    _, (panel,) = wall("      - {id: e, type: events, source: simulasi, limit: 4, at: [6, 4], size: [4, 4]}")
    events = [event("1", "baru", "x", timedelta(minutes=20))]
    sources = {"simulasi": status("simulasi", run("simulasi", False, timedelta(seconds=5), "timeout"),
                                  timedelta(minutes=20))}
    view = panel.view(snap(events={"simulasi": events}, sources=sources))
    assert view.state == "stale"
    assert "20 menit lalu" in view.note


def test_events_rows_fit_the_panel_whole():
    _, (small,) = wall("      - {id: e, type: events, source: simulasi, limit: 40, at: [0, 0], size: [4, 2]}")
    _, (tall,) = wall("      - {id: e, type: events, source: simulasi, limit: 40, at: [0, 0], size: [4, 8]}")
    assert 1 <= small.shown() < tall.shown() < 40


# gauge -----------------------------------------------------------------------------------------

def test_gauge_shows_progress_to_target():
    _, (panel,) = wall("      - {id: g, type: gauge, indicator: pad, at: [0, 0], size: [3, 2]}")
    view = panel.view(snap({"pad": value("pad", 92.5e9)}))
    assert view.props["pct"]["children"] == "50,0%"
    assert view.props["arc"]["style"]["--p"] == 0.5
    assert view.props["detail"]["children"] == "Rp92,5\xa0M dari Rp185\xa0M"
    over = panel.view(snap({"pad": value("pad", 200e9)}))
    assert over.props["arc"]["style"]["--p"] == 1.0


def test_gauge_without_target_says_so():
    _, (panel,) = wall("      - {id: g, type: gauge, indicator: air, at: [0, 0], size: [3, 2]}")
    assert panel.view(snap({"air": value("air", 100)})).note == "Target belum diatur"


# status ----------------------------------------------------------------------------------------

def test_status_tells_each_source_state():
    _, (panel,) = wall("      - {id: s, type: status, at: [0, 0], size: [3, 6]}")
    ok = status("simulasi", run("simulasi", True, timedelta(seconds=30), rows=42), timedelta(seconds=30))
    failing = status("lapor", run("lapor", False, timedelta(seconds=20), "HTTP 500 dari server"),
                     timedelta(minutes=1), "HTTP 500 dari server")
    view = panel.view(snap(sources={"simulasi": ok, "lapor": failing}))
    assert view.props["s0-mark"]["children"] == "● BERHASIL"
    assert view.props["s0-age"]["children"] == "baru saja · 42 baris"
    assert view.props["s1-mark"]["children"] == "▲ GAGAL"
    assert view.props["s1-error"]["children"] == "HTTP 500 dari server"
    assert view.state == "warning"
    down = status("lapor", run("lapor", False, timedelta(seconds=20), "timeout"), timedelta(hours=1))
    view = panel.view(snap(sources={"simulasi": ok, "lapor": down}))
    assert view.props["s1-mark"]["children"] == "◆ MATI"
    assert view.state == "critical"
    assert panel.view(snap()).state == "nodata"


def test_status_says_the_database_link_is_down_not_the_sources():
    """Issue 21: a web process that lost its database called the (healthy) collector's source DOWN
    with an old error; it says its own link is down, since when, and the sources' runs are unknown."""
    import dataclasses

    _, (panel,) = wall("      - {id: s, type: status, at: [0, 0], size: [3, 6]}")
    old = status("simulasi", run("simulasi", False, timedelta(hours=1), "timeout lama"), timedelta(hours=1))
    lost = dataclasses.replace(snap(sources={"simulasi": old}), link_down=NOW - timedelta(minutes=12))
    view = panel.view(lost)
    assert view.note == "Koneksi basis data terputus sejak 17.48 · 12 menit"
    assert view.props["s0-mark"]["children"] == "◌ TIDAK DIKETAHUI"
    assert view.props["s0-error"]["children"] == ""
    assert all("MATI" not in str(p.get("children", "")) for p in view.props.values())
    assert view.state == "error"


# clock -----------------------------------------------------------------------------------------

def test_clock_formats_in_site_zone_and_language():
    assert formatting.clock(NOW.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Jakarta"))) == \
        "Jumat, 27 November 2026 18.00 WIB"
    _, (panel,) = wall("      - {id: j, type: clock, at: [0, 0], size: [3, 1]}")
    view = panel.view(snap())
    assert view.state == "ok"
    assert view.props["sync"]["data-now"] == str(int(NOW.timestamp() * 1000))
    assert view.props["sync"]["children"] == "Jumat, 27 November 2026 18.00 WIB"
    assert panel.needs().indicators == set()


# ticker ----------------------------------------------------------------------------------------

TICKER = """      - {id: k, type: kpi, indicator: air, at: [0, 0], size: [3, 2]}
      - {id: i, type: ticker, text: [Selamat datang, {id: Hubungi 112, en: Call 112}], at: [3, 0], size: [6, 1]}"""


def test_ticker_announces_new_critical_states_before_announcements():
    _, (_, ticker) = wall(TICKER)
    assert ticker.watched() == ["air"]
    assert ticker.mode() == "scroll"
    calm = ticker.view(snap({"air": value("air", 100)}))
    assert calm.state == "ok"
    assert [calm.props[f"i{n}"]["children"] for n in range(2)] == ["Selamat datang", "Hubungi 112"]
    alarm = ticker.view(snap({"air": value("air", 330, age=timedelta(seconds=10))}))
    assert alarm.state == "critical"
    assert alarm.props["i0"]["children"] == "◆ KRITIS sejak 17.59: Tinggi muka air 330 cm"
    assert alarm.props["i0"]["className"] == "ticker-item ticker-alert"
    assert alarm.props["i1"]["children"] == "Selamat datang"
    assert alarm.props["track"]["data-alerts"].startswith("air@")
    later = ticker.view(snap({"air": value("air", 340, age=-timedelta(minutes=5))}, now=NOW + timedelta(minutes=5)))
    assert "sejak 17.59" in later.props["i0"]["children"]  # since it first turned critical
    assert ticker.view(snap({"air": value("air", 100)})).state == "ok"


# camera ----------------------------------------------------------------------------------------

def test_camera_is_refreshed_by_the_browser():
    _, (panel,) = wall("      - {id: c, type: camera, url: 'http://cctv.local/snap.jpg', every: 5s,"
                       " at: [0, 0], size: [2, 2]}")
    assert panel.give_up() == timedelta(seconds=60)
    body = frame(panel).to_plotly_json()
    text = json.dumps(body, default=lambda o: o.to_plotly_json())
    assert '"data-url": "http://cctv.local/snap.jpg"' in text
    assert '"data-every": "5000"' in text
    assert panel.needs().indicators == set() and not panel.needs().sources


def test_english_locale_words():
    _, (panel,) = wall("      - {id: e, type: events, source: simulasi, limit: 2, at: [0, 0], size: [4, 4]}",
                       locale="en")
    events = [event("1", "baru", "Flood", timedelta(minutes=2))]
    view = panel.view(snap(events={"simulasi": events}))
    assert view.props["r0-status"]["children"] == "◆ NEW"
