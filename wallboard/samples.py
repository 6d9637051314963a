"""Sample work-unit exports for a region: what an adopter replaces with the real files.

An adopter's first question is "how do our offices' spreadsheets get onto the wall?". So a new wall
reads real files from day one, written the way Indonesian offices write them: a ``;``-separated CSV
with ``27/11/2026`` dates and ``Rp 45.250`` prices (Disperindag's market survey) and an ``.xlsx``
with date cells and kecamatan *names*, not codes (Dinas Kesehatan's weekly dengue report). The
config that reads them (``SOURCES_YAML``) is the same for every region, so the README can say
exactly which column to keep when the real export replaces a sample.
"""

from __future__ import annotations

import csv
import os
import random
import time
from datetime import date, timedelta
from pathlib import Path

from wallboard import regions

PRICES_CSV = "disperindag_harga_pangan.csv"
DENGUE_XLSX = "dinkes_kasus_dbd.xlsx"
# Commodity as the market survey names it -> indicator id, and a typical price in rupiah.
COMMODITIES = {"Cabai Merah Keriting": ("harga_cabai", 45_000), "Minyak Goreng Curah": ("harga_minyak", 17_500)}
SETTLED_AGO = 60  # seconds: a sample must not look like a file still being written (sources' settle)


def rupiah(value: int) -> str:
    """``Rp 45.250``: dots between thousands, as the offices type it."""
    return "Rp " + f"{value:,}".replace(",", ".")


def write_prices_csv(path: Path, today: date, seed: int, days: int = 14) -> Path:
    rng = random.Random(seed)
    rows = []
    for back in range(days - 1, -1, -1):
        day = today - timedelta(days=back)
        for name, (_, base) in COMMODITIES.items():
            price = int(round(base * (1 + rng.uniform(-0.08, 0.08)) / 250) * 250)
            rows.append([day.strftime("%d/%m/%Y"), name, rupiah(price)])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Tanggal", "Komoditas", "Harga"])
        writer.writerows(rows)
    return path


def write_dengue_xlsx(path: Path, code: str, today: date, seed: int) -> Path:
    from openpyxl import Workbook

    rng = random.Random(seed)
    book = Workbook()
    sheet = book.active
    sheet.title = "Kasus DBD"
    sheet.append(["Minggu", "Kecamatan", "Kasus DBD"])
    monday = today - timedelta(days=today.weekday())
    for back in (1, 0):
        week = monday - timedelta(weeks=back)
        for kecamatan in regions.kecamatan(code):
            sheet.append([week, kecamatan.name, rng.randint(0, 12)])
            sheet.cell(sheet.max_row, 1).number_format = "DD/MM/YYYY"
    book.save(path)
    return path


def write_samples(folder: Path, code: str, today: date | None = None) -> list[Path]:
    """Both sample exports in ``folder``, dated up to ``today``, each readable by its source at once."""
    today = today or date.today()
    folder.mkdir(parents=True, exist_ok=True)
    seed = int(code.replace(".", ""))
    written = [write_prices_csv(folder / PRICES_CSV, today, seed),
               write_dengue_xlsx(folder / DENGUE_XLSX, code, today, seed)]
    past = time.time() - SETTLED_AGO
    for path in written:
        os.utime(path, (past, past))
    return written


SOURCES_YAML = f"""\
  # Contoh ekspor dinas (data/): ganti dengan berkas asli, lihat README.md.
  - id: harga_pangan
    type: csv
    path: data/{PRICES_CSV}
    every: 1h
    columns: {{time: Tanggal, indicator: Komoditas, value: Harga}}
    indicators: {{Cabai Merah Keriting: harga_cabai, Minyak Goreng Curah: harga_minyak}}
  - id: kasus_dbd
    type: excel
    path: data/{DENGUE_XLSX}
    every: 1h
    indicator: kasus_dbd
    columns: {{time: Minggu, region: Kecamatan, value: Kasus DBD}}
"""

INDICATORS_YAML = """\
  - id: harga_cabai
    label: {{id: Harga cabai merah keriting, en: Red chilli price}}
    unit: IDR/kg
    format: currency
    owner: Disperindag
    aggregate: mean
    thresholds: {{warning: 55000, critical: 70000}}
    stale_after: {price_stale}
  - id: harga_minyak
    label: {{id: Harga minyak goreng curah, en: Bulk cooking oil price}}
    unit: IDR/liter
    format: currency
    owner: Disperindag
    aggregate: mean
    stale_after: {price_stale}
  - id: kasus_dbd
    label: {{id: Kasus DBD minggu ini, en: Dengue cases this week}}
    unit: kasus
    owner: Dinas Kesehatan
    aggregate: sum
    stale_after: {dengue_stale}
"""
