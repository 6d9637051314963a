"""Being told that the data changed, instead of asking: PostgreSQL ``LISTEN/NOTIFY``.

Every recorded collector run notifies ``wallboard_data`` in its own transaction, so each web
process, on any machine, wakes its hub the moment a run commits and builds one snapshot for all its
walls. The feed keeps one connection of its own and reconnects with back-off when the database goes
away; meanwhile the hub's data-version poll is what notices changes. SQLite has no such thing: there
the kernel says when the database's files change (``wallboard/watch.py``), and where it cannot, the
hub polls.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import Engine

from wallboard.reasons import one_line
from wallboard.store.store import DATA_CHANNEL

log = logging.getLogger(__name__)


class ChangeFeed:
    """A thread that LISTENs and calls ``on_change`` for every notification."""

    def __init__(self, engine: Engine, on_change: Callable[[], None], channel: str = DATA_CHANNEL):
        self.url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.on_change = on_change
        self.channel = channel
        self.connected = threading.Event()
        self.notified = 0  # notifications received, for /api/health
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wallboard-changes", daemon=True)

    @staticmethod
    def available(engine: Engine) -> bool:
        return engine.dialect.name == "postgresql"

    def start(self) -> ChangeFeed:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        import psycopg

        delay = 1.0
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as conn:
                    conn.execute(f"LISTEN {self.channel}")
                    self.connected.set()
                    delay = 1.0
                    self.on_change()  # whatever changed while we were not listening
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=1.0):
                            self.notified += 1
                            self.on_change()
            except Exception as exc:  # noqa: BLE001 - the database restarts; the poll covers the gap
                self.connected.clear()
                if self._stop.is_set():
                    return
                log.warning("change feed lost (%s); listening again in %.0f s", one_line(exc), delay)
                self._stop.wait(delay)
                delay = min(delay * 2, 30.0)
