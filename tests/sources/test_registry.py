"""One line per type in BUILTIN, plugins from the entry-point group, and what config says about them."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import get_args

import pytest

from tests.conftest import ROOT
from tests.sources.util import config_text
from wallboard.config import parse_config
from wallboard.sources import BUILTIN, source_types


def test_every_builtin_type_is_registered_under_its_own_name() -> None:
    types = source_types()
    assert {"demo", "csv", "excel", "http_json", "sql"} <= set(BUILTIN)
    for name in BUILTIN:
        assert get_args(types[name].Config.model_fields["type"].annotation) == (name,)


def test_plugin_from_entry_point_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "wb_plugin_mqtt.py").write_text(
        "from typing import Literal\n"
        "from wallboard.sources.base import Batch, Source\n"
        "from wallboard.config.models import SourceBase\n"
        "class MqttConfig(SourceBase):\n    type: Literal['mqtt']\n    topic: str\n"
        "class MqttSource(Source):\n    Config = MqttConfig\n    def fetch(self, now):\n        return Batch()\n"
    )
    dist = tmp_path / "wb_plugin_mqtt-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: wb-plugin-mqtt\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[wallboard.sources]\nmqtt = wb_plugin_mqtt:MqttSource\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    source_types.cache_clear()
    try:
        assert source_types()["mqtt"].__name__ == "MqttSource"
    finally:
        source_types.cache_clear()
        sys.modules.pop("wb_plugin_mqtt", None)


def test_example_sources_validate() -> None:
    example = ROOT / "docs" / "config.example.yaml"
    config = parse_config(example.read_text(encoding="utf-8"), str(example), base=example.parent).config
    assert {s.type for s in config.sources} == set(BUILTIN)
    lapor = config.source("lapor")
    assert lapor.headers["Authorization"] == "Bearer ${LAPOR_TOKEN}" and lapor.timeout == timedelta(seconds=10)


def test_stale_after_defaults_to_three_intervals() -> None:
    sources = """
  - {id: izin, type: csv, path: a.csv, every: 5m, indicator: izin_terbit, columns: {value: n}}
  - {id: pad, type: sql, url: "sqlite://", query: "select 1 as value", indicator: realisasi_pad, cron: "0 * * * *"}
  - id: harga
    type: excel
    path: h.xlsx
    every: 1h
    columns: {indicator: Komoditas, value: Harga}
    indicators: {Cabai Merah: harga_cabai}
"""
    config = parse_config(config_text("sqlite://", sources)).config
    assert config.stale_after("izin_terbit") == timedelta(minutes=15)
    assert config.stale_after("realisasi_pad") == timedelta(hours=3)
    assert config.stale_after("harga_cabai") == timedelta(hours=3)
    assert config.stale_after("pengaduan_terbuka") == timedelta(minutes=2)  # its own stale_after wins


def test_unknown_keys_and_bad_urls_are_config_errors() -> None:
    from wallboard.config import ConfigError

    for source, message in [
        ("{id: a, type: csv, path: a.csv, indicator: izin_terbit, colums: {value: n}}", "did you mean 'columns'"),
        ("{id: a, type: http_json, url: ftp://x, indicator: izin_terbit}", "not an http"),
        ("{id: a, type: sql, url: 'nonsense', query: 'select 1', indicator: izin_terbit}", "not a database URL"),
        ("{id: a, type: csv, path: a.csv, indicator: tidak_ada}", "indicator 'tidak_ada' is not defined"),
        ("{id: a, type: http_json, url: 'http://x', indicator: izin_terbit, events: {ref: id}}", "not both"),
    ]:
        with pytest.raises(ConfigError, match=message):
            parse_config(config_text("sqlite://", "  - " + source))
