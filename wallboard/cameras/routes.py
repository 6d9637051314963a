"""The server's camera routes: walls' health reports, the credential relay, and hls.js.

``POST /api/cameras/report``  a wall's states of the cameras it shows: ``{"cameras": [{"key":
    "utama/cctv", "state": "playing|stalled|error", "since": epoch_ms}]}``. Small by design
    (at most ``MAX_BODY`` bytes, ``MAX_CAMERAS`` items) and idempotent, so a wall simply repeats it.
``GET /api/cameras``  what the server knows: the freshest report per camera, cameras down first.
``GET /api/cameras/feed/<key>``  a ``proxy: true`` camera's snapshot or MJPEG, relayed.
``GET /api/cameras/hls.js``  the hls.js shipped in the package (walls run on closed networks),
    served here rather than from Dash's assets so only walls that play HLS ever load it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from apscheduler.triggers.interval import IntervalTrigger
from flask import Response, jsonify, request, send_file

from wallboard.cameras.catalog import cameras_in
from wallboard.cameras.health import BOARD, STATES
from wallboard.cameras.probe import EVERY_SECONDS, JOB_ID, probe_all
from wallboard.cameras.relay import CHUNK, SNAPSHOT_LIMIT, upstream
from wallboard.secrets import MissingVariable, mask_text

log = logging.getLogger(__name__)
VENDOR = Path(__file__).parent / "vendor"
MAX_BODY = 32 * 1024
MAX_CAMERAS = 256
RELAY_TIMEOUT = 10.0


def _error(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


def health_summary(runtime: Any) -> dict[str, Any]:
    """For ``/api/health``: cameras configured, reported, and the ones down (label, since, by whom)."""
    refs = cameras_in(runtime.config)
    current = BOARD.current()
    down = [r for r in BOARD.down() if r.key in refs]
    return {
        "configured": len(refs),
        "reported": sum(1 for k in current if k in refs),
        "down": [{"key": r.key, "label": refs[r.key].label, "since": int(r.since * 1000), "by": r.by,
                  "detail": r.detail} for r in down],
    }


def camera_report(runtime: Any) -> Response:
    """A wall's report of the cameras it shows; unknown keys and states are skipped, not refused."""
    if (request.content_length or 0) > MAX_BODY:
        return _error(413, "report too large")
    body = request.get_json(silent=True)
    items = body.get("cameras") if isinstance(body, dict) else None
    if not isinstance(items, list) or len(items) > MAX_CAMERAS:
        return _error(400, 'expected {"cameras": [{"key": ..., "state": "playing|stalled|error"}]}')
    known = cameras_in(runtime.config)
    now = time.time()
    accepted = changed = 0
    for item in items:
        if not isinstance(item, dict) or item.get("key") not in known or item.get("state") not in STATES:
            continue
        since = item.get("since")
        since_s = since / 1000 if isinstance(since, int | float) and not isinstance(since, bool) else None
        changed += BOARD.put(item["key"], item["state"], since_s, by="wall", now=now)
        accepted += 1
    if changed:
        runtime.hub.notify()
    return jsonify({"accepted": accepted})


def camera_list(runtime: Any) -> Response:
    refs = cameras_in(runtime.config)
    reports = BOARD.current()
    order = {"error": 0, "stalled": 1, "playing": 2}
    rows = [{"key": k, "label": ref.label, "state": reports[k].state if k in reports else None,
             "since": int(reports[k].since * 1000) if k in reports else None,
             "by": reports[k].by if k in reports else None} for k, ref in refs.items()]
    rows.sort(key=lambda r: (order.get(r["state"], 3), r["key"]))
    return jsonify({"cameras": rows})


def hls_js() -> Response:
    return send_file(VENDOR / "hls.min.js", mimetype="text/javascript", max_age=86400)


def camera_feed(runtime: Any, key: str) -> Response:
    """A ``proxy: true`` camera's answer, relayed: an MJPEG stream as it comes, a snapshot whole."""
    ref = cameras_in(runtime.config).get(key)
    if ref is None or not ref.proxy:
        return _error(404, "no relayed camera under this name")
    stack = ExitStack()
    try:
        upstream_response = stack.enter_context(upstream(ref.url, True, 5.0, read_timeout=RELAY_TIMEOUT))
    except (httpx.HTTPError, MissingVariable, ValueError) as exc:
        stack.close()
        message = mask_text(f"camera not reachable: {type(exc).__name__}: {exc}").splitlines()[0][:300]
        log.warning("relay %s: %s", key, message)
        return _error(502, message)
    if upstream_response.status_code >= 400:
        stack.close()
        return _error(502, f"camera answered HTTP {upstream_response.status_code}")
    content_type = upstream_response.headers.get("content-type", "application/octet-stream")
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    if content_type.lower().startswith("multipart/"):
        return Response(_relay(upstream_response, stack), content_type=content_type, headers=headers,
                        direct_passthrough=True)
    return _snapshot(upstream_response, stack, content_type, headers)


def _relay(upstream_response: httpx.Response, stack: ExitStack) -> Iterator[bytes]:
    try:
        yield from upstream_response.iter_raw(CHUNK)
    except httpx.HTTPError:
        return  # the camera stopped mid-stream; the wall sees the stall and reconnects
    finally:
        stack.close()


def _snapshot(upstream_response: httpx.Response, stack: ExitStack, content_type: str,
              headers: dict[str, str]) -> Response:
    try:
        data = b""
        for chunk in upstream_response.iter_raw(CHUNK):
            data += chunk
            if len(data) > SNAPSHOT_LIMIT:
                return _error(502, "camera answer too large for a snapshot")
    except httpx.HTTPError as exc:
        return _error(502, mask_text(f"camera stopped answering: {type(exc).__name__}").splitlines()[0])
    finally:
        stack.close()
    return Response(data, content_type=content_type, headers=headers)


def register(app: Any, runtime: Any) -> None:
    server = app.server
    server.add_url_rule("/api/cameras/report", "camera_report", lambda: camera_report(runtime), methods=["POST"])
    server.add_url_rule("/api/cameras", "camera_list", lambda: camera_list(runtime))
    server.add_url_rule("/api/cameras/hls.js", "hls_js", hls_js)
    server.add_url_rule("/api/cameras/feed/<path:key>", "camera_feed", lambda key: camera_feed(runtime, key))

    # Always scheduled: probe: true may arrive with a config reload, and a round with none costs nothing.
    def probe_round() -> None:
        if probe_all(runtime.config):
            runtime.hub.notify()

    runtime.scheduler.scheduler.add_job(
        probe_round, IntervalTrigger(seconds=EVERY_SECONDS), id=JOB_ID, name=JOB_ID, replace_existing=True,
        next_run_time=datetime.now(UTC) + timedelta(seconds=5),
    )
