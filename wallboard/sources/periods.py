"""Periods as the statistics offices write them: a year, a half year, a quarter or a month.

Open-data portals and work units' reports give figures per period, not per moment: ``2026``,
``2026-11``, ``11/2026``, ``November 2026``, ``Nop 2026``, ``Triwulan III 2026``, ``TW III 2026``,
``Q3 2026``, ``Semester I 2026``. Such a figure is stored at the period's start (midnight in the
site's zone) together with the period's length as an ISO 8601 duration (``P1Y``, ``P6M``, ``P3M``,
``P1M``), so a trend draws one point per period and freshness is judged by the period, not by the
collector's interval.

Month names come from Babel's Indonesian and English locale data; the older spellings still found
in government files (``Nopember``, ``Pebruari``, ``Agt``) are added by hand because no locale has them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from functools import cache, lru_cache

from wallboard.sources.values import ValueProblem, parse_time

YEAR, HALF, QUARTER, MONTH = "P1Y", "P6M", "P3M", "P1M"
MONTHS_IN = {YEAR: 12, HALF: 6, QUARTER: 3, MONTH: 1}
# Nominal lengths, for freshness and for how far back a trend looks; a month is taken as 31 days
# so that "three periods" never falls short of three real months.
NOMINAL = {YEAR: timedelta(days=366), HALF: timedelta(days=184), QUARTER: timedelta(days=92),
           MONTH: timedelta(days=31)}
# Old spellings (before the 1972 spelling reform, still in templates) and common abbreviations.
_EXTRA_MONTHS = {"nop": 11, "nopember": 11, "peb": 2, "pebruari": 2, "agt": 8, "ags": 8, "agus": 8,
                 "sept": 9, "des": 12, "okt": 10, "mrt": 3, "jul": 7, "jun": 6}
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
_PERIOD_WORD = re.compile(r"^(?:triwulan|tri wulan|trw|tw|kuartal|kwartal|q|semester|smt|sem)\b|^[qsh]\d")
_YEAR_ONLY = re.compile(rf"^(?:tahun\s+)?{_YEAR}$")
_YEAR_MONTH = re.compile(rf"^{_YEAR}[-/.](\d{{1,2}})$")
_MONTH_YEAR = re.compile(rf"^(\d{{1,2}})[-/.]{_YEAR}$")
_NAME_YEAR = re.compile(rf"^(?:bulan\s+)?([a-z]+)\.?[\s\-/,]+{_YEAR}$")
_MOMENT = re.compile(r":|^\s*\d{1,2}[/.-]\d{1,2}[/.-]\d|^\s*\d{4}-\d{1,2}-\d")
_NAME_ONLY = re.compile(r"^(?:bulan\s+)?([a-z]+)\.?$")


@dataclass(frozen=True, slots=True)
class Period:
    start: date  # first day of the period
    length: str  # P1Y, P6M, P3M or P1M

    def ts(self, zone: tzinfo) -> int:
        """Epoch seconds of the period's first midnight in the site's zone."""
        return int(datetime(self.start.year, self.start.month, 1, tzinfo=zone).timestamp())


@cache
def month_names() -> dict[str, int]:
    """Every spelling of a month name this module reads, lower case -> month number."""
    from babel.dates import get_month_names

    names: dict[str, int] = {}
    for locale in ("id", "en"):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale).items():
                    names[name.lower().rstrip(".")] = number
    names.update(_EXTRA_MONTHS)
    return names


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
    if m := _YEAR_MONTH.match(text):
        year, month = int(m.group(1)), int(m.group(2))
    elif m := _MONTH_YEAR.match(text):
        month, year = int(m.group(1)), int(m.group(2))
    elif m := _NAME_YEAR.match(text):
        month = month_names().get(m.group(1), 0)
        if not month:
            if _PERIOD_WORD.match(text):
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


def parse_when(raw: object, zone: tzinfo) -> tuple[int, str | None]:
    """(epoch seconds, period length or None): a period when written as one, else a moment."""
    period = parse_period(raw)
    if period is not None:
        return period.ts(zone), period.length
    return parse_time(raw, zone), None


def nominal(length: str | None) -> timedelta | None:
    return NOMINAL.get(length) if length else None
