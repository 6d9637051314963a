"""Panels showing BMKG's feeds, without a server: the ticker's active warnings, the events panel's
severity order, and the weather panel's steps (from forecasts only, gaps kept, the site combined)."""

from __future__ import annotations

from datetime import timedelta

from tests.panels.helpers import NOW, run, snap, status, wall
from wallboard.snapshot import Snapshot
from wallboard.store import StoredEvent
from wallboard.store.reads import StoredForecast

PANELS = """      - {id: t, type: ticker, text: [Sumber data BMKG], events: [simulasi], at: [0, 0], size: [6, 1]}
      - {id: e, type: events, source: simulasi, at: [0, 1], size: [6, 6]}
      - {id: w, type: weather, source: simulasi, at: [6, 0], size: [6, 3]}
      - {id: k, type: weather, source: simulasi, region: "12.75.02", at: [6, 3], size: [6, 3]}"""


def event(ref: str, status: str, title: str, region: str | None = "12.75", ago: timedelta = timedelta(0)):
    return StoredEvent("simulasi", ref, NOW - ago, "", region, status, title, "", NOW - ago)


def forecast(region: str, hours: int, t: float, code: int, rain: float = 0.0, text: str = "Cerah"):
    return StoredForecast("simulasi", region, NOW + timedelta(hours=hours), NOW - timedelta(hours=6), "", t, 80.0,
                          rain, 10.0, "N", code, text, text)


def test_the_ticker_announces_the_sites_active_warnings_worst_first() -> None:
    _, (ticker, *_) = wall(PANELS)
    events = [event("a", "waspada", "Hujan sedang di Binjai Kota", ago=timedelta(minutes=1)),
              event("b", "kritis", "Hujan lebat disertai petir"),
              event("c", "jauh", "Hujan di Langkat", region=None), event("d", "selesai", "Sudah lewat")]
    view = ticker.view(snap(events={"simulasi": events}))
    assert view.state == "critical"
    shown = [view.props[f"i{n}"].get("children") for n in range(3)]
    assert shown == ["◆ KRITIS: Hujan lebat disertai petir", "▲ WASPADA: Hujan sedang di Binjai Kota",
                     "Sumber data BMKG"]
    assert view.props["i0"]["className"] == "ticker-item ticker-alert"
    assert ticker.needs().events == {"simulasi": 20}
    assert ticker.view(snap(events={"simulasi": events[2:]})).state == "ok"


def test_the_events_panel_puts_the_sites_severities_first() -> None:
    _, (_, panel, *_) = wall(PANELS)
    events = [event("far", "jauh", "Gempa M 5.6 Maluku", region=None),
              event("local", "info", "Gempa M 4.3 Binjai", ago=timedelta(hours=5)),
              event("tsunami", "kritis", "Gempa M 7.1 Simeulue", region=None, ago=timedelta(days=1))]
    view = panel.view(snap(events={"simulasi": events}))
    titles = [view.props[f"r{i}-title"]["children"] for i in range(3)]
    assert titles == ["Gempa M 7.1 Simeulue", "Gempa M 4.3 Binjai", "Gempa M 5.6 Maluku"]
    assert view.props["r0-status"]["children"] == "◆ KRITIS" and view.props["r2-status"]["children"] == "○ JAUH"


def test_the_weather_panel_combines_the_site_and_keeps_gaps() -> None:
    _, (*_, site, kecamatan) = wall(PANELS)
    rows = [forecast("12.75.01", -1, 24, 1, text="Cerah Berawan"), forecast("12.75.02", -1, 26, 61, 3.0, "Hujan"),
            forecast("12.75.01", 2, 28, 0), forecast("12.75.02", 2, 30, 3, text="Berawan"),
            forecast("12.75.01", 8, 22, 95, 12.0, "Hujan Petir")]  # kecamatan 02 has no step at +5h and +8h
    now = snap()
    ran = {"simulasi": status("simulasi", run("simulasi", True, timedelta(seconds=5)), timedelta(seconds=5))}
    shot = Snapshot(now.now, 1, {}, {}, {}, ran, forecasts={"simulasi": rows})
    view = site.view(shot)
    assert site.needs().forecasts == {"simulasi"}
    assert view.props["s0-temp"]["children"] == "25°C"  # the mean of 24 and 26
    assert view.props["s0-icon"]["alt"] == "Hujan" and view.props["s0-rain"]["children"] == "3,0 mm"  # the worst
    assert view.props["s0-time"]["children"] == "17:00"  # WIB
    assert view.props["s2-temp"]["children"] == "–" and view.props["s2-icon"]["style"] == {"visibility": "hidden"}
    assert view.props["s3-icon"]["alt"] == "Hujan Petir"
    assert view.state == "ok" and "Binjai Selatan" in view.note  # kecamatan without any forecast named
    one = kecamatan.view(shot)
    assert one.props["s1-temp"]["children"] == "30°C" and one.props["s3-temp"]["children"] == "–"
    assert kecamatan.view(Snapshot(now.now, 1, {}, {}, {}, {})).state == "nodata"


def test_a_map_colours_kecamatan_by_forecast_rain_never_from_readings() -> None:
    _, panels = wall("      - {id: m, type: map, rain: simulasi, hours: 12, at: [0, 0], size: [4, 4]}")
    [rain_map] = panels
    assert rain_map.needs().forecasts == {"simulasi"} and rain_map.needs().indicators == set()
    assert rain_map.title() == "Prakiraan hujan 12 jam ke depan"
    rows = [forecast("12.75.01", 1, 24, 61, 3.0), forecast("12.75.01", 4, 24, 95, 12.5),
            forecast("12.75.01", 20, 24, 63, 40.0),  # beyond 12 hours: not added
            forecast("12.75.02", 1, 24, 0, 0.0)]
    ran = {"simulasi": status("simulasi", run("simulasi", True, timedelta(seconds=5)), timedelta(seconds=5))}
    view = rain_map.view(Snapshot(NOW, 1, {}, {}, {}, ran, forecasts={"simulasi": rows}))
    tiles = {rain_map.areas[int(k[1:-2])][0]: v["children"] for k, v in view.props.items() if k.endswith("-v")}
    assert tiles["12.75.01"] == "15,5 mm" and tiles["12.75.02"] == "0,0 mm" and tiles["12.75.03"] == "–"
    assert view.state == "ok"
    wettest = view.props[f"t{[c for c, _ in rain_map.areas].index('12.75.01')}"]["style"]["background"]
    assert wettest == "#08519c"  # the darkest blue: the most rain


def test_a_map_takes_an_indicator_or_rain_not_both() -> None:
    import pytest
    from pydantic import ValidationError

    from wallboard.panels.map import MapConfig

    with pytest.raises(ValidationError, match="either indicator: or rain:"):
        MapConfig(id="m", type="map", at=(0, 0), indicator="air", rain="cuaca")
    with pytest.raises(ValidationError, match="either indicator: or rain:"):
        MapConfig(id="m", type="map", at=(0, 0))
