"""`wallboard doctor URL`: Chromium's own counters for a wall, and its verdict against the targets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM, demo_config
from wallboard.doctor import Cost, measure


def doctor(*args: str) -> subprocess.CompletedProcess:
    """The command as an admin runs it (its own process: Playwright's sync API once per process)."""
    return subprocess.run([sys.executable, "-m", "wallboard.cli", "doctor", *args, "--chromium", CHROMIUM],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.browser
def test_doctor_reads_a_running_wall(tmp_path: Path, wall_server, chromium) -> None:
    server = wall_server(demo_config(f"sqlite:///{tmp_path / 'wall.db'}"))
    cost = measure(chromium, server.url + "/wall/utama", 1280, 720, seconds=1.5)
    # The wall drew (its trend's chart included) and ran: Chromium counted work on its main thread.
    assert cost.first_view_s is not None and cost.busy_s > 0 and cost.heap_mb > 0
    done = doctor(server.url + "/wall/utama", "--seconds", "1", "--size", "1280x720")
    out = done.stdout
    # 2: a target missed on this (busy) machine; the figures are printed either way
    assert done.returncode in (0, 2), done.stderr
    for line in ("first full view after load", "main thread busy", "layouts", "JavaScript heap", "verdict:"):
        assert line in out


@pytest.mark.browser
def test_doctor_on_a_wall_that_is_not_there(chromium, reserved_port: int) -> None:
    done = doctor(f"http://127.0.0.1:{reserved_port}/wall/utama", "--seconds", "1")
    err = done.stderr
    assert done.returncode == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"wallboard doctor: http://127.0.0.1:{reserved_port}/wall/utama: ")


def test_the_verdict_names_each_missed_target() -> None:
    good = Cost(busy_s=0.4, script_s=0.1, layouts=30, styles=30, heap_mb=10, first_view_s=1.0)
    assert good.verdict(1) == [] and good.verdict(4) == []
    slow = Cost(busy_s=2.5, script_s=2, layouts=447, styles=600, heap_mb=20, first_view_s=None)
    assert slow.verdict(1) == ["main thread 2.50 s/min > 0.5 s/min", "447 layouts/min > 60",
                               "first full view never > 1.5 s"]
    assert slow.verdict(4) == ["main thread 2.50 s/min > 2.0 s/min", "447 layouts/min > 60"]
