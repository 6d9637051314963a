"""BPS's web API (webapi.bps.go.id): a dynamic table as readings per region and period.

``list/model/data`` answers one table (a ``var``) as lists of ids with labels and the figures
in ``datacontent``, keyed by the concatenated ids: vervar (the region) + var + turvar (a
breakdown, ``0`` for none) + tahun (the year's id, ``124`` is 2024) + turtahun (``0`` for the year,
``1``-``12`` months, quarters or halves as the table says, ``13`` the annual figure)::

    {"status": "OK", "data-availability": "available",
     "var": [{"val": 31, "label": "Jumlah Penduduk", "unit": "Jiwa"}],
     "turvar": [{"val": 0, "label": "Tidak ada"}],
     "vervar": [{"val": 9702, "label": "Jayawijaya"}], "tahun": [{"val": 124, "label": "2024"}],
     "turtahun": [{"val": 0, "label": "Tahun"}], "datacontent": {"97023101240": 278942}}

Each cell becomes a reading for its region and period (``Januari 2024`` -> P1M, ``Triwulan I
2024`` -> P3M, a year -> P1Y; see periods.py). vervar ids are BPS region codes, translated into
Kemendagri codes through the bridging table exactly as ``region_codes: bps`` does (mapping.py);
``vervar: nama`` reads the labels as region names instead, for tables numbered 1, 2, 3. A cell
that cannot be read is refused naming its datacontent key and the reason; a key that matches no
cell of the table is refused too. The API key is ``${BPS_KEY}`` in config, filled at request
time and never shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, model_validator

from wallboard.config.models import Identifier, SourceBase
from wallboard.downloads import SOURCE_MAX_BYTES, bounded
from wallboard.secrets import expand, has_variables
from wallboard.sources.base import Batch, Source, SourceError
from wallboard.sources.http_json import JsonClient, shown_url
from wallboard.sources.mapping import Columns, Mapper, RecordsConfig

API = "https://webapi.bps.go.id/v1/api/list/model/data/lang/ind/domain/{domain}/var/{var}/key/{key}/"
YEARLY = {"", "tahun", "tahunan"}
LISTS = ("var", "turvar", "vervar", "tahun", "turtahun")


class BpsWebConfig(SourceBase):
    type: Literal["bps"]
    url: str | None = Field(None, description="the table's full list/model/data URL (else domain, var and key)")
    domain: str | None = Field(None, pattern=r"^\d{4}$", description="BPS domain: 0000 national, 9700 a province, "
                                                                       "9702 a kabupaten/kota")
    var: int | None = Field(None, ge=1, description="the table (variable) id")
    key: str | None = Field(None, description="the API key, as ${BPS_KEY}")
    indicator: Identifier = Field(description="the indicator the table's figures are")
    turvar: str | None = Field(None, description="the breakdown read (its val or label) when the table has several")
    vervar: Literal["bps", "nama"] = Field("bps", description="vervar ids are BPS region codes, or labels are names")
    turtahun: Literal["periode", "tahunan"] = Field(
        "periode", description="periode: the table's months/quarters (its annual column left out); "
                               "tahunan: only the annual figures"
    )
    verify: bool = Field(True, description="check the server's TLS certificate")
    max_bytes: int = Field(SOURCE_MAX_BYTES, ge=1, description="an answer larger than this many bytes fails "
                                                               "the run; counted as it arrives")

    @model_validator(mode="after")
    def _where(self) -> BpsWebConfig:
        parts = (self.domain, self.var, self.key)
        if self.url is None and any(p is None for p in parts):
            raise ValueError("give url:, or domain:, var: and key: (the standard webapi.bps.go.id address)")
        if self.url is not None and any(p is not None for p in parts):
            raise ValueError("give either url: or domain:/var:/key:, not both")
        if self.url and not has_variables(self.url) and urlsplit(self.url).scheme not in ("http", "https"):
            raise ValueError(f"{self.url!r} is not an http:// or https:// URL")
        return self

    def address(self) -> str:
        """The URL as written in config (``${BPS_KEY}`` not yet filled)."""
        return self.url or API.format(domain=self.domain, var=self.var, key=self.key)


class BpsWebSource(Source):
    Config = BpsWebConfig
    config: BpsWebConfig

    def __init__(self, config: BpsWebConfig, context):
        super().__init__(config, context)
        records = RecordsConfig(
            id=config.id, type="bps", indicator=config.indicator,
            columns=Columns(time="periode", region="wilayah", value="nilai"),
            region_codes="bps" if config.vervar == "bps" else "kemendagri",
        )
        self.mapper = Mapper(records, context)

    def fetch(self, now: datetime) -> Batch:
        c = self.config
        seconds = c.timeout.total_seconds()
        address = c.address()
        shown = shown_url(address.split("/key/")[0] + "/key/***/") if "/key/" in address else None
        with bounded(seconds, c.max_bytes, c.verify) as client:
            data, _ = JsonClient(client).get("GET", expand(address), shown=shown)
        table = checked(data)
        skipped: list[str] = []
        cells = list(self.cells(table, skipped))
        readable = ((name, cell) for name, cell in cells if isinstance(cell, dict))
        batch = self.mapper.apply_numbered(readable, now, unit="datacontent")
        for name, cell in cells:
            if isinstance(cell, str):
                batch.reject(f"datacontent {name}: {cell}")
        if skipped:
            batch.warn(f"{len(skipped)} angka tahunan (turtahun {skipped[0]!r}) tidak dibaca: tabel ini per "
                       "periode; pakai turtahun: tahunan untuk angka tahunannya")
        return batch

    def cells(self, table: dict, skipped: list[str]) -> Iterator[tuple[str, dict | str]]:
        """(datacontent key as reasons name it, record or the reason it cannot be one) per figure.

        Cells of another breakdown (turvar) than the one configured are not read; neither are the
        annual cells of a monthly or quarterly table (they would share the year's first month's
        place in the store), which ``skipped`` counts by their turtahun label.
        """
        chosen = self._turvar(table["turvar"])
        periods = self._turtahun(table["turtahun"])
        known: dict[str, list[tuple]] = {}
        for v in table["vervar"]:
            for x in table["var"]:
                for t in table["turvar"]:
                    for y in table["tahun"]:
                        for p in table["turtahun"]:
                            key = "".join(str(item["val"]) for item in (v, x, t, y, p))
                            known.setdefault(key, []).append((v, t, y, p))
        for key, value in table["datacontent"].items():
            combos = known.get(str(key), [])
            if not combos:
                yield str(key), "kunci tidak cocok dengan vervar, var, turvar, tahun dan turtahun tabel"
            elif len(combos) > 1:
                cells = " / ".join(f"{v['label']} {period_text(y, p)}" for v, _t, y, p in combos)
                yield str(key), f"kunci cocok dengan lebih dari satu sel ({cells})"
            elif combos[0][1] is chosen:
                v, _t, y, p = combos[0]
                if not any(p is q for q in periods):
                    if self.config.turtahun == "periode":
                        skipped.append(str(p["label"]))
                    continue
                region = str(v["val"]) if self.config.vervar == "bps" else v["label"]
                when = period_text(y, p)
                yield f"{key} ({v['label']}, {when})", {"wilayah": region, "periode": when, "nilai": value}

    def _turtahun(self, turtahun: list[dict]) -> list[dict]:
        """The turtahun read: the annual ones, or the table's own periods when it has any."""
        annual = [p for p in turtahun if is_annual(p)]
        within = [p for p in turtahun if not is_annual(p)]
        if self.config.turtahun == "tahunan":
            if not annual:
                raise SourceError("tabel BPS tidak punya angka tahunan (turtahun: "
                                  + ", ".join(str(p["label"]) for p in turtahun) + ")")
            return annual
        return within or annual

    def _turvar(self, turvar: list[dict]) -> dict:
        wanted = self.config.turvar
        if wanted is None:
            if len(turvar) > 1:
                shown = ", ".join(f"{t['val']} {t['label']}" for t in turvar)
                raise SourceError(f"tabel BPS punya beberapa turvar ({shown}); pilih satu dengan turvar:")
            return turvar[0]
        for t in turvar:
            if str(t["val"]) == wanted or str(t["label"]).strip().casefold() == wanted.strip().casefold():
                return t
        shown = ", ".join(f"{t['val']} {t['label']}" for t in turvar)
        raise SourceError(f"turvar {wanted!r} tidak ada di tabel BPS (ada: {shown})")


def is_annual(turtahun: dict) -> bool:
    """turtahun 0 (``Tahun``) of a yearly table, or the ``Tahunan`` column of a monthly one."""
    return str(turtahun["val"]) == "0" or " ".join(str(turtahun["label"]).split()).casefold() in YEARLY


def period_text(tahun: dict, turtahun: dict) -> str:
    """``2024`` for the year, else ``Januari 2024``, ``Triwulan I 2024``, as periods.py reads them."""
    year = str(tahun["label"]).strip()
    if is_annual(turtahun):
        return year
    return f"{' '.join(str(turtahun['label']).split())} {year}"


def checked(data: Any) -> dict:
    """The answer when it is a table; a failed run naming what is wrong otherwise."""
    if not isinstance(data, dict):
        raise SourceError(f"jawaban BPS bukan objek JSON melainkan {type(data).__name__}")
    status = data.get("status")
    if status != "OK":
        message = data.get("message") or data.get("data") or ""
        raise SourceError(f"BPS menjawab status {status!r}" + (f": {message}" if message else ""))
    availability = data.get("data-availability")
    if availability != "available":
        raise SourceError(f"tabel BPS tidak tersedia (data-availability: {availability!r})")
    for name in LISTS:
        items = data.get(name)
        if not isinstance(items, list) or not items or not all(
                isinstance(i, dict) and "val" in i and "label" in i for i in items):
            raise SourceError(f"jawaban BPS tanpa daftar {name!r} (val, label)")
    if not isinstance(data.get("datacontent"), dict):
        raise SourceError("jawaban BPS tanpa datacontent")
    return data
