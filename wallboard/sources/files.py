"""What the file-reading types share: find the file, read it only once it is complete, store it once.

Work units drop exports into a folder by hand, by a scheduled export or over a network share, so
a run may meet a file that is still being written, and a slow share may pause longer than any
settle time. A file is read only when it is complete: unchanged for ``settle`` seconds and
complete by its type's own test (a CSV ends with a line break, a workbook is a whole zip), checked
again on the bytes actually read; otherwise the run fails with a reason, stores nothing, and a
later run reads the finished file. A one-off run (`wallboard collect --once`) waits up to a few
seconds (never past the source's ``timeout:``) for it instead of failing at once.

What was read is fingerprinted (size, time, blake2b of the bytes): a file whose content the
database says this source already stored is not stored again (``Source.stored``).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from wallboard.durations import Duration
from wallboard.secrets import expand
from wallboard.sources.base import Fingerprint, SourceError
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


# Given the file and its stat: why it is not complete yet (Indonesian, for the reason), or None.
CompleteCheck = Callable[[Path, os.stat_result], str | None]
POLL = 0.1  # seconds between looks while a one-off run waits for a file


class HashingReader(io.RawIOBase):
    """A file read through this is hashed, counted and its last bytes kept, as it is read."""

    def __init__(self, raw: io.RawIOBase):
        super().__init__()
        self.raw = raw
        self.hash = hashlib.blake2b(digest_size=32)
        self.count = 0
        self.tail = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001 - a writable buffer
        n = self.raw.readinto(buffer) or 0
        if n:
            view = memoryview(buffer)[:n]
            self.hash.update(view)
            self.count += n
            self.tail = (self.tail + bytes(view[-8:]))[-8:]
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


class FileWatch:
    """Finds the file, waits for it to be complete, and knows what this source last stored."""

    def __init__(self, config: FileConfig, base_dir: Path | None, wait: float = 0.0,
                 complete: CompleteCheck | None = None):
        path = Path(expand(config.path)).expanduser()
        self.path = path if path.is_absolute() or base_dir is None else Path(base_dir) / path
        self.settle = config.settle.total_seconds()
        self.shown = config.path
        # A one-off run waits this long for an incomplete file, never past the source's timeout.
        self.wait = max(0.0, min(wait, config.timeout.total_seconds()))
        self.complete = complete
        self._stored: Fingerprint | None = None  # what was stored last (the database says, or this run did)
        self._seen: Fingerprint | None = None  # the last version read, stored or not (a touched file)

    def stat(self) -> os.stat_result:
        try:
            return self.path.stat()
        except FileNotFoundError:
            raise SourceError(f"berkas tidak ditemukan: {self.shown}") from None
        except PermissionError:
            raise SourceError(f"berkas terkunci atau tidak boleh dibaca: {self.shown}") from None
        except OSError as exc:
            raise SourceError(f"berkas tidak bisa dibaca: {self.shown}: {exc.strerror or exc}") from None

    def stored(self, fingerprint: Fingerprint | None) -> None:
        self._stored = fingerprint

    def changed(self) -> os.stat_result | None:
        """The file's stat when there is a complete new version to read, None when nothing changed.

        Raises ``SourceError`` when the file is still being written or not complete (after waiting
        up to ``wait`` seconds).
        """
        st = self.stat()
        if self._known(st):
            return None
        return self._wait_until_complete(st)

    def _known(self, st: os.stat_result) -> bool:
        """Same size and time as what was stored, or as a version read since with the stored content."""
        stored, seen = self._stored, self._seen
        if stored is None:
            return False
        now = (st.st_size, st.st_mtime_ns)
        if now == (stored.size, stored.mtime_ns):
            return True
        return seen is not None and now == (seen.size, seen.mtime_ns) and seen.digest == stored.digest

    def _wait_until_complete(self, st: os.stat_result) -> os.stat_result:
        """Look until the file is settled and complete, at most ``wait`` seconds.

        Any change of size or time while waiting restarts the settle count (its mtime moves).
        """
        deadline = time.monotonic() + self.wait
        while True:
            age = time.time() - st.st_mtime
            problem = None
            if age >= self.settle:
                problem = self.complete(self.path, st) if self.complete is not None else None
                if problem is None:
                    return st
            left = deadline - time.monotonic()
            if left <= 0:
                raise SourceError(self._not_ready(age, problem))
            time.sleep(min(POLL, left))
            st = self.stat()

    def _not_ready(self, age: float, problem: str | None) -> str:
        if problem is None:
            return f"berkas sedang ditulis (diubah {max(age, 0):.0f} dtk lalu); dibaca lagi nanti"
        if self.wait > 0:
            return f"berkas belum lengkap ({problem}) setelah {self.wait:g} dtk: {self.shown}"
        return f"berkas belum lengkap ({problem}): {self.shown}; dibaca lagi nanti"

    def open(self) -> HashingReader:
        try:
            return HashingReader(io.FileIO(self.path, "rb"))
        except OSError as exc:
            raise self.open_error(exc) from None

    def digest(self) -> tuple[int, str]:
        """Bytes and blake2b of the whole file (for types whose library opens the file itself)."""
        reader = self.open()
        try:
            while reader.read(1 << 20):
                pass
        except OSError as exc:
            raise self.open_error(exc) from None
        finally:
            reader.close()
        return reader.count, reader.hash.hexdigest()

    def finish(self, before: os.stat_result, count: int, digest: str) -> Fingerprint:
        """After reading ``count`` bytes hashing to ``digest``: the file is the one that was read,
        whole; its fingerprint. It becomes "seen"; ``confirm`` makes it "stored"."""
        after = self.stat()
        same = (after.st_mtime_ns, after.st_size) == (before.st_mtime_ns, before.st_size)
        if not same or count != before.st_size:
            raise SourceError("berkas berubah saat dibaca (sedang ditulis); dibaca lagi nanti")
        self._seen = Fingerprint(before.st_size, before.st_mtime_ns, digest, self.shown)
        return self._seen

    def already_stored(self, fingerprint: Fingerprint) -> bool:
        """The content was stored before (a file saved again unchanged, or after a takeover)."""
        return self._stored is not None and self._stored.digest == fingerprint.digest

    def confirm(self, fingerprint: Fingerprint) -> None:
        """The batch read from ``fingerprint`` goes to the store; until ``forget``, it counts as stored."""
        self._stored = fingerprint

    def forget(self) -> None:
        self._stored = None
        self._seen = None

    def open_error(self, exc: OSError) -> SourceError:
        if isinstance(exc, PermissionError):
            return SourceError(f"berkas terkunci atau tidak boleh dibaca: {self.shown}")
        if isinstance(exc, FileNotFoundError):
            return SourceError(f"berkas tidak ditemukan: {self.shown}")
        return SourceError(f"berkas tidak bisa dibaca: {self.shown}: {exc.strerror or exc}")


def ends_with_newline(encoding: str | None) -> CompleteCheck:
    """A text export is complete when its last line is: the file ends with a line break."""

    def check(path: Path, st: os.stat_result) -> str | None:
        if st.st_size == 0:
            return None  # an empty file is reported as such when read ("berkas kosong")
        try:
            with path.open("rb") as f:
                f.seek(max(0, st.st_size - 4))
                tail = f.read(4)
        except OSError:
            return None  # reading reports it
        return None if last_is_newline(tail, encoding) else NO_NEWLINE

    return check


NO_NEWLINE = "tidak diakhiri baris baru"


def last_is_newline(tail: bytes, encoding: str | None) -> bool:
    if encoding and encoding.lower().replace("_", "-").startswith("utf-16"):
        return tail.decode(encoding, errors="ignore").endswith(("\n", "\r"))
    return tail.endswith((b"\n", b"\r"))
