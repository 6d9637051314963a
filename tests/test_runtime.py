"""Config hot reload: a valid edit swaps the config and tells the walls; a broken one changes nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.clock import next_local_time
from tests.conftest import demo_config
from tests.web.conftest import Recorder
from wallboard.runtime import Runtime


@pytest.fixture
def runtime(tmp_path: Path) -> Runtime:
    path = tmp_path / "config.yaml"
    path.write_text(demo_config(f"sqlite:///{tmp_path / 'w.db'}"), encoding="utf-8")
    rt = Runtime.from_path(path, collect=False)
    yield rt
    rt.store.close()


def hellos(recorder: Recorder) -> list[dict]:
    return [data for name, data in recorder.messages("utama") if name == "hello"]


def listen(runtime: Runtime) -> Recorder:
    recorder = Recorder()
    runtime.hub.listen(recorder)
    return recorder


def touch_and_write(path: Path, text: str) -> None:
    """Write and move the mtime forward, so the watcher sees the edit even within one clock tick."""
    before = path.stat().st_mtime
    path.write_text(text, encoding="utf-8")
    os.utime(path, (before + 5, before + 5))


def test_a_valid_edit_is_swapped_in_and_walls_are_told(runtime: Runtime) -> None:
    q = listen(runtime)
    version = runtime.hub.version_tag
    touch_and_write(runtime.path, runtime.path.read_text().replace("label: Pengaduan terbuka", "label: Aduan"))
    runtime.check_config()
    assert runtime.config.indicator("pengaduan_terbuka").label.id == "Aduan"
    assert runtime.last_reload_problems == []
    [hello] = hellos(q)
    assert hello["version"] == runtime.hub.version_tag != version
    assert runtime.hub.panels("utama")[0].title() == "Aduan"  # panels rebuilt from the new config


def test_a_broken_edit_keeps_the_last_good_config(runtime: Runtime) -> None:
    q = listen(runtime)
    good, version = runtime.loaded, runtime.hub.version_tag
    touch_and_write(runtime.path, runtime.path.read_text().replace("columns: 4", "columns: many"))
    runtime.check_config()
    assert runtime.loaded is good and runtime.hub.version_tag == version
    assert runtime.last_reload_problems and "config.yaml:" in runtime.last_reload_problems[0]
    assert "columns" in runtime.last_reload_problems[0]
    assert hellos(q) == []  # no wall is told to reload onto a broken config


def test_a_valid_edit_wakes_the_alert_thread_and_a_broken_one_does_not(runtime: Runtime, monkeypatch) -> None:
    """A quiet alert thread (no thresholds, nothing open) must judge thresholds added by an edit at
    once, not at the next collector run."""
    woken: list[object] = []
    monkeypatch.setattr(runtime.alerts, "notify", lambda run=None: woken.append(run))
    touch_and_write(runtime.path, runtime.path.read_text().replace("columns: 4", "columns: many"))
    runtime.check_config()
    assert woken == []
    touch_and_write(runtime.path, runtime.path.read_text().replace("columns: many", "columns: 4")
                    .replace("warning: 40, critical: 80", "warning: 30, critical: 80"))
    runtime.check_config()
    assert runtime.config.indicator("pengaduan_terbuka").thresholds.warning == 30
    assert woken == [None]


def test_an_unparseable_file_keeps_the_last_good_config(runtime: Runtime) -> None:
    good = runtime.loaded
    touch_and_write(runtime.path, "site: [unclosed\n")
    runtime.check_config()
    assert runtime.loaded is good and runtime.last_reload_problems


def test_an_edit_that_changes_nothing_does_not_reload_walls(runtime: Runtime) -> None:
    q = listen(runtime)
    touch_and_write(runtime.path, runtime.path.read_text())
    runtime.check_config()
    assert hellos(q) == []


def test_reload_at_reaches_the_walls(runtime: Runtime) -> None:
    text = runtime.path.read_text().replace("timezone: Asia/Jakarta}", 'timezone: Asia/Jayapura, reload_at: "04:00"}')
    touch_and_write(runtime.path, text)
    runtime.check_config()
    assert runtime.config.site.reload_at == "04:00"
    hello = runtime.hub.hello("utama")
    assert hello["tz"] == "Asia/Jayapura"
    assert hello["reload"] == next_local_time(hello["now"], "04:00", "Asia/Jayapura")  # 04:00 WIT, not WIB


def test_reload_at_must_be_a_clock_time(runtime: Runtime) -> None:
    touch_and_write(runtime.path, runtime.path.read_text().replace(
        "timezone: Asia/Jakarta}", 'timezone: Asia/Jakarta, reload_at: "25:00"}'))
    runtime.check_config()
    assert runtime.config.site.reload_at is None
    assert any("reload_at" in p for p in runtime.last_reload_problems)
