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
from wallboard.snapshot import Needs, SeriesCache, Snapshot, build_snapshot

log = logging.getLogger(__name__)
t = translator("wall")


def screen_panels(config: Any, screen: Any, base_dir: Path | None) -> list[Panel]:
    """One panel object per configured panel of the screen, every page included."""
    wall = WallContext(config, screen, base_dir)
    types = panel_types()
    return [types[p.type](p, wall) for p in screen.all_panels()]


def read_snapshot(store: Any, config: Any, needs: Needs, now: datetime, version: int,
                  as_of: bool = False, cache: SeriesCache | None = None) -> Snapshot:
    """The snapshot the walls are drawn from, the open alerts included (live, or as of ``now``)."""
    return build_snapshot(store, config, needs, now, version, as_of=as_of, cache=cache,
                          open_alerts=AlertRepo(store.engine).open_alerts)


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
