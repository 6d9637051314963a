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


HEIGHT_CQH = 56.0  # share of the body's height the figure may take
WIDTH_CQW = 96.0  # share of the body's width the whole line may take
READABLE_REM = 54 / 12  # 1/12 of the screen height: the least a kpi figure should get


def line_em(text: str, prefix: str = "", unit: str = "") -> float:
    """Width of ``prefix text unit`` on one line, in em of the figure's size."""
    em = text_em(text or "–")
    if prefix:
        em += text_em(prefix) * PREFIX_SCALE + 0.12
    if unit:
        em += text_em(unit) * UNIT_SCALE + 0.2
    return em


def fit_size(text: str, prefix: str = "", unit: str = "") -> str:
    """A CSS font size that lets ``prefix text unit`` fill its box on one line, never wider than it.

    ``--fit`` is a last resort set by panels.js should a wall PC's font run wider than measured.
    """
    width = WIDTH_CQW / line_em(text, prefix, unit)
    return f"calc(min({HEIGHT_CQH:g}cqh, {width:.2f}cqw) * var(--fit, 1))"


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
        return formatting.unit(self.wall.indicator(self.config.indicator), self.locale)

    def body(self) -> list:
        return [
            html.Div(
                id=self.cid("main"),
                className="kpi-main",
                children=[
                    html.Span(id=self.cid("prefix"), className="kpi-prefix"),
                    html.Span(id=self.cid("value"), className="kpi-value", **{"data-role": "value"}),
                    html.Span(self.unit(), id=self.cid("unit"), className="kpi-unit"),
                ],
            ),
            html.Div(id=self.cid("change"), className="kpi-change"),
        ]

    def unit_inline(self, text: str, prefix: str) -> bool:
        """Whether the unit fits beside the figure without shrinking it below 1/12 of the screen.

        Otherwise (``Rp 14.250 /kg`` in a narrow panel) the unit moves down to the change line.
        """
        unit = self.unit()
        if not unit:
            return True
        body_h, body_w = self.body_rem(), self.body_width_rem()
        with_unit = min(HEIGHT_CQH / 100 * body_h, WIDTH_CQW / 100 * body_w / line_em(text, prefix, unit))
        without = min(HEIGHT_CQH / 100 * body_h, WIDTH_CQW / 100 * body_w / line_em(text, prefix))
        return with_unit >= READABLE_REM or with_unit >= without * 0.98

    def view(self, snap: Snapshot) -> PanelView:
        indicator = self.wall.indicator(self.config.indicator)
        state, current = self.indicator_state(snap, self.config.indicator)
        if state == "nodata":
            return PanelView("nodata", None, {
                "value": {"children": "–"}, "prefix": {"children": ""}, "change": {"children": ""},
                "unit": {"children": self.unit()},
                "main": {"style": {"fontSize": fit_size("–", unit=self.unit())}},
            }, self.nodata_text())
        change = ""
        if current.previous is not None:
            delta = current.value - current.previous
            arrow = "▲" if delta > 0 else ("▼" if delta < 0 else "■")
            change = f"{arrow} {formatting.change(delta, indicator, self.locale)}"
        prefix, text = formatting.value_parts(current.value, indicator, self.locale)
        inline = self.unit_inline(text, prefix)
        unit = self.unit()
        if not inline:
            change = f"{unit} · {change}" if change else unit
        return PanelView(
            state,
            current.time,
            {
                "prefix": {"children": prefix},
                "value": {"children": text},
                "unit": {"children": unit if inline else ""},
                "main": {"style": {"fontSize": fit_size(text, prefix, unit if inline else "")}},
                "change": {"children": change},
            },
            stale_note(state, current.time, snap.now, self.locale),
        )
