"""One big number: the value, its unit, the change since the previous reading, coloured by state."""

from __future__ import annotations

from typing import Literal

from dash import html

from wallboard import formatting
from wallboard.config.models import Identifier, PanelBase
from wallboard.indicators import state_of
from wallboard.panels.base import Panel, PanelView, stale_note
from wallboard.snapshot import Needs, Snapshot


class KpiConfig(PanelBase):
    type: Literal["kpi"]
    indicator: Identifier

    def indicator_ids(self) -> list[str]:
        return [self.indicator]


class KpiPanel(Panel):
    Config = KpiConfig
    config: KpiConfig

    def needs(self) -> Needs:
        return Needs(indicators={self.config.indicator})

    def body(self) -> list:
        return [
            html.Div(
                className="kpi-main",
                children=[
                    html.Span(id=self.cid("value"), className="kpi-value", **{"data-role": "value"}),
                    html.Span(formatting.unit(self.wall.indicator(self.config.indicator)), className="kpi-unit"),
                ],
            ),
            html.Div(id=self.cid("change"), className="kpi-change"),
        ]

    def view(self, snap: Snapshot) -> PanelView:
        indicator = self.wall.indicator(self.config.indicator)
        current = snap.indicators.get(self.config.indicator)
        if current is None or current.value is None:
            return PanelView("nodata", None, {"value": {"children": "–"}, "change": {"children": ""}},
                             self.nodata_text())
        stale_after = self.wall.config.stale_after(self.config.indicator)
        state = state_of(current, indicator, stale_after, snap.now)
        change = ""
        if current.previous is not None:
            delta = current.value - current.previous
            arrow = "▲" if delta > 0 else ("▼" if delta < 0 else "■")
            change = f"{arrow} {formatting.change(delta, indicator, self.locale)}"
        return PanelView(
            state,
            current.time,
            {
                "value": {"children": formatting.value(current.value, indicator, self.locale)},
                "change": {"children": change},
            },
            stale_note(state, current.time, snap.now, self.locale),
        )
