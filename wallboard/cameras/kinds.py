"""The kind of a camera whose URL does not say: asked of the camera once, remembered for a while.

The answer's ``Content-Type`` tells (``multipart/x-mixed-replace`` is MJPEG, an mpegurl is HLS,
an image is a snapshot). The server may not reach cameras on the city network at all, so the
question is short (two seconds, all cameras at once) and an unanswered one falls back to
``snapshot``: an ``<img>`` shows a snapshot and, reloaded, an MJPEG too.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from wallboard.cameras.feeds import Kind, kind_from_content_type, kind_from_url
from wallboard.cameras.relay import upstream

ASK_TIMEOUT = 2.0
REMEMBER = 600.0  # seconds an answer is trusted; a failed question is asked again sooner
RETRY_FAILED = 60.0
_cache: dict[str, tuple[float, Kind]] = {}
_lock = threading.Lock()


def ask(url: str, proxy: bool = False, timeout: float = ASK_TIMEOUT) -> Kind | None:
    """The kind the camera's answer announces, or None when it does not answer or says nothing useful."""
    try:
        with upstream(url, proxy, timeout) as response:
            if response.status_code >= 400:
                return None
            return kind_from_content_type(response.headers.get("content-type", ""))
    except (httpx.HTTPError, ValueError):
        return None


def resolve(cameras: list[tuple[str, str | None, bool]]) -> list[Kind]:
    """``(url, kind, proxy)`` each -> its kind, asking the cameras that need it in parallel."""
    now = time.monotonic()
    out: list[Kind | None] = []
    todo: dict[str, bool] = {}
    for url, kind, proxy in cameras:
        found = kind or kind_from_url(url)
        if found is None:
            with _lock:
                cached = _cache.get(url)
            if cached and cached[0] > now:
                found = cached[1]
            else:
                todo[url] = proxy
        out.append(found)
    if todo:
        with ThreadPoolExecutor(max_workers=min(8, len(todo))) as pool:
            answers = dict(zip(todo, pool.map(lambda u: ask(u, todo[u]), todo), strict=True))
        with _lock:
            for url, kind in answers.items():
                _cache[url] = (now + (REMEMBER if kind else RETRY_FAILED), kind or "snapshot")
        out = [o if o is not None else answers.get(url) for o, (url, _, _) in zip(out, cameras, strict=True)]
    return [o or "snapshot" for o in out]
