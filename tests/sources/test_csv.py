"""CSV source through the collector on SQLite and PostgreSQL: mapping, change detection, every file fault."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.sources.util import make_collector, settle, snapshot

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
SOURCE = """
  - id: perizinan
    type: csv
    path: perizinan.csv
    every: 5m
    columns: {time: tanggal, region: kode_kecamatan, value: jumlah}
    indicator: izin_terbit
"""
GOOD = "tanggal;kode_kecamatan;jumlah\n27/11/2026;12.75.01;1.234\n27/11/2026;127502;12\n26/11/2026;Binjai Kota;7\n"


@pytest.fixture
def perizinan(db_url: str, tmp_path: Path):
    collector, store = make_collector(db_url, SOURCE, tmp_path)
    path = tmp_path / "perizinan.csv"
    path.write_text(GOOD, encoding="utf-8")
    settle(path)
    yield collector, store, path
    store.close()


def ts(text: str) -> int:
    from zoneinfo import ZoneInfo

    return int(datetime.strptime(text, "%d/%m/%Y").replace(tzinfo=ZoneInfo("Asia/Jakarta")).timestamp())


def test_rows_become_readings(perizinan) -> None:
    collector, store, _ = perizinan
    run = collector.run("perizinan", NOW)
    assert run.ok and run.rows == 3 and run.rejected == 0, run
    latest = {r.region: (r.ts, r.value) for r in store.latest(["izin_terbit"])["izin_terbit"]}
    # codes with or without dots, or the kecamatan name ("Binjai Kota" is 12.75.02)
    assert latest["12.75.01"] == (ts("27/11/2026"), 1234.0)
    assert latest["12.75.02"][0] == ts("27/11/2026")
    assert store.count_readings() == 3


def test_file_is_read_again_only_when_it_changed(perizinan) -> None:
    collector, store, path = perizinan
    assert collector.run("perizinan", NOW).rows == 3
    unchanged = collector.run("perizinan", NOW)
    assert unchanged.ok and unchanged.rows == 0 and unchanged.error is None
    path.write_text(GOOD + "28/11/2026;12.75.03;5\n", encoding="utf-8")
    settle(path, 30)
    again = collector.run("perizinan", NOW)
    assert again.ok and again.rows == 4
    assert store.count_readings() == 4


def test_half_written_file_is_not_read(perizinan) -> None:
    collector, store, path = perizinan
    collector.run("perizinan", NOW)
    before = snapshot(store)
    path.write_text(GOOD + "28/11/2026;12.75.03;9", encoding="utf-8")  # just modified: still being written
    run = collector.run("perizinan", NOW)
    assert not run.ok and "sedang ditulis" in run.error
    assert snapshot(store) == before
    settle(path)  # the writer paused longer than settle: the file looks finished, its last line is cut
    cut = collector.run("perizinan", NOW)
    assert not cut.ok
    assert cut.error == "berkas belum lengkap (tidak diakhiri baris baru): perizinan.csv; dibaca lagi nanti"
    assert snapshot(store) == before
    with path.open("a", encoding="utf-8") as f:
        f.write("0\n")  # the writer finishes the line: 90, not the 9 a cut read would have stored
    settle(path)
    assert collector.run("perizinan", NOW).rows == 4  # recovers on its own once the file is complete
    assert {r.region: r.value for r in store.latest(["izin_terbit"])["izin_terbit"]}["12.75.03"] == 90.0


def test_constant_indicator_semicolon_comma_decimals(db_url: str, tmp_path: Path) -> None:
    source = """
  - id: beras
    type: csv
    path: beras.csv
    every: 1h
    columns: {time: Tanggal, value: Harga, indicator: =harga_beras}
"""
    collector, store = make_collector(db_url, source, tmp_path)
    try:
        path = tmp_path / "beras.csv"
        path.write_bytes("Tanggal;Harga\n2026-11-27 14:05;Rp 15.250,50\n".encode("cp1252"))
        settle(path)
        run = collector.run("beras", NOW)
        assert run.ok, run
        [row] = store.latest(["harga_beras"])["harga_beras"]
        assert (row.region, row.value) == ("12.75", 15250.5)  # no region column: the whole city
        assert row.ts == int(datetime(2026, 11, 27, 7, 5, tzinfo=UTC).timestamp())
    finally:
        store.close()


BAD_ROWS = (
    "tanggal;kode_kecamatan;jumlah\n"
    "27/11/2026;12.75.01;10\n"
    "27/11/2026;12.75.02;sepuluh\n"     # not a number
    "27/11/2026;99.99.99;4\n"           # region outside Binjai
    "31/02/2026;12.75.03;4\n"           # no such date
    "27/11/2026;12.75.04;\n"            # empty value
)


def test_invalid_rows_counted_valid_rows_written(perizinan) -> None:
    collector, store, path = perizinan
    path.write_text(BAD_ROWS, encoding="utf-8")
    settle(path)
    run = collector.run("perizinan", NOW)
    assert run.ok and run.rows == 1 and run.rejected == 4
    assert "4 record ditolak" in run.error
    # the line number in the file (header is line 1) and the column
    assert "baris 3 kolom 'jumlah': bukan angka: 'sepuluh'" in run.error
    assert "baris 4 kolom 'kode_kecamatan': kode wilayah tidak dikenal: '99.99.99'" in run.error
    assert [r.region for r in store.latest(["izin_terbit"])["izin_terbit"]] == ["12.75.01"]


@pytest.mark.parametrize(("content", "reason"), [
    ("tanggal;kecamatan;total\n27/11/2026;12.75.01;3\n", "kolom 'kode_kecamatan', 'jumlah' tidak ada"),
    ("tanggal;kode_kecamatan;jumlah\n", "tidak ada data"),
    ("", "berkas kosong"),
    ("tanggal;kode_kecamatan;jumlah\n27/11/2026;12.75.01;x\n", "semua 1 record ditolak"),
    (None, "berkas tidak ditemukan: perizinan.csv"),
])
def test_faults_leave_the_store_unchanged(perizinan, content: str | None, reason: str) -> None:
    collector, store, path = perizinan
    assert collector.run("perizinan", NOW).ok
    before = snapshot(store)
    if content is None:
        path.unlink()
    else:
        path.write_text(content, encoding="utf-8")
        settle(path, 10)
    run = collector.run("perizinan", NOW)
    assert not run.ok and reason in run.error, run.error
    assert snapshot(store) == before
    assert store.source_status(["perizinan"])["perizinan"].last_error == run.error


def test_locked_file(perizinan, monkeypatch) -> None:
    collector, store, path = perizinan
    before = snapshot(store)
    real = Path.read_bytes

    def locked(self):  # noqa: ANN001, ANN202 - what Windows shares answer while Excel holds the file
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", locked)
    run = collector.run("perizinan", NOW)
    assert not run.ok and "terkunci" in run.error
    assert snapshot(store) == before
    monkeypatch.undo()
    assert collector.run("perizinan", NOW).rows == 3


def test_config_needs_an_indicator(tmp_path: Path) -> None:
    from tests.sources.util import config_text
    from wallboard.config import ConfigError, parse_config

    text = config_text("sqlite://", "  - {id: x, type: csv, path: a.csv, columns: {value: n}}")
    with pytest.raises(ConfigError) as info:
        parse_config(text)
    assert [str(p) for p in info.value.problems] == [
        "config.yaml:5:5: sources[0]: say which indicator the rows are: indicator: ID, or columns: {indicator: COLUMN}"]
    # either way of saying it is enough
    for fixed in ("indicator: izin_terbit, columns: {value: n}", "columns: {value: n, indicator: =izin_terbit}"):
        config = parse_config(text.replace("columns: {value: n}", fixed)).config
        assert config.source("x").indicator_ids() == ["izin_terbit"]


def test_file_growing_while_read_is_not_taken(perizinan, monkeypatch) -> None:
    collector, store, path = perizinan
    before = snapshot(store)
    real = Path.read_bytes

    def writer_still_appending(self):  # noqa: ANN001, ANN202
        data = real(self)
        if self == path:
            with path.open("a", encoding="utf-8") as f:  # the exporting program writes on meanwhile
                f.write("28/11/2026;12.75.05;3\n")
        return data

    monkeypatch.setattr(Path, "read_bytes", writer_still_appending)
    run = collector.run("perizinan", NOW)
    assert not run.ok and "berubah saat dibaca" in run.error
    assert snapshot(store) == before


def test_failures_count_on_across_restarts(perizinan, db_url: str, tmp_path: Path) -> None:
    from tests.sources.util import make_collector as fresh_collector

    collector, store, path = perizinan
    path.unlink()
    assert collector.run("perizinan", NOW).failures == 1
    again, store2 = fresh_collector(db_url, SOURCE, tmp_path)  # a new process, same database
    try:
        assert again.run("perizinan", NOW).failures == 2
    finally:
        store2.close()
