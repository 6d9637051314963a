"""BMKG's weather forecast per kecamatan, stored as forecasts (issue and valid time), never as readings.

Samples (tests/fixtures/bmkg/publik/prakiraan-cuaca): Salaman's desa with all 24 steps of three days,
Borobudur's with three steps missing; a third kecamatan asks for a desa code BMKG does not know.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.bmkg_standin import Answer, StandIn, bmkg_standin
from tests.conftest import FIXTURES
from tests.walls import DemoWall
from wallboard.collector import Collector
from wallboard.config import parse_config
from wallboard.sources.bmkg_client import SHARED
from wallboard.store import Store, schema

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
SAMPLES = FIXTURES / "bmkg" / "publik" / "prakiraan-cuaca"
DESA = {"33.08.01": "33.08.01.2001", "33.08.02": "33.08.02.2001", "33.08.03": "33.08.03.2099"}


@pytest.fixture(scope="module")
def standin() -> Iterator[StandIn]:
    with bmkg_standin() as server:
        yield server


@pytest.fixture
def wall(standin: StandIn, tmp_path: Path, db_url: str) -> Iterator[tuple[Collector, Store]]:
    SHARED.forget()
    standin.overrides.clear()
    desa = ", ".join(f'"{k}": "{v}"' for k, v in DESA.items())
    sources = f'  - {{id: cuaca, type: bmkg_cuaca, base_url: "{standin.url}", desa: {{{desa}}}}}'
    text = DemoWall(region="33.08", database=f'"{db_url}"', sources=sources).format(
        panels="      - {id: cuaca, type: weather, source: cuaca, at: [0, 0], size: [4, 2]}")
    config = parse_config(text, base=tmp_path).config
    store = Store.open(db_url)
    yield Collector(store, config, tmp_path), store
    store.close()


def sample_steps(desa: str) -> list[dict]:
    data = json.loads((SAMPLES / f"{desa}.json").read_text())
    return [step for day in data["data"][0]["cuaca"] for step in day]


def stored(store: Store, region: str) -> dict[datetime, object]:
    far = datetime(2030, 1, 1, tzinfo=UTC)
    return {f.valid: f for f in store.forecasts("cuaca", datetime(2026, 1, 1, tzinfo=UTC), far) if f.region == region}


def test_every_step_is_stored_as_a_forecast_with_its_values_from_the_sample(wall) -> None:
    collector, store = wall
    run = collector.run("cuaca", NOW)
    assert run.ok, run.error
    for kecamatan, desa, count in (("33.08.01", "33.08.01.2001", 24), ("33.08.02", "33.08.02.2001", 21)):
        steps = sample_steps(desa)
        got = stored(store, kecamatan)
        assert len(steps) == len(got) == count
        for step in steps:
            valid = datetime.fromisoformat(step["datetime"].replace("Z", "+00:00"))
            f = got[valid]
            assert f.issued == datetime(2026, 12, 2, 0, 0, tzinfo=UTC) and f.place == desa
            assert (f.temperature, f.humidity, f.rain, f.wind_speed) == (step["t"], step["hu"], step["tp"], step["ws"])
            assert (f.wind_dir, f.weather, f.text, f.text_en) == (step["wd"], step["weather"], step["weather_desc"],
                                                                  step["weather_desc_en"])
    # Borobudur's missing steps (06:00, 09:00 and 27:00 UTC) are gaps, not zeros.
    missing = {datetime(2026, 12, 2, 6, tzinfo=UTC), datetime(2026, 12, 2, 9, tzinfo=UTC),
               datetime(2026, 12, 3, 3, tzinfo=UTC)}
    assert missing.isdisjoint(stored(store, "33.08.02")) and missing <= set(stored(store, "33.08.01"))
    # Never readings: no trend or KPI can draw a prediction as if it had been measured.
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.readings)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(schema.latest)).scalar() == 0


def test_a_desa_bmkg_does_not_know_leaves_its_kecamatan_without_forecast_and_the_rest_stored(wall) -> None:
    collector, store = wall
    run = collector.run("cuaca", NOW)
    assert run.ok and run.rows == 45
    assert "kecamatan 33.08.03: desa 33.08.03.2099 tidak dikenal BMKG" in run.notes
    assert stored(store, "33.08.03") == {}


def test_a_step_missing_a_field_fails_the_run_naming_it_and_stores_nothing(wall, standin: StandIn) -> None:
    collector, store = wall
    data = json.loads((SAMPLES / "33.08.01.2001.json").read_text())
    del data["data"][0]["cuaca"][1][3]["hu"]
    standin.overrides["publik/prakiraan-cuaca"] = Answer(200, json.dumps(data).encode())
    run = collector.run("cuaca", NOW)
    assert not run.ok and "kolom 'hu' tidak ada" in run.error and "langkah ke-12" in run.error
    assert stored(store, "33.08.01") == {}
