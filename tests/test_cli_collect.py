"""`wallboard collect`: one pass with a table and an exit code, or scheduled until stopped."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.sources.util import config_text, settle
from wallboard.store import Store

SOURCES = """
  - id: izin
    type: csv
    path: izin.csv
    every: 1s
    columns: {time: tanggal, region: kecamatan, value: jumlah}
    indicator: izin_terbit
  - id: hilang
    type: csv
    path: tidak-ada.csv
    every: 1h
    columns: {value: jumlah}
    indicator: izin_terbit
"""


def setup(tmp_path: Path) -> Path:
    (tmp_path / "izin.csv").write_text("tanggal;kecamatan;jumlah\n27/11/2026;Binjai Utara;7\n27/11/2026;x;1\n")
    settle(tmp_path / "izin.csv")
    config = tmp_path / "config.yaml"
    config.write_text(config_text(f"sqlite:///{tmp_path / 'wb.db'}", SOURCES))
    return config


def collect(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wallboard.cli", "collect", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60)


def test_once_prints_table_and_fails_when_a_source_failed(tmp_path: Path) -> None:
    config = setup(tmp_path)
    result = collect("--config", str(config), "--once", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["sumber", "jenis", "status", "baris", "digabung", "duplikat", "ditolak", "detik",
                                "keterangan"]
    izin = next(line for line in lines if line.startswith("izin "))
    assert izin.split()[:7] == ["izin", "csv", "ok", "1", "0", "0", "1"] and "nama wilayah tidak dikenal" in izin
    hilang = next(line for line in lines if line.startswith("hilang "))
    assert "GAGAL" in hilang and "berkas tidak ditemukan: tidak-ada.csv" in hilang
    assert lines[-1] == "2 sumber, 1 baris, 0 digabung, 0 duplikat, 1 ditolak, 1 gagal"
    assert "Traceback" not in result.stderr


def test_once_for_one_source(tmp_path: Path) -> None:
    config = setup(tmp_path)
    result = collect("--config", str(config), "--once", "--source", "izin", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "hilang" not in result.stdout
    store = Store.open(f"sqlite:///{tmp_path / 'wb.db'}")
    try:
        assert store.count_readings() == 1 and store.runs("hilang") == []
    finally:
        store.close()


def test_unknown_source_and_bad_config_exit_2(tmp_path: Path) -> None:
    config = setup(tmp_path)
    result = collect("--config", str(config), "--once", "--source", "tidak_ada", cwd=tmp_path)
    assert result.returncode == 2 and "sumber 'tidak_ada' tidak ada" in result.stderr
    config.write_text(config.read_text().replace("every: 1h", "every: sejam"))
    result = collect("--config", str(config), "--once", cwd=tmp_path)
    assert result.returncode == 2 and "config.yaml:" in result.stderr and "Traceback" not in result.stderr


def test_scheduled_until_stopped(tmp_path: Path) -> None:
    config = setup(tmp_path)
    process = subprocess.Popen([sys.executable, "-m", "wallboard.cli", "collect", "--config", str(config)],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    store = Store.open(f"sqlite:///{tmp_path / 'wb.db'}")
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(store.runs("izin")) < 2:
            time.sleep(0.1)
        assert len(store.runs("izin")) >= 2  # start-up run, then every second (file unchanged: ok, 0 rows)
        assert all(r.ok for r in store.runs("izin"))
        assert not store.runs("hilang")[0].ok
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=20)
        store.close()
    assert process.returncode == 0, out
    assert "Traceback" not in out


def test_an_edited_config_is_picked_up_while_collecting(tmp_path: Path) -> None:
    """`wallboard collect` is told of an edit to config.yaml (inotify on Linux) and reloads it."""
    config = setup(tmp_path)
    process = subprocess.Popen([sys.executable, "-m", "wallboard.cli", "collect", "--config", str(config)],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 30
        while not any("sumber berjalan" in line for line in lines):
            assert time.monotonic() < deadline, "".join(lines)
            time.sleep(0.05)
        config.write_text(config.read_text().replace("every: 1h", "every: 2h"))
        deadline = time.monotonic() + 15
        while not any("config reloaded" in line for line in lines):
            assert time.monotonic() < deadline, "the edited config was not reloaded:\n" + "".join(lines)
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(20)
        reader.join(5)
    assert process.returncode == 0, "".join(lines)


def test_unreachable_database_is_one_line(tmp_path: Path, reserved_port: int) -> None:
    config = setup(tmp_path)
    config.write_text(config_text(f"postgresql+psycopg://nobody@127.0.0.1:{reserved_port}/wb", SOURCES))
    result = collect("--config", str(config), "--once", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith("basis data tidak bisa dibuka:") and "Traceback" not in result.stderr


def test_source_given_twice_runs_exactly_those_two(tmp_path: Path) -> None:
    """README: `--source ID ...` is repeatable; the third source is left alone."""
    (tmp_path / "izin.csv").write_text("tanggal;kecamatan;jumlah\n27/11/2026;Binjai Utara;7\n")
    (tmp_path / "izin2.csv").write_text("tanggal;kecamatan;jumlah\n27/11/2026;Binjai Kota;3\n")
    settle(tmp_path / "izin.csv")
    settle(tmp_path / "izin2.csv")
    config = tmp_path / "config.yaml"
    config.write_text(config_text(f"sqlite:///{tmp_path / 'wb.db'}", SOURCES + """
  - id: izin_dua
    type: csv
    path: izin2.csv
    every: 1h
    columns: {time: tanggal, region: kecamatan, value: jumlah}
    indicator: izin_terbit
"""))
    result = collect("--config", str(config), "--once", "--source", "izin", "--source", "izin_dua", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    ran = [line.split()[0] for line in result.stdout.splitlines()[1:-1]]
    assert sorted(ran) == ["izin", "izin_dua"]
    assert result.stdout.splitlines()[-1] == "2 sumber, 2 baris, 0 digabung, 0 duplikat, 0 ditolak, 0 gagal"
    store = Store.open(f"sqlite:///{tmp_path / 'wb.db'}")
    try:
        assert store.count_readings() == 2 and store.runs("hilang") == []
    finally:
        store.close()


PUSKESMAS = """
  - id: dbd
    type: csv
    path: data/dbd.csv
    every: 1h
    columns: {time: tanggal, region: kecamatan, value: kasus}
    indicator: izin_terbit
"""


def test_once_prints_rows_combined_duplicates_and_the_warnings(tmp_path: Path) -> None:
    """One row per puskesmas: the kecamatan's rows added up; a row given twice counted once and named."""
    data = tmp_path / "data" / "dbd.csv"
    data.parent.mkdir()
    data.write_text(
        "tanggal;kecamatan;puskesmas;kasus\n"
        "27/11/2026;Binjai Utara;Puskesmas Kebun Lada;4\n"
        "27/11/2026;Binjai Utara;Puskesmas Cengkeh Turi;3\n"
        "27/11/2026;Binjai Kota;Puskesmas Kebun Lada;2\n"  # another kecamatan: its own reading
        "27/11/2026;Binjai Utara;Puskesmas Cengkeh Turi;3\n"  # line 5 = line 3: counted once
    )
    settle(data)
    config = tmp_path / "config.yaml"
    config.write_text(config_text(f"sqlite:///{tmp_path / 'wb.db'}", PUSKESMAS))
    result = collect("--config", str(config), "--once", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    dbd = next(line for line in lines if line.startswith("dbd "))
    assert dbd.split()[:7] == ["dbd", "csv", "ok", "2", "1", "1", "0"], result.stdout
    assert ("peringatan dbd (1): data/dbd.csv baris 5 sama persis dengan baris 3 (duplikat, dihitung sekali)"
            in lines)
    assert lines[-1] == "1 sumber, 2 baris, 1 digabung, 1 duplikat, 0 ditolak, 0 gagal"
    store = Store.open(f"sqlite:///{tmp_path / 'wb.db'}")
    try:
        assert {r.region: r.value for r in store.latest(["izin_terbit"])["izin_terbit"]} == {
            "12.75.01": 7.0, "12.75.02": 2.0}
        [run] = store.runs("dbd")
        assert (run.rows, run.combined, run.duplicates, run.warned) == (2, 1, 1, 1) and "baris 5" in run.notes
    finally:
        store.close()
