"""Lines over a time window, one per indicator, with the indicator's warning and critical levels
and its target drawn across, so a rising line is read against the level that matters.

The figure is a plain dict so the hub can compare it with the previous one and send the browser
only the points that were added or changed (see ``wallboard.live.diff``).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any, Literal

from dash import dcc

from wallboard.config.models import Identifier, PanelBase
from wallboard.durations import Duration
from wallboard.i18n import translator
from wallboard.indicators import state_of
from wallboard.panels.base import Panel, PanelView, stale_note, worst
from wallboard.snapshot import MAX_POINTS, Needs, SeriesKey, Snapshot

t = translator("wall")
PALETTE = ["#4cc9f0", "#f4a261", "#90be6d", "#f15bb5", "#ffd166", "#b388eb"]
# Level lines: the state colours of wall.css, dashed so they are never taken for a series.
LEVEL_COLOURS = {"warning": "#ffb703", "critical": "#ff4d6d", "target": "#90be6d"}
# The x range moves in steps of 1/24 of the window (an hour on a 24 h trend), so most updates
# change only the traces: Plotly redraws the line and keeps the axes, ticks and grid (issue 23).
X_STEPS = 24
TIME_TEXT = "%Y-%m-%d %H:%M:%S"


def nice_step(span: float, ticks: int) -> float:
    """A round tick step (1, 2, 2.5 or 5 times a power of ten) for ``span`` over about ``ticks`` ticks."""
    raw = span / max(ticks, 1)
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def y_range(lo: float, hi: float, ticks: int, kept: tuple[float, float] | None) -> tuple[float, float]:
    """The y axis bounds: the ``kept`` ones while every value is inside them and they are not
    far too loose, else rounded bounds a little outside ``lo``..``hi``. A range that changes only
    when the data leaves it lets an update redraw the line alone."""
    if kept is not None and kept[0] <= lo and hi <= kept[1] and (hi - lo) * 3 >= kept[1] - kept[0]:
        return kept
    span = hi - lo or max(abs(hi) * 0.2, 1.0)
    step = nice_step(span * 1.1, ticks)
    low = math.floor((lo - span * 0.05) / step) * step
    high = math.ceil((hi + span * 0.05) / step) * step
    if lo >= 0 > low:
        low = 0.0  # counts and levels never read below zero
    return round(low, 9), round(high, 9)



LABEL_PX = 18  # the figure's type at 1080 lines
SPOTS = (("end", "bottom"), ("end", "top"), ("start", "bottom"), ("start", "top"))


def place_level_labels(levels: list[tuple[str, str, float]], width: float, height: float, lo: float,
                       hi: float) -> list[tuple[str, str] | None]:
    """Where each level line's name goes (``textposition``, ``yanchor``), or None: the highest
    first, each at the first of right-above, right-below, left-above, left-below whose box (in
    pixels at 1080 lines, the axis spanning ``lo``..``hi`` plus plotly's 5 % margins) stays in
    the plot and clear of the names already placed. Two close lines thus name themselves on
    opposite sides, never on top of each other."""
    span = (hi - lo) or 1.0
    lo, hi = lo - 0.05 * span, hi + 0.05 * span
    line_h = 1.25 * LABEL_PX
    placed: list[tuple[float, float, float, float]] = []
    out: list[tuple[str, str] | None] = [None] * len(levels)
    for i in sorted(range(len(levels)), key=lambda k: -levels[k][2]):
        _, label, v = levels[i]
        y = height * (hi - v) / (hi - lo)  # from the plot's top
        w = min(width, len(label) * 0.6 * LABEL_PX + 8)
        for position, anchor in SPOTS:
            x0 = width - w if position == "end" else 0.0
            y0 = y - line_h if anchor == "bottom" else y
            box = (x0, y0, x0 + w, y0 + line_h)
            if box[1] < 0 or box[3] > height:
                continue
            if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
                continue
            placed.append(box)
            out[i] = (position, anchor)
            break
    return out

class TrendConfig(PanelBase):
    type: Literal["trend"]
    indicators: list[Identifier]
    window: Duration = timedelta(hours=24)
    target: bool | None = None  # draw the indicator's target; default: when it has one
    thresholds: bool = True  # draw the indicator's warning and critical levels

    def indicator_ids(self) -> list[str]:
        return list(self.indicators)


class TrendPanel(Panel):
    Config = TrendConfig
    config: TrendConfig

    def __init__(self, config: Any, wall: Any):
        super().__init__(config, wall)
        self._axes_memo: dict[SeriesKey, tuple[list, list[str], list[float]]] = {}
        self._figure_memo: tuple[list, dict] | None = None
        self._x_texts: dict[int, str] = {}  # epoch second -> local time text (a data change moves few)
        self._y_kept: tuple[float, float] | None = None  # the y range of the last figure (see y_range)

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

    def _scale(self, traces: list[dict]) -> tuple[str, float]:
        """Big money reads as ``150 M`` (miliar), not ``150B``: divide the axis and name the step."""
        top = max((max(map(abs, tr["y"]), default=0) for tr in traces), default=0)  # C loops: per update
        top = max([top] + [abs(v) for _, _, v in self.levels()])
        # Axis suffixes: trillion, billion (miliar "M"), million (juta "jt").
        steps = [(1e12, t(self.locale, "T")), (1e9, t(self.locale, "B")), (1e6, t(self.locale, "M"))]
        for divisor, word in steps:
            if top >= divisor:
                for tr in traces:
                    tr["y"] = [round(v / divisor, 3) for v in tr["y"]]
                return " " + word, divisor
        return "", 1.0

    def levels(self) -> list[tuple[str, str, float]]:
        """(kind, label, value) of the warning and critical lines of every indicator. (The target is
        a dashed series in the legend, as it has always been.)"""
        out = []
        several = len(self.config.indicators) > 1
        for indicator_id in self.config.indicators:
            indicator = self.wall.indicator(indicator_id)
            if indicator is None:
                continue
            suffix = f" {indicator.label.text(self.locale)}" if several else ""
            th = indicator.thresholds
            if self.config.thresholds and th is not None:
                if th.warning is not None:
                    out.append(("warning", t(self.locale, "Warning") + suffix, th.warning))
                if th.critical is not None:
                    out.append(("critical", t(self.locale, "Critical") + suffix, th.critical))
        return out

    def shows_target(self, indicator) -> bool:
        return self.config.target is not False and indicator is not None and bool(indicator.target)

    def _shapes(self, divisor: float, top: float, bottom: float, legend: bool) -> list[dict]:
        """Level lines across the whole width, each named where its name touches no other name.
        Shapes in data coordinates take part in the y autorange, so a level above the data is
        still shown. Names are placed in Python (``place_level_labels``) from the plot's size in
        rem; one that fits nowhere is left off (its line keeps its colour)."""
        levels = [(kind, label, v / divisor) for kind, label, v in self.levels()]
        width = self.body_width_rem() * 20 - 90
        height = self.body_rem() * 20 - (44 if legend else 10) - 40
        spots = place_level_labels(levels, width, height, min([bottom, *(v for _, _, v in levels)]), top)
        shapes = []
        for (kind, label, v), spot in zip(levels, spots, strict=True):
            shape = {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": v, "y1": v,
                     "line": {"color": LEVEL_COLOURS[kind], "width": 2, "dash": "dash"}, "name": kind}
            if spot is not None:
                shape["label"] = {"text": label, "textposition": spot[0], "yanchor": spot[1],
                                  "font": {"color": LEVEL_COLOURS[kind]}}
            shapes.append(shape)
        return shapes

    def x_range(self, first: int, last: int) -> tuple[int, int]:
        """Epoch seconds of the x axis: the window plus one step, its right edge on the next step
        boundary after ``last`` (the newest point), never cutting off the oldest point ``first``."""
        window = int(self.config.window.total_seconds())
        step = max(window // X_STEPS, 1)
        right = -(-(last + 1) // step) * step
        return min(right - window - step, first // step * step), right

    def _figure(self, traces: list[dict], suffix: str = "", divisor: float = 1.0,
                ranges: tuple[list[str], list[float]] | None = None) -> dict:
        theme_dark = self.wall.config.site.theme == "dark"
        ink = "#c9d1e0" if theme_dark else "#1f2a3a"
        grid = "rgba(255,255,255,0.10)" if theme_dark else "rgba(0,0,0,0.10)"
        targeted = any(self.shows_target(self.wall.indicator(i)) for i in self.config.indicators)
        legend = len(self.config.indicators) > 1 or targeted
        top = max((max(tr["y"]) for tr in traces if tr["y"]), default=0)
        top = max([top] + [v / divisor for _, _, v in self.levels()])  # the highest line at the plot's top
        bottom = min((min(tr["y"]) for tr in traces if tr["y"]), default=0)
        if ranges:  # a fixed value axis: its bounds are the plot's, for placing the level names
            bottom, top = ranges[1]
        xaxis: dict[str, Any] = {"range": ranges[0]} if ranges else {}
        yaxis: dict[str, Any] = {"range": ranges[1]} if ranges else {}
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
                "xaxis": {**xaxis, "gridcolor": grid, "type": "date", "tickformatstops": [
                    {"dtickrange": [None, 86_000_000], "value": "%H.%M" if self.locale == "id" else "%H:%M"},
                    {"dtickrange": [86_000_000, None], "value": "%-d %b"},
                ]},
                "shapes": self._shapes(divisor, top, bottom, legend) if traces and any(tr["x"] for tr in traces)
                else [],
                "yaxis": {**yaxis, "gridcolor": grid, "rangemode": "tozero" if targeted else "normal",
                          "ticksuffix": suffix, "exponentformat": "none",
                          "nticks": self._nticks()},  # ~2 rem apart
                "uirevision": self.config.id,
            },
        }

    def _nticks(self) -> int:
        return max(3, round(self.body_rem() / 2.2))

    def _text(self, ts: int) -> str:
        return datetime.fromtimestamp(ts, self.wall.config.site.zone).strftime(TIME_TEXT)

    def _axes(self, key: SeriesKey, points: list[tuple[int, float]], zone: Any) -> tuple[list[str], list[float]]:
        """The trace's x (local time text) and y, formatted once per series the snapshot read:
        the hub keeps an unchanged series (the same list) from one data change to the next, and a
        series that only slid, gained points or had its last one revised keeps the formatted part
        it shares with the last one (a collector run per minute on a 30-day trend formats its tail
        only, not 720 points: issue 23 item 5)."""
        kept = self._axes_memo.get(key)
        if kept is not None and kept[0] is points:
            return kept[1], kept[2]
        shared, start = _shared(kept[0], points) if kept is not None else (0, 0)
        texts = self._x_texts
        if len(texts) > 4 * max(len(points), MAX_POINTS):  # the window slid a long way: start afresh
            texts.clear()
        x = kept[1][start:start + shared] if shared else []
        y = kept[2][start:start + shared] if shared else []
        for ts, _ in points[shared:]:
            text = texts.get(ts)
            if text is None:
                text = texts[ts] = datetime.fromtimestamp(ts, zone).strftime(TIME_TEXT)
            x.append(text)
        y.extend(round(v, 3) for _, v in points[shared:])
        self._axes_memo[key] = (points, x, y)
        return x, y

    def view(self, snap: Snapshot) -> PanelView:
        zone = self.wall.config.site.zone
        traces, states, newest, inputs, targets, spans = [], [], None, [], [], []
        for n, key in enumerate(self.keys()):
            indicator = self.wall.indicator(key.indicator)
            points = snap.series.get(key, [])
            inputs.append(points)
            if points:
                spans.append((points[0][0], points[-1][0]))
            label = indicator.label.text(self.locale) if indicator else key.indicator
            current = snap.indicators.get(key.indicator)
            # Figures per month/quarter/year: one marked point per period (a lone point has no line).
            periodic = current is not None and current.period is not None
            inputs.append(periodic)
            x, y = self._axes(key, points, zone)
            traces.append({
                "type": "scatter", "mode": "lines+markers" if periodic else "lines", "name": label,
                "x": x, "y": y,
                "line": {"color": PALETTE[n % len(PALETTE)], "width": 3},
                **({"marker": {"size": 10}} if periodic else {}),
            })
            if self.shows_target(indicator) and points:
                name = (t(self.locale, "Target") if len(self.config.indicators) == 1
                        else t(self.locale, "Target {label}", label=label))
                traces.append({  # across the whole x range (its ends are set below)
                    "type": "scatter", "mode": "lines", "name": name,
                    "x": [], "y": [indicator.target, indicator.target],
                    "line": {"color": LEVEL_COLOURS["target"], "width": 2, "dash": "dash"},
                })
                targets.append(traces[-1])
            current = snap.indicators.get(key.indicator)
            if current is not None:
                stale_after = self.wall.config.stale_after(key.indicator, current.period)
                states.append(state_of(current, indicator, stale_after, snap.now, self.wall.config.site.region))
                if current.time is not None and (newest is None or current.time > newest):
                    newest = current.time
        if not any(trace["x"] for trace in traces):
            return PanelView("nodata", None, {"graph": {"figure": self._figure(traces)}}, self.nodata_text())
        x0, x1 = self.x_range(min(a for a, _ in spans), max(b for _, b in spans))
        for target in targets:
            target["x"] = [self._text(x0), self._text(x1)]
        state = worst(states)
        return PanelView(state, newest, {"graph": {"figure": self._kept_figure(inputs, traces, (x0, x1))}},
                         stale_note(state, newest, snap.now, self.locale))

    def _kept_figure(self, inputs: list, traces: list[dict], x: tuple[int, int]) -> dict:
        """The last figure again when it was drawn from the very same series (the hub kept them):
        most data changes touch another indicator, and the figure is the panel's costly part."""
        kept = self._figure_memo
        if kept is not None and len(kept[0]) == len(inputs) and all(
                a is b if isinstance(a, list) else a == b for a, b in zip(kept[0], inputs, strict=True)):
            return kept[1]
        suffix, divisor = self._scale(traces)
        values = [v for tr in traces for v in tr["y"]] + [v / divisor for _, _, v in self.levels()]
        if any(self.shows_target(self.wall.indicator(i)) for i in self.config.indicators):
            values.append(0.0)  # a target is read from zero, as the axis has always shown it
        self._y_kept = y_range(min(values), max(values), self._nticks(), self._y_kept)
        ranges = ([self._text(x[0]), self._text(x[1])], list(self._y_kept))
        figure = self._figure(traces, suffix, divisor, ranges)
        self._figure_memo = (inputs, figure)
        return figure


def _shared(old: list[tuple[int, float]], new: list[tuple[int, float]], slide: int = 16) -> tuple[int, int]:
    """How many leading points of ``new`` equal the points of ``old`` from some start (the window
    slid by at most ``slide`` points), leaving out old's last point (a revised value), and that
    start; (0, 0) when they share none. Comparing the tuples is exact: a value that differs
    anywhere in the shared part is never reused."""
    if not old or not new:
        return 0, 0
    first = new[0]
    for start in range(min(slide, len(old))):
        if old[start] == first:
            shared = min(len(old) - start - 1, len(new))
            if shared > 0 and old[start:start + shared] == new[:shared]:
                return shared, start
            return 0, 0
    return 0, 0
