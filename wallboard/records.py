"""The records that cross from a collector to the store: readings, events, and one run's batch.

They live here, not with the sources or the store, because both sides import them and neither may
depend on the other: a source produces a ``Batch``, the collector hands it to ``Store.write``.
(``wallboard.sources.base`` re-exports them, so a source type imports everything from one place.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Reading:
    indicator: str
    region: str  # dotted Kemendagri code; the kabupaten/kota itself for a city-wide figure
    ts: int  # seconds since the epoch, UTC; for a period figure, the period's first midnight
    value: float
    period: str | None = None  # P1Y, P6M, P3M, P1M for a figure per period (see periods.py); None: a moment
    # Where the row came from, as an admin finds it ("data/dbd.csv baris 12", "sel D7"): named in a
    # conflict or a duplicate. Not part of the reading's identity.
    origin: str | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Event:
    ref: str
    time: datetime  # aware, UTC
    status: str = "baru"
    title: str = ""
    category: str = ""
    region: str | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Forecast:
    """One step of a weather forecast (BMKG's every 3 hours): what is expected, never what was measured.

    Kept apart from readings (``forecasts`` table) with both its times, so a trend of observed
    figures never mixes in a prediction, and a newer issue replaces an older one step by step.
    """

    region: str  # the kecamatan code the forecast stands for
    issued: datetime  # aware, UTC: when the forecast was made (BMKG's analysis_date)
    valid: datetime  # aware, UTC: the moment it is for
    place: str = ""  # the desa code BMKG was asked for
    temperature: float | None = None  # deg C
    humidity: float | None = None  # %
    rain: float | None = None  # mm in the step
    wind_speed: float | None = None  # km/h
    wind_dir: str = ""  # "N", "SE" ... where the wind comes from
    weather: int | None = None  # BMKG's weather code (0 clear ... 97 thunderstorm)
    text: str = ""  # weather_desc, Indonesian
    text_en: str = ""  # weather_desc_en


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What a file source read, so the same content is never stored twice (``source_files``).

    Kept in the database with the data it produced, in the same transaction: a restarted collector,
    or one that took over from a killed one, skips a file whose content it already stored.
    """

    size: int
    mtime_ns: int
    digest: str  # blake2b of the bytes read, hex
    path: str = ""  # as config writes it, for an admin reading the table


@dataclass
class Batch:
    """One run's output. Invalid records are counted and a few reasons kept, never raised."""

    readings: list[Reading] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    forecasts: list[Forecast] = field(default_factory=list)
    rejected: int = 0
    reasons: list[str] = field(default_factory=list)
    # Warnings do not refuse anything: a duplicate row counted once, a total that does not add up.
    warned: int = 0
    warnings: list[str] = field(default_factory=list)
    duplicates: int = 0  # rows identical to an earlier row in every column, counted once
    combined: int = 0  # rows added into another on the same indicator, region and period (aggregate)
    # Rows the source labels as the whole site's total (``JUMLAH`` ..., ``Kabupaten X``): checked
    # against the sum of the other rows, never stored unless the source says ``totals: keep``.
    totals: list[Reading] = field(default_factory=list)
    # Nothing new to read (a file that did not change): a successful run that writes nothing.
    unchanged: bool = False
    # An empty answer is normal for some feeds (no new complaints); for readings it means trouble.
    empty_ok: bool = False
    # The file this batch was read from (file sources); stored with the batch (Store.write).
    fingerprint: Fingerprint | None = None
    # type: wallboard: the peer's open incidents as read this run (None: not read, keep the last ones)
    peer_incidents: list[dict[str, Any]] | None = None

    def reject(self, reason: str) -> None:
        self.rejected += 1
        if len(self.reasons) < 5:
            self.reasons.append(reason)

    def warn(self, reason: str) -> None:
        self.warned += 1
        if len(self.warnings) < 5:
            self.warnings.append(reason)

    def duplicate(self, reason: str) -> None:
        """A row identical to an earlier one: counted once, reported as a warning."""
        self.duplicates += 1
        self.warn(reason)

    @property
    def rows(self) -> int:
        return len(self.readings) + len(self.events) + len(self.forecasts)
