"""File watching (wallboard/watch.py): told of changes by the kernel, with no timer while nothing
changes; a config file is reacted to only once it is whole."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import demo_config
from wallboard import runtime as runtime_module
from wallboard import watch as watch_module
from wallboard.records import Batch, Reading
from wallboard.runtime import Runtime
from wallboard.store import Run, Store
from wallboard.watch import FileWatch

pytestmark = pytest.mark.skipif(not Path("/proc/sys/fs/inotify").exists(), reason="inotify is Linux's")


def until(condition: Callable[[], bool], timeout: float = 10, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what or "condition never held"
        time.sleep(0.01)


class Counter:
    def __init__(self) -> None:
        self.n = 0
        self.lock = threading.Lock()

    def __call__(self) -> None:
        with self.lock:
            self.n += 1


def test_writes_are_reported_and_a_config_only_once_it_is_whole(tmp_path: Path) -> None:
    data, config = tmp_path / "w.db-wal", tmp_path / "config.yaml"
    config.write_text("a: 1\n")
    on_data, on_config = Counter(), Counter()
    watch = FileWatch(safety=3600)  # no safety-net callback during the test
    watch.watch(data, on_data)
    watch.watch(config, on_config, written=True)
    assert watch.start()
    try:
        wal = os.open(data, os.O_WRONLY | os.O_CREAT | os.O_APPEND)  # SQLite keeps its files open
        try:
            with open(config, "a") as half:  # an editor mid-write: written, not yet closed
                half.write("b: 2\n")
                half.flush()
                os.write(wal, b"x")  # a commit, seen meanwhile
                until(lambda: on_data.n >= 1, what="a write to the WAL was not reported")
                assert on_config.n == 0  # the half-written config was not looked at
            until(lambda: on_config.n >= 1, what="the closed config was not reported")
        finally:
            os.close(wal)
        # an editor's save: a new file renamed over the old one
        before = on_config.n
        (tmp_path / ".config.yaml.swp").write_text("a: 3\n")
        os.replace(tmp_path / ".config.yaml.swp", config)
        until(lambda: on_config.n > before, what="a rename over the config was not reported")
    finally:
        watch.stop()
    assert watch._thread is None  # stopped at once, not at its next safety look


def test_the_safety_net_calls_everything_when_nothing_is_reported(tmp_path: Path) -> None:
    seen = Counter()
    watch = FileWatch(safety=0.05)
    watch.watch(tmp_path / "never-written", seen)
    assert watch.start()
    try:
        until(lambda: seen.n >= 2)
    finally:
        watch.stop()


def test_a_missing_folder_falls_back_to_polling(tmp_path: Path) -> None:
    watch = FileWatch()
    watch.watch(tmp_path / "nowhere" / "config.yaml", lambda: None)
    assert not watch.start()


def test_the_hub_wakes_for_another_process_s_commit_without_polling(tmp_path: Path, monkeypatch) -> None:
    """`wallboard run` on SQLite: a commit by a separate collector reaches the hub through the watch
    (its poll is only a slow safety net), and an edited config is reloaded the same way."""
    db = tmp_path / "w.db"
    config = tmp_path / "config.yaml"
    config.write_text(demo_config(f"sqlite:///{db}", every="1000d"), encoding="utf-8")
    monkeypatch.setattr(runtime_module, "FEED_POLL", 3600.0)  # only the watch can wake the hub
    runtime = Runtime.from_path(config, collect=False)
    runtime.start()
    try:
        assert runtime.hub.poll == 3600.0 and not runtime._watcher.is_alive()
        builds = runtime.hub.builds
        writer = Store.open(f"sqlite:///{db}")
        writer.write("luar", Batch(readings=[Reading("pengaduan_terbuka", "12.75", int(time.time()), 777)]))
        now = datetime.now(UTC)
        writer.record_run(Run("luar", now, now, True, 1, 0, None))
        writer.close()
        until(lambda: runtime.files.changes > 0 and runtime.hub.builds > builds and runtime.hub.snapshot is not None
              and runtime.hub.snapshot.indicators["pengaduan_terbuka"].value == 777,
              what="the hub never saw the other process's commit")
        text = config.read_text().replace("name: Uji Wallboard", "name: Uji Wallboard Diawasi")
        config.write_text(text, encoding="utf-8")
        until(lambda: runtime.config.site.name == "Uji Wallboard Diawasi", what="the edited config was not reloaded")
    finally:
        runtime.stop()


def test_a_busy_database_does_not_keep_the_safety_net_from_the_config(tmp_path: Path) -> None:
    """Commits every few milliseconds keep the watch busy; the config (on a mount inotify may not
    see) is still looked at every ``safety`` seconds."""
    data = tmp_path / "w.db-wal"
    on_config = Counter()
    watch = FileWatch(safety=0.3)
    watch.watch(data, lambda: None)
    watch.watch(tmp_path / "elsewhere" / "config.yaml", on_config, written=True)
    (tmp_path / "elsewhere").mkdir()
    assert watch.start()
    wal = os.open(data, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        deadline = time.monotonic() + 10
        while on_config.n < 2:
            assert time.monotonic() < deadline, "the safety net never ran while the database was busy"
            os.write(wal, b"x")
            time.sleep(0.02)
    finally:
        os.close(wal)
        watch.stop()


def test_without_inotify_the_runtime_polls_as_before(tmp_path: Path, monkeypatch) -> None:
    """Not Linux (or no inotify): the config has its own thread and the hub its 0.5 s poll."""
    monkeypatch.setattr(watch_module, "inotify_simple", None)
    db = tmp_path / "w.db"
    config = tmp_path / "config.yaml"
    config.write_text(demo_config(f"sqlite:///{db}", every="1000d"), encoding="utf-8")
    runtime = Runtime.from_path(config, collect=False)
    runtime.start()
    try:
        assert runtime._watcher.is_alive() and runtime.hub.poll == 0.5
        writer = Store.open(f"sqlite:///{db}")
        writer.write("luar", Batch(readings=[Reading("pengaduan_terbuka", "12.75", int(time.time()), 778)]))
        now = datetime.now(UTC)
        writer.record_run(Run("luar", now, now, True, 1, 0, None))
        writer.close()
        until(lambda: runtime.hub.snapshot is not None
              and runtime.hub.snapshot.indicators["pengaduan_terbuka"].value == 778,
              what="the polling hub never saw the other process's commit")
        config.write_text(config.read_text().replace("name: Uji Wallboard", "name: Uji Wallboard Dipoll"),
                          encoding="utf-8")
        until(lambda: runtime.config.site.name == "Uji Wallboard Dipoll", what="the polled config was not reloaded")
    finally:
        runtime.stop()
