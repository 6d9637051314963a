"""Running one source once: fetch, write, record the run. Nothing a source does escapes this.

A failed run is recorded with a one-line reason and writes nothing, so what is stored stays as it
was; valid rows of a partly bad batch are written together in one transaction and the rejects are
counted. The collector never knows which panels show what it writes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from wallboard.sources import source_types
from wallboard.sources.base import Source, SourceContext
from wallboard.store import Run, Store

log = logging.getLogger(__name__)


def one_line(exc: BaseException) -> str:
    """The reason shown on the wall and in `wallboard collect`: short, one line, no traceback."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


class Collector:
    def __init__(self, store: Store, config: Any, base_dir: Any, on_run: Callable[[Run], None] | None = None):
        self.store = store
        self.base_dir = base_dir
        self.on_run = on_run
        self._instances: dict[str, tuple[Any, Source]] = {}
        self._lock = threading.Lock()
        self.configure(config)

    def configure(self, config: Any) -> None:
        """Take a new config; sources whose settings did not change keep their state."""
        with self._lock:
            self.config = config
            self.context = SourceContext(config.site, {i.id: i for i in config.indicators}, self.base_dir)
            keep = {s.id for s in config.sources}
            self._instances = {k: v for k, v in self._instances.items() if k in keep}

    def _source(self, source_id: str) -> Source:
        with self._lock:
            config = self.config.source(source_id)
            cached = self._instances.get(source_id)
            if cached is None or cached[0] != config:
                cached = (config, source_types()[config.type](config, self.context))
                self._instances[source_id] = cached
            return cached[1]

    def run(self, source_id: str, now: datetime | None = None) -> Run:
        """Run one source once. ``ok`` means data arrived; ``error`` also notes rejected records."""
        started = datetime.now(UTC)
        rows = rejected = 0
        try:
            batch = self._source(source_id).fetch(now or started)
            rejected = batch.rejected
            if batch.rows == 0:
                ok, error = False, "; ".join(batch.reasons) or "source returned no records"
            else:
                rows = self.store.write(source_id, batch)
                ok = True
                error = f"{rejected} record(s) rejected: " + "; ".join(batch.reasons) if rejected else None
        except Exception as exc:  # noqa: BLE001 - any fault of a source is contained here
            log.warning("source %s failed: %s", source_id, one_line(exc))
            ok, error = False, one_line(exc)
        run = Run(source_id, started, datetime.now(UTC), ok, rows, rejected, error)
        try:
            self.store.record_run(run)
        except Exception as exc:  # noqa: BLE001 - the store may be locked or down; try next time
            log.error("could not record run of %s: %s", source_id, one_line(exc))
        if self.on_run is not None:
            self.on_run(run)
        return run
