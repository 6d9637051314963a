"""The Dash app: ``/`` lists the screens, ``/wall/<screen_id>`` shows one (its stream: ``streams.py``).

Pages are laid out on the server with the hub's current view already applied, so the first paint
shows real figures; afterwards the browser's ``wall.js`` applies the hub's pushed deltas with
``dash_clientside.set_props``. Live updates therefore need no polling callbacks at all.
"""

from __future__ import annotations

from html import escape as html_escape
from pathlib import Path
from typing import Any

import dash
from dash import Dash, dcc, html
from flask import Response, jsonify

from wallboard import auth
from wallboard.cameras import routes as cameras
from wallboard.i18n import translator
from wallboard.live import Hub
from wallboard.panels.base import frame
from wallboard.web import admin, console, drill, errors, metrics, replay, security
from wallboard.web import health as health_page

ASSETS = Path(__file__).parent / "assets"
t = translator("wall")


class WallDash(Dash):
    """Dash whose page ``<title>`` is the site name in force, escaped: Dash writes ``title`` into
    the index page as it is, and keeps the value given at start, which a reload could not change."""

    site_name: Any = None

    @property
    def title(self) -> str:  # type: ignore[override]
        return html_escape(self.site_name() if self.site_name else "")

    @title.setter
    def title(self, _value: str) -> None:
        pass


def create_app(runtime: Any) -> Dash:
    hub: Hub = runtime.hub
    app = WallDash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=str(ASSETS),
        title=runtime.config.site.name,
        update_title=None,
        suppress_callback_exceptions=True,
        serve_locally=True,
    )
    app.site_name = lambda: runtime.config.site.name

    def home_layout(**_: Any) -> Any:
        config = runtime.config
        locale = config.site.locale
        return html.Main(
            className=f"home theme-{config.site.theme}", lang=locale,
            children=[
                html.H1(config.site.name),
                html.Ul([_screen_item(s, locale) for s in config.screens]),
            ],
        )

    def wall_layout(screen_id: str | None = None, **query: Any) -> Any:
        config = runtime.config
        # Dash lets a query parameter override a path variable (/wall/utama?screen_id=tren would
        # show tren): the screen is taken from the path the router was asked for.
        screen_id = _path_screen(screen_id)
        screen = config.screen(screen_id or "")
        if screen is None:
            return html.Main(t(config.site.locale, "Screen {screen} is not in config.yaml", screen=repr(screen_id)),
                             className="home theme-dark", lang=config.site.locale)
        if "at" in query:
            return replay.replay_page(runtime, screen, query)
        return wall_page(runtime, screen, query)

    def site_title(**_: Any) -> str:
        return runtime.config.site.name

    dash.register_page("home", path="/", layout=home_layout, title=site_title)
    dash.register_page("wall", path_template="/wall/<screen_id>", layout=wall_layout, title=site_title)
    app.layout = html.Div(dash.page_container, id="app-root")

    server = app.server
    console.register(app, runtime)

    @server.route("/api/health")
    def health() -> Response:
        problems = list(runtime.last_reload_problems)
        if runtime.config.users and not _is_admin():
            problems = ["(sign in as admin to see the problems)"] if problems else []
        return jsonify({
            "version": hub.version_tag,
            "data_version": hub.snapshot.version if hub.snapshot else None,
            "config": {"digest": runtime.loaded.digest, "problems": problems},
            "hub": hub.stats(),
            "cameras": cameras.health_summary(runtime),
        })

    drill.register(app, runtime)
    cameras.register(app, runtime)
    errors.register(app, runtime)
    auth.register(app, runtime)
    security.register(app, runtime)
    health_page.register(app, runtime)
    admin.register(app, runtime)
    metrics.register(app, runtime)
    return app


def _is_admin() -> bool:
    from flask import g

    user = getattr(g, "user", None)
    return user is not None and user.may("admin")


def _path_screen(fallback: str | None) -> str | None:
    """The ``<screen_id>`` of the pathname Dash's router was called with, when inside its callback."""
    try:
        pathname = dash.callback_context.inputs.get("_pages_location.pathname")
    except Exception:  # noqa: BLE001 - outside a callback there is no context
        return fallback
    if isinstance(pathname, str) and pathname.startswith("/wall/"):
        return pathname.removeprefix("/wall/").strip("/") or fallback
    return fallback


def wall_page(runtime: Any, screen: Any, query: dict[str, Any], current: dict[str, Any] | None = None) -> html.Div:
    """The wall: a canvas as large as the whole video wall, of which this window shows one display.

    ``?display=x,y`` picks the display (column, row from the top left); the canvas is
    ``cols x rows`` windows plus the bezel gaps, shifted so the requested part fills the window.
    Every page of a rotating screen is in the DOM; wall.js shows one at a time, in step on every
    display because it counts pages on the server's clock. ``?page=n`` pins one page.
    """
    hub: Hub = runtime.hub
    config = runtime.config
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
            children=[_apply(frame(by_id[p.id]), current) for p in page if p.id in by_id],
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
            _banner(config.site.locale),
        ],
        **{"data-screen": screen.id, "data-link": "live", "data-version": hub.version_tag,
           "data-displays": f"{cols},{rows}", "data-display": f"{dx},{dy}", "data-pages": len(pages),
           "data-page": first, "data-rotate": rotate, "data-locale": config.site.locale},
    )


def _screen_item(screen: Any, locale: str) -> html.Li:
    """A screen's link and, on a video wall, one link per display to open on each of its PCs."""
    name = screen.title.text(locale) if screen.title else screen.id
    cols, rows = screen.displays
    if cols * rows == 1:
        return html.Li(dcc.Link(name, href=f"/wall/{screen.id}"))
    return html.Li([
        dcc.Link(name, href=f"/wall/{screen.id}"),
        html.Ul([html.Li(dcc.Link(t(locale, "display {x},{y}", x=x, y=y), href=f"/wall/{screen.id}?display={x},{y}"))
                 for y in range(rows) for x in range(cols)]),
    ])


def _banner(locale: str) -> html.Div:
    """Reconnecting: a lost link being retried. Offline: how old the figures on screen are (wall.js)."""
    before, _, after = t(locale, "Server unreachable. Figures on screen were last received at {time} — "
                                 "still trying to reconnect.").partition("{time}")
    return html.Div(
        id="wall-banner", className="wall-banner", role="alert",
        children=[
            html.Span(t(locale, "Connection to the server lost. Figures may be out of date — reconnecting…"),
                      className="banner-reconnecting"),
            html.Span([before, html.Span("–", id="wall-banner-since"), after], className="banner-offline"),
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
