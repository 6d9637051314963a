"""The Dash app: ``/`` lists the screens, ``/wall/<screen_id>`` shows one (its stream: ``serve/streams.py``).

This module only assembles: each audience's pages register themselves (``wall``, ``drill``,
``console``, ``admin``, ``access``). Pages are laid out on the server with the hub's current view
already applied, so the first paint shows real figures; afterwards the browser's ``wall.js``
applies the hub's pushed deltas with ``dash_clientside.set_props``: no polling callbacks at all.
"""

from __future__ import annotations

from html import escape as html_escape
from typing import Any

import dash
from dash import Dash, dcc, html
from flask import Response, jsonify

from wallboard.cameras import routes as cameras
from wallboard.i18n import translator
from wallboard.live import Hub
from wallboard.secrets import mask_text
from wallboard.web import api, drill, errors
from wallboard.web.access import guard, login, security
from wallboard.web.admin import health as health_page
from wallboard.web.admin import page as admin
from wallboard.web.console import page as console
from wallboard.web.serve import caching, metrics
from wallboard.web.wall import first, replay
from wallboard.web.wall.page import ASSETS, wall_page

t = translator("wall")


class WallDash(Dash):
    """Dash whose page ``<title>`` is the site name in force, escaped: Dash writes ``title`` into
    the index page as it is, and keeps the value given at start, which a reload could not change."""

    site_name: Any = None
    metas: Any = None  # more <meta> for the page being served (the wall's stream: wall/first.py)

    @property
    def title(self) -> str:  # type: ignore[override]
        return html_escape(self.site_name() if self.site_name else "")

    @title.setter
    def title(self, _value: str) -> None:
        pass

    def interpolate_index(self, **kwargs: Any) -> str:
        """Dash's index page, with this request's own ``<meta>`` (Dash's ``meta_tags`` are fixed at start)."""
        if self.metas is not None:
            kwargs["metas"] = kwargs.get("metas", "") + self.metas()
        return super().interpolate_index(**kwargs)


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
    app.metas = lambda: first.stream_meta(runtime.config)

    def home_layout(**_: Any) -> Any:
        config = runtime.config
        locale = config.site.locale
        return html.Main(
            className=f"home theme-{config.site.theme}", lang=locale,
            children=[
                html.H1(config.site.name),
                html.Ul([_screen_item(s, locale) for s in config.screens]),
                html.Nav(_home_links(config, locale), className="home-links"),
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

    def root_layout() -> Any:
        """The page container; asked for by a wall page, already holding that wall (wall/first.py)."""
        container = first.routed_layout(lambda path: guard.may_lay_out(runtime, path), wall_layout, site_title)
        return html.Div(container, id="app-root")

    app.layout = root_layout

    server = app.server
    console.register(app, runtime)

    @server.route("/favicon.ico")
    def favicon() -> Response:
        """The icon shipped in the package (browsers ask for it whatever the page says)."""
        response = Response((ASSETS / "favicon.ico").read_bytes(), mimetype="image/x-icon")
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response

    @server.route("/api/health")
    def health() -> Response:
        problems = [mask_text(p)[:300] for p in runtime.last_reload_problems]
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
    guard.register(app, runtime)
    login.register(app, runtime)
    security.register(app, runtime)
    health_page.register(app, runtime)
    admin.register(app, runtime)
    metrics.register(app, runtime)
    caching.register(app, runtime)
    api.register(app, runtime)
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


def _home_links(config: Any, locale: str) -> list:
    """The pages beyond the walls this viewer may open: the alert console (everyone signed in),
    administration (admins), and signing out. Without ``users:`` (this machine only) all of them
    open and there is no one to sign out."""
    from flask import g, has_request_context

    user = getattr(g, "user", None) if has_request_context() else None
    open_site = not config.users
    links = []
    if open_site or user is not None:
        links.append(html.A(t(locale, "Alert console"), href="/console", className="home-link"))
    if open_site or (user is not None and user.may("admin")):
        links.append(html.A(t(locale, "Administration"), href="/admin", className="home-link"))
    if user is not None:
        links.append(html.A(t(locale, "Sign out"), href="/logout", className="home-link"))
    return links


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
