"""``/wall/<id>?at=2026-11-28T14:05``: the screen as it stood at a past minute, from stored data.

The snapshot is built "as of" that minute (readings, events, runs and alerts up to its last second)
for this screen's panels alone, then laid out exactly like the live wall, under a striped band
"TAYANGAN ULANG 14:05" so nobody takes it for live. wall.js sees ``data-replay`` and opens no
stream, so no live update ever lands on a replay. A minute in the future, older than
``database.retention`` keeps, or not a time at all gets a clear message, never a server error.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from dash import dcc, html

from wallboard import formatting
from wallboard.i18n import translator
from wallboard.live.views import error_props, panel_props, read_snapshot, screen_panels
from wallboard.snapshot import Needs
from wallboard.web.wall.page import wall_page

log = logging.getLogger(__name__)
t = translator("alerts")
_AT = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::\d{2})?\s*$")


class ReplayError(ValueError):
    """The ``?at=`` cannot be replayed; the message is shown on the page."""


def parse_at(value: Any, config: Any, now: datetime | None = None) -> datetime:
    """The minute asked for, in the site's time zone; raises ``ReplayError`` with the reason."""
    locale = config.site.locale
    zone = config.site.zone
    match = _AT.match(str(value or ""))
    if match is None:
        raise ReplayError(t(locale, "“{value}” is not a minute; write it as ?at=2026-11-28T14:05 (site time).",
                            value=str(value)[:40]))
    try:
        at = datetime.fromisoformat(f"{match.group(1)}T{match.group(2)}:{match.group(3)}").replace(tzinfo=zone)
    except ValueError:
        raise ReplayError(t(locale, "“{value}” is not a minute; write it as ?at=2026-11-28T14:05 (site time).",
                            value=str(value)[:40])) from None
    now = now or datetime.now(UTC)
    if at > now:
        raise ReplayError(t(locale, "{at} has not happened yet; replay shows past minutes only.",
                            at=f"{at:%Y-%m-%d %H:%M}"))
    oldest = now - config.database.retention
    if at < oldest:
        raise ReplayError(t(locale, "{at} is older than the stored readings (database.retention keeps them "
                            "back to {oldest}).", at=f"{at:%Y-%m-%d %H:%M}",
                            oldest=f"{oldest.astimezone(zone):%Y-%m-%d %H:%M}"))
    return at


def replay_view(runtime: Any, screen: Any, at: datetime) -> dict[str, dict[str, Any]]:
    """Every panel's props for this screen as at the minute ``at`` (its last second included)."""
    config = runtime.config
    panels = screen_panels(config, screen, getattr(runtime, "base_dir", None))
    needs = Needs()
    for panel in panels:
        needs.add(panel.needs())
    moment = at + timedelta(seconds=59)
    snap = read_snapshot(runtime.store, config, needs, moment.astimezone(UTC), 0, as_of=True)
    view: dict[str, dict[str, Any]] = {}
    for panel in panels:
        try:
            view.update(panel_props(panel, snap))
        except Exception:  # noqa: BLE001 - one broken panel must not blank the replay
            log.exception("panel %s failed in replay", panel.config.id)
            view.update(error_props(panel, None))
    return view


def replay_page(runtime: Any, screen: Any, query: dict[str, Any]) -> Any:
    config = runtime.config
    locale = config.site.locale
    try:
        at = parse_at(query.get("at"), config)
        view = replay_view(runtime, screen, at)
    except ReplayError as exc:
        return _problem(config, screen, str(exc))
    except Exception:  # noqa: BLE001 - a database fault is told on the page, never as a traceback
        log.exception("replay of %s failed", screen.id)
        return _problem(config, screen, t(locale, "The stored data could not be read; try again shortly."))
    page = wall_page(runtime, screen, {k: v for k, v in query.items() if k != "at"}, current=view)
    page.className += " wall-replay"
    page.children.insert(0, html.Div(
        [t(locale, "REPLAY {time}", time=f"{at:%H:%M}"), html.Span(" · " + formatting.date_long(at, locale))],
        id="replay-band", className="replay-band", role="status",
    ))
    setattr(page, "data-replay", at.strftime("%Y-%m-%dT%H:%M"))
    _freeze_clocks(page, at, locale)
    return page


def _freeze_clocks(component: Any, at: datetime, locale: str) -> None:
    """Clock panels show the replayed minute (their body is drawn with the live time; panels.js
    leaves clocks inside a replay alone)."""
    texts = {"clock-hm": formatting.time_of_day(at, locale), "clock-s": "",
             "clock-date": formatting.date_long(at, locale)}
    name = getattr(component, "className", None)
    if isinstance(name, str) and name in texts:
        component.children = texts[name]
    children = getattr(component, "children", None)
    if isinstance(children, list | tuple):
        for child in children:
            _freeze_clocks(child, at, locale)
    elif children is not None and hasattr(children, "to_plotly_json"):
        _freeze_clocks(children, at, locale)


def _problem(config: Any, screen: Any, message: str) -> Any:
    locale = config.site.locale
    return html.Main(
        className=f"home theme-{config.site.theme} replay-problem",
        children=[
            html.H1(t(locale, "Replay not possible")),
            html.P(message, id="replay-problem", role="alert"),
            dcc.Link(t(locale, "Back to the live wall"), href=f"/wall/{screen.id}"),
        ],
    )
