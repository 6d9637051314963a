"""Wall-clock arithmetic for tests, done with fixed UTC offsets (WIB +7, WITA +8, WIT +9).

Independent of zoneinfo and of the code under test on purpose: an instant computed in the wrong
time zone by wallboard differs from this one by whole hours.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

OFFSET_HOURS = {"Asia/Jakarta": 7, "Asia/Makassar": 8, "Asia/Jayapura": 9}


def next_local_time(now_ms: int, hhmm: str, zone: str) -> int:
    """Epoch ms of the first ``HH:MM`` on the clocks of ``zone`` strictly after ``now_ms``."""
    offset = timedelta(hours=OFFSET_HOURS[zone])
    local = datetime.fromtimestamp(now_ms / 1000, UTC) + offset
    hour, minute = map(int, hhmm.split(":"))
    target = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if target <= local:
        target += timedelta(days=1)
    return int((target - offset).timestamp() * 1000)
