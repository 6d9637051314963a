"""Excel workbooks (.xlsx) from the offices that keep their figures in a spreadsheet.

The first non-empty row of the sheet is the header. Cells keep their types (numbers, dates), and
dates without a zone are read in the site's zone. A cell merged down over several rows (a
kecamatan over its desa rows) gives its value to every row it spans. A workbook is read only when
it is a whole zip (its directory readable and every member's checksum right): one still being
saved, or cut short on a slow share, fails the run with a reason and is read again on the next try.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from wallboard.secrets import expand
from wallboard.sources.base import Batch, Deadline, Fingerprint, Source, SourceError
from wallboard.sources.excel_merged import merged_ranges, spread_merged
from wallboard.sources.files import FileConfig, FileWatch
from wallboard.sources.mapping import Mapper
from wallboard.sources.wide import read_wide


class ExcelConfig(FileConfig):
    type: Literal["excel"]
    sheet: str | None = None


CHECK_EVERY = 1000  # rows between looks at the run's deadline


def whole_zip(path: Path, st: os.stat_result) -> str | None:
    """An .xlsx is a zip: complete when its central directory (written last) reads and every
    member's checksum is right."""
    try:
        with zipfile.ZipFile(path) as book:
            bad = book.testzip()
    except (zipfile.BadZipFile, EOFError, ValueError, KeyError, zlib.error):
        return "bukan zip utuh"
    except OSError:
        return None  # locked or gone: reading says which
    return f"isi zip rusak: {bad}" if bad else None


class ExcelSource(Source):
    Config = ExcelConfig
    config: ExcelConfig
    remembers_files = True

    def __init__(self, config: ExcelConfig, context):
        super().__init__(config, context)
        self.watch = FileWatch(config, context.base_dir, wait=context.wait_for_files, complete=whole_zip)
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
        count, digest = self.watch.digest()
        fingerprint = self.watch.finish(st, count, digest)
        if self.watch.already_stored(fingerprint):
            return Batch(unchanged=True)  # saved again with the same content
        batch = self._read(now, deadline)
        self.watch.finish(st, count, digest)  # still the same file after reading it
        batch.fingerprint = fingerprint
        self.watch.confirm(fingerprint)
        return batch

    def _read(self, now: datetime, deadline: Deadline) -> Batch:
        from openpyxl import load_workbook

        wide = self.config.layout == "wide"
        try:
            # Merged header cells are only known to a fully loaded workbook; reports are small.
            book = load_workbook(self.watch.path, read_only=not wide, data_only=True)
        except OSError as exc:
            raise self.watch.open_error(exc) from None
        except (zipfile.BadZipFile, KeyError, ValueError, EOFError) as exc:
            raise SourceError(
                f"berkas Excel tidak bisa dibuka (mungkin sedang disimpan): {self.watch.shown}: {exc}"
            ) from None
        try:
            deadline.check()
            if self.config.sheet is not None:
                name = expand(self.config.sheet)
                if name not in book.sheetnames:
                    raise SourceError(f"lembar {name!r} tidak ada (yang ada: {', '.join(book.sheetnames)})")
                sheet = book[name]
            else:
                sheet = book.worksheets[0]
            if wide:
                batch = _wide(sheet, self.config, self.mapper, now, self.watch.shown)
                deadline.check()
                return batch
            rows = _watched(enumerate(sheet.iter_rows(values_only=True), start=1), deadline)
            found = _header(rows)
            if found is None:
                raise SourceError(f"lembar kosong: {sheet.title}")
            line, header = found
            self.mapper.check_header(header)
            merged = [m for m in merged_ranges(self.watch.path, sheet) if m[0] > line and m[2] > m[0]]
            records = _records(header, spread_merged(rows, merged))
            batch = self.mapper.apply_numbered(records, now, unit="baris")  # as rows of the sheet
            deadline.check()
            return batch
        finally:
            book.close()


def _watched(rows: Any, deadline: Deadline) -> Any:
    """The rows, looking at the run's deadline every ``CHECK_EVERY``."""
    for line, row in rows:
        if line % CHECK_EVERY == 0:
            deadline.check()
        yield line, row


def _wide(sheet: Any, config: ExcelConfig, mapper: Mapper, now: datetime, shown: str) -> Batch:
    from openpyxl.utils import get_column_letter

    if sheet.max_row < 1 or sheet.max_column < 1:
        raise SourceError(f"lembar kosong: {sheet.title}")
    rows = [(n, list(row)) for n, row in enumerate(
        sheet.iter_rows(min_row=1, min_col=1, max_col=sheet.max_column, values_only=True), start=1)]
    merged = [(r.min_row, r.min_col - 1, r.max_row, r.max_col - 1) for r in sheet.merged_cells.ranges]
    return read_wide(rows, config, mapper, now,
                     lambda line, col, label: f"sel {get_column_letter(col + 1)}{line} ({label})", merged, shown)


def _header(rows: Any) -> tuple[int, list[Any]] | None:
    for line, row in rows:
        if any(cell not in (None, "") for cell in row):
            return line, [str(c).strip() if c is not None else None for c in row]
    return None


def _records(header: list[Any], rows: Any) -> Any:
    for line, row in rows:
        if any(cell not in (None, "") for cell in row):
            yield line, {name: cell for name, cell in zip(header, row, strict=False) if name}
