"""Drill charts tell the same story as the wall (issue 21, item 4), in Chromium: a history of one
hour draws its points with an axis of whole hours, in Indonesian (Plotly's ``id`` locale, shipped,
no CDN); the map has a legend of fixed bins."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.web.drill_helpers import drill_config
from wallboard import regions
from wallboard.records import Batch, Reading
from wallboard.store import Run, Store

pytestmark = pytest.mark.browser
MONTHS_ID = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def test_one_hour_of_history_draws_points_in_indonesian(tmp_path: Path, wall_server, page_at) -> None:
    url = f"sqlite:///{tmp_path / 'drill.db'}"
    now = datetime.now(UTC)
    store = Store.open(url)
    try:  # one reading per kecamatan, all in the same hour: the history has a single point
        stamp = int(now.timestamp()) - 600
        store.write("harga", Batch(readings=[Reading("harga_beras", k.code, stamp, 13000.0 + 900 * i)
                                             for i, k in enumerate(regions.kecamatan("12.75"))]))
        store.record_run(Run("harga", now, now, True, 5, 0, None))
    finally:
        store.close()
    server = wall_server(drill_config(url, "12.75"))
    page = page_at(1280, 800)
    page.goto(server.url + "/panel/beras")
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_function("() => [...document.querySelectorAll('[data-figure]')].every(e => e.dataset.drawn)")
    history = page.evaluate("""() => { const gd = document.getElementById('history');
      return {modes: gd.data.map(t => t.mode), n: gd.data.map(t => t.x.length),
              ticks: [...gd.querySelectorAll('.xtick text')].map(t => t.textContent),
              locale: gd._context.locale}; }""")
    assert any("markers" in m for m in history["modes"]), history
    assert history["ticks"] and not any(".999" in t or ":59:59" in t for t in history["ticks"]), history
    assert history["locale"] == "id"
    text = " ".join(history["ticks"])
    month = datetime.now().month - 1
    assert MONTHS_ID[month] in text and (MONTHS_ID[month] == MONTHS_EN[month] or MONTHS_EN[month] not in text)
    assert "," not in text  # "2 Des 2026", not "Des 2, 2026"
    ys = page.evaluate("() => [...document.querySelectorAll('#history .ytick text')].map(t => t.textContent)")
    assert not any(t.endswith("k") for t in ys), ys  # 15.500, not 15,5k
    legend = page.evaluate("""() => [...document.querySelectorAll('#map .legendtext')].map(t => t.textContent)""")
    # fixed bins from the indicator's levels (per kecamatan here), never stretched over the data
    assert legend == ["NORMAL < 14.000", "WASPADA ≥ 14.000", "KRITIS ≥ 15.500"], legend
    page.screenshot(path=str(tmp_path / "drill-one-hour.png"), full_page=True)
