"""A grid of CCTV cameras (``layout: 2x2`` or ``3x3``), optionally rotating through a longer list.

Every camera of the list is in the page, but only the cells of the current rotation are shown,
and ``cameras.js`` plays only what is shown: a rotated-out cell has no open connection. A click or
tap enlarges one camera over the wall for ``enlarge`` (the others stop meanwhile: covered is not
seen). The panel's state is the browser's verdict over the cells it shows.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from dash import html
from pydantic import Field

from wallboard.cameras.catalog import camera_key, grid_camera_id
from wallboard.cameras.feeds import DEFAULT_EVERY, CameraFeed, default_give_up
from wallboard.cameras.kinds import resolve
from wallboard.config.models import PanelBase
from wallboard.durations import Duration
from wallboard.panels.base import Panel, PanelView
from wallboard.panels.camera import camera_view, t
from wallboard.snapshot import Snapshot

# columns x rows
LAYOUTS = {"1x1": (1, 1), "1x2": (1, 2), "2x1": (2, 1), "2x2": (2, 2), "3x2": (3, 2), "3x3": (3, 3), "4x4": (4, 4)}


class CamerasConfig(PanelBase):
    type: Literal["cameras"]
    layout: Literal["1x1", "1x2", "2x1", "2x2", "3x2", "3x3", "4x4"] = "2x2"
    cameras: list[CameraFeed] = Field(min_length=1, max_length=64)
    rotate: Duration | None = None  # show the next cells of a longer list this often
    enlarge: Duration = timedelta(seconds=30)  # how long a tapped camera stays enlarged
    every: Duration = DEFAULT_EVERY  # snapshot refresh
    give_up: Duration | None = None


class CamerasPanel(Panel):
    Config = CamerasConfig
    config: CamerasConfig

    def title(self) -> str:
        if self.config.title is not None:
            return self.config.title.text(self.locale)
        return "CCTV"

    def cells(self) -> int:
        cols, rows = LAYOUTS[self.config.layout]
        return cols * rows

    def body(self) -> list:
        cfg = self.config
        screen = self.wall.screen.id if self.wall.screen is not None else ""
        give_up = cfg.give_up or default_give_up(cfg.every)
        kinds = resolve([(f.url, f.kind, f.proxy) for f in cfg.cameras])
        cols, rows = LAYOUTS[cfg.layout]
        cells = []
        for n, (feed, kind) in enumerate(zip(cfg.cameras, kinds, strict=True)):
            cam_id = grid_camera_id(feed, n)
            label = feed.label.text(self.locale) if feed.label else f"CCTV {n + 1}"
            cells.append(html.Div(
                className="cam-cell", role="button", tabIndex="0", title=t(self.locale, "tap to enlarge"),
                **{"data-n": str(n)},
                children=[
                    camera_view(self.cid(f"c{n}"), key=camera_key(screen, cfg.id, cam_id), url=feed.url, kind=kind,
                                proxy=feed.proxy, every=cfg.every, give_up=give_up, locale=self.locale,
                                label=label),
                    html.Div(label, className="cam-label"),
                ],
            ))
        rotate = int(cfg.rotate.total_seconds() * 1000) if cfg.rotate and len(cells) > cols * rows else 0
        return [html.Div(
            id=self.cid("grid"), className=f"cameras cams-{cfg.layout}", children=cells,
            style={"--cam-cols": cols, "--cam-rows": rows},
            **{"data-per": str(cols * rows), "data-rotate": str(rotate),
               "data-enlarge": str(int(cfg.enlarge.total_seconds() * 1000))},
        )]

    def view(self, snap: Snapshot) -> PanelView:
        return PanelView("nodata", None, {}, t(self.locale, "Loading…"))
