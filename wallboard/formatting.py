"""Numbers, money, times and ages the way the wall's reader reads them (Babel, ``site.locale``).

Indonesian first: ``1.234,5``, ``Rp15.250``, ``Jumat, 27 November 2026``; the same figures in
English for visitors. Money stays in rupiah with its ``Rp`` sign in both languages, and clocks
name the zone the way Indonesians do (WIB, WITA, WIT) in both, since that is what the room says.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from babel.dates import format_datetime, format_timedelta
from babel.numbers import format_compact_currency, format_compact_decimal, format_currency, format_decimal

from wallboard.i18n import catalogue, translator

t = translator("wall")
_COMPACT_FROM = 1_000_000
F = TypeVar("F", bound=Callable[..., str])


def remembered(fn: F) -> F:
    """Keep a formatter's answers for the arguments it was last asked (Babel parses its pattern and
    locale on every call; the wall asks the same figures again at every time tick, and the same age
    for every panel of an indicator within one).

    Keys are exact: only plain ``int``, ``float`` and ``timedelta`` answers are kept (a ``Decimal`` or
    a numpy zero is formatted afresh), ``typed`` keeps 1 and 1.0 apart, and the sign of a float is
    part of the key, so -0.0 (shown ``-0``) is never answered from 0.0's entry though the two are
    equal to a dict.
    """
    cached = functools.lru_cache(maxsize=4096, typed=True)(lambda _negative, *a, **k: fn(*a, **k))

    @functools.wraps(fn)
    def wrapper(first: Any, *args: Any, **kwargs: Any) -> str:
        kind = type(first)
        if kind is float:
            return cached(math.copysign(1.0, first) < 0, first, *args, **kwargs)
        if kind is int or kind is timedelta:
            return cached(False, first, *args, **kwargs)
        return fn(first, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


@remembered
def number(value: float, locale: str = "id", decimals: int | None = None) -> str:
    if abs(value) >= _COMPACT_FROM:
        return format_compact_decimal(value, locale=locale, fraction_digits=1)
    if decimals is None:
        decimals = 0 if abs(value) >= 100 or float(value).is_integer() else 1
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=locale)


def value(value: float, indicator: Any, locale: str = "id") -> str:
    """A value with the indicator's format; the unit is shown beside it, except for money and %."""
    if indicator is not None and indicator.format == "currency":
        return money(value, locale, indicator.decimals if indicator.decimals is not None else 0)
    if indicator is not None and (indicator.format == "percent" or indicator.unit == "%"):
        return number(value, locale, indicator.decimals if indicator.decimals is not None else 1) + "%"
    return number(value, locale, indicator.decimals if indicator is not None else None)


@remembered
def money(amount: float, locale: str = "id", decimals: int = 0) -> str:
    """``Rp15.250``, ``Rp153,2 M``; in English ``Rp15,250``, ``Rp153.2B`` (rupiah either way)."""
    if abs(amount) >= _COMPACT_FROM:
        text = format_compact_currency(amount, "IDR", locale=locale, fraction_digits=1)
    else:
        pattern = "¤#,##0" + ("." + "0" * decimals if decimals else "")
        text = format_currency(amount, "IDR", format=pattern, locale=locale, currency_digits=False)
    return text.replace("IDR", "Rp").replace("Rp\xa0", "Rp")


def value_parts(value_: float, indicator: Any, locale: str = "id") -> tuple[str, str]:
    """``("Rp", "14.250")``: a currency sign is set small beside the figure so the digits get the room."""
    text = value(value_, indicator, locale)
    if text.startswith("Rp"):
        return "Rp", text[2:].lstrip()
    if text.startswith(("-Rp", "−Rp")):
        return "Rp", text[0] + text[3:].lstrip()
    return "", text


def unit(indicator: Any, locale: str = "id") -> str:
    """The unit shown beside a value: ``laporan``, ``/kg`` for ``IDR/kg``; nothing for plain money or %.

    In the site's language from the ``units`` catalogue: ``laporan`` reads "reports" on an
    English site, ``cases`` "kasus" on an Indonesian one; a unit the catalogue lacks stays as written.
    """
    if indicator is None or indicator.unit in ("IDR", "%", "Rp"):
        return ""
    if indicator.format == "currency":
        return indicator.unit.replace("IDR", "").replace("Rp", "").strip()
    return unit_words(indicator.unit, locale)


def unit_words(text: str, locale: str) -> str:
    indonesian = catalogue("units", "id")
    if locale == "id":
        return indonesian.get(text, text)
    english = {v: k for k, v in indonesian.items()}
    return english.get(text, text)


def change(delta: float, indicator: Any, locale: str = "id") -> str:
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    return sign + value(abs(delta), indicator, locale)


@remembered
def age(delta: timedelta, locale: str = "id") -> str:
    """``14 menit`` — rounded the way people say it, never negative (a fast source clock is 'now')."""
    seconds = max(delta.total_seconds(), 0)
    if seconds < 60:
        return t(locale, "just now")
    return format_timedelta(timedelta(seconds=seconds), threshold=1.1, locale=locale)


def just_now(delta: timedelta) -> bool:
    return delta.total_seconds() < 60


def ago(delta: timedelta, locale: str = "id") -> str:
    """``14 menit lalu`` / ``14 minutes ago``; ``baru saja`` under a minute."""
    if just_now(delta):
        return age(delta, locale)
    return t(locale, "{age} ago", age=age(delta, locale))


def data_age(delta: timedelta, locale: str = "id") -> str:
    if just_now(delta):
        return t(locale, "data just now")
    return t(locale, "data {age} old", age=age(delta, locale))


def clock(moment: datetime, locale: str = "id") -> str:
    """``Jumat, 27 November 2026 18.00 WIB``; ``Friday, 27 November 2026 18:00 WIB``."""
    return f"{date_long(moment, locale)} {time_of_day(moment, locale)} {zone_name(moment, locale)}"


def short_time(moment: datetime, locale: str = "id") -> str:
    return format_datetime(moment, "d MMM HH.mm", locale=locale)


def time_of_day(moment: datetime, locale: str = "id") -> str:
    """``18.05`` in Indonesian, ``18:05`` in English."""
    return format_datetime(moment, "HH.mm" if locale == "id" else "HH:mm", locale=locale)


def zone_name(moment: datetime, locale: str = "id") -> str:
    """``WIB``, ``WITA``, ``WIT`` for Indonesian zones, in either language (English CLDR says +0700)."""
    return format_datetime(moment, "z", locale="id")


def date_long(moment: datetime, locale: str = "id") -> str:
    """``Jumat, 27 November 2026``."""
    return format_datetime(moment, "EEEE, d MMMM y", locale=locale)
