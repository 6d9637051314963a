"""Running one source once: fetch, write, record the run. Nothing a source does escapes this.

A failed run is recorded with a one-line reason and writes nothing, so what is stored stays as it
was; valid rows of a partly bad batch are written together in one transaction and the rejects are
counted. Runs of one source never overlap (a lock per source), and every reason passes through
``secrets.redact`` so no ``${VAR}`` value reaches the wall or the log. The collector never knows
which panels show what it writes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from wallboard.combine import aggregates, check_totals, combine
from wallboard.reasons import one_line
from wallboard.records import Batch
from wallboard.sources import source_types
from wallboard.sources.base import Deadline, Source, SourceContext, SourceError
from wallboard.store import Run, Store

log = logging.getLogger(__name__)

# Given the source's config, its consecutive failures and the time: when to try again, or None.
RetryPolicy = Callable[[Any, int, datetime], datetime | None]


class Collector:
    def __init__(
        self,
        store: Store,
        config: Any,
        base_dir: Any,
        on_run: Callable[[Run], None] | None = None,
        retry_policy: RetryPolicy | None = None,
        wait_for_files: float = 0.0,
    ):
        self.store = store
        self.base_dir = base_dir
        self.on_run = on_run
        self.retry_policy = retry_policy
        self.wait_for_files = wait_for_files
        self._instances: dict[str, tuple[Any, Source]] = {}
        self._lock = threading.Lock()
        self._running: dict[str, threading.Lock] = {}
        self._failures: dict[str, int] = {}
        self.configure(config)

    def configure(self, config: Any) -> None:
        """Take a new config; sources whose settings did not change keep their state."""
        with self._lock:
            self.config = config
            self.context = SourceContext(config.site, {i.id: i for i in config.indicators}, self.base_dir,
                                         self.wait_for_files, config.database.retention)
            keep = {s.id: s for s in config.sources}
            for source_id, (old, instance) in list(self._instances.items()):
                if keep.get(source_id) != old:
                    _close(instance)
                    del self._instances[source_id]

    def _source(self, source_id: str) -> Source:
        with self._lock:
            config = self.config.source(source_id)
            cached = self._instances.get(source_id)
            if cached is None or cached[0] != config:
                if cached is not None:
                    _close(cached[1])
                cached = (config, source_types()[config.type](config, self.context))
                self._instances[source_id] = cached
            return cached[1]

    def _run_lock(self, source_id: str) -> threading.Lock:
        with self._lock:
            return self._running.setdefault(source_id, threading.Lock())

    def try_run(self, source_id: str, now: datetime | None = None) -> Run | None:
        """Run unless a run of this source is already going (then None): what the scheduler calls."""
        lock = self._run_lock(source_id)
        if not lock.acquire(blocking=False):
            log.info("source %s is still running; this run is skipped", source_id)
            return None
        try:
            return self._run(source_id, now)
        finally:
            lock.release()

    def run(self, source_id: str, now: datetime | None = None) -> Run:
        """Run one source once, waiting for a run already going. ``ok`` means data arrived."""
        with self._run_lock(source_id):
            return self._run(source_id, now)

    def _run(self, source_id: str, now: datetime | None) -> Run:
        started = datetime.now(UTC)
        rows = rejected = 0
        batch = None
        try:
            source = self._source(source_id)
            when = now or started
            self._hand_fingerprint(source, source_id)
            batch = source.fetch(when)
            self._check_timeout(source, started)
            self._drop_expired(batch, when)
            self._combine(batch)
            rejected = batch.rejected
            if batch.unchanged:
                ok, error = True, None
            elif batch.rows == 0 and not (batch.empty_ok and rejected == 0):
                ok, error = False, self._reasons(source_id, batch) or "tidak ada data (0 baris)"
                if rejected:
                    error = f"semua {rejected} record ditolak: {error}"
            else:
                # A position moved past nothing storable (readings older than retention) is kept too,
                # and a peer's incidents read with no new reading.
                wrote = batch.rows or batch.fingerprint or batch.peer_incidents is not None
                rows = self._store(source, source_id, batch) if wrote else 0
                ok = True
                error = f"{rejected} record ditolak: " + self._reasons(source_id, batch) if rejected else None
        except Exception as exc:  # noqa: BLE001 - any fault of a source is contained here
            ok, error = False, one_line(exc)
            log.warning("source %s failed: %s", source_id, error)
        if error is not None:
            error = one_line(error)
        failures = 0 if ok else self._previous_failures(source_id) + 1
        self._failures[source_id] = failures
        finished = datetime.now(UTC)
        retry_at = None
        if not ok and self.retry_policy is not None:
            try:
                retry_at = self.retry_policy(self.config.source(source_id), failures, finished)
            except Exception as exc:  # noqa: BLE001
                log.error("retry policy failed for %s: %s", source_id, one_line(exc))
        run = Run(source_id, started, finished, ok, rows, rejected, error, failures, retry_at, **_counts(batch))
        try:
            self.store.record_run(run)
        except Exception as exc:  # noqa: BLE001 - the store may be locked or down; try next time
            log.error("could not record run of %s: %s", source_id, one_line(exc))
        if self.on_run is not None:
            self.on_run(run)
        return run

    def _store(self, source: Source, source_id: str, batch: Batch) -> int:
        """Write the batch; if the write fails, the source delivers the same data on the retry."""
        try:
            return self.store.write(source_id, batch)
        except BaseException:
            source.discard()
            raise

    def _reasons(self, source_id: str, batch: Batch) -> str:
        """The kept reasons, one line: a file's rows name the file (``data/dbd.csv baris 4: ...``),
        and the file is written once, so the line (cut at 300 characters) holds more of them."""
        path = getattr(self.config.source(source_id), "path", None)
        prefix = f"{path} " if isinstance(path, str) and path else None
        reasons = list(batch.reasons)
        if prefix is not None:
            named = [i for i, reason in enumerate(reasons) if reason.startswith(prefix)]
            for i in named[1:]:
                reasons[i] = reasons[i][len(prefix):]
        return "; ".join(reasons)

    def _combine(self, batch: Batch) -> None:
        """Rows on one key made one by the indicator's ``aggregate``; the source's totals checked."""
        rules = aggregates(self.context.indicators)
        combine(batch, rules)
        check_totals(batch, rules)

    def _hand_fingerprint(self, source: Source, source_id: str) -> None:
        """Tell a file source what the database says it stored last, so a file stored by an earlier
        process (a restart, or a collector that took over from a killed one) is not stored again."""
        if not source.remembers_files:
            return
        try:
            fingerprint = self.store.fingerprint(source_id)
        except Exception as exc:  # noqa: BLE001 - the source keeps what it remembers itself
            log.warning("stored fingerprint of %s not read: %s", source_id, one_line(exc))
            return
        source.stored(fingerprint)

    @staticmethod
    def _check_timeout(source: Source, started: datetime) -> None:
        """A fetch that ran past ``timeout:`` is a failed run even if its source did not notice."""
        limit = getattr(source.config, "timeout", None)
        if limit is not None and datetime.now(UTC) - started > limit:
            raise SourceError(Deadline(limit).reason())

    def _previous_failures(self, source_id: str) -> int:
        """Consecutive failures so far; after a restart (or between `collect --once` calls) from the store."""
        if source_id not in self._failures:
            try:
                last = self.store.runs(source_id, 1)
                self._failures[source_id] = last[0].failures if last and not last[0].ok else 0
            except Exception:  # noqa: BLE001 - counting is a nicety; the run itself matters
                self._failures[source_id] = 0
        return self._failures[source_id]

    def _drop_expired(self, batch: Batch, now: datetime) -> None:
        """Readings older than ``database.retention`` would be removed at once; they are rejected instead.

        Figures per period (a year, a month) are kept whatever their age: a few per region and year,
        and a yearly open-data table is worth nothing without its earlier years.
        """
        retention: timedelta = self.config.database.retention
        cutoff = int((now - retention).timestamp())
        if hasattr(batch.readings, "drop_older"):  # a big file's columns (wallboard/columns.py)
            for _ in range(batch.readings.drop_older(cutoff)):
                batch.reject("lebih tua dari database.retention")
            return
        if batch.readings and min(r.ts for r in batch.readings) < cutoff:
            kept = [r for r in batch.readings if r.ts >= cutoff or r.period is not None]
            for _ in range(len(batch.readings) - len(kept)):
                batch.reject("lebih tua dari database.retention")
            batch.readings = kept


def _counts(batch: Batch | None) -> dict[str, Any]:
    """What the run reports besides rows and refusals: rows combined, duplicates, warnings."""
    if batch is None:
        return {}
    notes = one_line("; ".join(batch.warnings)) if batch.warnings else None
    return {"combined": batch.combined, "duplicates": batch.duplicates, "warned": batch.warned, "notes": notes}


def _close(source: Source) -> None:
    try:
        source.close()
    except Exception as exc:  # noqa: BLE001
        log.warning("closing source failed: %s", one_line(exc))
