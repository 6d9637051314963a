"""From records (rows of a file, objects of an API, rows of a query) to readings or events.

Every tabular source type shares this: the ``columns:`` mapping (``time``, ``region``, ``value``,
``indicator``) or the ``events:`` mapping (``ref``, ``time``, ``region``, ``category``, ``status``,
``title``, ``detail``). A mapping entry names a column, or is a constant when it starts with
``=`` (``indicator: =harga_beras``). A record that cannot be read is rejected with a reason and
the others are kept, so one bad row never costs the whole run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from wallboard import bps, regions
from wallboard.config.models import Identifier, SourceBase, Strict
from wallboard.sources.base import Batch, Event, Reading, SourceContext, SourceError
from wallboard.sources.periods import parse_when, parse_when_parts
from wallboard.sources.totals import is_total, split_site_rows
from wallboard.sources.values import ValueProblem, judge_decimal_mark, parse_number, parse_time


class Columns(Strict):
    """Which column holds what; missing ``time`` means the run's time, missing ``region`` the whole site."""

    time: str | list[str] | None = Field(
        None, description="the time column, or the columns read together into one time: [tahun, bulan]"
    )
    region: str | None = None
    value: str = "value"
    indicator: str | None = None
    periods: list[str] | str | None = Field(
        None, description="layout: wide only: the period columns, as a list of headers or a regular expression"
    )

    @model_validator(mode="after")
    def _time_columns(self) -> Columns:
        if isinstance(self.time, list) and not 1 <= len(self.time) <= 3:
            raise ValueError("columns.time: one column, or a list of two or three read together ([tahun, bulan])")
        return self

    def time_columns(self) -> list[str]:
        """The time column(s) as a list; empty when the rows take the run's time."""
        if not self.time:
            return []
        return [self.time] if isinstance(self.time, str) else list(self.time)


class EventColumns(Strict):
    ref: str
    time: str | None = None
    region: str | None = None
    category: str | None = None
    status: str | None = None
    title: str | None = None
    detail: str | None = None


class RecordsConfig(SourceBase):
    """Keys shared by the record-reading types (csv, excel, http_json, sql)."""

    columns: Columns | None = None
    events: EventColumns | None = None
    indicator: Identifier | None = Field(
        None, description="the indicator every row belongs to, when no column says it"
    )
    indicators: dict[str, Identifier] | None = Field(
        None, description="what the indicator column writes -> indicator id, e.g. {Beras Medium: harga_beras}"
    )
    region_codes: Literal["kemendagri", "bps"] = Field(
        "kemendagri", description="the code system of the region column: kemendagri (32.73.02) or bps (3273020)"
    )
    totals: Literal["check", "keep"] = Field(
        "check", description="a row for the whole kabupaten/kota (JUMLAH, Kabupaten X) among kecamatan rows: "
        "check (compared with the sum of the rows, not stored) or keep (stored as the kabupaten/kota's figure)"
    )

    @model_validator(mode="after")
    def _readings_or_events(self) -> RecordsConfig:
        readings = self.columns is not None or self.indicator is not None or self.indicators is not None
        if readings and self.events is not None:
            raise ValueError("give either columns:/indicator: (readings) or events:, not both")
        if self.columns is not None and self.columns.periods is not None and "layout" not in type(self).model_fields:
            raise ValueError("columns.periods belongs to layout: wide (csv and excel sources)")
        if self.events is None:
            column = self.columns.indicator if self.columns else None
            if self.indicator is None and column is None and not self._indicator_columns():
                raise ValueError("say which indicator the rows are: indicator: ID, or columns: {indicator: COLUMN}")
        return self

    def _indicator_columns(self) -> bool:
        """True when columns of the table are indicators themselves (``layout: wide``, see files.py)."""
        return False

    def regional(self) -> bool | None:
        if self.events is not None:
            return None
        return self.columns is not None and self.columns.region is not None

    def indicators_from_data(self) -> bool:
        column = self.columns.indicator if self.columns else None
        return self.events is None and bool(column) and not column.startswith("=")

    def indicator_ids(self) -> list[str]:
        if self.events is not None:
            return []
        ids = [self.indicator] if self.indicator else []
        column = self.columns.indicator if self.columns else None
        if column and column.startswith("="):
            ids = [column[1:].strip()]
        return ids + [i for i in (self.indicators or {}).values() if i not in ids]

    def column_names(self) -> list[str]:
        """Columns the records must have (constants excluded)."""
        mapping = self.events if self.events is not None else self.columns
        if mapping is None:
            return ["value"]
        names = []
        for key, value in mapping.model_dump().items():
            for name in value if key == "time" and isinstance(value, list) else [value]:
                if key != "periods" and isinstance(name, str) and name and not name.startswith("="):
                    names.append(name)
        return names


def lookup(record: Mapping[str, Any], key: str) -> Any:
    """A column by exact name, else ignoring case and spaces, else a dotted path into nested objects."""
    if key in record:
        return record[key]
    folded = key.strip().casefold()
    for name, value in record.items():
        if isinstance(name, str) and name.strip().casefold() == folded:
            return value
    if "." in key:
        current: Any = record
        for part in key.split("."):
            if isinstance(current, Mapping) and part in current:
                current = current[part]
            elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
                current = current[int(part)]
            else:
                raise KeyError(key)
        return current
    raise KeyError(key)


class Mapper:
    """Turns records into a ``Batch`` for one source; caches region and indicator lookups per run."""

    def __init__(self, config: RecordsConfig, context: SourceContext):
        self.config = config
        self.context = context
        self.zone = context.site.zone
        self.site = context.site.region
        self._regions: dict[Any, str | None] = {}
        self._indicators: dict[Any, str | None] = {}
        self._labels = {}
        for ind in context.indicators.values():
            for text in (ind.id, ind.label.id, ind.label.en):
                if text:
                    self._labels.setdefault(" ".join(str(text).split()).casefold(), ind.id)
        for written, ind_id in (config.indicators or {}).items():
            self._labels[" ".join(written.split()).casefold()] = ind_id
        self._header: dict[str, str] = {}  # configured column -> the header's own spelling
        self._bridge: bps.Bridge | None = None

    def check_header(self, header: Iterable[Any]) -> None:
        """Fail the whole run when a configured column is missing: the system changed its export."""
        names = {str(h).strip().casefold(): h for h in header if h is not None}
        self._header = {c: names[c.strip().casefold()] for c in self.config.column_names()
                        if c.strip().casefold() in names}
        missing = [c for c in self.config.column_names() if c.strip().casefold() not in names and "." not in c]
        if missing:
            shown = ", ".join(sorted(str(h) for h in header if h is not None))[:160]
            raise SourceError(f"kolom {', '.join(repr(m) for m in missing)} tidak ada (kolom yang ada: {shown})")

    def apply(self, records: Iterable[Mapping[str, Any]], now: datetime) -> Batch:
        """Records to a batch; a rejected one is named ``record N``, counting from 1."""
        return self.apply_numbered(enumerate(records, start=1), now)

    def prepare(self) -> None:
        """Per run: load the BPS bridging table when the region column holds BPS codes.

        A missing table fails the run (nothing can be placed without it) with the command that fetches it.
        """
        if self.config.region_codes != "bps":
            return
        directory = Path(self.context.base_dir or ".") / bps.DIRECTORY
        try:
            bridge = bps.load_bridge(directory)
        except (OSError, bps.BridgeError) as exc:
            raise SourceError(f"tabel kode BPS-Kemendagri tidak bisa dibaca: {exc}") from None
        if bridge is None:
            raise SourceError(
                f"tabel kode BPS-Kemendagri belum ada ({bps.table_path(bps.DIRECTORY)}); "
                "ambil dengan `wallboard regions fetch KODE --bps`"
            )
        if bridge is not self._bridge:
            self._bridge = bridge
            self._regions.clear()

    def apply_numbered(self, numbered: Iterable[tuple[int, Mapping[str, Any]]], now: datetime,
                       unit: str = "record") -> Batch:
        """Records with their own numbers, so a reason names the line an admin sees in the file."""
        self.prepare()
        batch = Batch()
        if self.config.events is not None:
            batch.empty_ok = True
            self._events(numbered, now, batch, unit)
        else:
            self._readings(numbered, now, batch, unit)
            if self.config.columns is None or self.config.columns.region:
                split_site_rows(batch, self.site, keep=self.config.totals == "keep")
        return batch

    def _field(self, record: Mapping[str, Any], key: str | None, default: Any = None) -> Any:
        if key is None:
            return default
        if key.startswith("="):
            return key[1:].strip()
        try:
            return record[self._header.get(key, key)]
        except KeyError:
            pass
        try:
            return lookup(record, key)
        except KeyError:
            raise ValueProblem(f"kolom {key!r} tidak ada") from None

    def _region(self, raw: Any) -> str:
        """The region a region cell names. An empty cell is refused, never the whole kabupaten: in a
        table of kecamatan it is a cell left blank (or merged, in a sheet read without its merges)."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            column = self.config.columns.region if self.config.columns else None
            raise ValueProblem(f"kolom {column or 'region'!r} kosong")
        if isinstance(raw, dict | list):
            raise ValueProblem(f"kode wilayah tidak dikenal: {raw!r}")
        found = self._regions.get(raw)
        if found is None:
            try:
                found = self._find_region(raw)
            except ValueProblem as problem:
                found = problem
            self._regions[raw] = found
        if isinstance(found, ValueProblem):
            raise found
        return found

    def _find_region(self, raw: Any) -> str:
        """A region code inside the site from a Kemendagri or BPS code, or a name as written."""
        text = str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw).strip()
        if re.fullmatch(r"[\d.\s]+", text):
            if self.config.region_codes == "bps" and self._bridge is not None:
                digits = re.sub(r"\D", "", text)
                code = self._bridge.to_kemendagri(digits)
                if code is None:
                    raise ValueProblem(self._bridge.unknown(digits))
                inside = regions.resolve(code, self.site)
                if inside is None:
                    raise ValueProblem(f"kode BPS {digits} ({code}) bukan wilayah {self.site}")
                return inside
            code = regions.resolve(text, self.site)
            if code is None:
                raise ValueProblem(f"kode wilayah tidak dikenal: {raw!r}")
            return code
        code, closest = regions.match_name(text, self.site)
        if code is None and is_total(text, self.site):
            return self.site  # JUMLAH, Kabupaten X: a total (see totals.py), once no region has the name
        if code is None:
            hint = f" (yang terdekat: {', '.join(closest)})" if closest else ""
            raise ValueProblem(f"nama wilayah tidak dikenal di {regions.name(self.site)}: {text!r}{hint}")
        return code

    def _indicator(self, raw: Any) -> str:
        if isinstance(raw, dict | list):
            raise ValueProblem(f"indikator tidak dikenal: {raw!r}")
        found = self._indicators.get(raw, "?")
        if found == "?":
            found = self._labels.get(" ".join(str(raw).split()).casefold())
            self._indicators[raw] = found
        if found is None:
            raise ValueProblem(f"indikator tidak dikenal: {raw!r}")
        return found

    def _default_columns(self, keys: Iterable[Any]) -> Columns:
        """Without ``columns:``, records named like the mapping (``time``, ``region``, ``value``,
        ``indicator``, as a query's aliases) map themselves; absent optional ones are left out."""
        names = {str(k).strip().casefold() for k in keys}
        return Columns(
            time="time" if "time" in names else None,
            region="region" if "region" in names else None,
            indicator="indicator" if "indicator" in names else None,
        )

    def _readings(self, numbered: Iterable[tuple[int, Mapping[str, Any]]], now: datetime, batch: Batch,
                  unit: str) -> None:
        columns = self.config.columns
        if columns is None:
            numbered = list(numbered)
            columns = self._default_columns(numbered[0][1].keys() if numbered else ())
        fixed_indicator = self.config.indicator
        if columns.indicator and columns.indicator.startswith("="):
            fixed_indicator, indicator_col = columns.indicator[1:].strip(), None
        else:
            indicator_col = columns.indicator
        default_ts = int(now.timestamp())
        field, out = self._field, batch.readings
        row, seen = self._where(unit), {}  # "data/dbd.csv baris " before each row's number
        numbered = list(numbered)
        decimal, mixed = self._decimal_mark(numbered, columns.value)
        if mixed:  # which of its numbers are thousands no one can say: the whole column is refused
            for number, _record in numbered:
                batch.reject(f"{row}{number}: {mixed}")
            return
        times = columns.time_columns()
        names = {"value": repr(columns.value), "time": " + ".join(repr(t) for t in times),
                 "region": repr(columns.region), "indicator": repr(indicator_col)}
        for number, record in numbered:
            step = "value"
            try:
                value = parse_number(field(record, columns.value), decimal)
                step = "time"
                ts, period = self._when(record, times) if times else (default_ts, None)
                step = "region"
                region = self._region(field(record, columns.region)) if columns.region else self.site
                step = "indicator"
                indicator = self._indicator(field(record, indicator_col)) if indicator_col else fixed_indicator
            except ValueProblem as problem:  # named by its column, unless the reason names it already
                reason = str(problem)
                where = "" if reason.startswith("kolom ") else f" kolom {names[step]}"
                batch.reject(f"{row}{number}{where}: {reason}")
                continue
            if (first := _seen_before(seen, record, number)) is not None:  # a refused row is refused each time
                batch.duplicate(f"{row}{number} sama persis dengan {unit} {first} (duplikat, dihitung sekali)")
                continue
            out.append(Reading(indicator, region, ts, value, period, f"{row}{number}"))

    def _where(self, unit: str) -> str:
        """How a row is named in reasons and origins: ``data/dbd.csv baris `` for a file, ``record `` else."""
        path = getattr(self.config, "path", None)
        return f"{path} {unit} " if path else f"{unit} "

    def _when(self, record: Mapping[str, Any], times: list[str]) -> tuple[int, str | None]:
        """(epoch seconds, period) from the time column, or the time columns read together."""
        if len(times) == 1:
            return parse_when(self._field(record, times[0]), self.zone)
        return parse_when_parts([self._field(record, t) for t in times], self.zone)

    def _decimal_mark(self, numbered: list[tuple[int, Mapping[str, Any]]],
                      column: str) -> tuple[str | None, str | None]:
        """(the value column's decimal mark when its values prove a dot, the reason to refuse the
        whole column when they prove both): one cheap look at the column before its rows are read,
        so ``1.234`` is read the way the rest of its column writes numbers."""
        if column.startswith("="):
            return None, None
        return judge_decimal_mark(self._texts(numbered, column), column)

    def _texts(self, numbered: list[tuple[int, Mapping[str, Any]]], column: str) -> Iterator[str]:
        """The column's values that are text (numbers from Excel or JSON prove no decimal mark)."""
        for _number, record in numbered:
            try:
                raw = self._field(record, column)
            except ValueProblem:
                continue
            if type(raw) is str:
                yield raw

    def _events(self, numbered: Iterable[tuple[int, Mapping[str, Any]]], now: datetime, batch: Batch,
                unit: str) -> None:
        m = self.config.events
        assert m is not None
        where, refs = self._where(unit), {}  # ref -> (its record's number, its place in batch.events)
        for number, record in numbered:
            try:
                ref = field_text(self._field(record, m.ref))
                if not ref:
                    raise ValueProblem(f"kolom {m.ref!r} kosong")
                when = parse_time(self._field(record, m.time), self.zone) if m.time else int(now.timestamp())
                region_raw = self._field(record, m.region) if m.region else None
                try:
                    region = self._region(region_raw) if region_raw not in (None, "") else None
                except ValueProblem:
                    region = None  # a complaint is worth showing even with a misspelt kecamatan
                event = Event(
                    ref=ref,
                    time=datetime.fromtimestamp(when, UTC),
                    status=field_text(self._field(record, m.status, "baru")).lower() or "baru",
                    title=field_text(self._field(record, m.title, "")),
                    category=field_text(self._field(record, m.category, "")),
                    region=region,
                    detail=field_text(self._field(record, m.detail, "")),
                )
            except ValueProblem as problem:
                batch.reject(f"{where}{number}: {problem}")
                continue
            _add_event(batch, event, refs, number, where, unit)


def _add_event(batch: Batch, event: Event, refs: dict[str, tuple[int, int]], number: int, where: str,
               unit: str) -> None:
    """A ref given twice in one run is never silent: identical, a duplicate; different, the later kept."""
    earlier = refs.get(event.ref)
    if earlier is None:
        refs[event.ref] = (number, len(batch.events))
        batch.events.append(event)
        return
    first, place = earlier
    if batch.events[place] == event:
        batch.duplicate(f"{where}{number} sama persis dengan {unit} {first} (duplikat, dihitung sekali)")
        return
    batch.warn(f"{where}{first} dan {unit} {number}: dua isi berbeda untuk ref {event.ref!r}; "
               f"yang kemudian ({unit} {number}) dipakai")
    refs[event.ref] = (number, place)
    batch.events[place] = event


def _seen_before(seen: dict[Any, int], record: Mapping[str, Any], number: int) -> int | None:
    """The number of an earlier record identical in every column, else None (this one is remembered)."""
    # Names then values, flat: exact (as many names as values) and far cheaper than item pairs,
    # which are a tuple each that the garbage collector then walks on every pass.
    key = (*record, *record.values())
    try:
        first = seen.setdefault(key, number)
    except TypeError:  # nested objects of an API answer are not hashable: compared as text instead
        first = seen.setdefault(repr(key), number)
    return None if first == number else first


def field_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())

