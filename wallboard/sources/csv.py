"""CSV exports dropped in a folder (e-Perizinan, SIMPUS and the like).

Indonesian spreadsheets save CSV with ``;`` between fields because ``,`` is the decimal mark, and
older tools save in Windows-1252; the delimiter is sniffed and the encoding falls back unless
``delimiter:`` / ``encoding:`` say otherwise. The file is read only when it changed and is complete
(it ends with a line break; see files.py), and a content already stored is not stored again. A
row with fewer cells than the header is refused (a cut line), never filled in.

A big long-layout file (``BULK_BYTES`` and more) is streamed and read in chunks into columns
(bulk.py), so four million rows fit in a few hundred MB; smaller ones are read row by row.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal

from wallboard.sources import bulk, frames
from wallboard.sources.base import Batch, Deadline, Fingerprint, Source, SourceError
from wallboard.sources.files import (
    NO_NEWLINE,
    FileConfig,
    FileWatch,
    HashingReader,
    ends_with_newline,
    last_is_newline,
)
from wallboard.sources.mapping import Mapper
from wallboard.sources.wide import read_wide

BULK_BYTES = 16 * 2**20  # files this big are streamed into columns (bulk.py)
CHECK_EVERY = 5000  # rows between looks at the run's deadline


class CsvConfig(FileConfig):
    type: Literal["csv"]
    delimiter: str | None = None
    encoding: str | None = None


class CsvSource(Source):
    Config = CsvConfig
    config: CsvConfig
    remembers_files = True

    def __init__(self, config: CsvConfig, context):
        super().__init__(config, context)
        self.watch = FileWatch(config, context.base_dir, wait=context.wait_for_files,
                               complete=ends_with_newline(config.encoding))
        self.mapper = Mapper(config, context)

    def stored(self, fingerprint: Fingerprint | None) -> None:
        self.watch.stored(fingerprint)

    def discard(self) -> None:
        self.watch.forget()  # not stored: the retry reads the same file again

    def fetch(self, now: datetime) -> Batch:
        deadline = Deadline(self.config.timeout)
        st = self.watch.changed()
        if st is None:
            return Batch(unchanged=True)
        deadline.check()
        streamed = st.st_size >= BULK_BYTES and self.config.layout == "long" and self.config.events is None
        batch, fingerprint = self._stream(st, now, deadline) if streamed else self._whole(st, now, deadline)
        if self.watch.already_stored(fingerprint):
            return Batch(unchanged=True)  # saved again with the same content
        batch.fingerprint = fingerprint
        self.watch.confirm(fingerprint)
        return batch

    def _incomplete(self) -> SourceError:
        return SourceError(f"berkas belum lengkap ({NO_NEWLINE}): {self.watch.shown}; dibaca lagi nanti")

    def _whole(self, st: os.stat_result, now: datetime, deadline: Deadline) -> tuple[Batch, Fingerprint]:
        """A file of ordinary size: read at once, then row by row through the mapper."""
        import hashlib

        try:
            data = self.watch.path.read_bytes()
        except OSError as exc:
            raise self.watch.open_error(exc) from None
        fingerprint = self.watch.finish(st, len(data), hashlib.blake2b(data, digest_size=32).hexdigest())
        if data and not last_is_newline(data[-4:], self.config.encoding):
            raise self._incomplete()  # the bytes read, not only the file's look before
        text = self._decode(data)
        if not text.strip():
            raise SourceError(f"berkas kosong: {self.watch.shown}")
        delimiter = self.config.delimiter or _sniff(text)
        plain = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
        if self.config.layout == "wide":
            rows = [(plain.line_num, row) for row in plain]
            deadline.check()
            batch = read_wide(rows, self.config, self.mapper, now,
                              lambda line, _col, label: f"baris {line} kolom {label!r}")
            deadline.check()
            return batch, fingerprint
        header = next(plain, None) or []
        self.mapper.check_header(header)
        short: list[str] = []
        rows = _records(plain, header, short, deadline, self.watch.shown)
        batch = self.mapper.apply_numbered(rows, now, unit="baris")  # numbered as lines of the file
        for reason in short:
            batch.reject(reason)
        deadline.check()
        return batch, fingerprint

    def _stream(self, st: os.stat_result, now: datetime, deadline: Deadline) -> tuple[Batch, Fingerprint]:
        """A big file: streamed (hashed as it is read) into columns, in bounded memory. Split by
        pandas' C tokenizer a block at a time (frames.py); a file that path cannot read (quoted
        cells, a decimal dot to judge first) by the csv module, with the same results."""
        encodings = [self.config.encoding] if self.config.encoding else ["utf-8-sig", "cp1252"]
        for encoding in encodings:
            strict = encoding == "utf-8-sig" and not self.config.encoding
            try:
                try:
                    batch, reader = self._read_stream(encoding, strict, now, deadline, st.st_size, blocks=True)
                except bulk.Fallback:
                    batch, reader = self._read_stream(encoding, strict, now, deadline, st.st_size, blocks=False)
            except UnicodeDecodeError:
                continue  # not UTF-8 after all: read again as Windows-1252, as the whole-file path does
            fingerprint = self.watch.finish(st, reader.count, reader.hash.hexdigest())
            if not last_is_newline(reader.tail, self.config.encoding):
                raise self._incomplete()
            return batch, fingerprint
        raise SourceError(f"berkas tidak bisa dibaca: {self.watch.shown}")  # cp1252 replaces, never fails

    def _read_stream(self, encoding: str, strict: bool, now: datetime, deadline: Deadline, size: int,
                     blocks: bool) -> tuple[Batch, HashingReader]:
        """One read of the whole file (hashed as it goes), by blocks (frames.py) or by the csv module."""
        reader = self.watch.open()
        errors = "strict" if strict else "replace"
        try:
            buffered = io.BufferedReader(reader, 1 << 20)
            if blocks:
                head, delimiter = frames.header(buffered, encoding, errors, self.config.delimiter, _sniff)
                self.mapper.check_header(head)
                batch = frames.read_blocks(buffered, encoding, errors, delimiter, head, _width(head), self.mapper,
                                           now, deadline, f"{self.watch.shown} baris", size)
            else:
                decimal = self._decimal(encoding, strict)
                text = io.TextIOWrapper(buffered, encoding=encoding, errors=errors, newline="")
                batch = self._columns(text, now, deadline, size, decimal)
            while reader.read(1 << 20):  # a header-only file: hash the rest all the same
                pass
        except OSError as exc:
            raise self.watch.open_error(exc) from None
        finally:
            reader.close()
        return batch, reader

    def _decimal(self, encoding: str, strict: bool) -> tuple[str | None, str | None]:
        """A first look over the value column: its decimal mark (see ``bulk.decimal_mark``)."""
        with self.watch.path.open(encoding=encoding, errors="strict" if strict else "replace", newline="") as text:
            first = text.readline()
            if not first.strip():
                return None, None  # reported as an empty file by the reading itself
            plain = csv.reader(itertools.chain([first], text), delimiter=self.config.delimiter or _sniff(first))
            header = next(plain, [])
            self.mapper.check_header(header)
            where = bulk.plan(self.mapper, header)
            if where is None or where["value"] is None:
                return None, None
            return bulk.decimal_mark(plain, _width(header), where["value"], where["columns"].value)

    def _columns(self, text: io.TextIOWrapper, now: datetime, deadline: Deadline, size: int,
                 decimal: tuple[str | None, str | None]) -> Batch:
        first = text.readline()
        if not first.strip():
            raise SourceError(f"berkas kosong: {self.watch.shown}")
        delimiter = self.config.delimiter or _sniff(first)
        plain = csv.reader(itertools.chain([first], text), delimiter=delimiter)
        header = next(plain, [])
        self.mapper.check_header(header)
        where = bulk.plan(self.mapper, header)
        if where is None:  # a shape only the row-by-row path reads; still streamed
            short: list[str] = []
            records = _records(plain, header, short, deadline, self.watch.shown)
            batch = self.mapper.apply_numbered(records, now, unit="baris")
            for reason in short:
                batch.reject(reason)
            return batch
        return bulk.read_long(plain, _width(header), where, self.mapper, now, deadline, f"{self.watch.shown} baris",
                              size, decimal, cells=len(header))

    def _decode(self, data: bytes) -> str:
        if self.config.encoding:
            return data.decode(self.config.encoding, errors="replace")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return data.decode("cp1252", errors="replace")


def _width(header: list[str]) -> int:
    """Cells a full row has: the header's, up to its last named column (a trailing ``;`` adds none)."""
    width = len(header)
    while width and not str(header[width - 1]).strip():
        width -= 1
    return width


def _records(plain: Any, header: list[str], short: list[str],
             deadline: Deadline, shown: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, record) of each non-empty row; a row shorter than the header goes to ``short``,
    named by the file as the mapper names a refused row (``data/dbd.csv baris 4: ...``)."""
    width = _width(header)
    for count, row in enumerate(plain, start=1):
        if count % CHECK_EVERY == 0:
            deadline.check()
        if not any(row):
            continue
        line = plain.line_num  # type: ignore[attr-defined]
        if len(row) < width:
            short.append(f"{shown} baris {line}: {len(row)} kolom, header punya {width} (baris terpotong?)")
            continue
        yield line, dict(zip(header, row, strict=False))


def _sniff(text: str) -> str:
    first = text.lstrip("\ufeff").splitlines()[0] if text else ""
    counts = {d: first.count(d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","

