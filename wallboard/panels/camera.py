"""A CCTV snapshot, refreshed by the browser every ``every``.

The server never touches the camera: the wall PC loads ``url`` (with a cache-busting parameter)
the way it loads any image, so a camera on the city network does not have to be reachable from the
server. When a load fails the last good picture stays, greyed, with its age (state ``stale``);
after ``give_up`` a placeholder replaces it (state ``error``). See ``assets/panels.js``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from dash import html

from wallboard.config.models import PanelBase
from wallboard.durations import Duration
from wallboard.panels.base import Panel, PanelView
from wallboard.snapshot import Snapshot

OFFLINE = {"id": "Kamera tidak tersedia", "en": "Camera unavailable"}
LOADING = {"id": "Memuat gambar…", "en": "Loading…"}


class CameraConfig(PanelBase):
    type: Literal["camera"]
    url: str
    every: Duration = timedelta(seconds=10)
    give_up: Duration | None = None  # default: six refreshes, at least a minute


class CameraPanel(Panel):
    Config = CameraConfig
    config: CameraConfig

    def title(self) -> str:
        if self.config.title is not None:
            return self.config.title.text(self.locale)
        return "CCTV"

    def give_up(self) -> timedelta:
        return self.config.give_up or max(6 * self.config.every, timedelta(minutes=1))

    def body(self) -> list:
        return [html.Div(
            id=self.cid("cam"), className="camera",
            **{"data-url": self.config.url, "data-every": str(int(self.config.every.total_seconds() * 1000)),
               "data-give-up": str(int(self.give_up().total_seconds() * 1000)), "data-locale": self.locale},
            children=[
                html.Img(id=self.cid("img"), className="camera-img", alt=self.title()),
                html.Div(OFFLINE.get(self.locale, OFFLINE["id"]), className="camera-placeholder"),
            ],
        )]

    def view(self, snap: Snapshot) -> PanelView:
        # Only the browser sees the camera; it reports its state into the panel frame itself.
        return PanelView("nodata", None, {}, LOADING.get(self.locale, LOADING["id"]))
