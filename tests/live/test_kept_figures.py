"""What a live snapshot keeps for the next (``KeptFigures``): a kept part is never older than the store.

Sources' runs and events are read again when that source recorded a run; figures when their indicator
was written; everything else is the previous snapshot's object while it is equal (the hub tells a
panel whose inputs did not move by identity)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from wallboard.config import parse_config
from wallboard.records import Batch, Event, Reading
from wallboard.snapshot import KeptFigures, Needs, build_snapshot
from wallboard.store import Run, Store

CONFIG = """site: {name: Uji, region: "12.75"}
sources:
  - {id: pengaduan, type: demo, indicators: [laporan]}
  - {id: sungai, type: demo, indicators: [air]}
indicators:
  - {id: laporan, label: Laporan}
  - {id: air, label: Tinggi muka air, unit: cm, aggregate: last}
screens:
  - id: utama
    grid: {columns: 2, rows: 1}
    panels:
      - {id: k, type: kpi, indicator: air, at: [0, 0]}
"""
NOW = datetime(2026, 12, 2, 7, 30, tzinfo=UTC)
NEEDS = Needs(indicators={"laporan", "air"}, events={"pengaduan": 5}, sources=True)


def run(store: Store, source: str, ok: bool = True, at: datetime = NOW) -> None:
    store.record_run(Run(source, at, at, ok, 1, 0, None if ok else "HTTP 500"))


def snap(store: Store, config, kept: KeptFigures, at: datetime = NOW):  # noqa: ANN001, ANN201
    return build_snapshot(store, config, NEEDS, at, store.data_version(), kept=kept)


def test_each_part_is_read_again_exactly_when_its_source_or_indicator_moved() -> None:
    config = parse_config(CONFIG).config
    store = Store.open("sqlite://")
    kept = KeptFigures()
    store.write("pengaduan", Batch(readings=[Reading("laporan", "12.75", int(NOW.timestamp()), 4)],
                                   events=[Event("e1", NOW, title="Jalan rusak")]))
    run(store, "pengaduan")
    store.write("sungai", Batch(readings=[Reading("air", "12.75", int(NOW.timestamp()), 120)]))
    run(store, "sungai")
    first = snap(store, config, kept)
    assert [e.title for e in first.events["pengaduan"]] == ["Jalan rusak"]

    later = NOW + timedelta(minutes=1)
    store.write("sungai", Batch(readings=[Reading("air", "12.75", int(later.timestamp()), 130)]))
    run(store, "sungai", ok=False, at=later)
    second = snap(store, config, kept, later)
    assert second.indicators["air"].value == 130
    assert second.sources["sungai"].last_error == "HTTP 500" and second.sources["sungai"].last_run.ok is False
    # what did not move is the previous snapshot's very object
    assert second.indicators["laporan"] is first.indicators["laporan"]
    assert second.events["pengaduan"] is first.events["pengaduan"]
    assert second.sources["pengaduan"] is first.sources["pengaduan"]

    store.write("pengaduan", Batch(events=[Event("e2", later, title="Banjir")]))
    run(store, "pengaduan", at=later)
    third = snap(store, config, kept, later)
    assert [e.title for e in third.events["pengaduan"]] == ["Banjir", "Jalan rusak"]
    assert third.sources["pengaduan"].last_run.finished == later
    assert third.indicators["air"] is second.indicators["air"]
    # a fresh read of everything agrees with the kept one
    fresh = snap(store, config, KeptFigures(), later)
    assert fresh.indicators["air"].value == third.indicators["air"].value
    assert fresh.sources == third.sources and fresh.events == third.events
    store.close()
