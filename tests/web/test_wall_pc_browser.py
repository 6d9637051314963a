"""What the wall costs the browser of a wall PC (issue 23): timers only when they have work.

Counts, not timings: which timers the wall's own scripts set, read through an init script that
wraps ``setTimeout``/``setInterval`` before any page script runs.
"""

from __future__ import annotations

import random
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.camera_streams import SnapshotCamera
from tests.conftest import demo_config, fixture_file
from tests.local_http import local_server
from tests.walls import DemoWall
from wallboard.live.diff import figure_patch
from wallboard.records import Batch, Reading
from wallboard.store import Run, Store

pytestmark = pytest.mark.browser

TIMERS_JS = """
window.__timers = [];
for (const kind of ['setTimeout', 'setInterval']) {
  const original = window[kind];
  window[kind] = function (fn, ms, ...rest) {
    window.__timers.push({kind, name: (fn && fn.name) || '', ms: ms || 0, at: performance.now()});
    return original.call(this, fn, ms, ...rest);
  };
}
"""
PAGED = """
  - id: utama
    grid: {columns: 2, rows: 1}
    panels:
      - {id: satu, type: kpi, indicator: pengaduan_terbuka, at: [0, 0]}
  - id: putar
    grid: {columns: 2, rows: 1}
    rotate: 2s
    pages:
      - panels:
          - {id: dua, type: kpi, indicator: pengaduan_terbuka, at: [0, 0]}
      - panels:
          - {id: tiga, type: kpi, indicator: tinggi_muka_air, at: [0, 0]}
"""


def open_counted(page_at, url: str):
    page = page_at(1280, 720)
    page.add_init_script(TIMERS_JS)
    page.goto(url)
    page.wait_for_function("() => window.wallboard && window.wallboard.stats.hellos > 0")
    return page


def test_no_rotation_timer_on_a_screen_without_pages(tmp_path: Path, wall_server, page_at) -> None:
    server = wall_server(demo_config(f"sqlite:///{tmp_path / 'wall.db'}", every="1h", screens=PAGED))
    still = open_counted(page_at, server.url + "/wall/utama")
    turning = open_counted(page_at, server.url + "/wall/putar")
    # Two page turns on the rotating screen: its rotation is one timer per turn, not a poll.
    turning.wait_for_function("() => document.getElementById('wall').dataset.page === '1'", timeout=10000)
    turning.wait_for_function("() => document.getElementById('wall').dataset.page === '0'", timeout=10000)
    rotations = turning.evaluate("() => window.__timers.filter(t => t.name === 'rotate')")
    assert rotations and all(t["kind"] == "setTimeout" for t in rotations), rotations
    assert len(rotations) <= 6, rotations  # started, hello, and one per turn (a 250 ms poll: 16 and more)
    timers = still.evaluate("() => window.__timers.filter(t => t.name === 'rotate')")
    assert timers == []


# Charts updated in place, never rebuilt -------------------------------------------------------

CHART_WALL = DemoWall(
    indicators="  - {id: latar, label: Latar}\n  - {id: air, label: Air, unit: cm, aggregate: last}",
    grid="{columns: 4, rows: 2}",
).format(db="{db}", panels="""\
      - {id: tren, type: trend, indicators: [air], window: 24h, at: [0, 0], size: [4, 1]}
      - {id: angka, type: kpi, indicator: air, at: [0, 1], size: [2, 1]}
      - {id: batang, type: bar, indicator: air, at: [2, 1], size: [2, 1]}
""")

# Counts the chart's nodes that are taken out of the page per update: an axis, tick or grid line
# drawn again from scratch is removed and added; a chart updated in place only changes the trace.
CHART_WATCH_JS = """
(sel) => {
  const gd = document.querySelector(sel);
  window.__chart = {updates: 0, removed: 0, removedTicks: 0, perUpdate: []};
  const ticks = n => n.nodeType === 1 && (n.matches('.xtick, .ytick, .xgrid, .ygrid')
                                          || n.querySelector('.xtick, .ytick, .xgrid, .ygrid'));
  new MutationObserver(list => {
    for (const m of list) for (const n of m.removedNodes) {
      window.__chart.removed += 1;
      if (ticks(n)) window.__chart.removedTicks += 1;
    }
  }).observe(gd, {subtree: true, childList: true});
  const line = () => (gd.querySelector('.scatterlayer .js-line') || {}).getAttribute?.('d') || '';
  let drawn = line();
  new MutationObserver(() => {  // an update is a new line, however it was drawn
    const now = line();
    if (now === drawn) return;
    drawn = now;
    window.__chart.updates += 1;
    window.__chart.perUpdate.push([window.__chart.removed, window.__chart.removedTicks, gd.data[0].x.length]);
  }).observe(gd, {subtree: true, childList: true, attributes: true, attributeFilter: ['d']});
}
"""


def seed_hours(db_url: str, indicator: str, points: list[tuple[int, float]]) -> None:
    """Write many readings at once (a trend's history), then a collector run the hub notices."""
    store = Store.open(db_url)
    try:
        now = datetime.now(UTC)
        store.write("simulasi", Batch(readings=[Reading(indicator, "12.75", ts, v) for ts, v in points]))
        store.record_run(Run("simulasi", now, now, True, len(points), 0, None))
    finally:
        store.close()


def test_a_point_appended_within_the_range_step_redraws_only_the_line(tmp_path: Path, wall_server, page_at) -> None:
    db = f"sqlite:///{tmp_path / 'wall.db'}"
    server = wall_server(CHART_WALL.replace("{db}", db))
    # History up to an hour boundary H that lies hours behind now; the points appended next stay
    # inside the same step of the x range (24 h window: steps of one hour), values inside the y range.
    now = int(time.time())
    hour = (now - 3 * 3600) // 3600 * 3600
    seed_hours(db, "air", [(ts, 150 + 40 * ((ts // 300) % 5 - 2) / 2) for ts in range(hour - 240 * 300, hour + 1, 300)])
    page = page_at(1280, 720)
    page.goto(server.url + "/wall/utama")
    graph = "#tren--graph .js-plotly-plot"
    page.wait_for_function(f"() => {{ const g = document.querySelector('{graph}'); "
                           "return g && g.data && g.data[0] && g.data[0].x.length > 200; }", timeout=20000)
    # One update first: a chart drawn before panels.js wrapped Plotly has no known shape yet, so
    # its first update may be drawn whole (once per page load); the ones after it are counted.
    base = page.evaluate(f"() => document.querySelector('{graph}').data[0].x.length")
    seed_hours(db, "air", [(hour + 300, 141)])
    page.wait_for_function(f"() => document.querySelector('{graph}').data[0].x.length === {base + 1}", timeout=10000)
    page.wait_for_timeout(500)
    page.evaluate(CHART_WATCH_JS, graph)
    for k in range(2, 5):
        seed_hours(db, "air", [(hour + 300 * k, 140 + k)])
        page.wait_for_function(f"() => window.__chart.perUpdate.some(u => u[2] === {base + k})", timeout=10000)
    chart = page.evaluate("() => window.__chart")
    assert chart["removedTicks"] == 0, chart  # an axis rebuilt per point: every tick and grid line
    assert chart["removed"] <= 3 * 4, chart  # the line itself may be swapped, nothing more
    # Those points were drawn without Plotly (panels.js drawLines): the line ends where Plotly's
    # own axes put the newest point, and once something needs Plotly's data again (a resize, a
    # pointer's hover labels) Plotly holds every point and draws the same line.
    assert page.evaluate("() => window.wallboard.linesDrawn") >= 3
    assert page.evaluate("() => window.wallboard.stats.figures") >= 3  # drawn without Dash's set_props
    # Dash's stored figure is the one drawn (the next patch applies to it), and it is the figure a
    # wall opened now gets whole from the server.
    fresh = page_at(1280, 720)
    fresh.goto(server.url + "/wall/utama")
    fresh.wait_for_function(f"() => document.querySelector('{graph}')?.data?.[0]?.x?.length === {base + 4}",
                            timeout=20000)
    assert page.evaluate(DASH_FIGURE_JS, "tren--graph") == fresh.evaluate(DASH_FIGURE_JS, "tren--graph")
    ends = LINE_ENDS_JS.replace("GRAPH", graph)
    drawn = page.evaluate(ends)
    assert drawn["points"] == base + 4 and abs(drawn["end"][0] - drawn["expected"][0]) < 0.5, drawn
    assert abs(drawn["end"][1] - drawn["expected"][1]) < 0.5, drawn
    page.evaluate(f"() => window.Plotly.Plots.resize(document.querySelector('{graph}'))")
    page.wait_for_function(f"() => document.querySelector('{graph}').calcdata[0].length === {base + 4}",
                           timeout=10000)
    redrawn = page.evaluate(ends)
    assert abs(redrawn["end"][0] - drawn["end"][0]) < 0.5 and abs(redrawn["end"][1] - drawn["end"][1]) < 0.5, \
        (drawn, redrawn)


# The figure Dash holds for a graph (its store, as set_props would read it): its traces' points and texts.
DASH_FIGURE_JS = """(id) => {
  const state = window.dash_stores[0].getState();
  let node = state.layout;
  for (const key of state.paths.strs[id]) node = node[key];
  const f = node.props.figure;
  return {layout: f.layout, data: f.data.map(t => [t.x, t.y, t.text ?? null, t.fillcolor ?? null,
                                                 (t.textfont || {}).color ?? null])};
}"""


def test_a_figure_patch_applied_in_the_browser_is_the_new_figure(wall_server, page_at, tmp_path: Path) -> None:
    """wall.js applies the server's figure patches itself (a figure drawn without Dash): every patch
    diff.py makes turns the old figure into the new one there, and the old figure is left as it was."""
    server = wall_server(CHART_WALL.replace("{db}", f"sqlite:///{tmp_path / 'wall.db'}"))
    page = page_at(1280, 720)
    page.goto(server.url + "/wall/utama")
    page.wait_for_function("() => window.wallboard && window.wallboard.patchFigure")
    rng = random.Random(23)
    cases = []
    for _ in range(60):
        xs = [f"2026-12-03 {h:02d}:{m:02d}" for h in range(3) for m in range(0, 60, 5)][: rng.randint(2, 36)]
        ys = [round(rng.random() * 100, 2) for _ in xs]
        drop, add = rng.randint(0, min(4, len(xs) - 1)), rng.randint(0, 5)
        nx = xs[drop:] + [f"2026-12-03 0{3 + k}:00" for k in range(add)]
        ny = ys[drop:] + [round(rng.random() * 100, 2) for _ in range(add)]
        if rng.random() < 0.5:
            ny[len(xs) - drop - 1] = -1.5  # the last known point revised
        layout = {"xaxis": {"range": [xs[0], xs[-1]]}, "meta": {"wallScale": True}}
        old = {"data": [{"type": "scatter", "x": xs, "y": ys, "fillcolor": "#c6dbef", "text": ["a"] * len(xs)}],
               "layout": layout}
        new = {"data": [{"type": "scatter", "x": nx, "y": ny, "fillcolor": rng.choice(["#c6dbef", "#08519c"]),
                         "text": ["b"] * len(nx)}],
               "layout": {**layout, "xaxis": {"range": [nx[0], nx[-1]]}}}
        patch = figure_patch(old, new)
        if "__dash_patch_update" in patch:
            cases.append((old, patch["operations"], new))
    assert len(cases) > 40
    results = page.evaluate("""(cases) => cases.map(([old, ops, _]) => {
      const before = JSON.stringify(old), out = window.wallboard.patchFigure(old, ops);
      return [out, JSON.stringify(old) === before];
    })""", cases)
    for (_, _, new), (out, untouched) in zip(cases, results, strict=True):
        assert out == new and untouched
    unknown = [{"operation": "Merge", "location": ["layout"], "params": {"value": {"a": 1}}}]
    assert page.evaluate("(ops) => window.wallboard.patchFigure({layout: {}}, ops) === undefined", unknown)


# The line's last vertex as drawn, and where Plotly's axes put the newest point of gd.data.
LINE_ENDS_JS = """() => {
  const gd = document.querySelector('GRAPH'), d = gd.querySelector('.scatterlayer .js-line').getAttribute('d');
  const xy = d.replace(/^M/, '').split('L').at(-1).split(',').map(Number);
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, t = gd.data[0];
  return {end: xy, points: t.x.length, vertices: d.split('L').length,
          expected: [xa.c2p(xa.d2c(t.x.at(-1))), ya.c2p(ya.d2c(t.y.at(-1)))]};
}"""


# A map's figures change: its areas' colours and labels' texts are written, the map is not plotted again.

# The demo source feeds only `latar`: the map's figures are the test's own (seed_areas).
MAP_WALL = DemoWall(
    regions="regions: {kecamatan: peta/kecamatan.geojson}",
    indicators="  - {id: latar, label: Latar}\n  - {id: pengaduan, label: Pengaduan terbuka, unit: laporan}",
    grid="{columns: 4, rows: 2}",
    panels="      - {id: peta, type: map, indicator: pengaduan, at: [0, 0], size: [2, 2]}",
)
KECAMATAN = ["12.75.01", "12.75.02", "12.75.03", "12.75.04", "12.75.05"]

# What the map shows: each area's fill, each label's text, ink and outline (as computed styles).
MAP_SHOWN_JS = """(sel) => {
  const gd = document.querySelector(sel);
  return {fills: [...gd.querySelectorAll('.scatterlayer .trace path.js-fill')].map(p => getComputedStyle(p).fill),
          labels: [...gd.querySelectorAll('g.textpoint > text')].map(t => {
            const c = getComputedStyle(t);
            return [t.textContent, c.fill, c.textShadow];
          })};
}"""

MAP_WATCH_JS = """(sel) => {
  const gd = document.querySelector(sel);
  window.__map = {removed: 0};
  new MutationObserver(list => { for (const m of list) window.__map.removed += m.removedNodes.length; })
    .observe(gd, {subtree: true, childList: true});
}"""


def seed_areas(db_url: str, values: list[float]) -> None:
    """One figure per kecamatan of Kota Binjai, and the collector run the hub notices."""
    store = Store.open(db_url)
    try:
        now = datetime.now(UTC)
        at = int(now.timestamp())
        readings = [Reading("pengaduan", code, at, v) for code, v in zip(KECAMATAN, values, strict=True)]
        store.write("simulasi", Batch(readings=readings))
        store.record_run(Run("simulasi", now, now, True, len(readings), 0, None))
    finally:
        store.close()


def test_a_map_whose_figures_change_is_coloured_and_labelled_in_place(tmp_path: Path, wall_server, page_at) -> None:
    (tmp_path / "peta").mkdir()
    (tmp_path / "peta" / "kecamatan.geojson").write_bytes(fixture_file("regions/12.75-kecamatan.geojson").read_bytes())
    db = f"sqlite:///{tmp_path / 'wall.db'}"
    server = wall_server(MAP_WALL.format(db=db))
    seed_areas(db, [12, 34, 56, 78, 90])
    page = page_at(1280, 720)
    page.goto(server.url + "/wall/utama")
    graph = "[data-panel=peta] .js-plotly-plot"
    shows = "() => [...document.querySelectorAll('{g} g.textpoint > text')].map(t => t.textContent).join(' ')"
    shows = shows.replace("{g}", graph)
    page.wait_for_function(f"() => ({shows})().includes('90')", timeout=20000)
    # The first updates may be drawn whole (a map drawn before panels.js wrapped Plotly, Plotly still
    # finishing its first drawing); count from the first one drawn in place.
    for first in (13, 14, 15):
        seed_areas(db, [first, 34, 56, 78, 90])
        page.wait_for_function(f"() => ({shows})().includes('{first}')", timeout=10000)
        if page.evaluate("() => window.wallboard.areasDrawn || 0"):
            break
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.evaluate(MAP_WATCH_JS, graph)
    drawn_before = page.evaluate("() => window.wallboard.areasDrawn")
    for values in ([91, 35, 57, 14, 22], [47, 88, 12, 66, 29]):  # colours and inks move, digits stay two
        seed_areas(db, values)
        page.wait_for_function(f"() => ({shows})().includes('{values[0]}')", timeout=10000)
    # Both updates were drawn in place (Plotly plotting the map again replaces its labels' nodes).
    assert page.evaluate("() => window.wallboard.areasDrawn") - drawn_before == 2
    # Any later render of the graph by Dash (here: a prop of its own set through Dash) hands Plotly
    # the figure already drawn in place: it is not plotted again (it was, now and then, when some
    # other dispatch re-rendered the graph after an in-place drawing).
    again = page.evaluate("() => window.wallboard.drawnAgain || 0")
    page.evaluate("() => window.dash_clientside.set_props('peta--graph', {clickData: null})")
    page.wait_for_function(f"() => (window.wallboard.drawnAgain || 0) > {again}", timeout=10000)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert page.evaluate("() => window.__map.removed") == 0
    drawn = page.evaluate(MAP_SHOWN_JS, graph)
    # What Plotly draws from the same figure once it is needed again (a resize) is what was written.
    page.evaluate(f"() => window.Plotly.Plots.resize(document.querySelector('{graph}'))")
    page.wait_for_function("() => window.__map.removed > 0", timeout=10000)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    redrawn = page.evaluate(MAP_SHOWN_JS, graph)
    assert "47" in " ".join(label[0] for label in drawn["labels"]), drawn
    assert drawn == redrawn
    assert page.evaluate("() => window.wallboard.stats.figures") >= 2
    fresh = page_at(1280, 720)
    fresh.goto(server.url + "/wall/utama")
    fresh.wait_for_function(f"() => ({shows})().includes('47')", timeout=20000)
    assert page.evaluate(DASH_FIGURE_JS, "peta--graph") == fresh.evaluate(DASH_FIGURE_JS, "peta--graph")
    assert len(set(drawn["fills"])) > 1 and len({label[1] for label in drawn["labels"]}) > 1, drawn


# A wall's snapshot cameras change their pictures together --------------------------------------

class SlowAndQuickCameras(SnapshotCamera):
    """One picture answered at once (``/cepat``), one after 400 ms (``/lambat``): a camera's latency."""

    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path.startswith("/lambat"):
            time.sleep(0.4)  # the stand-in camera's own latency, not a wait of the test
        super().do_GET()


CAMERAS_WALL = DemoWall(panels="""\
      - {id: cepat, type: camera, url: "{url}/cepat.svg", every: 2s, at: [0, 0], size: [2, 1]}
      - {id: lambat, type: camera, url: "{url}/lambat.svg", every: 2s, at: [2, 0], size: [2, 1]}
""")

# When each camera's <img> took a new picture (performance.now()), per camera.
SWAPS_JS = """() => {
  window.__swaps = {cepat: [], lambat: []};
  new MutationObserver(list => {
    for (const m of list) {
      const panel = m.target.closest('[data-panel]').dataset.panel;
      window.__swaps[panel].push(performance.now());
    }
  }).observe(document.getElementById('wall'), {subtree: true, attributes: true, attributeFilter: ['src']});
}"""


def test_snapshot_cameras_show_their_new_pictures_in_one_frame(tmp_path: Path, wall_server, page_at) -> None:
    with local_server(SlowAndQuickCameras) as cameras:
        server = wall_server(CAMERAS_WALL.format(db=f"sqlite:///{tmp_path / 'wall.db'}", url=cameras.url))
        page = page_at(1280, 720)
        page.goto(server.url + "/wall/utama")
        page.wait_for_function("() => [...document.querySelectorAll('.camera-img')]"
                               ".filter(i => i.getAttribute('src')).length === 2", timeout=15000)
        page.evaluate(SWAPS_JS)
        page.wait_for_function("() => window.__swaps.cepat.length >= 4 && window.__swaps.lambat.length >= 4",
                               timeout=20000)
        swaps = page.evaluate("() => window.__swaps")
    # Once both are on the wall's rhythm (the first round may still follow their start), every new
    # picture of the slow camera goes up with one of the quick camera's, in the same tick (a picture
    # put up as it arrives: 400 ms apart, one frame each).
    for at in swaps["lambat"][-2:]:
        assert min(abs(at - other) for other in swaps["cepat"]) < 100, swaps


# A change in one panel never lays out another ------------------------------------------------

# Every box of every panel, watched: a panel whose update moved or resized anything in another
# panel (its size taken from its content, a shared line) shows up here, and so would a layout
# shift. Chromium's trace cannot say more: it reports every layout as starting at the page.
ISLANDS_JS = """() => {
  window.__islands = {resized: [], shifted: []};
  const seen = new WeakMap();
  const ro = new ResizeObserver(entries => {
    for (const e of entries) {
      const box = e.contentRect, key = box.width + 'x' + box.height;
      if (seen.has(e.target) && seen.get(e.target) !== key) {
        const panel = e.target.closest('[data-panel]').dataset.panel;
        window.__islands.resized.push([panel, e.target.className, seen.get(e.target), key]);
      }
      seen.set(e.target, key);
    }
  });
  for (const el of document.querySelectorAll('[data-panel], [data-panel] *')) {
    if (!(el instanceof HTMLElement)) continue;
    if (el.closest('.js-plotly-plot')) continue;  // inside a chart, Plotly owns the boxes
    ro.observe(el);
  }
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) for (const s of e.sources || []) {
      const p = s.node && s.node.closest && s.node.closest('[data-panel]');
      window.__islands.shifted.push(p ? p.dataset.panel : String(s.node && s.node.nodeName));
    }
  }).observe({type: 'layout-shift', buffered: false});
}"""

ISLANDS_WALL = CHART_WALL.replace("{id: angka, type: kpi, indicator: air", "{id: angka, type: kpi, indicator: latar")


def test_a_panel_update_lays_out_only_that_panel(tmp_path: Path, wall_server, page_at) -> None:
    db = f"sqlite:///{tmp_path / 'wall.db'}"
    server = wall_server(ISLANDS_WALL.replace("{db}", db))
    now = int(time.time())
    seed_hours(db, "air", [(ts, 100 + ts % 7) for ts in range(now - 20000, now + 1, 300)])
    page = page_at(1280, 720)
    page.goto(server.url + "/wall/utama")
    page.wait_for_function("() => document.querySelector('[data-panel=angka] .kpi-value')?.textContent.trim()"
                           " && document.querySelector('#tren--graph .js-plotly-plot')?.data?.[0]?.x?.length > 50",
                           timeout=20000)
    # Every panel is a layout and paint island: a change inside it starts and ends inside it.
    contained = page.evaluate("() => [...document.querySelectorAll('[data-panel]')]"
                              ".map(p => getComputedStyle(p).contain)")
    assert contained and all(c in ("strict", "size layout paint style") for c in contained), contained
    page.evaluate(ISLANDS_JS)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.evaluate("() => { window.__islands.resized = []; }")  # the observers' first report
    for value in (4321, 87654):  # only the kpi's text changes (and grows)
        seed_hours(db, "latar", [(int(time.time()), value)])
        page.wait_for_function(f"() => document.querySelector('[data-panel=angka] .kpi-value')"
                               f".textContent.replace(/\\D/g, '') === '{value}'", timeout=10000)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    islands = page.evaluate("() => window.__islands")
    assert [r for r in islands["resized"] if r[0] != "angka"] == [], islands
    assert [s for s in islands["shifted"] if s != "angka"] == [], islands


# A message's plain props skip Dash ---------------------------------------------------------------

SET_PROPS_JS = """() => {
  window.__setProps = [];
  const original = window.dash_clientside.set_props;
  window.dash_clientside.set_props = function (id, props) {
    window.__setProps.push([id, Object.keys(props)]);
    return original.apply(this, arguments);
  };
}"""


def test_plain_props_are_written_directly_and_a_value_that_comes_back_is_shown(
        tmp_path: Path, wall_server, page_at) -> None:
    """A kpi's texts, classes and attributes are written to the page without set_props (three Redux
    dispatches each); the value that Dash's store still holds from the first view, coming back
    after another, is shown again (a write through Dash would be skipped as "unchanged")."""
    db = f"sqlite:///{tmp_path / 'wall.db'}"
    server = wall_server(ISLANDS_WALL.replace("{db}", db))
    seed_hours(db, "latar", [(int(time.time()) - 60, 4321)])
    page = page_at(1280, 720)
    page.goto(server.url + "/wall/utama")
    shown = "() => document.querySelector('[data-panel=angka] .kpi-value')?.textContent.replace(/\\D/g, '')"
    page.wait_for_function(f"() => ({shown})() === '4321'", timeout=20000)
    page.evaluate(SET_PROPS_JS)
    for value in (87654, 4321):
        seed_hours(db, "latar", [(int(time.time()), value)])
        page.wait_for_function(f"() => ({shown})() === '{value}'", timeout=10000)
    calls = page.evaluate("() => window.__setProps")
    assert [c for c in calls if c[0].startswith("angka")] == [], calls
    assert page.evaluate("() => window.wallboard.stats.direct") > 0


# Timers only when they have work: clocks, tickers, bars, cameras ------------------------------

# Counts every timer callback that fires, by the function's name: a wall's poll shows up here.
FIRED_JS = """
window.__fired = [];
for (const kind of ['setTimeout', 'setInterval']) {
  const original = window[kind];
  window[kind] = function (fn, ms, ...rest) {
    if (typeof fn !== 'function') return original.call(this, fn, ms, ...rest);
    const name = fn.name || '(anonymous)';
    return original.call(this, function (...args) {
      window.__fired.push({kind, name, ms: ms || 0});
      return fn.apply(this, args);
    }, ms, ...rest);
  };
}
"""
QUIET = """
  - id: utama
    grid: {columns: 2, rows: 1}
    panels:
      - {id: satu, type: kpi, indicator: pengaduan_terbuka, at: [0, 0]}
      - {id: dua, type: status, at: [1, 0]}
  - id: jam
    grid: {columns: 2, rows: 1}
    panels:
      - {id: jam, type: clock, at: [0, 0]}
"""


def open_fired(page_at, url: str):
    page = page_at(1280, 720)
    page.add_init_script(FIRED_JS)
    page.goto(url)
    page.wait_for_function("() => window.wallboard && window.wallboard.stats.hellos > 0"
                           " && window.wallboard.fitted && window.wallboard.fitted()", timeout=20000)
    return page


def test_no_timer_wakes_a_wall_without_clock_ticker_bar_or_camera(tmp_path: Path, wall_server, page_at) -> None:
    # Heartbeats every second: a window of four of them is three seconds and more of wall time,
    # waited for as a condition. The data changes once an hour, so nothing else happens meanwhile.
    server = wall_server(demo_config(f"sqlite:///{tmp_path / 'wall.db'}", every="1h", screens=QUIET,
                                     heartbeat="1s"))
    page = open_fired(page_at, server.url + "/wall/utama")
    page.evaluate("() => { window.__fired = []; window.__beats = window.wallboard.stats.heartbeats; }")
    page.wait_for_function("() => window.wallboard.stats.heartbeats >= window.__beats + 4", timeout=20000)
    fired = page.evaluate("() => window.__fired")
    # wall.js's watchdog looks once per 2.5 heartbeats of possible silence (here: 2.5 s), and its
    # half-second guard of a frame may fire; nothing of clocks, tickers, bars or cameras at all
    # (a 250 ms poll of them fired 12 times in this window, the cameras' 500 ms tick 6 times).
    # (A zero-delay timeout defers work to the next task; it is no wakeup of its own.)
    others = [f for f in fired if f["name"] not in ("watchdog", "flush") and f["ms"] > 0]
    assert others == [], others
    assert len([f for f in fired if f["name"] == "watchdog"]) <= 3, fired


def test_a_clock_wakes_once_a_second_and_its_tick_lays_nothing_out(tmp_path: Path, wall_server, page_at) -> None:
    server = wall_server(demo_config(f"sqlite:///{tmp_path / 'wall.db'}", every="1h", screens=QUIET))
    page = open_fired(page_at, server.url + "/wall/jam")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")

    def layouts() -> float:
        return next(m["value"] for m in cdp.send("Performance.getMetrics")["metrics"] if m["name"] == "LayoutCount")

    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.evaluate("() => { window.__fired = []; }")
    before, seen = layouts(), []
    for _ in range(4):  # four ticks of the seconds, each waited for
        seen.append(page.text_content(".clock-s"))
        page.wait_for_function(f"() => document.querySelector('.clock-s').textContent !== '{seen[-1]}'",
                               timeout=5000)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    after = layouts()
    seconds = page.text_content(".clock-s")
    assert re.fullmatch(r"\.\d\d", seconds), seconds
    # The digits seen are the strips' positions: they show the same seconds as the text.
    shown = page.evaluate("() => [...document.querySelectorAll('.clock-strip')].map(s => new DOMMatrix("
                          "getComputedStyle(s, '::before').transform).m42 / parseFloat(getComputedStyle(s).fontSize))")
    assert "." + "".join(str(round(-y)) for y in shown) in (seconds, page.text_content(".clock-s")), (shown, seconds)
    # They step on their own (animations of transform, the compositor's work): a tick writes no style.
    running = page.evaluate("() => [...document.querySelectorAll('.clock-strip')].map(s => s.getAnimations("
                            "{subtree: true}).filter(a => a.playState === 'running').length)")
    assert running == [1, 1], running
    # Four seconds' ticks: at most one layout (the minute may turn meanwhile); a text change is one each.
    assert after - before <= 1, (before, after)
    fired = page.evaluate("() => window.__fired.map(f => f.name)")
    assert 3 <= fired.count("wake") <= 6, fired  # once a second, due at the second (not a 250 ms poll)
