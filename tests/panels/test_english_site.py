"""An English site in English (issue 21, item 9): units and the simulator's texts come from the
catalogues, so ``site.locale: en`` shows no Indonesian the config did not write itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from tests.conftest import FIXTURES
from tests.walls import DemoWall
from wallboard import formatting
from wallboard.config.loader import parse_config
from wallboard.sources.base import SourceContext
from wallboard.sources.demo import DemoSource


def unit(text: str, locale: str) -> str:
    return formatting.unit(SimpleNamespace(unit=text, format=None), locale)


def test_units_read_in_the_site_language() -> None:
    assert [unit(u, "en") for u in ("laporan", "kasus", "pasien", "izin", "cm")] == [
        "reports", "cases", "patients", "permits", "cm"]
    assert [unit(u, "id") for u in ("laporan", "cases", "cm")] == ["laporan", "kasus", "cm"]
    money = SimpleNamespace(unit="IDR/kg", format="currency")
    assert formatting.unit(money, "en") == "/kg"


def events_of(locale: str) -> list:
    wall = DemoWall(site=f", locale: {locale}", sources="  - {id: simulasi, type: demo, every: 1h, events: true, "
                    "indicators: [latar]}", panels="      - {id: k, type: clock, at: [0, 0]}")
    config = parse_config(wall.format(db="sqlite://"), base=FIXTURES).config
    source = config.sources[0].model_copy(update={"backfill": timedelta(0), "seed": 3})
    demo = DemoSource(source, SourceContext(config.site, {i.id: i for i in config.indicators}, FIXTURES))
    events = []
    for hour in range(12):
        events += demo.fetch(datetime(2026, 11, 27, hour, tzinfo=UTC)).events
    return events


def test_the_simulator_writes_complaints_in_the_site_language() -> None:
    english, indonesian = events_of("en"), events_of("id")
    assert english and indonesian
    assert {e.category for e in english} <= {"Infrastructure", "Cleanliness", "Street lighting", "Drainage",
                                              "Health", "Permits", "Clean water"}
    assert {e.category for e in indonesian} <= {"Infrastruktur", "Kebersihan", "Penerangan", "Drainase",
                                                 "Kesehatan", "Perizinan", "Air bersih"}
    assert not any(w in e.title for e in english for w in ("Jalan", "Sampah", "Lampu", "Saluran", "Antrean"))
