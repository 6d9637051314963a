"""``GET /api/v1/indicators`` and ``GET /api/v1/indicators/<id>/readings?since=CURSOR``: what a peer reads.

The first is each shared indicator's latest figure per region (value, period, time, unit, state and
thresholds); the second its readings in order, a page at a time, each page ending with the cursor
to ask for the next (``wallboard/store/federation.py``). A token sees only the indicators it lists:
any other id is a 403 whether it exists or not, so a token learns nothing about what it may not read.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Response, jsonify, request

from wallboard.indicators import threshold_state
from wallboard.store import federation as fed
from wallboard.web.api import tokens
from wallboard.web.api.states import region_states

DEFAULT_PAGE = 1000


def _iso(ts: int, zone: Any) -> str:
    return datetime.fromtimestamp(ts, zone).isoformat()


def shared(config: Any, caller: tokens.Caller) -> list[Any]:
    return [i for i in config.indicators if caller.entry.reads(i.id)]


def describe(config: Any, indicator: Any) -> dict[str, Any]:
    t = indicator.thresholds
    return {
        "id": indicator.id, "label": indicator.label.text(config.site.locale), "unit": indicator.unit,
        "aggregate": indicator.aggregate, "direction": indicator.direction,
        "thresholds": {"warning": t.warning if t else None, "critical": t.critical if t else None},
        "stale_after": int(config.stale_after(indicator.id).total_seconds()),
    }


def indicators_answer(runtime: Any, caller: tokens.Caller) -> dict[str, Any]:
    config = runtime.config
    chosen = shared(config, caller)
    latest = runtime.store.latest([i.id for i in chosen])
    now = datetime.now(UTC)
    states = region_states(runtime, chosen, latest, now)
    zone = config.site.zone
    out = []
    for indicator in chosen:
        regions = [{
            "region": row.region, "value": row.value, "period": row.period, "ts": row.ts, "time": _iso(row.ts, zone),
            "previous": row.prev_value,
            "state": states[indicator.id].get(row.region) or threshold_state(row.value, indicator),
        } for row in sorted(latest[indicator.id], key=lambda r: r.region)]
        out.append({**describe(config, indicator), "regions": regions})
    return {"api": "v1", "site": {"name": config.site.name, "region": config.site.region,
                                   "timezone": config.site.timezone},
            "now": now.astimezone(zone).isoformat(), "indicators": out}


def readings_answer(runtime: Any, indicator: Any, since: str | None, limit: int) -> tuple[dict[str, Any], int]:
    engine = runtime.store.engine
    after = None
    if since:
        try:
            after = fed.Cursor.decode(since)
        except fed.BadCursor:
            return {"error": "bad_cursor", "message": "cursor tidak dapat dibaca; mulai lagi tanpa since"}, 400
        if not fed.known(engine, indicator.id, after):
            return {"error": "cursor_unknown",
                    "message": "cursor tidak dikenal lagi (retensi sudah lewat); mulai lagi dari pembacaan tertua"}, 410
    rows, following, more = fed.readings_after(engine, indicator.id, after, limit)
    zone = runtime.config.site.zone
    cursor = following.encode() if following is not None else since
    return {
        "indicator": indicator.id, "unit": indicator.unit, "region": runtime.config.site.region,
        "readings": [{"region": r.region, "ts": r.ts, "time": _iso(r.ts, zone), "value": r.value, "period": r.period}
                     for r in rows],
        "cursor": cursor, "more": more,
    }, 200


def register(app: Any, runtime: Any) -> None:
    server = app.server

    def list_indicators() -> Response:
        who = tokens.caller(runtime, "indicators")
        if isinstance(who, Response):
            return who
        tokens.note(runtime, who.name, "indicators", "read")
        return jsonify(indicators_answer(runtime, who))

    def list_readings(indicator_id: str) -> Response:
        who = tokens.caller(runtime, "readings")
        if isinstance(who, Response):
            return who
        indicator = next((i for i in runtime.config.indicators if i.id == indicator_id), None)
        if indicator is None or not who.entry.reads(indicator_id):
            tokens.note(runtime, who.name, "readings", "forbidden", indicator_id[:64])
            return tokens.refuse(403, "forbidden", "token ini tidak boleh membaca indikator itu")
        try:
            limit = int(request.args.get("limit", DEFAULT_PAGE))
        except ValueError:
            return tokens.refuse(400, "bad_limit", "limit harus bilangan bulat")
        body, status = readings_answer(runtime, indicator, request.args.get("since"), limit)
        tokens.note(runtime, who.name, "readings", "read" if status == 200 else "refused",
                    f"{indicator_id} {body.get('error', '')}".strip())
        response = jsonify(body)
        response.status_code = status
        return response

    server.add_url_rule("/api/v1/indicators", "api_v1_indicators", list_indicators, methods=["GET"])
    server.add_url_rule("/api/v1/indicators/<indicator_id>/readings", "api_v1_readings", list_readings,
                        methods=["GET"])
