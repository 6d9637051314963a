"""Reading what the wall shows now: current figures, freshness, events, and whether anything changed.

Trends are ``series.py``'s; the run history is ``runs.py``'s.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam, func, select, text

from wallboard.store import schema
from wallboard.store.base import StorePart, _aware, _length_sql

# The live hub's questions, built once: a data change asks each of them, and building a select
# (coercing its columns and operators) cost four times as much as running it on SQLite (0.48 ms
# against 0.10 ms for the data version, measured in-process). Compiled forms are then cached by
# SQLAlchemy as for any statement; an expanding parameter takes the list of ids.
_DATA_VERSION = select(
    select(func.coalesce(func.max(schema.collector_runs.c.id), 0)).scalar_subquery()
    + select(func.coalesce(func.max(schema.alert_events.c.id), 0)).scalar_subquery()
)
_INDICATOR_VERSIONS = select(schema.indicator_versions).where(
    schema.indicator_versions.c.indicator.in_(bindparam("ids", expanding=True)))
_LATEST = select(schema.latest).where(schema.latest.c.indicator.in_(bindparam("ids", expanding=True)))


@dataclass(frozen=True, slots=True)
class Latest:
    region: str
    ts: int
    value: float
    prev_ts: int | None
    prev_value: float | None
    # The current reading's length (P1Y, P6M, P3M, P1M ...) when it is a figure per period. Several
    # lengths starting at the newest time: the shortest is current; ``prev_*`` is of the same length.
    period: str | None = None


@dataclass(frozen=True, slots=True)
class Freshness:
    """How old an indicator's newest figure is; the wall compares ``age`` with ``stale_after``."""

    indicator: str
    ts: int | None  # newest reading over all regions, epoch seconds
    age: float | None  # seconds
    regions: int


@dataclass(frozen=True, slots=True)
class StoredEvent:
    source: str
    ref: str
    time: datetime
    category: str
    region: str | None
    status: str
    title: str
    detail: str
    updated: datetime


@dataclass(frozen=True, slots=True)
class StoredForecast:
    source: str
    region: str
    valid: datetime
    issued: datetime
    place: str
    temperature: float | None
    humidity: float | None
    rain: float | None
    wind_speed: float | None
    wind_dir: str
    weather: int | None
    text: str
    text_en: str


class Reader(StorePart):
    """The snapshot's questions: ``latest`` (and as it stood, ``latest_at``), versions, events, changes."""

    _files: tuple[str, ...]  # the SQLite file and its write-ahead log (set by ``Store``)

    @property
    def files(self) -> tuple[str, ...]:
        """The SQLite file and its write-ahead log, () on other databases: what a commit changes."""
        return tuple(self._files)

    def change_hint(self) -> tuple[tuple[int, int, int], ...] | None:
        """Size, modification time and inode of the SQLite file and its WAL, None on other databases.

        Any commit, by any process, changes one of them; asking the file system costs microseconds
        where ``data_version`` costs a query, so the hub asks this whenever it wakes (told by the
        file watch, or twice a second where it polls) and the database only when it moved (and
        every few seconds regardless: a hint is not a guarantee, two commits
        within one clock tick that leave the log's size alone would look alike).
        """
        if not self._files:
            return None
        out = []
        for path in self._files:
            try:
                st = os.stat(path)
            except OSError:
                out.append((0, 0, 0))
            else:
                out.append((st.st_size, st.st_mtime_ns, st.st_ino))
        return tuple(out)

    def data_version(self) -> int:
        """Grows with every recorded collector run and every alert change (opened, acknowledged ...):
        a cheap question the wall asks every second. Both ids only grow, so their sum does too."""
        with self.engine.connect() as conn:
            return int(conn.execute(_DATA_VERSION).scalar() or 0)

    def indicator_versions(self, indicator_ids: Iterable[str]) -> dict[str, tuple[int, int | None]]:
        """Each indicator's write counter and the oldest reading time its last write touched
        ((0, None) if never written): equal counts, same readings."""
        ids = list(indicator_ids)
        out: dict[str, tuple[int, int | None]] = dict.fromkeys(ids, (0, None))
        if ids:
            with self.engine.connect() as conn:
                out.update({row.indicator: (int(row.version), None if row.low is None else int(row.low))
                            for row in conn.execute(_INDICATOR_VERSIONS, {"ids": ids}).all()})
        return out

    def latest(self, indicator_ids: Iterable[str]) -> dict[str, list[Latest]]:
        ids = list(indicator_ids)
        out: dict[str, list[Latest]] = {i: [] for i in ids}
        if not ids:
            return out
        with self.engine.connect() as conn:
            for row in conn.execute(_LATEST, {"ids": ids}):
                out[row.indicator].append(
                    Latest(row.region, row.ts, row.value, row.prev_ts, row.prev_value, row.period)
                )
        return out

    def freshness(self, indicator_ids: Iterable[str], now: datetime | None = None) -> dict[str, Freshness]:
        """Each indicator's newest reading time and age, from ``latest`` alone (one grouped query)."""
        ids = list(indicator_ids)
        now_ts = (now or datetime.now(UTC)).timestamp()
        out = {i: Freshness(i, None, None, 0) for i in ids}
        if not ids:
            return out
        t = schema.latest
        query = select(t.c.indicator, func.max(t.c.ts), func.count()).where(t.c.indicator.in_(ids))
        with self.engine.connect() as conn:
            for indicator, ts, regions in conn.execute(query.group_by(t.c.indicator)):
                out[indicator] = Freshness(indicator, int(ts), max(0.0, now_ts - ts), int(regions))
        return out

    def events(self, source: str, limit: int, until: datetime | None = None) -> list[StoredEvent]:
        """The newest events; with ``until``, those that had happened by then (as they stand now)."""
        t = schema.events
        query = select(t).where(t.c.source == source).order_by(t.c.time.desc(), t.c.id.desc()).limit(limit)
        if until is not None:
            query = query.where(t.c.time <= until)
        with self.engine.connect() as conn:
            return [
                StoredEvent(r.source, r.ref, _aware(r.time), r.category, r.region, r.status, r.title, r.detail,
                            _aware(r.updated))
                for r in conn.execute(query)
            ]

    def forecasts(self, source: str, since: datetime, until: datetime) -> list[StoredForecast]:
        """A forecast source's steps valid from ``since`` to ``until``, by kecamatan then time."""
        t = schema.forecasts
        query = (select(t).where(t.c.source == source, t.c.valid >= since, t.c.valid <= until)
                 .order_by(t.c.region, t.c.valid))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [StoredForecast(r.source, r.region, _aware(r.valid), _aware(r.issued), r.place, r.temperature,
                               r.humidity, r.rain, r.wind_speed, r.wind_dir, r.weather, r.text, r.text_en)
                for r in rows]

    def latest_at(self, indicator_ids: Iterable[str], at: int) -> dict[str, list[Latest]]:
        """What ``latest`` held at epoch second ``at``: each pair's current and previous reading then,
        chosen as ``latest`` chooses them (newest start, then shortest length; previous of the same
        length).

        Replay asks this; a few index seeks per (indicator, region) pair along the readings key.
        """
        ids = list(indicator_ids)
        out: dict[str, list[Latest]] = {i: [] for i in ids}
        if not ids:
            return out
        t = schema.latest
        r = schema.readings
        length = text(_length_sql(self._dialect))
        with self.engine.connect() as conn:
            pairs = conn.execute(select(t.c.indicator, t.c.region).where(t.c.indicator.in_(ids))).all()
            for indicator, region in pairs:
                pair = (r.c.indicator == indicator, r.c.region == region)
                newest = select(func.max(r.c.ts)).where(*pair, r.c.ts <= at).scalar_subquery()
                now = conn.execute(
                    select(r.c.ts, r.c.value, r.c.period).where(*pair, r.c.ts == newest)
                    .order_by(length, r.c.period).limit(1)
                ).first()
                if now is None:
                    continue
                prev = conn.execute(
                    select(r.c.ts, r.c.value).where(*pair, r.c.period == now.period, r.c.ts < now.ts)
                    .order_by(r.c.ts.desc()).limit(1)
                ).first()
                out[indicator].append(Latest(region, now.ts, now.value, prev.ts if prev else None,
                                             prev.value if prev else None, now.period or None))
        return out

    def count_readings(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(schema.readings)).scalar() or 0)
