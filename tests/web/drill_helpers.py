"""Helpers for the drill page tests: a wall config on real boundary fixtures, readings, table parsing."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

from babel.numbers import parse_decimal

from wallboard.records import Batch, Event, Reading
from wallboard.store import Run, Store

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "regions"
HOUR = 3600


def drill_config(db_url: str, region: str, boundaries: bool = True, locale: str = "id") -> str:
    """A wall with drillable panels of every kind; boundary files from tests/fixtures/regions."""
    regions = (
        f'regions: {{kecamatan: "{FIXTURES / f"{region}-kecamatan.geojson"}", '
        f'desa: "{FIXTURES / f"{region}-desa.geojson"}"}}'
        if boundaries else ""
    )
    return f"""
site: {{name: Uji Drill, region: "{region}", timezone: Asia/Jakarta, locale: {locale}}}
database: {{url: "{db_url}"}}
{regions}
sources:
  - {{id: simulasi, type: demo, every: 1h, backfill: 1d, indicators: [pengaduan_terbuka]}}
  - {{id: lapor, type: demo, every: 1h, events: true, indicators: [pengaduan_terbuka]}}
indicators:
  - {{id: pengaduan_terbuka, label: Pengaduan terbuka, unit: laporan, owner: Diskominfo,
     thresholds: {{warning: 40, critical: 80}}, target: 30}}
  - {{id: harga_beras, label: Harga beras, unit: IDR/kg, owner: Disperindag, aggregate: mean,
     thresholds: {{warning: 14000, critical: 15500, per_region: true}}, decimals: 0, target: 13500}}
screens:
  - id: utama
    grid: {{columns: 4, rows: 2}}
    panels:
      - {{id: pengaduan, type: kpi, indicator: pengaduan_terbuka, at: [0, 0], size: [2, 1], drill: true}}
      - {{id: beras, type: kpi, indicator: harga_beras, at: [2, 0], size: [1, 1], drill: true}}
      - {{id: diam, type: kpi, indicator: harga_beras, at: [3, 0], size: [1, 1]}}
      - {{id: laporan, type: events, source: lapor, at: [0, 1], size: [4, 1], drill: true}}
"""


def seed(db_url: str, region: str, now: datetime) -> None:
    """Prices per kecamatan for the last three days (one kecamatan left without), plus events.

    Kecamatan i reads 13,000 + 500*i, so the first ones are normal and the last ones critical; in
    the first kecamatan every desa but the last has a price of its own.
    """
    from wallboard import regions

    store = Store.open(db_url)
    try:
        kecamatan = list(regions.kecamatan(region))
        end = int(now.timestamp()) // HOUR * HOUR
        readings = []
        for i, k in enumerate(kecamatan[:-1]):
            for h in range(72):
                readings.append(Reading("harga_beras", k.code, end - h * HOUR, 13000.0 + 500 * i + (h % 3) * 10.25))
        desa = list(regions.desa(region))
        first = [d for d in desa if d.code.startswith(kecamatan[0].code + ".")]
        for j, d in enumerate(first[:-1]):
            readings.append(Reading("harga_beras", d.code, end - HOUR, 12500.0 + 37.5 * j))
        store.write("harga", Batch(readings=readings))
        t0 = now.astimezone(UTC)
        events = [
            Event("E-1", t0 - timedelta(hours=2), "baru", "Jalan berlubang", "Infrastruktur", kecamatan[0].code,
                  "Lubang besar di depan sekolah"),
            Event("E-2", t0 - timedelta(hours=30), "proses", "Sampah menumpuk", "Kebersihan", first[0].code),
            Event("E-3", t0 - timedelta(days=3), "selesai", "Lampu padam", "Penerangan", kecamatan[1].code),
            Event("E-4", t0 - timedelta(days=60), "baru", "Laporan lama", "Infrastruktur", kecamatan[1].code),
        ]
        store.write("lapor", Batch(events=events), now=t0)
        store.record_run(Run("lapor", t0, t0, True, 4, 0, None))
        store.record_run(Run("simulasi", t0 - timedelta(minutes=5), t0 - timedelta(minutes=5), False, 0, 0,
                             "HTTP 503 dari server OPD"))
    finally:
        store.close()


class _Tables(HTMLParser):
    """Rows of the table with a given id: lists of cell texts, header first."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.depth, self.rows, self.cell = table_id, 0, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.depth = 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(self.cell.strip())
            self.cell = None
        elif tag == "table":
            self.depth = 0

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def table_rows(html: str, table_id: str = "drill-table") -> list[list[str]]:
    parser = _Tables(table_id)
    parser.feed(html)
    return parser.rows


def csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_rows(body: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(body))
    return [list(r) for r in book.active.iter_rows(values_only=True)]


def same_as_screen(screen: list[list[str]], exported: list[list[object]], numeric: set[int], locale: str) -> None:
    """Every exported cell equals the on-screen cell: numbers read back from the Indonesian text."""
    assert len(screen) == len(exported), (len(screen), len(exported))
    assert screen[0] == [str(h) for h in exported[0]]
    for shown, row in zip(screen[1:], exported[1:], strict=True):
        for i, (text, value) in enumerate(zip(shown, row, strict=True)):
            if i in numeric and text != "–":
                assert float(parse_decimal(text, locale=locale)) == float(value), (i, text, value)
            elif text == "–":
                assert value in (None, ""), (i, text, value)
            else:
                assert text == str(value), (i, text, value)
