"""Numbers and times as the work units write them, read into floats and epoch seconds.

Indonesian exports write ``1.234.567,89``, ``Rp 15.250`` and ``85,5%``; some systems write
``1,234,567.89`` or plain ``85.5``. The rule that reads both: when both separators appear, the
last one is the decimal mark; a lone comma is a decimal mark; dots alone are thousands separators
when they group digits by three (``15.250``), else a decimal point (``85.5``). Times arrive as
``27/11/2026`` (day first, always), ``2026-11-27 14:05``, ``27 Nov 2026``, epoch numbers or
spreadsheet/database datetimes; naive ones are read in the site's time zone, and a trailing
``WIB``/``WITA``/``WIT`` names the zone explicitly.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

_CURRENCY = re.compile(r"^(?:rp\.?|idr)\s*", re.IGNORECASE)
_SUFFIX = re.compile(r"\s*(?:%|rp|idr|,-|\.-)$", re.IGNORECASE)
_GROUPED_DOTS = re.compile(r"^\d{1,3}(?:\.\d{3})+$")
_GROUPED_COMMAS = re.compile(r"^\d{1,3}(?:,\d{3})+$")
_PLAIN = re.compile(r"^\d+(?:\.\d+)?$|^\.\d+$")
# The common Indonesian shapes (12, 1.234, 1.234.567,89, 85,5) in one match, before the general rule.
_COMMON = re.compile(r"^(-?)(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?$")

_ZONES = {"wib": "Asia/Jakarta", "wita": "Asia/Makassar", "wit": "Asia/Jayapura"}
_TIME = r"(?:[ T,]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?"
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})" + _TIME + r"$")
_YMD = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})" + _TIME + r"$")
_NAMED = re.compile(r"^(?:[a-z]+,\s*)?(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})" + _TIME + r"$")
_ZONE_SUFFIX = re.compile(r"\s+(wib|wita|wit)$")


class ValueProblem(ValueError):
    """One record's value could not be read; the message is the reason counted in the run."""


def parse_number(value: object) -> float:
    if type(value) is str:  # the common case first: text from a file or an API
        return _parse_number_text(value)
    if isinstance(value, bool):
        raise ValueProblem(f"bukan angka: {value!r}")
    if isinstance(value, int | float | Decimal):
        number = float(value)
        if not math.isfinite(number):
            raise ValueProblem(f"bukan angka: {value!r}")
        return number
    if value is None:
        raise ValueProblem("nilai kosong")
    return _parse_number_text(str(value))


@lru_cache(maxsize=65536)
def _parse_number_text(raw: str) -> float:
    common = _COMMON.match(raw)
    if common:
        sign, whole, fraction = common.groups()
        number = float(whole.replace(".", "") + ("." + fraction if fraction else ""))
        return -number if sign else number
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
    if not _PLAIN.match(text):
        raise ValueProblem(f"bukan angka: {raw!r}")
    number = float(text)
    return -number if negative else number


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
