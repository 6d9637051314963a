"""The next 24 hours of BMKG's forecast for the site or one kecamatan: ``type: weather``.

One column per 3-hour step (the step under way first): the local time, a weather icon, the
temperature, rain and wind. The icons are SVGs shipped in ``weather_icons/`` and sent inline
(``data:`` URIs), never fetched from BMKG or anywhere else; each carries its text (``alt`` and
``title``: BMKG's own words for the weather), and the words are shown under it too.

For the site, the kecamatan's forecasts are combined per step: the mean temperature and humidity,
the most rain and wind, and the worst weather (BMKG's codes grow with the weather's severity). A
kecamatan that has no forecast (BMKG did not know its desa) is named in the note, the rest shown.
Forecasts come from the ``forecasts`` table (issue and valid time), never from readings.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from functools import cache
from pathlib import Path
from statistics import mean
from typing import Any, Literal

from dash import html
from pydantic import Field

from wallboard import formatting, regions
from wallboard.config.models import Identifier, PanelBase
from wallboard.i18n import translator
from wallboard.panels.base import Panel, PanelView, stale_note
from wallboard.snapshot import Needs, Snapshot

t = translator("wall")
ICONS = Path(__file__).parent / "weather_icons"
STEP = timedelta(hours=3)
STEP_REM = 4.6  # the narrowest column that still holds "24°C" and "12,4 mm" (panels.css .wx-step)
# BMKG weather code -> icon file (docs/sources.md lists the codes).
CODES = {0: "cerah", 1: "cerah-berawan", 2: "cerah-berawan", 3: "berawan", 4: "berawan-tebal", 5: "kabut",
         10: "kabut", 45: "kabut", 60: "hujan-ringan", 61: "hujan", 63: "hujan-lebat", 80: "hujan", 95: "petir",
         97: "petir"}


@cache
def icon_uri(code: int | None) -> str:
    """The shipped SVG for a weather code, as a ``data:`` URI (no request leaves the wall)."""
    name = CODES.get(code if code is not None else -1, "berawan")
    return "data:image/svg+xml;base64," + base64.b64encode((ICONS / f"{name}.svg").read_bytes()).decode("ascii")


class WeatherConfig(PanelBase):
    type: Literal["weather"]
    source: Identifier = Field(description="a bmkg_cuaca source")
    region: str | None = Field(None, description="a kecamatan code; default the whole site")
    hours: int = Field(24, ge=3, le=72, description="how far ahead the panel shows")

    def source_ids(self) -> list[str]:
        return [self.source]


class WeatherPanel(Panel):
    Config = WeatherConfig
    config: WeatherConfig

    def title(self) -> str:
        if self.config.title is not None:
            return self.config.title.text(self.locale)
        return t(self.locale, "Weather forecast")

    def subtitle(self) -> str:
        region = self.config.region or self.wall.config.site.region
        source = next((s for s in self.wall.config.sources if s.id == self.config.source), None)
        # Credit BMKG only for BMKG's forecast, never for the simulator's.
        by = "BMKG" if source is not None and source.type == "bmkg_cuaca" else self.config.source
        return f"{regions.name(region)} · {by}"

    def steps(self) -> int:
        """Columns shown: one per 3 hours of ``hours`` (the step under way first), as many as fit
        whole at STEP_REM each, the same at any resolution."""
        return max(1, min(self.config.hours // 3 + 1, int(self.body_width_rem() // STEP_REM)))

    def needs(self) -> Needs:
        return Needs(forecasts={self.config.source}, sources=True)

    def stale_after(self) -> timedelta:
        source = next((s for s in self.wall.config.sources if s.id == self.config.source), None)
        return 3 * source.interval if source is not None else timedelta(hours=9)

    def body(self) -> list:
        cells = []
        for i in range(self.steps()):
            cells.append(html.Div(id=self.cid(f"s{i}"), className="wx-step", children=[
                html.Span(id=self.cid(f"s{i}-time"), className="wx-time"),
                html.Img(id=self.cid(f"s{i}-icon"), className="wx-icon", alt="", src=icon_uri(None)),
                html.Span(id=self.cid(f"s{i}-text"), className="wx-text"),
                html.Span(id=self.cid(f"s{i}-temp"), className="wx-temp"),
                html.Span(id=self.cid(f"s{i}-rain"), className="wx-rain"),
                html.Span(id=self.cid(f"s{i}-wind"), className="wx-wind"),
            ]))
        return [html.Div(cells, className="wx-row", style={"--steps": self.steps()})]

    def view(self, snap: Snapshot) -> PanelView:
        rows = [f for f in snap.forecasts.get(self.config.source, [])
                if self.config.region is None or f.region == self.config.region]
        by_time: dict[Any, list[Any]] = {}
        for f in rows:
            by_time.setdefault(f.valid, []).append(f)
        times = self.slots(sorted(by_time), snap.now)
        props: dict = {}
        for i in range(self.steps()):
            if i >= len(times):
                props[f"s{i}"] = {"style": {"visibility": "hidden"}}
            elif times[i] not in by_time:  # a step BMKG left out: a gap, never a guess
                props.update(self.gap(i, times[i], snap))
            else:
                props.update(self.cell(i, times[i], by_time[times[i]], snap))
        status = snap.sources.get(self.config.source)
        last_ok = status.last_success if status is not None else None
        issued = max((f.issued for f in rows), default=None)
        missing = self.missing(rows)
        if not times:
            note = t(self.locale, "No forecast for the next hours")
            return PanelView("nodata" if last_ok is None else "stale", issued, props, note)
        fresh = last_ok is not None and snap.now - last_ok <= self.stale_after()
        state = "ok" if fresh else "stale"
        note = stale_note(state, last_ok or issued, snap.now, self.locale) if last_ok or issued else ""
        if missing and state == "ok":
            note = t(self.locale, "Without forecast: {names}", names=", ".join(missing))
        when = issued.astimezone(snap.now.tzinfo) if issued else None
        return PanelView(state, when, props, note)

    def slots(self, valid: list[Any], now: Any) -> list[Any]:
        """The steps' times from the one under way, every 3 hours: a step missing in the forecast
        keeps its column (shown as a gap) instead of the next one moving up."""
        current = [v for v in valid if v <= now < v + STEP]
        ahead = [v for v in valid if v > now]
        if not current and not ahead:
            return []
        first = current[-1] if current else ahead[0]
        last = now + timedelta(hours=self.config.hours)
        out = []
        while first <= last and len(out) < self.steps():
            out.append(first)
            first += STEP
        return out

    def gap(self, i: int, valid: Any, snap: Snapshot) -> dict:
        return {
            f"s{i}": {"style": {}},
            f"s{i}-time": {"children": valid.astimezone(self.wall.config.site.zone).strftime("%H:%M")},
            f"s{i}-icon": {"src": icon_uri(None), "alt": "", "title": "", "style": {"visibility": "hidden"}},
            f"s{i}-text": {"children": t(self.locale, "no forecast")},
            f"s{i}-temp": {"children": "–"}, f"s{i}-rain": {"children": "–"}, f"s{i}-wind": {"children": "–"},
        }

    def cell(self, i: int, valid: Any, steps: list[Any], snap: Snapshot) -> dict:
        loc = self.locale
        temps = [s.temperature for s in steps if s.temperature is not None]
        rain = max((s.rain for s in steps if s.rain is not None), default=None)
        wind = max((s.wind_speed for s in steps if s.wind_speed is not None), default=None)
        worst = max(steps, key=lambda s: s.weather if s.weather is not None else -1)
        words = (worst.text_en if loc == "en" and worst.text_en else worst.text) or "?"
        temp = f"{formatting.number(mean(temps), loc, 0)}°C" if temps else "–"
        return {
            f"s{i}": {"style": {}},
            f"s{i}-time": {"children": valid.astimezone(self.wall.config.site.zone).strftime("%H:%M")},
            f"s{i}-icon": {"src": icon_uri(worst.weather), "alt": words, "title": words, "style": {}},
            f"s{i}-text": {"children": words},
            f"s{i}-temp": {"children": temp},
            f"s{i}-rain": {"children": f"{formatting.number(rain, loc, 1)} mm" if rain is not None else "–"},
            f"s{i}-wind": {"children": "–" if wind is None else f"{formatting.number(wind, loc, 0)} {t(loc, 'km/h')}"},
        }

    def missing(self, rows: list[Any]) -> list[str]:
        """Kecamatan the source asks for but holds no forecast of (BMKG did not know their desa)."""
        if self.config.region is not None:
            return []
        source = next((s for s in self.wall.config.sources if s.id == self.config.source), None)
        every = [k.code for k in regions.kecamatan(self.wall.config.site.region)]  # a demo source: all of them
        wanted = list(getattr(source, "desa", None) or every)
        have = {f.region for f in rows}
        return [regions.name(code) for code in wanted if code not in have]
