"""BMKG's earthquake and early-warning feeds, read from a local stand-in serving their published formats.

The samples (tests/fixtures/bmkg, see docs/sources.md for the formats) hold a local felt quake
(Kabupaten Magelang, MMI III-IV), a near one felt only in Bantul (55 km away), a far one (Maluku),
a tsunami one (Simeulue), a warning naming Kab. Magelang (Severe), one in the same province naming
only Kab. Brebes and *Kota* Magelang (Moderate) and one in another province (never fetched).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.bmkg_standin import Answer, StandIn, bmkg_standin
from tests.conftest import FIXTURES
from tests.walls import DemoWall
from wallboard.alerts.repo import AlertRepo
from wallboard.alerts.service import AlertService
from wallboard.collector import Collector
from wallboard.config import parse_config
from wallboard.sources.base import SourceError
from wallboard.sources.bmkg_client import SHARED, USER_AGENT
from wallboard.sources.bmkg_gempa import hemisphere
from wallboard.sources.bmkg_places import load_site
from wallboard.store import Store

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
KECAMATAN = FIXTURES / "regions" / "33.08-kecamatan.geojson"
INDICATORS = """\
  - {id: gempa_magnitudo_terakhir, label: Magnitudo gempa terakhir, unit: M, aggregate: last}
  - {id: gempa_jarak_km, label: Jarak gempa terakhir, unit: km, aggregate: last}
  - {id: peringatan_dini, label: Peringatan dini cuaca, aggregate: last, owner: BPBD,
     thresholds: {warning: 1, critical: 2}}"""


@pytest.fixture(scope="module")
def standin() -> Iterator[StandIn]:
    with bmkg_standin() as server:
        yield server


@pytest.fixture
def wall(standin: StandIn, tmp_path: Path) -> Iterator[tuple[Collector, Store, object]]:
    SHARED.forget()
    standin.overrides.clear()
    standin.requests.clear()
    standin.at(NOW)
    sources = (f'  - {{id: gempa, type: bmkg_gempa, base_url: "{standin.url}", boundaries: "{KECAMATAN}"}}\n'
               f'  - {{id: peringatan, type: bmkg_peringatan, base_url: "{standin.url}"}}')
    db = f"sqlite:///{tmp_path / 'w.db'}"
    text = DemoWall(region="33.08", database=f'"{db}"', sources=sources, indicators=INDICATORS).format(
        panels="      - {id: gempa, type: events, source: gempa, at: [0, 0]}") + "alerts: {min_duration: null}\n"
    config = parse_config(text, base=tmp_path).config
    store = Store.open(db)
    yield Collector(store, config, tmp_path), store, config
    store.close()


def events(store: Store, source: str) -> dict[str, object]:
    return {e.ref: e for e in store.events(source, 50)}


def latest(store: Store, indicator: str) -> tuple[str, int, float]:
    row = store.latest([indicator])[indicator][0]
    return row.region, row.ts, row.value


def test_quakes_are_events_judged_from_the_site_with_their_values_from_the_sample(wall) -> None:
    collector, store, _ = wall
    run = collector.run("gempa", NOW)
    assert run.ok, run.error
    got = events(store, "gempa")
    assert set(got) == {"gempa-20261202021427", "gempa-20261201144003", "gempa-20261130210251"}
    felt = got["gempa-20261202021427"]  # inside Kabupaten Magelang, felt III-IV there
    assert felt.time == datetime(2026, 12, 2, 2, 14, 27, tzinfo=UTC)  # DateTime, not "09:14:27 WIB"
    assert (felt.status, felt.category, felt.region) == ("waspada", "gempa lokal", "33.08")  # MMI IV
    assert felt.title == "Gempa M 4.3 · Pusat gempa berada di darat 9 km BaratDaya Kab. Magelang"
    assert "kedalaman 10 km" in felt.detail and "dirasakan (MMI): III - IV Magelang" in felt.detail
    assert "-7.55, 110.20" in felt.detail
    assert "0 km dari batas Kabupaten Magelang" in felt.detail and "tidak berpotensi tsunami" in felt.detail
    near = got["gempa-20261201144003"]  # not felt here, but 55 km from the boundary: within near_km
    assert (near.status, near.category, near.region) == ("info", "gempa lokal", "33.08")
    assert "-8.20, 110.30" in near.detail and "55 km dari batas" in near.detail and "kedalaman 35 km" in near.detail
    far = got["gempa-20261130210251"]  # Maluku
    assert (far.status, far.category, far.region) == ("jauh", "gempa jauh", None)
    assert far.time == datetime(2026, 11, 30, 21, 2, 51, tzinfo=UTC) and "-3.42, 128.10" in far.detail
    assert latest(store, "gempa_magnitudo_terakhir") == ("33.08", int(felt.time.timestamp()), 4.3)
    assert latest(store, "gempa_jarak_km") == ("33.08", int(felt.time.timestamp()), 0.0)


def test_a_tsunami_potential_is_always_critical_even_far_away(wall, standin: StandIn) -> None:
    collector, store, _ = wall
    standin.variant("DataMKG/TEWS/autogempa.json", "autogempa-tsunami.json")
    assert collector.run("gempa", NOW).ok
    quake = events(store, "gempa")["gempa-20261202030512"]
    assert (quake.status, quake.category, quake.region) == ("kritis", "tsunami", None)
    assert "2.85, 95.70" in quake.detail  # 2.85 LU: north, positive
    region, _, km = latest(store, "gempa_jarak_km")
    assert region == "33.08" and 1900 < km < 2000  # Simeulue to Magelang's boundary: about 1,960 km
    assert latest(store, "gempa_magnitudo_terakhir")[2] == 7.1


@pytest.mark.parametrize(("variant", "says"), [
    ("autogempa-no-hemisphere.json", "Lintang '7.55' tanpa LU/LS"),
    ("autogempa-renamed.json", "kolom 'Magnitude' tidak ada"),
    ("html", "halaman HTML"),
])
def test_a_feed_that_changed_shape_fails_the_run_naming_the_field_and_stores_nothing(
        wall, standin: StandIn, variant: str, says: str) -> None:
    collector, store, _ = wall
    path = "DataMKG/TEWS/autogempa.json"
    standin.html(path) if variant == "html" else standin.variant(path, variant)
    run = collector.run("gempa", NOW)
    assert not run.ok and says in run.error and "autogempa.json" in run.error
    assert "\n" not in run.error and "Traceback" not in run.error
    assert store.events("gempa", 10) == []
    assert store.latest(["gempa_magnitudo_terakhir"])["gempa_magnitudo_terakhir"] == []


def test_coordinates_take_their_sign_from_the_hemisphere() -> None:
    assert hemisphere("7.52 LS", "Lintang", "x") == -7.52 and hemisphere("2.85 LU", "Lintang", "x") == 2.85
    assert hemisphere("110.32 BT", "Bujur", "x") == 110.32
    with pytest.raises(SourceError, match="tanpa BT/BB"):
        hemisphere("110.32", "Bujur", "x")


def test_a_warning_for_the_site_opens_an_incident_with_its_severity_and_expiry_closes_it(
        wall, standin: StandIn) -> None:
    collector, store, config = wall
    service = AlertService(store, lambda: config)
    try:
        run = collector.run("peringatan", NOW)
        assert run.ok, run.error
        got = events(store, "peringatan")
        assert set(got) == {"cap-CJH20261202003", "cap-CJH20261202004"}  # Jawa Tengah only
        ours = got["cap-CJH20261202003"]
        assert (ours.status, ours.region) == ("kritis", "33.08")  # Severe
        assert ours.category == "Hujan Lebat disertai Kilat/Petir dan Angin Kencang"
        assert ours.time == NOW - timedelta(minutes=30) and "berlaku sampai 2026-12-02 05:00 UTC" in ours.detail
        other = got["cap-CJH20261202004"]  # Kab. Brebes and Kota Magelang: not the Kabupaten
        assert (other.status, other.region) == ("jauh", None)
        assert not any("CYG" in p for p in standin.paths())  # another province's CAP is never fetched
        assert latest(store, "peringatan_dini")[::2] == ("33.08", 2.0)
        service.evaluate(NOW)
        [alert] = AlertRepo(store.engine).open_alerts()
        assert (alert.indicator, alert.region, alert.state) == ("peringatan_dini", "33.08", "critical")
        later = NOW + timedelta(hours=3)  # past <expires>
        assert collector.run("peringatan", later).ok
        assert events(store, "peringatan")["cap-CJH20261202003"].status == "selesai"
        assert latest(store, "peringatan_dini")[2] == 0.0
        service.evaluate(later)
        assert AlertRepo(store.engine).open_alerts() == []
    finally:
        service.stop()


def test_a_moderate_warning_is_a_warning_not_critical(wall, standin: StandIn) -> None:
    collector, store, config = wall
    body = (FIXTURES / "bmkg/alerts/nowcast/id/CJH20261202003_alert.xml").read_text().replace("Severe", "Moderate")
    standin.overrides["alerts/nowcast/id/CJH20261202003_alert.xml"] = Answer(200, standin._fill(body.encode()),
                                                                            "application/xml")
    assert collector.run("peringatan", NOW).ok
    assert events(store, "peringatan")["cap-CJH20261202003"].status == "waspada"
    assert latest(store, "peringatan_dini")[2] == 1.0


def test_the_client_is_polite_one_agent_conditional_requests_and_backing_off(wall, standin: StandIn) -> None:
    collector, store, _ = wall
    assert collector.run("gempa", NOW).ok
    assert collector.run("gempa", NOW + timedelta(minutes=1)).ok  # answered 304: the kept body is used
    asked = [h for p, h in standin.requests if p.endswith("autogempa.json")]
    assert [h.get("User-Agent") for h in asked] == [USER_AGENT] * 2 and USER_AGENT.startswith("wallboard/")
    assert "If-None-Match" not in asked[0] and asked[1]["If-None-Match"].startswith('"')
    standin.overrides["DataMKG/TEWS/autogempa.json"] = Answer(429, b"slow down", "text/plain", {"Retry-After": "120"})
    run = collector.run("gempa", NOW + timedelta(minutes=2))
    assert not run.ok and "HTTP 429" in run.error and "120 dtk" in run.error
    before = len(standin.requests)
    run = collector.run("gempa", NOW + timedelta(minutes=3))  # within Retry-After: BMKG is not asked
    assert not run.ok and "menunggu" in run.error and len(standin.requests) == before


def test_names_of_the_site_are_matched_with_their_kind() -> None:
    site = load_site("33.08", None)
    assert site.names_site("III - IV Magelang") and site.names_site("Kab. Magelang: Muntilan")
    assert not site.names_site("Kota Magelang: Magelang Utara, Magelang Selatan")
    assert not site.names_site("Kab. Purworejo: Grabag")  # a Grabag of another kabupaten
    assert site.names_site("hujan lebat di Grabag dan Secang")


@pytest.mark.parametrize(("path", "answer", "says"), [
    ("alerts/nowcast/id", "html", "alerts/nowcast/id: jawaban berupa halaman HTML"),
    ("alerts/nowcast/id/CJH20261202003_alert.xml", "no-expires", "<expires> tidak ada"),
    ("alerts/nowcast/id", "not-rss", "bukan RSS"),
])
def test_a_warning_feed_that_changed_shape_fails_naming_what_and_stores_nothing(
        wall, standin: StandIn, path: str, answer: str, says: str) -> None:
    collector, store, _ = wall
    if answer == "html":
        standin.html(path)
    elif answer == "no-expires":
        body = (FIXTURES / "bmkg" / path).read_text().replace("<expires>{{EXPIRES}}</expires>", "")
        standin.overrides[path] = Answer(200, standin._fill(body.encode()), "application/xml")
    else:
        standin.overrides[path] = Answer(200, b"<feed><entry/></feed>", "application/xml")
    run = collector.run("peringatan", NOW)
    assert not run.ok and says in run.error, run.error
    assert store.events("peringatan", 10) == [] and store.latest(["peringatan_dini"])["peringatan_dini"] == []


def test_an_answer_larger_than_the_cap_is_not_read(wall, monkeypatch: pytest.MonkeyPatch) -> None:
    from wallboard.sources import bmkg_client

    collector, store, _ = wall
    monkeypatch.setattr(bmkg_client, "MAX_BYTES", 200)  # the autogempa sample is about 600 bytes
    run = collector.run("gempa", NOW)
    assert not run.ok and "autogempa.json lebih dari" in run.error and "tidak dibaca" in run.error
    assert store.events("gempa", 10) == []
