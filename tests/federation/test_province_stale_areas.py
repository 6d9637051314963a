"""A kab/kota whose own wallboard stopped answering is stale on the province's map and bar (its last
figure marked, never a zero), while the kab/kota still answering stays as it is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from wallboard.config.loader import parse_config
from wallboard.panels import panel_types
from wallboard.panels.base import WallContext
from wallboard.records import Batch, Reading
from wallboard.snapshot import Needs, build_snapshot
from wallboard.store import Run, Store

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
CONFIG = """
site: {name: Provinsi Jawa Tengah, region: "33", timezone: Asia/Jakarta, locale: id}
database: {url: "sqlite://"}
sources:
  - {id: kab_3308, type: wallboard, url: "http://127.0.0.1:9/", token: "t-3308-rahasia", region: "33.08",
     indicators: [kasus_dbd], every: 1m}
  - {id: kota_3371, type: wallboard, url: "http://127.0.0.1:9/", token: "t-3371-rahasia", region: "33.71",
     indicators: [kasus_dbd], every: 1m}
indicators:
  - {id: kasus_dbd, label: Kasus DBD, unit: kasus, stale_after: 5m}
screens:
  - id: utama
    grid: {columns: 12, rows: 8}
    panels:
      - {id: peta, type: map, indicator: kasus_dbd, at: [0, 0], size: [6, 8]}
      - {id: batang, type: bar, indicator: kasus_dbd, at: [6, 0], size: [6, 8]}
"""


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("prov")
    config = parse_config(CONFIG, base=base).config
    store = Store.open(f"sqlite:///{base / 'prov.db'}")
    store.sync_indicators(config.indicators)
    ts = int((NOW - timedelta(minutes=1)).timestamp())
    store.write("kab_3308", Batch(readings=[Reading("kasus_dbd", "33.08.01", ts, 4)]))
    store.write("kota_3371", Batch(readings=[Reading("kasus_dbd", "33.71.01", ts, 7)]))
    # 33.08 answered a minute ago; 33.71 last answered 20 minutes ago and fails since.
    store.record_run(Run("kab_3308", NOW - timedelta(minutes=1), NOW - timedelta(minutes=1), True, 1, 0, None))
    store.record_run(Run("kota_3371", NOW - timedelta(minutes=20), NOW - timedelta(minutes=20), True, 1, 0, None))
    store.record_run(Run("kota_3371", NOW - timedelta(minutes=1), NOW - timedelta(minutes=1), False, 0, 0,
                         "connection refused", failures=19))
    yield config, store, base
    store.close()


def views(province, now: datetime = NOW):
    config, store, base = province
    screen = config.screens[0]
    ctx = WallContext(config, screen, base)
    panels = [panel_types()[p.type](p, ctx) for p in screen.all_panels()]
    needs = Needs()
    for panel in panels:
        needs.add(panel.needs())
    snap = build_snapshot(store, config, needs, now, 1)
    return snap, {p.config.id: p.view(snap) for p in panels}


def test_a_peer_that_is_down_makes_its_kab_kota_stale_on_map_and_bar(province) -> None:
    snap, shown = views(province)
    assert snap.stale["kasus_dbd", "kecamatan"] == {"33.71"}  # 33.08 answers: not stale
    peta = shown["peta"]
    tiles = {p.get("children") for k, p in peta.props.items() if k.endswith("-v")}
    assert "◌ 7" in tiles and "4" in tiles  # the last figure, marked; never a zero
    assert any("map-tile-stale" in p.get("className", "") for p in peta.props.values())
    assert peta.state == "stale" and "1 wilayah usang" in peta.note
    batang = shown["batang"]
    values = {p.get("children") for k, p in batang.props.items() if k.endswith("-value")}
    assert "◌ 7" in values and "4" in values
    assert batang.state == "stale" and "1 wilayah usang" in batang.note


def test_figures_older_than_stale_after_are_stale_even_with_the_peer_up(province) -> None:
    config, store, _ = province
    later = NOW + timedelta(minutes=10)  # both readings now 11 minutes old; 33.08's peer ran 11 min ago too
    snap, _ = views(province, later)
    assert snap.stale["kasus_dbd", "kecamatan"] == {"33.08", "33.71"}
