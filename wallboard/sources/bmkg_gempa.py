"""``type: bmkg_gempa``: BMKG's latest and recently felt earthquakes, judged from the site.

Reads ``DataMKG/TEWS/autogempa.json`` (the latest quake, one object) and
``DataMKG/TEWS/gempadirasakan.json`` (the recent felt ones, a list) under ``base_url`` (BMKG's
``https://data.bmkg.go.id``, or a region's mirror serving the same paths). Both answer
``{"Infogempa": {"gempa": ...}}`` with text fields (see docs/sources.md): the time is taken from
``DateTime`` (UTC, ISO 8601), never from ``Tanggal``/``Jam`` (WIB written as text); coordinates
from ``Lintang``/``Bujur`` ("7.52 LS", "110.32 BT": a value without its hemisphere fails the run);
the depth from ``Kedalaman`` ("10 km"); MMI from ``Dirasakan`` ("II - III Magelang, II Temanggung").

Each quake is one event (ref ``gempa-YYYYMMDDhhmmss`` of its UTC time, so the same quake in both
feeds is one event). A quake is local when it is within ``near_km`` of the site's boundary or its
``Dirasakan`` names the site's kabupaten/kota or a kecamatan of it; its status is then its severity
(``kritis``, ``waspada``, ``info``) by magnitude and MMI. A far one is ``jauh`` and listed quietly. A
tsunami potential is always ``kritis``. The latest quake also gives two readings at the site:
``gempa_magnitudo_terakhir`` and ``gempa_jarak_km`` (its distance from the site's boundary).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from wallboard.config.models import SourceBase
from wallboard.durations import Duration
from wallboard.sources.base import Batch, Event, Reading, Source, SourceError
from wallboard.sources.bmkg_client import SHARED, field, looks_like_html
from wallboard.sources.bmkg_places import Site, load_site

LATEST = "DataMKG/TEWS/autogempa.json"
FELT = "DataMKG/TEWS/gempadirasakan.json"
MAGNITUDE = "gempa_magnitudo_terakhir"
DISTANCE = "gempa_jarak_km"
ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10, "XI": 11,
         "XII": 12}
_MMI = re.compile(r"\b(XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)\b(?:\s*-\s*(XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)\b)?")
_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*$")


class BmkgGempaConfig(SourceBase):
    type: Literal["bmkg_gempa"]
    every: Duration | None = Field(timedelta(minutes=1), description="BMKG updates the latest quake within minutes")
    base_url: str = Field("https://data.bmkg.go.id", description="BMKG's host or a mirror serving DataMKG/TEWS/...")
    near_km: float = Field(150.0, gt=0, description="a quake this close to the site's boundary is local")
    felt: bool = Field(True, description="also read gempadirasakan.json (the recent felt quakes)")
    boundaries: str | None = Field(
        None, description="kecamatan GeoJSON the distance is measured to; default data/regions/CODE-kecamatan.geojson"
    )

    def indicator_ids(self) -> list[str]:
        return [MAGNITUDE, DISTANCE]


@dataclass(frozen=True)
class Quake:
    time: datetime
    magnitude: float
    depth_km: float
    lat: float
    lon: float
    place: str
    potensi: str
    felt: str

    @property
    def tsunami(self) -> bool:
        text = self.potensi.lower()
        return "tsunami" in text and "tidak" not in text


class BmkgGempaSource(Source):
    Config = BmkgGempaConfig
    config: BmkgGempaConfig

    def __init__(self, config: BmkgGempaConfig, context: Any):
        super().__init__(config, context)
        code = context.site.region
        path = Path(config.boundaries) if config.boundaries else Path("data/regions") / f"{code}-kecamatan.geojson"
        if not path.is_absolute() and context.base_dir is not None:
            path = Path(context.base_dir) / path
        self.site: Site = load_site(code, path)

    def fetch(self, now: datetime) -> Batch:
        timeout = self.config.timeout.total_seconds()
        latest = _quakes(self._get(LATEST, timeout), LATEST)
        felt = _quakes(self._get(FELT, timeout), FELT) if self.config.felt else []
        quakes: dict[datetime, Quake] = {}
        for quake in felt + latest:  # the latest feed's record (with Potensi) wins
            quakes[quake.time] = _merge(quakes.get(quake.time), quake)
        batch = Batch()
        for quake in quakes.values():
            batch.events.append(self.event(quake))
        head = quakes[latest[0].time]
        ts = int(head.time.timestamp())
        batch.readings.append(Reading(MAGNITUDE, self.site.code, ts, head.magnitude, origin=LATEST))
        distance = self.site.distance_km(head.lat, head.lon)
        if distance is not None:
            batch.readings.append(Reading(DISTANCE, self.site.code, ts, round(distance, 1), origin=LATEST))
        else:
            batch.warn(f"batas wilayah {self.site.code} tidak ada: jarak gempa tidak dihitung "
                       f"(jalankan `wallboard regions fetch {self.site.code}`)")
        return batch

    def _get(self, path: str, timeout: float) -> Any:
        body = SHARED.get(self.config.base_url.rstrip("/") + "/" + path, timeout)
        if looks_like_html(body):
            raise SourceError(f"{path}: jawaban berupa halaman HTML, bukan JSON BMKG; tidak ada yang disimpan")
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise SourceError(f"{path}: jawaban bukan JSON yang sah ({exc})") from None

    def event(self, quake: Quake) -> Event:
        site = self.site
        distance = site.distance_km(quake.lat, quake.lon)
        mmi = site_mmi(quake.felt, site)
        local = mmi is not None or (distance is not None and distance <= self.config.near_km)
        status = severity(quake, local, mmi)
        category = "tsunami" if quake.tsunami else ("gempa lokal" if local else "gempa jauh")
        parts = [f"M {quake.magnitude:g}", f"kedalaman {quake.depth_km:g} km",
                 f"{quake.lat:.2f}, {quake.lon:.2f}", quake.place]
        if distance is not None:
            parts.append(f"{distance:.0f} km dari batas {site.name}")
        if quake.potensi:
            parts.append(quake.potensi)
        if quake.felt:
            parts.append(f"dirasakan (MMI): {quake.felt}")
        return Event(
            ref="gempa-" + quake.time.strftime("%Y%m%d%H%M%S"), time=quake.time, status=status,
            title=f"Gempa M {quake.magnitude:g} · {quake.place}"[:300], category=category,
            region=site.code if local else None, detail="; ".join(parts),
        )


def severity(quake: Quake, local: bool, mmi: int | None) -> str:
    """kritis / waspada / info for a local quake, jauh for a far one; a tsunami potential: kritis."""
    if quake.tsunami:
        return "kritis"
    if not local:
        return "jauh"
    felt = mmi or 0
    if quake.magnitude >= 6.0 or felt >= 6:
        return "kritis"
    if quake.magnitude >= 5.0 or felt >= 4:
        return "waspada"
    return "info"


def site_mmi(felt: str, site: Site) -> int | None:
    """The highest MMI ``Dirasakan`` gives a place of the site ("III Magelang" -> 3); None: not named."""
    best = None
    for segment in felt.split(","):
        match = _MMI.search(segment)
        if match is None:
            continue
        place = segment[match.end():]
        if site.names_site(place):
            level = ROMAN[match.group(2) or match.group(1)]
            best = level if best is None else max(best, level)
    return best


def _merge(old: Quake | None, new: Quake) -> Quake:
    if old is None:
        return new
    return Quake(new.time, new.magnitude, new.depth_km, new.lat, new.lon, new.place, new.potensi or old.potensi,
                 new.felt or old.felt)


def _quakes(data: Any, feed: str) -> list[Quake]:
    info = field(data, "Infogempa", feed)
    records = field(info, "gempa", feed)
    if isinstance(records, dict):
        records = [records]
    if not isinstance(records, list) or not records:
        raise SourceError(f"{feed}: Infogempa.gempa kosong atau bukan daftar; tidak ada yang disimpan")
    return [parse_quake(r, f"{feed} gempa ke-{i + 1}") for i, r in enumerate(records)]


def parse_quake(record: Any, where: str) -> Quake:
    """One record of the TEWS feeds; any field missing or unreadable fails the run naming it."""
    return Quake(
        time=_utc(str(field(record, "DateTime", where)), where),
        magnitude=_number(field(record, "Magnitude", where), "Magnitude", where),
        depth_km=_depth(str(field(record, "Kedalaman", where)), where),
        lat=hemisphere(str(field(record, "Lintang", where)), "Lintang", where),
        lon=hemisphere(str(field(record, "Bujur", where)), "Bujur", where),
        place=str(field(record, "Wilayah", where)).strip(),
        potensi=str(record.get("Potensi") or "").strip(),
        felt=str(record.get("Dirasakan") or "").strip(),
    )


def _utc(text: str, where: str) -> datetime:
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise SourceError(f"{where}: DateTime {text!r} bukan waktu ISO 8601") from None
    if when.tzinfo is None:
        raise SourceError(f"{where}: DateTime {text!r} tanpa zona waktu")
    return when.astimezone(UTC)


def _number(value: Any, name: str, where: str) -> float:
    match = _NUMBER.match(str(value))
    if match is None:
        raise SourceError(f"{where}: {name} {value!r} bukan angka")
    return float(match.group(1).replace(",", "."))


def _depth(text: str, where: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:[.,]\d+)?)\s*km\s*", text, re.IGNORECASE)
    if match is None:
        raise SourceError(f"{where}: Kedalaman {text!r} bukan 'N km'")
    return float(match.group(1).replace(",", "."))


def hemisphere(text: str, name: str, where: str) -> float:
    """"7.52 LS" -> -7.52, "110.32 BT" -> 110.32; a value without LU/LS (BT/BB) fails the run."""
    suffixes = {"LU": 1, "LS": -1} if name == "Lintang" else {"BT": 1, "BB": -1}
    match = re.fullmatch(r"\s*(\d+(?:[.,]\d+)?)\s*([A-Za-z]{2})\s*", text)
    if match is None or match.group(2).upper() not in suffixes:
        raise SourceError(f"{where}: {name} {text!r} tanpa {'/'.join(suffixes)} (belahan bumi); "
                          "tidak ada yang disimpan")
    return suffixes[match.group(2).upper()] * float(match.group(1).replace(",", "."))
