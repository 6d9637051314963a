"""Date and time in the site's zone and language: ``Jumat, 27 November 2026 18.00 WIB``.

The browser ticks the clock itself (``assets/panels.js``) every second, so a clock costs no
server traffic. A second's tick must cost the wall PC no layout (issue 23): each seconds digit is a
strip of the digits 0-9 in a box one digit high, and the tick only moves the strip
(``transform``, the compositor's work); the readable text (``.clock-s-text``) is not displayed, so
changing it lays nothing out. Hours and minutes change as text, once a minute.

It keeps the server's time, not the browser's: each view carries the server's clock
(``data-now``), and the page corrects for a wall PC whose own clock is wrong.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from dash import html

from wallboard import formatting
from wallboard.config.models import PanelBase
from wallboard.panels.base import Panel, PanelView
from wallboard.snapshot import Snapshot


class ClockConfig(PanelBase):
    type: Literal["clock"]
    seconds: bool = True


class ClockPanel(Panel):
    Config = ClockConfig
    config: ClockConfig

    def title(self) -> str:
        if self.config.title is not None:
            return self.config.title.text(self.locale)
        return self.wall.config.site.name

    def subtitle(self) -> str:
        return ""

    def body(self) -> list:
        zone = self.wall.config.site.zone
        now = datetime.now(UTC).astimezone(zone)
        return [
            html.Div(className="clock", children=[
                html.Div(className="clock-time", children=[
                    html.Span(formatting.time_of_day(now, self.locale), className="clock-hm",
                              **{"data-role": "value"}),
                    self.seconds(now),
                    html.Span(formatting.zone_name(now, self.locale), className="clock-zone"),
                ]),
                html.Div(formatting.date_long(now, self.locale), className="clock-date"),
                html.Div(
                    id=self.cid("sync"), className="clock-sync",
                    children=formatting.clock(now, self.locale),
                    **{"data-now": str(int(now.timestamp() * 1000)), "data-zone": self.wall.config.site.timezone,
                       "data-locale": "id-ID" if self.locale == "id" else "en-GB",
                       "data-seconds": "1" if self.config.seconds else "0"},
                ),
            ])
        ]

    def seconds(self, now: datetime) -> html.Span:
        """The seconds: the text for readers and tests, and the two digit strips that are seen."""
        if not self.config.seconds:
            return html.Span(className="clock-s")
        sep, digits = ("." if self.locale == "id" else ":"), now.strftime("%S")
        strips = [html.Span(className="clock-digit", children=html.Span(
            className="clock-strip", style={"--d": d})) for d in digits]
        return html.Span(className="clock-s", **{"data-sep": sep},
                         children=[html.Span(sep + digits, className="clock-s-text"), *strips])

    def view(self, snap: Snapshot) -> PanelView:
        # The server's time at this snapshot, so the browser can correct its own clock; it is also
        # when the clock was last updated (data-updated), like every other panel.
        now = snap.now.astimezone(self.wall.config.site.zone)
        return PanelView("ok", now, {"sync": {
            "data-now": str(int(now.timestamp() * 1000)),
            "children": formatting.clock(now, self.locale),
        }})
