"""The wall page: a canvas as large as the whole video wall, with the hub's current view applied.

Pages are laid out on the server with the live view already set, so the first paint shows real
figures; afterwards the browser's ``wall.js`` (in ``assets/``) applies the hub's pushed deltas.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dash import html
from flask import g, has_request_context

from wallboard.i18n import translator
from wallboard.live import Hub
from wallboard.panels.base import frame

ASSETS = Path(__file__).parent / "assets"
t = translator("wall")


def wall_page(runtime: Any, screen: Any, query: dict[str, Any], current: dict[str, Any] | None = None) -> html.Div:
    """The wall: a canvas as large as the whole video wall, of which this window shows one display.

    ``?display=x,y`` picks the display (column, row from the top left); the canvas is
    ``cols x rows`` windows plus the bezel gaps, shifted so the requested part fills the window.
    Every page of a rotating screen is in the DOM; wall.js shows one at a time, in step on every
    display because it counts pages on the server's clock. ``?page=n`` pins one page.
    """
    hub: Hub = runtime.hub
    config = runtime.config
    drill = may_drill(config)
    current = hub.view(screen.id) if current is None else current
    by_id = {p.config.id: p for p in hub.panels(screen.id)}
    cols, rows = screen.displays
    dx, dy = _pair(query.get("display"), cols, rows)
    bx, by = screen.bezel
    pages = screen.all_pages()
    pinned = _int(query.get("page"))
    pinned = pinned if pinned is not None and 0 <= pinned < len(pages) else None
    first = pinned or 0
    page_divs = [
        html.Div(
            id=f"wall-page-{n}",
            className="wall-page wall-grid" + (" active" if n == first else ""),
            children=[_apply(frame(by_id[p.id], drill), current) for p in page if p.id in by_id],
            **{"data-index": n},
        )
        for n, page in enumerate(pages)
    ]
    rotate = int(screen.rotate.total_seconds() * 1000) if screen.rotate and len(pages) > 1 and pinned is None else 0
    return html.Div(
        id="wall",
        className=f"wall theme-{config.site.theme}", lang=config.site.locale,
        style={"--cols": screen.grid.columns, "--rows": screen.grid.rows, "--dcols": cols, "--drows": rows,
               "--dx": dx, "--dy": dy, "--bx": f"{bx}px", "--by": f"{by}px"},
        children=[
            html.Div(id="wall-canvas", className="wall-canvas", children=page_divs),
            _apply(_banner(config.site.locale), current),
        ],
        **{"data-screen": screen.id, "data-link": "live", "data-version": hub.version_tag,
           "data-displays": f"{cols},{rows}", "data-display": f"{dx},{dy}", "data-pages": len(pages),
           "data-page": first, "data-rotate": rotate, "data-locale": config.site.locale},
    )


def may_drill(config: Any) -> bool:
    """Does this page's viewer get drill pages? Not an operator, and never a wall signed in by a
    display token (a kiosk wall never leaves its wall); without ``users:`` (this machine only), yes."""
    if not config.users:
        return True
    user = getattr(g, "user", None) if has_request_context() else None
    return user is not None and not user.kiosk and user.may("supervisor")


def _banner(locale: str) -> html.Div:
    """Reconnecting: a lost link being retried. Offline: how old the figures on screen are (wall.js).
    Database link down: the hub's line (``wallboard.live.views.wall_props``) while the link to this
    server is live, so a wall without a status panel says it too."""
    before, _, after = t(locale, "Server unreachable. Figures on screen were last received at {time} — "
                                 "still trying to reconnect.").partition("{time}")
    return html.Div(
        id="wall-banner", className="wall-banner", role="alert",
        children=[
            html.Span(t(locale, "Connection to the server lost. Figures may be out of date — reconnecting…"),
                      className="banner-reconnecting"),
            html.Span([before, html.Span("–", id="wall-banner-since"), after], className="banner-offline"),
            html.Span(id="wall-dblink", className="banner-dblink"),
        ],
    )


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _pair(value: Any, cols: int, rows: int) -> tuple[int, int]:
    """``"x,y"`` within the wall's displays; anything else is the top-left display."""
    parts = str(value or "").split(",")
    x, y = (_int(parts[0]), _int(parts[1])) if len(parts) == 2 else (None, None)
    if x is None or y is None or not (0 <= x < cols and 0 <= y < rows):
        return 0, 0
    return x, y


def _apply(component: Any, view: dict[str, dict[str, Any]]) -> Any:
    """Set the current view's props on a freshly built component tree (first paint)."""
    cid = getattr(component, "id", None)
    if isinstance(cid, str) and cid in view:
        for prop, value in view[cid].items():
            setattr(component, prop, value)
    children = getattr(component, "children", None)
    if isinstance(children, list | tuple):
        for child in children:
            _apply(child, view)
    elif children is not None and hasattr(children, "to_plotly_json"):
        _apply(children, view)
    return component
