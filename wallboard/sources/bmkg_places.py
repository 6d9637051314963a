"""Where the site is, for the BMKG feeds: its boundary (for distances) and its names (for matching text).

A quake's distance is measured to the kabupaten/kota's own boundary as downloaded by
``wallboard regions fetch`` (the kecamatan polygons, ``data/regions/CODE-kecamatan.geojson``): 0 km
inside it, else the great-circle distance to the nearest boundary vertex (a few hundred metres of
error at most for these files, nothing next to a 150 km radius). Without the file there is no
distance, and only a ``Dirasakan`` naming the site makes a quake local.

BMKG names places in free text ("II - III Magelang, II Temanggung"; "Kab. Semarang: Bergas, Ungaran
Barat"), so names are compared as lower-case words with the "Kabupaten"/"Kota"/"Kab." prefixes
dropped.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wallboard import regions

EARTH_KM = 6371.0088
_KIND_NAMED = re.compile(r"(?<!\w)(kabupaten|kab\.?|kota)\s+\w", re.IGNORECASE)
_PREFIX = re.compile(r"^(kabupaten|kab\.?|kota administrasi|kota adm\.?|kota)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Site:
    code: str
    name: str  # "Kabupaten Magelang"
    is_city: bool
    kecamatan: tuple[tuple[str, str], ...]  # (code, name)
    rings: tuple[tuple[tuple[float, float], ...], ...]  # (lon, lat) rings of the site's area; empty: none

    def short(self) -> str:
        """The name as BMKG writes it: "Magelang" for Kabupaten Magelang."""
        return _PREFIX.sub("", self.name).strip()

    def distance_km(self, lat: float, lon: float) -> float | None:
        """0 inside the site, else km to its nearest boundary vertex; None without boundaries."""
        if not self.rings:
            return None
        if any(_inside(lon, lat, ring) for ring in self.rings):
            return 0.0
        return min(haversine(lat, lon, y, x) for ring in self.rings for x, y in ring)

    def names_site(self, text: str) -> bool:
        """Does free text name the site's kabupaten/kota or one of its kecamatan?

        When the text names kabupaten/kota with their kind ("Kab. Purworejo: Grabag"), only the
        site's own is looked for: a kecamatan name alone may belong to another kabupaten (Grabag is
        in Magelang and in Purworejo)."""
        if _KIND_NAMED.search(text):
            return self.names_kabupaten(text)
        return self.names_kabupaten(text) or self.named_kecamatan(text) is not None

    def named_kecamatan(self, text: str) -> str | None:
        """The code of the first kecamatan of the site the text names, if any."""
        for code, name in self.kecamatan:
            if _has_words(text, name):
                return code
        return None

    def names_kabupaten(self, text: str) -> bool:
        """The kabupaten/kota itself, with its kind when the text gives one ("Kota Magelang" is not
        the Kabupaten)."""
        short = re.escape(self.short().lower())
        kinds = [(m.group(1) or "").rstrip(".") for m in
                 re.finditer(r"(?<!\w)(?:(kabupaten|kab\.?|kota)\s+)?" + short + r"(?!\w)", text.lower())]
        if any(kinds):  # the text says which one it means: "Kota Magelang: Magelang Utara" is not the Kabupaten
            return any(kind and (kind == "kota") == self.is_city for kind in kinds)
        return bool(kinds)


def _has_words(text: str, name: str) -> bool:
    return re.search(r"(?<![\w])" + re.escape(name.lower()) + r"(?![\w])", text.lower()) is not None


def load_site(code: str, boundaries: Path | None) -> Site:
    region = regions.kabupaten_kota(code)
    name = region.name if region is not None else code
    kec = tuple((k.code, k.name) for k in regions.kecamatan(code))
    rings: tuple = ()
    if boundaries is not None and boundaries.is_file():
        rings = tuple(_rings(json.loads(boundaries.read_text(encoding="utf-8")), code))
    return Site(code, name, name.lower().startswith("kota"), kec, rings)


def _rings(collection: Any, code: str) -> list[tuple[tuple[float, float], ...]]:
    out = []
    for feature in collection.get("features", []) if isinstance(collection, dict) else []:
        props = feature.get("properties") or {}
        fcode = str(props.get("code") or feature.get("id") or "")
        if fcode and not (fcode == code or fcode.startswith(code + ".")):
            continue
        geometry = feature.get("geometry") or {}
        polygons = geometry.get("coordinates") or []
        if geometry.get("type") == "Polygon":
            polygons = [polygons]
        for polygon in polygons:
            if polygon:
                out.append(tuple((float(p[0]), float(p[1])) for p in polygon[0]))
    return out


def _inside(x: float, y: float, ring: tuple[tuple[float, float], ...]) -> bool:
    """Ray casting; the ring is (lon, lat) pairs."""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / ((yj - yi) or 1e-12) + xi:
            inside = not inside
        j = i
    return inside


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def province_name(code: str) -> str:
    """"Jawa Tengah" for 33.08: what BMKG's warnings name."""
    return regions.name(code[:2])
