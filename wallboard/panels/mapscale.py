"""The colour bins of every map (wall and drill) and the legend that names them.

Bins are fixed, never stretched over whatever the data happens to be, so a colour means the same
figure tomorrow as today. Where an indicator has thresholds for its regions (``region_thresholds``,
or ``thresholds`` with ``per_region: true``) the bins are those thresholds in the states' colours
(normal, warning, critical). City-wide thresholds are not applied to one kecamatan (issue 21: a
kecamatan with 0 buses is no crisis): such maps, and indicators without thresholds, use a single-hue
blue ramp in four bins of a round step (0-5, 5-10, ... or 0-250, 250-500, ...) that only changes
when the largest figure passes the next round number, and the legend prints the bin edges.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from wallboard import formatting
from wallboard.i18n import translator
from wallboard.indicators import region_levels

t = translator("wall")
# A single-hue blue ramp (ColorBrewer Blues): readable with any colour vision, and never mistaken
# for the red/amber of a warning or critical state.
BLUES = ["#c6dbef", "#6baed6", "#3182bd", "#08519c"]
STATE_FILL = {"ok": "#2dc653", "warning": "#ffb703", "critical": "#ff4d6d"}
EMPTY_FILL = "#3a4556"


@dataclass(frozen=True)
class Bin:
    fill: str
    label: str


@dataclass(frozen=True)
class Scale:
    edges: tuple[float, ...]  # ascending inner edges; len(fills) == len(edges) + 1
    fills: tuple[str, ...]
    bins: tuple[Bin, ...]  # what the legend shows, in order

    def colour(self, value: float | None) -> str:
        if value is None:
            return EMPTY_FILL
        return self.fills[sum(1 for e in self.edges if value >= e)]


def nice_step(top: float) -> float:
    """A round bin width (1, 2, 2.5 or 5 times a power of ten) so four bins cover ``top``."""
    if top <= 0:
        return 1.0
    raw = top / 4
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def scale_for(indicator: Any, values: list[float], locale: str) -> Scale:
    th = region_levels(indicator)  # the same levels the alerts and badges judge areas by

    def fmt(v: float) -> str:
        return formatting.value(v, indicator, locale) if indicator is not None else formatting.number(v, locale)

    if th is not None and (th.warning is not None or th.critical is not None):
        return _threshold_scale(indicator, th, fmt, locale)
    step = nice_step(max([abs(v) for v in values], default=0))
    edges = tuple(step * k for k in (1, 2, 3))
    labels = [f"< {fmt(edges[0])}", f"{fmt(edges[0])}–{fmt(edges[1])}", f"{fmt(edges[1])}–{fmt(edges[2])}",
              f"≥ {fmt(edges[2])}"]
    return Scale(edges, tuple(BLUES), tuple(Bin(f, lab) for f, lab in zip(BLUES, labels, strict=True)))


def _threshold_scale(indicator: Any, th: Any, fmt: Any, locale: str) -> Scale:
    down = indicator.direction == "down"
    marks = [(th.warning, "warning"), (th.critical, "critical")]
    marks = [(v, s) for v, s in marks if v is not None]
    names = {"ok": t(locale, "NORMAL"), "warning": t(locale, "WARNING"), "critical": t(locale, "CRITICAL")}
    if not down:  # higher is worse: ok < warning <= ... < critical
        edges = tuple(v for v, _ in marks)
        fills = ("ok", *(s for _, s in marks))
        bins = [Bin(STATE_FILL["ok"], f"{names['ok']} < {fmt(edges[0])}")]
        bins += [Bin(STATE_FILL[s], f"{names[s]} ≥ {fmt(v)}") for v, s in marks]
    else:  # lower is worse: critical <= c < warning <= w < ok
        rev = list(reversed(marks))
        edges = tuple(v for v, _ in rev)
        fills = (*(s for _, s in reversed(marks)), "ok")
        bins = [Bin(STATE_FILL[s], f"{names[s]} ≤ {fmt(v)}") for v, s in rev]
        bins.append(Bin(STATE_FILL["ok"], f"{names['ok']} > {fmt(marks[0][0])}"))
    # a value exactly on a "down" threshold is already that state: shift its edge just above it
    if down:
        edges = tuple(math.nextafter(e, math.inf) for e in edges)
    return Scale(edges, tuple(STATE_FILL[f] for f in fills), tuple(bins))
