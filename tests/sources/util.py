"""Helpers for source and collector tests: a config around some sources, a collector on a store."""

from __future__ import annotations

import os
import time
from pathlib import Path

from tests.walls import DemoWall
from wallboard.collector import Collector
from wallboard.config import parse_config
from wallboard.store import Store

INDICATORS = """
  - {id: izin_terbit, label: Izin terbit, unit: izin}
  - {id: harga_beras, label: {id: Harga beras medium, en: Medium rice price}, unit: IDR/kg, aggregate: mean}
  - {id: harga_cabai, label: Harga cabai merah, unit: IDR/kg, aggregate: mean}
  - {id: realisasi_pad, label: Realisasi PAD, unit: IDR}
  - {id: pengaduan_terbuka, label: Pengaduan terbuka, unit: laporan, stale_after: 2m}
"""


SCREENS = """
  - id: utama
    grid: {columns: 2, rows: 1}
    panels:
      - {id: izin, type: kpi, indicator: izin_terbit, at: [0, 0]}
"""


def config_text(db_url: str, sources: str, retention: str = "400d") -> str:
    """The test city (12.75) with the given ``sources:`` list, built by the shared ``tests/walls.py``."""
    wall = DemoWall(site=", timezone: Asia/Jakarta", database=f'"{db_url}"', store=f", retention: {retention}",
                    sources=sources, indicators=INDICATORS.strip("\n"))
    return wall.format(screens=SCREENS)


def make_collector(db_url: str, sources: str, base: Path, **kw) -> tuple[Collector, Store]:
    config = parse_config(config_text(db_url, sources, **kw), base=base).config
    store = Store.open(db_url)
    return Collector(store, config, base), store


def settle(path: Path, seconds: float = 60) -> None:
    """Make a just-written file look finished (modified a minute ago) without sleeping."""
    past = time.time() - seconds
    os.utime(path, (past, past))


def snapshot(store: Store) -> tuple:
    """Everything stored that a failed run must leave alone."""
    with store.engine.connect() as conn:
        return tuple(
            tuple(sorted(tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM {table}")))
            for table in ("readings", "latest", "rollup_hour", "rollup_day")
        ) + (tuple(sorted((e.ref, e.status, e.title) for e in store.events("lapor", 1000))),)
