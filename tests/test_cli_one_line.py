"""One line, never a traceback (issue 22 item 10): an unreachable database, a bad date, a missing file,
each said in one line in the site's language; `run` and `collect` wait for the database with back-off,
one line per attempt."""

from __future__ import annotations

import io
import subprocess
import sys
import time
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file

from tests.conftest import ROOT, demo_config
from wallboard.cli import main
from wallboard.i18n import catalogue
from wallboard.store import reach

NOBODY = "postgresql+psycopg://wallboard@127.0.0.1:1/wallboard"  # loopback port 1: nobody listens


def site(tmp_path: Path, url: str = NOBODY) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text(demo_config(url, every="1h"), encoding="utf-8")
    return config


def attempts_of(command: str, config: Path, wanted: int = 3, timeout: float = 60) -> tuple[list[str], str]:
    """Start ``wallboard COMMAND`` on an unreachable database, read its lines until ``wanted`` attempts
    were announced, stop it; (the attempt lines, everything it said)."""
    process = subprocess.Popen([sys.executable, "-m", "wallboard.cli", command, "--config", str(config)],
                               cwd=config.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    try:
        assert process.stdout is not None
        while len([x for x in lines if "percobaan ke-" in x]) < wanted and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
    finally:
        process.terminate()
        rest, _ = process.communicate(timeout=10)
    return [x for x in lines if "percobaan ke-" in x], "\n".join(lines) + rest


def test_run_waits_for_an_unreachable_database_one_line_per_attempt(tmp_path: Path) -> None:
    """The real process, as systemd starts it: no traceback, one line per attempt, back-off doubling."""
    attempts, said = attempts_of("run", site(tmp_path))
    assert "Traceback" not in said
    assert len(attempts) == 3, said[-2000:]
    assert [line.split("percobaan ke-")[1] for line in attempts] == ["1)", "2)", "3)"]
    # the back-off doubles: 1, 2, 4 seconds; every line says what and when, in Indonesian
    assert [line.split("dicoba lagi dalam ")[1].split(" ")[0] for line in attempts] == ["1", "2", "4"]
    assert all(line.startswith("wallboard run: basis data belum bisa dihubungi (") for line in attempts)
    assert all("127.0.0.1" in line and "Background on this error" not in line for line in attempts)
    assert said.count("\n") <= len(attempts) + 1  # nothing else was said


def test_collect_waits_too_and_ctrl_c_ends_it_quietly(tmp_path: Path, capsys, monkeypatch) -> None:
    waited: list[float] = []

    def sleep(seconds: float) -> None:
        waited.append(seconds)
        if len(waited) == 4:
            raise KeyboardInterrupt  # the operator gives up

    monkeypatch.setattr(reach.time, "sleep", sleep)
    assert main(["collect", "--config", str(site(tmp_path))]) == 130
    out, err = capsys.readouterr()
    assert waited == [1, 2, 4, 8] and out == ""
    lines = err.splitlines()
    assert len(lines) == 4 and all(x.startswith("wallboard collect: basis data belum bisa dihubungi (") for x in lines)


def test_the_wait_ends_when_the_database_answers() -> None:
    from sqlalchemy.exc import OperationalError

    tries: list[int] = []

    def open_() -> str:
        tries.append(1)
        if len(tries) < 3:
            raise OperationalError("connect", {}, ConnectionRefusedError("refused"))
        return "store"

    out = io.StringIO()
    assert reach.wait_for_database(open_, "run", "en", out=out, sleep=lambda s: None) == "store"
    assert out.getvalue().splitlines()[1] == ("wallboard run: database not reachable (refused); trying again in 2 s "
                                              "(attempt 2)")


@pytest.mark.parametrize("args", [
    ["report", "--date", "2026-11-28"],
    ["collect", "--once"],
    ["db", "current"],
    ["db", "upgrade"],
])
def test_other_commands_on_an_unreachable_database_say_one_line(tmp_path: Path, capsys, args: list[str]) -> None:
    code = main([*args, "--config", str(site(tmp_path))])
    out, err = capsys.readouterr()
    said = (out + err).strip()
    assert code == 1 and "\n" not in said and "Traceback" not in said
    assert "basis data" in said and "127.0.0.1" in said


@pytest.mark.parametrize(("date", "words"), [
    ("0001-01-01", "di luar rentang"),
    ("9999-12-31", "di luar rentang"),
    ("2026-02-30", "bukan tanggal"),
    ("kemarin", "bukan tanggal"),
])
def test_a_bad_date_is_one_line(tmp_path: Path, capsys, date: str, words: str) -> None:
    config = site(tmp_path, f"sqlite:///{tmp_path / 'wb.db'}")
    assert main(["report", "--date", date, "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err and "Traceback" not in err


def test_the_first_day_in_range_writes_a_report(tmp_path: Path, capsys) -> None:
    config = site(tmp_path, f"sqlite:///{tmp_path / 'wb.db'}")
    out = tmp_path / "r.xlsx"
    assert main(["report", "--date", "1970-01-01", "--output", str(out), "--config", str(config)]) == 0
    assert out.exists()


def test_english_site_gets_english_lines(tmp_path: Path, capsys) -> None:
    config = site(tmp_path, f"sqlite:///{tmp_path / 'wb.db'}")
    config.write_text(config.read_text().replace("timezone: Asia/Jakarta", "timezone: Asia/Jakarta, locale: en"))
    assert main(["report", "--date", "0001-01-01", "--config", str(config)]) == 2
    assert "is out of range" in capsys.readouterr().err


@pytest.mark.parametrize("args", [
    ["report", "--date", "2026-11-28"], ["run"], ["collect"], ["db", "upgrade"], ["db", "backup", "x"], ["validate"],
])
def test_a_missing_config_file_is_one_line(tmp_path: Path, capsys, args: list[str]) -> None:
    missing = str(tmp_path / "tidak-ada.yaml")
    argv = [*args, missing] if args == ["validate"] else [*args, "--config", missing]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "berkas config tidak ditemukan" in err


def test_a_report_into_a_missing_folder_is_one_line(tmp_path: Path, capsys) -> None:
    config = site(tmp_path, f"sqlite:///{tmp_path / 'wb.db'}")
    out = tmp_path / "tidak-ada" / "r.xlsx"
    assert main(["report", "--date", "2026-11-28", "--output", str(out), "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "tidak bisa ditulis" in err


def test_every_cli_line_is_in_the_catalogue() -> None:
    """`_say(args, "...")` lines are looked up in the ``cli`` catalogue: each one has its Indonesian."""
    said = [msg for _, msg, *_ in extract_from_file("python", str(ROOT / "wallboard" / "cli.py"),
                                                    keywords={"_say": (2,)}) if isinstance(msg, str)]
    assert len(said) >= 8
    assert [m for m in said if m not in catalogue("cli", "id")] == []
