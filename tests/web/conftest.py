"""Helpers for the wall's browser tests: write a reading the way a collector does."""

from __future__ import annotations

from datetime import UTC, datetime

from wallboard.sources.base import Batch, Reading
from wallboard.store import Run, Store


def write_reading(db_url: str, indicator: str, value: float, ts: int | None = None, region: str = "12.75") -> None:
    """Commit one reading and record a collector run, which moves the data version the hub watches."""
    store = Store.open(db_url)
    try:
        now = datetime.now(UTC)
        # A second ahead of the demo source's readings, so an aggregate "last" shows this value.
        stamp = ts if ts is not None else int(now.timestamp()) + 1
        store.write("simulasi", Batch(readings=[Reading(indicator, region, stamp, value)]))
        store.record_run(Run("simulasi", now, now, True, 1, 0, None))
    finally:
        store.close()
