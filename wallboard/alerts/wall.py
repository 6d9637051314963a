"""What the wall shows of alerts: one line on the panel whose indicator has an open alert.

Every alert acknowledged: who handles it and since when. Otherwise how many of its areas are
handled and how long the oldest waiting one has waited, in the waiting alerts' colour (one
acknowledged city-wide alert does not make a panel with 37 waiting kelurahan say "handled").
The line pulses a few times when it appears and then stays still (a wall that blinks all day is
one nobody looks at any more). It reads the snapshot's ``alerts`` like any other figure, so live
walls and replays show the same thing; the live layer adds the line to every panel's view
(``wallboard.live.views``).
"""

from __future__ import annotations

from typing import Any

from wallboard import formatting
from wallboard.alerts.repo import ORDER
from wallboard.i18n import translator

t = translator("alerts")


def alert_props(panel: Any, snap: Any) -> dict[str, Any] | None:
    """The line for every open alert the panel shows: handled only when all are acknowledged,
    else how many are handled and how long the oldest waiting one has waited."""
    ids = set(panel.config.indicator_ids())
    mine = [a for a in snap.alerts if a.indicator in ids]
    if not mine:
        return None
    locale = panel.locale
    zone = panel.wall.config.site.zone
    waiting = [a for a in mine if a.acknowledged_at is None]
    count = len(mine)
    if not waiting:
        last = max(mine, key=lambda a: a.acknowledged_at)
        who, time = last.acknowledged_by or "?", formatting.time_of_day(last.acknowledged_at.astimezone(zone), locale)
        text = (t(locale, "✔ Handled by {who} since {time}", who=who, time=time) if count == 1 else
                t(locale, "✔ {n} areas handled by {who} since {time}", n=count, who=who, time=time))
        kind, pool = "acknowledged", mine
    else:
        oldest = min(waiting, key=lambda a: (a.opened or snap.now))
        opened = oldest.opened or snap.now
        time, age = formatting.time_of_day(opened.astimezone(zone), locale), formatting.age(snap.now - opened, locale)
        text = (t(locale, "{time} · not acknowledged · {age}", time=time, age=age) if count == 1 else
                t(locale, "{done} of {n} areas handled · {time} · waiting {age}",
                  done=count - len(waiting), n=count, time=time, age=age))
        kind, pool = "waiting", waiting
    top = max(pool, key=lambda a: ORDER.get(a.state, 0))
    return {
        "children": text,
        "className": f"panel-alert alert-{kind} alert-{top.state}",
        "data-alert": kind,
    }
