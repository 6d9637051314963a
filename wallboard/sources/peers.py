"""Readings that cross between wallboards, checked the same way whichever side starts the transfer.

A province reading a kabupaten (``type: wallboard``, pull) and a province taking a kabupaten's push
(``POST /api/v1/readings``) both get a list of ``{region, ts, value, period}`` objects from a peer.
Nothing of it is stored unless every item is sound: a peer answering garbage, an oversized page or
a code outside the region it speaks for is refused whole, with the reason, and nothing of that run
is kept. The codes stay the official Kemendagri ones, the periods and units as the peer sent them.
"""

from __future__ import annotations

import math
import re

from wallboard.durations import PERIOD_NOMINAL
from wallboard.records import Reading

MAX_ITEMS = 50_000  # readings in one page or one push
CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
# From 1970 to 2100: a time outside is a peer's bug, not a reading.
TS_RANGE = (0, 4_102_444_800)


class PageRefused(ValueError):
    """The whole page or push is refused; the message is the one-line reason, in Bahasa Indonesia."""


def inside(code: str, region: str) -> bool:
    """Is ``code`` the region itself or inside it (``33.08.01`` in ``33.08``; anything in ``00``)?"""
    return region == "00" or code == region or code.startswith(region + ".")


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PageRefused(f"{what}: nilai bukan angka ({str(value)[:20]!r})")
    return float(value)


def reading(item: object, indicator: str, region: str, n: int) -> Reading:
    """One item as a ``Reading`` of ``indicator``, or ``PageRefused`` naming item ``n``."""
    what = f"pembacaan ke-{n + 1}"
    if not isinstance(item, dict):
        raise PageRefused(f"{what}: bukan objek JSON")
    code = item.get("region")
    if not isinstance(code, str) or not CODE.match(code):
        raise PageRefused(f"{what}: kode wilayah {str(code)[:20]!r} bukan kode Kemendagri")
    if not inside(code, region):
        raise PageRefused(f"{what}: kode wilayah {code} di luar wilayah {region} yang diwakili pengirim")
    ts = item.get("ts")
    if isinstance(ts, bool) or not isinstance(ts, int) or not TS_RANGE[0] <= ts <= TS_RANGE[1]:
        raise PageRefused(f"{what}: waktu (ts) {str(ts)[:20]!r} tidak sah")
    period = item.get("period")
    if period is not None and period not in PERIOD_NOMINAL:
        raise PageRefused(f"{what}: periode {str(period)[:12]!r} tidak dikenal")
    return Reading(indicator, code, ts, _number(item.get("value"), what), period, origin=f"{indicator} {what}")


def readings(items: object, indicator: str, region: str) -> list[Reading]:
    """All items of one page as readings of ``indicator``, or ``PageRefused`` for the first bad one."""
    if not isinstance(items, list):
        raise PageRefused("jawaban tidak berisi daftar readings")
    if len(items) > MAX_ITEMS:
        raise PageRefused(f"halaman terlalu besar: {len(items)} pembacaan (paling banyak {MAX_ITEMS})")
    return [reading(item, indicator, region, n) for n, item in enumerate(items)]
