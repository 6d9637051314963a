"""Figures per kecamatan or per desa, whatever level the source reported them at.

A work unit reports at the level it works at: the health office per puskesmas (kecamatan), the
village fund per desa. A map or bar asks for one level; this module answers from what exists
instead of drawing an empty map:

- asked for kecamatan, given desa: each kecamatan is its desa combined with the indicator's
  ``aggregate`` (sum, mean or last), and the answer says it was rolled up;
- asked for desa, given only kecamatan: a kecamatan figure cannot be split honestly among its
  desa, so the answer stays at kecamatan level and says so; the panel then draws kecamatan.

The hub computes these once per snapshot (``Needs.regions``), so panels never combine figures
themselves and every wall shows the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from wallboard.indicators import combine

LEVELS = {"kecamatan": 3, "desa": 4}  # parts of a dotted Kemendagri code: 33.08.01 / 33.08.01.2001


@dataclass(frozen=True)
class RegionFigures:
    """What a panel at ``wanted`` level shows: ``values`` keyed by code at ``level``."""

    wanted: str
    level: str
    values: dict[str, float] = field(default_factory=dict)
    rolled_from: str | None = None  # "desa" when kecamatan figures were combined from desa ones
    aggregate: str = "sum"

    @property
    def coarser(self) -> bool:
        """True when the panel asked for desa but only kecamatan figures exist."""
        return self.level != self.wanted


def level_of(code: str) -> str | None:
    parts = code.count(".") + 1
    return next((name for name, n in LEVELS.items() if n == parts), None)


def parent(code: str) -> str:
    """The kecamatan a desa code lies in: ``33.08.01.2001`` -> ``33.08.01``."""
    return code.rsplit(".", 1)[0]


def roll_up(desa: Mapping[str, float], aggregate: str) -> dict[str, float]:
    """Desa figures combined per kecamatan. ``desa`` is ordered oldest reading first (as the
    snapshot builds it), so ``last`` takes the newest desa reading of each kecamatan."""
    groups: dict[str, list[float]] = {}
    for code, value in desa.items():
        groups.setdefault(parent(code), []).append(value)
    return {code: combine(values, aggregate) for code, values in groups.items()}


def _depth(site: str) -> int:
    """Parts of the site's own code: 0 for the country (``00``), 1 for a province, 2 for a kab/kota."""
    return 0 if site == "00" else site.count(".") + 1


def _under(code: str, site: str) -> bool:
    return site == "00" or code.startswith(site + ".")


def _above_kabupaten(by_region: Mapping[str, float], wanted: str, aggregate: str, site: str) -> RegionFigures:
    """A province (or national) wall: its areas are the level below it (kab/kota, or provinces).

    Each area is its own figure when it reported one, else its finer figures combined with the
    indicator's aggregate, from the coarsest finer level present in it (never a kecamatan and its desa
    both, which would count people twice). ``desa`` asks for the level below the areas, kept as is.
    """
    parts = _depth(site) + (1 if wanted == "kecamatan" else 2)
    exact: dict[str, float] = {}
    groups: dict[str, dict[int, list[float]]] = {}
    for code, value in by_region.items():
        n = code.count(".") + 1
        if not _under(code, site) or n < parts:
            continue
        if n == parts:
            exact[code] = value
        else:
            groups.setdefault(".".join(code.split(".")[:parts]), {}).setdefault(n, []).append(value)
    rolled = {area: combine(found[min(found)], aggregate) for area, found in groups.items() if area not in exact}
    return RegionFigures(wanted, wanted, {**exact, **rolled}, "areas" if rolled else None, aggregate)


def at_level(by_region: Mapping[str, float], wanted: str, aggregate: str, site: str) -> RegionFigures:
    """The figures a panel at ``wanted`` level shows, from figures at any level under ``site``.

    On a province or national wall ``kecamatan`` means the site's own areas (kab/kota, provinces)."""
    if _depth(site) < 2:
        return _above_kabupaten(by_region, wanted, aggregate, site)
    split: dict[str, dict[str, float]] = {name: {} for name in LEVELS}
    for code, value in by_region.items():
        name = level_of(code)
        if name is not None and code.startswith(site + "."):
            split[name][code] = value
    kecamatan, desa = split["kecamatan"], split["desa"]
    if wanted == "desa":
        if desa or not kecamatan:
            return RegionFigures("desa", "desa", desa, None, aggregate)
        return RegionFigures("desa", "kecamatan", kecamatan, None, aggregate)
    rolled = {code: v for code, v in roll_up(desa, aggregate).items() if code not in kecamatan}
    return RegionFigures("kecamatan", "kecamatan", {**kecamatan, **rolled}, "desa" if rolled else None, aggregate)
