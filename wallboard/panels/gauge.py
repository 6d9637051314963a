"""Progress towards the indicator's ``target`` (e.g. revenue collected against the annual target).

The arc is drawn by CSS from one custom property (``--p``, 0..1), so an update is a few bytes and
the gauge scales with its box like everything else on the wall.
"""

from __future__ import annotations

from typing import Literal

from dash import html

from wallboard import formatting
from wallboard.config.models import Identifier, PanelBase
from wallboard.i18n import translator
from wallboard.panels.base import Panel, PanelView, stale_note
from wallboard.snapshot import Needs, Snapshot

t = translator("wall")


class GaugeConfig(PanelBase):
    type: Literal["gauge"]
    indicator: Identifier
    target: float | None = None  # overrides the indicator's own target

    def indicator_ids(self) -> list[str]:
        return [self.indicator]


class GaugePanel(Panel):
    Config = GaugeConfig
    config: GaugeConfig

    def needs(self) -> Needs:
        return Needs(indicators={self.config.indicator})

    def target(self) -> float | None:
        if self.config.target is not None:
            return self.config.target
        indicator = self.wall.indicator(self.config.indicator)
        return indicator.target if indicator is not None else None

    def body(self) -> list:
        return [
            html.Div(className="gauge", children=[
                html.Div(id=self.cid("arc"), className="gauge-arc", style={"--p": 0}, children=[
                    html.Div(className="gauge-hole", children=[
                        html.Span(id=self.cid("pct"), className="gauge-pct", **{"data-role": "value"}),
                    ]),
                ]),
                html.Div(id=self.cid("detail"), className="gauge-detail"),
            ])
        ]

    def view(self, snap: Snapshot) -> PanelView:
        indicator = self.wall.indicator(self.config.indicator)
        target = self.target()
        state, current = self.indicator_state(snap, self.config.indicator)
        if state == "nodata":
            return PanelView("nodata", None, {"arc": {"style": {"--p": 0}}, "pct": {"children": "–"},
                                              "detail": {"children": ""}}, self.nodata_text())
        text = formatting.value(current.value, indicator, self.locale)
        if not target:
            return PanelView(state, current.time, {
                "arc": {"style": {"--p": 0}}, "pct": {"children": "–"}, "detail": {"children": text},
            }, t(self.locale, "No target set"))
        share = current.value / target
        pct = formatting.number(share * 100, self.locale, 1) + "%"
        return PanelView(
            state,
            current.time,
            {
                "arc": {"style": {"--p": round(max(0.0, min(share, 1.0)), 4)}},
                "pct": {"children": pct},
                "detail": {"children": t(self.locale, "{value} of {target}", value=text,
                                         target=formatting.value(target, indicator, self.locale))},
            },
            stale_note(state, current.time, snap.now, self.locale),
        )
