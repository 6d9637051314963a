"""Build panels and snapshots by hand, so each panel's view can be tested without a server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from wallboard.config.loader import parse_config
from wallboard.indicators import IndicatorValue
from wallboard.panels import panel_types
from wallboard.panels.base import Panel, WallContext
from wallboard.snapshot import Snapshot
from wallboard.store import Run, SourceStatus

NOW = datetime(2026, 11, 27, 11, 0, tzinfo=UTC)  # Jumat 18.00 WIB

CONFIG = """
site: {{name: Uji, region: "12.75", timezone: Asia/Jakarta, locale: {locale}, theme: dark}}
database: {{url: "sqlite://"}}
{regions}
sources:
  - {{id: simulasi, type: demo, every: 10s, events: true, indicators: [pengaduan, sla, pad, air, beras]}}
  - {{id: lapor, type: demo, every: 1m, indicators: [pengaduan]}}
indicators:
  - {{id: pengaduan, label: Pengaduan terbuka, unit: laporan, thresholds: {{warning: 40, critical: 80}},
     stale_after: 2m}}
  - {{id: sla, label: SLA, unit: "%", aggregate: mean, direction: down, thresholds: {{warning: 85, critical: 70}}}}
  - {{id: pad, label: Realisasi PAD, unit: IDR, format: currency, target: 185000000000}}
  - {{id: air, label: Tinggi muka air, unit: cm, aggregate: last, thresholds: {{warning: 250, critical: 320}}}}
  - {{id: beras, label: Harga beras, unit: IDR/kg, format: currency, aggregate: mean}}
screens:
  - id: utama
    grid: {{columns: 12, rows: 8}}
    panels:
{panels}
"""


def wall(panels: str, locale: str = "id", regions: str = "", base: Path | None = None) -> tuple[Any, list[Panel]]:
    text = CONFIG.format(locale=locale, regions=regions, panels=panels)
    config = parse_config(text, base=base or Path.cwd()).config
    screen = config.screens[0]
    ctx = WallContext(config, screen, base)
    types = panel_types()
    return config, [types[p.type](p, ctx) for p in screen.all_panels()]


def value(indicator: str, v: float | None, age: timedelta = timedelta(seconds=5), previous: float | None = None,
          by_region: dict[str, float] | None = None) -> IndicatorValue:
    return IndicatorValue(indicator, v, previous, None if v is None else NOW - age, by_region or {})


def snap(indicators: dict[str, IndicatorValue] | None = None, series=None, events=None, sources=None,
         now: datetime = NOW) -> Snapshot:
    return Snapshot(now, 1, indicators or {}, series or {}, events or {}, sources or {})


def run(source: str, ok: bool, ago: timedelta, error: str | None = None, rows: int = 10) -> Run:
    return Run(source, NOW - ago, NOW - ago, ok, rows, 0, error)


def status(source: str, last: Run | None, last_success_ago: timedelta | None,
           error: str | None = None) -> SourceStatus:
    success = NOW - last_success_ago if last_success_ago is not None else None
    return SourceStatus(source, last, success, error, last.finished if last and not last.ok else None)


def write(db_url: str, source: str, readings=(), events=()) -> None:
    """Commit readings/events as a collector would, then record a run so the hub rebuilds."""
    from wallboard.records import Batch
    from wallboard.store import Store

    store = Store.open(db_url)
    try:
        now = datetime.now(UTC)
        store.write(source, Batch(readings=list(readings), events=list(events)))
        store.record_run(Run(source, now, now, True, len(readings) + len(events), 0, None))
    finally:
        store.close()
