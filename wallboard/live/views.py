"""Panel evaluation: the panels of a screen, and their props for one snapshot.

Used by the hub for live walls and by the replay for a past minute, so both show the same thing.
The alert line under a panel comes from the snapshot's open alerts (data the snapshot carries),
added here after the panel's own view: no panel type, plugin or not, has to remember it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from wallboard import formatting
from wallboard.alerts.repo import AlertRepo
from wallboard.alerts.wall import alert_props
from wallboard.i18n import translator
from wallboard.panels import panel_types
from wallboard.panels.base import Panel, PanelView, Props, WallContext, flat_props
from wallboard.reasons import one_line
from wallboard.snapshot import KeptFigures, Needs, SeriesCache, Snapshot, build_snapshot

log = logging.getLogger(__name__)
t = translator("wall")


def screen_panels(config: Any, screen: Any, base_dir: Path | None) -> list[Panel]:
    """One panel object per configured panel of the screen, every page included."""
    wall = WallContext(config, screen, base_dir)
    types = panel_types()
    return [types[p.type](p, wall) for p in screen.all_panels()]


def read_snapshot(store: Any, config: Any, needs: Needs, now: datetime, version: int,
                  as_of: bool = False, cache: SeriesCache | None = None,
                  kept: KeptFigures | None = None) -> Snapshot:
    """The snapshot the walls are drawn from, the open alerts included (live, or as of ``now``)."""
    return build_snapshot(store, config, needs, now, version, as_of=as_of, cache=cache,
                          open_alerts=AlertRepo(store.engine).open_alerts, kept=kept)


def panel_view(panel: Panel, snap: Snapshot) -> PanelView:
    """The panel's own view, with the line about an open alert on its indicators."""
    view = panel.view(snap)
    if view.alert is None and snap.alerts:
        try:
            view.alert = alert_props(panel, snap)
        except Exception:  # noqa: BLE001 - the alert line must never break the panel
            log.exception("alert line of panel %s failed", panel.config.id)
            view.alert = None
    return view


def panel_props(panel: Panel, snap: Snapshot) -> Props:
    """A panel's props for a snapshot, as component id -> props (what the browser receives)."""
    return flat_props(panel, panel_view(panel, snap))


def panel_inputs(needs: Needs, snap: Snapshot) -> tuple[Any, ...]:
    """The parts of ``snap`` a panel with these needs is drawn from, in a fixed order (and the parts
    every panel reads: open alerts, the database link, replay)."""
    parts: list[Any] = [snap.alerts, snap.link_down, snap.replay]
    parts += [snap.indicators.get(i) for i in sorted(needs.indicators)]
    parts += [snap.series.get(k) for k in sorted(needs.series, key=lambda k: (k.indicator, k.window))]
    parts += [snap.events.get(s) for s in sorted(needs.events)]
    parts += [snap.forecasts.get(s) for s in sorted(needs.forecasts)]
    for key in sorted(needs.regions):
        parts += [snap.regions.get(key), snap.stale.get(key)]
    if needs.sources:
        parts += list(snap.sources.values())
    return tuple(parts)


class DrawnPanels:
    """Each panel's last props and what they were drawn from, for the hub's next refresh.

    A change of one indicator used to draw every panel of every screen again. A panel whose inputs
    are the very objects it was last drawn from (``KeptFigures`` keeps unchanged parts as the same
    objects) keeps its props, as long as they were drawn since ``fresh_since``: ages and staleness
    move with the clock alone, so the hub draws every panel on each time tick (``fresh_since`` now)
    and keeps them only between two ticks.
    """

    def __init__(self) -> None:
        self._drawn: dict[int, tuple[Panel, float, tuple[Any, ...], Props]] = {}
        self.drawn = 0  # panels drawn
        self.kept = 0  # panels whose props were used again

    def props(self, panel: Panel, snap: Snapshot, at: float, fresh_since: float) -> Props:
        """``at``: monotonic seconds now; props drawn before ``fresh_since`` are drawn again. A panel
        that fails is drawn as an error, never kept."""
        inputs = panel_inputs(panel.needs(), snap)
        last = self._drawn.get(id(panel))
        if (last is not None and last[0] is panel and last[1] >= fresh_since
                and len(last[2]) == len(inputs) and all(a is b for a, b in zip(last[2], inputs, strict=True))):
            self.kept += 1
            return last[3]
        try:
            props = panel_props(panel, snap)
        except Exception as exc:  # noqa: BLE001 - one broken panel must not blank the wall
            log.exception("panel %s failed", panel.config.id)
            self._drawn.pop(id(panel), None)
            return error_props(panel, exc)
        self.drawn += 1
        self._drawn[id(panel)] = (panel, at, inputs, props)
        return props

    def clear(self) -> None:
        self._drawn.clear()


def error_props(panel: Panel, exc: Exception | None) -> Props:
    """A panel whose view failed: its frame in the error state, with the reason when there is one."""
    note = f"Panel gagal: {one_line(exc)}" if exc is not None else ""
    return flat_props(panel, PanelView("error", None, {}, note))


def wall_props(snap: Snapshot, config: Any) -> Props:
    """The wall's own line, on every screen, status panel or not: this server cannot read its database
    (since when, in site time). It goes in the outage banner (``wall-banner``'s ``data-db``), cleared
    as soon as the hub reads the store again; the figures on screen stay, ageing, meanwhile."""
    if snap.link_down is None:
        return {"wall-banner": {"data-db": "up"}, "wall-dblink": {"children": ""}}
    locale = config.site.locale
    since = formatting.time_of_day(snap.link_down.astimezone(config.site.zone), locale)
    return {"wall-banner": {"data-db": "down"},
            "wall-dblink": {"children": t(locale, "Database link down since {time}", time=since)}}
