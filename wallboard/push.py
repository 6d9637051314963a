"""``federation: {push: [...]}``: a kabupaten behind NAT sends its shared readings to its province.

The outbox is the readings table itself: for each target and indicator, ``federation_push`` keeps
the cursor of the last reading the target accepted (``wallboard/store/federation.py``), and each
round sends the readings after it, a page per ``POST /api/v1/readings``, moving the cursor only
when the province answered 200. A province that is down, or this process restarting, loses nothing
and sends nothing twice (and a page sent twice would be stored once: the key makes it one row).
A failed target waits ``retry_after``, doubled after each failure up to five minutes; a refusal
(a wrong token, a code the province will not take) is one line in the log each time it is tried.

Runs where collection runs (``wallboard run``, ``wallboard collect``), woken after every collector
run so a new reading leaves at once rather than at the next ``every``.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from wallboard.backoff import Backoff
from wallboard.reasons import one_line
from wallboard.secrets import MissingVariable, expand, redact
from wallboard.store.federation import PushState, push_states, readings_after, save_push

log = logging.getLogger(__name__)
MAX_PAGES_PER_ROUND = 50
CAP_SECONDS = 300.0


def target_id(url: str) -> str:
    """The key of a target in ``federation_push``: its URL as written, hashed (a ``${VAR}`` stays one)."""
    return hashlib.sha256(url.encode()).hexdigest()[:32]


class Pusher:
    def __init__(self, store: Any, config: Callable[[], Any]):
        self.store = store
        self.config = config
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._client = httpx.Client(follow_redirects=False)

    def start(self) -> Pusher:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="wallboard-push", daemon=True)
            self._thread.start()
        return self

    def notify(self, _run: Any = None) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)
        self._client.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            federation = self.config().federation
            if federation.push:
                try:
                    self.round(datetime.now(UTC))
                except Exception as exc:  # noqa: BLE001 - a database hiccup: the next round tries again
                    log.error("push round failed: %s", one_line(redact(str(exc))))
            self._wake.wait(federation.every.total_seconds())
            self._wake.clear()

    def round(self, now: datetime) -> int:
        """Send every target what it has not accepted yet; returns readings accepted this round."""
        config = self.config()
        sent = 0
        for target in config.federation.push:
            ids = [i.id for i in config.indicators if target.indicators == "all" or i.id in target.indicators]
            key = target_id(target.url)
            for indicator, state in push_states(self.store.engine, key, ids).items():
                if state.next_try is not None and state.next_try > now:
                    continue
                sent += self._indicator(config, target, key, indicator, state, now)
        return sent

    def _indicator(self, config: Any, target: Any, key: str, indicator: str, state: PushState, now: datetime) -> int:
        sent = 0
        cursor = state.cursor
        for _ in range(MAX_PAGES_PER_ROUND):
            rows, following, more = readings_after(self.store.engine, indicator, cursor, config.federation.batch)
            if not rows:
                if following != cursor:  # the first sync is over: remember that the log comes next
                    save_push(self.store.engine, key, indicator, PushState(following, 0, None, None))
                    cursor = following
                    continue
                break
            error = self._post(target, indicator, rows)
            if error is not None:
                attempts = state.attempts + 1
                wait = Backoff(config.federation.retry_after, CAP_SECONDS).delay(attempts)
                save_push(self.store.engine, key, indicator, PushState(cursor, attempts, now + wait, error))
                log.warning("push of %s to %s failed (%d in a row, next try in %.0f s): %s",
                            indicator, target.url, attempts, wait.total_seconds(), error)
                return sent
            cursor = following
            state = PushState(cursor, 0, None, None)
            save_push(self.store.engine, key, indicator, state)
            sent += len(rows)
            if not more:
                break
        return sent

    def _post(self, target: Any, indicator: str, rows: list[Any]) -> str | None:
        """None when the province took the page; otherwise the one-line reason."""
        body = {"indicator": indicator,
                "readings": [{"region": r.region, "ts": r.ts, "value": r.value, "period": r.period} for r in rows]}
        try:
            url = expand(target.url).rstrip("/") + "/api/v1/readings"
            headers = {"Authorization": f"Bearer {expand(target.token)}"}
            answer = self._client.post(url, json=body, headers=headers, timeout=30)
        except MissingVariable as exc:
            return str(exc)
        except httpx.HTTPError as exc:
            return f"provinsi tidak dapat dihubungi: {type(exc).__name__}"
        if answer.status_code == 200:
            return None
        try:
            message = answer.json().get("message", "")
        except ValueError:
            message = ""
        return one_line(redact(f"provinsi menolak (HTTP {answer.status_code}): {message}"))
