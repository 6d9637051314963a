"""The panel types, one module each, registered in ``BUILTIN`` below.

Adding a type is one new module with a ``Panel`` subclass (its ``Config`` model carries
``type: Literal[...]``) and one line here; third-party packages use the entry-point group
``wallboard.panels`` the same way.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from wallboard.registry import load_types

if TYPE_CHECKING:
    from wallboard.panels.base import Panel

BUILTIN: dict[str, str] = {
    "kpi": "wallboard.panels.kpi:KpiPanel",
    "trend": "wallboard.panels.trend:TrendPanel",
    "bar": "wallboard.panels.bar:BarPanel",
    "map": "wallboard.panels.map:MapPanel",
    "events": "wallboard.panels.events:EventsPanel",
    "gauge": "wallboard.panels.gauge:GaugePanel",
    "status": "wallboard.panels.status:StatusPanel",
    "clock": "wallboard.panels.clock:ClockPanel",
    "ticker": "wallboard.panels.ticker:TickerPanel",
    "camera": "wallboard.panels.camera:CameraPanel",
    "cameras": "wallboard.panels.cameras:CamerasPanel",
    "weather": "wallboard.panels.weather:WeatherPanel",
}


@cache
def panel_types() -> dict[str, type[Panel]]:
    return load_types(BUILTIN, "wallboard.panels")
