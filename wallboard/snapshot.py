"""One consistent picture of the store, built once per data change and shared by every wall.

Panels say what they need (``Needs``); the hub joins the needs of every screen and builds a single
``Snapshot`` from them, so ten walls cost the database the same as one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from wallboard.durations import nominal_period as nominal
from wallboard.indicators import IndicatorValue, from_latest
from wallboard.rollup import RegionFigures, at_level
from wallboard.store import SourceStatus, Store, StoredEvent
from wallboard.store.store import period_days

_BUCKETS = (60, 300, 900, 3600, 21600, 86400)
MAX_POINTS = 800
FORECAST_BEHIND = timedelta(hours=3)  # the step under way (BMKG's steps are 3 hours long)
FORECAST_AHEAD = timedelta(hours=27)  # and the next day


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
    forecasts: set[str] = field(default_factory=set)  # forecast sources: their steps for the next day

    def add(self, other: Needs) -> None:
        self.indicators |= other.indicators
        self.forecasts |= other.forecasts
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
    # This process cannot read its database since this moment: the figures are the last ones read,
    # and the sources' runs are unknown (not failed). Set by the hub (``wallboard.live.hub``).
    link_down: datetime | None = None
    forecasts: dict[str, list[Any]] = field(default_factory=dict)  # source -> StoredForecast, FORECAST_WINDOW
    # (indicator, level) -> the areas (codes at the figures' level) whose figures are no longer news:
    # older than the indicator's stale_after, or fed by a peer wallboard that has not answered within it.
    stale: dict[tuple[str, str], set[str]] = field(default_factory=dict)


class SeriesCache:
    """Trends' series kept from one snapshot to the next.

    A data change usually touches one indicator, yet every trend on every screen used to re-read
    its whole window (thirty days of hourly points each) on every change. A kept series is used
    again while everything it was read with is the same: the indicator's write counter
    (``Store.indicator_versions``: any write of its readings, old ones included, moves it), the
    window's first bucket, the aggregate and the regions combined. When exactly one write happened
    since, only the buckets from the oldest reading it touched are read again and spliced on.
    """

    def __init__(self) -> None:
        # key -> (what it was read with, the indicator's write counter, the points)
        self._kept: dict[SeriesKey, tuple[tuple[Any, ...], int, list[tuple[int, float]]]] = {}
        self.hits = 0  # used as kept
        self.tails = 0  # read again from a bucket on
        self.reads = 0  # read whole

    def series(self, store: Store, key: SeriesKey, version: tuple[int, int | None], since: int,
               aggregate: str, regions: list[str] | None) -> list[tuple[int, float]]:
        ident = (since, aggregate, tuple(regions or ()))
        count, low = version
        kept = self._kept.get(key)
        if kept is not None and kept[0] == ident:
            if kept[1] == count:
                self.hits += 1
                return kept[2]
            points = kept[2]
            if count == kept[1] + 1 and low is not None and points:
                start = max(since, min(low // key.bucket * key.bucket, points[-1][0]))
                tail = store.series(key.indicator, start, key.bucket, aggregate, regions)
                points = [p for p in points if p[0] < start] + tail
                self.tails += 1
                self._kept[key] = (ident, count, points)
                return points
        points = store.series(key.indicator, since, key.bucket, aggregate, regions)
        self.reads += 1
        self._kept[key] = (ident, count, points)
        return points

    def keep_only(self, keys: set[SeriesKey]) -> None:
        """Forget series no panel needs any more (after a config reload)."""
        for key in [k for k in self._kept if k not in keys]:
            del self._kept[key]

    def clear(self) -> None:
        self._kept.clear()


_MISSING = object()


class KeptFigures:
    """What a live snapshot keeps for the next: each indicator's latest rows and figure, and the
    parts equal to the previous snapshot's as the same objects.

    A data change usually touches one indicator, yet every snapshot used to read and combine the
    latest rows of every indicator on every screen. An indicator's rows and figure are used again
    while its write counter stays (``Store.indicator_versions``: every write of ``latest``, and
    retention, moves it in the same transaction). Parts read anew (events, sources' runs, alerts,
    forecasts, stale areas) are kept as the previous object when equal, so the hub tells a panel
    whose inputs did not move by identity and does not draw it again (``live/hub.py``).
    """

    def __init__(self) -> None:
        self._latest: dict[str, tuple[int, list[Any], IndicatorValue]] = {}
        self._levels: dict[tuple[str, str], tuple[IndicatorValue, RegionFigures]] = {}
        self._parts: dict[tuple[str, Any], Any] = {}
        self._by_run: dict[tuple[str, str], tuple[int, Any]] = {}
        self.reads = 0  # indicators read from the store
        self.kept = 0  # indicators used as kept

    def latest(self, store: Store, ids: Iterable[str], versions: dict[str, tuple[int, int | None]],
               figure: Callable[[str, list[Any]], IndicatorValue]) -> tuple[dict[str, list[Any]],
                                                                        dict[str, IndicatorValue]]:
        """Latest rows and figure of each indicator; only those written since are read."""
        ids = list(ids)
        changed = [i for i in ids if self._latest.get(i, (None,))[0] != versions[i][0]]
        fresh = store.latest(changed) if changed else {}
        for i in changed:
            self._latest[i] = (versions[i][0], fresh[i], figure(i, fresh[i]))
        self.reads += len(changed)
        self.kept += len(ids) - len(changed)
        return {i: self._latest[i][1] for i in ids}, {i: self._latest[i][2] for i in ids}

    def by_run(self, kind: str, runs: dict[str, int], wanted: Iterable[str],
               read: Callable[[list[str]], dict[str, Any]]) -> dict[str, Any]:
        """What ``read`` gives per source (its status, its events), read again only for the sources
        that recorded a run since (``Store.last_runs``): only a source's run writes either."""
        wanted = list(wanted)
        changed = [s for s in wanted if self._by_run.get((kind, s), (None,))[0] != runs.get(s, 0)]
        fresh = read(changed) if changed else {}
        for s in changed:
            self._by_run[(kind, s)] = (runs.get(s, 0), fresh[s])
        return {s: self._by_run[(kind, s)][1] for s in wanted}

    def level(self, key: tuple[str, str], value: IndicatorValue,
              combine: Callable[[], RegionFigures]) -> RegionFigures:
        """An indicator's figures at one level, combined again only when its figure changed."""
        kept = self._levels.get(key)
        if kept is not None and kept[0] is value:
            return kept[1]
        figures = combine()
        self._levels[key] = (value, figures)
        return figures

    def same(self, kind: str, key: Any, value: Any) -> Any:
        """The previous snapshot's object when it equals ``value``: an unchanged part keeps its identity."""
        old = self._parts.get((kind, key), _MISSING)
        if old is not _MISSING and old == value:
            return old
        self._parts[(kind, key)] = value
        return value

    def clear(self) -> None:
        self._latest.clear()
        self._levels.clear()
        self._parts.clear()
        self._by_run.clear()


def one_level(rows: list | None) -> list[str] | None:
    """The regions of the coarsest level when an indicator is reported at several (a kecamatan
    and its desa), so its trend counts each person once, as its current figure does; else None."""
    levels = {r.region.count(".") for r in rows or []}
    if len(levels) < 2:
        return None
    return [r.region for r in rows if r.region.count(".") == min(levels)]


def inside(region: str, code: str) -> bool:
    """``region`` is ``code`` or lies within it (``33.08.01`` inside ``33.08``)."""
    return region == code or region.startswith(code + ".")


def peer_regions(config: Any) -> dict[str, str]:
    """source id -> the region code it speaks for, for the ``type: wallboard`` sources that pin one."""
    return {s.id: s.region for s in config.sources if s.type == "wallboard" and getattr(s, "region", None)}


def down_regions(config: Any, indicator_id: str, now: datetime, status: dict[str, Any]) -> set[str]:
    """Regions whose peer wallboard has not succeeded within the indicator's ``stale_after``: its
    figures are the last ones it sent, never a zero, but they are no longer news."""
    limit = config.stale_after(indicator_id)
    down = set()
    for sid, code in peer_regions(config).items():
        if indicator_id not in config.source(sid).indicator_ids():
            continue
        state = status.get(sid)
        last = state.last_success if state is not None else None
        if last is None or now - last > limit:
            down.add(code)
    return down


def stale_areas(config: Any, indicator_id: str, areas: Iterable[str], rows: list | None, now: datetime,
                down: set[str]) -> set[str]:
    """The areas of a map or bar whose newest figure is older than ``stale_after`` or whose peer is
    down (a province wall's kab/kota whose own wallboard stopped answering)."""
    wanted = set(areas)
    newest: dict[str, tuple[int, str | None]] = {}
    for row in rows or []:
        # The area a row lies in: the prefix of its code that is an area (rows above the areas, a
        # site total, freshen none of them). One pass over the rows: 372 desa x 372 areas no more.
        parts = row.region.split(".")
        area = next((a for a in (".".join(parts[:k]) for k in range(len(parts), 0, -1)) if a in wanted), None)
        if area is not None and (area not in newest or row.ts > newest[area][0]):
            newest[area] = (row.ts, row.period)
    out = set()
    for area in wanted:
        if any(inside(area, code) or inside(code, area) for code in down):
            out.add(area)
        elif area in newest:
            ts, period = newest[area]
            if now.timestamp() - ts > config.stale_after(indicator_id, period).total_seconds():
                out.add(area)
    return out


def _runs_parts(store: Store, config: Any, needs: Needs, until: datetime | None,
                kept: KeptFigures | None) -> tuple[dict[str, list[StoredEvent]], dict[str, SourceStatus]]:
    """The events panels' events and the sources' runs; live, only those of sources that ran since."""
    ids = [s.id for s in config.sources] if needs.sources else []

    def read_events(wanted: list[str]) -> dict[str, list[StoredEvent]]:
        return {source: store.events(source, needs.events[source], until) for source in wanted}

    def read_status(wanted: list[str]) -> dict[str, SourceStatus]:
        return store.source_status(wanted, until) if wanted else {}

    if kept is None:
        return read_events(list(needs.events)), read_status(ids)
    runs = store.last_runs(ids + list(needs.events)) if ids or needs.events else {}
    return (kept.by_run("events", runs, needs.events, read_events),
            kept.by_run("status", runs, ids, read_status))


def build_snapshot(store: Store, config: Any, needs: Needs, now: datetime, version: int,
                   as_of: bool = False, cache: SeriesCache | None = None,
                   open_alerts: Callable[[datetime | None], list[Any]] | None = None,
                   kept: KeptFigures | None = None) -> Snapshot:
    """``as_of``: the store as it stood at ``now`` (a past minute, for replay), not as it is.
    ``cache``: series kept from the previous snapshot, used again where nothing they depend on moved.
    ``open_alerts``: reads the alerts open now (or at a past moment); the live layer passes the alert
    tables' reader, so the snapshot carries them as data without importing the alerts package.
    ``kept``: the latest figures and unchanged parts kept from the previous snapshot (live only)."""

    zone = config.site.zone
    defs = {i.id: i for i in config.indicators}
    now_ts = int(now.timestamp())
    wanted = needs.indicators | {i for i, _ in needs.regions} | {k.indicator for k in needs.series}
    if as_of:
        cache = kept = None

    def figure(i: str, rows: list[Any]) -> IndicatorValue:
        return from_latest(i, rows, defs[i].aggregate if i in defs else "sum", zone)

    versions = {}
    if cache is not None and needs.series or kept is not None:
        versions = store.indicator_versions(wanted if kept is not None else {k.indicator for k in needs.series})
    if kept is not None:
        latest, indicators = kept.latest(store, wanted, versions, figure)
    else:
        latest = store.latest_at(wanted, now_ts) if as_of else store.latest(wanted)
        indicators = {i: figure(i, rows) for i, rows in latest.items()}
    series = {}
    for key in needs.series:
        since = (now_ts - key.window) // key.bucket * key.bucket
        aggregate = defs[key.indicator].aggregate if key.indicator in defs else "sum"
        current = indicators.get(key.indicator)
        period = current.period if current is not None else None
        regions = one_level(latest.get(key.indicator))
        until = now_ts if as_of else None
        if period is not None:
            # Figures per period: from the start of the period the window opens in, and of the
            # current figure's length only (a recap's quarters, not its half years beside them).
            length = nominal(period) or timedelta(days=period_days(period))
            series[key] = store.series(key.indicator, now_ts - key.window - int(length.total_seconds()),
                                       key.bucket, aggregate, regions, periodic=True, until=until, period=period)
        elif cache is not None:
            series[key] = cache.series(store, key, versions[key.indicator], since, aggregate, regions)
        else:
            series[key] = store.series(key.indicator, since, key.bucket, aggregate, regions, until=until)
    if cache is not None:
        cache.keep_only(set(needs.series))
    until = now if as_of else None
    same = kept.same if kept is not None else (lambda _kind, _key, value: value)
    events, sources = _runs_parts(store, config, needs, until, kept)
    alerts = same("alerts", None, open_alerts(now if as_of else None) if open_alerts is not None else [])

    def level(i: str, at: str) -> RegionFigures:
        def combine() -> RegionFigures:
            return at_level(indicators[i].by_region, at, defs[i].aggregate if i in defs else "sum",
                            config.site.region)
        return kept.level((i, at), indicators[i], combine) if kept is not None else combine()

    by_level = {(i, at): level(i, at) for i, at in needs.regions}
    forecasts = {source: same("forecasts", source,
                              store.forecasts(source, now - FORECAST_BEHIND, now + FORECAST_AHEAD))
                 for source in needs.forecasts}
    stale = {}
    peers = list(peer_regions(config)) if needs.regions else []
    # Areas judged one by one on walls fed by other wallboards (a province's kab/kota, a neighbour's
    # river) and on walls above kab/kota; a kab/kota's own map keeps judging its indicator as a whole.
    if peers or (needs.regions and (config.site.region == "00" or "." not in config.site.region)):
        status = store.source_status(peers, until) if peers else {}
        stale = {key: same("stale", key, stale_areas(config, key[0], figures.values, latest.get(key[0]), now,
                                                      down_regions(config, key[0], now, status)))
                 for key, figures in by_level.items()}
    return Snapshot(now.astimezone(zone), version, indicators, series, events, sources, by_level, alerts, as_of,
                    forecasts=forecasts, stale=stale)
