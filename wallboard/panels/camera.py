"""A CCTV camera: a snapshot refreshed every ``every``, an MJPEG stream or an HLS stream.

The server never decodes a camera: the wall PC plays ``url`` itself (``assets/cameras.js``), so a
camera on the city network does not have to be reachable from the server, unless ``proxy: true``
asks the server to relay it (credentials stay on the server). The browser judges the camera: a
stalled picture stays, greyed, with its age (state ``stale``); after ``give_up`` a placeholder
replaces it (state ``error``); it reports these states to the server (``wallboard.cameras``).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, Literal

from dash import html
from pydantic import ValidationInfo, field_validator

from wallboard.cameras.catalog import camera_key, proxy_path
from wallboard.cameras.feeds import DEFAULT_EVERY, Kind, check_url, default_give_up
from wallboard.cameras.kinds import resolve
from wallboard.config.models import PanelBase
from wallboard.durations import Duration
from wallboard.i18n import translator
from wallboard.panels.base import Panel, PanelView, state_words
from wallboard.snapshot import Snapshot

t = translator("cameras")


class CameraConfig(PanelBase):
    type: Literal["camera"]
    kind: Kind | None = None  # default: from the URL, else from the camera's answer
    proxy: bool = False  # the server relays the camera (snapshots, MJPEG), credentials from ${VAR}
    probe: bool = False  # the server checks the camera itself every minute
    url: str
    every: Duration = DEFAULT_EVERY
    give_up: Duration | None = None  # default: six refreshes, at least a minute

    @field_validator("url")
    @classmethod
    def _url_is_playable(cls, value: str, info: ValidationInfo) -> str:
        return check_url(value, info.data.get("kind"), bool(info.data.get("proxy")))


def browser_words(locale: str) -> str:
    """The camera texts the browser shows, in the site's language (JSON for a data attribute)."""
    return json.dumps({
        "unavailable": t(locale, "Camera unavailable"),
        "down": t(locale, "camera not answering"),
        "stale": t(locale, "camera not answering, picture {age}"),
        "seconds": t(locale, "{n} s ago"),
        "minutes": t(locale, "{n} min ago"),
        "some_down": t(locale, "{n} of {total} cameras not answering"),
        "enlarge": t(locale, "tap to enlarge"),
        "states": state_words(locale),
    }, ensure_ascii=False)


def camera_view(cid: str, *, key: str, url: str, kind: str, proxy: bool, every: timedelta, give_up: timedelta,
                locale: str, label: str) -> html.Div:
    """One camera's element; ``cameras.js`` finds it by ``data-kind`` and plays it while it is seen."""
    src = proxy_path(key) if proxy else url
    media: Any = (html.Video(id=f"{cid}-video", className="camera-video", muted=True, autoPlay=False,
                             preload="none", title=label)
                  if kind == "hls" else html.Img(id=f"{cid}-img", className="camera-img", alt=label))
    return html.Div(
        id=cid, className="camera",
        **{"data-url": src, "data-kind": kind, "data-key": key,
           "data-every": str(int(every.total_seconds() * 1000)),
           "data-give-up": str(int(give_up.total_seconds() * 1000)), "data-locale": locale,
           "data-text": browser_words(locale)},
        children=[
            media,
            html.Div(className="camera-age"),
            html.Div(t(locale, "Camera unavailable"), className="camera-placeholder"),
        ],
    )


class CameraPanel(Panel):
    Config = CameraConfig
    config: CameraConfig

    def title(self) -> str:
        if self.config.title is not None:
            return self.config.title.text(self.locale)
        return "CCTV"

    def give_up(self) -> timedelta:
        return self.config.give_up or default_give_up(self.config.every)

    def key(self) -> str:
        screen = self.wall.screen.id if self.wall.screen is not None else ""
        return camera_key(screen, self.config.id)

    def kind(self) -> str:
        return resolve([(self.config.url, self.config.kind, self.config.proxy)])[0]

    def body(self) -> list:
        return [camera_view(self.cid("cam"), key=self.key(), url=self.config.url, kind=self.kind(),
                            proxy=self.config.proxy, every=self.config.every, give_up=self.give_up(),
                            locale=self.locale, label=self.title())]

    def view(self, snap: Snapshot) -> PanelView:
        # Only the browser sees the camera; it sets the panel's state itself.
        return PanelView("nodata", None, {}, t(self.locale, "Loading…"))
