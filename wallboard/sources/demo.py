"""A simulator standing in for the work units' systems, so a fresh install shows a lively wall.

Each configured indicator gets a plausible level per kecamatan (chosen from its thresholds,
target or unit), a daily cycle peaking in office hours and a bounded random walk. On its first
run it back-fills history so trend panels are not empty on day one. With ``events: true`` it
also files complaints that move from ``baru`` to ``proses`` to ``selesai``.

Areas differ the way real ones do: a few large kecamatan (or desa, with ``level: desa``) carry
much of a count and most are small (a log-normal size per area), and rates and prices vary a
little around the kabupaten's level. The differences are seeded by the area's Kemendagri code, so
every install of the same region shows the same pattern, and the maps are never one flat colour.
"""

from __future__ import annotations

import math
import random
import zlib
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import Field

from wallboard import regions
from wallboard.config.models import Identifier, SourceBase
from wallboard.durations import Duration
from wallboard.i18n import translator
from wallboard.records import Forecast
from wallboard.sources.base import Batch, Deadline, Event, Reading, Source

t = translator("demo")
# (category, title) in English; the site's language comes from the ``demo`` catalogue, so an
# English site's simulated complaints are English too.
_TOPICS = [
    ("Infrastructure", "Potholes in {r}"),
    ("Cleanliness", "Rubbish piling up at the market in {r}"),
    ("Street lighting", "Street lights out in {r}"),
    ("Drainage", "Blocked drain in {r}"),
    ("Health", "Long queue at the health centre in {r}"),
    ("Permits", "Business permit not yet issued, {r}"),
    ("Clean water", "No piped water in {r}"),
]


_WEATHER = {0: ("Cerah", "Clear Skies"), 1: ("Cerah Berawan", "Partly Clear"), 3: ("Berawan", "Mostly Cloudy"),
            4: ("Berawan Tebal", "Overcast"), 60: ("Hujan Ringan", "Light Rain"), 61: ("Hujan Sedang", "Rain"),
            63: ("Hujan Lebat", "Heavy Rain"), 95: ("Hujan Petir", "Thunderstorm")}


class DemoConfig(SourceBase):
    type: Literal["demo"]
    indicators: list[Identifier] = Field(min_length=1)
    backfill: Duration = timedelta(days=30)
    events: bool = False
    forecasts: bool = Field(False, description="also simulate a 3-day weather forecast per kecamatan (weather panel)")
    seed: int | None = None
    level: Literal["kecamatan", "desa"] = "kecamatan"  # which areas get figures (desa: ~18x more rows)

    def indicator_ids(self) -> list[str]:
        return list(self.indicators)

    def regional(self) -> bool:
        return True  # every figure per kecamatan (or desa)


def _draw(key: str) -> random.Random:
    """A generator seeded by a region code (and indicator): the same figures on every install."""
    return random.Random(zlib.crc32(key.encode()))


class DemoSource(Source):
    Config = DemoConfig
    config: DemoConfig

    def __init__(self, config: DemoConfig, context):
        super().__init__(config, context)
        self._rng = random.Random(config.seed)
        site = context.site.region
        listed = regions.kecamatan(site) if config.level == "kecamatan" else regions.desa(site)
        self._areas = [k.code for k in listed] or [site]
        self._size = {a: _draw(a).lognormvariate(0, 0.75) for a in self._areas}
        self._sizes = sum(self._size.values())
        self._shares: dict[tuple[str, str], float] = {}
        self._dithers: dict[str, float] = {}
        self._walk: dict[tuple[str, str], float] = {}
        self._backfilled = False
        self._events: list[Event] = []
        self._next_ref = 1

    def _level(self, indicator_id: str) -> tuple[float, float]:
        """Typical city-wide level and how far it swings, from what config says about it."""
        ind = self.context.indicators.get(indicator_id)
        t = (ind.thresholds or ind.region_thresholds) if ind else None
        if ind is not None and ind.unit == "%":
            return (92.0, 6.0) if ind.direction == "down" else (20.0, 8.0)
        if t and t.warning is not None:
            if ind.direction == "down":
                return t.warning * 1.25, t.warning * 0.2
            if ind.format == "currency":  # prices sit just under their alarm level and move little
                return t.warning * 0.93, t.warning * 0.03
            return t.warning * 0.7, t.warning * 0.25
        if ind is not None and ind.target:
            return ind.target, ind.target * 0.05
        return 120.0, 30.0

    def _share(self, indicator_id: str, area: str, counted: bool) -> float:
        """This area's part of a count (sizes sum to 1), or its factor around a rate's level:
        stable per area and indicator, skewed like population."""
        key = (indicator_id, area)
        if key not in self._shares:
            own = _draw(f"{indicator_id}:{area}")
            self._shares[key] = (self._size[area] * own.lognormvariate(0, 0.35) / self._sizes if counted
                                 else 1.0 + max(-0.2, min(0.2, own.gauss(0, 0.05))))
        return self._shares[key]

    def _dither(self, area: str) -> float:
        if area not in self._dithers:
            self._dithers[area] = _draw(f"dither:{area}").random()
        return self._dithers[area]

    def _value(self, indicator_id: str, area: str, when: datetime, step: float) -> float:
        base, swing = self._level(indicator_id)
        ind = self.context.indicators.get(indicator_id)
        share = self._share(indicator_id, area, ind is None or ind.aggregate == "sum")
        local = when.astimezone(self.context.site.zone)
        hour = local.hour + local.minute / 60
        daily = math.sin((hour - 8) / 24 * 2 * math.pi)
        key = (indicator_id, area)
        walk = self._walk.get(key, self._rng.uniform(-0.3, 0.3))
        walk = max(-1.0, min(1.0, walk * 0.98 + self._rng.gauss(0, 0.08 * math.sqrt(max(step, 1) / 10))))
        self._walk[key] = walk
        value = (base + swing * (0.6 * daily + 0.6 * walk)) * share
        if ind is not None and ind.target and ind.format == "currency":
            # Revenue accumulates through the year towards its target.
            start = local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
            elapsed = (local - start).total_seconds() / (365 * 86400)
            value = ind.target * elapsed * (0.93 + 0.04 * walk) * share
        if ind is not None and ind.unit == "%":
            return round(min(100.0, max(0.0, value)), 1)
        if ind is not None and ind.format == "number" and ind.unit != "cm":
            # Counted things (complaints, permits, buses) are whole; a fixed per-area dither keeps
            # the kabupaten total right when 372 desa each hold a fraction of one.
            return float(max(0, math.floor(value + self._dither(area))))
        return round(max(0.0, value), 1 if abs(value) < 1000 else 0)

    def fetch(self, now: datetime) -> Batch:
        batch = Batch()
        times = [now]
        if not self._backfilled:
            self._backfilled = True
            times = self._history(now) + [now]
        step = self.config.interval.total_seconds()
        deadline = Deadline(self.config.timeout)
        for when in times:
            deadline.check()  # a long backfill on a slow machine fails like any source past timeout
            ts = int(when.timestamp())
            for indicator_id in self.config.indicators:
                for area in self._areas:
                    batch.readings.append(Reading(indicator_id, area, ts, self._value(indicator_id, area, when, step)))
        if self.config.events:
            batch.events.extend(self._complaints(now))
        if self.config.forecasts:
            batch.forecasts.extend(self._forecasts(now))
        return batch

    def discard(self) -> None:
        self._issued = None  # the forecast was not stored: issue it again

    def _forecasts(self, now: datetime) -> list[Forecast]:
        """A forecast issued twice a day (like BMKG's), per kecamatan and 3-hour step for 3 days:
        warm and clear mornings, showers in the afternoon, seeded by the area and the issue."""
        issued = now.astimezone(UTC).replace(hour=now.astimezone(UTC).hour // 12 * 12, minute=0, second=0,
                                             microsecond=0)
        if getattr(self, "_issued", None) == issued:
            return []
        self._issued = issued
        out = []
        for area in regions.kecamatan(self.context.site.region) or []:
            draw = _draw(f"cuaca:{area.code}:{issued.isoformat()}")
            for step in range(24):
                valid = issued + timedelta(hours=3 * step)
                hour = valid.astimezone(self.context.site.zone).hour
                afternoon = 13 <= hour <= 19
                code = draw.choice([61, 63, 95, 60] if afternoon and draw.random() < 0.6 else [0, 1, 3, 4])
                out.append(Forecast(
                    region=area.code, issued=issued, valid=valid, place="", weather=code, text=_WEATHER[code][0],
                    text_en=_WEATHER[code][1], temperature=round(26 + 5 * math.sin((hour - 9) / 24 * 2 * math.pi)
                                                                 + draw.gauss(0, 0.7), 0),
                    humidity=round(min(100.0, 75 + (15 if code >= 60 else 0) + draw.gauss(0, 4)), 0),
                    rain=round(draw.uniform(0.5, 3) * (4 if code in (63, 95) else 1), 1) if code >= 60 else 0.0,
                    wind_speed=round(draw.uniform(3, 14), 1), wind_dir=draw.choice(["N", "NE", "E", "SE", "S", "SW"]),
                ))
        return out

    def _history(self, now: datetime) -> list[datetime]:
        start = now - self.config.backfill
        recent = now - timedelta(days=1)
        out, t = [], start.replace(minute=0, second=0, microsecond=0)
        while t < now - timedelta(minutes=1):
            out.append(t)
            t += timedelta(minutes=10) if t >= recent else timedelta(hours=1)
        return out

    def _complaints(self, now: datetime) -> list[Event]:
        changed: list[Event] = []
        for i, event in enumerate(self._events):
            nxt = {"baru": "proses", "proses": "selesai"}.get(event.status)
            if nxt and self._rng.random() < 0.15:
                event = Event(event.ref, event.time, nxt, event.title, event.category, event.region, event.detail)
                self._events[i] = event
                changed.append(event)
        if not self._events or self._rng.random() < 0.4:
            category, title = (t(self.context.site.locale, text) for text in self._rng.choice(_TOPICS))
            area = self._rng.choice(self._areas)
            event = Event(
                ref=f"DEMO-{now:%y%m%d}-{self._next_ref:04d}",
                time=now.astimezone(UTC),
                status="baru",
                title=title.format(r=regions.name(area)),
                category=category,
                region=area,
                detail="Laporan warga (simulasi)",
            )
            self._next_ref += 1
            self._events.append(event)
            changed.append(event)
        self._events = [e for e in self._events if e.status != "selesai"][-50:]
        return changed
