"""The map matches the territory: every module path the README's "How it fits together" table and
docs/architecture.md name exists, the layers hold, and no import hides inside a function unexplained."""

from __future__ import annotations

import ast
import re
from collections import defaultdict

import pytest

from tests.conftest import ROOT
from wallboard.durations import PERIOD_NOMINAL

PATH = re.compile(r"`((?:wallboard|docs|tests|benchmarks|deploy)/[^`\s]*|[\w.-]+\.(?:py|yaml|md))`")


def readme_table() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## How it fits together", 1)[1].split("\n## ", 1)[0]
    return "\n".join(line for line in section.splitlines() if line.startswith("|"))


def named_paths(text: str) -> set[str]:
    return set(PATH.findall(text))


@pytest.mark.parametrize("where", ["README.md", "docs/architecture.md"])
def test_every_path_named_exists(where: str) -> None:
    text = readme_table() if where == "README.md" else (ROOT / where).read_text(encoding="utf-8")
    paths = named_paths(text)
    assert len(paths) >= 10  # the map names its parts
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert not missing, f"{where} names paths that do not exist: {missing}"


def test_the_readme_table_names_the_live_layer_and_the_web_subpackages() -> None:
    paths = named_paths(readme_table())
    assert {"wallboard/live/", "wallboard/web/serve/streams.py", "wallboard/web/console/"} <= paths


def test_architecture_has_one_mermaid_diagram_naming_every_layer_of_the_contract() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert text.count("```mermaid") == 1
    diagram = text.split("```mermaid", 1)[1].split("```", 1)[0]
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    layers = re.search(r"layers = \[(.*?)\]", pyproject, re.S).group(1)
    parts = {p.strip() for line in re.findall(r'"([^"]+)"', layers) for p in line.split("|")}
    assert parts and all(re.search(rf"\b{p}\b", diagram) for p in parts), parts


def _package_graph() -> dict[str, set[str]]:
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("wallboard")
    edges: dict[str, set[str]] = defaultdict(set)
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            a, b = module.split(".")[:2], imported.split(".")[:2]
            if len(a) == 2 and len(b) == 2 and a != b:
                edges[a[1]].add(b[1])
    return edges


def test_no_import_cycle_between_packages() -> None:
    edges = _package_graph()

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            here = todo.pop()
            if here == goal:
                return True
            if here not in seen:
                seen.add(here)
                todo.extend(edges.get(here, ()))
        return False

    cycles = sorted((a, b) for a in edges for b in edges[a] if reaches(b, a))
    assert not cycles, f"packages importing each other (directly or round about): {cycles}"


def test_config_and_lower_layers_import_no_panel_source_or_alert_module() -> None:
    edges = _package_graph()
    assert not edges["config"] & {"panels", "sources", "alerts"}
    assert not edges["snapshot"] & {"alerts", "sources", "panels", "web", "live"}
    assert not edges["runtime"] & {"web"}
    assert not edges["auth"] & {"web"}




def test_imports_inside_functions_say_why() -> None:
    """A wallboard import inside a function hides a dependency; the CLI's (start-up time) and ones with a
    comment beside them are the exceptions."""
    hidden = []
    for path in sorted((ROOT / "wallboard").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name == "wallboard/cli.py":
            continue
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(node):
                module = inner.module if isinstance(inner, ast.ImportFrom) else None
                if module and module.startswith("wallboard"):
                    above = inner.lineno - 2
                    while lines[above].strip().startswith(("from ", "import ")):
                        above -= 1  # an import block shares the comment above it
                    if "#" not in lines[inner.lineno - 1] and not lines[above].strip().startswith("#"):
                        hidden.append(f"{name}:{inner.lineno}")
    assert not hidden, f"imports inside functions without a reason beside them: {hidden}"


def test_period_lengths_agree_with_the_period_reader() -> None:
    """config and the snapshot judge freshness with durations.PERIOD_NOMINAL; sources/periods.py reads
    periods with its own table until it imports this one: the two must not drift apart."""
    from wallboard.sources.periods import NOMINAL

    assert PERIOD_NOMINAL == NOMINAL
