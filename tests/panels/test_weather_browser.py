"""The weather panel in headless Chromium at 1080p and 4K: BMKG's forecast, shipped icons, gaps shown.

The forecasts come through the real bmkg_cuaca source from the stand-in's samples, moved to start at
the current 3-hour step (the samples are for 2 December 2026), into a wall served with
``--no-collect`` so nothing else writes. Screenshots go to $WALLBOARD_SHOTS when set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.bmkg_standin import bmkg_standin
from tests.conftest import WallServer, free_port
from tests.panels.test_panels_browser import OVERFLOW_JS
from tests.walls import DemoWall
from wallboard.collector import Collector
from wallboard.config import parse_config
from wallboard.records import Batch
from wallboard.sources.bmkg_client import SHARED
from wallboard.store import Store, schema

pytestmark = pytest.mark.browser
SAMPLE_START = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)
PANELS = """\
      - {id: cuaca-kab, type: weather, source: cuaca, at: [0, 0], size: [12, 3]}
      - {id: cuaca-borobudur, type: weather, source: cuaca, region: "33.08.02", at: [0, 3], size: [8, 2]}
      - {id: cuaca-kecil, type: weather, source: cuaca, region: "33.08.01", hours: 12, at: [8, 3], size: [4, 2]}"""


@pytest.fixture(scope="module")
def wall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WallServer]:
    folder = tmp_path_factory.mktemp("cuaca")
    SHARED.forget()
    with bmkg_standin() as standin:
        desa = '{"33.08.01": "33.08.01.2001", "33.08.02": "33.08.02.2001", "33.08.03": "33.08.03.2099"}'
        sources = f'  - {{id: cuaca, type: bmkg_cuaca, base_url: "{standin.url}", desa: {desa}}}'
        text = DemoWall(region="33.08", database=f'"sqlite:///{folder / "w.db"}"', sources=sources,
                        grid="{columns: 12, rows: 5}").format(panels=PANELS)
        (folder / "config.yaml").write_text(text, encoding="utf-8")
        config = parse_config(text, base=folder).config
        store = Store.open(f"sqlite:///{folder / 'w.db'}")
        run = Collector(store, config, folder).run("cuaca")
        assert run.ok, run.error
    now = datetime.now(UTC)
    shift = now.replace(hour=now.hour // 3 * 3, minute=0, second=0, microsecond=0) - SAMPLE_START
    far = SAMPLE_START + timedelta(days=4)
    moved = [replace(f, valid=f.valid + shift, issued=f.issued + shift)
             for f in store.forecasts("cuaca", SAMPLE_START, far)]
    with store.engine.begin() as conn:  # only the moved copy: the sample's own days may be today
        conn.execute(schema.forecasts.delete())
    store.write("cuaca", Batch(forecasts=moved))
    store.close()
    server = WallServer(folder / "config.yaml", free_port(), args=("--no-collect",)).start()
    yield server
    server.stop()


STEPS_JS = """(panel) => [...document.querySelectorAll(`[data-panel=${panel}] .wx-step`)]
  .filter(s => s.style.visibility !== 'hidden')
  .map(s => { const img = s.querySelector('img');
              return {time: s.querySelector('.wx-time').textContent,
                      temp: s.querySelector('.wx-temp').textContent,
                      rain: s.querySelector('.wx-rain').textContent,
                      alt: img.alt, src: img.src.slice(0, 26),
                      icon: img.style.visibility !== 'hidden' && img.getBoundingClientRect().height}; })"""


def steps(page, panel: str) -> list[dict]:
    return page.evaluate(STEPS_JS, panel)


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (3840, 2160)])
def test_the_weather_panel_shows_the_next_day_with_shipped_icons_and_gaps(wall, page_at, width, height) -> None:
    page = page_at(width, height)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: errors.append(r.url) if not r.url.startswith(wall.url) and
            not r.url.startswith("data:") else None)
    page.goto(wall.url + "/wall/utama")
    page.wait_for_function("() => ['cuaca-kab', 'cuaca-borobudur', 'cuaca-kecil'].every(id => "
                           "document.querySelector(`[data-panel=${id}]`)?.dataset.state === 'ok')", timeout=30_000)
    site = steps(page, "cuaca-kab")
    assert len(site) == 9  # the step under way and the next 24 hours
    assert all(s["src"] == "data:image/svg+xml;base64," and s["alt"] and s["icon"] > 0 for s in site), site
    # The sample's first steps: 22 and 24 degrees in Salaman and Borobudur alike; the site's mean.
    assert [s["temp"] for s in site[:2]] == ["22°C", "24°C"] and site[0]["alt"] == "Cerah Berawan"
    assert site[5]["alt"] == "Hujan Petir" and site[5]["rain"] == "12,4 mm"  # the afternoon storm
    note = page.text_content("[data-panel=cuaca-kab] .panel-note")
    assert "Tanpa prakiraan: Ngluwar" in note  # its desa is unknown to BMKG; the rest shown
    borobudur = steps(page, "cuaca-borobudur")
    assert [s["temp"] for s in borobudur[2:4]] == ["–", "–"] and not borobudur[2]["icon"]  # BMKG's missing steps
    assert borobudur[4]["temp"] == "27°C"
    assert len(steps(page, "cuaca-kecil")) == 5  # 12 hours in a narrow panel: what fits
    assert page.evaluate(OVERFLOW_JS) == []
    smallest = page.evaluate("""() => Math.min(...[...document.querySelectorAll('[data-panel] .wx-step *')]
      .filter(e => e.textContent.trim() && getComputedStyle(e).display !== 'none' && !e.children.length)
      .map(e => parseFloat(getComputedStyle(e).fontSize)))""")
    assert smallest >= 0.016 * height
    assert errors == []
    shots = os.environ.get("WALLBOARD_SHOTS")
    if shots:
        page.screenshot(path=str(Path(shots) / f"weather-{width}x{height}.png"))
