"""Adopting regions end to end: `init`, `validate`, `collect --once`, and the wall in Chromium in both
languages, for 33.08 (21 kecamatan, 372 desa/kelurahan), 12.75 (5, 37) and regions in WIB, WITA, WIT.

Boundaries come from a local HTTP server: 33.08 as SQL in wilayah_boundaries' own format (the
default source's layout, via ``--from`` a mirror), 12.75 as GeoJSON; Makassar and Jayapura have
no boundary files, so their init meets a refused connection and keeps the tile map.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
from pathlib import Path

import pytest

from tests.boundary_server import FIXTURES, serve, write_mirror
from tests.conftest import WallServer, free_port
from tests.test_init import wallboard
from tests.web.i18n_words import indonesian_words, words
from wallboard import regions

TEXT_JS = """() => {
  // Every text node of the page, the hidden banner included; event titles and places come from the
  // work units' systems (here the simulator, in Indonesian), so they are not the page's own words.
  const out = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const el = node.parentElement;
    if (!el || el.closest('script, style, .ev-title, .ev-meta')) continue;
    out.push(node.textContent);
  }
  return out.join(' ');
}"""
READY_JS = """() => {
  const ps = [...document.querySelectorAll('[data-panel]')];
  const ready = id => { const p = document.querySelector(`[data-panel=${id}]`);
                        return p && ['ok', 'warning', 'critical'].includes(p.dataset.state); };
  return ps.length === 11 && ['cabai', 'peta-dbd', 'status', 'pengaduan', 'jam'].every(ready);
}"""
DAYS = {"id": ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"],
        "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]}


def refused() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/{{code}}-{{level}}.geojson"


@pytest.fixture(scope="module")
def boundary_url(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("mirror")
    write_mirror(root, "33.08")
    (root / "geo").mkdir()
    for f in FIXTURES.glob("12.75-*.geojson"):
        shutil.copy(f, root / "geo" / f.name)
    with serve(root) as url:
        yield url


def data_words(wall: Path, code: str) -> set[str]:
    """Words the page shows from config.yaml (units, owners, ticker text) and region names."""
    config = "\n".join(line.split(" #")[0] for line in (wall / "config.yaml").read_text().splitlines()
                       if not line.lstrip().startswith("#"))
    names = " ".join(r.name for r in (*regions.kecamatan(code), *regions.desa(code))) + " " + regions.name(code)
    return words(re.sub(r"[{}]", " ", config)) | words(names)  # (words() drops {placeholders})


def open_wall(page, server: WallServer, errors: list[str]) -> None:
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url + "/wall/utama")
    page.wait_for_function(READY_JS, timeout=30_000)
    graphs = "[...document.querySelectorAll('.js-plotly-plot')]"
    page.wait_for_function(f"() => {graphs}.length >= 1 && {graphs}.every(g => g._fullLayout)", timeout=15_000)


def map_areas(page, has_boundaries: bool) -> int:
    if has_boundaries:
        graph = "document.querySelector('[data-panel=peta-dbd] .js-plotly-plot')"
        page.wait_for_function(f"() => {graph} && {graph}._fullLayout && {graph}.data.length > 1", timeout=15_000)
        return page.evaluate(f"() => {graph}.data.filter(t => t.fill === 'toself').length")
    return page.eval_on_selector_all("[data-panel=peta-dbd] .map-tile:not(.map-tile-empty)", "els => els.length")


@pytest.mark.browser
@pytest.mark.parametrize(("code", "kecamatan", "desa", "zone", "source"), [
    ("33.08", 21, 372, "WIB", "sql"),
    ("12.75", 5, 37, "WIB", "geojson"),
    ("73.71", 15, 153, "WITA", None),
    ("91.71", 5, 39, "WIT", None),
])
def test_an_adopted_region_runs_in_both_languages(tmp_path: Path, page_at, boundary_url: str, code: str,
                                                   kecamatan: int, desa: int, zone: str, source: str | None) -> None:
    assert (len(regions.kecamatan(code)), len(regions.desa(code))) == (kecamatan, desa)
    wall = tmp_path / code
    template = {"sql": boundary_url + "/db", "geojson": boundary_url + "/geo/{code}-{level}.geojson"}.get(
        source, refused())
    made = wallboard("init", "--region", code, "--dir", str(wall), "--from", template, "--no-bmkg")
    assert made.returncode == 0, made.stderr
    assert ("boundaries not downloaded" in made.stderr) == (source is None)

    validated = wallboard("validate", cwd=wall)
    assert validated.returncode == 0 and "3 sources" in validated.stdout, validated.stderr
    collected = wallboard("collect", "--once", cwd=wall)
    assert collected.returncode == 0, collected.stdout
    rows = {line.split()[0]: line.split() for line in collected.stdout.splitlines()[1:-1]}
    assert int(rows["harga_pangan"][3]) == 28 and int(rows["kasus_dbd"][3]) == 2 * kecamatan

    config_path = wall / "config.yaml"
    shots = os.environ.get("WALLBOARD_SHOTS")
    banned = indonesian_words() - data_words(wall, code)
    for locale in ("id", "en"):
        text = config_path.read_text(encoding="utf-8")
        config_path.write_text(re.sub(r"\n  locale: \w+\n", f"\n  locale: {locale}\n", text), encoding="utf-8")
        server = WallServer(config_path, free_port()).start()
        try:
            page = page_at(1920, 1080)
            errors: list[str] = []
            open_wall(page, server, errors)
            assert errors == []
            assert map_areas(page, source is not None) == kecamatan
            clock = page.text_content("[data-panel=jam]")
            assert page.text_content("[data-panel=jam] .clock-zone") == zone
            assert any(day in clock for day in DAYS[locale])
            assert page.text_content("[data-panel=cabai] .kpi-prefix") == "Rp"
            page_text = page.evaluate(TEXT_JS)
            if locale == "id":
                assert "Sumber data" in page_text and "Laporan terbaru" in page_text
                assert page_text.count("BERHASIL") == 3  # the three sources' rows, in Indonesian
            else:
                assert "Data sources" in page_text and "Latest events" in page_text and "Red chilli price" in page_text
                texts = [page_text]
                for path, selector in (("/", "main.home"), ("/wall/nope", "main h1")):  # the 404 page
                    other = page_at(1920, 1080)
                    other.goto(server.url + path)
                    other.wait_for_selector(selector, timeout=15_000)
                    texts.append(other.evaluate(TEXT_JS))
                found = sorted(banned & words(" ".join(texts)))
                where = [m.group() for w in found for m in re.finditer(rf".{{0,40}}\b{w}\b.{{0,40}}", " ".join(texts),
                                                                       re.IGNORECASE)]
                assert found == [], f"Indonesian catalogue words on the English pages: {found} in {where[:3]}"
            if shots:
                page.screenshot(path=str(Path(shots) / f"init-{code}-{locale}.png"))
        finally:
            server.stop()
