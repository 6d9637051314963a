"""An indicator's history on the drill page: the series, the previous period beside it, and the
times it crossed its thresholds.

Crossings are found on the readings themselves (``store.drill.raw_between``: the figure as the
wall showed it at each reading), not on the hourly means the chart may draw, so a crossing's peak
and level are the ones the wall and its alert showed: an episode starts at the first reading at or
beyond the warning level and ends at the first one back inside it; its peak decides whether it
reached critical. The levels are those of the figure shown (``indicators.levels_for``): the
site's ``thresholds``, or a region's ``region_thresholds``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wallboard.indicators import levels_for, threshold_state

FEW_POINTS = 24  # a history this short draws each point as a marker


@dataclass(frozen=True)
class Crossing:
    start: int
    end: int  # the first bucket back to normal, or the range's end while it lasts
    ongoing: bool
    peak: float
    level: str  # warning | critical

    @property
    def duration(self) -> int:
        return self.end - self.start


def crossings(points: list[tuple[int, float]], indicator: Any, range_end: int,
              region: str | None = None, site: str | None = None) -> list[Crossing]:
    out: list[Crossing] = []
    if indicator is None or levels_for(indicator, region, site) is None:
        return out
    worse = max if indicator.direction != "down" else min
    start: int | None = None
    peak = 0.0
    for ts, value in points:
        bad = threshold_state(value, indicator, region, site) != "ok"
        if bad and start is None:
            start, peak = ts, value
        elif bad:
            peak = worse(peak, value)
        elif start is not None:
            out.append(Crossing(start, ts, False, peak, threshold_state(peak, indicator, region, site)))
            start = None
    if start is not None:
        out.append(Crossing(start, range_end, True, peak, threshold_state(peak, indicator, region, site)))
    return out


def figure(
    points: list[tuple[int, float]],
    previous: list[tuple[int, float]],
    shift: int,
    indicator: Any,
    zone: Any,
    labels: dict[str, str],
    theme: str,
    region: str | None = None,
    site: str | None = None,
) -> dict:
    """A Plotly figure (plain dict): the series, the previous period shifted onto it, thresholds, target."""
    ink = "#e5e7eb" if theme == "dark" else "#1f2937"
    grid = "#334155" if theme == "dark" else "#e5e7eb"

    def x(ts: int) -> str:
        return datetime.fromtimestamp(ts, zone).strftime("%Y-%m-%d %H:%M")

    data: list[dict] = []
    if previous:
        data.append({"type": "scatter", "mode": "lines", "name": labels["previous"],
                     "x": [x(ts + shift) for ts, _ in previous], "y": [v for _, v in previous],
                     "line": {"color": "#94a3b8", "width": 2, "dash": "dot"}})
    few = len(points) <= FEW_POINTS  # an hour of data: dots, not an invisible line
    data.append({"type": "scatter", "mode": "lines+markers" if few else "lines", "name": labels["current"],
                 "x": [x(ts) for ts, _ in points], "y": [v for _, v in points],
                 "line": {"color": "#38bdf8", "width": 3}, "marker": {"color": "#38bdf8", "size": 9}})
    shapes, notes = [], []
    lines = []
    levels = levels_for(indicator, region, site) if indicator is not None else None
    if levels is not None:
        lines += [(levels.warning, "#f59e0b", labels["warning"], "dash"),
                  (levels.critical, "#ef4444", labels["critical"], "dash")]
    if indicator is not None and indicator.target is not None:
        lines.append((indicator.target, "#22c55e", labels["target"], "longdashdot"))
    for level, color, name, dash in lines:
        if level is None:
            continue
        shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": level, "y1": level,
                       "line": {"color": color, "width": 2, "dash": dash}})
        notes.append({"xref": "paper", "x": 1, "xanchor": "right", "yref": "y", "y": level, "yanchor": "bottom",
                      "text": name, "showarrow": False, "font": {"color": color, "size": 13}})
    return {"data": data, "layout": {
        "margin": {"l": 60, "r": 10, "t": 10, "b": 40}, "height": 320,
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)", "font": {"color": ink, "size": 13},
        "xaxis": {"gridcolor": grid, "type": "date", **_x_range(points, x)},
        "yaxis": {"gridcolor": grid, "zerolinecolor": grid, "exponentformat": "none", "separatethousands": True},
        "legend": {"orientation": "h", "y": -0.18}, "shapes": shapes, "annotations": notes, "hovermode": "x unified",
    }}


def _x_range(points: list[tuple[int, float]], x: Any) -> dict:
    """Points spanning less than two hours get an hour either side: left alone, plotly zooms a
    single point to a millisecond and labels the axis "14:59:59.999"."""
    if not points or points[-1][0] - points[0][0] >= 2 * 3600:
        return {}
    return {"range": [x(points[0][0] - 3600), x(points[-1][0] + 3600)]}
