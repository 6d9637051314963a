"""One consistent picture of the store, built once per data change and shared by every wall.

Panels say what they need (``Needs``); the hub joins the needs of every screen and builds a single
``Snapshot`` from them, so ten walls cost the database the same as one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from wallboard.indicators import IndicatorValue, from_latest
from wallboard.rollup import RegionFigures, at_level
from wallboard.sources.periods import nominal
from wallboard.store import SourceStatus, Store, StoredEvent

_BUCKETS = (60, 300, 900, 3600, 21600, 86400)
MAX_POINTS = 800


def bucket_for(window_seconds: int) -> int:
    """The finest bucket that keeps a trend under ``MAX_POINTS`` points."""
    return next((b for b in _BUCKETS if window_seconds / b <= MAX_POINTS), _BUCKETS[-1])


@dataclass(frozen=True)
class SeriesKey:
    indicator: str
    window: int  # seconds

    @property
    def bucket(self) -> int:
        return bucket_for(self.window)


@dataclass
class Needs:
    indicators: set[str] = field(default_factory=set)
    series: set[SeriesKey] = field(default_factory=set)
    events: dict[str, int] = field(default_factory=dict)  # source -> how many
    sources: bool = False
    regions: set[tuple[str, str]] = field(default_factory=set)  # (indicator, kecamatan|desa)

    def add(self, other: Needs) -> None:
        self.indicators |= other.indicators
        self.regions |= other.regions
        self.series |= other.series
        for source, limit in other.events.items():
            self.events[source] = max(limit, self.events.get(source, 0))
        self.sources = self.sources or other.sources


@dataclass(frozen=True)
class Snapshot:
    now: datetime
    version: int
    indicators: dict[str, IndicatorValue]
    series: dict[SeriesKey, list[tuple[int, float]]]
    events: dict[str, list[StoredEvent]]
    sources: dict[str, SourceStatus]
    regions: dict[tuple[str, str], RegionFigures] = field(default_factory=dict)
    alerts: list[Any] = field(default_factory=list)  # open alerts (wallboard.alerts.repo.AlertInfo)
    replay: bool = False  # built "as of" a past minute: no live updates follow


def one_level(rows: list | None) -> list[str] | None:
    """The regions of the coarsest level when an indicator is reported at several (a kecamatan
    and its desa), so its trend counts each person once, as its current figure does; else None."""
    levels = {r.region.count(".") for r in rows or []}
    if len(levels) < 2:
        return None
    return [r.region for r in rows if r.region.count(".") == min(levels)]


def build_snapshot(store: Store, config: Any, needs: Needs, now: datetime, version: int,
                   as_of: bool = False) -> Snapshot:
    """``as_of``: the store as it stood at ``now`` (a past minute, for replay), not as it is."""
    from wallboard.alerts.repo import AlertRepo

    zone = config.site.zone
    defs = {i.id: i for i in config.indicators}
    now_ts = int(now.timestamp())
    wanted = needs.indicators | {i for i, _ in needs.regions} | {k.indicator for k in needs.series}
    latest = store.latest_at(wanted, now_ts) if as_of else store.latest(wanted)
    indicators = {
        i: from_latest(i, rows, defs[i].aggregate if i in defs else "sum", zone) for i, rows in latest.items()
    }
    series = {}
    for key in needs.series:
        since = (now_ts - key.window) // key.bucket * key.bucket
        aggregate = defs[key.indicator].aggregate if key.indicator in defs else "sum"
        current = indicators.get(key.indicator)
        length = nominal(current.period) if current is not None else None
        regions = one_level(latest.get(key.indicator))
        until = now_ts if as_of else None
        if length is not None:  # figures per period: from the start of the period the window opens in
            series[key] = store.series(key.indicator, now_ts - key.window - int(length.total_seconds()),
                                       key.bucket, aggregate, regions, periodic=True, until=until)
        else:
            series[key] = store.series(key.indicator, since, key.bucket, aggregate, regions, until=until)
    until = now if as_of else None
    events = {source: store.events(source, limit, until) for source, limit in needs.events.items()}
    sources = store.source_status([s.id for s in config.sources], until) if needs.sources else {}
    alerts = AlertRepo(store.engine).open_alerts(now if as_of else None)
    by_level = {
        (i, level): at_level(indicators[i].by_region, level, defs[i].aggregate if i in defs else "sum",
                             config.site.region)
        for i, level in needs.regions
    }
    return Snapshot(now.astimezone(zone), version, indicators, series, events, sources, by_level, alerts, as_of)
