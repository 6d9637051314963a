"""CSV exports dropped in a folder (e-Perizinan, SIMPUS and the like).

Indonesian spreadsheets save CSV with ``;`` between fields because ``,`` is the decimal mark, and
older tools save in Windows-1252; the delimiter is sniffed and the encoding falls back unless
``delimiter:`` / ``encoding:`` say otherwise. The file is read only when it changed.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Literal

from wallboard.sources.base import Batch, Source, SourceError
from wallboard.sources.files import FileConfig, FileWatch
from wallboard.sources.mapping import Mapper
from wallboard.sources.wide import read_wide


class CsvConfig(FileConfig):
    type: Literal["csv"]
    delimiter: str | None = None
    encoding: str | None = None


class CsvSource(Source):
    Config = CsvConfig
    config: CsvConfig

    def __init__(self, config: CsvConfig, context):
        super().__init__(config, context)
        self.watch = FileWatch(config, context.base_dir, wait=context.wait_for_files)
        self.mapper = Mapper(config, context)

    def discard(self) -> None:
        self.watch.forget()  # not stored: the retry reads the same file again

    def fetch(self, now: datetime) -> Batch:
        st = self.watch.changed()
        if st is None:
            return Batch(unchanged=True)
        try:
            data = self.watch.path.read_bytes()
        except OSError as exc:
            raise self.watch.open_error(exc) from None
        text = self._decode(data)
        if not text.strip():
            raise SourceError(f"berkas kosong: {self.watch.shown}")
        delimiter = self.config.delimiter or _sniff(text)
        if self.config.layout == "wide":
            plain = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
            rows = [(plain.line_num, row) for row in plain]
            batch = read_wide(rows, self.config, self.mapper, now,
                              lambda line, _col, label: f"baris {line} kolom {label!r}")
            self.watch.confirm(st)
            return batch
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = reader.fieldnames or []
        self.mapper.check_header(header)
        rows = ((reader.line_num, row) for row in reader if any(v not in (None, "") for v in row.values()))
        batch = self.mapper.apply_numbered(rows, now, unit="baris")  # numbered as lines of the file
        self.watch.confirm(st)
        return batch

    def _decode(self, data: bytes) -> str:
        if self.config.encoding:
            return data.decode(self.config.encoding, errors="replace")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return data.decode("cp1252", errors="replace")


def _sniff(text: str) -> str:
    first = text.lstrip("\ufeff").splitlines()[0] if text else ""
    counts = {d: first.count(d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","
