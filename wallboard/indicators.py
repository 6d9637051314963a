"""What a value means: its state against thresholds and freshness, the same for every panel.

This is the one evaluation of thresholds: the alert engine (``wallboard.alerts.evaluate``), the
panels' badges (``state_of``) and the drill pages (``judge_region``, ``threshold_state``) all call
it, so a badge, an alert and a drill page cannot disagree about a figure. ``thresholds`` judge the
figure the wall shows for the site (its total, or the aggregate over its regions); each kecamatan
or desa is judged only when the indicator says so (``region_thresholds``, or ``thresholds`` with
``per_region: true``): a city-wide "fewer than 5 buses" says nothing about one kecamatan's buses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from wallboard.store import Latest
from wallboard.store.store import period_days

SEVERITY = {"ok": 0, "nodata": 0, "stale": 1, "warning": 2, "critical": 3, "error": 3}


def site_levels(indicator: Any) -> Any:
    """The levels the site's own figure is judged against, or None."""
    return getattr(indicator, "thresholds", None) if indicator is not None else None


def region_levels(indicator: Any) -> Any:
    """The levels each kecamatan/desa is judged against, or None when regions are not judged."""
    if indicator is None:
        return None
    own = getattr(indicator, "region_thresholds", None)
    if own is not None:
        return own
    t = indicator.thresholds
    return t if t is not None and getattr(t, "per_region", False) else None


def is_region(code: str, site: str | None = None) -> bool:
    """An area's code, not the site's own figure: with ``site`` known, any code but the site's (a
    kab/kota on a province wall, a province on the national one); without, a kecamatan
    (``12.75.01``) or desa code, not a kabupaten/kota's own (``12.75``)."""
    return code != site if site is not None else code.count(".") >= 2


def levels_for(indicator: Any, region: str | None, site: str | None = None) -> Any:
    """The levels for a figure of ``region`` (None or the site's code: the site's figure).

    ``site``: the site's own code, when known. A kab/kota code is the site on a kab/kota wall but one
    of the areas on a province wall (judged by the per-region levels, as its kecamatan are)."""
    if region is None or not is_region(region, site):
        return site_levels(indicator)
    return region_levels(indicator)


def level_state(value: float, levels: Any, direction: str) -> str:
    if levels is None:
        return "ok"
    worse = (lambda a, b: a <= b) if direction == "down" else (lambda a, b: a >= b)
    if levels.critical is not None and worse(value, levels.critical):
        return "critical"
    if levels.warning is not None and worse(value, levels.warning):
        return "warning"
    return "ok"


def threshold_state(value: float, indicator: Any, region: str | None = None, site: str | None = None) -> str:
    """The state of one figure: the site's (``region`` None or the site's code) or a region's."""
    if indicator is None:
        return "ok"
    return level_state(value, levels_for(indicator, region, site), indicator.direction)


def watched(indicator: Any) -> bool:
    """Whether any figure of the indicator is judged (and so can open an alert)."""
    return site_levels(indicator) is not None or region_levels(indicator) is not None


def worst(states: Any) -> str:
    return max(states, key=lambda s: SEVERITY.get(s, 0), default="ok")


@dataclass(frozen=True)
class IndicatorValue:
    """An indicator's city-wide figure right now, with what the wall needs to judge it."""

    id: str
    value: float | None
    previous: float | None
    time: datetime | None
    by_region: dict[str, float] = field(default_factory=dict)
    period: str | None = None  # P1Y/P6M/P3M/P1M: the newest figure is for a period, not a moment

    def age(self, now: datetime) -> timedelta | None:
        return None if self.time is None else now - self.time


def combine(values: list[float], aggregate: str) -> float:
    if aggregate == "mean":
        return sum(values) / len(values)
    if aggregate == "last":
        return values[-1]
    return sum(values)


def from_latest(indicator_id: str, rows: list[Latest], aggregate: str, zone: Any) -> IndicatorValue:
    if not rows:
        return IndicatorValue(indicator_id, None, None, None)
    # Oldest first (rollup's "last" relies on it); at one time the shortest length last, as the
    # store picks each region's current figure (a quarter before the half year starting with it).
    rows = sorted(rows, key=lambda r: (r.ts, -period_days(r.period)))
    by_region = {r.region: r.value for r in rows}
    # A source may report a kecamatan and its desa both; the city-wide figure counts each person
    # once, so it combines the coarsest level present only.
    coarsest = min(r.region.count(".") for r in rows)
    rows = [r for r in rows if r.region.count(".") == coarsest]
    # ... and figures of one length: a region whose current figure is a half year is not added to
    # the others' quarters.
    rows = [r for r in rows if r.period == rows[-1].period]
    current = combine([r.value for r in rows], aggregate)
    have_prev = [r for r in rows if r.prev_value is not None]
    previous = (
        combine([r.prev_value if r.prev_value is not None else r.value for r in rows], aggregate)
        if have_prev else None
    )
    newest = datetime.fromtimestamp(rows[-1].ts, zone)
    return IndicatorValue(indicator_id, current, previous, newest, by_region, rows[-1].period)


@dataclass(frozen=True)
class Judgement:
    """Every judged figure of one indicator: the site's and, with per-region levels, each region's."""

    site: tuple[float, str] | None  # (value, state), None when the site's figure is not judged
    regions: dict[str, tuple[float, str]]  # code -> (value, state), only regions that are judged

    @property
    def state(self) -> str:
        """The worst of them: what the panel's badge says."""
        states = [s for _, s in self.regions.values()]
        if self.site is not None:
            states.append(self.site[1])
        return worst(states)


def judge(value: IndicatorValue, indicator: Any, site: str | None = None) -> Judgement:
    """The one evaluation of an indicator's current figures (see the module's docstring).

    ``site``: the site's code; its areas (a province wall's kab/kota too) are judged one by one."""
    direction = indicator.direction if indicator is not None else "up"
    levels = site_levels(indicator)
    whole = None
    if value.value is not None and levels is not None:
        whole = (float(value.value), level_state(value.value, levels, direction))
    per_region = region_levels(indicator)
    regions: dict[str, tuple[float, str]] = {}
    if per_region is not None:
        for code, v in value.by_region.items():
            if is_region(code, site):
                regions[code] = (float(v), level_state(v, per_region, direction))
    return Judgement(whole, regions)


def state_of(value: IndicatorValue, indicator: Any, stale_after: timedelta, now: datetime,
             site: str | None = None) -> str:
    if value.value is None:
        return "nodata"
    age = value.age(now)
    if age is not None and age > stale_after:
        return "stale"
    return judge(value, indicator, site).state
