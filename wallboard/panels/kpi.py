"""One big number: the value, its unit, the change since the previous reading, coloured by state.

The figure is sized from the panel's own box (container query units) and from how many characters
it has, so ``412`` and ``Rp 153,2 M`` both fill the panel without ever being clipped.
"""

from __future__ import annotations

from typing import Literal

from dash import html

from wallboard import formatting
from wallboard.config.models import Identifier, PanelBase
from wallboard.panels.base import Panel, PanelView, stale_note
from wallboard.snapshot import Needs, Snapshot

# Advance of bold condensed glyphs in em (measured on DejaVu Sans Condensed Bold, a little
# generous); the prefix and unit are set at these fractions of the value's size.
NARROW = {".": 0.36, ",": 0.36, " ": 0.32, "%": 0.92, "–": 0.46, "−": 0.72}
DIGIT_EM = 0.64
PREFIX_SCALE = 0.38
UNIT_SCALE = 0.34


def text_em(text: str) -> float:
    return sum(NARROW.get(ch, DIGIT_EM) for ch in text)


def fit_size(text: str, prefix: str = "", unit: str = "", height: float = 56.0, width: float = 96.0) -> str:
    """A CSS font size that lets ``prefix text unit`` fill its box on one line, never wider than it.

    ``--fit`` is a last resort set by panels.js should a wall PC's font run wider than measured.
    """
    em = text_em(text or "–")
    if prefix:
        em += text_em(prefix) * PREFIX_SCALE + 0.12
    if unit:
        em += text_em(unit) * UNIT_SCALE + 0.2
    return f"calc(min({height:g}cqh, {width / em:.2f}cqw) * var(--fit, 1))"


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

    def unit(self) -> str:
        return formatting.unit(self.wall.indicator(self.config.indicator))

    def body(self) -> list:
        return [
            html.Div(
                id=self.cid("main"),
                className="kpi-main",
                children=[
                    html.Span(id=self.cid("prefix"), className="kpi-prefix"),
                    html.Span(id=self.cid("value"), className="kpi-value", **{"data-role": "value"}),
                    html.Span(self.unit(), className="kpi-unit"),
                ],
            ),
            html.Div(id=self.cid("change"), className="kpi-change"),
        ]

    def view(self, snap: Snapshot) -> PanelView:
        indicator = self.wall.indicator(self.config.indicator)
        state, current = self.indicator_state(snap, self.config.indicator)
        if state == "nodata":
            return PanelView("nodata", None, {
                "value": {"children": "–"}, "prefix": {"children": ""}, "change": {"children": ""},
                "main": {"style": {"fontSize": fit_size("–", unit=self.unit())}},
            }, self.nodata_text())
        change = ""
        if current.previous is not None:
            delta = current.value - current.previous
            arrow = "▲" if delta > 0 else ("▼" if delta < 0 else "■")
            change = f"{arrow} {formatting.change(delta, indicator, self.locale)}"
        prefix, text = formatting.value_parts(current.value, indicator, self.locale)
        return PanelView(
            state,
            current.time,
            {
                "prefix": {"children": prefix},
                "value": {"children": text},
                "main": {"style": {"fontSize": fit_size(text, prefix, self.unit())}},
                "change": {"children": change},
            },
            stale_note(state, current.time, snap.now, self.locale),
        )
