"""Each source's last run: when, whether it worked, and the error if not.

The operator's first question when a figure looks wrong is "is the feed alive?"; this panel answers
it from the collector's own records (``Snapshot.sources``), without asking any source.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, Literal

from dash import html

from wallboard import formatting
from wallboard.cameras.catalog import cameras_in
from wallboard.cameras.health import BOARD
from wallboard.config.models import Identifier, PanelBase
from wallboard.i18n import translator
from wallboard.panels.base import STATE_SHAPES, Panel, PanelView, worst
from wallboard.snapshot import Needs, Snapshot

t = translator("wall")
t_cam = translator("cameras")
ROW_REM = 5.0  # .src height in panels.css (name, state, age, error)
TALL_ROW_REM = 7.4  # .src-tall: the error may take up to three lines (a URL and the reason)
_URL = re.compile(r"https?://([^/\s:?#]+)[^\s]*?(?=:?\s|:?$)")
ROW_ORDER = {"critical": 3, "warning": 2, "nodata": 1, "ok": 0}  # rows shown first when not all fit


class StatusConfig(PanelBase):
    type: Literal["status"]
    sources: list[Identifier] | None = None  # default: every configured source
    cameras: bool = True  # one more row: cameras the walls or the server's probes report down

    def source_ids(self) -> list[str]:
        return list(self.sources or [])


class StatusPanel(Panel):
    Config = StatusConfig
    config: StatusConfig

    def title(self) -> str:
        if self.config.title is not None:
            return self.config.title.text(self.locale)
        return t(self.locale, "Data sources")

    def listed(self) -> list[Any]:
        """Every source this panel answers for (``sources:``, else all configured)."""
        wanted = self.config.sources
        return [s for s in self.wall.config.sources if wanted is None or s.id in wanted]

    def slots(self) -> int:
        """Rows that fit whole (each row is ROW_REM tall)."""
        return max(1, int(self.body_rem() // ROW_REM) - (1 if self.shows_cameras() else 0))

    def sources(self) -> list[Any]:
        """The sources in the rows before the first update, as many as fit."""
        return self.listed()[: self.slots()]

    def shows_cameras(self) -> bool:
        return self.config.cameras and bool(cameras_in(self.wall.config))

    def needs(self) -> Needs:
        return Needs(sources=True)

    def body(self) -> list:
        rows = []
        for i, source in enumerate(self.sources()):
            rows.append(html.Li(id=self.cid(f"s{i}"), className="src src-nodata", children=[
                html.Span(id=self.cid(f"s{i}-mark"), className="src-mark"),
                html.Span(source.id, id=self.cid(f"s{i}-name"), className="src-name"),
                html.Span(id=self.cid(f"s{i}-age"), className="src-age"),
                html.Span(id=self.cid(f"s{i}-error"), className="src-error"),
            ]))
        if self.shows_cameras():
            rows.append(html.Li(id=self.cid("cam"), className="src src-nodata", children=[
                html.Span(id=self.cid("cam-mark"), className="src-mark"),
                html.Span(t_cam(self.locale, "Cameras"), className="src-name"),
                html.Span(id=self.cid("cam-age"), className="src-age"),
                html.Span(id=self.cid("cam-error"), className="src-error"),
            ]))
        return [html.Ul(rows, className="src-list")]

    def camera_row(self, words: dict[str, str]) -> tuple[str, dict]:
        """Cameras down, from the walls' reports and the server's probes (``wallboard.cameras.health``).

        Camera health is live state of the web process, not collected data, so it is read here when
        the view is evaluated (every hub tick) rather than carried in the snapshot.
        """
        refs = cameras_in(self.wall.config)
        reports = {k: r for k, r in BOARD.current().items() if k in refs}
        down = [r for r in BOARD.down() if r.key in refs]
        stalled = sorted((r for r in reports.values() if r.state == "stalled"), key=lambda r: r.since)
        if not reports:
            state, age = "nodata", t_cam(self.locale, "no camera has reported yet")
        elif down:
            state = "warning"
            age = t_cam(self.locale, "{n} of {total} down", n=len(down), total=len(refs))
        elif stalled:
            state = "warning"
            age = t_cam(self.locale, "{n} of {total} stalled", n=len(stalled), total=len(refs))
        else:
            state = "ok"
            age = t_cam(self.locale, "{n} of {total} reporting", n=len(reports), total=len(refs))
        labels = ", ".join(refs[r.key].label for r in down + stalled)
        return state, {
            "cam": {"className": f"src src-{state}"},
            "cam-mark": {"children": f"{STATE_SHAPES[state]} {words[state]}"},
            "cam-age": {"children": age},
            "cam-error": {"children": labels, "title": labels},
        }

    def row_state(self, status: Any, source: Any, now: datetime) -> str:
        if status is None or status.last_run is None:
            return "nodata"
        down_after = max(3 * source.interval, timedelta(minutes=1))
        if status.last_success is None or now - status.last_success > down_after:
            return "critical"
        return "ok" if status.last_run.ok else "warning"

    def link_down_view(self, snap: Snapshot, words: dict[str, str]) -> PanelView:
        """This process cannot read its database: say so, and since when; the sources' runs are
        unknown here (the collector may well be fine), so no source is called DOWN."""
        locale = self.locale
        since = (snap.link_down or snap.now).astimezone(self.wall.config.site.zone)
        note = t(locale, "Database link down since {time} · {age}", time=formatting.time_of_day(since, locale),
                 age=formatting.age(snap.now - since, locale))
        props: dict = {}
        for i, _source in enumerate(self.sources()):
            props[f"s{i}"] = {"className": "src src-stale"}
            props[f"s{i}-mark"] = {"children": f"{STATE_SHAPES['stale']} {t(locale, 'UNKNOWN')}"}
            props[f"s{i}-age"] = {"children": t(locale, "not readable from this server")}
            props[f"s{i}-error"] = {"children": "", "title": ""}
        if self.shows_cameras():
            props.update(self.camera_row(words)[1])
        return PanelView("error", None, props, note)

    def view(self, snap: Snapshot) -> PanelView:
        locale = self.locale
        words = {"ok": t(locale, "OK"), "warning": t(locale, "FAILED"), "critical": t(locale, "DOWN"),
                 "nodata": t(locale, "NOT RUN YET")}
        if snap.link_down is not None:
            return self.link_down_view(snap, words)
        props: dict = {}
        rows = [(source, snap.sources.get(source.id)) for source in self.listed()]
        judged = [(source, status, self.row_state(status, source, snap.now)) for source, status in rows]
        states: list[str] = [state for _, _, state in judged]
        if len(judged) > self.slots():
            # More sources than rows (a province reading 35 kab/kota): the ones failing first, so
            # one down feed is never behind "NORMAL"; in config order when they all fit.
            judged.sort(key=lambda row: -ROW_ORDER[row[2]])
        newest = max((st.last_success for _, st in rows if st is not None and st.last_success), default=None)
        room, shown = self.slots() * ROW_REM, 0
        for i in range(self.slots()):
            row = self._row(i, *judged[i], snap.now, words) if i < len(judged) else None
            tall = row is not None and bool(row[f"s{i}-error"]["children"])
            room -= TALL_ROW_REM if tall else ROW_REM
            if row is None or room < 0:
                props[f"s{i}"] = {"className": "src", "style": {"display": "none"}}
                continue
            props.update(row)
            shown += 1
        hidden = len(judged) - shown
        if self.shows_cameras():
            cam_state, cam_props = self.camera_row(words)
            states.append(cam_state)
            props.update(cam_props)
        if not states or all(s == "nodata" for s in states):
            return PanelView("nodata", None, props, self.nodata_text())
        state = worst([s for s in states if s != "nodata"])
        updated = newest.astimezone(snap.now.tzinfo) if newest else None
        return PanelView(state, updated, props, t(locale, "+{n} more", n=hidden) if hidden else "")

    def _row(self, i: int, source: Any, status: Any, state: str, now: datetime, words: dict[str, str]) -> dict:
        """Row ``i``'s props: name, state, age of the last run and, when it failed, its error (on
        up to two lines: a row with an error is TALL_ROW_REM tall)."""
        locale = self.locale
        age, error = "", ""
        if status is not None and status.last_run is not None:
            age = formatting.ago(now - status.last_run.finished, locale)
            if status.last_run.ok:
                age += " · " + t(locale, "{n} rows", n=formatting.number(status.last_run.rows, locale))
            else:
                error = status.last_run.error or ""
        shown = _URL.sub(r"\1", error)  # the host says which server; its path is noise from across the room
        return {
            f"s{i}": {"className": f"src src-{state}" + (" src-tall" if error else ""), "style": {}},
            f"s{i}-name": {"children": source.id},
            f"s{i}-mark": {"children": f"{STATE_SHAPES[state]} {words[state]}"},
            f"s{i}-age": {"children": age},
            f"s{i}-error": {"children": shown, "title": error},
        }
