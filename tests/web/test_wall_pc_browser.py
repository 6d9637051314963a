"""What the wall costs the browser of a wall PC (issue 23): timers only when they have work.

Counts, not timings: which timers the wall's own scripts set, read through an init script that
wraps ``setTimeout``/``setInterval`` before any page script runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import demo_config

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
