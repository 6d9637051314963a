"""What every source type produces, and the interface a source type implements.

A source only reads: it turns one work unit's system into readings and events and hands them back
as a ``Batch``. Writing, scheduling, retrying and recording runs are the collector's job, so a new
source type is one small module (see ``demo.py``) plus one line in ``wallboard/sources/__init__.py``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from wallboard.config.models import SourceBase
from wallboard.records import Batch, Event, Reading

__all__ = ["Batch", "Event", "Reading", "Source", "SourceContext", "SourceError"]  # records re-exported for sources


class SourceError(Exception):
    """A run that produced nothing usable; the message is the one-line reason shown on the wall."""


@dataclass(frozen=True)
class SourceContext:
    """What a source may know besides its own config: the site and the indicator definitions."""

    site: Any
    indicators: dict[str, Any]
    base_dir: Any  # pathlib.Path that relative paths in config are read against
    # Seconds a file source may wait for a file still being written before giving up on this run:
    # 0 for the scheduler (it retries anyway), a few seconds for `wallboard collect --once`.
    wait_for_files: float = 0.0


class Source(ABC):
    Config: ClassVar[type[SourceBase]]

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

    def close(self) -> None:
        """Release connections when the source is replaced or removed (a new config); default: nothing."""
        return None

    def test_connection(self, now: datetime) -> str:
        """A one-line answer for `wallboard collect --once`-style checks; reading once is the test."""
        batch = self.fetch(now)
        return f"ok: {batch.rows} rows, {batch.rejected} rejected"
