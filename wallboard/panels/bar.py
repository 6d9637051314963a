"""Bars, sorted: one indicator by region (``by: region``) or several indicators side by side
(``by: indicator``).

Bars are full-width boxes scaled down (``transform: scaleX``), so they scale with the screen and an
update is a handful of style changes the compositor animates without a layout (issue 23).
Each row prints its value; by indicator, each row also shows its state
with shape and word, like a panel badge.

A row never shrinks below the wall's smallest readable type (1.6 % of the screen height): with 21
kecamatan or 372 desa the panel shows as many of the largest as fit, sorted, and a last line
"+N lainnya" for the rest (all of them are on the drill page), or, with ``rotate:``, pages of
them in turn ("1–7 / 21"). By region, figures reported at the other level are rolled up by the
snapshot and the note says so.
"""

from __future__ import annotations

from typing import Literal

from dash import html
from pydantic import Field, model_validator

from wallboard import formatting, regions
from wallboard.config.models import Identifier, PanelBase
from wallboard.durations import Duration
from wallboard.i18n import translator
from wallboard.panels.base import STATE_SHAPES, Panel, PanelView, stale_count, stale_note, worst
from wallboard.panels.levels import level_note
from wallboard.rollup import RegionFigures, at_level
from wallboard.snapshot import Needs, Snapshot

t = translator("wall")
ROW_REM = 1.5  # smallest row: its type (0.62 of it, see panels.css) stays above 0.9 rem
GAP_REM = 0.35


class BarConfig(PanelBase):
    type: Literal["bar"]
    by: Literal["region", "indicator"] = "region"
    indicator: Identifier | None = None
    indicators: list[Identifier] | None = None
    limit: int = Field(12, ge=1, le=60)
    level: Literal["kecamatan", "desa"] = "kecamatan"  # by: region: which areas get a bar
    sort: Literal["desc", "asc"] = "desc"
    rotate: Duration | None = None  # page through every area (up to 60), this long per page

    @model_validator(mode="after")
    def _what_to_show(self) -> BarConfig:
        if self.by == "region" and not self.indicator:
            raise ValueError("by: region needs indicator:")
        if self.by == "indicator" and not self.indicators:
            raise ValueError("by: indicator needs indicators: [...]")
        return self

    def indicator_ids(self) -> list[str]:
        return [self.indicator] if self.by == "region" else list(self.indicators or [])


class BarPanel(Panel):
    Config = BarConfig
    config: BarConfig

    def fit(self) -> int:
        """Rows of readable size the body holds, at least one."""
        return max(1, int((self.body_rem() + GAP_REM) // (ROW_REM + GAP_REM)))

    def page_size(self) -> int:
        """Bars on one page of a rotating panel: what fits, less the line that says which page."""
        return max(1, self.fit() - 1)

    def slots(self) -> int:
        """Bars drawn: up to ``limit`` and what fits, keeping a line for "+N lainnya" when some
        areas (or indicators) cannot have a bar; with ``rotate``, every area (pages of them)."""
        total = len(self.config.indicators or []) if self.config.by == "indicator" else len(self._areas())
        if self.config.rotate:
            return max(1, min(total or self.config.limit, 60))
        total = total or self.config.limit
        shown = min(total, self.config.limit, self.fit())
        return max(1, shown - 1) if total > shown and shown == self.fit() else shown

    def _areas(self) -> tuple:
        site = self.wall.config.site.region
        return regions.kecamatan(site) if self.config.level == "kecamatan" else regions.desa(site)

    def needs(self) -> Needs:
        needs = Needs(indicators=set(self.config.indicator_ids()))
        if self.config.by == "region":
            needs.regions = {(self.config.indicator, self.config.level)}
        return needs

    def body(self) -> list:
        rows = []
        for i in range(self.slots()):
            rows.append(html.Div(id=self.cid(f"b{i}"), className="bar-row", style={"display": "none"}, children=[
                html.Span(id=self.cid(f"b{i}-label"), className="bar-label"),
                html.Div(className="bar-track", children=html.Div(id=self.cid(f"b{i}-fill"), className="bar-fill")),
                html.Span(id=self.cid(f"b{i}-value"), className="bar-value"),
            ]))
        rows.append(html.Div(id=self.cid("more"), className="bar-more", style={"display": "none"}))
        if not self.config.rotate:
            return [html.Div(rows, id=self.cid("list"), className="bar-list", style={"--rows": self.fit()})]
        # panels.js shows one page at a time (on the server's clock) and writes "1–7 / 21" here.
        rows.append(html.Div(className="bar-page"))
        return [html.Div(rows, id=self.cid("list"), className="bar-list", style={"--rows": self.fit()},
                         **{"data-rotate": int(self.config.rotate.total_seconds() * 1000),
                            "data-page-size": self.page_size()})]

    def figures(self, snap: Snapshot, current) -> RegionFigures:
        indicator = self.wall.indicator(self.config.indicator)
        return snap.regions.get((self.config.indicator, self.config.level)) or at_level(
            current.by_region, self.config.level, indicator.aggregate if indicator else "sum",
            self.wall.config.site.region)

    def rows(self, snap: Snapshot) -> tuple[list[tuple[str, float, str, str]], list[str], object]:
        """(label, value, text, state) per bar, the states that make the panel's, and the newest time."""
        out, states, newest = [], [], None
        self._level_note = ""
        self._stale = 0
        if self.config.by == "region":
            state, current = self.indicator_state(snap, self.config.indicator)
            if current is None or current.value is None:
                return [], ["nodata"], None
            indicator = self.wall.indicator(self.config.indicator)
            site = self.wall.config.site.region
            figures = self.figures(snap, current)
            self._level_note = level_note(figures, self.locale)
            # Reported for the whole kabupaten/kota only: one bar for the site beats an empty panel.
            shown = figures.values or current.by_region
            stale = snap.stale.get((self.config.indicator, self.config.level), set())
            self._stale = len(stale & set(shown))
            for code, value in shown.items():
                label = regions.name(code) if code != site else self.wall.config.site.name
                # A stale area keeps its last figure, marked: on a province wall, a kab/kota whose
                # own wallboard stopped answering.
                out.append((label, value, formatting.value(value, indicator, self.locale),
                            "stale" if code in stale else ""))
            return out, [state, "stale"] if stale & set(shown) else [state], current.time
        for indicator_id in self.config.indicators or []:
            state, current = self.indicator_state(snap, indicator_id)
            states.append(state)
            indicator = self.wall.indicator(indicator_id)
            label = indicator.label.text(self.locale) if indicator else indicator_id
            if current is None or current.value is None:
                continue
            if current.time is not None and (newest is None or current.time > newest):
                newest = current.time
            out.append((label, current.value, formatting.value(current.value, indicator, self.locale), state))
        return out, states, newest

    def view(self, snap: Snapshot) -> PanelView:
        rows, states, newest = self.rows(snap)
        rows.sort(key=lambda r: r[1], reverse=self.config.sort == "desc")
        hidden = max(0, len(rows) - self.slots())
        rows = rows[: self.slots()]
        top = max((abs(r[1]) for r in rows), default=0) or 1
        lines = len(rows) + (1 if hidden else 0)
        if self.config.rotate:
            lines = min(len(rows), self.page_size()) + 1
        props: dict = {"list": {"style": {"--rows": max(lines, min(4, self.fit()))}}}
        props["more"] = ({"children": t(self.locale, "+{n} more", n=hidden), "style": {}} if hidden
                         else {"children": "", "style": {"display": "none"}})
        for i in range(self.slots()):
            if i >= len(rows):
                props[f"b{i}"] = {"style": {"display": "none"}, "className": "bar-row"}
                continue
            label, value, text, state = rows[i]
            mark = f"{STATE_SHAPES[state]} " if state else ""
            props[f"b{i}"] = {"style": {}, "className": f"bar-row bar-{state or 'plain'}"}
            props[f"b{i}-label"] = {"children": label, "title": label}
            # A full-width fill scaled down: a change of value moves on the compositor, no layout.
            props[f"b{i}-fill"] = {"style": {"transform": f"scaleX({abs(value) / top:.3f})"}}
            props[f"b{i}-value"] = {"children": mark + text}
        if not rows:
            return PanelView("nodata", None, props, self.nodata_text())
        state = worst([s for s in states if s != "nodata"] or ["nodata"])
        note = stale_note(state, newest, snap.now, self.locale)
        areas = stale_count(self._stale, self.locale) if self._stale else ""
        return PanelView(state, newest, props, " · ".join(p for p in (self._level_note, note, areas) if p))
