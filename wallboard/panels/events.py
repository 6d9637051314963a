"""The latest events of one source (complaints, incidents): status, title, where and how long ago.

Titles and details come from outside systems, so they are only ever set as text children: Dash
renders strings as text nodes, never as HTML. Rows are fixed slots so an update only changes the
text of the rows that moved.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from dash import html
from pydantic import Field

from wallboard import formatting, regions
from wallboard.config.models import Identifier, PanelBase
from wallboard.i18n import translator
from wallboard.panels.base import Panel, PanelView, stale_note
from wallboard.snapshot import Needs, Snapshot

t = translator("wall")
# Status -> shape. A shape and a word, never colour alone.
SHAPES = {"baru": "◆", "proses": "▶", "selesai": "✔", "kritis": "◆", "waspada": "▲", "info": "●", "jauh": "○"}
# Severities (BMKG's quakes and warnings, see wallboard/sources/bmkg_gempa.py): the site's own first,
# the worst on top; a far quake ("jauh") and every other status keep their order by time.
FIRST = {"kritis": 0, "waspada": 1, "info": 2}
ROW_REM = 3.2  # .ev height in panels.css
NARROW_REM = 22  # a body narrower than this (a 3-of-12 column panel) stacks each event on three lines
NARROW_ROW_REM = 4.4


def status_label(status: str, locale: str) -> tuple[str, str]:
    """The text and css class of an event status; unknown statuses are shown as they came."""
    key = status.strip().lower()
    if key in SHAPES:
        words = {"baru": t(locale, "NEW"), "proses": t(locale, "IN PROGRESS"), "selesai": t(locale, "DONE"),
                 "kritis": t(locale, "CRITICAL"), "waspada": t(locale, "WARNING"), "info": t(locale, "INFO"),
                 "jauh": t(locale, "FAR")}
        return f"{SHAPES[key]} {words[key]}", f"ev-{key}"
    return f"○ {status.strip().upper() or '?'}", "ev-other"


class EventsConfig(PanelBase):
    type: Literal["events"]
    source: Identifier
    limit: int = Field(10, ge=1, le=50)

    def source_ids(self) -> list[str]:
        return [self.source]


class EventsPanel(Panel):
    Config = EventsConfig
    config: EventsConfig

    def title(self) -> str:
        if self.config.title is not None:
            return self.config.title.text(self.locale)
        return t(self.locale, "Latest events")

    def subtitle(self) -> str:
        return self.config.source

    def needs(self) -> Needs:
        return Needs(events={self.config.source: self.config.limit}, sources=True)

    def stale_after(self) -> timedelta:
        source = next((s for s in self.wall.config.sources if s.id == self.config.source), None)
        return max(3 * source.interval, timedelta(minutes=1)) if source is not None else timedelta(hours=3)

    def narrow(self) -> bool:
        """Too narrow for status, place and age on one line: each row takes three lines."""
        return self.body_width_rem() < NARROW_REM

    def shown(self) -> int:
        """Rows that fit whole in the panel (each is ROW_REM tall, or NARROW_ROW_REM), at most ``limit``."""
        row = NARROW_ROW_REM if self.narrow() else ROW_REM
        return max(1, min(self.config.limit, int(self.body_rem() // row)))

    def body(self) -> list:
        rows = []
        for i in range(self.shown()):
            rows.append(html.Li(id=self.cid(f"r{i}"), className="ev", style={"display": "none"}, children=[
                html.Span(id=self.cid(f"r{i}-status"), className="ev-status"),
                html.Span(id=self.cid(f"r{i}-title"), className="ev-title"),
                html.Span(id=self.cid(f"r{i}-meta"), className="ev-meta"),
                html.Span(id=self.cid(f"r{i}-age"), className="ev-age"),
            ]))
        return [html.Ul(rows, className="ev-list ev-narrow" if self.narrow() else "ev-list")]

    def view(self, snap: Snapshot) -> PanelView:
        events = sorted(snap.events.get(self.config.source, []),
                        key=lambda e: FIRST.get(e.status.strip().lower(), len(FIRST)))[: self.shown()]
        status = snap.sources.get(self.config.source)
        last_ok = status.last_success if status is not None else None
        props: dict = {}
        site = self.wall.config.site.region
        for i in range(self.shown()):
            if i >= len(events):
                props[f"r{i}"] = {"style": {"display": "none"}}
                continue
            e = events[i]
            label, css = status_label(e.status, self.locale)
            where = regions.name(e.region) if e.region and e.region.startswith(site) else (e.region or "")
            meta = " · ".join(x for x in (where, e.category) if x)
            age = formatting.ago(snap.now - e.time, self.locale)
            props[f"r{i}"] = {"style": {}, "className": f"ev {css}"}
            props[f"r{i}-status"] = {"children": label}
            props[f"r{i}-title"] = {"children": e.title or e.ref, "title": e.detail or e.title}
            props[f"r{i}-meta"] = {"children": meta}
            props[f"r{i}-age"] = {"children": age}
        updated = max((e.updated for e in events), default=None)
        if last_ok is None and not events:
            return PanelView("nodata", None, props, t(self.locale, "No events yet"))
        fresh = last_ok is not None and snap.now - last_ok <= self.stale_after()
        state = "ok" if fresh else "stale"
        shown = last_ok or updated
        note = stale_note(state, shown, snap.now, self.locale) if shown else ""
        if not events:
            note = t(self.locale, "No events yet")
        return PanelView(state, updated.astimezone(snap.now.tzinfo) if updated else None, props, note)
