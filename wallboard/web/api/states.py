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
from wallboard.snapshot import down_regions as snapshot_down
from wallboard.snapshot import inside, peer_regions


def down_regions(runtime: Any, indicator: Any, now: datetime, status: dict[str, Any]) -> set[str]:
    """Regions whose peer has not answered within the indicator's ``stale_after`` (as the wall judges them)."""
    return snapshot_down(runtime.config, indicator.id, now, status)


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
            stale = now.timestamp() - row.ts > limit.total_seconds() or any(inside(row.region, c) for c in down)
            states[row.region] = ("stale" if stale else
                                 threshold_state(row.value, indicator, row.region, config.site.region))
        out[indicator.id] = states
    return out
