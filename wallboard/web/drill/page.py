"""What a drill page shows, gathered into one context for its template (and one ``Table`` for export).

Three kinds of page: an indicator panel (history, threshold crossings, breakdown by area), an
``events`` panel (filtered list and detail) and any other panel (its sources' recent runs). All
three share the header: title, owner work unit, sources, data age and the source runs with errors.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from babel.dates import format_datetime
from babel.numbers import format_decimal

from wallboard import formatting, regions
from wallboard.i18n import translator
from wallboard.indicators import levels_for, region_levels, threshold_state
from wallboard.panels.events import status_label
from wallboard.panels.mapscale import scale_for
from wallboard.secrets import redact
from wallboard.snapshot import inside, peer_regions
from wallboard.store.drill import (
    EventFilter,
    event,
    event_facets,
    events_between,
    raw_between,
    series_between,
    source_runs,
)
from wallboard.store.drill import regions_with_data as data_regions
from wallboard.web.drill import breakdown, history
from wallboard.web.drill.export import Cell, Table, number_cell, text_cell
from wallboard.web.drill.params import RANGES, DrillState, parse

t = translator("drill")
RANGE_LABELS = {"24h": "24 hours", "7d": "7 days", "30d": "30 days", "1y": "1 year"}


@dataclass
class Drill:
    """One drill page request: the panel, its state from the URL, and the running wall's parts."""

    runtime: Any
    panel: Any
    state: DrillState
    now: datetime

    @property
    def config(self) -> Any:
        return self.runtime.config

    @property
    def locale(self) -> str:
        return self.config.site.locale

    @property
    def zone(self) -> Any:
        return self.config.site.zone

    def tr(self, message: str, **values: Any) -> str:
        return t(self.locale, message, **values)

    @property
    def kind(self) -> str:
        if self.panel.type == "events":
            return "events"
        return "indicator" if self.panel.indicator_ids() else "sources"

    @property
    def indicator_id(self) -> str | None:
        ids = self.panel.indicator_ids()
        return self.state.indicator or (ids[0] if ids else None)

    @property
    def indicator(self) -> Any:
        return next((i for i in self.config.indicators if i.id == self.indicator_id), None)

    @property
    def judged(self) -> Any:
        """The indicator when levels apply to the figure shown, else None.

        The same levels the wall and its alerts use (``indicators.levels_for``): the site's figure
        is judged by ``thresholds``, one area's figure only by per-region levels
        (``region_thresholds`` or ``per_region``): a city-wide total says nothing of one area's share.
        """
        ind = self.indicator
        site = self.config.site.region
        return ind if ind is not None and levels_for(ind, self.state.region, site) is not None else None

    def judge_areas(self) -> Any:
        """Per-area rows are judged only by per-region levels, as the alerts judge areas."""
        ind = self.indicator
        return ind if region_levels(ind) is not None else None

    def href(self, **changes: Any) -> str:
        return f"/panel/{self.panel.id}" + self.state.query(**changes)

    def when(self, ts: int | datetime | None, pattern: str = "d MMM y HH.mm") -> str:
        if ts is None:
            return "–"
        moment = ts if isinstance(ts, datetime) else datetime.fromtimestamp(ts, UTC)
        return format_datetime(moment.astimezone(self.zone), pattern, locale=self.locale)

    def duration(self, seconds: float) -> str:
        return formatting.age(timedelta(seconds=seconds), self.locale)


def find_panel(config: Any, panel_id: str) -> Any | None:
    """The panel with this id on any screen, if it allows drilling down."""
    for screen in config.screens:
        for panel in screen.all_panels():
            if panel.id == panel_id:
                return panel if panel.drill else None
    return None


def make(runtime: Any, panel: Any, args: Any, now: datetime | None = None) -> Drill:
    now = now or datetime.now(UTC)
    config = runtime.config
    today = now.astimezone(config.site.zone).date()
    state = parse(args, config.site.region, panel.indicator_ids(), today)
    return Drill(runtime, panel, state, now)


# -- the shared header -------------------------------------------------------------------------

def panel_title(d: Drill) -> str:
    if d.panel.title is not None:
        return d.panel.title.text(d.locale)
    if d.kind == "events":
        return d.tr("Latest events")
    if d.indicator is not None:
        return d.indicator.label.text(d.locale)
    return d.panel.id


def source_ids(d: Drill) -> list[str]:
    """The sources behind this panel: the events source, those writing the indicator, else all."""
    config = d.config
    if d.kind == "events":
        return [d.panel.source]
    if d.kind == "indicator":
        named = [s.id for s in config.sources if d.indicator_id in s.indicator_ids()]
        if d.state.region:
            # A province's area: only the kab/kota wallboard speaking for it, not all 35.
            pinned = peer_regions(config)
            named = [s for s in named if s not in pinned or inside(d.state.region, pinned[s])
                     or inside(pinned[s], d.state.region)]
        return named or [s.id for s in config.sources if s.indicators_from_data()]
    return [s.id for s in config.sources]


def sources_box(d: Drill) -> list[dict]:
    out = []
    for source, runs in source_runs(d.runtime.store, source_ids(d)).items():
        out.append({"id": source, "runs": [{
            "when": d.when(r.finished, "d MMM HH.mm.ss"), "ok": r.ok, "rows": r.rows, "rejected": r.rejected,
            "combined": r.combined, "duplicates": r.duplicates, "notes": redact(r.notes or ""),
            "error": r.error or "",
            "took": format_decimal((r.finished - r.started).total_seconds(), "0.0", locale=d.locale) + " s",
        } for r in runs]})
    return out


def ranges(d: Drill) -> list[dict]:
    out = [{"label": d.tr(RANGE_LABELS[key]), "href": d.href(range=key, day_from=None, day_to=None, event=None),
            "active": d.state.range == key} for key in RANGES]
    return out


def crumbs(d: Drill) -> list[dict]:
    site = d.config.site.region
    out = [{"label": regions.name(site), "href": d.href(region=None, event=None)}]
    if d.state.region:
        # Every area between the site and the one open (a province's kab/kota above a kecamatan).
        parts = d.state.region.split(".")
        for n in range(regions.depth(site) + 1, len(parts)):
            code = ".".join(parts[:n])
            out.append({"label": regions.name(code), "href": d.href(region=code, event=None)})
        out.append({"label": regions.name(d.state.region), "href": None})
    return out


def base_context(d: Drill) -> dict:
    start, end, _ = d.state.window(d.now, d.zone)
    fresh = d.runtime.store.freshness([d.indicator_id]).get(d.indicator_id) if d.indicator_id else None
    age = formatting.data_age(timedelta(seconds=fresh.age), d.locale) if fresh and fresh.age is not None else None
    if d.kind != "indicator":
        # Events and status panels: as old as their sources' last successful run.
        ok = [s.last_success for s in d.runtime.store.source_status(source_ids(d)).values() if s.last_success]
        age = formatting.data_age(d.now - max(ok), d.locale) if ok else None
    return {
        "tr": d.tr, "locale": d.locale, "theme": d.config.site.theme, "site": d.config.site.name,
        "panel": d.panel, "title": panel_title(d), "kind": d.kind,
        "owner": d.indicator.owner if d.indicator is not None and d.indicator.owner else "",
        "sources": sources_box(d), "ranges": ranges(d), "state": d.state, "crumbs": crumbs(d),
        "period": f"{d.when(start)} – {d.when(end)}",
        "age": age or d.tr("No data yet"),
        "custom_from": (d.state.day_from or (d.now.astimezone(d.zone) - timedelta(days=6)).date()).isoformat(),
        "custom_to": (d.state.day_to or d.now.astimezone(d.zone).date()).isoformat(),
        "export_csv": f"/panel/{d.panel.id}/export.csv" + d.state.query(),
        "export_xlsx": f"/panel/{d.panel.id}/export.xlsx" + d.state.query(),
        "indicators": [{"label": _indicator_label(d, i), "href": d.href(indicator=i), "active": i == d.indicator_id}
                       for i in d.panel.indicator_ids()] if len(d.panel.indicator_ids()) > 1 else [],
    }


def _indicator_label(d: Drill, indicator_id: str) -> str:
    ind = next((i for i in d.config.indicators if i.id == indicator_id), None)
    return ind.label.text(d.locale) if ind is not None else indicator_id


# -- indicator pages ---------------------------------------------------------------------------

def series_codes(d: Drill, have: set[str]) -> list[str]:
    """The areas whose figures make up the history: the open area's (or the site's) own when it has
    readings, else the readings inside it that no coarser reading inside it already covers (a
    kecamatan's own figure, not again its desa), as the breakdown rolls them up."""
    top = d.state.region or d.config.site.region
    if top in have:
        return [top]
    inside = {c for c in have if regions.under(c, top)}
    return sorted(c for c in inside if not any(p in inside for p in _ancestors(c)))


def _ancestors(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts))]


AREA_WORDS = {1: ("Province", "province"), 2: ("Kabupaten/Kota", "kabupaten/kota"),
              3: ("Kecamatan", "kecamatan"), 4: ("Desa/Kelurahan", "desa/kelurahan")}
ROLLED_FROM = {1: "from kabupaten/kota", 2: "from kecamatan", 3: "from desa"}


def listed(d: Drill) -> int:
    """The level of the areas the page lists (2 kab/kota, 3 kecamatan, 4 desa/kelurahan)."""
    return breakdown.listed_level(d.config.site.region, d.state.region)


def area_link(d: Drill, code: str) -> str | None:
    """Areas with areas inside them open their own page; a desa/kelurahan is the bottom."""
    return d.href(region=code, event=None) if regions.level(code) < 4 else None


def breakdown_table(d: Drill, rows: list[breakdown.Row]) -> Table:
    digits = breakdown.decimals(d.indicator)
    area = d.tr(AREA_WORDS[listed(d)][0])
    table = Table([d.tr("Code"), area, d.tr("Latest value"), d.tr("Latest time"), d.tr("Mean"), d.tr("Lowest"),
                   d.tr("Highest"), d.tr("Readings"), d.tr("Note")], numeric={2, 4, 5, 6, 7})
    words = {"ok": d.tr("normal"), "warning": d.tr("warning"), "critical": d.tr("critical")}
    for r in rows:
        link = area_link(d, r.code)
        note = d.tr("no data") if r.last is None else words.get(r.state, "")
        if r.rolled_up:
            note += " · " + d.tr(ROLLED_FROM[listed(d)])
        if listed(d) == 4 and r.kind == "kelurahan":
            note = (note + " · " if note else "") + d.tr("kelurahan")
        table.rows.append([
            text_cell(r.code), text_cell(r.name, link), number_cell(r.last, digits, d.locale),
            text_cell(d.when(r.last_ts)) if r.last_ts else Cell("–", None), number_cell(r.mean, digits, d.locale),
            number_cell(r.lo, digits, d.locale), number_cell(r.hi, digits, d.locale),
            number_cell(r.n, 0, d.locale), text_cell(note, css=f"state-{r.state}"),
        ])
    return table


def indicator_rows(d: Drill) -> list[breakdown.Row]:
    start, end, _ = d.state.window(d.now, d.zone)
    return breakdown.rows(d.runtime.store, d.indicator_id, d.indicator, d.config.site.region, d.state.region,
                          start, end, d.judge_areas())


def indicator_context(d: Drill) -> dict:
    ctx = base_context(d)
    store = d.runtime.store
    start, end, bucket = d.state.window(d.now, d.zone)
    have = data_regions(store, d.indicator_id)
    codes = series_codes(d, have)
    aggregate = d.indicator.aggregate if d.indicator is not None else "sum"
    chart_start = start // bucket * bucket
    points = series_between(store, d.indicator_id, codes, chart_start, end, bucket, aggregate)
    shift = -(-(end - chart_start) // bucket) * bucket
    previous = series_between(store, d.indicator_id, codes, chart_start - shift, chart_start, bucket, aggregate)
    labels = {"current": d.tr("This period"), "previous": d.tr("Previous period"), "warning": d.tr("Warning"),
              "critical": d.tr("Critical"), "target": d.tr("Target")}
    digits = breakdown.decimals(d.indicator)
    fmt = (lambda v: formatting.value(v, d.indicator, d.locale)) if d.indicator is not None else str
    site = d.config.site.region
    episodes = history.crossings(raw_points(d, codes, start, end) or points, d.judged, end, d.state.region, site)
    words = {"warning": d.tr("Warning"), "critical": d.tr("Critical")}
    rows = indicator_rows(d)
    table = breakdown_table(d, rows)
    texts = {r.code: fmt(r.last) for r in rows if r.last is not None}
    links = {r.code: link for r in rows if (link := area_link(d, r.code))}
    geo = breakdown.boundaries(d.config, getattr(d.runtime, "base_dir", None), d.state.region)
    nodata = d.tr("no data")
    ctx.update({
        "unit": formatting.unit(d.indicator, d.locale),
        "history": json.dumps(history.figure(points, previous, shift, d.judged, d.zone, labels,
                                             d.config.site.theme, d.state.region, site)) if points else None,
        "crossings": [{"start": d.when(c.start), "end": d.tr("ongoing") if c.ongoing else d.when(c.end),
                       "duration": d.duration(c.duration), "peak": fmt(c.peak), "level": words[c.level],
                       "css": f"state-{c.level}"} for c in episodes],
        "has_thresholds": d.judged is not None,
        "area_thresholds": d.indicator is not None and d.indicator.thresholds is not None and d.judged is None,
        "table": table,
        "area_word": d.tr(AREA_WORDS[listed(d)][1]),
        "shown": len(rows), "with_data": sum(1 for r in rows if r.last is not None),
        "bar": json.dumps(breakdown.bar_figure(rows, texts, links, d.config.site.theme))
        if any(r.last is not None for r in rows) else None,
        "map": json.dumps(breakdown.map_figure(geo, rows, texts, links, d.config.site.theme, nodata, d.indicator,
                                               d.locale))
        if geo is not None else None,
        "tiles": [{"name": r.name, "text": texts.get(r.code, nodata), "href": links.get(r.code),
                   "fill": _tile_fill(r, rows, d)} for r in sorted(rows, key=lambda r: r.code)] if geo is None else [],
        "digits": digits,
    })
    return ctx


def raw_points(d: Drill, codes: list[str], start: int, end: int) -> list[tuple[int, float]] | None:
    """The figure at each raw reading in the hours that may hold a crossing (see ``raw_between``)."""
    judged = d.judged
    if judged is None:
        return None
    up = judged.direction != "down"
    region = d.state.region

    def suspect(hi: float, lo: float) -> bool:
        return threshold_state(hi if up else lo, judged, region, d.config.site.region) != "ok"

    return raw_between(d.runtime.store, d.indicator_id, codes, start, end, judged.aggregate, suspect)


def _tile_fill(row: breakdown.Row, rows: list[breakdown.Row], d: Drill) -> str:
    """The wall map's fixed bins (``mapscale``), as on the drawn map."""
    if row.last is None:
        return ""
    return scale_for(d.indicator, [r.last for r in rows if r.last is not None], d.locale).colour(row.last)


# -- events pages ------------------------------------------------------------------------------

def event_filter(d: Drill, statuses: list[str], categories: list[str]) -> EventFilter:
    start, end, _ = d.state.window(d.now, d.zone)
    return EventFilter(
        start=datetime.fromtimestamp(start, UTC), end=datetime.fromtimestamp(end + 1, UTC),
        statuses=tuple(s for s in d.state.statuses if s in statuses),
        categories=tuple(c for c in d.state.categories if c in categories),
        region=d.state.region,
    )


def events_table(d: Drill) -> tuple[Table, dict]:
    store = d.runtime.store
    statuses, categories = event_facets(store, d.panel.source)
    where = event_filter(d, statuses, categories)
    events = events_between(store, d.panel.source, where)
    site = d.config.site.region
    table = Table([d.tr("Time"), d.tr("Age"), d.tr("Status"), d.tr("Category"), d.tr("Area"), d.tr("Title"),
                   d.tr("Reference")])
    for e in events:
        label, css = status_label(e.status, d.locale)
        where_name = _place(e.region, site)
        table.rows.append([
            text_cell(d.when(e.time)), text_cell(d.duration((d.now - e.time).total_seconds())),
            Cell(label, label, None, css), text_cell(e.category), text_cell(where_name),
            text_cell(e.title or e.ref, d.href(event=e.ref)), text_cell(e.ref),
        ])
    facets = {"statuses": statuses, "categories": categories, "where": where}
    return table, facets


def _place(code: str | None, site: str) -> str:
    if not code:
        return ""
    if not code.startswith(site):
        return code
    if regions.level(code) == 4:
        return f"{regions.name(code)}, {regions.name(code.rsplit('.', 1)[0])}"
    return regions.name(code)


def events_context(d: Drill) -> dict:
    ctx = base_context(d)
    table, facets = events_table(d)
    store = d.runtime.store
    detail = event(store, d.panel.source, d.state.event) if d.state.event else None
    site = d.config.site.region
    ctx.update({
        "table": table,
        "statuses": [{"value": s, "label": status_label(s, d.locale)[0], "on": s in facets["where"].statuses}
                     for s in facets["statuses"]],
        "categories": [{"value": c, "on": c in facets["where"].categories} for c in facets["categories"]],
        "area_label": d.tr(AREA_WORDS[regions.depth(site) + 1][0]),
        "kecamatan": [{"value": k.code, "label": k.name, "on": k.code == d.state.region}
                      for k in regions.kecamatan(site)],
        "detail": None if detail is None else {
            "title": detail.title or detail.ref, "ref": detail.ref, "status": status_label(detail.status, d.locale)[0],
            "category": detail.category, "place": _place(detail.region, site), "code": detail.region or "",
            "time": d.when(detail.time), "updated": d.when(detail.updated),
            "age": d.duration((d.now - detail.time).total_seconds()), "detail": detail.detail,
            "close": d.href(event=None),
        },
        "shown": len(table.rows),
    })
    return ctx
