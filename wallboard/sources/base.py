"""What every source type produces, and the interface a source type implements.

A source only reads: it turns one work unit's system into readings and events and hands them back
as a ``Batch``. Writing, scheduling, retrying and recording runs are the collector's job, so a new
source type is one small module (see ``demo.py``) plus one line in ``wallboard/sources/__init__.py``.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from wallboard.config.models import SourceBase
from wallboard.records import Batch, Event, Fingerprint, Reading

__all__ = ["Batch", "Deadline", "Event", "Fingerprint", "Reading", "Source", "SourceContext", "SourceError"]


class SourceError(Exception):
    """A run that produced nothing usable; the message is the one-line reason shown on the wall."""


class Deadline:
    """A run's ``timeout:``, checked by the reading loops: past it the run fails and stores nothing.

    Cooperative (a loop asks every few thousand rows), so a source never leaves a half-read
    state behind; blocking calls get the same limit through their own option (httpx, SQL).
    """

    def __init__(self, timeout: timedelta | float):
        self.seconds = timeout.total_seconds() if isinstance(timeout, timedelta) else float(timeout)
        self.ends = time.monotonic() + self.seconds

    def left(self) -> float:
        return self.ends - time.monotonic()

    def check(self) -> None:
        if time.monotonic() > self.ends:
            raise SourceError(self.reason())

    def reason(self) -> str:
        return f"batas waktu {self.seconds:g} dtk habis"


@dataclass(frozen=True)
class SourceContext:
    """What a source may know besides its own config: the site and the indicator definitions."""

    site: Any
    indicators: dict[str, Any]
    base_dir: Any  # pathlib.Path that relative paths in config are read against
    # Seconds a file source may wait for a file still being written before giving up on this run:
    # 0 for the scheduler (it retries anyway), a few seconds for `wallboard collect --once`.
    wait_for_files: float = 0.0
    # database.retention: readings older than this are refused on arrival; a source reading by cursor
    # (``type: wallboard``) skips them itself so its position moves on past them.
    retention: Any = None


class Source(ABC):
    Config: ClassVar[type[SourceBase]]
    # True for sources that read a file once per change: the collector hands them, before each
    # run, the fingerprint of the file they last stored (``stored``), kept in the database.
    remembers_files: ClassVar[bool] = False

    def __init__(self, config: SourceBase, context: SourceContext):
        self.config = config
        self.context = context

    @abstractmethod
    def fetch(self, now: datetime) -> Batch:
        """Read the source once. Raise ``SourceError`` (or anything) when nothing could be read."""

    def discard(self) -> None:
        """The batch ``fetch`` just returned was not stored (the database was down): deliver it again.

        Sources that remember what they already delivered (a file read once per change) forget it
        here, so the retry reads it again instead of reporting it unchanged; default: nothing.
        """
        return None

    def stored(self, fingerprint: Fingerprint | None) -> None:
        """What the database says this source stored last (None: nothing yet); default: ignored.

        A file source skips a file with this content, so a restart or a collector that took over
        does not store the same file twice.
        """
        return None

    def close(self) -> None:
        """Release connections when the source is replaced or removed (a new config); default: nothing."""
        return None

    def test_connection(self, now: datetime) -> str:
        """A one-line answer for `wallboard collect --once`-style checks; reading once is the test."""
        batch = self.fetch(now)
        return f"ok: {batch.rows} rows, {batch.rejected} rejected"
