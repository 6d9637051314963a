"""``type: bmkg_cuaca``: BMKG's weather forecast for one desa per kecamatan, stored as forecasts.

BMKG's public forecast API answers ``publik/prakiraan-cuaca?adm4=CODE`` (under
``https://api.bmkg.go.id``) for a Kemendagri desa/kelurahan code with ``lokasi`` and ``data[0].cuaca``:
a list of days, each a list of 3-hour steps (``datetime`` in UTC, ``t`` deg C, ``hu`` %, ``tp`` mm,
``ws`` km/h, ``wd`` direction, ``weather`` code, ``weather_desc``/``weather_desc_en``,
``analysis_date`` the issue time in UTC; see docs/sources.md). ``desa:`` names, per kecamatan, the
desa asked for (``wallboard init`` picks one; any other of the kecamatan may replace it).

Every step becomes a ``Forecast`` (issue time and valid time) for its kecamatan, never a reading:
trends of measured figures never see a prediction. A step missing from BMKG's answer is simply
absent (the panel shows a gap); a field missing from a step fails the run naming it. A desa code
BMKG does not know (404, or no ``data``) leaves that kecamatan without forecast, with a warning
naming it; the other kecamatan are stored.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import Field, field_validator

from wallboard.config.models import SourceBase
from wallboard.durations import Duration
from wallboard.records import Forecast
from wallboard.sources.base import Batch, Source, SourceError
from wallboard.sources.bmkg_client import SHARED, HttpStatus, field, looks_like_html

PATH = "publik/prakiraan-cuaca"
UNKNOWN = "tidak dikenal BMKG"


class BmkgCuacaConfig(SourceBase):
    type: Literal["bmkg_cuaca"]
    every: Duration | None = Field(timedelta(hours=3), description="BMKG issues the forecast twice a day")
    base_url: str = Field("https://api.bmkg.go.id", description="BMKG's API host or a mirror serving publik/...")
    desa: dict[str, str] = Field(
        description="kecamatan code -> the desa/kelurahan code (adm4) whose forecast stands for it", min_length=1
    )

    @field_validator("desa")
    @classmethod
    def _desa_in_kecamatan(cls, value: dict[str, str]) -> dict[str, str]:
        for kecamatan, desa in value.items():
            if not str(desa).startswith(str(kecamatan) + ".") or str(desa).count(".") != 3:
                raise ValueError(f"desa {desa!r} is not a desa code inside kecamatan {kecamatan!r} (e.g. "
                                 f"{kecamatan}.2001)")
        return value


class BmkgCuacaSource(Source):
    Config = BmkgCuacaConfig
    config: BmkgCuacaConfig

    def fetch(self, now: datetime) -> Batch:
        timeout = self.config.timeout.total_seconds()
        batch = Batch()
        for kecamatan, desa in self.config.desa.items():
            try:
                data = self._get(desa, timeout)
            except _Unknown:
                batch.warn(f"kecamatan {kecamatan}: desa {desa} {UNKNOWN}; kecamatan ini tanpa prakiraan")
                continue
            batch.forecasts.extend(parse_forecast(data, kecamatan, desa))
        return batch

    def _get(self, desa: str, timeout: float) -> Any:
        url = self.config.base_url.rstrip("/") + "/" + PATH
        try:
            body = SHARED.get(url, timeout, params={"adm4": desa})
        except HttpStatus as exc:
            if exc.status == 404:
                raise _Unknown from None
            raise
        if looks_like_html(body):
            raise SourceError(f"{PATH}?adm4={desa}: jawaban berupa halaman HTML, bukan JSON BMKG; "
                              "tidak ada yang disimpan")
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise SourceError(f"{PATH}?adm4={desa}: jawaban bukan JSON yang sah ({exc})") from None
        if isinstance(data, dict) and not data.get("data"):
            raise _Unknown
        return data


class _Unknown(Exception):
    """BMKG has no forecast for this desa code."""


def parse_forecast(data: Any, kecamatan: str, desa: str) -> list[Forecast]:
    where = f"{PATH}?adm4={desa}"
    entries = field(data, "data", where)
    if not isinstance(entries, list) or not entries:
        raise SourceError(f"{where}: 'data' bukan daftar; tidak ada yang disimpan")
    days = field(entries[0], "cuaca", where)
    if not isinstance(days, list):
        raise SourceError(f"{where}: 'cuaca' bukan daftar; tidak ada yang disimpan")
    steps = [step for day in days for step in (day if isinstance(day, list) else [day])]
    return [_step(step, kecamatan, desa, f"{where} langkah ke-{i + 1}") for i, step in enumerate(steps)]


def _step(step: Any, kecamatan: str, desa: str, where: str) -> Forecast:
    if not isinstance(step, dict):
        raise SourceError(f"{where}: bukan objek JSON; tidak ada yang disimpan")
    valid = _utc(str(step.get("datetime") or field(step, "utc_datetime", where)), "datetime", where)
    return Forecast(
        region=kecamatan, issued=_utc(str(field(step, "analysis_date", where)), "analysis_date", where),
        valid=valid, place=desa,
        temperature=_number(field(step, "t", where), "t", where),
        humidity=_number(field(step, "hu", where), "hu", where),
        rain=_number(field(step, "tp", where), "tp", where),
        wind_speed=_number(field(step, "ws", where), "ws", where),
        wind_dir=str(step.get("wd") or ""),
        weather=int(_number(field(step, "weather", where), "weather", where)),
        text=str(field(step, "weather_desc", where)), text_en=str(step.get("weather_desc_en") or ""),
    )


def _number(value: Any, name: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise SourceError(f"{where}: {name} {value!r} bukan angka")
    try:
        return float(value)
    except ValueError:
        raise SourceError(f"{where}: {name} {value!r} bukan angka") from None


def _utc(text: str, name: str, where: str) -> datetime:
    """BMKG writes UTC either with a Z (``datetime``) or bare (``utc_datetime``, ``analysis_date``)."""
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise SourceError(f"{where}: {name} {text!r} bukan waktu ISO 8601") from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
