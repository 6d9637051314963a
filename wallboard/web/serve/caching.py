"""Scripts and styles cached by the browser for good: a wall PC fetches Plotly once, not per reload.

A wall PC reloads itself every day (``reload_at``) and after every config change; without a cache
header each reload asked for the renderer, React and Plotly again (Dash answers its fingerprinted
component suites with ``max-age`` only, and ``/assets`` files with an ETag, so every reload still
costs one conditional request per file before the first paint). Both kinds of URL name their
version: Dash's component suites carry a fingerprint in the file name (``dcc.v4_0_0m1712345.js``),
and Dash writes ``/assets`` files into the page with their modification time (``wall.js?m=1712345``).
A changed file gets a new URL, so the old one may be kept forever: ``public, max-age=31536000,
immutable`` (``immutable``: not even revalidated on a reload). Anything else (pages, the layout,
an asset asked for without its version) is left as it was.
"""

from __future__ import annotations

from typing import Any

from dash import dcc
from dash.fingerprint import check_fingerprint
from flask import Response, request

FOREVER = "public, max-age=31536000, immutable"
SUITES = "/_dash-component-suites/"
ASSETS = "/assets/"
# What a chart needs, loaded by dcc on demand unless the page names it: the Graph component's chunk
# and Plotly itself. Asked for by the dcc bundle once it runs, they were a second round of requests
# after the page's scripts (a waterfall), under unversioned URLs (revalidated on every reload).
CHARTS = ("dcc/async-graph.js", "package_data/plotly.min.js")


def versioned(path: str, query: dict[str, str]) -> bool:
    """True when the URL names the file's version, so its content never changes under it."""
    if path.startswith(SUITES):
        return check_fingerprint(path)[1]
    return path.startswith(ASSETS) and bool(query.get("m"))


def charts_with_the_page() -> None:
    """The chart scripts become ordinary script tags of the page, fingerprinted like the rest:
    fetched in parallel with dcc's bundle, cached for good (dcc finds ``window.Plotly`` and the
    Graph chunk already registered, and loads neither). The other lazy chunks of dcc (markdown,
    MathJax: 2 MB) stay lazy: no wall uses them. Called before the app first renders its index."""
    for resource in dcc._js_dist:  # noqa: SLF001 - Dash's own resource table is the only switch
        if resource.get("relative_package_path") in CHARTS:
            resource["async"] = False


def register(app: Any, _runtime: Any = None) -> None:
    charts_with_the_page()

    @app.server.after_request
    def cache_versioned(response: Response) -> Response:
        if response.status_code == 200 and request.method in ("GET", "HEAD") and versioned(request.path, request.args):
            response.headers["Cache-Control"] = FOREVER
            response.headers.pop("Expires", None)
        return response
