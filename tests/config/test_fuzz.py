"""Every broken config in tests/fixtures/broken_configs: one clear line at the right place, exit 2,
no traceback, and a running wall that keeps its last good config and says what is wrong."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.auth.helpers import login
from wallboard.cli import main

BROKEN = Path(__file__).resolve().parent.parent / "fixtures" / "broken_configs"
ROOT = Path(__file__).resolve().parents[2]
ADMIN_PASSWORD = "abcdefgh123"  # the hash in _good.yaml is of this

# file: (line, column, key path, part of the message). The first problem reported must match.
EXPECTED: dict[str, tuple[int, int, str, str]] = {
    "alias_bomb.yaml": (1, 1, "", "nests or repeats too deeply"),
    "bad_cron.yaml": (11, 5, "sources[0].cron", "invalid cron expression '61 * * * *'"),
    "bad_duration.yaml": (11, 5, "sources[0].every", "'5 parsecs' is not a duration"),
    "bad_locale.yaml": (6, 3, "site.locale", "'id' or 'en'"),
    "bad_timezone.yaml": (5, 3, "site.timezone", "unknown time zone 'Asia/Bandung'"),
    "binary_garbage.yaml": (1, 1, "", "not UTF-8 text"),
    "dangling_indicator_panel.yaml": (27, 30, "screens[0].panels[1].indicator", "'curah_hujan' is not defined"),
    "dangling_indicator_source.yaml": (12, 5, "sources[0].indicators", "'curah_hujan' is not defined"),
    "duplicate_indicator_id.yaml": (22, 5, "indicators[2].id", "indicator id 'pengaduan_terbuka' is used twice"),
    "duplicate_panel_id.yaml": (28, 10, "screens[0].panels[2].id", "panel id 'air' is used twice"),
    "duplicate_screen_id.yaml": (29, 5, "screens[1].id", "screen id 'utama' is used twice"),
    "duplicate_user.yaml": (33, 5, "users[1].name", "user name 'admin' is used twice"),
    "empty.yaml": (1, 1, "", "must be a mapping"),
    "every_and_cron.yaml": (12, 5, "sources[0].cron", "either every: or cron:"),
    "latin1.yaml": (3, 21, "", "not UTF-8 text"),
    "missing_env_var.yaml": (32, 5, "users[0].password_hash", "environment variable WALLBOARD_FUZZ_UNSET is not set"),
    "missing_site.yaml": (1, 1, "site", "missing required key 'site'"),
    "no_screens.yaml": (22, 1, "screens", "at least 1 item"),
    "not_a_mapping.yaml": (1, 1, "", "must be a mapping"),
    "nul_byte.yaml": (5, 18, "", "NUL byte"),
    "only_comments.yaml": (1, 1, "", "must be a mapping"),
    "overlapping_panels.yaml": (27, 58, "screens[0].panels[1].at", "panel 'air' overlaps panel 'pengaduan'"),
    "panel_outside_grid.yaml": (28, 77, "screens[0].panels[2].at", "does not fit the 4x2 grid"),
    "panels_and_pages.yaml": (23, 5, "screens[0]", "either panels: or pages:"),
    "password_not_a_hash.yaml": (32, 5, "users[0].password_hash", "wallboard hash-password"),
    "short_display_token.yaml": (35, 5, "users[1].display_token", "at least 16 characters"),
    "thresholds_out_of_order.yaml": (17, 5, "indicators[0].thresholds", "critical must be above"),
    "unknown_key_panel.yaml": (27, 9, "screens[0].panels[1].indicator", "missing required key 'indicator'"),
    "unknown_key_top.yaml": (1, 1, "screens", "missing required key 'screens'"),
    "unknown_panel_type.yaml": (27, 19, "screens[0].panels[1].type", "unknown type 'pie'"),
    "unknown_region.yaml": (4, 3, "site.region", "'99.99' is not a Kemendagri"),
    "unknown_role.yaml": (34, 5, "users[1].role", "'operator', 'supervisor' or 'admin'"),
    "unknown_source_type.yaml": (10, 5, "sources[0].type", "unknown type 'mqtt'"),
    "user_without_hash.yaml": (33, 5, "users[1]", "needs password_hash"),
    "wrong_type_at.yaml": (27, 58, "screens[0].panels[1].at", "valid tuple"),
    "wrong_type_grid.yaml": (24, 12, "screens[0].grid.columns", "valid integer"),
    "wrong_type_sources.yaml": (8, 1, "sources", "valid list"),
    "yaml_bad_indent.yaml": (20, 11, "", "YAML syntax: mapping values are not allowed"),
    "yaml_duplicate_key.yaml": (21, 5, "", "duplicate key \"unit\""),
    "yaml_tab_indent.yaml": (21, 1, "", "'\\t' that cannot start any token"),
    "yaml_unclosed_flow.yaml": (25, 11, "", "expected ',' or '}'"),
    "yaml_unclosed_quote.yaml": (32, 20, "", "unexpected end of stream"),
}
# Problems reported after the first that are expected too (one mistake, several consequences).
ALSO = {"unknown_key_panel.yaml": "unknown key 'indikator' (did you mean 'indicator'?)",
        "unknown_key_top.yaml": "unknown key 'screns' (did you mean 'screens'?)"}
LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?:(?P<path>[\w.\[\]]+): )?(?P<msg>.*)$")


def big_config(tmp_path: Path) -> Path:
    """5 MB: a valid start and a long tail of comments (never committed to git)."""
    path = tmp_path / "huge.yaml"
    path.write_text((BROKEN / "_good.yaml").read_text() + ("# " + "x" * 98 + "\n") * 52_000)
    return path


@pytest.fixture(autouse=True)
def _no_fuzz_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WALLBOARD_FUZZ_UNSET", raising=False)


def test_the_fuzz_set_is_complete() -> None:
    files = sorted(p.name for p in BROKEN.glob("*.yaml") if not p.name.startswith("_"))
    assert files == sorted(EXPECTED) and len(files) >= 30


def test_the_base_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(BROKEN / "_good.yaml")]) == 0


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_validate_points_at_the_problem(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(BROKEN / name)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    first = LINE.match(lines[0])
    assert first, lines[0]
    line, col, path, fragment = EXPECTED[name]
    assert first["file"].endswith(name)
    assert (int(first["line"]), int(first["col"]), first["path"] or "") == (line, col, path), lines[0]
    assert fragment in first["msg"], lines[0]
    if name in ALSO:
        assert any(ALSO[name] in other for other in lines[1:]), err
    assert all(LINE.match(other) for other in lines), err


def test_five_megabytes_is_refused_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    started = time.monotonic()
    assert main(["validate", str(big_config(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert time.monotonic() - started < 2
    assert err.count("\n") == 1 and "at most 1,000,000 bytes" in err and ":1:1:" in err


def test_problem_count_is_capped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (BROKEN / "_good.yaml").read_text().replace(
        "site:\n", "site:\n" + "".join(f"  typo_{n}: 1\n" for n in range(300)), 1)
    path = tmp_path / "many.yaml"
    path.write_text(text)
    assert main(["validate", str(path)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 50 and "and 251 more problems" in lines[-1]


def test_no_traceback_from_the_real_command(tmp_path: Path) -> None:
    """As an admin runs it: a separate process, on the nastiest files."""
    for path in (BROKEN / "binary_garbage.yaml", BROKEN / "nul_byte.yaml", BROKEN / "alias_bomb.yaml",
                 big_config(tmp_path)):
        done = subprocess.run([sys.executable, "-m", "wallboard.cli", "validate", str(path)],
                              capture_output=True, text=True, timeout=60, cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1, done.stderr


# the running wall ------------------------------------------------------------------------------

@pytest.fixture
def running(tmp_path: Path):
    from wallboard.runtime import Runtime
    from wallboard.web.app import create_app

    shutil.copy(BROKEN / "_good.yaml", tmp_path / "config.yaml")
    runtime = Runtime.from_path(tmp_path / "config.yaml", collect=False)
    app = create_app(runtime)
    admin = app.server.test_client()
    assert login(admin, "admin", ADMIN_PASSWORD).status_code == 303
    yield runtime, admin
    runtime.store.close()


def _write_over(path: Path, source: Path | bytes) -> None:
    data = source if isinstance(source, bytes) else source.read_bytes()
    path.write_bytes(data)
    stamp = time.time() + 1 + _write_over.count  # a new mtime each time, without sleeping
    _write_over.count += 1
    os.utime(path, (stamp, stamp))


_write_over.count = 0


def test_each_broken_file_over_a_running_config(running, tmp_path: Path) -> None:
    """Written over config.yaml, each is noticed by the watcher, refused and shown on /healthz; the
    wall keeps the last good config; the good file back clears the problem."""
    from wallboard.store import audit

    runtime, client = running
    config_path = tmp_path / "config.yaml"
    good_digest = runtime.loaded.digest
    for name in [*sorted(EXPECTED), "huge"]:
        source = big_config(tmp_path) if name == "huge" else BROKEN / name
        _write_over(config_path, source)
        runtime.check_config()  # what the watcher job runs every 2 s
        assert runtime.loaded.digest == good_digest, name
        health = client.get("/healthz")
        body = health.get_json()
        assert health.status_code == 200 and body["status"] == "degraded", name
        assert body["config"]["problems"] >= 1 and body["config"]["version"] == good_digest, name
        assert len(health.data) < 20_000, name
        line, col, _path, fragment = EXPECTED.get(name, (1, 1, "", "at most 1,000,000 bytes"))
        assert f":{line}:{col}:" in body["config"]["problem_lines"][0], (name, body["config"]["problem_lines"])
        assert client.get("/wall/utama").status_code == 200, name
        admin_page = client.get("/admin").get_data(as_text=True)
        assert f":{line}:{col}:" in admin_page and good_digest in admin_page, name
    _write_over(config_path, BROKEN / "_good.yaml")
    runtime.check_config()
    assert client.get("/healthz").get_json()["config"]["problems"] == 0
    assert runtime.last_refused is None  # the good file clears it from /admin; the audit log keeps each
    refusals = [e for e in audit.entries(runtime.store, 500) if e.action == "config.refused"]
    assert len(refusals) >= len(EXPECTED)
