"""`collect --once` right after a file was saved waits for it; the scheduled collector does not."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import pytest

from tests.sources.util import config_text, make_collector
from wallboard import collect
from wallboard.config import load_config

SOURCE = """
  - id: izin
    type: csv
    path: izin.csv
    every: 1h
    settle: 2s
    indicator: izin_terbit
    columns: {time: tanggal, region: kecamatan, value: jumlah}
"""
HEADER = "tanggal;kecamatan;jumlah\n"
ROWS = [f"{day:02d}/11/2026;Binjai Kota;{day}\n" for day in range(1, 21)]


def line(out: io.StringIO, source: str) -> list[str]:
    return next(row.split() for row in out.getvalue().splitlines() if row.startswith(source + " "))


def setup(tmp_path: Path, db_url: str) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(config_text(db_url, SOURCE))
    return config


def test_once_waits_for_a_file_saved_just_now(db_url: str, tmp_path: Path) -> None:
    loaded = load_config(setup(tmp_path, db_url))
    (tmp_path / "izin.csv").write_text(HEADER + "".join(ROWS))  # modified this very moment
    out = io.StringIO()
    assert collect.run_once(loaded, None, out) == 0, out.getvalue()
    assert line(out, "izin")[:4] == ["izin", "csv", "ok", "20"], out.getvalue()


def test_once_reads_the_whole_file_once_the_writer_is_done(db_url: str, tmp_path: Path) -> None:
    config = setup(tmp_path, db_url)
    path = tmp_path / "izin.csv"
    path.write_text(HEADER + ROWS[0])
    done = threading.Event()

    def writer() -> None:  # a slow export: a row every 50 ms, a second in all
        with path.open("a") as f:
            for row in ROWS[1:]:
                time.sleep(0.05)
                f.write(row)
                f.flush()
        done.set()

    thread = threading.Thread(target=writer)
    thread.start()
    out = io.StringIO()
    try:
        code = collect.run_once(load_config(config), None, out)
    finally:
        thread.join(10)
    assert done.is_set()
    assert code == 0 and line(out, "izin")[:4] == ["izin", "csv", "ok", "20"], out.getvalue()


def test_once_gives_up_on_a_file_that_keeps_changing(db_url: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collect, "ONCE_FILE_WAIT", 0.5)
    config = setup(tmp_path, db_url)
    path = tmp_path / "izin.csv"
    path.write_text(HEADER + ROWS[0])
    stop = threading.Event()

    def writer() -> None:
        with path.open("a") as f:
            while not stop.is_set():
                f.write(ROWS[1])
                f.flush()
                stop.wait(0.05)

    thread = threading.Thread(target=writer)
    thread.start()
    out = io.StringIO()
    try:
        code = collect.run_once(load_config(config), None, out)
    finally:
        stop.set()
        thread.join(10)
    assert code == 1 and "sedang ditulis" in out.getvalue(), out.getvalue()


def test_scheduled_collector_keeps_its_caution(db_url: str, tmp_path: Path) -> None:
    collector, store = make_collector(db_url, SOURCE, tmp_path)
    try:
        (tmp_path / "izin.csv").write_text(HEADER + "".join(ROWS))
        run = collector.run("izin")
        assert not run.ok and "sedang ditulis" in run.error
        assert store.count_readings() == 0
    finally:
        store.close()
