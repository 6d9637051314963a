"""The wall's first view without a request waterfall (issue 23, item 3).

Dash's page router lays a page out in a callback: the browser fetches the page, its scripts, then
``_dash-layout`` (an empty page container), and only when its ``dcc.Location`` reports the path
does it ask ``_dash-update-component`` for the page itself; ``wall.js`` then found ``#wall`` and
opened the stream. Three rounds after the scripts before the greeting (which carries every panel's
figures) could even be asked for. Here:

* ``_dash-layout`` asked for by a wall page carries that wall already (``routed_layout``): the
  page's path is the request's ``Referer`` (the page sends it: ``Referrer-Policy: same-origin``),
  and the ``Location`` holds that path, so it reports no change and the router is never called.
  The visitor is checked for the wall page exactly as the router's request would be
  (``guard.may_lay_out``); refused, or without a usable ``Referer``, the layout is Dash's own
  empty container and the router lays the page out as before.
* the wall page names its stream in a ``<meta>`` (``stream_meta``), so ``wall.js`` opens it as soon
  as it runs, in parallel with Dash's own requests, and holds the greeting until ``#wall`` is there.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from html import escape
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import dash
from flask import has_request_context, request

WALL = re.compile(r"^/wall/([^/]+)$")
STREAM_META = "wallboard-stream"


def referring_wall() -> tuple[str, str, str] | None:
    """``(pathname, search, href)`` of the wall page this ``_dash-layout`` request was sent from,
    or None: another page, another origin, no ``Referer``, or not a layout request at all (Dash
    also calls the layout once to validate it, on whatever request comes first)."""
    if not has_request_context() or request.path != "/_dash-layout" or not request.referrer:
        return None
    parts = urlsplit(request.referrer)
    if parts.netloc != request.host or not WALL.match(parts.path):
        return None
    return parts.path, f"?{parts.query}" if parts.query else "", request.referrer


def query(search: str) -> dict[str, Any]:
    """The page's query as the router passes it to a layout (one value, or a list when repeated)."""
    parsed = parse_qs(search.removeprefix("?"), keep_blank_values=True)
    return {k: v[0] if len(v) == 1 else v for k, v in parsed.items()}


def routed_layout(may_lay_out: Callable[[str], bool], wall_layout: Callable[..., Any],
                  title: Callable[[], str]) -> Any:
    """Dash's page container, holding the wall the request came from when its visitor may see it."""
    found = referring_wall()
    if found is None or not may_lay_out(found[0]):
        return dash.page_container
    pathname, search, href = found
    screen_id = unquote(WALL.match(pathname).group(1))  # type: ignore[union-attr]
    container = copy.deepcopy(dash.page_container)
    parts = {child.id: child for child in container.children}
    location = parts["_pages_location"]
    # Every prop the Location would otherwise fill from window.location on mount: filled, none changes,
    # so the router's callback (pathname, search) is not triggered.
    location.pathname, location.search, location.href, location.hash = pathname, search, href, ""
    parts["_pages_content"].children = wall_layout(screen_id=screen_id, **query(search))
    parts["_pages_store"].data = {"title": title()}  # what the router would have sent for the tab's title
    return container


def stream_meta(config: Any) -> str:
    """``<meta name="wallboard-stream">`` naming the stream of the live wall this page request is for
    (nothing for any other page, a replay or an unknown screen): wall.js opens it at once."""
    if not has_request_context() or "at" in request.args:
        return ""
    found = WALL.match(request.path)
    if found is None or config.screen(found.group(1)) is None:
        return ""
    url = "/api/stream/" + quote(found.group(1), safe="")
    return f'<meta name="{STREAM_META}" content="{escape(url)}">'
