"""The running wall: config, store, collectors, scheduler and hub, and the config hot reload.

A new config.yaml is validated before anything changes. If it is broken, the problems are logged
(one ``file:line:col: key.path: message`` line each) and the wall carries on with the last good
config; if it is good, sources are rescheduled, panels rebuilt and every open wall reloads itself.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wallboard.alerts.service import AlertService
from wallboard.collector import Collector
from wallboard.config import ConfigError, LoadedConfig, load_config
from wallboard.config.changes import summarize
from wallboard.config.federation import shared_indicators
from wallboard.live import Hub
from wallboard.push import Pusher
from wallboard.scheduler import CollectorScheduler
from wallboard.store import Store, audit
from wallboard.store.changes import ChangeFeed
from wallboard.store.lease import CollectorLease
from wallboard.watch import FileWatch

log = logging.getLogger(__name__)
WATCH_SECONDS = 2.0
FEED_POLL = 5.0  # seconds between the hub's own data-version checks when it is told of changes (NOTIFY, inotify)


class Runtime:
    def __init__(self, loaded: LoadedConfig, collect: bool = True):
        self.loaded = loaded
        self.path = loaded.path
        self.base_dir = loaded.path.resolve().parent
        self.store = Store.open(self.config.database.url, self.base_dir,
                                expect_history=self.config.database.expect_history)
        self.store.sync_indicators(self.config.indicators)
        self.store.shared = shared_indicators(self.config)
        self.collect = collect
        self.collector = Collector(self.store, self.config, self.base_dir, on_run=self._on_run)
        self.scheduler = CollectorScheduler(self.collector)
        self.last_reload_problems: list[str] = []
        self.loaded_at = datetime.now(UTC)
        # The last edit that was refused, for /admin until a good file is loaded: (when, problems).
        self.last_refused: tuple[datetime, list[str]] | None = None
        self._mtime = self._stat()
        self._reload_lock = threading.Lock()
        self.changes: ChangeFeed | None = None
        # The config file (and a SQLite store's files) are watched through inotify where the
        # kernel offers it (wallboard/watch.py): no wake-up while nothing changes. Elsewhere a
        # thread of its own looks at the config file every WATCH_SECONDS and the hub polls.
        self._watching = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="wallboard-config", daemon=True)
        self.files = FileWatch()
        self.alerts = AlertService(self.store, lambda: self.config)  # evaluates where collection runs
        self.push = Pusher(self.store, lambda: self.config)  # federation.push, where collection runs
        self.hub = Hub(self)

    @classmethod
    def from_path(cls, path: str | Path, collect: bool = True) -> Runtime:
        return cls(load_config(path), collect)

    @property
    def config(self) -> Any:
        return self.loaded.config

    def _on_run(self, run: Any) -> None:
        self.hub.notify()
        self.alerts.notify(run)
        self.push.notify(run)

    def start(self) -> None:
        if self.collect:
            self.scheduler.start(lease=CollectorLease.for_engine(self.store.engine))
        else:
            self.scheduler.scheduler.start()
        self.files.watch(self.path, self.check_config, written=True)
        for path in self.store.files:
            self.files.watch(path, self._store_changed)
        if not self.files.start():
            self._watcher.start()
        elif self.store.files:
            self.hub.poll = FEED_POLL  # told of every commit; the poll is only the safety net
        if self.collect:
            self.alerts.start(self.scheduler)
            self.push.start()
        if ChangeFeed.available(self.store.engine):
            self.changes = ChangeFeed(self.store.engine, self.hub.notify).start()
            self.hub.poll = FEED_POLL  # told of every change; the poll is only the safety net
        self.hub.start()

    def _store_changed(self) -> None:
        """A SQLite file changed (or went): is it still ours (store/identity.py), then wake the hub."""
        self.store.identity.check()
        self.hub.notify()

    def _watch(self) -> None:
        while not self._watching.wait(WATCH_SECONDS):
            try:
                self.store.identity.check()  # no inotify here: look at the database's file too
                self.check_config()
            except Exception:  # noqa: BLE001 - check_config refuses bad files itself; this is a bug
                log.exception("config watch failed; looking again in %.0f s", WATCH_SECONDS)

    def stop(self) -> None:
        self._watching.set()
        if self._watcher.is_alive() and self._watcher is not threading.current_thread():
            self._watcher.join(timeout=5)  # a reload in progress finishes before the store closes
        self.files.stop()
        self.hub.stop()
        self.alerts.stop()
        self.push.stop()
        if self.changes is not None:
            self.changes.stop()
        self.scheduler.shutdown()
        self.store.close()

    def _stat(self) -> float | None:
        try:
            return self.path.stat().st_mtime
        except OSError:
            return None

    def check_config(self) -> None:
        """Reload when the file's mtime moved. The mtime is recorded only after the attempt, and the
        attempt never raises, so a file that broke a reload is looked at again when it changes."""
        mtime = self._stat()
        if mtime is not None and mtime != self._mtime:
            self.reload()
            self._mtime = mtime

    def reload(self) -> bool:
        """Swap in the config file's current content if it is valid; keep the last good one if not."""
        with self._reload_lock:
            try:
                loaded = load_config(self.path)
            except ConfigError as exc:
                self._refuse([str(p) for p in exc.problems])
                return False
            except Exception as exc:  # noqa: BLE001 - a bug here must not stop the watcher or the wall
                self._refuse([f"{self.path}:1:1: cannot load ({type(exc).__name__})"])
                return False
            if loaded.digest == self.loaded.digest:
                self.last_reload_problems = []  # the last good file is back: nothing is wrong any more
                self.last_refused = None  # (the audit log keeps the refusal)
                return True
            if loaded.config.database.url != self.config.database.url:
                log.warning("database.url changed; restart wallboard to use the new database")
            try:
                change = summarize(self.config, loaded.config)
            except Exception:  # noqa: BLE001 - the summary is a courtesy
                change = "changed"
            self.last_reload_problems = []
            self.last_refused = None  # a good file clears the refused edit from /admin (issue 21); audited
            self.loaded = loaded
            self.loaded_at = datetime.now(UTC)
            self.store.sync_indicators(self.config.indicators)
            self.store.shared = shared_indicators(self.config)
            self.collector.configure(self.config)
            if self.collect:
                self.scheduler.schedule(self.config)
            self.hub.configure(self.config)
            self.alerts.notify()  # thresholds may have been added: judge them now, not at the next run
            log.info("config reloaded (%s): %s", loaded.digest, change)
            audit.record(self.store, "config.reload", detail=f"{loaded.digest}: {change}")
            return True

    def _refuse(self, problems: list[str]) -> None:
        new = problems != self.last_reload_problems
        self.last_reload_problems = problems
        self.last_refused = (datetime.now(UTC), problems)
        for problem in problems:
            log.error("config not reloaded: %s", problem)
        if new:
            audit.record(self.store, "config.refused", detail=f"{len(problems)} problem(s): {problems[0]}")
