"""config.yaml parsing: the shipped and reference configs load; every mistake names its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT
from wallboard.config import ConfigError, load_config, parse_config

GOOD = """\
site:
  name: Uji
  region: "12.75"
sources:
  - {id: simulasi, type: demo, every: 10s, indicators: [a]}
indicators:
  - {id: a, label: Indikator A, unit: x}
screens:
  - id: utama
    grid: {columns: 4, rows: 2}
    panels:
      - {id: p1, type: kpi, indicator: a, at: [0, 0], size: [2, 1]}
"""


def where(text: str, needle: str, nth_line_with: str | None = None) -> str:
    """``line:col`` of ``needle`` on the first line containing ``nth_line_with`` (or the needle)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if (nth_line_with or needle) in line:
            return f"{number}:{line.index(needle) + 1}"
    raise AssertionError(needle)


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_config(text, "c.yaml")
    return [str(p) for p in info.value.problems]


def test_shipped_config_loads() -> None:
    loaded = load_config(ROOT / "config.yaml")
    assert loaded.config.site.region == "12.75"
    assert loaded.config.screens[0].all_panels()


def test_minimal_config_loads_with_defaults() -> None:
    config = parse_config(GOOD).config
    assert config.database.url == "sqlite:///data/wallboard.db"
    assert config.site.timezone == "Asia/Jakarta"
    assert config.sources[0].every.total_seconds() == 10
    # stale_after defaults to three intervals of the feeding source
    assert config.stale_after("a").total_seconds() == 30


def test_unknown_key_is_reported_with_line_column_and_suggestion() -> None:
    text = GOOD.replace("  name: Uji\n", "  name: Uji\n  timezon: Asia/Jakarta\n")
    assert problems(text) == ["c.yaml:3:3: site.timezon: unknown key 'timezon' (did you mean 'timezone'?)"]


def test_bad_value_in_flow_mapping_points_at_the_item() -> None:
    text = GOOD.replace("every: 10s", "every: often")
    [problem] = problems(text)
    assert problem.startswith(f"c.yaml:{where(text, 'every')}: sources[0].every: ")
    assert "not a duration" in problem


def test_unknown_panel_type_names_the_type_key() -> None:
    text = GOOD.replace("type: kpi", "type: pie")
    [problem] = problems(text)
    assert problem.startswith(f"c.yaml:{where(text, 'type', 'pie')}: screens[0].panels[0].type: unknown type 'pie'")


def test_missing_required_key() -> None:
    text = GOOD.replace("    grid: {columns: 4, rows: 2}\n", "")
    assert problems(text) == ["c.yaml:9:5: screens[0].grid: missing required key 'grid'"]


def test_cross_references_are_checked() -> None:
    text = GOOD.replace("indicator: a, at", "indicator: b, at")
    assert problems(text) == [
        f"c.yaml:{where(text, 'indicator', 'indicator: b')}: screens[0].panels[0].indicator: "
        "indicator 'b' is not defined under indicators:"
    ]


def test_panel_outside_grid_and_overlap() -> None:
    text = GOOD.replace(
        "      - {id: p1, type: kpi, indicator: a, at: [0, 0], size: [2, 1]}\n",
        "      - {id: p1, type: kpi, indicator: a, at: [0, 0], size: [2, 1]}\n"
        "      - {id: p2, type: kpi, indicator: a, at: [1, 0], size: [1, 1]}\n"
        "      - {id: p3, type: kpi, indicator: a, at: [3, 1], size: [2, 1]}\n",
    )
    found = problems(text)
    assert any("screens[0].panels[1].at: panel 'p2' overlaps panel 'p1'" in p for p in found)
    assert any("screens[0].panels[2].at: panel 'p3'" in p and "does not fit the 4x2 grid" in p for p in found)


def test_unknown_region_and_timezone() -> None:
    text = GOOD.replace('region: "12.75"', 'region: "99.99"\n  timezone: Asia/Jakartaa')
    found = problems(text)
    assert any(p.startswith("c.yaml:3:3: site.region: ") and "Kemendagri" in p for p in found)
    assert any(p.startswith("c.yaml:4:3: site.timezone: ") and "Asia/Makassar (WITA)" in p for p in found)


def test_thresholds_must_respect_direction() -> None:
    text = GOOD.replace("unit: x}", "unit: x, direction: down, thresholds: {warning: 50, critical: 80}}")
    [problem] = problems(text)
    assert "indicators[0]" in problem and "critical must be below" in problem


def test_yaml_syntax_error_has_position() -> None:
    [problem] = problems(GOOD.replace("grid: {columns: 4, rows: 2}", "grid: {columns: 4, rows: 2"))
    assert problem.startswith("c.yaml:") and "YAML syntax" in problem


def test_missing_file_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "nope.yaml")
    assert "wallboard init --region" in str(info.value)


class _EveryVariable(dict):
    """Every ${VAR} counts as set: the example's secrets are set on a real server, not in a test."""

    def __contains__(self, _name: object) -> bool:
        return True


def test_example_config_loads_with_every_builtin_type() -> None:
    """docs/config.example.yaml names every built-in panel and source type, so one that fell out of
    its registry (or lost its Config) fails here as an unknown type, with no tolerance."""
    from wallboard import panels, sources

    config = load_config(ROOT / "docs" / "config.example.yaml", environ=_EveryVariable()).config
    assert {p.type for s in config.screens for p in s.all_panels()} == set(panels.BUILTIN)
    assert {s.type for s in config.sources} == set(sources.BUILTIN)
    assert set(panels.BUILTIN) <= set(panels.panel_types()) and set(sources.BUILTIN) <= set(sources.source_types())


def test_stale_after_for_an_indicator_named_by_a_data_column() -> None:
    """An indicator whose id comes from a column is judged by the sources that name indicators so."""
    text = GOOD.replace(
        "  - {id: simulasi, type: demo, every: 10s, indicators: [a]}\n",
        "  - {id: simulasi, type: demo, every: 10s, indicators: [a]}\n"
        "  - {id: harga, type: excel, path: h.xlsx, every: 2h, columns: {time: T, indicator: K, value: V}}\n",
    ).replace("  - {id: a, label: Indikator A, unit: x}\n",
              "  - {id: a, label: Indikator A, unit: x}\n  - {id: beras, label: Beras}\n")
    config = parse_config(text).config
    assert config.stale_after("beras").total_seconds() == 6 * 3600
    assert config.stale_after("a").total_seconds() == 30
