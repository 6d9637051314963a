"""A big CSV is streamed into columns (bulk.py); it must read every row exactly as the row-by-row path.

The streamed path starts at ``csv.BULK_BYTES``; here that is lowered to 0 so small, real-shaped
files go through it, and every result is compared with the row-by-row path on the same file.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.sources.util import make_collector, settle, snapshot
from wallboard.sources import csv as csv_source

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
MIDNIGHT = int(datetime(2026, 10, 31, 17, 0, tzinfo=UTC).timestamp())  # 01/11/2026 00:00 WIB
SOURCE = """
  - id: satudata
    type: csv
    path: satudata.csv
    every: 1h
    columns: {time: waktu, region: kode_wilayah, indicator: indikator, value: nilai}
"""
HEADER = "waktu;kode_wilayah;indikator;nilai;keterangan\r\n"
FAULTS = (
    "27/11/2026 10:00;12.75.01;harga_cabai;sepuluh;\r\n"          # not a number
    "27/11/2026 10:00;99.99.99;harga_cabai;45.000;\r\n"           # region outside Binjai
    "31/02/2026 10:00;12.75.02;harga_cabai;45.000;\r\n"           # no such date
    "27/11/2026 10:00;12.75.03;bawang_putih;30.000;\r\n"          # unknown indicator
    "27/11/2026 10:00;12.75.04\r\n"                               # a cut row
    "\r\n"                                                        # a blank line
)


def good_rows(n: int) -> str:
    """Real-shaped rows: five kecamatan, hourly, prices and counts written the Indonesian way."""
    regions = ["12.75.01", "127502", "Binjai Timur", "12.75.04", "12.75.05"]
    out = []
    for i in range(n):
        hour, place = divmod(i, len(regions))
        when = f"{1 + hour // 24:02d}/11/2026 {hour % 24:02d}:00"
        if i % 3 == 0:
            out.append(f"{when};{regions[place]};Harga beras medium;{14_000 + i * 5:,};pasar\r\n".replace(",", "."))
        elif i % 3 == 1:
            out.append(f"{when};{regions[place]};harga_cabai;{45 + i % 40}.{i % 1000:03d},{i % 10};\r\n")
        else:
            out.append(f"{when};{regions[place]};izin_terbit;{i % 17};\r\n")
    return "".join(out)


def both_paths(tmp_path: Path, text: str, encoding: str = "utf-8") -> tuple:
    """(row-by-row batch, streamed batch) of one file, read by the source alone."""
    from tests.sources.util import config_text
    from wallboard.config import parse_config
    from wallboard.sources.base import SourceContext

    path = tmp_path / "satudata.csv"
    path.write_bytes(text.encode(encoding))
    settle(path)
    config = parse_config(config_text("sqlite://", SOURCE), base=tmp_path).config
    context = SourceContext(config.site, {i.id: i for i in config.indicators}, tmp_path)
    batches = []
    for threshold in (1 << 62, 0):
        source = csv_source.CsvSource(config.source("satudata"), context)
        original = csv_source.BULK_BYTES
        csv_source.BULK_BYTES = threshold
        try:
            batches.append(source.fetch(NOW))
        finally:
            csv_source.BULK_BYTES = original
    return tuple(batches)


def test_streamed_rows_are_read_exactly_as_row_by_row(tmp_path: Path) -> None:
    rows, streamed = both_paths(tmp_path, HEADER + good_rows(40) + FAULTS)
    assert type(streamed.readings).__name__ == "ReadingColumns" and isinstance(rows.readings, list)
    assert list(streamed.readings) == rows.readings  # same readings, same order, same values bit for bit
    assert len(rows.readings) == 40
    assert (streamed.rejected, sorted(streamed.reasons)) == (rows.rejected, sorted(rows.reasons)) == (5, sorted([
        "satudata.csv baris 42 kolom 'nilai': bukan angka: 'sepuluh'",
        "satudata.csv baris 43 kolom 'kode_wilayah': kode wilayah tidak dikenal: '99.99.99'",
        "satudata.csv baris 44 kolom 'waktu': waktu tidak dikenali: '31/02/2026 10:00'",
        "satudata.csv baris 45 kolom 'indikator': indikator tidak dikenal: 'bawang_putih'",
        "satudata.csv baris 46: 2 kolom, header punya 5 (baris terpotong?)",
    ]))
    assert streamed.readings[0].origin == "satudata.csv baris 2"  # where an admin finds it
    assert streamed.fingerprint == rows.fingerprint and streamed.fingerprint.digest


def test_streamed_column_decimal_mark_is_judged_over_the_whole_file(tmp_path: Path) -> None:
    """A column whose values prove a dot (2.75, far down the file) reads 1.234 as 1.234 on both paths;
    one that proves both marks is refused whole on both."""
    early = "27/11/2026 10:00;12.75.01;harga_cabai;1.234;\r\n"
    dot = early + "".join(f"27/11/2026 {h:02d}:00;12.75.02;harga_cabai;1;\r\n" for h in range(11, 23))
    rows, streamed = both_paths(tmp_path, HEADER + dot + "27/11/2026 23:00;12.75.01;harga_cabai;2.75;\r\n")
    assert list(streamed.readings) == rows.readings and rows.readings[0].value == 1.234
    rows, streamed = both_paths(tmp_path, HEADER + dot + "27/11/2026 23:00;12.75.01;harga_cabai;2.75;\r\n"
                                "27/11/2026 23:00;12.75.03;harga_cabai;1,5;\r\n")
    assert list(streamed.readings) == rows.readings == []
    assert (streamed.rejected, streamed.reasons) == (rows.rejected, rows.reasons) == (15, [
        f"satudata.csv baris {n}: kolom 'nilai' mencampur tanda desimal: '2.75' (titik) dan '1,5' (koma)"
        for n in range(2, 7)])


def test_streamed_windows_1252_file_falls_back_like_the_whole_file(tmp_path: Path) -> None:
    text = HEADER + "27/11/2026 10:00;12.75.01;harga_cabai;45.250;Pasar Kaget – éd.\r\n"
    rows, streamed = both_paths(tmp_path, text, encoding="cp1252")
    assert list(streamed.readings) == rows.readings and [r.value for r in rows.readings] == [45250.0]


def test_streamed_file_without_final_line_break_is_refused(tmp_path: Path, monkeypatch) -> None:
    """The check on the bytes actually read: the file's tail looked complete, what was read is not."""
    from wallboard.sources import files

    monkeypatch.setattr(files, "last_is_newline", lambda tail, encoding: True)  # the look before: fooled
    monkeypatch.setattr(csv_source, "BULK_BYTES", 0)
    monkeypatch.setattr(csv_source, "last_is_newline", lambda tail, encoding: tail.endswith(b"\n"))
    from tests.sources.util import config_text
    from wallboard.config import parse_config
    from wallboard.sources.base import SourceContext, SourceError

    path = tmp_path / "satudata.csv"
    path.write_text(HEADER + "27/11/2026 10:00;12.75.01;harga_cabai;5.55", encoding="utf-8")
    settle(path)
    config = parse_config(config_text("sqlite://", SOURCE), base=tmp_path).config
    source = csv_source.CsvSource(config.source("satudata"),
                                  SourceContext(config.site, {i.id: i for i in config.indicators}, tmp_path))
    with pytest.raises(SourceError, match="tidak diakhiri baris baru"):
        source.fetch(NOW)


def test_streamed_file_stores_what_row_by_row_stores(db_url: str, tmp_path: Path, monkeypatch) -> None:
    """Through the collector and the store (COPY on PostgreSQL past 100 rows), duplicate keys included:
    readings, latest and rollups come out the same, a repeated key combined by its aggregate (mean)."""
    from sqlalchemy import create_engine, text

    from wallboard.store.schema import metadata

    duplicate = "01/11/2026 00:00;12.75.01;Harga beras medium;99.999;\r\n"  # the same key as line 2, later
    content = HEADER + good_rows(600) + duplicate + FAULTS
    path = tmp_path / "satudata.csv"
    path.write_text(content, encoding="utf-8", newline="")
    settle(path)
    seen = []
    for threshold in (1 << 62, 0):
        monkeypatch.setattr(csv_source, "BULK_BYTES", threshold)
        collector, store = make_collector(db_url, SOURCE, tmp_path)
        try:
            run = collector.run("satudata", NOW)
            assert run.ok and run.rows == 600 and run.rejected == 5 and run.combined == 1, run
            seen.append(snapshot(store))
            with store.engine.connect() as conn:
                first = conn.execute(text("SELECT value FROM readings WHERE indicator = 'harga_beras' "
                                          "AND region = '12.75.01' AND ts = :ts"), {"ts": MIDNIGHT}).scalar()
            assert first == (14_000 + 99_999) / 2  # harga_beras is a mean: both rows, not the last one alone
        finally:
            engine = create_engine(db_url)
            metadata.drop_all(engine)
            engine.dispose()
            store.close()
    assert seen[0] == seen[1]


STOK = "  - {id: stok_beras, label: Stok beras gudang, unit: ton, aggregate: last}\n"
REPEATS = (
    "27/11/2026 10:00;12.75.01;izin_terbit;3;Puskesmas Binjai Kota\r\n"      # sum: one row per puskesmas
    "27/11/2026 10:00;12.75.01;izin_terbit;4;Puskesmas Berngam\r\n"
    "27/11/2026 10:00;12.75.03;izin_terbit;7;Puskesmas Tanah Tinggi\r\n"
    "27/11/2026 10:00;12.75.03;izin_terbit;7;Puskesmas Tanah Tinggi\r\n"     # the row above again: a duplicate
    "27/11/2026 10:00;12.75.01;izin_terbit;5;Puskesmas Kebun Lada\r\n"
    "27/11/2026 10:00;12.75.02;stok_beras;120;gudang Bulog\r\n"              # last: two figures, refused both
    "27/11/2026 10:00;12.75.02;stok_beras;100;gudang Dolog\r\n"
    "27/11/2026 10:00;12.75.04;stok_beras;80;gudang Bulog\r\n"               # last: the same figure twice, one
    "27/11/2026 10:00;12.75.04;stok_beras;80;gudang Dolog\r\n"
)


def test_streamed_repeated_keys_and_duplicates_as_row_by_row(db_url: str, tmp_path: Path, monkeypatch) -> None:
    """One row per puskesmas added up, a ``last`` conflict refused naming both rows, a duplicate row
    counted once: the streamed path stores, counts and reports exactly what the row-by-row path does."""
    from sqlalchemy import create_engine, text

    from tests.sources import util
    from wallboard.store.schema import metadata

    monkeypatch.setattr(util, "INDICATORS", util.INDICATORS + STOK)
    path = tmp_path / "satudata.csv"
    path.write_text(HEADER + good_rows(200) + REPEATS, encoding="utf-8", newline="")
    settle(path)
    seen = []
    ts = int(datetime(2026, 11, 27, 3, 0, tzinfo=UTC).timestamp())  # 10:00 WIB
    for threshold in (1 << 62, 0):
        monkeypatch.setattr(csv_source, "BULK_BYTES", threshold)
        collector, store = make_collector(db_url, SOURCE, tmp_path)
        try:
            run = collector.run("satudata", NOW)
            assert run.ok and run.rows == 200 + 3, run  # izin 12.75.01, izin 12.75.03, stok 12.75.04
            assert (run.rejected, run.combined, run.duplicates) == (2, 3, 1), run
            assert run.error == ("2 record ditolak: satudata.csv baris 207 dan baris 208: dua nilai berbeda untuk "
                                 "stok_beras 12.75.02 (120 dan 100); aggregate: last tidak bisa menggabungkan")
            assert run.notes == "satudata.csv baris 205 sama persis dengan baris 204 (duplikat, dihitung sekali)"
            with store.engine.connect() as conn:
                got = dict(conn.execute(text("SELECT indicator || ' ' || region, value FROM readings "
                                             "WHERE ts = :ts"), {"ts": ts}).all())
            assert got == {"izin_terbit 12.75.01": 12.0, "izin_terbit 12.75.03": 7.0, "stok_beras 12.75.04": 80.0}
            seen.append((snapshot(store), run.rows, run.rejected, run.combined, run.duplicates, run.error, run.notes))
        finally:
            engine = create_engine(db_url)
            metadata.drop_all(engine)
            engine.dispose()
            store.close()
    assert seen[0] == seen[1]


def test_streamed_path_every_key_once_combines_nothing(tmp_path: Path) -> None:
    """The usual big file: no key twice, so the columns are left as read (no row becomes an object)."""
    from wallboard.combine import combine

    _, streamed = both_paths(tmp_path, HEADER + good_rows(40))
    before = list(streamed.readings)
    combine(streamed, {})
    assert list(streamed.readings) == before and (streamed.combined, streamed.duplicates) == (0, 0)


def test_streamed_total_row_is_a_total_as_row_by_row(tmp_path: Path) -> None:
    """A JUMLAH row among kecamatan rows is the source's own total on both paths: kept aside in
    ``batch.totals`` for the collector to check, never stored as the city's reading."""
    rows_text = (
        "27/11/2026 10:00;12.75.01;izin_terbit;3;\r\n"
        "27/11/2026 10:00;12.75.02;izin_terbit;4;\r\n"
        "27/11/2026 10:00;JUMLAH;izin_terbit;7;\r\n"
        "27/11/2026 11:00;Kota Binjai;izin_terbit;9;\r\n"   # no kecamatan rows at 11:00: the city's own figure
    )
    rows, streamed = both_paths(tmp_path, HEADER + rows_text)
    assert [(t.region, t.value, t.origin) for t in rows.totals] == [("12.75", 7.0, "satudata.csv baris 4")]
    assert streamed.totals == rows.totals and [t.origin for t in streamed.totals] == ["satudata.csv baris 4"]
    assert list(streamed.readings) == rows.readings and [r.value for r in rows.readings] == [3.0, 4.0, 9.0]
