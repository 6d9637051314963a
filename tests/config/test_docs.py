"""docs/config.md documents every key the config models accept; docs/config.example.yaml uses them all.

Both are checked against the models (tests/config/keys.py), so a key added to a model without a
line in the docs or the example fails here, and a documented key that no longer exists does too.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from tests.config.keys import ROOT as ROOT_SECTION
from tests.config.keys import SHARED, accepted_keys, used_keys
from tests.conftest import FIXTURES, ROOT
from wallboard.config import load_config

DOC = ROOT / "docs" / "config.md"
EXAMPLE = ROOT / "docs" / "config.example.yaml"
ROW = re.compile(r"^\| `([^`]+)` \|")
HEADING = re.compile(r"^#+ (.+?)\s*$")
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def example_environment() -> dict[str, str]:
    """This process's environment plus every ``${VAR}`` the example names, as a real server sets its
    secrets (a test has none of its own); an unset one would fail the load, as it should."""
    names = VARIABLE.findall(EXAMPLE.read_text(encoding="utf-8"))
    return {**os.environ, **{name: f"example-{name.lower()}-value" for name in names}}


def documented_keys(text: str) -> set[tuple[str, str]]:
    """(section, key) of every table row of docs/config.md whose first cell is a `key`."""
    sections = set(SHARED.values()) | {s for s, _ in accepted_keys()}
    found: set[tuple[str, str]] = set()
    section = ROOT_SECTION
    for line in text.splitlines():
        if heading := HEADING.match(line):
            section = heading.group(1) if heading.group(1) in sections else ROOT_SECTION
        elif row := ROW.match(line):
            found.add((section, row.group(1)))
    return found


def by_section(keys: set[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for section, key in sorted(keys):
        out[section].append(key)
    return dict(out)


def test_every_accepted_key_is_documented() -> None:
    missing = accepted_keys() - documented_keys(DOC.read_text(encoding="utf-8"))
    assert not missing, f"keys missing from docs/config.md (by section): {by_section(missing)}"


def test_docs_name_no_key_the_models_do_not_accept() -> None:
    extra = documented_keys(DOC.read_text(encoding="utf-8")) - accepted_keys()
    assert not extra, f"docs/config.md documents keys that do not exist: {by_section(extra)}"


def test_the_doc_check_notices_a_dropped_row() -> None:
    """The check above really reads the rows: removing one makes that key missing."""
    text = DOC.read_text(encoding="utf-8")
    dropped = "\n".join(line for line in text.splitlines() if not line.startswith("| `give_up` |"))
    assert accepted_keys() - documented_keys(dropped) == {("Panel type `camera`", "give_up"),
                                                          ("Panel type `cameras`", "give_up")}


def test_example_config_uses_every_key() -> None:
    config = load_config(EXAMPLE, environ=example_environment()).config
    unused = accepted_keys() - set(used_keys(config))
    assert not unused, f"keys docs/config.example.yaml never sets (by section): {by_section(unused)}"


def test_example_config_validates_without_warnings(tmp_path: Path) -> None:
    """`wallboard validate` accepts the example as shipped; beside its boundary files, without a warning."""
    result = subprocess.run([sys.executable, "-m", "wallboard.cli", "validate", str(EXAMPLE)],
                            capture_output=True, text=True, timeout=60, cwd=ROOT, env=example_environment())
    assert result.returncode == 0, result.stderr
    assert "ok (15 sources" in result.stdout

    shutil.copy(EXAMPLE, tmp_path / "config.yaml")
    (tmp_path / "data" / "regions").mkdir(parents=True)
    for name in ("12.75-kecamatan.geojson", "12.75-desa.geojson"):
        shutil.copy(FIXTURES / "regions" / name, tmp_path / "data" / "regions" / name)
    assert load_config(tmp_path / "config.yaml", environ=example_environment()).warnings == ()


def test_readme_and_shipped_config_point_at_the_docs() -> None:
    for path in (ROOT / "README.md", ROOT / "config.yaml", ROOT / "docs" / "sources.md"):
        text = path.read_text(encoding="utf-8")
        assert "config.md" in text, path
        assert "shared" not in text, f"{path} points outside the repository"
