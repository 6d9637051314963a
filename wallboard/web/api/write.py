"""``POST /api/v1/readings``: readings pushed by a kabupaten that cannot be reached (behind NAT).

The same tokens as reading: the entry must name the ``region`` its holder speaks for, and every
reading must be of an indicator the token lists and for a code inside that region, or the whole
push is refused (403 for another region's codes or another indicator, 422 for garbage) and nothing
of it is stored. A kabupaten can never write another's codes. Accepted readings are written like a
collector's batch (same key, so a push sent twice is stored once) and recorded as a run of the
pseudo-source ``push-<token name>``, which moves the data version: the walls redraw, the alerts judge.

Body: ``{"indicator": "kasus_dbd", "readings": [{"region", "ts", "value", "period"}, ...]}``
(one indicator per request; the pusher sends a page per indicator).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from flask import Response, jsonify, request

from wallboard.records import Batch
from wallboard.sources.peers import PageRefused, inside, readings
from wallboard.store.runs import Run
from wallboard.web.api import tokens

log = logging.getLogger(__name__)
MAX_BODY = 8_000_000


def _forbidden(runtime: Any, who: tokens.Caller, detail: str, message: str) -> Response:
    tokens.note(runtime, who.name, "push", "forbidden", detail)
    log.warning("api: push from %s refused: %s", who.name, detail)
    return tokens.refuse(403, "forbidden", message)


def accept(runtime: Any, who: tokens.Caller) -> Response:
    entry = who.entry
    if not entry.region:
        return _forbidden(runtime, who, "token has no region", "token ini hanya untuk membaca (tanpa region:)")
    if (request.content_length or 0) > MAX_BODY:
        tokens.note(runtime, who.name, "push", "refused", "body too large")
        return tokens.refuse(413, "too_large", f"kiriman terlalu besar (paling banyak {MAX_BODY} byte)")
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("indicator"), str):
        tokens.note(runtime, who.name, "push", "refused", "not the API's JSON")
        return tokens.refuse(422, "bad_body", "kiriman bukan JSON {indicator, readings}")
    indicator = body["indicator"]
    if not entry.reads(indicator) or indicator not in {i.id for i in runtime.config.indicators}:
        return _forbidden(runtime, who, f"indicator {indicator[:64]}", "token ini tidak boleh menulis indikator itu")
    items = body.get("readings")
    if isinstance(items, list):
        outside = next((i.get("region") for i in items if isinstance(i, dict) and isinstance(i.get("region"), str)
                        and not inside(i["region"], entry.region)), None)
        if outside is not None:
            return _forbidden(runtime, who, f"code {str(outside)[:20]} outside {entry.region}",
                              f"kode wilayah {str(outside)[:20]} di luar wilayah {entry.region} milik pengirim")
    try:
        batch = Batch(readings=readings(items, indicator, entry.region))
    except PageRefused as exc:
        tokens.note(runtime, who.name, "push", "refused", str(exc)[:200])
        return tokens.refuse(422, "refused", f"ditolak, tidak ada yang disimpan: {exc}")
    started = datetime.now(UTC)
    stored = runtime.store.write(f"push-{who.name}", batch) if batch.readings else 0
    run = Run(f"push-{who.name}"[:64], started, datetime.now(UTC), True, stored, 0, None)
    runtime.store.record_run(run)
    runtime.hub.notify()
    alerts = getattr(runtime, "alerts", None)
    if alerts is not None:
        alerts.notify(run)
    tokens.note(runtime, who.name, "push", "write", f"{indicator} {stored}")
    return jsonify({"stored": stored})


def register(app: Any, runtime: Any) -> None:
    def push() -> Response:
        who = tokens.caller(runtime, "push")
        if isinstance(who, Response):
            return who
        return accept(runtime, who)

    app.server.add_url_rule("/api/v1/readings", "api_v1_push", push, methods=["POST"])
