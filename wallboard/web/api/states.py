"""Each region's state on this wall, as a peer (or the province's own wall) should judge it.

A region whose newest figure is older than the indicator's ``stale_after`` is stale; and on a wall
fed by other wallboards (``type: wallboard`` with ``region:``), a region is stale as soon as the
source that speaks for it has not succeeded within ``stale_after``: its figures are the last ones it
sent, never a zero, but they are no longer news. Otherwise the threshold state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wallboard.indicators import threshold_state


def peer_regions(config: Any) -> dict[str, str]:
    """source id -> the region code it speaks for, for the ``type: wallboard`` sources that pin one."""
    return {s.id: s.region for s in config.sources if s.type == "wallboard" and getattr(s, "region", None)}


def down_regions(runtime: Any, indicator: Any, now: datetime, status: dict[str, Any]) -> set[str]:
    """Regions whose peer has not answered within the indicator's ``stale_after``."""
    peers = {sid: code for sid, code in peer_regions(runtime.config).items()
             if indicator.id in runtime.config.source(sid).indicator_ids()}
    limit = runtime.config.stale_after(indicator.id)
    down = set()
    for sid, code in peers.items():
        state = status.get(sid)
        last = state.last_success if state is not None else None
        if last is None or now - last > limit:
            down.add(code)
    return down


def _inside(region: str, codes: set[str]) -> bool:
    return any(region == c or region.startswith(c + ".") for c in codes)


def region_states(runtime: Any, indicators: list[Any], latest: dict[str, list[Any]],
                  now: datetime) -> dict[str, dict[str, str]]:
    config = runtime.config
    peers = list(peer_regions(config))
    status = runtime.store.source_status(peers) if peers else {}  # once per request, not per indicator
    out: dict[str, dict[str, str]] = {}
    for indicator in indicators:
        down = down_regions(runtime, indicator, now, status)
        states = {}
        for row in latest.get(indicator.id, []):
            limit = config.stale_after(indicator.id, row.period)
            stale = now.timestamp() - row.ts > limit.total_seconds() or _inside(row.region, down)
            states[row.region] = "stale" if stale else threshold_state(row.value, indicator)
        out[indicator.id] = states
    return out
