"""The one interface every panel type implements, and the frame every panel sits in.

A panel draws its static structure once (``body``) and afterwards only answers ``view``: the
props of its components for a snapshot. The hub compares views between snapshots and sends the
browser only the props that changed, so a panel never has to think about transport or diffs.

Every panel root carries the DOM contract the tests and operators rely on: ``data-panel``,
``data-type``, ``data-state`` (ok|warning|critical|stale|nodata|error) and ``data-updated``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from dash import html

from wallboard import formatting
from wallboard.config.models import PanelBase
from wallboard.i18n import translator
from wallboard.indicators import SEVERITY, state_of
from wallboard.snapshot import Needs, Snapshot

Props = dict[str, dict[str, Any]]

t = translator("wall")
STATES = ("ok", "warning", "critical", "stale", "nodata", "error")
# A shape for each state, so state never rests on colour alone.
STATE_SHAPES = {"ok": "●", "warning": "▲", "critical": "◆", "stale": "◌", "nodata": "○", "error": "✖"}


def state_words(locale: str) -> dict[str, str]:
    """The badge word of each state (``WASPADA`` / ``WARNING``), also handed to the browser's camera code."""
    return {"ok": t(locale, "NORMAL"), "warning": t(locale, "WARNING"), "critical": t(locale, "CRITICAL"),
            "stale": t(locale, "STALE"), "nodata": t(locale, "NO DATA"), "error": t(locale, "ERROR")}


def no_data(locale: str) -> str:
    return t(locale, "No data yet")


@dataclass
class PanelView:
    state: str
    updated: datetime | None
    props: Props = field(default_factory=dict)  # keyed by component suffix, see Panel.cid
    note: str = ""
    # props of the alert line: set by the live layer from the snapshot's open alerts (wallboard.live.views)
    alert: dict[str, Any] | None = None


@dataclass(frozen=True)
class WallContext:
    """What panels may know about the wall they are on."""

    config: Any
    screen: Any
    base_dir: Path | None = None  # the config file's folder: relative paths (boundary files) start here

    @property
    def locale(self) -> str:
        return self.config.site.locale

    @property
    def theme(self) -> str:
        return self.config.site.theme

    def screen_indicators(self) -> list[str]:
        """Every indicator some panel on this screen shows, in panel order (for the ticker)."""
        out: list[str] = []
        for panel in self.screen.all_panels() if self.screen is not None else []:
            out.extend(i for i in panel.indicator_ids() if i not in out)
        return out

    def indicator(self, indicator_id: str) -> Any:
        return next((i for i in self.config.indicators if i.id == indicator_id), None)


class Panel:
    Config: ClassVar[type[PanelBase]]

    def __init__(self, config: Any, wall: WallContext):
        self.config = config
        self.wall = wall

    @property
    def locale(self) -> str:
        return self.wall.locale

    def cid(self, part: str) -> str:
        """The id of one of this panel's components; ids are unique on a screen."""
        return f"{self.config.id}--{part}"

    def title(self) -> str:
        if self.config.title is not None:
            return self.config.title.text(self.locale)
        ids = self.config.indicator_ids()
        indicator = self.wall.indicator(ids[0]) if ids else None
        return indicator.label.text(self.locale) if indicator is not None else self.config.id

    def subtitle(self) -> str:
        """The work unit (OPD) behind the figure; several indicators may have several owners."""
        ids = self.config.indicator_ids()
        indicator = self.wall.indicator(ids[0]) if len(ids) == 1 else None
        return indicator.owner or "" if indicator is not None else ""

    def body_rem(self) -> float:
        """Height of this panel's body in rem (1rem = 1/54 of the screen, see wall.css).

        Lists use it to show only the rows that fit whole, the same at any resolution.
        """
        screen = self.wall.screen
        rows = screen.grid.rows if screen is not None else 8
        h = self.config.size[1]
        panel = (54 - 1.2 - 0.6 * (rows - 1)) / rows * h + 0.6 * (h - 1)
        return panel - 1.5 - 1.5 - 1.3  # padding and borders, head, note

    def body_width_rem(self) -> float:
        """Width of this panel's body in rem, on a 16:9 screen (96rem wide)."""
        screen = self.wall.screen
        cols = screen.grid.columns if screen is not None else 12
        w = self.config.size[0]
        panel = (96 - 1.2 - 0.6 * (cols - 1)) / cols * w + 0.6 * (w - 1)
        return panel - 1.8 - 0.65  # padding, borders

    def needs(self) -> Needs:
        return Needs()

    def body(self) -> list[Any]:
        raise NotImplementedError

    def view(self, snap: Snapshot) -> PanelView:
        raise NotImplementedError

    def nodata_text(self) -> str:
        return no_data(self.locale)

    def indicator_state(self, snap: Snapshot, indicator_id: str) -> tuple[str, Any]:
        """The state of one indicator on this wall, and its current value (or None)."""
        current = snap.indicators.get(indicator_id)
        if current is None or current.value is None:
            return "nodata", current
        stale_after = self.wall.config.stale_after(indicator_id, current.period)
        return state_of(current, self.wall.indicator(indicator_id), stale_after, snap.now,
                        self.wall.config.site.region), current


def worst(states: list[str], default: str = "ok") -> str:
    """The state a panel with several parts shows: its worst part (critical beats stale beats ok)."""
    order = ["ok", "nodata", "stale", "warning", "critical", "error"]
    return max(states, key=order.index) if states else default


def severity(state: str) -> int:
    return SEVERITY.get(state, 0)


def frame(panel: Panel, drill: bool = True) -> html.Div:
    """The panel root: grid placement, header with state badge, body, and a note line.

    ``drill=False`` (a viewer without drill rights: an operator, a kiosk wall) leaves out
    ``data-drill``, so the panel shows no pointer and a click goes nowhere.
    """
    (x, y), (w, h) = panel.config.at, panel.config.size
    return html.Div(
        id=panel.config.id,
        className=f"panel panel-{panel.config.type} state-nodata",
        style={"gridColumn": f"{x + 1} / span {w}", "gridRow": f"{y + 1} / span {h}"},
        children=[
            html.Div(
                className="panel-head",
                children=[
                    html.Div(panel.title(), className="panel-title"),
                    html.Div(panel.subtitle(), className="panel-owner"),
                    html.Div(id=panel.cid("badge"), className="panel-badge"),
                ],
            ),
            html.Div(panel.body(), className="panel-body"),
            html.Div(id=panel.cid("note"), className="panel-note"),
            html.Div(id=panel.cid("alert"), className="panel-alert", **{"data-alert": ""}),
        ],
        **{"data-panel": panel.config.id, "data-type": panel.config.type, "data-state": "nodata",
           "data-updated": "", **({"data-drill": f"/panel/{panel.config.id}"} if panel.config.drill and drill else {})},
    )


def flat_props(panel: Panel, view: PanelView) -> Props:
    """A view as component-id -> props, root and badge included: what the browser receives."""
    locale = panel.locale
    words = state_words(locale)
    out: Props = {
        panel.config.id: {
            "data-state": view.state,
            "data-updated": view.updated.isoformat() if view.updated else "",
            "className": f"panel panel-{panel.config.type} state-{view.state}",
        },
        panel.cid("badge"): {"children": f"{STATE_SHAPES[view.state]} {words[view.state]}"},
        panel.cid("note"): {"children": view.note},
        panel.cid("alert"): view.alert or {"children": "", "className": "panel-alert", "data-alert": ""},
    }
    for part, props in view.props.items():
        out.setdefault(panel.cid(part), {}).update(props)
    return out


def stale_count(n: int, locale: str) -> str:
    """The note "2 wilayah usang": areas of a map or bar whose figures are old or whose peer is down."""
    return t(locale, "{n} areas stale", n=n)


def stale_note(view_state: str, updated: datetime | None, now: datetime, locale: str) -> str:
    if updated is None:
        return no_data(locale)
    text = formatting.data_age(now - updated, locale)
    return text if view_state == "stale" or not formatting.just_now(now - updated) else ""
