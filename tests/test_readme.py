"""README's two commands are the ones CI runs: docs that cannot drift from what is tested."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)


def test_readme_has_exactly_two_fresh_machine_commands() -> None:
    commands = readme_commands()
    assert len(commands) == 2
    run, test = commands
    assert "wallboard run" in run and "pip install" in run
    assert "pytest" in test and "pip install" in test


def test_ci_runs_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert readme_commands()[1] in ci


def test_ci_tests_a_copy_with_nothing_beside_it() -> None:
    """CI runs README's command in a fresh temporary copy of the tracked files, never in the checkout."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    command = ci.index(readme_commands()[1])
    copy = next(i for i, line in enumerate(ci) if "git -C" in line and "ls-files" in line)
    into = next(i for i, line in enumerate(ci) if line.startswith('cd "$work/'))
    assert any("mktemp -d" in line for line in ci[:copy])
    assert copy < into < command
    assert any("ls -A \"$work\"" in line for line in ci[into:command])  # nothing beside the copy
    apt = next(line for line in ci if line.startswith("apt-get install"))
    assert {"chromium", "chromium-driver", "ffmpeg"} <= set(apt.split())
