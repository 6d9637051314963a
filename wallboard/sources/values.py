"""Numbers and times as the work units write them, read into floats and epoch seconds.

Indonesian exports write ``1.234.567,89``, ``Rp 15.250`` and ``85,5%``; some systems write
``1,234,567.89`` or plain ``85.5``. The rule that reads both: when both separators appear, the
last one is the decimal mark; a lone comma is a decimal mark; dots alone are thousands separators
when they group digits by three (``15.250``), else a decimal point (``85.5``); a leading ``0.`` or
``0,`` is always a decimal (``0.875``). What one value cannot tell (``1.234``: a thousand or one
point two?) its column tells: ``decimal_evidence`` says what a value proves about its column's
decimal mark, and a column whose values prove a dot (``2.75``) reads ``1.234`` as 1.234 (the Mapper
looks at the column first; a column proving both marks is refused, not guessed). Amounts in words
(``Rp 1,5 M``, ``1,2 jt``, ``15 rb``, ``3,5 juta``, ``Rp 2 T``) are the amounts they name. Times arrive as
``27/11/2026`` (day first, always), ``2026-11-27 14:05``, ``27 Nov 2026``, epoch numbers or
spreadsheet/database datetimes; naive ones are read in the site's time zone, and a trailing
``WIB``/``WITA``/``WIT`` names the zone explicitly. A time cut inside (``2026-12-02 14``, an hour
without its minutes) is refused: no one can say which minute it was.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

_CURRENCY = re.compile(r"^(?:rp\.?|idr)\s*", re.IGNORECASE)
_SUFFIX = re.compile(r"\s*(?:%|rp|idr|,-|\.-)$", re.IGNORECASE)
# A thousands group never starts with 0: ``0.875`` is a decimal, not 875.
_GROUPED_DOTS = re.compile(r"^[1-9]\d{0,2}(?:\.\d{3})+$")
_GROUPED_COMMAS = re.compile(r"^[1-9]\d{0,2}(?:,\d{3})+$")
_PLAIN = re.compile(r"^\d+(?:\.\d+)?$|^\.\d+$")
# The common Indonesian shapes (12, 1.234, 1.234.567,89, 85,5) in one match, before the general rule.
_COMMON = re.compile(r"^(-?)([1-9]\d{0,2}(?:\.\d{3})+|\d+)(?:,(\d+))?$")
COMMON_SHAPE = _COMMON  # bulk.py reads texts of this shape at once, the way _parse_number_text does
# Amounts in words, as budgets are written: rb/ribu, jt/juta, M/miliar, T/triliun. The single
# letters only in capitals: ``1,5 m`` is a water level in metres, not one and a half billion.
_MAGNITUDE = re.compile(r"(?i:ribu|rb|juta|jt|miliar|milyar|triliun|trilyun)\.?$|(?<=[\d.,])(?:M|T)$")
_MULTIPLIER = {"ribu": 10**3, "rb": 10**3, "juta": 10**6, "jt": 10**6, "miliar": 10**9, "milyar": 10**9,
               "m": 10**9, "triliun": 10**12, "trilyun": 10**12, "t": 10**12}
_SEPARATED = re.compile(r"^[\d.,]+$")
DOT, COMMA = ".", ","

_ZONES = {"wib": "Asia/Jakarta", "wita": "Asia/Makassar", "wit": "Asia/Jayapura"}
_TIME = r"(?:[ T,]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?"
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})" + _TIME + r"$")
_YMD = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})" + _TIME + r"$")
_NAMED = re.compile(r"^(?:[a-z]+,\s*)?(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})" + _TIME + r"$")
_ZONE_SUFFIX = re.compile(r"\s+(wib|wita|wit)$")
# A date and an hour without its minutes (``2026-12-02 14``): Python's fromisoformat would take it
# for 14:00, but the export cut the time short, and which minute it was no one can say.
_CUT = re.compile(r"^(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}/\d{1,2}/\d{1,2}"
                  r"|\d{1,2}\s+[a-z]+\.?\s+\d{4})[ t,]+\d{1,2}(?:z|[+-]\d{2}(?::?\d{2})?)?$")


class ValueProblem(ValueError):
    """One record's value could not be read; the message is the reason counted in the run."""


def parse_number(value: object, decimal: str | None = None) -> float:
    """A number as written; ``decimal``: the column's decimal mark when its values proved a dot
    (``"."``), so ``1.234`` there is 1.234. None (the usual case) reads the Indonesian way."""
    if type(value) is str:  # the common case first: text from a file or an API
        return _parse_number_text(value) if decimal != DOT else _parse_dot_decimal(value)
    if isinstance(value, bool):
        raise ValueProblem(f"bukan angka: {value!r}")
    if isinstance(value, int | float | Decimal):
        number = float(value)
        if not math.isfinite(number):
            raise ValueProblem(f"bukan angka: {value!r}")
        return number
    if value is None:
        raise ValueProblem("nilai kosong")
    return parse_number(str(value), decimal)


@lru_cache(maxsize=65536)
def _parse_number_text(raw: str) -> float:
    common = _COMMON.match(raw)
    if common:
        sign, whole, fraction = common.groups()
        number = float(whole.replace(".", "") + ("." + fraction if fraction else ""))
        return -number if sign else number
    negative, text, multiplier = _bare(raw)
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        text = text.replace(thousands, "").replace(decimal_mark, ".")
    elif "," in text:
        text = text.replace(",", "") if _GROUPED_COMMAS.match(text) and text.count(",") > 1 else text.replace(",", ".")
    elif text.count(".") > 1 or _GROUPED_DOTS.match(text):
        if not _GROUPED_DOTS.match(text):
            raise ValueProblem(f"bukan angka: {raw!r}")
        text = text.replace(".", "")
    return _finish(text, raw, negative, multiplier)


@lru_cache(maxsize=16384)
def _parse_dot_decimal(raw: str) -> float:
    """In a column whose values prove a dot decimal: commas only group thousands (``1,234.5``)."""
    negative, text, multiplier = _bare(raw)
    if "," in text:
        whole, _, fraction = text.partition(".")
        if not _GROUPED_COMMAS.match(whole):
            raise ValueProblem(f"bukan angka: {raw!r}")
        text = whole.replace(",", "") + ("." + fraction if fraction else "")
    return _finish(text, raw, negative, multiplier)


def _bare(raw: str) -> tuple[bool, str, int]:
    """(negative, the digits and separators, multiplier) of a written number: spaces, brackets,
    ``Rp``, ``%``, ``,-`` and an amount word (``jt``, ``M``) taken off."""
    text = raw.strip().replace("\u00a0", "").replace(" ", "")
    if not text or text in {"-", "--"}:
        raise ValueProblem("nilai kosong")
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    text = _SUFFIX.sub("", _CURRENCY.sub("", text))
    if text.startswith("-"):
        negative, text = not negative, text[1:]
    elif text.startswith("+"):
        text = text[1:]
    text = _SUFFIX.sub("", _CURRENCY.sub("", text))
    multiplier = 1
    if magnitude := _MAGNITUDE.search(text):
        multiplier = _MULTIPLIER[magnitude.group(0).rstrip(".").lower()]
        text = text[: magnitude.start()]
    return negative, text, multiplier


def _finish(text: str, raw: str, negative: bool, multiplier: int) -> float:
    if not _PLAIN.match(text):
        raise ValueProblem(f"bukan angka: {raw!r}")
    # Decimal, so 1,2 jt is exactly 1200000, not 1.2 times a million in binary floating point.
    number = float(text) if multiplier == 1 else float(Decimal(text) * multiplier)
    return -number if negative else number


@lru_cache(maxsize=65536)
def judge_decimal_mark(texts: Iterable[str], column: str) -> tuple[str | None, str | None]:
    """A column's decimal mark from its written values (row by row and the streamed path alike):
    (".", None) when a value proves a dot, (None, reason) when values prove both marks (the column
    is refused with both examples), (None, None) otherwise."""
    seen: dict[str, tuple[str, str]] = {}
    for raw in texts:
        evidence = decimal_evidence(raw)
        if not evidence or evidence[0] in seen:
            continue
        seen[evidence[0]] = (raw, evidence[1])
        if len(seen) == 2:
            (a, a_kind), (b, b_kind) = seen.values()
            return None, f"kolom {column!r} mencampur tanda desimal: {a!r} ({a_kind}) dan {b!r} ({b_kind})"
    return ("." if "." in seen else None), None


def decimal_evidence(raw: str) -> tuple[str, str] | None:
    """What a written number proves about its column's decimal mark: ``(".", "titik")`` for
    ``2.75`` or ``0.875``, ``(",", "koma")`` for ``1,5``, ``(",", "titik ribuan")`` for
    ``1.234.567`` (dots grouping thousands leave the comma as the decimal); None for a value that
    proves nothing (``12``, ``1.234``, ``15,250``: a thousands group or three decimals)."""
    if "," not in raw and "." not in raw:
        return None
    try:
        _negative, text, _multiplier = _bare(raw)
    except ValueProblem:
        return None
    if not _SEPARATED.match(text):
        return None
    if "," in text and "." in text:
        return (COMMA, "koma") if text.rfind(",") > text.rfind(".") else (DOT, "titik")
    mark, other = (COMMA, DOT) if "," in text else (DOT, COMMA)
    if text.count(mark) > 1:
        if not (_GROUPED_DOTS if mark == DOT else _GROUPED_COMMAS).match(text):
            return None  # 1.2.3: no number at all, refused when read
        return other, ("titik ribuan" if mark == DOT else "koma ribuan")
    whole, _, fraction = text.partition(mark)
    if whole.strip("0") == "" or len(fraction) != 3 or len(whole) > 3:
        return mark, ("koma" if mark == COMMA else "titik")
    return None


def parse_time(value: object, zone: tzinfo) -> int:
    """Seconds since the epoch (UTC) of a time written any of the ways above."""
    if type(value) is str:
        return _parse_time_text(value, zone)
    if isinstance(value, datetime):
        return int((value if value.tzinfo else value.replace(tzinfo=zone)).timestamp())
    if isinstance(value, date):
        return int(datetime(value.year, value.month, value.day, tzinfo=zone).timestamp())
    if isinstance(value, bool) or value is None:
        raise ValueProblem(f"waktu tidak dikenali: {value!r}")
    if isinstance(value, int | float | Decimal):
        return _epoch(float(value), value)
    return _parse_time_text(str(value), zone)


def _epoch(number: float, raw: object) -> int:
    """Epoch seconds (10 digits) or milliseconds (13 digits, JavaScript systems); any other bare
    number is not a time: ``2026`` is a year (see ``periods``), ``20261127`` is ambiguous."""
    if not math.isfinite(number) or number < 0:
        raise ValueProblem(f"waktu tidak dikenali: {raw!r}")
    digits = len(str(int(number)))
    if digits == 13:
        return int(number / 1000)
    if digits == 10:
        return int(number)
    raise ValueProblem(f"waktu tidak dikenali: {raw!r} (angka saja hanya dibaca sebagai epoch 10 atau 13 digit)")


@lru_cache(maxsize=65536)
def _parse_time_text(raw: str, zone: tzinfo) -> int:
    text = " ".join(raw.strip().lower().split())
    if not text:
        raise ValueProblem("waktu kosong")
    if text.replace(".", "", 1).isdigit():
        return _epoch(float(text), raw)
    named_zone = _ZONE_SUFFIX.search(text)
    if named_zone:
        zone = ZoneInfo(_ZONES[named_zone.group(1)])
        text = text[: named_zone.start()]
    if _CUT.match(text):
        raise ValueProblem(f"waktu terpotong {raw.strip()!r} (jam tanpa menit)")
    parsed = _from_iso(text) or _from_patterns(text)
    if parsed is None:
        raise ValueProblem(f"waktu tidak dikenali: {raw!r}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return int(parsed.timestamp())


def _from_iso(text: str) -> datetime | None:
    if not (len(text) >= 10 and text[4] == "-" and text[:4].isdigit()):
        return None
    try:
        return datetime.fromisoformat(text.upper().replace(" ", "T", 1) if " " in text else text.upper())
    except ValueError:
        return None


def _from_patterns(text: str) -> datetime | None:
    for pattern, order in ((_DMY, "dmy"), (_YMD, "ymd"), (_NAMED, "dNy")):
        match = pattern.match(text)
        if not match:
            continue
        a, b, c, hh, mm, ss = match.groups()
        try:
            if order == "dmy":
                day, month, year = int(a), int(b), int(c)
            elif order == "ymd":
                year, month, day = int(a), int(b), int(c)
            else:
                # late: periods imports this module (its times are parsed here), so not at the top
                from wallboard.sources.periods import month_names

                day, month, year = int(a), month_names().get(b, 0), int(c)
            if year < 100:
                year += 2000
            return datetime(year, month, day, int(hh or 0), int(mm or 0), int(ss or 0))
        except ValueError:
            return None
    return None


def to_utc(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)
