"""``probe: true``: the server checks a camera it can reach itself, once a minute.

A snapshot or MJPEG camera is asked with HEAD (falling back to the first bytes of a GET, since
many cameras refuse HEAD); an HLS camera must answer its playlist with ``#EXTM3U``. All probes of
a round run in parallel with a short timeout, in the runtime's scheduler on a job of their own,
so a camera that hangs delays nothing else (collection has its own jobs and threads).
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from wallboard.cameras.catalog import CameraRef, cameras_in
from wallboard.cameras.feeds import kind_from_content_type, kind_from_url
from wallboard.cameras.health import BOARD, HealthBoard
from wallboard.cameras.relay import upstream
from wallboard.secrets import MissingVariable, mask_text

log = logging.getLogger(__name__)
EVERY_SECONDS = 60.0
TIMEOUT = 5.0
JOB_ID = "camera-probe"


def check(ref: CameraRef, timeout: float = TIMEOUT) -> tuple[str, str]:
    """``("playing", "")`` when the camera answers as it should, else ``("error", why)``."""
    kind = ref.kind or kind_from_url(ref.url)
    try:
        if kind != "hls":
            with upstream(ref.url, ref.proxy, timeout, method="HEAD") as head:
                if head.status_code < 400:
                    return "playing", ""
        with upstream(ref.url, ref.proxy, timeout) as response:
            if response.status_code >= 400:
                return "error", f"HTTP {response.status_code}"
            first = b""
            for chunk in response.iter_bytes():
                first += chunk
                if len(first) >= 16:
                    break
            is_hls = kind == "hls" or kind_from_content_type(response.headers.get("content-type", "")) == "hls"
            if is_hls and not first.lstrip().startswith(b"#EXTM3U"):
                return "error", "not an HLS playlist"
            if not first:
                return "error", "empty answer"
            return "playing", ""
    except (httpx.HTTPError, MissingVariable, ValueError) as exc:
        return "error", mask_text(f"{type(exc).__name__}: {exc}").splitlines()[0][:200]


def probe_all(config: Any, board: HealthBoard = BOARD) -> int:
    """Probe every ``probe: true`` camera once; returns how many changed state."""
    refs = [r for r in cameras_in(config).values() if r.probe]
    if not refs:
        return 0
    with ThreadPoolExecutor(max_workers=min(8, len(refs)), thread_name_prefix="camera-probe") as pool:
        results = list(pool.map(check, refs))
    changed = 0
    for ref, (state, detail) in zip(refs, results, strict=True):
        if state == "error":
            log.warning("camera %s not answering: %s", ref.key, detail)
        changed += board.put(ref.key, state, by="probe", detail=detail)
    return changed
