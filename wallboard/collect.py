"""`wallboard collect`: the collectors without the web server.

``--once`` runs every chosen source once, side by side (a slow one does not hold up the others),
prints a table of sources, rows and errors, and exits 1 when any source failed, so cron or a
monitoring check can use it. Without ``--once`` the scheduler runs until SIGTERM/SIGINT and picks
up edits to config.yaml the way `wallboard run` does (a broken edit keeps the last good config).
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from wallboard.alerts.evaluate import evaluate
from wallboard.alerts.service import AlertService
from wallboard.collector import Collector
from wallboard.config import ConfigError, LoadedConfig, load_config
from wallboard.config.federation import shared_indicators
from wallboard.push import Pusher
from wallboard.reasons import one_line
from wallboard.scheduler import CollectorScheduler
from wallboard.store import Run, Store
from wallboard.store.lease import CollectorLease, FileLease
from wallboard.store.migrate import SchemaTooNew
from wallboard.store.reach import reason, wait_for_database
from wallboard.watch import FileWatch

log = logging.getLogger(__name__)
WATCH_SECONDS = 2.0
# `--once` right after a file was saved waits this long for it to settle instead of failing; the
# scheduler does not wait (its retry a few seconds later reads the finished file).
ONCE_FILE_WAIT = 5.0


class UnknownSource(ValueError):
    pass


def chosen(config: Any, only: list[str] | None) -> list[str]:
    ids = [s.id for s in config.sources]
    for wanted in only or []:
        if wanted not in ids:
            raise UnknownSource(f"sumber {wanted!r} tidak ada di config (ada: {', '.join(ids) or '-'})")
    return [i for i in ids if not only or i in only]


def run_once(loaded: LoadedConfig, only: list[str] | None, out: TextIO) -> int:
    config = loaded.config
    ids = chosen(config, only)
    try:
        store = Store.open(config.database.url, loaded.path.resolve().parent)
    except SchemaTooNew:
        raise  # the command's own line and exit 2 (cli.py)
    except Exception as exc:  # noqa: BLE001 - an unreachable database is one line, not a traceback
        out.write(f"basis data tidak bisa dibuka: {reason(exc)}\n")
        return 1
    try:
        store.sync_indicators(config.indicators)
        store.shared = shared_indicators(config)
        collector = Collector(store, config, loaded.path.resolve().parent, wait_for_files=ONCE_FILE_WAIT)
        with ThreadPoolExecutor(max_workers=max(1, len(ids))) as pool:
            runs = list(pool.map(collector.run, ids))
        _evaluate_alerts(store, config)
    finally:
        store.close()
    out.write(table(config, runs))
    return 0 if all(r.ok for r in runs) else 1


def table(config: Any, runs: list[Run]) -> str:
    """One line per source (rows stored, combined on one key, duplicates, refused), each source's
    warnings, then the total line, last, for a cron job or a monitoring check to read."""
    types = {s.id: s.type for s in config.sources}
    head = ("sumber", "jenis", "status", "baris", "digabung", "duplikat", "ditolak", "detik", "keterangan")
    body = [
        (r.source, types.get(r.source, "?"), "ok" if r.ok else "GAGAL", str(r.rows), str(r.combined),
         str(r.duplicates), str(r.rejected), f"{(r.finished - r.started).total_seconds():.1f}", r.error or "")
        for r in runs
    ]
    widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head) - 1)]
    lines = []
    for row in [head, *body]:
        pairs = enumerate(zip(row, widths, strict=False))
        cells = [cell.ljust(w) if i < 3 else cell.rjust(w) for i, (cell, w) in pairs]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    lines += [f"peringatan {r.source} ({r.warned}): {r.notes}" for r in runs if r.notes]
    failed = sum(not r.ok for r in runs)
    lines.append(f"{len(runs)} sumber, {sum(r.rows for r in runs)} baris, {sum(r.combined for r in runs)} digabung, "
                 f"{sum(r.duplicates for r in runs)} duplikat, {sum(r.rejected for r in runs)} ditolak, "
                 f"{failed} gagal")
    return "\n".join(lines) + "\n"


def _evaluate_alerts(store: Store, config: Any) -> None:
    """Alerts follow the figures just written (escalation needs the running service, not --once)."""
    try:
        evaluate(store, config)
    except Exception as exc:  # noqa: BLE001 - the collection itself succeeded; say so and go on
        log.error("alert evaluation failed: %s", one_line(exc))


def run_forever(loaded: LoadedConfig, only: list[str] | None) -> int:
    config = loaded.config
    chosen(config, only)
    base = loaded.path.resolve().parent
    # A database that is down is waited for, one line per attempt (store/reach.py); a missing
    # history (database.expect_history) is refused by the command (cli.py).
    store = wait_for_database(lambda: Store.open(config.database.url, base,
                                                 expect_history=config.database.expect_history),
                              "collect", config.site.locale)
    store.sync_indicators(config.indicators)
    store.shared = shared_indicators(config)
    alerts = AlertService(store, lambda: state["loaded"].config)
    push = Pusher(store, lambda: state["loaded"].config)  # federation.push: sent from where collection runs

    def on_run(run: Any) -> None:
        alerts.notify(run)
        push.notify(run)

    collector = Collector(store, config, base, on_run=on_run)
    scheduler = CollectorScheduler(collector, only=set(only) if only else None)
    stop = threading.Event()
    state = {"loaded": loaded, "mtime": _mtime(loaded.path)}

    def watch() -> None:
        mtime = _mtime(loaded.path)
        if mtime is None or mtime == state["mtime"]:
            return
        state["mtime"] = mtime
        try:
            fresh = load_config(loaded.path)
        except ConfigError as exc:
            for problem in exc.problems:
                log.error("config not reloaded: %s", problem)
            return
        if fresh.digest != state["loaded"].digest:
            state["loaded"] = fresh
            store.sync_indicators(fresh.config.indicators)
            store.shared = shared_indicators(fresh.config)
            collector.configure(fresh.config)
            scheduler.schedule(fresh.config)
            alerts.notify()  # thresholds may have been added: judge them now, not at the next run
            log.info("config reloaded (%s)", fresh.digest)

    lease = CollectorLease.for_engine(store.engine)
    if isinstance(lease, FileLease) and not lease.acquire():
        print(f"wallboard collect: {lease.holder()} already collects into {store.engine.url.database}; "
              "stop it first (one collector per database)", file=sys.stderr)
        store.close()
        return 2
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    scheduler.start(lease=lease)
    files = FileWatch()  # the kernel says when config.yaml changes; a timed look where it cannot
    files.watch(loaded.path, watch, written=True)
    for path in store.files:  # a deleted or replaced SQLite file is said at once (store/identity.py)
        files.watch(path, store.identity.check)
    if not files.start():
        scheduler.add_job(watch, WATCH_SECONDS, "config-watch")
        if store.files:
            scheduler.add_job(store.identity.check, WATCH_SECONDS, "store-watch")
    alerts.start(scheduler)
    push.start()
    print(f"wallboard collect: {len(chosen(config, only))} sumber berjalan sejak "
          f"{datetime.now(UTC).astimezone(config.site.zone):%Y-%m-%d %H:%M:%S %Z}", flush=True)
    try:
        while not stop.wait(30.0):  # a signal handler sets it at once; the timeout is a safety net
            pass
    finally:
        files.stop()
        alerts.stop()
        push.stop()
        scheduler.shutdown()
        store.close()
    return 0


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None
