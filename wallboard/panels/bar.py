"""Bars, sorted: one indicator by region (``by: region``) or several indicators side by side
(``by: indicator``).

Bars are plain boxes whose width is a percentage, so they scale with the screen and an update is a
handful of style changes. Each row prints its value; by indicator, each row also shows its state
with shape and word, like a panel badge.
"""

from __future__ import annotations

from typing import Literal

from dash import html
from pydantic import Field, model_validator

from wallboard import formatting, regions
from wallboard.config.models import Identifier, PanelBase
from wallboard.panels.base import STATE_SHAPES, Panel, PanelView, stale_note, worst
from wallboard.snapshot import Needs, Snapshot


class BarConfig(PanelBase):
    type: Literal["bar"]
    by: Literal["region", "indicator"] = "region"
    indicator: Identifier | None = None
    indicators: list[Identifier] | None = None
    limit: int = Field(12, ge=1, le=60)
    sort: Literal["desc", "asc"] = "desc"

    @model_validator(mode="after")
    def _what_to_show(self) -> BarConfig:
        if self.by == "region" and not self.indicator:
            raise ValueError("by: region needs indicator:")
        if self.by == "indicator" and not self.indicators:
            raise ValueError("by: indicator needs indicators: [...]")
        return self

    def indicator_ids(self) -> list[str]:
        return [self.indicator] if self.by == "region" else list(self.indicators or [])


class BarPanel(Panel):
    Config = BarConfig
    config: BarConfig

    def slots(self) -> int:
        if self.config.by == "indicator":
            return min(len(self.config.indicators or []), self.config.limit)
        return self.config.limit

    def needs(self) -> Needs:
        return Needs(indicators=set(self.config.indicator_ids()))

    def body(self) -> list:
        rows = []
        for i in range(self.slots()):
            rows.append(html.Div(id=self.cid(f"b{i}"), className="bar-row", style={"display": "none"}, children=[
                html.Span(id=self.cid(f"b{i}-label"), className="bar-label"),
                html.Div(className="bar-track", children=html.Div(id=self.cid(f"b{i}-fill"), className="bar-fill")),
                html.Span(id=self.cid(f"b{i}-value"), className="bar-value"),
            ]))
        return [html.Div(rows, id=self.cid("list"), className="bar-list", style={"--rows": max(self.slots(), 1)})]

    def rows(self, snap: Snapshot) -> tuple[list[tuple[str, float, str, str]], list[str], object]:
        """(label, value, text, state) per bar, the states that make the panel's, and the newest time."""
        out, states, newest = [], [], None
        if self.config.by == "region":
            state, current = self.indicator_state(snap, self.config.indicator)
            if current is None or current.value is None:
                return [], ["nodata"], None
            indicator = self.wall.indicator(self.config.indicator)
            site = self.wall.config.site.region
            for code, value in current.by_region.items():
                label = regions.name(code) if code != site else self.wall.config.site.name
                out.append((label, value, formatting.value(value, indicator, self.locale), ""))
            return out, [state], current.time
        for indicator_id in self.config.indicators or []:
            state, current = self.indicator_state(snap, indicator_id)
            states.append(state)
            indicator = self.wall.indicator(indicator_id)
            label = indicator.label.text(self.locale) if indicator else indicator_id
            if current is None or current.value is None:
                continue
            if current.time is not None and (newest is None or current.time > newest):
                newest = current.time
            out.append((label, current.value, formatting.value(current.value, indicator, self.locale), state))
        return out, states, newest

    def view(self, snap: Snapshot) -> PanelView:
        rows, states, newest = self.rows(snap)
        rows.sort(key=lambda r: r[1], reverse=self.config.sort == "desc")
        rows = rows[: self.slots()]
        top = max((abs(r[1]) for r in rows), default=0) or 1
        props: dict = {"list": {"style": {"--rows": max(len(rows), 4)}}}
        for i in range(self.slots()):
            if i >= len(rows):
                props[f"b{i}"] = {"style": {"display": "none"}, "className": "bar-row"}
                continue
            label, value, text, state = rows[i]
            mark = f"{STATE_SHAPES[state]} " if state else ""
            props[f"b{i}"] = {"style": {}, "className": f"bar-row bar-{state or 'plain'}"}
            props[f"b{i}-label"] = {"children": label, "title": label}
            props[f"b{i}-fill"] = {"style": {"width": f"{abs(value) / top * 100:.1f}%"}}
            props[f"b{i}-value"] = {"children": mark + text}
        if not rows:
            return PanelView("nodata", None, props, self.nodata_text())
        state = worst([s for s in states if s != "nodata"] or ["nodata"])
        return PanelView(state, newest, props, stale_note(state, newest, snap.now, self.locale))
