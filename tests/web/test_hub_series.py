"""The hub reads a trend's series again only when its indicator was written: a change to another
indicator reuses it (and the figure drawn from it), a change to its own indicator reads the tail."""

from __future__ import annotations

import time

from tests.web.test_hub import runtime, write  # noqa: F401 - the fixture
from wallboard.live import hub as live
from wallboard.runtime import Runtime


def test_a_trend_is_read_again_only_when_its_indicator_was_written(runtime: Runtime) -> None:  # noqa: F811
    hub = runtime.hub
    hour = int(time.time()) // 3600 * 3600
    write(runtime, "tinggi_muka_air", 120, hour - 7200)
    hub.rebuild(force=True)  # everything from the store: the cache starts afresh
    cache = hub._series
    reads, tails = cache.reads, cache.tails
    figure = hub.view("utama")["tren--graph"]["figure"]

    write(runtime, "pengaduan_terbuka", 17)  # not on the trend
    hub.rebuild()
    assert hub.snapshot.indicators["pengaduan_terbuka"].value == 17
    assert (cache.reads, cache.tails) == (reads, tails)
    assert hub.view("utama")["tren--graph"]["figure"] is figure  # not even drawn again

    write(runtime, "tinggi_muka_air", 130, hour)  # its own indicator: one write, so only the tail
    hub.rebuild()
    assert (cache.reads, cache.tails) == (reads, tails + 1)
    data = hub.view("utama")["tren--graph"]["figure"]["data"][0]
    assert data["y"][-2:] == [120, 130]

    write(runtime, "tinggi_muka_air", 90, hour - 7200)  # a corrected old reading
    hub.rebuild()
    assert hub.view("utama")["tren--graph"]["figure"]["data"][0]["y"][-2:] == [90, 130]


def test_a_full_refresh_reads_every_series_again(runtime: Runtime, monkeypatch) -> None:  # noqa: F811
    hub = runtime.hub
    write(runtime, "tinggi_muka_air", 120)
    hub.rebuild()
    reads = hub._series.reads
    monkeypatch.setattr(live, "FULL_REFRESH", 0.0)  # a sliding window or retention moved things
    write(runtime, "pengaduan_terbuka", 18)
    hub.rebuild()
    assert hub._series.reads == reads + 1
