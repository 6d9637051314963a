"""File sources (csv, excel): a half-written file is never read, a file is stored once, timeouts.

The half-written case is the one seen at a Dinas: an export over a slow share pauses longer than
the settle time, `wallboard collect --once` runs during the pause and used to store ``5.55`` for a
row that says ``5.555,5``. The writer here is a thread that stops half-way and waits on an Event
while the collector runs, then finishes.
"""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import Workbook

from tests.sources.util import config_text, make_collector, settle, snapshot
from wallboard.collect import run_once
from wallboard.config import load_config

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

# Satu Data style long layout, Indonesian decimals; the cut falls inside 5.555,5.
HARGA = (
    "time;kode_wilayah;indikator;nilai\r\n"
    "27/11/2026 08:00;12.75.01;harga_cabai;45.250\r\n"
    "27/11/2026 08:00;12.75.02;harga_cabai;47.000\r\n"
    "27/11/2026 08:00;12.75.03;harga_beras;5.555,5\r\n"
)
CUT_AT = HARGA.index("5.555,5") + len("5.55")
HARGA_SOURCE = """
  - id: harga
    type: csv
    path: data/harga.csv
    every: 5m
    settle: 1s
    timeout: 2s
    columns: {time: time, region: kode_wilayah, indicator: indikator, value: nilai}
"""


class Writer(threading.Thread):
    """An export written in two halves, pausing in between until told to go on."""

    def __init__(self, path: Path, data: bytes, cut: int):
        super().__init__(daemon=True)
        self.path, self.data, self.cut = path, data, cut
        self.paused = threading.Event()
        self.go_on = threading.Event()

    def run(self) -> None:
        with self.path.open("wb") as f:
            f.write(self.data[: self.cut])
            f.flush()
            self.paused.set()
            self.go_on.wait(30)
            f.write(self.data[self.cut:])


def once(tmp_path: Path, db_url: str, sources: str) -> tuple[int, str]:
    config = tmp_path / "config.yaml"
    config.write_text(config_text(db_url, sources))
    out = io.StringIO()
    return run_once(load_config(config), None, out), out.getvalue()


def values(store) -> dict[tuple[str, str], float]:  # noqa: ANN001
    latest = store.latest(["harga_beras", "harga_cabai"])
    return {(ind, r.region): r.value for ind, rows in latest.items() for r in rows}


def test_csv_half_written_during_collect_once_is_not_read(db_url: str, tmp_path: Path) -> None:
    from wallboard.store import Store

    path = tmp_path / "data" / "harga.csv"
    path.parent.mkdir()
    writer = Writer(path, HARGA.encode("utf-8"), CUT_AT)
    writer.start()
    assert writer.paused.wait(10)
    try:
        code, table = once(tmp_path, db_url, HARGA_SOURCE)  # during the writer's pause
    finally:
        writer.go_on.set()
        writer.join(10)
    assert code == 1, table
    reason = "berkas belum lengkap (tidak diakhiri baris baru) setelah 2 dtk: data/harga.csv"
    assert reason in table, table
    store = Store.open(db_url)
    try:
        assert store.count_readings() == 0  # nothing of the cut file, not even its complete rows
        assert store.runs("harga", 1)[0].error == reason
        code, table = once(tmp_path, db_url, HARGA_SOURCE)  # the export is finished now
        assert code == 0, table
        assert values(store) == {("harga_cabai", "12.75.01"): 45250.0, ("harga_cabai", "12.75.02"): 47000.0,
                                 ("harga_beras", "12.75.03"): 5555.5}
    finally:
        store.close()


def test_scheduled_run_on_a_cut_file_fails_and_changes_nothing(db_url: str, tmp_path: Path) -> None:
    collector, store = make_collector(db_url, HARGA_SOURCE, tmp_path)
    try:
        path = tmp_path / "data" / "harga.csv"
        path.parent.mkdir()
        path.write_text(HARGA, encoding="utf-8", newline="")
        settle(path)
        assert collector.run("harga", NOW).ok
        before = snapshot(store)
        # The next export stopped after a whole row (a share that pauses between lines) and mid-value.
        path.write_text(HARGA.replace("45.250", "46.000")[:CUT_AT], encoding="utf-8", newline="")
        settle(path, 30)
        run = collector.run("harga", NOW)
        assert not run.ok
        assert run.error == "berkas belum lengkap (tidak diakhiri baris baru): data/harga.csv; dibaca lagi nanti"
        assert snapshot(store) == before  # not even the complete, changed first row
    finally:
        store.close()


def test_short_row_is_refused_by_line_not_guessed(db_url: str, tmp_path: Path) -> None:
    source = """
  - id: izin
    type: csv
    path: izin.csv
    every: 5m
    columns: {time: tanggal, value: jumlah, region: kode_kecamatan}
    indicator: izin_terbit
"""
    collector, store = make_collector(db_url, source, tmp_path)
    try:
        path = tmp_path / "izin.csv"
        # Lines 3 and 4 lost their last cells (an export cut off and resumed): 1.2 may be 1.250 cut
        # short; read as it was it would have been stored as 1.2.
        path.write_text("tanggal;jumlah;kode_kecamatan;keterangan\n"
                        "27/11/2026;12;12.75.01;\n"
                        "27/11/2026;7\n"
                        "27/11/2026;1.2;12.75.03\n"
                        "27/11/2026;3;12.75.02;ok\n", encoding="utf-8")
        settle(path)
        run = collector.run("izin", NOW)
        assert run.ok and run.rows == 2 and run.rejected == 2, run
        assert "baris 3: 2 kolom, header punya 4 (baris terpotong?)" in run.error
        assert "baris 4: 3 kolom, header punya 4 (baris terpotong?)" in run.error
        stored = {r.region: r.value for r in store.latest(["izin_terbit"])["izin_terbit"]}
        assert stored == {"12.75.01": 12.0, "12.75.02": 3.0}
    finally:
        store.close()


def workbook_bytes() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Harga"
    sheet.append(["Tanggal", "Komoditas", "Harga"])
    sheet.append([datetime(2026, 11, 27, 9, 0), "harga_beras", 14750])
    sheet.append([datetime(2026, 11, 27, 9, 0), "harga_cabai", 45250.5])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


EXCEL_SOURCE = """
  - id: pasar
    type: excel
    path: data/harga.xlsx
    every: 1h
    settle: 1s
    timeout: 2s
    columns: {time: Tanggal, indicator: Komoditas, value: Harga}
"""


def test_xlsx_cut_in_half_during_collect_once_is_not_read(db_url: str, tmp_path: Path) -> None:
    from wallboard.store import Store

    path = tmp_path / "data" / "harga.xlsx"
    path.parent.mkdir()
    data = workbook_bytes()
    writer = Writer(path, data, len(data) // 2)
    writer.start()
    assert writer.paused.wait(10)
    try:
        code, table = once(tmp_path, db_url, EXCEL_SOURCE)
    finally:
        writer.go_on.set()
        writer.join(10)
    assert code == 1 and "berkas belum lengkap (bukan zip utuh) setelah 2 dtk: data/harga.xlsx" in table, table
    store = Store.open(db_url)
    try:
        assert store.count_readings() == 0
        code, table = once(tmp_path, db_url, EXCEL_SOURCE)
        assert code == 0, table
        assert values(store) == {("harga_beras", "12.75"): 14750.0, ("harga_cabai", "12.75"): 45250.5}
    finally:
        store.close()


# A file is stored once ----------------------------------------------------------------------------

NO_TIME = """
  - id: rekap
    type: csv
    path: rekap.csv
    every: 1h
    columns: {region: kecamatan, value: jumlah}
    indicator: izin_terbit
"""


def test_a_collector_taking_over_does_not_store_the_same_file_again(db_url: str, tmp_path: Path) -> None:
    """The kill -9 takeover: the second collector (a new process on the same database) sees what the
    first stored; a file without a time column would otherwise be stored again at its own time."""
    path = tmp_path / "rekap.csv"
    path.write_text("kecamatan;jumlah\nBinjai Utara;7\nBinjai Kota;12\n", encoding="utf-8")
    settle(path)
    first, store1 = make_collector(db_url, NO_TIME, tmp_path)
    second, store2 = make_collector(db_url, NO_TIME, tmp_path)
    try:
        assert first.run("rekap", NOW).rows == 2
        before = snapshot(store1)
        del first  # killed: its memory of the file is gone
        taken_over = second.run("rekap", LATER)
        assert taken_over.ok and taken_over.rows == 0 and taken_over.error is None, taken_over
        assert snapshot(store2) == before  # no second copy at 09:00
        assert store2.fingerprint("rekap").digest  # what told it so
        path.write_text("kecamatan;jumlah\nBinjai Utara;8\nBinjai Kota;12\n", encoding="utf-8")
        settle(path, 30)
        assert second.run("rekap", LATER).rows == 2  # a real change is read
        assert store2.count_readings() == 4
    finally:
        store1.close()
        store2.close()


def test_same_content_saved_again_is_not_stored_again(db_url: str, tmp_path: Path) -> None:
    collector, store = make_collector(db_url, NO_TIME, tmp_path)
    try:
        path = tmp_path / "rekap.csv"
        path.write_text("kecamatan;jumlah\nBinjai Utara;7\n", encoding="utf-8")
        settle(path, 60)
        assert collector.run("rekap", NOW).rows == 1
        path.write_text("kecamatan;jumlah\nBinjai Utara;7\n", encoding="utf-8")  # exported again, same figures
        settle(path, 30)
        run = collector.run("rekap", LATER)
        assert run.ok and run.rows == 0
        assert store.count_readings() == 1
    finally:
        store.close()


def test_fingerprint_is_kept_only_with_the_data(db_url: str, tmp_path: Path, monkeypatch) -> None:
    """A write that fails stores no fingerprint, so the next collector reads the file again."""
    from wallboard.store.store import Store as StoreClass

    path = tmp_path / "rekap.csv"
    path.write_text("kecamatan;jumlah\nBinjai Utara;7\n", encoding="utf-8")
    settle(path)
    collector, store = make_collector(db_url, NO_TIME, tmp_path)
    try:
        def broken(*_args, **_kw):  # noqa: ANN002, ANN003, ANN202
            raise RuntimeError("disk penuh")

        monkeypatch.setattr(StoreClass, "_write_rollups", broken)
        assert not collector.run("rekap", NOW).ok
        assert store.fingerprint("rekap") is None and store.count_readings() == 0
        monkeypatch.undo()
        again, store2 = make_collector(db_url, NO_TIME, tmp_path)
        try:
            assert again.run("rekap", NOW).rows == 1
            assert store2.fingerprint("rekap").size == path.stat().st_size
        finally:
            store2.close()
    finally:
        store.close()


# timeout: ----------------------------------------------------------------------------------------

class FastClock:
    """``time.monotonic`` for the sources' deadline: every look costs a second, so a 2 s timeout
    passes after a few thousand rows instead of a real slow share's minutes."""

    def __init__(self) -> None:
        import time

        self.now = time.monotonic()

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def test_csv_timeout_fails_the_run_and_changes_nothing(db_url: str, tmp_path: Path, monkeypatch) -> None:
    from wallboard.sources import base, csv

    source = HARGA_SOURCE.replace("timeout: 2s", "timeout: 3s")
    collector, store = make_collector(db_url, source, tmp_path)
    try:
        path = tmp_path / "data" / "harga.csv"
        path.parent.mkdir()
        rows = "".join(f"27/11/2026 {h:02d}:{m:02d};12.75.01;harga_cabai;45.{m:03d}\n"
                       for h in range(24) for m in range(60))
        path.write_text("time;kode_wilayah;indikator;nilai\n" + rows, encoding="utf-8")
        settle(path)
        monkeypatch.setattr(csv, "CHECK_EVERY", 100)
        monkeypatch.setattr(base.time, "monotonic", FastClock())
        run = collector.run("harga", NOW)
        assert not run.ok and run.error == "batas waktu 3 dtk habis", run
        assert store.count_readings() == 0 and store.fingerprint("harga") is None
    finally:
        store.close()


def test_excel_timeout_fails_the_run_and_changes_nothing(db_url: str, tmp_path: Path, monkeypatch) -> None:
    from wallboard.sources import base, excel

    collector, store = make_collector(db_url, EXCEL_SOURCE, tmp_path)
    try:
        path = tmp_path / "data" / "harga.xlsx"
        path.parent.mkdir()
        book = Workbook()
        book.active.append(["Tanggal", "Komoditas", "Harga"])
        for day in range(1, 29):
            for hour in range(24):
                book.active.append([datetime(2026, 11, day, hour), "harga_beras", 14000 + hour])
        book.save(path)
        settle(path)
        monkeypatch.setattr(excel, "CHECK_EVERY", 50)
        monkeypatch.setattr(base.time, "monotonic", FastClock())
        run = collector.run("pasar", NOW)
        assert not run.ok and run.error == "batas waktu 2 dtk habis", run
        assert store.count_readings() == 0
    finally:
        store.close()


def test_a_fetch_past_its_timeout_is_a_failed_run_whatever_the_source(db_url: str, tmp_path: Path,
                                                                      monkeypatch) -> None:
    """The collector's own check: a source that ignores its deadline still cannot store late."""
    from wallboard import collector as collector_module

    collector, store = make_collector(db_url, HARGA_SOURCE, tmp_path)
    try:
        path = tmp_path / "data" / "harga.csv"
        path.parent.mkdir()
        path.write_text(HARGA, encoding="utf-8", newline="")
        settle(path)
        real = collector_module.datetime

        class Late(real):  # type: ignore[misc, valid-type]
            calls = 0

            @classmethod
            def now(cls, tz=None):  # noqa: ANN001, ANN206
                cls.calls += 1
                moment = real.now(tz)
                return moment if cls.calls == 1 else moment.replace(year=moment.year + 1)

        monkeypatch.setattr(collector_module, "datetime", Late)
        run = collector.run("harga", NOW)
        assert not run.ok and run.error == "batas waktu 2 dtk habis", run
        assert store.count_readings() == 0
    finally:
        store.close()
