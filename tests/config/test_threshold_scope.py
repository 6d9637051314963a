"""Bad input around thresholds' scope (issue 21): per-region levels nothing feeds, levels in the wrong
order, site levels on an ``aggregate: last`` indicator whose figures are per region."""

from __future__ import annotations

import pytest

from tests.config.test_loader import GOOD, where
from wallboard.config import ConfigError, parse_config

CSV = """  - {id: sensor, type: csv, path: a.csv, every: 1m, indicator: a, columns: {time: t, value: v}}
indicators:"""


def warnings(text: str) -> list[str]:
    return [str(w) for w in parse_config(text, "c.yaml").warnings]


def test_region_thresholds_in_the_wrong_order_are_an_error_with_line_and_column() -> None:
    text = GOOD.replace("unit: x}", "unit: x, region_thresholds: {warning: 80, critical: 50}}")
    with pytest.raises(ConfigError) as info:
        parse_config(text, "c.yaml")
    [problem] = [str(p) for p in info.value.problems]
    assert problem.startswith(f"c.yaml:{where(text, 'region_thresholds')}: indicators[0].region_thresholds: ")
    assert "region_thresholds.critical must be above region_thresholds.warning" in problem


def test_region_thresholds_without_regional_data_warn_what_happens() -> None:
    text = (GOOD.replace("indicators: [a]}\nindicators:", "indicators: [b]}\n" + CSV)
            .replace("unit: x}", "unit: x, region_thresholds: {warning: 5, critical: 9}}\n  - {id: b, label: B}"))
    [warning] = warnings(text)
    assert warning.startswith(f"c.yaml:{where(text, 'region_thresholds')}: indicators[0].region_thresholds: ")
    assert "no source gives 'a' per kecamatan or desa" in warning and "only the site's figure" in warning
    # the same levels with a region column: nothing to warn of
    regional = text.replace("columns: {time: t, value: v}", "columns: {time: t, region: r, value: v}")
    assert warnings(regional) == []


def test_site_thresholds_on_a_last_indicator_with_regional_data_warn() -> None:
    text = GOOD.replace("unit: x}", "unit: x, aggregate: last, thresholds: {warning: 5, critical: 9}}")
    [warning] = warnings(text)
    assert warning.startswith(f"c.yaml:{where(text, 'thresholds')}: indicators[0].thresholds: ")
    assert "aggregate: last" in warning and "use region_thresholds" in warning
    fixed = text.replace("thresholds: {", "region_thresholds: {")
    assert warnings(fixed) == []
