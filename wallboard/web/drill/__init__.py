"""Drill-down pages for supervisors: ``/panel/<panel_id>`` and its CSV/XLSX exports.

Server-rendered HTML (Jinja, autoescaped: titles from outside systems stay text) with Plotly
figures drawn by plotly.js, served from the installed plotly package (no CDN, works offline). All
state lives in the query string, so links, back/forward and copied URLs just work without any
client-side router. Registered from ``create_app`` with one line: ``drill.register(app, runtime)``.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

import plotly
from flask import Blueprint, Response, render_template, request, send_file

from wallboard.web.drill import page
from wallboard.web.drill.export import XLSX_TYPE, to_csv, to_xlsx
from wallboard.web.errors import error_page

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
LOCALE_ID_JS = HERE.parent / "wall" / "assets" / "plotly-locale-id.js"


def register(app: Any, runtime: Any) -> None:
    """Add the drill routes to the Dash app's Flask server."""
    bp = Blueprint("drill", __name__, template_folder=str(HERE / "templates"), static_folder=str(HERE / "static"),
                   static_url_path="/panel/_static")

    def lookup(panel_id: str) -> Any:
        return page.find_panel(runtime.config, panel_id)

    def missing(_panel_id: str) -> Response:
        return error_page(runtime, 404)

    @bp.route("/panel/_static/plotly.min.js")
    def plotly_js() -> Response:
        return send_file(PLOTLY_JS, mimetype="text/javascript", max_age=86400)

    @bp.route("/panel/_static/plotly-locale-id.js")
    def plotly_locale_id() -> Response:
        """Plotly's Indonesian locale, the wall's own copy (web/wall/assets): no CDN."""
        return send_file(LOCALE_ID_JS, mimetype="text/javascript", max_age=86400)

    @bp.route("/panel/<panel_id>")
    @bp.route("/panel/<panel_id>/")
    def drill_page(panel_id: str) -> Any:
        panel = lookup(panel_id)
        if panel is None:
            return missing(panel_id)
        started = time.perf_counter()
        d = page.make(runtime, panel, request.args)
        if d.kind == "events":
            ctx = page.events_context(d)
        elif d.kind == "indicator":
            ctx = page.indicator_context(d)
        else:
            ctx = page.base_context(d)
        html = render_template("drill.html", **ctx)
        response = Response(html, mimetype="text/html")
        response.headers["Server-Timing"] = f"page;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response

    @bp.route("/panel/<panel_id>/export.<fmt>")
    def export(panel_id: str, fmt: str) -> Any:
        panel = lookup(panel_id)
        if panel is None or fmt not in ("csv", "xlsx"):
            return missing(panel_id)
        d = page.make(runtime, panel, request.args)
        if d.kind == "events":
            table, _ = page.events_table(d)
            digits = 0
        elif d.kind == "indicator":
            table = page.breakdown_table(d, page.indicator_rows(d))
            digits = page.breakdown.decimals(d.indicator)
        else:
            return missing(panel_id)
        stem = _filename(panel_id, d)
        if fmt == "csv":
            body, mimetype = to_csv(table), "text/csv; charset=utf-8"
        else:
            body, mimetype = to_xlsx(table, page.panel_title(d), digits), XLSX_TYPE
        return Response(body, mimetype=mimetype,
                        headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'})

    app.server.register_blueprint(bp)


def _filename(panel_id: str, d: Any) -> str:
    parts = [panel_id, d.state.range]
    if d.state.region:
        parts.append(d.state.region.replace(".", ""))
    return "-".join(parts).replace(os.sep, "")
