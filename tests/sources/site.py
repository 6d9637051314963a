"""A collector for a site other than the usual test city, with the indicators the period tests use."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.walls import DemoWall
from wallboard.collector import Collector
from wallboard.config import parse_config
from wallboard.store import Store

INDICATORS = """
  - {id: kejadian_bencana, label: Jumlah kejadian bencana, unit: kejadian}
  - {id: kasus_dbd, label: Kasus DBD, unit: kasus}
  - {id: penduduk, label: Jumlah penduduk, unit: jiwa}
  - {id: luas_wilayah, label: Luas wilayah, unit: km2, aggregate: sum}
"""


SCREENS = """
  - id: utama
    grid: {columns: 2, rows: 1}
    panels:
      - {id: dbd, type: trend, indicators: [kasus_dbd], window: 90d, at: [0, 0]}
"""


def site_config(db_url: str, site: str, sources: str, every: str = "1h") -> str:
    """A site whose region is ``site`` with the given ``sources:`` list, built by ``tests/walls.py``."""
    wall = DemoWall(site=", timezone: Asia/Jakarta", region=site, database=f'"{db_url}"', sources=sources,
                    indicators=INDICATORS.strip("\n"))
    return wall.format(screens=SCREENS)


def site_collector(db_url: str, site: str, sources: str, base: Path, **kw) -> tuple[Collector, Store, object]:
    config = parse_config(site_config(db_url, site, sources), base=base).config
    store = Store.open(db_url)
    store.sync_indicators(config.indicators)
    return Collector(store, config, base, **kw), store, config


def stored(store: Store, indicator: str) -> dict[tuple[str, int], tuple[float, str | None]]:
    """Every reading of one indicator: (region, ts) -> (value, period); a moment's period is None
    (stored as '', the period being part of the key)."""
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            f"SELECT region, ts, value, NULLIF(period, '') FROM readings WHERE indicator = '{indicator}'"
        )
        return {(r[0], int(r[1])): (float(r[2]), r[3]) for r in rows}


def write_csv(path: Path, header: list[str], rows: list[list[object]], delimiter: str = ",") -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8")
