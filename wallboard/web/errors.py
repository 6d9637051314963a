"""Error answers: 404 for what does not exist, and never a stack trace or file content.

Dash serves its index page for any path (the browser then asks the page router for a layout),
so without a check every address answers 200. Here a GET that only Dash's catch-all would serve
is matched against the registered pages first, and a page whose path variable names nothing in
the config in force (``/wall/nope``) is a 404 as well. Errors render a page in the site's language
that links back to the screens.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import dash
from flask import Response, g, has_request_context, request
from werkzeug.exceptions import HTTPException

from wallboard.auth import principal
from wallboard.i18n import translator
from wallboard.web.pages import render

log = logging.getLogger(__name__)
t = translator("errors")
CATCH_ALL = ("/", "/<path:path>")  # Dash's index and catch-all endpoints
# Page name -> does the thing its path variables name exist? Other features add their pages here.
EXISTS: dict[str, Callable[..., bool]] = {
    "wall": lambda runtime, screen_id="", **_: runtime.config.screen(screen_id) is not None,
}
TEXTS = {
    400: ("Bad request", "The form has expired or was not sent from this page. Go back, reload and try again."),
    401: ("Sign in required", "Sign in to open this page."),
    403: ("Not allowed", "Your account may not open this page."),
    404: ("Page not found", "There is nothing at this address."),
    405: ("Not allowed", "This address does not take that kind of request."),
    429: ("Too many attempts", "Too many attempts from here. Wait a few minutes and try again."),
    500: ("Something went wrong", "The server could not answer this request; the error has been logged."),
}


WALL_COOKIE = "wb_wall"  # the wall this browser last showed (set by the access guard)
RETURN_AFTER = 20  # seconds before an error page sends a wall screen back to its wall
_WALL_PATH = re.compile(r"^/wall/[A-Za-z0-9_-]+$")
_WALL_QUERY = re.compile(r"^(display=\d+,\d+|page=\d+)(&(display=\d+,\d+|page=\d+))?$")


def is_wall_path(path: str) -> bool:
    return bool(_WALL_PATH.match(path))


def wall_to_return_to(runtime: Any) -> str | None:
    """Where an error page sends a wall screen back to, or None for a person at a desk.

    A wall screen is a kiosk (display token), an operator or, without ``users:``, anyone; it goes
    back to the wall it last showed (the ``wb_wall`` cookie), a kiosk without one to the first
    screen. Supervisors and admins stay on the page to read it.
    """
    if not has_request_context():
        return None
    config = runtime.config
    # An unknown address is answered before the access guard has looked at the cookies.
    user = g.user if "user" in g else principal(runtime, request.cookies)
    if config.users and user is not None and not user.kiosk and user.may("supervisor"):
        return None
    remembered = request.cookies.get(WALL_COOKIE, "")
    path, _, query = remembered.partition("?")
    if is_wall_path(path) and config.screen(path.rsplit("/", 1)[1]) is not None and (
            not query or _WALL_QUERY.match(query)):
        return remembered
    if user is not None and user.kiosk and config.screens:
        return f"/wall/{config.screens[0].id}"
    return None


def error_page(runtime: Any, status: int) -> Response:
    config = runtime.config
    loc = config.site.locale
    heading, message = TEXTS.get(status, TEXTS[500] if status >= 500 else TEXTS[400])
    screens = [(s.id, s.title.text(loc) if s.title else s.id) for s in config.screens] if status == 404 else []
    body = render("error.html", locale=loc, site=config.site.name, title=t(loc, heading), heading=t(loc, heading),
                  message=t(loc, message), screens=screens, screens_label=t(loc, "Screens:"),
                  home_label=t(loc, "Back to the list of screens"), back=wall_to_return_to(runtime),
                  back_after=RETURN_AFTER, back_label=t(loc, "This screen returns to its wall in {n} seconds.",
                                                         n=RETURN_AFTER))
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Cookie realm="wallboard"'
    return response


def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(<[^>]+>)", template.rstrip("/") or "/")
    pattern = "".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("<") else re.escape(p) for p in parts)
    return re.compile(f"^{pattern}/?$")


def page_exists(runtime: Any, path: str) -> bool:
    """Is ``path`` a registered Dash page whose variables name something in the config in force?"""
    for page in dash.page_registry.values():
        template = page.get("path_template")
        if template:
            match = _template_regex(template).match(path)
            variables = match.groupdict() if match else None
        else:
            variables = {} if path.rstrip("/") == (page.get("path") or "").rstrip("/") else None
        if variables is None:
            continue
        check = EXISTS.get(page.get("module", ""))
        return check is None or bool(check(runtime, **variables))
    return False


def register(app: Any, runtime: Any) -> None:
    server = app.server

    @server.before_request
    def _unknown_page() -> Response | None:
        rule = request.url_rule
        if request.method == "GET" and (rule is None or rule.rule in CATCH_ALL) and not page_exists(
            runtime, request.path
        ):
            return error_page(runtime, 404)
        return None

    @server.errorhandler(Exception)
    def _error(exc: Exception) -> Response:
        if isinstance(exc, HTTPException):
            return error_page(runtime, exc.code or 500)
        if request.path.startswith("/_dash-component-suites/"):
            # A malformed or unknown asset name: say so in one line, not a 3 KB traceback per request.
            log.warning("404 %s: %s", request.path[:200], type(exc).__name__)
            return error_page(runtime, 404)
        log.error("500 %s %s: %s", request.method, request.path[:200], type(exc).__name__, exc_info=exc)
        return error_page(runtime, 500)
