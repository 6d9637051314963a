"""One camera as config.yaml describes it, and what kind of stream its URL is.

A URL is checked the moment config is validated, because the mistakes are easy and costly:
``rtsp://`` (no browser plays it), a password in the URL (it would be sent to every wall) or a
``${VAR}`` the browser could never fill in. ``kind`` may be left out: the URL usually tells
(``.m3u8``, ``.mjpg``), and otherwise the server asks the camera once (``kinds.resolve``).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Literal
from urllib.parse import urlsplit

from pydantic import ValidationInfo, field_validator

from wallboard.config.models import Identifier, Label, Strict
from wallboard.durations import Duration
from wallboard.secrets import has_variables

Kind = Literal["snapshot", "mjpeg", "hls"]

RTSP_HINT = (
    "browsers cannot play rtsp:// streams; run an RTSP-to-HLS gateway such as MediaMTX next to the camera "
    "and give its .m3u8 address (http://gateway:8888/<path>/index.m3u8), see docs/cameras.md"
)
_MJPEG = re.compile(r"(\.mjpe?g$|mjpe?g|action=stream|/video\.cgi$|faststream)", re.IGNORECASE)
_SNAPSHOT = re.compile(r"\.(jpe?g|png|gif|webp|svg|bmp)$", re.IGNORECASE)


def kind_from_url(url: str) -> Kind | None:
    """The kind a URL names plainly, or None when only the camera's answer can tell."""
    parts = urlsplit(url)
    path = parts.path.lower()
    if path.endswith(".m3u8"):
        return "hls"
    if _MJPEG.search(path) or _MJPEG.search(parts.query):
        return "mjpeg"
    if _SNAPSHOT.search(path):
        return "snapshot"
    return None


def kind_from_content_type(content_type: str) -> Kind | None:
    value = content_type.split(";", 1)[0].strip().lower()
    if value.startswith("multipart/x-mixed-replace"):
        return "mjpeg"
    if value in ("application/vnd.apple.mpegurl", "application/x-mpegurl", "audio/mpegurl", "audio/x-mpegurl"):
        return "hls"
    if value.startswith("image/"):
        return "snapshot"
    return None


def check_url(url: str, kind: str | None, proxy: bool) -> str:
    """The URL as written, or a one-line ValueError saying how to fix it."""
    url = url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("rtsp", "rtsps", "rtmp"):
        raise ValueError(RTSP_HINT)
    if scheme not in ("http", "https", "") or (scheme and not parts.netloc):
        raise ValueError(f"camera url must be http:// or https:// (or a path on this server), not {url!r}")
    if not proxy:
        if parts.username is not None or parts.password is not None:
            raise ValueError(
                "a camera url with a user name or password would be sent to every wall; set proxy: true "
                "so the server relays the camera, and write the password as ${VARIABLE}"
            )
        if has_variables(url):
            raise ValueError("${VARIABLE} in a camera url is filled in only by the server; set proxy: true")
    else:
        if not scheme:
            raise ValueError("proxy: true needs the camera's full http:// address")
        if parts.password and not has_variables(parts.password):
            raise ValueError("write the camera password as ${VARIABLE} (set in the server's environment), "
                             "not in config.yaml")
        if (kind or kind_from_url(url)) == "hls":
            raise ValueError("proxy: true relays snapshots and MJPEG only; publish an HLS camera without "
                             "credentials through a gateway such as MediaMTX (docs/cameras.md)")
    return url


class CameraFeed(Strict):
    """A camera in a ``cameras`` grid. ``kind``/``proxy`` come before ``url`` so its check sees them."""

    id: Identifier | None = None
    label: Label | None = None
    kind: Kind | None = None
    proxy: bool = False
    probe: bool = False
    url: str

    @field_validator("url")
    @classmethod
    def _url_is_playable(cls, value: str, info: ValidationInfo) -> str:
        return check_url(value, info.data.get("kind"), bool(info.data.get("proxy")))


DEFAULT_EVERY = timedelta(seconds=10)


def default_give_up(every: timedelta) -> timedelta:
    """Six refreshes, at least a minute: a camera is not called dead over one lost picture."""
    return max(6 * every, timedelta(minutes=1))


__all__ = ["CameraFeed", "Duration", "Kind", "check_url", "kind_from_url", "kind_from_content_type"]
