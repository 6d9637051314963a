"""A CCTV snapshot, refreshed by the browser every ``every``.

The server never touches the camera: the wall PC loads ``url`` (with a cache-busting parameter)
the way it loads any image, so a camera on the city network does not have to be reachable from the
server. When a load fails the last good picture stays, greyed, with its age (state ``stale``);
after ``give_up`` a placeholder replaces it (state ``error``). See ``assets/panels.js``.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Literal

from dash import html

from wallboard.config.models import PanelBase
from wallboard.durations import Duration
from wallboard.i18n import translator
from wallboard.panels.base import Panel, PanelView, state_words
from wallboard.snapshot import Snapshot

t = translator("wall")


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
               "data-give-up": str(int(self.give_up().total_seconds() * 1000)), "data-locale": self.locale,
               "data-words": self.browser_words()},
            children=[
                html.Img(id=self.cid("img"), className="camera-img", alt=self.title()),
                html.Div(t(self.locale, "Camera unavailable"), className="camera-placeholder"),
            ],
        )]

    def view(self, snap: Snapshot) -> PanelView:
        # Only the browser sees the camera; it reports its state into the panel frame itself.
        return PanelView("nodata", None, {}, t(self.locale, "Loading…"))

    def browser_words(self) -> str:
        """Everything panels.js writes for a camera, in the wall's language (JSON in ``data-words``)."""
        locale = self.locale
        return json.dumps({
            "states": state_words(locale),
            "down": t(locale, "camera not answering"),
            "stale": t(locale, "camera not answering, picture {age} old"),
            "seconds": t(locale, "{n} s"),
            "minutes": t(locale, "{n} min"),
        }, ensure_ascii=False)
