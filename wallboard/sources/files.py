"""What the file-reading types share: find the file, skip it until it settles, read it once per change.

Work units drop exports into a folder by hand, by a scheduled export or over a network share, so
a run may meet a file that is still being written. A file modified within ``settle`` seconds, or
whose size or time changes while it is read, is not taken as truth: the run fails with a reason,
stores nothing, and the retry a few seconds later reads the finished file.
"""

from __future__ import annotations

import os
import re
import time
from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from wallboard.durations import Duration
from wallboard.secrets import expand
from wallboard.sources.base import SourceError
from wallboard.sources.mapping import RecordsConfig


class FileConfig(RecordsConfig):
    path: str
    settle: Duration = Field(
        timedelta(seconds=2), description="a file changed more recently than this is still being written"
    )
    layout: Literal["long", "wide"] = Field(
        "long", description="long: one row per reading; wide: one row per region, one column per period or indicator"
    )
    header_row: int | None = Field(
        None, ge=1, description="layout: wide: the row (line) of the column headers; found by itself when absent"
    )
    year: int | None = Field(
        None, ge=1900, le=2100, description="layout: wide: the year of period columns that name only a month"
    )

    def _indicator_columns(self) -> bool:
        return self.layout == "wide" and bool(self.indicators)

    @model_validator(mode="after")
    def _wide_keys(self) -> FileConfig:
        periods = self.columns.periods if self.columns else None
        if self.layout == "wide":
            if self.events is not None:
                raise ValueError("layout: wide reads readings; use columns:, not events:")
            if self.columns is None or not self.columns.region:
                raise ValueError("layout: wide needs columns: {region: COLUMN}, the column naming each row's region")
            if isinstance(periods, str):
                try:
                    re.compile(periods)
                except re.error as exc:
                    raise ValueError(f"columns.periods is not a valid regular expression: {exc}") from None
        elif periods is not None or self.header_row is not None or self.year is not None:
            raise ValueError("columns.periods, header_row and year belong to layout: wide")
        return self


class FileWatch:
    """Remembers the (mtime, size) of the last version read successfully."""

    def __init__(self, config: FileConfig, base_dir: Path | None, wait: float = 0.0):
        path = Path(expand(config.path)).expanduser()
        self.path = path if path.is_absolute() or base_dir is None else Path(base_dir) / path
        self.settle = config.settle.total_seconds()
        self.shown = config.path
        self.wait = wait
        self._read: tuple[int, int] | None = None

    def stat(self) -> os.stat_result:
        try:
            return self.path.stat()
        except FileNotFoundError:
            raise SourceError(f"berkas tidak ditemukan: {self.shown}") from None
        except PermissionError:
            raise SourceError(f"berkas terkunci atau tidak boleh dibaca: {self.shown}") from None
        except OSError as exc:
            raise SourceError(f"berkas tidak bisa dibaca: {self.shown}: {exc.strerror or exc}") from None

    def changed(self) -> os.stat_result | None:
        """The file's stat when there is a settled new version to read, None when nothing changed."""
        st = self.stat()
        if self._read == (st.st_mtime_ns, st.st_size):
            return None
        age = time.time() - st.st_mtime
        if age < self.settle and self.wait > 0:
            st, age = self._wait_until_settled(st, age)
        if age < self.settle:
            raise SourceError(f"berkas sedang ditulis (diubah {max(age, 0):.0f} dtk lalu); dibaca lagi nanti")
        return st

    def _wait_until_settled(self, st: os.stat_result, age: float) -> tuple[os.stat_result, float]:
        """Poll until the file has not changed for ``settle`` seconds, at most ``wait`` seconds.

        For a one-off run started right after the file was saved: the writer usually finishes within
        a second. Any change of size or time while waiting restarts the count (its mtime moves).
        """
        deadline = time.monotonic() + self.wait
        while age < self.settle and time.monotonic() < deadline:
            time.sleep(min(0.1, max(0.0, self.settle - age)) or 0.01)
            st = self.stat()
            age = time.time() - st.st_mtime
        return st, age

    def confirm(self, before: os.stat_result) -> None:
        """Call after reading: the file must be the same one that was read, then it counts as read."""
        after = self.stat()
        if (after.st_mtime_ns, after.st_size) != (before.st_mtime_ns, before.st_size):
            raise SourceError("berkas berubah saat dibaca (sedang ditulis); dibaca lagi nanti")
        self._read = (after.st_mtime_ns, after.st_size)

    def forget(self) -> None:
        self._read = None

    def open_error(self, exc: OSError) -> SourceError:
        if isinstance(exc, PermissionError):
            return SourceError(f"berkas terkunci atau tidak boleh dibaca: {self.shown}")
        if isinstance(exc, FileNotFoundError):
            return SourceError(f"berkas tidak ditemukan: {self.shown}")
        return SourceError(f"berkas tidak bisa dibaca: {self.shown}: {exc.strerror or exc}")
