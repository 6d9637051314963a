"""What the wall shows of alerts: one line on the panel whose indicator has an open alert.

Acknowledged: who handles it and since when. Not acknowledged: how long it has waited, in the
alert's colour; the line pulses a few times when it appears and then stays still (a wall that
blinks all day is one nobody looks at any more). It reads the snapshot's ``alerts`` like any other
figure, so live walls and replays show the same thing; the live layer adds the line to every
panel's view (``wallboard.live.views``).
"""

from __future__ import annotations

from typing import Any

from wallboard import formatting
from wallboard.alerts.repo import ORDER
from wallboard.i18n import translator

t = translator("alerts")


def alert_props(panel: Any, snap: Any) -> dict[str, Any] | None:
    ids = set(panel.config.indicator_ids())
    mine = [a for a in snap.alerts if a.indicator in ids]
    if not mine:
        return None
    city = panel.wall.config.site.region
    whole = [a for a in mine if a.region == city]
    pool = whole or mine
    top = max(pool, key=lambda a: (ORDER.get(a.state, 0), -(a.opened.timestamp() if a.opened else 0)))
    locale = panel.locale
    zone = panel.wall.config.site.zone
    prefix = "" if whole else t(locale, "{n} kecamatan: ", n=len(mine))
    if top.acknowledged_at is not None:
        text = t(locale, "✔ Handled by {who} since {time}", who=top.acknowledged_by or "?",
                 time=formatting.time_of_day(top.acknowledged_at.astimezone(zone), locale))
        kind = "acknowledged"
    else:
        opened = top.opened or snap.now
        text = t(locale, "Not acknowledged since {time} · {age}",
                 time=formatting.time_of_day(opened.astimezone(zone), locale),
                 age=formatting.age(snap.now - opened, locale))
        kind = "waiting"
    return {
        "children": prefix + text,
        "className": f"panel-alert alert-{kind} alert-{top.state}",
        "data-alert": kind,
    }
