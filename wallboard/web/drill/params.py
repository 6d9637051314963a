"""The drill page's state, read from and written to the query string.

Everything a supervisor chooses (range, region, indicator, event filters, the open event) lives in
the URL, so a copied link reproduces the view and the browser's back and forward buttons just
work. Anything that does not parse, or names a region outside the site, is dropped and the default
used: a hand-edited link never causes a server error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from wallboard import regions
from wallboard.store.store import DAY, HOUR

RANGES = {"24h": DAY, "7d": 7 * DAY, "30d": 30 * DAY, "1y": 365 * DAY}
DEFAULT_RANGE = "7d"
# Chart bucket per preset: every range draws 96..365 points, and 7d and longer read only rollups.
BUCKETS = {"24h": 900, "7d": HOUR, "30d": 6 * HOUR, "1y": DAY}
MAX_CUSTOM_DAYS = 3 * 366
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SLUG = re.compile(r"^[\w .,/&()+-]{1,120}$")


@dataclass(frozen=True)
class DrillState:
    range: str = DEFAULT_RANGE
    day_from: date | None = None  # custom range, in the site's time zone, both days included
    day_to: date | None = None
    region: str | None = None  # an area under the site with areas of its own (kab/kota, kecamatan)
    indicator: str | None = None  # which of a multi-indicator panel's indicators
    statuses: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    event: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def window(self, now: datetime, zone: Any) -> tuple[int, int, int]:
        """(start, end, bucket) in epoch seconds: the range the page shows and its chart bucket.

        A custom range starts at local midnight; the chart rounds it down to its bucket (whole UTC
        days are read from the day rollup), the table and exports keep it exact.
        """
        end_ts = int(now.timestamp())
        if self.range == "custom" and self.day_from and self.day_to:
            start = int(datetime.combine(self.day_from, datetime.min.time(), zone).timestamp())
            end = int(datetime.combine(self.day_to + timedelta(days=1), datetime.min.time(), zone).timestamp())
            span = end - start
            bucket = 900 if span <= 2 * DAY else HOUR if span <= 14 * DAY else 6 * HOUR if span <= 92 * DAY else DAY
            return start, end, bucket
        span, bucket = RANGES[self.range], BUCKETS[self.range]
        return (end_ts - span) // bucket * bucket + bucket, end_ts, bucket

    def query(self, **changes: Any) -> str:
        """The query string of this state with some parts changed (``None`` removes a part)."""
        state = replace(self, **changes)
        pairs: list[tuple[str, str]] = [("range", state.range)]
        if state.range == "custom" and state.day_from and state.day_to:
            pairs += [("from", state.day_from.isoformat()), ("to", state.day_to.isoformat())]
        if state.region:
            pairs.append(("region", state.region))
        if state.indicator:
            pairs.append(("indicator", state.indicator))
        pairs += [("status", s) for s in state.statuses]
        pairs += [("category", c) for c in state.categories]
        if state.event:
            pairs.append(("event", state.event))
        return "?" + urlencode(pairs)


def parse(args: Any, site: str, indicators: list[str], today: date) -> DrillState:
    """A state from request args (a MultiDict); what is not understood is left at its default."""
    rng = str(args.get("range", DEFAULT_RANGE))
    day_from = day_to = None
    if rng == "custom":
        day_from, day_to = _day(args.get("from")), _day(args.get("to"))
        if day_from and day_to and day_from > day_to:
            day_from, day_to = day_to, day_from
        if (
            day_from is None or day_to is None or day_to > today + timedelta(days=1)
            or (day_to - day_from).days > MAX_CUSTOM_DAYS
        ):
            rng, day_from, day_to = DEFAULT_RANGE, None, None
    elif rng not in RANGES:
        rng = DEFAULT_RANGE
    region = str(args.get("region", "")).strip()
    indicator = str(args.get("indicator", ""))
    return DrillState(
        range=rng,
        day_from=day_from,
        day_to=day_to,
        region=region if regions.drillable(region, site) else None,
        indicator=indicator if indicator in indicators else None,
        statuses=_words(args.getlist("status")),
        categories=_words(args.getlist("category")),
        event=_word(args.get("event")),
    )


def _day(value: Any) -> date | None:
    text = str(value or "").strip()
    if not _DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _word(value: Any) -> str | None:
    text = str(value or "").strip()
    return text if _SLUG.match(text) else None


def _words(values: list[Any]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(w for w in (_word(v) for v in values[:50]) if w))
