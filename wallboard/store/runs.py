"""The collector run history: each run recorded (and announced), the runs and each source's status.

On PostgreSQL a recorded run notifies ``DATA_CHANNEL`` in its own transaction (``changes.py`` listens).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text

from wallboard.store import schema
from wallboard.store.base import StorePart, _aware

DATA_CHANNEL = "wallboard_data"  # PostgreSQL NOTIFY channel: a collector run was recorded


@dataclass(frozen=True, slots=True)
class Run:
    source: str
    started: datetime
    finished: datetime
    ok: bool
    rows: int
    rejected: int
    error: str | None
    failures: int = 0  # consecutive failed runs up to and including this one
    retry_at: datetime | None = None  # when the scheduler tries again after this failure
    combined: int = 0  # rows added into another row on the same key (the indicator's aggregate)
    duplicates: int = 0  # rows identical to an earlier row, counted once
    warned: int = 0  # warnings: duplicates, totals that do not add up, events given twice
    notes: str | None = None  # the first warnings, one line, secrets redacted (like error)


@dataclass(frozen=True, slots=True)
class SourceStatus:
    source: str
    last_run: Run | None
    last_success: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    failures: int = 0  # consecutive failed runs now (0 when the last run succeeded)
    next_retry: datetime | None = None  # set while a failed source waits for its retry


class RunLog(StorePart):
    """``record_run`` and the questions the admin pages, metrics and the wall's source status ask."""

    def record_run(self, run: Run) -> None:
        self.identity.require_writable()  # never into a deleted file's inode (store/identity.py)
        with self.engine.begin() as conn:
            conn.execute(
                schema.collector_runs.insert().values(
                    source=run.source, started=run.started, finished=run.finished, ok=run.ok,
                    rows=run.rows, rejected=run.rejected, error=run.error, failures=run.failures,
                    retry_at=run.retry_at, combined=run.combined, duplicates=run.duplicates,
                    warned=run.warned, notes=run.notes,
                )
            )
            if self._dialect == "postgresql":  # every web process's hub wakes now (store/changes.py)
                conn.execute(text("SELECT pg_notify(:channel, :source)"),
                             {"channel": DATA_CHANNEL, "source": run.source})

    def runs(self, source: str | None = None, limit: int = 50) -> list[Run]:
        t = schema.collector_runs
        query = select(t).order_by(t.c.id.desc()).limit(limit)
        if source is not None:
            query = query.where(t.c.source == source)
        with self.engine.connect() as conn:
            return [_run(r) for r in conn.execute(query)]

    def last_runs(self, sources: Iterable[str]) -> dict[str, int]:
        """Each source's newest run id (0 when it never ran): one statement, an index seek per source.

        The live snapshot reads a source's status and events again only when this moved; a text
        statement, because building a select of hundreds of subqueries costs more than running it."""
        ids = list(dict.fromkeys(sources))
        if not ids:
            return {}
        cells = ", ".join(f"(SELECT max(id) FROM collector_runs WHERE source = :s{n})" for n in range(len(ids)))
        with self.engine.connect() as conn:
            row = conn.execute(text(f"SELECT {cells}"), {f"s{n}": sid for n, sid in enumerate(ids)}).one()
        return {sid: int(value or 0) for sid, value in zip(ids, row, strict=True)}

    def source_status(self, sources: Iterable[str], until: datetime | None = None) -> dict[str, SourceStatus]:
        """Last run, last success and last error of each source: three index seeks per source.

        ``until``: as they stood then (replay), from the run history still kept."""
        t = schema.collector_runs
        out: dict[str, SourceStatus] = {}
        upto = t.c.finished <= until if until is not None else t.c.id.is_not(None)
        with self.engine.connect() as conn:
            for source in sources:
                last = conn.execute(
                    select(t).where(t.c.source == source, upto).order_by(t.c.id.desc()).limit(1)
                ).first()
                ok = conn.execute(
                    select(t.c.finished).where(t.c.source == source, t.c.ok.is_(True), upto)
                    .order_by(t.c.id.desc()).limit(1)
                ).scalar()
                err = conn.execute(
                    select(t.c.error, t.c.finished)
                    .where(t.c.source == source, t.c.ok.is_(False), upto)
                    .order_by(t.c.id.desc())
                    .limit(1)
                ).first()
                run = _run(last) if last else None
                failing = run is not None and not run.ok
                out[source] = SourceStatus(
                    source, run, _aware(ok), err.error if err else None, _aware(err.finished) if err else None,
                    failures=run.failures if failing else 0,
                    next_retry=run.retry_at if failing else None,
                )
        return out

    def run_counts(self) -> dict[str, tuple[int, int]]:
        """(runs, failed runs) per source over the run history kept (``RUNS_KEPT``), one grouped query."""
        t = schema.collector_runs
        query = select(t.c.source, t.c.ok, func.count()).group_by(t.c.source, t.c.ok)
        out: dict[str, list[int]] = {}
        with self.engine.connect() as conn:
            for source, ok, n in conn.execute(query):
                counts = out.setdefault(source, [0, 0])
                counts[0] += n
                if not ok:
                    counts[1] += n
        return {source: (runs, failed) for source, (runs, failed) in out.items()}


def _run(row: Any) -> Run:
    return Run(row.source, _aware(row.started), _aware(row.finished), row.ok, row.rows, row.rejected, row.error,
               row.failures or 0, _aware(row.retry_at), row.combined or 0, row.duplicates or 0, row.warned or 0,
               row.notes)
