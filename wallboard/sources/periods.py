"""Periods as the statistics offices write them: a year, a half year, a quarter, a month or a week.

Open-data portals and work units' reports give figures per period, not per moment: ``2026``,
``2026-11``, ``11/2026``, ``November 2026``, ``Nop 2026``, ``Triwulan III 2026``, ``TW III 2026``,
``Q3 2026``, ``Semester I 2026``, ``Minggu ke-3 2026``, ``2026-W03``. Such a figure is stored at the
period's start (midnight in the site's zone) together with the period's length as an ISO 8601
duration (``P1Y``, ``P6M``, ``P3M``, ``P1M``, ``P1W``), so a trend draws one point per period and
freshness is judged by the period, not by the collector's interval. A week is the ISO week (Monday
to Sunday), as the health office's weekly reports (``Minggu ke-3``) count them.

Satu Data exports often write the year and the month in two columns (``tahun;bulan``):
``parse_when_parts`` reads them together.

Month names come from Babel's Indonesian and English locale data; the older spellings still found
in government files (``Nopember``, ``Pebruari``, ``Agt``) are added by hand because no locale has them,
and any unambiguous start of a month's name (``Agust``, ``Sept``, ``Desem``) is that month. A word
that is nearly a month's name but none of these (``Agutus 2026``) is refused, never skipped.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from functools import cache, lru_cache

from wallboard.sources.values import ValueProblem, parse_time

YEAR, HALF, QUARTER, MONTH, WEEK = "P1Y", "P6M", "P3M", "P1M", "P1W"
MONTHS_IN = {YEAR: 12, HALF: 6, QUARTER: 3, MONTH: 1}  # a week is no whole number of months
# Nominal lengths, for freshness and for how far back a trend looks; a month is taken as 31 days
# so that "three periods" never falls short of three real months.
NOMINAL = {YEAR: timedelta(days=366), HALF: timedelta(days=184), QUARTER: timedelta(days=92),
           MONTH: timedelta(days=31), WEEK: timedelta(days=7)}
# Old spellings (before the 1972 spelling reform, still in templates) and common abbreviations
# that are not the start of the month's name (those are read by ``_prefixes``).
_EXTRA_MONTHS = {"nop": 11, "nopember": 11, "peb": 2, "pebruari": 2, "agt": 8, "ags": 8, "agst": 8,
                 "agts": 8, "sept": 9, "des": 12, "okt": 10, "mrt": 3, "jul": 7, "jun": 6, "pbr": 2}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10,
          "xi": 11, "xii": 12}

_NUM = r"([ivx]+|\d{1,2})"
_YEAR = r"((?:19|20)\d\d)"
_QUARTER = re.compile(
    rf"^(?:triwulan|tri wulan|trw|tw|kuartal|kwartal|q)\s*[-.]?\s*{_NUM}\s*[-/,]?\s*(?:tahun\s+)?{_YEAR}$"
)
_QUARTER_YEAR_FIRST = re.compile(rf"^{_YEAR}\s*[-/ ]\s*(?:q|tw|triwulan)\s*{_NUM}$")
_HALF = re.compile(rf"^(?:semester|smt|sem|s|h)\s*[-.]?\s*{_NUM}\s*[-/,]?\s*(?:tahun\s+)?{_YEAR}$")
_HALF_YEAR_FIRST = re.compile(rf"^{_YEAR}\s*[-/ ]\s*(?:s|h|semester)\s*{_NUM}$")
_WEEK = re.compile(rf"^(?:minggu|mgg|pekan|m|w)\s*(?:ke)?\s*[-.]?\s*(\d{{1,2}})\s*[-/,]?\s*(?:tahun\s+)?{_YEAR}$")
_ISO_WEEK = re.compile(rf"^{_YEAR}\s*-?\s*w(\d{{1,2}})$")
_PERIOD_WORD = re.compile(r"^(?:triwulan|tri wulan|trw|tw|kuartal|kwartal|q|semester|smt|sem)\b|^[qshmw]\d"
                          r"|^(?:minggu|mgg|pekan)\s*(?:ke)?\s*-?\s*\d|^(?:19|20)\d\d\s*-?\s*w\d")
_YEAR_ONLY = re.compile(rf"^(?:tahun\s+)?{_YEAR}$")
_YEAR_MONTH = re.compile(rf"^{_YEAR}[-/.](\d{{1,2}})$")
_MONTH_YEAR = re.compile(rf"^(\d{{1,2}})[-/.]{_YEAR}$")
_NAME_YEAR = re.compile(rf"^(?:bulan\s+)?([a-z]+)\.?[\s\-/,]+{_YEAR}$")
_MOMENT = re.compile(r":|^\s*\d{1,2}[/.-]\d{1,2}[/.-]\d|^\s*\d{4}-\d{1,2}-\d")
_NAME_ONLY = re.compile(r"^(?:bulan\s+)?([a-z]+)\.?$")


@dataclass(frozen=True, slots=True)
class Period:
    start: date  # first day of the period (a week's Monday)
    length: str  # P1Y, P6M, P3M, P1M or P1W

    def ts(self, zone: tzinfo) -> int:
        """Epoch seconds of the period's first midnight in the site's zone."""
        return int(datetime(self.start.year, self.start.month, self.start.day, tzinfo=zone).timestamp())


@cache
def month_names() -> dict[str, int]:
    """Every spelling of a month name this module reads, lower case -> month number."""
    names = _spellings()
    return {**_prefixes(names), **names}


@cache
def _spellings() -> dict[str, int]:
    """Month names as locales and old templates spell them, before their starts are added."""
    from babel.dates import get_month_names

    names: dict[str, int] = {}
    for locale in ("id", "en"):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale).items():
                    names[name.lower().rstrip(".")] = number
    names.update(_EXTRA_MONTHS)
    return names


def _prefixes(names: dict[str, int]) -> dict[str, int]:
    """Every start of three letters or more of a month's name that no other month's name starts
    with: ``agust`` (Agustus), ``desem``, ``septem``; ``ju`` and ``ma`` are no month."""
    months: dict[str, set[int]] = {}
    for name, number in names.items():
        for end in range(3, len(name) + 1):
            months.setdefault(name[:end], set()).add(number)
    return {prefix: next(iter(found)) for prefix, found in months.items() if len(found) == 1}


@cache
def _full_names() -> list[str]:
    return sorted({name for name in _spellings() if len(name) >= 4})


def nearly_a_month(word: str) -> bool:
    """A word that is no month's name but close to one (``agutus``, ``sepember``): a misspelt month,
    refused rather than taken for some other column."""
    return len(word) >= 4 and word not in month_names() and bool(
        difflib.get_close_matches(word, _full_names(), n=1, cutoff=0.75))


def month_number(text: str) -> int | None:
    """``Nop`` -> 11, ``Agustus`` -> 8, ``mei`` -> 5; None when the text is not a month name."""
    match = _NAME_ONLY.match(" ".join(str(text).strip().lower().split()))
    return month_names().get(match.group(1)) if match else None


def _ordinal(text: str) -> int:
    return int(text) if text.isdigit() else _ROMAN.get(text, 0)


def parse_period(raw: object) -> Period | None:
    """The period written in ``raw``, None when it is not written as a period (maybe a date).

    Text that says it is a period but names an impossible one (``Triwulan V 2026``, ``13/2026``)
    raises ``ValueProblem`` with the Indonesian reason ``'…' bukan periode``.
    """
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        number = float(raw)
        if math.isfinite(number) and number.is_integer() and 1900 <= number <= 2100:
            return Period(date(int(number), 1, 1), YEAR)
        return None
    if not isinstance(raw, str):
        return None
    if _MOMENT.search(raw):  # a clock time or a full date: the common case of a time column, kept cheap
        return None
    return _parse_period_text(raw)


@lru_cache(maxsize=65536)  # bounded: time columns hold ever new strings
def _parse_period_text(raw: str) -> Period | None:
    text = " ".join(raw.strip().lower().split())
    bad = ValueProblem(f"{raw.strip()!r} bukan periode")
    if m := _YEAR_ONLY.match(text):
        return Period(date(int(m.group(1)), 1, 1), YEAR)
    for pattern, length, count, year_first in ((_QUARTER, QUARTER, 4, False), (_QUARTER_YEAR_FIRST, QUARTER, 4, True),
                                                 (_HALF, HALF, 2, False), (_HALF_YEAR_FIRST, HALF, 2, True)):
        if m := pattern.match(text):
            year, which = (m.group(1), m.group(2)) if year_first else (m.group(2), m.group(1))
            n = _ordinal(which)
            if not 1 <= n <= count:
                raise bad
            return Period(date(int(year), 1 + (n - 1) * MONTHS_IN[length], 1), length)
    if week := _week(text, bad):
        return week
    if m := _YEAR_MONTH.match(text):
        year, month = int(m.group(1)), int(m.group(2))
    elif m := _MONTH_YEAR.match(text):
        month, year = int(m.group(1)), int(m.group(2))
    elif m := _NAME_YEAR.match(text):
        month = month_names().get(m.group(1), 0)
        if not month:
            if _PERIOD_WORD.match(text) or nearly_a_month(m.group(1)):
                raise bad
            return None
        year = int(m.group(2))
    else:
        if _PERIOD_WORD.match(text):
            raise bad
        return None
    if not 1 <= month <= 12:
        raise bad
    return Period(date(year, month, 1), MONTH)


def _week(text: str, bad: ValueProblem) -> Period | None:
    """``minggu ke-3 2026``, ``m3 2026``, ``2026-w03``: the ISO week, from its Monday."""
    if m := _WEEK.match(text):
        week, year = int(m.group(1)), int(m.group(2))
    elif m := _ISO_WEEK.match(text):
        year, week = int(m.group(1)), int(m.group(2))
    else:
        return None
    try:
        return Period(date.fromisocalendar(year, week, 1), WEEK)
    except ValueError:
        raise bad from None


def parse_when(raw: object, zone: tzinfo) -> tuple[int, str | None]:
    """(epoch seconds, period length or None): a period when written as one, else a moment."""
    period = parse_period(raw)
    if period is not None:
        return period.ts(zone), period.length
    return parse_time(raw, zone), None


def nominal(length: str | None) -> timedelta | None:
    return NOMINAL.get(length) if length else None


def _year_of(raw: object) -> int | None:
    """The year a cell of a ``tahun`` column holds (``2026``, ``2026.0`` from Excel, ``'2026'``)."""
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int | float | Decimal):
        number = float(raw)
        return int(number) if math.isfinite(number) and number.is_integer() and 1900 <= number <= 2100 else None
    text = str(raw).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return int(text) if len(text) == 4 and text.isdigit() and 1900 <= int(text) <= 2100 else None


def _month_of_number(raw: object) -> int | None:
    """A month written as its number (``8``, ``'08'``, ``8.0``); None when the cell is no number."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float | Decimal):
        number = float(raw)
        return int(number) if math.isfinite(number) and number.is_integer() else 0
    text = str(raw).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return int(text) if text.isdigit() and len(text) <= 2 else None


def parse_when_parts(parts: Sequence[object], zone: tzinfo) -> tuple[int, str | None]:
    """(epoch seconds, period length) of a time written in several columns, read together.

    A year beside a month (``Agust``, ``8``), a quarter (``TW III``), a half year (``S2``) or a
    week (``Minggu ke-3``) is that period; without a year, the cells joined by a space are read as
    one time (a date column beside a clock column). Never just one of the cells: a year with an
    empty month is refused, not stored as the whole year.
    """
    if len(parts) == 1:
        return parse_when(parts[0], zone)
    years = [i for i, part in enumerate(parts) if _year_of(part) is not None]
    if not years:
        return parse_when(" ".join(str(p).strip() for p in parts if p is not None), zone)
    year = _year_of(parts[years[0]])
    rest = [p for i, p in enumerate(parts) if i != years[0] and p is not None and str(p).strip()]
    if not rest:
        raise ValueProblem(f"tahun {year} tanpa bulan, triwulan, semester atau minggu")
    if len(rest) > 1:
        raise ValueProblem(f"waktu tidak dikenali: {' '.join(repr(p) for p in parts)}")
    part = rest[0]
    month = _month_of_number(part)
    if month is not None:
        if not 1 <= month <= 12:
            raise ValueProblem(f"bulan {part!r} tidak ada (tahun {year})")
        return Period(date(year, month, 1), MONTH).ts(zone), MONTH
    text = " ".join(str(part).split())
    try:
        period = parse_period(f"{text} {year}")
    except ValueProblem:
        period = None
    if period is None:
        raise ValueProblem(f"{text!r} bukan bulan, triwulan, semester atau minggu (tahun {year})")
    return period.ts(zone), period.length
