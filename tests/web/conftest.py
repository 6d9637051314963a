"""Helpers for the wall's browser tests: write a reading the way a collector does."""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import UTC, datetime

from wallboard.live.messages import Message
from wallboard.records import Batch, Reading
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


class Recorder:
    """A listener standing in for the streams: what the hub published, per screen."""

    def __init__(self) -> None:
        self.got: list[tuple[str | None, Message | None, int]] = []

    def deliver(self, screen_id: str | None, message: Message | None, seq: int) -> None:
        self.got.append((screen_id, message, seq))

    def stats(self) -> dict[str, int]:
        return {"walls": 7}

    def messages(self, screen_id: str) -> list[tuple[str, dict]]:
        """The messages published for one screen (or all screens), name and parsed data, emptied as read."""
        out = []
        for sid, msg, _ in self.got:
            if sid in (screen_id, None):
                assert msg is not None
                out.append((msg.name, json.loads(msg.data)))
        self.got = [g for g in self.got if g[0] not in (screen_id, None)]
        return out


def run(coro) -> object:  # noqa: ANN001
    """asyncio.run on a thread of its own: Playwright's sync API keeps a loop running on this one."""
    result: dict[str, object] = {}

    def target() -> None:
        try:
            result["value"] = asyncio.run(coro)
        except BaseException as exc:  # noqa: BLE001 - re-raised below, in the test's thread
            result["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    return result.get("value")
