"""What a map or bar says when its figures come from another level than it was set up for.

An operator must never mistake a kecamatan figure spread over desa, or a sum of desa, for a
figure the work unit reported itself; the panel note says which it is.
"""

from __future__ import annotations

from wallboard.i18n import translator
from wallboard.rollup import RegionFigures

t = translator("wall")

_ROLLED = {
    "sum": "Per kecamatan: sum of its desa",
    "mean": "Per kecamatan: mean of its desa",
    "last": "Per kecamatan: latest desa figure",
}

_AREAS = {
    "sum": "Per area: sum of its kecamatan/desa",
    "mean": "Per area: mean of its kecamatan/desa",
    "last": "Per area: latest figure within it",
}


def level_text(figures: RegionFigures, locale: str) -> str:
    """One short line, or "" when the figures are at the level the panel asked for."""
    if figures.coarser:
        return t(locale, "Per kecamatan (no desa figures)")
    if figures.rolled_from == "desa":
        return t(locale, _ROLLED.get(figures.aggregate, _ROLLED["sum"]))
    if figures.rolled_from == "areas":  # a province wall: kab/kota combined from their own areas
        return t(locale, _AREAS.get(figures.aggregate, _AREAS["sum"]))
    return ""


def level_note(figures: RegionFigures, locale: str, note: str = "") -> str:
    """The panel note: what the figures are, then their age when that needs saying."""
    return " · ".join(part for part in (level_text(figures, locale), note) if part)
