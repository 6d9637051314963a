"""Security headers on every answer, with a Content-Security-Policy the wall itself passes.

Dash's index page carries a few inline scripts (the renderer start, clientside callbacks); rather
than allow every inline script, each HTML answer's own inline scripts are hashed into
``script-src``. Styles keep ``'unsafe-inline'``: React and plotly set style attributes and
inject ``<style>`` blocks. Cameras are played from their own hosts (a snapshot image, an MJPEG
or HLS stream fetched by script, video from blobs), so the origins of the cameras the config names
(``wallboard.cameras.catalog``), and no others, are added to ``img-src``, ``connect-src`` and
``media-src``; a relayed camera (``proxy: true``) comes from this server and needs none.

Every page and API answer behind the sign-in is ``Cache-Control: no-store`` (a shared browser or
proxy keeps no copy of the console); ``auth.hsts: true`` adds ``Strict-Transport-Security`` for a
site served only over HTTPS.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any
from urllib.parse import urlsplit

from flask import Response, request

from wallboard.auth.policy import role_for
from wallboard.cameras.catalog import cameras_in

_INLINE = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
_DATA_TYPES = ("application/json", "application/ld+json", "text/template")


def inline_hashes(html: str) -> list[str]:
    hashes = []
    for match in _INLINE.finditer(html):
        attrs = match.group("attrs").lower()
        if "src=" in attrs or any(kind in attrs for kind in _DATA_TYPES):
            continue
        digest = base64.b64encode(hashlib.sha256(match.group("body").encode()).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    return sorted(set(hashes))


def camera_origins(config: Any) -> list[str]:
    origins = set()
    for camera in cameras_in(config).values():
        if not camera.proxy and camera.url.startswith(("http://", "https://")):
            parts = urlsplit(camera.url)
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


def policy(config: Any, script_hashes: list[str], cameras: list[str] | None = None) -> str:
    """The header for one answer; ``cameras`` (the config's camera origins) is computed when not given."""
    ancestors = " ".join(config.auth.frame_ancestors) or "'none'"
    cameras = camera_origins(config) if cameras is None else cameras
    return "; ".join([
        "default-src 'self'",
        "script-src 'self' " + " ".join(script_hashes),
        "style-src 'self' 'unsafe-inline'",
        "img-src " + " ".join(["'self'", "data:", "blob:", *cameras]),
        "media-src " + " ".join(["'self'", "blob:", *cameras]),
        "worker-src 'self' blob:",  # hls.js may demux in a worker made from a blob
        "font-src 'self' data:",
        "connect-src " + " ".join(["'self'", *cameras]),
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        f"frame-ancestors {ancestors}",
    ])


def register(app: Any, runtime: Any) -> None:
    server = app.server
    cameras: dict[str, list[str]] = {}  # config digest -> camera origins: one walk of the screens per config

    @server.after_request
    def _headers(response: Response) -> Response:
        hashes: list[str] = []
        if response.mimetype == "text/html" and not response.direct_passthrough and not response.is_streamed:
            hashes = inline_hashes(response.get_data(as_text=True))
        digest = runtime.loaded.digest
        if digest not in cameras:
            cameras.clear()
            cameras[digest] = camera_origins(runtime.config)
        response.headers["Content-Security-Policy"] = policy(runtime.config, hashes, cameras[digest])
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        if runtime.config.auth.frame_ancestors == ["'self'"]:
            response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers.pop("Server", None)
        if role_for(request.path) is not None or request.path.startswith("/api/"):
            # Anything behind the sign-in, and every API answer, stays out of every cache.
            response.headers["Cache-Control"] = "no-store"
        if runtime.config.auth.hsts:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response
