"""Announcements, and every indicator on the screen that has just turned critical.

Critical indicators come first, marked with shape and word and the time they turned critical, so a
new alarm is announced even when its own panel is off to the side. The configured ``text`` lines
follow. The browser rotates the items (a box) or scrolls them (a strip); see ``assets/panels.js``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from dash import html
from pydantic import Field

from wallboard import formatting
from wallboard.config.models import Identifier, Label, PanelBase
from wallboard.durations import Duration
from wallboard.i18n import translator
from wallboard.panels.base import STATE_SHAPES, Panel, PanelView, state_words
from wallboard.panels.events import status_label
from wallboard.snapshot import Needs, Snapshot

t = translator("wall")
EVENT_SLOTS = 5  # active events announced per ``events`` source
ACTIVE = {"kritis": "ticker-item ticker-alert", "waspada": "ticker-item ticker-warning"}


class TickerConfig(PanelBase):
    type: Literal["ticker"]
    text: list[Label] = Field(default_factory=list)
    indicators: list[Identifier] | None = None  # default: every indicator shown on the screen
    mode: Literal["auto", "rotate", "scroll"] = "auto"
    every: Duration = timedelta(seconds=8)  # how long each item shows when rotating
    events: list[Identifier] = Field(
        default_factory=list, description="sources whose active events for the site (BMKG's warnings, local quakes: "
                                          "status kritis or waspada) are announced"
    )

    def source_ids(self) -> list[str]:
        return list(self.events)


class TickerPanel(Panel):
    Config = TickerConfig
    config: TickerConfig

    def __init__(self, config, wall):
        super().__init__(config, wall)
        self._since: dict[str, datetime] = {}  # indicator -> first seen critical

    def title(self) -> str:
        if self.config.title is not None:
            return self.config.title.text(self.locale)
        return t(self.locale, "Announcements")

    def watched(self) -> list[str]:
        if self.config.indicators is not None:
            return list(self.config.indicators)
        return self.wall.screen_indicators()

    def mode(self) -> str:
        if self.config.mode != "auto":
            return self.config.mode
        w, h = self.config.size
        return "scroll" if h == 1 and w >= 4 else "rotate"

    def needs(self) -> Needs:
        return Needs(indicators=set(self.watched()), events={source: 20 for source in self.config.events})

    def slots(self) -> int:
        return len(self.watched()) + len(self.config.text) + EVENT_SLOTS * len(self.config.events)

    def active_events(self, snap: Snapshot) -> list[tuple[str, str]]:
        """(css class, text) of the site's active events in the ``events`` sources, worst first."""
        out = []
        for source in self.config.events:
            for e in snap.events.get(source, []):
                status = e.status.strip().lower()
                if status in ACTIVE and e.region is not None:
                    out.append((ACTIVE[status], f"{status_label(status, self.locale)[0]}: {e.title}"))
        out.sort(key=lambda item: item[0] != "ticker-item ticker-alert")
        return out[: EVENT_SLOTS * len(self.config.events)]

    def body(self) -> list:
        slots = self.slots()
        items = [html.Div(id=self.cid(f"i{n}"), className="ticker-item", style={"display": "none"})
                 for n in range(slots)]
        return [html.Div(
            id=self.cid("track"), className=f"ticker-track ticker-{self.mode()}", children=items,
            **{"data-every": str(int(self.config.every.total_seconds() * 1000)), "data-alerts": ""},
        )]

    def view(self, snap: Snapshot) -> PanelView:
        word = state_words(self.locale)["critical"]
        alerts: list[tuple[datetime, str, str]] = []
        newest = None
        for indicator_id in self.watched():
            state, current = self.indicator_state(snap, indicator_id)
            if current is not None and current.time is not None and (newest is None or current.time > newest):
                newest = current.time
            if state != "critical":
                self._since.pop(indicator_id, None)
                continue
            since = self._since.setdefault(indicator_id, current.time or snap.now)
            indicator = self.wall.indicator(indicator_id)
            label = indicator.label.text(self.locale) if indicator else indicator_id
            unit = formatting.unit(indicator, self.locale)
            value = formatting.value(current.value, indicator, self.locale) + (f" {unit}" if unit else "")
            at = formatting.time_of_day(since.astimezone(self.wall.config.site.zone), self.locale)
            # "since" leads: in a small box the end of a long line is what gets cut, and when it
            # turned critical is what an operator cannot read anywhere else on the wall.
            since_text = t(self.locale, "since {time}", time=at)
            text = f"{STATE_SHAPES['critical']} {word} {since_text}: {label} {value}"
            alerts.append((since, indicator_id, text))
        alerts.sort(key=lambda a: a[0], reverse=True)  # the newest alarm first
        items = [("ticker-item ticker-alert", text) for _, _, text in alerts]
        events = self.active_events(snap)
        items += events
        items += [("ticker-item", label.text(self.locale)) for label in self.config.text]
        props: dict = {}
        slots = self.slots()
        for n in range(slots):
            if n < len(items):
                props[f"i{n}"] = {"className": items[n][0], "children": items[n][1], "style": {}}
            else:
                props[f"i{n}"] = {"className": "ticker-item", "children": "", "style": {"display": "none"}}
        props["track"] = {"data-alerts": ",".join(f"{i}@{int(s.timestamp())}" for s, i, _ in alerts)}
        critical = alerts or any(css.endswith("ticker-alert") for css, _ in events)
        state = "critical" if critical else ("ok" if items else "nodata")
        return PanelView(state, newest, props, "")
