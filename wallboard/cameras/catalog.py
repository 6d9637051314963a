"""Every camera the config shows, under one key each: ``screen/panel`` or ``screen/panel/camera``.

Walls report by these keys, the relay serves by them, and health lists them; a key names a place
on a wall, so a report for a camera no screen shows any more is simply ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CameraRef:
    key: str
    label: str
    url: str
    kind: str | None
    proxy: bool
    probe: bool


def camera_key(screen_id: str, panel_id: str, camera_id: str | None = None) -> str:
    return f"{screen_id}/{panel_id}" + (f"/{camera_id}" if camera_id else "")


def grid_camera_id(feed: Any, index: int) -> str:
    """A grid camera's own ``id``, else its place in the list counted from 1."""
    return feed.id or str(index + 1)


def cameras_in(config: Any) -> dict[str, CameraRef]:
    locale = config.site.locale
    out: dict[str, CameraRef] = {}
    for screen in config.screens:
        for panel in screen.all_panels():
            if panel.type == "camera":
                label = panel.title.text(locale) if panel.title else panel.id
                key = camera_key(screen.id, panel.id)
                out[key] = CameraRef(key, label, panel.url, panel.kind, panel.proxy, panel.probe)
            elif panel.type == "cameras":
                for n, feed in enumerate(panel.cameras):
                    key = camera_key(screen.id, panel.id, grid_camera_id(feed, n))
                    label = feed.label.text(locale) if feed.label else f"{panel.id} {n + 1}"
                    out[key] = CameraRef(key, label, feed.url, feed.kind, feed.proxy, feed.probe)
    return out


def proxy_path(key: str) -> str:
    """Where a wall fetches a relayed camera: the server's address, never the camera's."""
    return f"/api/cameras/feed/{key}"
