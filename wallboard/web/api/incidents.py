"""``GET /api/v1/incidents``: the open alerts of the indicators a token reads, with who acknowledged them.

Read-only, for a province's console to show what its kabupaten/kota are dealing with. Built on
today's alerts (``wallboard/alerts/repo.py``); kept in this one module so it can be pointed at the
incidents model (issue 21) when that lands, without the API's shape changing.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from wallboard.alerts.repo import AlertRepo
from wallboard.web.api import tokens


def incidents_answer(runtime: Any, who: tokens.Caller) -> dict[str, Any]:
    config = runtime.config
    alerts = [a for a in AlertRepo(runtime.store.engine).open_alerts() if who.entry.reads(a.indicator)]
    return {"api": "v1", "site": {"name": config.site.name, "region": config.site.region},
            "incidents": [{**a.as_json(), "site": config.site.region} for a in alerts]}


def register(app: Any, runtime: Any) -> None:
    def incidents() -> Response:
        who = tokens.caller(runtime, "incidents")
        if isinstance(who, Response):
            return who
        tokens.note(runtime, who.name, "incidents", "read")
        return jsonify(incidents_answer(runtime, who))

    app.server.add_url_rule("/api/v1/incidents", "api_v1_incidents", incidents, methods=["GET"])
