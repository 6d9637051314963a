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


def mixed_readings(items: object, mapping: dict[str, str], region: str) -> list[Reading]:
    """A page of several indicators (``GET /api/v1/readings``), each item naming its ``indicator``:
    all of them as readings of the local ids ``mapping`` gives, or ``PageRefused`` for the first bad
    one (an indicator this source did not ask for included)."""
    if not isinstance(items, list):
        raise PageRefused("jawaban tidak berisi daftar readings")
    if len(items) > MAX_ITEMS:
        raise PageRefused(f"halaman terlalu besar: {len(items)} pembacaan (paling banyak {MAX_ITEMS})")
    out = []
    for n, item in enumerate(items):
        remote = item.get("indicator") if isinstance(item, dict) else None
        if not isinstance(remote, str) or remote not in mapping:
            raise PageRefused(f"pembacaan ke-{n + 1}: indikator {str(remote)[:64]!r} tidak diminta")
        out.append(reading(item, mapping[remote], region, n))
    return out


MAX_INCIDENTS = 500  # open incidents kept from one peer, and regions kept per incident
STATES = frozenset({"warning", "critical"})


def _text(value: object, limit: int) -> str | None:
    return value[:limit] if isinstance(value, str) and value else None


def _peer_region(item: object, region: str) -> dict[str, object] | None:
    if not isinstance(item, dict) or not isinstance(item.get("region"), str):
        return None
    code = item["region"]
    if not CODE.match(code) or not inside(code, region) or item.get("state") not in STATES:
        return None
    peak = item.get("peak")
    return {"region": code, "state": item["state"],
            "peak": float(peak) if isinstance(peak, int | float) and not isinstance(peak, bool)
            and math.isfinite(peak) else None,
            "since": _text(item.get("since"), 40), "acknowledged_at": _text(item.get("acknowledged_at"), 40),
            "acknowledged_by": _text(item.get("acknowledged_by"), 120)}


def incidents(body: object, mapping: dict[str, str], region: str) -> tuple[list[dict[str, object]], int]:
    """A peer's ``GET /api/v1/incidents`` answer as the incidents a province's console lists: those
    of the indicators this source reads (under their local ids), regions inside the one the peer
    speaks for. Returns them and how many items were dropped as unsound (shown as a note, never a
    failed run: incidents are context, the readings are the data)."""
    items = body.get("incidents") if isinstance(body, dict) else None
    if not isinstance(items, list):
        return [], 1
    out, dropped = [], 0
    for item in items[:MAX_INCIDENTS]:
        if isinstance(item, dict) and item.get("indicator") not in mapping:
            continue  # an indicator this source does not read: not this wall's business
        if not isinstance(item, dict) or item.get("state") not in STATES:
            dropped += 1
            continue
        regions = item.get("regions") if isinstance(item.get("regions"), list) else []
        found = [r for r in (_peer_region(r, region) for r in regions[:MAX_INCIDENTS]) if r is not None]
        out.append({"id": item.get("id") if isinstance(item.get("id"), int) else None,
                    "indicator": mapping[item["indicator"]], "state": item["state"],
                    "opened": _text(item.get("opened"), 40), "acknowledged_by": _text(item.get("acknowledged_by"), 120),
                    "acknowledged_at": _text(item.get("acknowledged_at"), 40), "note": _text(item.get("note"), 300),
                    "regions": found})
    return out, dropped + max(0, len(items) - MAX_INCIDENTS)
