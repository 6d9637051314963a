"""Numbers, money, times and ages the way an Indonesian operator reads them (Babel, locale ``id``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from babel.dates import format_datetime, format_timedelta
from babel.numbers import format_compact_decimal, format_decimal

_COMPACT_FROM = 1_000_000


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
        return "Rp " + number(value, locale, indicator.decimals if indicator.decimals is not None else 0)
    if indicator is not None and (indicator.format == "percent" or indicator.unit == "%"):
        return number(value, locale, indicator.decimals if indicator.decimals is not None else 1) + "%"
    return number(value, locale, indicator.decimals if indicator is not None else None)


def value_parts(value_: float, indicator: Any, locale: str = "id") -> tuple[str, str]:
    """``("Rp", "14.250")``: a currency sign is set small beside the figure so the digits get the room."""
    text = value(value_, indicator, locale)
    if text.startswith("Rp "):
        return "Rp", text[3:]
    return "", text


def unit(indicator: Any) -> str:
    """The unit shown beside a value: ``laporan``, ``/kg`` for ``IDR/kg``; nothing for plain money or %."""
    if indicator is None or indicator.unit in ("IDR", "%", "Rp"):
        return ""
    if indicator.format == "currency":
        return indicator.unit.replace("IDR", "").replace("Rp", "").strip()
    return indicator.unit


def change(delta: float, indicator: Any, locale: str = "id") -> str:
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    return sign + value(abs(delta), indicator, locale)


def age(delta: timedelta, locale: str = "id") -> str:
    """``14 menit`` — rounded the way people say it, never negative (a fast source clock is 'now')."""
    seconds = max(delta.total_seconds(), 0)
    if seconds < 60:
        return "baru saja" if locale == "id" else "just now"
    return format_timedelta(timedelta(seconds=seconds), threshold=1.1, locale=locale)


def data_age(delta: timedelta, locale: str = "id") -> str:
    text = age(delta, locale)
    if text in ("baru saja", "just now"):
        return f"data {text}" if locale == "id" else f"data {text}"
    return f"data {text} lalu" if locale == "id" else f"data {text} old"


def clock(moment: datetime, locale: str = "id") -> str:
    """``Jumat, 27 November 2026 18.00 WIB``."""
    return format_datetime(moment, "EEEE, d MMMM y HH.mm z", locale=locale)


def short_time(moment: datetime, locale: str = "id") -> str:
    return format_datetime(moment, "d MMM HH.mm", locale=locale)


def time_of_day(moment: datetime, locale: str = "id") -> str:
    """``18.05`` in Indonesian, ``18:05`` in English."""
    return format_datetime(moment, "HH.mm" if locale == "id" else "HH:mm", locale=locale)


def zone_name(moment: datetime, locale: str = "id") -> str:
    """``WIB``, ``WITA``, ``WIT`` for Indonesian zones."""
    return format_datetime(moment, "z", locale=locale)


def date_long(moment: datetime, locale: str = "id") -> str:
    """``Jumat, 27 November 2026``."""
    return format_datetime(moment, "EEEE, d MMMM y", locale=locale)
