"""Lines over a time window, one per indicator, with an optional target line.

The figure is a plain dict so the hub can compare it with the previous one and send the browser
only the points that were added or changed (see ``wallboard.web.diff``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from dash import dcc

from wallboard.config.models import Identifier, PanelBase
from wallboard.durations import Duration
from wallboard.i18n import translator
from wallboard.indicators import state_of
from wallboard.panels.base import Panel, PanelView, stale_note, worst
from wallboard.snapshot import Needs, SeriesKey, Snapshot

t = translator("wall")
PALETTE = ["#4cc9f0", "#f4a261", "#90be6d", "#f15bb5", "#ffd166", "#b388eb"]


class TrendConfig(PanelBase):
    type: Literal["trend"]
    indicators: list[Identifier]
    window: Duration = timedelta(hours=24)
    target: bool = False

    def indicator_ids(self) -> list[str]:
        return list(self.indicators)


class TrendPanel(Panel):
    Config = TrendConfig
    config: TrendConfig

    def keys(self) -> list[SeriesKey]:
        window = int(self.config.window.total_seconds())
        return [SeriesKey(i, window) for i in self.config.indicators]

    def needs(self) -> Needs:
        return Needs(indicators=set(self.config.indicators), series=set(self.keys()))

    def body(self) -> list:
        return [
            dcc.Graph(
                id=self.cid("graph"),
                className="trend-graph",
                config={"displayModeBar": False, "staticPlot": False, "responsive": True,
                        "locale": self.locale},
                style={"height": "100%", "width": "100%"},
                figure=self._figure([]),
            )
        ]

    def _scale(self, traces: list[dict]) -> str:
        """Big money reads as ``150 M`` (miliar), not ``150B``: divide the axis and name the step."""
        top = max((abs(v) for trace in traces for v in trace["y"]), default=0)
        # Axis suffixes: trillion, billion (miliar "M"), million (juta "jt").
        steps = [(1e12, t(self.locale, "T")), (1e9, t(self.locale, "B")), (1e6, t(self.locale, "M"))]
        for divisor, word in steps:
            suffix = " " + word
            if top >= divisor:
                for trace in traces:
                    trace["y"] = [round(v / divisor, 3) for v in trace["y"]]
                return suffix
        return ""

    def _figure(self, traces: list[dict], suffix: str = "") -> dict:
        theme_dark = self.wall.config.site.theme == "dark"
        ink = "#c9d1e0" if theme_dark else "#1f2a3a"
        grid = "rgba(255,255,255,0.10)" if theme_dark else "rgba(0,0,0,0.10)"
        legend = len(self.config.indicators) > 1 or self.config.target
        return {
            "data": traces,
            "layout": {
                # Sizes are for a 1080-line screen; panels.js scales them to the real one.
                "margin": {"l": 70, "r": 20, "t": 44 if legend else 10, "b": 40},
                "meta": {"wallScale": True},
                "paper_bgcolor": "rgba(0,0,0,0)",
                "plot_bgcolor": "rgba(0,0,0,0)",
                "font": {"color": ink, "size": 18},
                "separators": ",." if self.locale == "id" else ".,",
                "showlegend": legend,
                "legend": {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
                "xaxis": {"gridcolor": grid, "type": "date", "tickformatstops": [
                    {"dtickrange": [None, 86_000_000], "value": "%H.%M" if self.locale == "id" else "%H:%M"},
                    {"dtickrange": [86_000_000, None], "value": "%-d %b"},
                ]},
                "yaxis": {"gridcolor": grid, "rangemode": "tozero" if self.config.target else "normal",
                          "ticksuffix": suffix, "exponentformat": "none",
                          "nticks": max(3, round(self.body_rem() / 2.2))},  # ~2 rem apart
                "uirevision": self.config.id,
            },
        }

    def view(self, snap: Snapshot) -> PanelView:
        zone = self.wall.config.site.zone
        traces, states, newest = [], [], None
        for n, key in enumerate(self.keys()):
            indicator = self.wall.indicator(key.indicator)
            points = snap.series.get(key, [])
            label = indicator.label.text(self.locale) if indicator else key.indicator
            current = snap.indicators.get(key.indicator)
            # Figures per month/quarter/year: one marked point per period (a lone point has no line).
            periodic = current is not None and current.period is not None
            traces.append({
                "type": "scatter", "mode": "lines+markers" if periodic else "lines", "name": label,
                "x": [datetime.fromtimestamp(ts, zone).strftime("%Y-%m-%d %H:%M:%S") for ts, _ in points],
                "y": [round(v, 3) for _, v in points],
                "line": {"color": PALETTE[n % len(PALETTE)], "width": 3},
                **({"marker": {"size": 10}} if periodic else {}),
            })
            if self.config.target and indicator is not None and indicator.target and points:
                name = (t(self.locale, "Target") if len(self.config.indicators) == 1
                        else t(self.locale, "Target {label}", label=label))
                traces.append({
                    "type": "scatter", "mode": "lines", "name": name,
                    "x": [traces[-1]["x"][0], traces[-1]["x"][-1]], "y": [indicator.target, indicator.target],
                    "line": {"color": "#ef476f", "width": 2, "dash": "dash"},
                })
            current = snap.indicators.get(key.indicator)
            if current is not None:
                stale_after = self.wall.config.stale_after(key.indicator, current.period)
                states.append(state_of(current, indicator, stale_after, snap.now))
                if current.time is not None and (newest is None or current.time > newest):
                    newest = current.time
        if not any(trace["x"] for trace in traces):
            return PanelView("nodata", None, {"graph": {"figure": self._figure(traces)}}, self.nodata_text())
        state = worst(states)
        suffix = self._scale(traces)
        return PanelView(state, newest, {"graph": {"figure": self._figure(traces, suffix)}},
                         stale_note(state, newest, snap.now, self.locale))
