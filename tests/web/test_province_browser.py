"""A province wall in headless Chromium (issue 24, item 4): the wall `wallboard init --region 33` makes,
reading its kab/kota through `type: wallboard` sources from stand-in peers that serve readings on desa
codes. From the wall the drill goes province → kab/kota → kecamatan → desa, every figure exactly the
sum of the level below; a kab/kota whose peer fails past `stale_after` is marked stale on the map and
the bar with its last figure (never a zero), and nothing on the wall is cut off at 1920x1080 or 4K.

Boundaries: the 35 kab/kota of Jawa Tengah (tests/fixtures/regions/33-kabupaten.geojson) and 33.08's
kecamatan and desa, laid next to it as `wallboard regions fetch 33.08` would; Kota Magelang (33.71)
has no kecamatan outlines there, so its drill page draws tiles.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.numbers import parse_decimal

from tests.api_server import ApiServer
from tests.conftest import FIXTURES, WallServer, reserve_port
from tests.web.clipping import CLIPPED_JS
from wallboard import regions
from wallboard.init import render_province
from wallboard.records import Batch, Reading
from wallboard.store import Run, Store
from wallboard.store.drill import regions_with_data

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("WALLBOARD_SHOTS") or "/tmp/feddrill-shots")
DOWN = "33.71"  # Kota Magelang: its wallboard stopped answering three hours ago
SEEN = int(datetime.now(UTC).timestamp()) - 20 * 60


def served(kab: str, n: int) -> list[dict]:
    """The readings kab/kota ``kab`` (the n-th of the province) shares, all on desa codes.

    Kabupaten Magelang: three desa in each kecamatan but its last (left without data); Kota
    Magelang: two kelurahan in each of its three kecamatan; every other one: two desa of its first
    kecamatan."""
    kecamatan = regions.kecamatan(kab)
    chosen = kecamatan[:-1] if kab == "33.08" else kecamatan if kab == DOWN else kecamatan[:1]
    per = 3 if kab == "33.08" else 2
    out = []
    for i, k in enumerate(chosen):
        for j, d in enumerate(regions.kecamatan(k.code)[:per]):
            out.append({"region": d.code, "ts": SEEN, "value": 1 + (n * 5 + i * 3 + j * 7) % 11})
    return out


READINGS = {k.code: served(k.code, n) for n, k in enumerate(regions.kecamatan("33"))}


def answer(kab: str):
    body = {"region": kab, "readings": READINGS[kab], "cursor": "c1", "more": False}
    return lambda query: (200, body if query.get("since") != "c1" else {**body, "readings": []})


def env_for(peer: ApiServer) -> dict[str, str]:
    env = dict(os.environ)
    for k in regions.kecamatan("33"):
        short = k.code.replace(".", "")
        env[f"URL_{short}"], env[f"TOKEN_{short}"] = f"{peer.url}/{short}", f"token-{short}-provinsi-rahasia"
    return env


def seed_the_silent_one(db_url: str) -> None:
    """What Kota Magelang's wallboard sent before it stopped: readings and a good run three hours ago."""
    then = datetime.now(UTC) - timedelta(hours=3)
    store = Store.open(db_url)
    try:
        rows = [Reading("kasus_dbd", r["region"], int(then.timestamp()), r["value"]) for r in READINGS[DOWN]]
        store.write("kab_3371", Batch(readings=rows), now=then)
        store.record_run(Run("kab_3371", then, then, True, len(rows), 0, None))
    finally:
        store.close()


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WallServer]:
    folder = tmp_path_factory.mktemp("jateng")
    kept = folder / "data" / "regions"
    kept.mkdir(parents=True)
    for name in ("33-kabupaten", "33.08-kecamatan", "33.08-desa"):
        shutil.copy(FIXTURES / "regions" / f"{name}.geojson", kept)
    config = render_province(regions.province("33"), boundaries=True)
    config = config.replace("    aggregate: sum\n", "    aggregate: sum\n    stale_after: 2h\n", 1)
    (folder / "config.yaml").write_text(config, encoding="utf-8")
    db = "sqlite:///" + str(folder / "data" / "wallboard.db")
    seed_the_silent_one(db)
    peer = ApiServer()
    for k in regions.kecamatan("33"):
        short = k.code.replace(".", "")
        if k.code == DOWN:
            peer.handlers[f"/{short}/api/v1/indicators/kasus_dbd/readings"] = lambda q: (503, {"error": "down"})
            continue
        peer.handlers[f"/{short}/api/v1/indicators/kasus_dbd/readings"] = answer(k.code)
        peer.handlers[f"/{short}/api/v1/indicators/harga_beras/readings"] = (
            lambda q, code=k.code: (200, {"region": code, "readings": [], "more": False}))
    held = reserve_port()
    server = WallServer(folder / "config.yaml", held.getsockname()[1], env=env_for(peer))
    try:
        server.start(timeout=90)  # 35 sources starting at once, on a machine shared with other tests
        wait_for_every_peer(db)
        yield server
    finally:
        server.stop()
        held.close()
        peer.close()


def wait_for_every_peer(db_url: str, timeout: float = 60) -> None:
    """Until the province stored what every answering peer serves (their first runs start at once)."""
    wanted = {r["region"] for rows in READINGS.values() for r in rows}
    store = Store.open(db_url)
    try:
        deadline = time.monotonic() + timeout
        while (have := regions_with_data(store, "kasus_dbd")) != wanted:
            assert time.monotonic() < deadline, sorted(wanted - have)[:5]
            time.sleep(0.2)
    finally:
        store.close()


def ready(page) -> None:
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_function("() => [...document.querySelectorAll('[data-figure]')].every(e => e.dataset.drawn)")


def figures(page) -> dict[str, float | None]:
    """Code -> latest value of the drill table on screen (None for "–")."""
    rows = page.evaluate("""() => [...document.querySelectorAll('#drill-table tr')].slice(1)
        .map(tr => [...tr.children].map(td => td.innerText.trim()))""")
    return {r[0]: None if r[2] == "–" else float(parse_decimal(r[2], locale="id")) for r in rows}


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def drawn_areas(page) -> int:
    return page.evaluate("() => document.getElementById('map').data.filter(t => t.fill === 'toself').length")


def total(prefix: str) -> float:
    return sum(r["value"] for rows in READINGS.values() for r in rows if r["region"].startswith(prefix + "."))


def test_drill_from_the_province_wall_to_kab_kota_kecamatan_and_desa(province: WallServer, page_at) -> None:
    page = page_at(1920, 1080)
    page.goto(province.url + "/wall/utama")
    page.wait_for_selector("[data-panel=peta-dbd][data-drill='/panel/peta-dbd']")
    page.wait_for_selector("[data-panel=peta-dbd] .textpoint text", timeout=30_000)
    page.click("[data-panel=peta-dbd]")
    page.wait_for_url("**/panel/peta-dbd")
    ready(page)
    province_rows = figures(page)  # the province: its 35 kab/kota, each the sum of its desa
    assert set(province_rows) == {k.code for k in regions.kecamatan("33")}
    assert province_rows == {k.code: total(k.code) for k in regions.kecamatan("33")}
    assert drawn_areas(page) == 35
    assert "Kabupaten/Kota" in page.inner_text("#drill-table tr:first-child")
    shot(page, "drill-33")

    page.click("#drill-table a:text-is('Kabupaten Magelang')")
    page.wait_for_url("**region=33.08")
    ready(page)
    kab = figures(page)  # its 21 kecamatan, the last one without data
    kecamatan = regions.kecamatan("33.08")
    assert set(kab) == {k.code for k in kecamatan}
    assert kab[kecamatan[-1].code] is None
    assert {c: v for c, v in kab.items() if v is not None} == {k.code: total(k.code) for k in kecamatan[:-1]}
    assert sum(v for v in kab.values() if v is not None) == province_rows["33.08"]
    assert drawn_areas(page) == 21  # 33.08-kecamatan.geojson beside the province's file
    shot(page, "drill-33-33.08")
    assert page.locator("[data-role=crumb]").all_inner_texts() == ["Jawa Tengah", "Kabupaten Magelang"]
    assert page.inner_text("[data-role=sources]") == "kab_3308"  # its own wallboard, not all 35
    assert page.locator("[data-role=area-thresholds]").count() == 1  # the province's levels judge its total

    first = kecamatan[0]
    page.click(f"#drill-table a:text-is('{first.name}')")
    page.wait_for_url(f"**region={first.code}")
    ready(page)
    desa = figures(page)  # every desa of the kecamatan; three have readings
    assert set(desa) == {d.code for d in regions.kecamatan(first.code)}
    shared = {r["region"]: r["value"] for r in READINGS["33.08"] if r["region"].startswith(first.code + ".")}
    assert {c: v for c, v in desa.items() if v is not None} == shared
    assert sum(shared.values()) == kab[first.code]
    assert drawn_areas(page) == len(desa)
    shot(page, "drill-33-33.08.01")
    assert page.locator("#drill-table a").count() == 0  # a desa is the bottom
    assert page.locator("[data-role=crumb]").all_inner_texts() == ["Jawa Tengah", "Kabupaten Magelang", first.name]
    page.click("a[data-role=crumb]:text-is('Kabupaten Magelang')")
    page.wait_for_url("**region=33.08")
    ready(page)
    assert figures(page) == kab

    page.goto(province.url + "/panel/peta-dbd?region=33.71")  # no kecamatan outlines: tiles, same sums
    ready(page)
    kota = figures(page)
    assert kota == {k.code: total(k.code) for k in regions.kecamatan("33.71")}
    assert sum(kota.values()) == province_rows["33.71"]
    shot(page, "drill-33-33.71")
    assert page.locator("#map").count() == 0 and page.locator(".tiles a.tile").count() == 3


def stale_look(page) -> dict:
    return page.evaluate("""() => {
      const map = document.querySelector('[data-panel=peta-dbd]');
      const gd = map.querySelector('.js-plotly-plot');
      const area = gd.data.find(t => t.name === 'Kota Magelang');
      const labels = [...map.querySelectorAll('.textpoint text')].map(t => t.textContent);
      const legend = [...map.querySelectorAll('.map-legend-item')].filter(i => i.style.display !== 'none')
        .map(i => i.textContent.trim());
      const bar = document.querySelector('[data-panel=dbd-kabkota]');
      const rows = [...bar.querySelectorAll('.bar-row')].filter(r => r.style.display !== 'none').map(r => ({
        label: r.querySelector('.bar-label')?.textContent, value: r.querySelector('.bar-value')?.textContent,
        stale: r.className.includes('stale')}));
      const feeds = [...document.querySelectorAll('[data-panel=status] .src')].filter(r => r.getClientRects().length)
        .map(r => [r.querySelector('.src-name').textContent, r.className]);
      return {feeds, statusNote: document.querySelector('[data-panel=status]').innerText,
              dash: area.line.dash, hatch: (area.fillpattern || {}).shape, labels, legend, rows,
              mapNote: map.innerText, barNote: bar.innerText};
    }""")


def wall_ready(page) -> None:
    page.wait_for_function("""() => {
      const ps = [...document.querySelectorAll('.wall-page.active [data-panel]')];
      return ps.length >= 6 && window.wallboard && window.wallboard.fitted && window.wallboard.fitted() &&
             document.fonts.status === 'loaded' &&
             document.querySelector('[data-panel=peta-dbd] .textpoint text') &&
             document.querySelector('[data-panel=dbd-kabkota] .bar-row');
    }""", timeout=30_000)


def test_a_silent_kab_kota_is_stale_on_the_province_map_and_bar_at_both_sizes(province: WallServer,
                                                                              page_at) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    found = {}
    for width, height in ((1920, 1080), (3840, 2160)):  # each loaded at its size, as a wall PC does
        page = page_at(width, height)
        page.goto(province.url + "/wall/utama")
        wall_ready(page)
        found[f"{width}x{height}"] = page.evaluate(CLIPPED_JS)
        page.screenshot(path=str(SHOTS / f"province-33-stale-{width}.png"))
        look = stale_look(page)
        figure = f"{int(total(DOWN))}"
        assert look["dash"] == "dot" and look["hatch"] == "/", look  # greyed, hatched, dotted
        assert f"Usang: Kota Magelang ({figure})" in look["legend"], look["legend"]  # too small to label
        down = [r for r in look["rows"] if r["label"] == "Kota Magelang"]
        assert down and down[0]["stale"] and down[0]["value"].endswith(figure), look["rows"]
        assert all(r["value"] not in ("0", "◌ 0") for r in look["rows"])
        assert "1 wilayah usang" in look["mapNote"] and "1 wilayah usang" in look["barNote"]
        # 35 feeds, four rows: the one down comes first, the others are counted, never "all fine".
        assert look["feeds"][0][0] == "kab_3371" and "src-critical" in look["feeds"][0][1], look["feeds"]
        assert f"+{35 - len(look['feeds'])} lainnya" in look["statusNote"], look["statusNote"]
    assert not any(found.values()), found
