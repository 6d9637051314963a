"""``GET /api/v1/incidents``: the open incidents of the indicators a token reads, with who acknowledged them.

Read-only, for a province's console to show what its kabupaten/kota are dealing with: each incident
(``wallboard/alerts/incidents.py``) with its id, indicator, state, who acknowledged it and when, and
its regions (each with its state, peak, since, and its own acknowledgement).
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from wallboard.alerts import incidents
from wallboard.web.api import tokens


def incidents_answer(runtime: Any, who: tokens.Caller) -> dict[str, Any]:
    config = runtime.config
    directions = {i.id: i.direction for i in config.indicators}
    found = [n for n in incidents.open_incidents(runtime.store.engine, directions) if who.entry.reads(n.indicator)]
    return {"api": "v1", "site": {"name": config.site.name, "region": config.site.region},
            "incidents": [{**n.as_json(), "site": config.site.region} for n in found]}


def register(app: Any, runtime: Any) -> None:
    def incidents() -> Response:
        who = tokens.caller(runtime, "incidents")
        if isinstance(who, Response):
            return who
        tokens.note(runtime, who.name, "incidents", "read")
        return jsonify(incidents_answer(runtime, who))

    app.server.add_url_rule("/api/v1/incidents", "api_v1_incidents", incidents, methods=["GET"])
