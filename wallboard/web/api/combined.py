"""``GET /api/v1/readings?since=CURSOR&limit=N[&indicators=a,b]``: all shared indicators in one stream.

A province reading its kab/kota asks once per run instead of once per indicator: 514 kab/kota with 20
indicators each every 10 s is 10,280 requests per-indicator, 514 this way. The readings are each
indicator's in its change-log order (``store/federation.py``), indicator after indicator, every one
carrying its indicator id. Each indicator's change log is ordered by its own write counter, so the
cursor is the per-indicator cursors side by side (``id:cursor,id:cursor``, documented): a peer that
held per-indicator cursors joins them and carries on exactly where it stood, none missed, none twice.

The checks are those of ``/api/v1/indicators/<id>/readings``: an indicator the token does not read,
asked for by ``indicators=`` or named in the cursor, is a 403 whether it exists or not; a cursor that
cannot be read is a 400; one the wall no longer knows a 410 naming the indicators to start again.
The answer also tags the token's open incidents (``GET /api/v1/incidents``): a peer asks for those
only when the tag changed.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Response, jsonify, request

from wallboard.store import federation as fed
from wallboard.web.api import tokens
from wallboard.web.api.incidents import incidents_answer
from wallboard.web.api.read import DEFAULT_PAGE, _iso

ENDPOINT = "all_readings"  # its name in the audit log's detail and in /metrics


class Refused(Exception):
    """The request's answer is a refusal: status, error code, message (Bahasa Indonesia), detail."""

    def __init__(self, status: int, error: str, message: str, extra: dict[str, Any] | None = None):
        super().__init__(error)
        self.status, self.error, self.message, self.extra = status, error, message, extra or {}


FORBIDDEN = (403, "forbidden", "token ini tidak boleh membaca indikator itu")


def selected(runtime: Any, who: tokens.Caller, asked: str | None) -> list[str]:
    """The indicators to read: those named in ``indicators=`` (all must be the token's), else every
    one the token reads, in config order."""
    readable = [i.id for i in runtime.config.indicators if who.entry.reads(i.id)]
    if not asked:
        return readable
    ids = list(dict.fromkeys(x.strip() for x in asked.split(",") if x.strip()))
    if not ids or any(x not in readable for x in ids):
        raise Refused(*FORBIDDEN)
    return ids


def positions(runtime: Any, who: tokens.Caller, since: str | None,
              chosen: list[str]) -> tuple[dict[str, fed.Cursor | None], dict[str, str]]:
    """Each chosen indicator's position from ``since`` (None: from the oldest), and the cursor's
    other pairs, handed back unchanged (a peer may read a few of its indicators at a time)."""
    readable = {i.id for i in runtime.config.indicators if who.entry.reads(i.id)}
    try:
        pairs = fed.split_cursors(since) if since else {}
        if any(indicator not in readable for indicator in pairs):
            raise Refused(*FORBIDDEN)
        decoded = {indicator: fed.Cursor.decode(text) for indicator, text in pairs.items()}
    except fed.BadCursor:
        raise Refused(400, "bad_cursor", "cursor tidak dapat dibaca; mulai lagi tanpa since") from None
    chosen_at = {indicator: decoded.get(indicator) for indicator in chosen}
    gone = fed.unknown(runtime.store.engine, {k: v for k, v in chosen_at.items() if v is not None})
    if gone:
        raise Refused(410, "cursor_unknown", "cursor tidak dikenal lagi (retensi sudah lewat) untuk "
                      f"{', '.join(gone)}; mulai lagi dari pembacaan tertua indikator itu", {"indicators": gone})
    return chosen_at, {k: v for k, v in pairs.items() if k not in chosen_at}


def incidents_tag(runtime: Any, who: tokens.Caller) -> str:
    """A short tag of what ``GET /api/v1/incidents`` would answer this token now."""
    found = incidents_answer(runtime, who)["incidents"]
    return hashlib.sha256(json.dumps(found, sort_keys=True, default=str).encode()).hexdigest()[:16]


def answer(runtime: Any, who: tokens.Caller, args: Any) -> dict[str, Any]:
    try:
        limit = int(args.get("limit", DEFAULT_PAGE))
    except ValueError:
        raise Refused(400, "bad_limit", "limit harus bilangan bulat") from None
    chosen = selected(runtime, who, args.get("indicators"))
    at, others = positions(runtime, who, args.get("since"), chosen)
    rows, reached, more = fed.readings_after_each(runtime.store.engine, at, limit)
    cursors = {i: c.encode() for i in chosen if (c := reached.get(i) or at.get(i)) is not None}
    zone = runtime.config.site.zone
    return {
        "api": "v1", "region": runtime.config.site.region,
        "readings": [{"indicator": i, "region": r.region, "ts": r.ts, "time": _iso(r.ts, zone), "value": r.value,
                      "period": r.period} for i, r in rows],
        "cursor": fed.join_cursors({**cursors, **others}), "more": more,
        "incidents": incidents_tag(runtime, who),
    }


def register(app: Any, runtime: Any) -> None:
    def all_readings() -> Response:
        who = tokens.caller(runtime, ENDPOINT)
        if isinstance(who, Response):
            return who
        try:
            body = answer(runtime, who, request.args)
        except Refused as no:
            outcome = "forbidden" if no.status == 403 else "refused"
            tokens.note(runtime, who.name, ENDPOINT, outcome, no.error)
            response = jsonify({"error": no.error, "message": no.message, **no.extra})
            response.status_code = no.status
            return response
        tokens.note(runtime, who.name, ENDPOINT, "read", f"{len(body['readings'])} pembacaan")
        return jsonify(body)

    app.server.add_url_rule("/api/v1/readings", "api_v1_all_readings", all_readings, methods=["GET"])
