"""A big CSV split by pandas' C tokenizer a block at a time (frames.py) reads every row exactly as
the row-by-row path and as the csv-module streamed path (bulk.py) it replaced: the same readings,
refusals (file, row, column, reason), duplicates and combined rows, stored alike.

Blocks are made tiny here so a small real-shaped file spans many of them (line numbers carry over).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from tests.sources.test_bulk import FAULTS, HEADER, NOW, REPEATS, SOURCE, STOK, good_rows
from tests.sources.util import make_collector, settle, snapshot
from wallboard.sources import bulk, frames
from wallboard.sources import csv as csv_source
from wallboard.sources.values import ValueProblem, parse_number

MIXED = (
    "27/11/2026 12:00;12.75.01;harga_cabai;-1.250,5;minus\r\n"           # a negative, grouped, decimal comma
    "27/11/2026 12:00;12.75.02;harga_cabai;0,875;\r\n"                   # a leading 0, is a decimal
    "27/11/2026 12:00;12.75.03;harga_cabai;007;\r\n"                     # leading zeros
    "27/11/2026 12:00;12.75.04;harga_cabai;Rp 1,5 M;\r\n"                # an amount in words
    "27/11/2026 12:00;12.75.05;harga_cabai; 85,5 ;\r\n"                  # spaces around it
    "27/11/2026 13:00;12.75.01;harga_cabai;1.2.3;\r\n"                   # no number at all
    "27/11/2026 13:00;12.75.02;harga_cabai;;\r\n"                        # an empty value
    ";;;;\r\n"                                                          # an empty row: skipped
    "27/11/2026 13:00;12.75.03;harga_cabai;12;extra;cells;here\r\n"      # more cells than the header
    "27/11/2026 13:00;12.75.04;harga_cabai;5.555\r\n"                    # the keterangan cell missing: cut
    "27/11/2026 13:00;12.75.05;harga_cabai\r\n"                          # cut
    "27/11/2026 14\r\n"                                                 # cut inside the time
)
READ_BLOCKS, READ = frames.read_blocks, frames._read


def fetch_three(tmp_path: Path, text: str, monkeypatch, encoding: str = "utf-8") -> tuple:
    """(row by row, block reader, csv-module streamed) batches of one file, and whether the block
    reader read it itself (no fallback)."""
    from tests.sources.util import config_text
    from wallboard.config import parse_config
    from wallboard.sources.base import SourceContext

    path = tmp_path / "satudata.csv"
    path.write_bytes(text.encode(encoding))
    settle(path)
    config = parse_config(config_text("sqlite://", SOURCE), base=tmp_path).config
    context = SourceContext(config.site, {i.id: i for i in config.indicators}, tmp_path)
    fell_back = []
    real = READ

    def spy(*args, **kw):
        try:
            return real(*args, **kw)
        except bulk.Fallback:
            fell_back.append(True)
            raise

    monkeypatch.setattr(frames, "BLOCK", 97)  # many blocks, cut mid-line
    monkeypatch.setattr(frames, "_read", spy)
    batches = []
    for threshold, blocks in ((1 << 62, True), (0, True), (0, False)):
        monkeypatch.setattr(csv_source, "BULK_BYTES", threshold)
        monkeypatch.setattr(frames, "read_blocks", READ_BLOCKS if blocks else _never)
        batches.append(csv_source.CsvSource(config.source("satudata"), context).fetch(NOW))
    return (*batches, not fell_back)


def _never(*_args, **_kw):
    raise bulk.Fallback


def _same(a, b) -> None:
    assert list(a.readings) == list(b.readings)  # same readings, order, values bit for bit, origins
    assert (a.rejected, a.reasons, a.duplicates, a.warned, a.warnings) == (
        b.rejected, b.reasons, b.duplicates, b.warned, b.warnings)
    assert a.totals == b.totals and a.fingerprint == b.fingerprint


def test_block_reader_reads_a_mixed_file_as_row_by_row(tmp_path: Path, monkeypatch) -> None:
    text = HEADER + good_rows(150) + FAULTS + MIXED + good_rows(30)
    rows, blocks, streamed, own = fetch_three(tmp_path, text, monkeypatch)
    assert own, "the block reader fell back on a plain Indonesian file"
    assert type(blocks.readings).__name__ == "ReadingColumns"
    _same(blocks, rows)
    _same(blocks, streamed)
    assert len(rows.readings) == 150 + 6 and blocks.duplicates == 30  # the last 30 rows repeat the first 30
    values = {r.origin: r.value for r in blocks.readings}
    assert [values[f"satudata.csv baris {n}"] for n in range(158, 163)] == [-1250.5, 0.875, 7.0, 1.5e9, 85.5]
    assert values["satudata.csv baris 166"] == 12.0
    assert blocks.rejected == 5 + 5
    assert blocks.reasons[-1] == "satudata.csv baris 163 kolom 'nilai': bukan angka: '1.2.3'"


def test_block_reader_counts_duplicates_and_cut_rows_across_blocks(tmp_path: Path, monkeypatch) -> None:
    cut = "".join(f"27/11/2026 10:00;12.75.0{i % 5 + 1}\r\n" for i in range(8))  # more cut rows than reasons kept
    rows, blocks, streamed, own = fetch_three(tmp_path, HEADER + good_rows(60) + REPEATS + cut, monkeypatch)
    assert own
    _same(blocks, rows)
    _same(blocks, streamed)
    # 4 rows of stok_beras (not an indicator of this site), then the cut rows, 5 reasons kept
    assert blocks.duplicates == 1 and blocks.rejected == 4 + 8 and len(blocks.reasons) == 5
    assert blocks.reasons[4] == "satudata.csv baris 71: 2 kolom, header punya 5 (baris terpotong?)"


def test_quoted_or_dot_decimal_file_is_read_by_the_csv_module_with_the_same_results(tmp_path, monkeypatch) -> None:
    quoted = HEADER + '"27/11/2026 10:00";"12.75.01";"harga_cabai";"45.000";"pasar\r\nbaru"\r\n' + good_rows(20)
    rows, blocks, streamed, own = fetch_three(tmp_path, quoted, monkeypatch)
    assert not own  # a quoted cell may hold a line break: the csv module reads it
    _same(blocks, rows)
    assert blocks.readings[1].origin == "satudata.csv baris 4"  # the quoted row took two lines
    dot = HEADER + good_rows(20) + "27/11/2026 23:00;12.75.01;harga_cabai;2.75;\r\n"
    rows, blocks, streamed, own = fetch_three(tmp_path, dot, monkeypatch)
    assert not own  # the column proves a dot: judged over the whole file first
    _same(blocks, rows)
    rows, blocks, streamed, own = fetch_three(tmp_path, HEADER + good_rows(20) + "27/11/2026 10:00;12.75.01;"
                                              "harga_cabai;45.250;Pasar – éd.\r\n", monkeypatch, "cp1252")
    _same(blocks, rows)


def test_numbers_read_at_once_equal_parse_number(tmp_path: Path) -> None:
    """Every distinct text of a value column read by the vectorised expression is the float
    ``parse_number`` gives (or the same refusal), over shapes real files hold and random ones."""
    pick = random.Random(20)
    texts = ["0", "-0", "00", "007", "1.234", "1.234.567,89", "-1.234,5", "85,5", "0,875", "0.875", "12,",
             ",5", "1..234", "1.23", "1.2345", "12.345.678.901.234,123456789012345678", "Rp 1,5 M", "15 rb",
             "1,2 jt", " 85,5", "85,5\n", "", "-", "9" * 400, "1e5", "١٢", "²"]
    for _ in range(3000):
        whole = str(pick.randrange(10 ** pick.randrange(1, 16)))
        grouped = f"{int(whole):,}".replace(",", ".") if pick.random() < 0.5 else whole
        fraction = "".join(pick.choices("0123456789", k=pick.randrange(0, 18)))
        texts.append(("-" if pick.random() < 0.2 else "") + grouped + ("," + fraction if fraction else ""))
    from wallboard.columns import ReadingColumns
    from wallboard.records import Batch

    class _Mapper:
        zone = UTC
        site = "12.75"
        config = type("C", (), {"indicator": None})()

    convert = bulk.Converter(_Mapper(), type("Cols", (), {"value": "nilai", "time": None, "region": None,
                                                          "indicator": None})(),
                             datetime.now(UTC), ReadingColumns(), Batch())
    good, problems = convert._numbers(np.array(texts, dtype=object))
    for i, text in enumerate(texts):
        try:
            expected = parse_number(text)
        except ValueProblem as problem:
            assert str(problems[i]) == str(problem), text
            continue
        assert i not in problems and good[i] == expected and np.signbit(good[i]) == np.signbit(expected), text


def test_block_reader_stores_what_row_by_row_stores(db_url: str, tmp_path: Path, monkeypatch) -> None:
    """Through the collector and the store: rows of one key combined by aggregate, a ``last``
    conflict refused naming both rows, a duplicate counted once, refusals named; the same tables."""
    from sqlalchemy import create_engine

    from tests.sources import util
    from wallboard.store.schema import metadata

    monkeypatch.setattr(util, "INDICATORS", util.INDICATORS + STOK)
    monkeypatch.setattr(frames, "BLOCK", 500)
    path = tmp_path / "satudata.csv"
    path.write_text(HEADER + good_rows(300) + REPEATS + FAULTS + MIXED, encoding="utf-8", newline="")
    settle(path)
    seen = []
    for threshold, blocks in ((1 << 62, True), (0, True), (0, False)):
        monkeypatch.setattr(csv_source, "BULK_BYTES", threshold)
        monkeypatch.setattr(frames, "read_blocks", READ_BLOCKS if blocks else _never)
        collector, store = make_collector(db_url, SOURCE, tmp_path)
        try:
            run = collector.run("satudata", NOW)
            assert run.ok and (run.combined, run.duplicates) == (3, 1), run
            seen.append((snapshot(store), run.rows, run.rejected, run.combined, run.duplicates, run.error, run.notes))
        finally:
            engine = create_engine(db_url)
            metadata.drop_all(engine)
            engine.dispose()
            store.close()
    assert seen[0] == seen[1] == seen[2]


@pytest.mark.parametrize("block", [b"a;b\r\nc;d\r\n", b"a;b\nc"])
def test_blocks_are_whole_lines(block: bytes, monkeypatch) -> None:
    import io

    monkeypatch.setattr(frames, "BLOCK", 3)
    parts = list(frames._blocks(io.BufferedReader(io.BytesIO(block))))
    assert b"".join(parts) == block and all(p.endswith(b"\n") for p in parts[:-1])
