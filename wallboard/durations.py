"""Durations as admins write them in config.yaml: ``30s``, ``5m``, ``1h``, ``400d``, ``2w``.

A plain number is read as seconds, so ``every: 60`` still works, but the suffixed form is
what the reference config and error messages use.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")


def parse_duration(value: object) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 30s, 5m, 1h or 7d")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _PATTERN.match(str(value))
        if not match:
            raise ValueError(f"{value!r} is not a duration; write it as 30s, 5m, 1h or 7d")
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if seconds <= 0:
        raise ValueError("a duration must be longer than zero")
    return timedelta(seconds=seconds)


def format_duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    for suffix, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{suffix}"
    return f"{seconds}s"


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
]


# A figure for a period (a year, half year, quarter, month or ISO week) is stored with the period's length as an
# ISO 8601 duration; these nominal lengths judge its freshness and how far back a trend looks. A month
# is taken as 31 days so that "three periods" never falls short of three real months. They live here,
# below config and the snapshot, which both judge freshness; ``wallboard.sources.periods`` reads periods.
PERIOD_NOMINAL = {"P1Y": timedelta(days=366), "P6M": timedelta(days=184), "P3M": timedelta(days=92),
                  "P1M": timedelta(days=31), "P1W": timedelta(days=7)}


def nominal_period(length: str | None) -> timedelta | None:
    """The nominal length of a period (``P1M`` -> 31 days); None for a moment's reading or an unknown length."""
    return PERIOD_NOMINAL.get(length) if length else None
