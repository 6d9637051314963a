"""BPS region codes, translated into Kemendagri codes through the official bridging table.

Statistics (BPS) and the Ministry of Home Affairs (Kemendagri) number the same regions
differently, and not only in format: BPS ``1101`` is Simeulue, which Kemendagri codes ``11.09``,
and BPS kecamatan are numbered in steps of ten (``3273010`` is Bandung Kulon, ``32.73.15``). So a
BPS code is never guessed from its digits: it is looked up in BPS's bridging table
(sig.bps.go.id/bridging-kode), fetched once like the boundaries and kept with its date under
``data/regions/``::

    data/regions/bps-kemendagri-kecamatan.csv        kode_bps,nama_bps,kode_dagri,nama_dagri
    data/regions/bps-kemendagri-kecamatan.json       {"url": ..., "fetched": "2026-11-29", "rows": 7094}

Kabupaten/kota codes (4 digits) follow from the kecamatan rows (their first four digits and
their dotted parent). A ``bps-kemendagri-desa.csv`` in the same shape, when present, adds
10-digit desa codes. The table may come from a URL (the default: a public mirror of the 2020
table) or from a local file, e.g. one exported from sig.bps.go.id for a newer period; Kemendagri
codes written without dots (``950101``, as the newer exports do) are read too.

The 2022 Papua provinces are packaged (``bps-pemekaran-2022.csv`` beside this module), because
the downloadable 2020 table predates them and no newer table is published under a licence that
lets it ship here. The rows were written from the laws that made the provinces (UU 14/2022 Papua
Selatan, UU 15/2022 Papua Tengah, UU 16/2022 Papua Pegunungan, UU 29/2022 Papua Barat Daya: which
kabupaten/kota moved), Kemendagri's current codes (93, 94, 95, 96, as ``wallboard.regions`` has
them) and the codes BPS gave them (provinces 95, 96, 97 and 92; Jayawijaya, BPS 9402 until then,
is now 9702). Whatever table is stored, the packaged rows are added on top: their kabupaten/kota
translate to the new Kemendagri codes (a table's row naming an old Kemendagri kabupaten code,
``92.05``, names the new one, ``96.03``), and a BPS code that was re-coded is refused with the
code that replaced it (``kode BPS 9402 sudah diganti menjadi 9702 (2022)``) instead of being placed
by an outdated row. Kecamatan codes are never carried over by prefix: Kemendagri renumbered some
(Asolokobal was 91.02.29, is 95.01.09), so only a table that lists them places them.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from wallboard.downloads import BOUNDARY_MAX_BYTES, DownloadError, bounded, megabytes

DIRECTORY = Path("data") / "regions"
# A public mirror of BPS's bridging service (kode wilayah kerja statistik 2020 semester 2 against
# Kemendagri 2020); ``{level}`` is ``kecamatan`` (or ``kabkota``/``provinsi`` in that repository).
# It stays a download, not a packaged file: neither it nor any newer copy found states a licence
# that lets the national table ship here. What changed since (the 2022 Papua provinces) is
# packaged in RECODED; a newer table can be read from a file (``--bps-from FILE``).
DEFAULT_URL = ("https://raw.githubusercontent.com/zakiego/"
               "Kode-Wilayah-Administrasi-Indonesia-Relasi-BPS-Kemendagri/main/csv/{level}.csv")
COLUMNS = ("kode_bps", "nama_bps", "kode_dagri", "nama_dagri")
LEVELS = ("kecamatan", "desa")
RECODED = Path(__file__).with_name("bps-pemekaran-2022.csv")
_DAGRI = re.compile(r"\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?")
_UNDOTTED = re.compile(r"\d{2}(\d{2}(\d{2}(\d{4})?)?)?")


class BridgeError(Exception):
    """The table could not be fetched or read; the message is one line for the admin."""


def table_path(directory: Path, level: str = "kecamatan") -> Path:
    return Path(directory) / f"bps-kemendagri-{level}.csv"


@dataclass
class Bridge:
    """BPS code (digits only) -> dotted Kemendagri code, for every level the stored tables cover."""

    codes: dict[str, str] = field(default_factory=dict)
    fetched: str | None = None  # the date the kecamatan table was fetched, from its .json
    levels: tuple[str, ...] = ()
    moved: dict[str, tuple[str, str]] = field(default_factory=dict)  # old BPS kab/kota -> (new, year)

    def to_kemendagri(self, code: str) -> str | None:
        return self.codes.get(re.sub(r"\D", "", code))

    def unknown(self, code: str) -> str:
        """Why ``code`` has no Kemendagri code: re-coded (and to what), or not in the table at all."""
        digits = re.sub(r"\D", "", code)
        if digits[:4] in self.moved:
            new, year = self.moved[digits[:4]]
            if len(digits) == 4:
                return f"kode BPS {digits} sudah diganti menjadi {new} ({year})"
            return (f"kode BPS {digits} sudah tidak berlaku: kabupaten/kota {digits[:4]} sudah diganti "
                    f"menjadi {new} ({year})")
        return f"kode BPS {digits} tidak ada di tabel BPS-Kemendagri"


@dataclass(frozen=True)
class Recoding:
    """The packaged 2022 re-coding: new BPS codes, old BPS codes, old Kemendagri prefixes."""

    codes: dict[str, str]  # new BPS province/kabupaten code -> new Kemendagri code
    moved: dict[str, tuple[str, str]]  # old BPS kabupaten/kota code -> (new BPS code, year)
    dagri: dict[str, str]  # old Kemendagri kabupaten/kota code -> new one


def recoding() -> Recoding:
    rows = list(csv.DictReader(io.StringIO(RECODED.read_text(encoding="utf-8"), newline="")))
    return Recoding(
        codes={r["kode_bps"]: r["kode_dagri"] for r in rows},
        moved={r["kode_bps_lama"]: (r["kode_bps"], r["tahun"]) for r in rows if r["kode_bps_lama"]},
        dagri={r["kode_dagri_lama"]: r["kode_dagri"] for r in rows if r["kode_dagri_lama"]},
    )


def _dotted(code: str) -> str:
    """``950101`` -> ``95.01.01`` (newer exports write Kemendagri codes without dots); dotted as it is."""
    if _UNDOTTED.fullmatch(code):
        return ".".join(part for part in (code[:2], code[2:4], code[4:6], code[6:]) if part)
    return code


def parse_table(text: str, source: str) -> dict[str, str]:
    """The rows of one table; refuses a file that is not the bridging table (an HTML error page...)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if not set(COLUMNS[::2]) <= set(header):
        raise BridgeError(f"{source}: not a BPS-Kemendagri table (columns {', '.join(COLUMNS)} expected, "
                          f"found {', '.join(header[:6]) or 'none'})")
    codes: dict[str, str] = {}
    for row in reader:
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        bps, dagri = re.sub(r"\D", "", row.get("kode_bps", "")), _dotted(row.get("kode_dagri", ""))
        if not bps or not _DAGRI.fullmatch(dagri):
            continue
        codes[bps] = dagri
        if len(bps) == 7 and dagri.count(".") == 2:  # the kabupaten/kota and provinsi above it
            codes.setdefault(bps[:4], dagri[:5])
            codes.setdefault(bps[:2], dagri[:2])
    if not codes:
        raise BridgeError(f"{source}: no rows with a BPS and a Kemendagri code")
    return codes


_cache: dict[Path, tuple[tuple[int, ...], Bridge]] = {}


def load_bridge(directory: Path) -> Bridge | None:
    """The stored tables of ``directory`` (re-read when a file changed), or None when none was fetched."""
    directory = Path(directory)
    paths = [table_path(directory, level) for level in LEVELS]
    stamp = tuple(p.stat().st_mtime_ns if p.exists() else 0 for p in paths)
    if not stamp[0]:
        return None
    cached = _cache.get(directory)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    bridge = Bridge()
    for level, path in zip(LEVELS, paths, strict=True):
        if path.exists():
            bridge.codes.update(parse_table(path.read_text(encoding="utf-8-sig"), str(path)))
            bridge.levels += (level,)
    _recode(bridge, recoding())
    meta = paths[0].with_suffix(".json")
    if meta.exists():
        try:
            bridge.fetched = json.loads(meta.read_text()).get("fetched")
        except (ValueError, AttributeError):
            bridge.fetched = None
    _cache[directory] = (stamp, bridge)
    return bridge


def _recode(bridge: Bridge, table: Recoding) -> None:
    """Bring a stored table up to the 2022 Papua provinces (see the module's docstring)."""
    codes = {}
    for bps, dagri in bridge.codes.items():
        if bps[:4] in table.moved and len(bps) >= 4:
            continue  # an old BPS code: refused with its successor, never placed by an outdated row
        codes[bps] = table.dagri.get(dagri, dagri)  # a kabupaten/kota only: kecamatan were renumbered
    codes.update(table.codes)
    bridge.codes = codes
    bridge.moved = dict(table.moved)


def bridge_files(url: str = DEFAULT_URL, level: str = "kecamatan", *, timeout: float = 60.0,
                 today: date | None = None, max_bytes: int = BOUNDARY_MAX_BYTES) -> dict[str, bytes]:
    """Download (or read) and check the bridging table for ``level``: ``{file name: bytes}`` of the
    CSV and its ``.json`` (where and when it was fetched), for the caller to write with its own.

    ``url`` is an http(s) URL or a local file path (a table exported by hand, for a wall with no
    internet), and may hold ``{level}``. Raises ``BridgeError`` with a one-line reason.
    """
    if level not in LEVELS:
        raise BridgeError(f"unknown level {level!r} (use {' or '.join(LEVELS)})")
    address = url.format(level=level)
    if urlsplit(address).scheme in ("http", "https"):
        content, where = _download(address, timeout, max_bytes), {"url": address}
    else:
        path = Path(address).expanduser()
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise BridgeError(f"{address}: {exc.strerror or exc}") from None
        where = {"path": str(path.resolve())}
    text = content.decode("utf-8-sig", errors="replace")
    if text.lstrip()[:1] in ("[", "{"):
        text = json_as_table(text, address)
    codes = parse_table(text, address)
    name = table_path(Path("."), level).name
    meta = {**where, "fetched": (today or date.today()).isoformat(), "codes": len(codes)}
    return {name: text.encode("utf-8"),
            name.removesuffix(".csv") + ".json": (json.dumps(meta, indent=2) + "\n").encode()}


def json_as_table(text: str, source: str) -> str:
    """BPS's own bridging service as the CSV this module stores.

    ``sig.bps.go.id/rest-bridging/getwilayah?level=kecamatan&parent=9702&periode_merge=...`` answers
    a JSON list of ``{"kode_bps", "nama_bps", "kode_dagri", "nama_dagri"}`` for one kabupaten/kota
    and period, which is how a wall in a 2022 Papua province gets its kecamatan codes from BPS itself
    (mirrors such as the default one publish the same rows as ``json/kecamatan.json``). An answer
    that is not such a list is refused like any other file that is not the table.
    """
    try:
        rows = json.loads(text)
    except ValueError as exc:
        raise BridgeError(f"{source}: not a BPS-Kemendagri table (JSON unreadable: {exc})") from None
    if isinstance(rows, dict):  # some mirrors wrap the list: {"data": [...]}
        rows = next((v for v in rows.values() if isinstance(v, list)), None)
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise BridgeError(f"{source}: not a BPS-Kemendagri table (a JSON list of {', '.join(COLUMNS)} "
                          "expected)")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        lowered = {str(k).strip().lower(): "" if v is None else str(v).strip() for k, v in row.items()}
        writer.writerow([lowered.get(column, "") for column in COLUMNS])
    return out.getvalue()


def _download(address: str, timeout: float, max_bytes: int) -> bytes:
    """The table, within ``timeout`` seconds in all and ``max_bytes`` (``wallboard.downloads``)."""
    try:
        with bounded(timeout, max_bytes) as client:
            return client.read("GET", address)[0]
    except DownloadError as exc:
        if exc.kind == "status":
            raise BridgeError(f"{address}: HTTP {exc.status}") from None
        if exc.kind == "deadline":
            raise BridgeError(f"{address}: not complete within {timeout:g} s") from None
        if exc.kind == "too_large":
            raise BridgeError(f"{address}: larger than {megabytes(max_bytes)}; stopped") from None
        raise BridgeError(f"{address}: {exc.detail or exc.kind}") from None


def fetch_bridge(directory: Path, url: str = DEFAULT_URL, level: str = "kecamatan", *,
                 timeout: float = 60.0, today: date | None = None) -> Path:
    """Download the bridging table for ``level`` into ``directory`` and record where and when.

    The file is checked before it replaces the stored one, and written atomically, so a failed
    download never leaves a broken table behind. Returns the path of the stored CSV.
    """
    files = bridge_files(url, level, timeout=timeout, today=today)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        scratch = directory / (name + ".part")
        scratch.write_bytes(content)
        os.replace(scratch, directory / name)
    return table_path(directory, level)
