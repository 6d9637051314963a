"""``type: wallboard``: another wallboard's shared indicators, read through its ``/api/v1`` by cursor.

Each run asks the peer for the readings after the cursor it last stored, page by page, and hands
them over with the new cursors; the cursors are written in the same transaction as the readings
(as a file source's fingerprint is: ``source_files``), so a restart or an outage on either side
carries on exactly where the last stored page ended: no gap, nothing twice. A cursor the peer no
longer knows (its retention passed it) starts that indicator again from the peer's oldest kept
reading, and the run says so.

One request per run reads every indicator (``GET /api/v1/readings``): a national site reading 514
kab/kota of 20 indicators asks 514 requests per run, not 10,280. Its cursor is the per-indicator
cursors side by side, so the set stored by earlier per-indicator runs is where it starts, exactly;
the set is stored as before, one cursor per indicator. A peer without that endpoint (an older
wallboard, 404) is read per indicator (``/api/v1/indicators/<id>/readings``), and asked again for
the combined stream every ``RETRY_COMBINED`` runs. The combined answer tags the peer's open
incidents: they are asked for only when the tag moved (an older peer: every run).

Everything a peer sends is checked before anything is kept (``peers.py``): a wrong or revoked token,
an answer that is not the API's JSON, a page over ``max_bytes``, a reading for a code outside the
region the peer speaks for: the run fails with the reason and stores nothing. A peer that is down
fails the run; its regions keep their last figures and turn stale on the wall, never zero.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

import httpx
from pydantic import Field, field_validator

from wallboard.config.models import Identifier
from wallboard.config.models import SourceBase as _Base
from wallboard.secrets import expand
from wallboard.sources.base import Batch, Deadline, Fingerprint, Reading, Source, SourceError
from wallboard.sources.peers import CODE, PageRefused, incidents, inside, mixed_readings, readings
from wallboard.store.federation import BadCursor, join_cursors, split_cursors

CURSORS = "wallboard-cursors"  # Fingerprint.digest of a stored cursor set (its path holds the JSON)
INCIDENTS = "@incidents"  # the stored set's key for the peer's incidents tag (never an indicator id)
RETRY_COMBINED = 30  # runs per indicator before asking an older peer for the combined stream again


class WallboardConfig(_Base):
    type: Literal["wallboard"]
    url: str = Field(description="the peer's base URL, e.g. https://cc.magelangkab.go.id or ${URL_3308}")
    token: str = Field(description="the token the peer gave this wall (its api_tokens entry), as ${VAR}")
    indicators: dict[Identifier, Identifier] | list[Identifier] = Field(
        description="{remote_id: local_id}, or a list to keep the peer's ids")
    region: str | None = Field(
        None, description="the Kemendagri code the peer speaks for; its readings must be inside it")
    page: int = Field(1000, ge=1, le=5000, description="readings asked for per request")
    max_pages: int = Field(100, ge=1, description="pages per run; the rest follows on the next run")
    max_bytes: int = Field(8_000_000, ge=1000, description="a page larger than this is refused")

    @field_validator("region")
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        if value is not None and not CODE.match(value):
            raise ValueError(f"{value!r} is not a Kemendagri code (e.g. '33.08')")
        return value

    def mapping(self) -> dict[str, str]:
        return dict(self.indicators) if isinstance(self.indicators, dict) else {i: i for i in self.indicators}

    def indicator_ids(self) -> list[str]:
        return list(dict.fromkeys(self.mapping().values()))


class WallboardSource(Source):
    Config = WallboardConfig
    config: WallboardConfig
    remembers_files = True  # the cursors come back from the database before every run

    def __init__(self, config: WallboardConfig, context: Any):
        super().__init__(config, context)
        self.cursors: dict[str, str] = {}  # remote id -> its cursor; INCIDENTS -> the last incidents tag
        self._client: httpx.Client | None = None
        self._older_peer = 0  # runs left reading per indicator (the peer answered 404 to the combined stream)

    def stored(self, fingerprint: Fingerprint | None) -> None:
        self.cursors = {}
        if fingerprint is not None and fingerprint.digest == CURSORS:
            try:
                loaded = json.loads(fingerprint.path)
            except ValueError:
                loaded = {}
            self.cursors = {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(follow_redirects=False)
        return self._client

    def fetch(self, now: datetime) -> Batch:
        deadline = Deadline(self.config.timeout)
        batch = Batch(empty_ok=True)
        cursors = {k: v for k, v in self.cursors.items() if k != INCIDENTS}
        retention = self.context.retention
        cutoff = int((now - retention).timestamp()) if retention else None
        served, tag = False, None
        if self._older_peer == 0:
            served, tag = self._combined(cursors, batch, deadline, cutoff)
            if not served:  # an older wallboard: per indicator, and the combined stream tried again later
                self._older_peer = RETRY_COMBINED
        if not served:
            self._older_peer -= 1
            for remote, local in self.config.mapping().items():
                cursors[remote] = self._indicator(remote, local, cursors.get(remote), batch, deadline, cutoff)
        known = self.cursors.get(INCIDENTS)
        if tag is None or tag != known:  # no tag (an older peer): asked every run, as before
            known = tag if self._incidents(batch, deadline) else known
        # One reading per key, the last handed out winning: a key can come twice in one run (written
        # during the first sync, or changed again between two pages), and the collector would add
        # two rows of one key together by the indicator's aggregate.
        batch.readings = list({(r.indicator, r.region, r.ts, r.period): r for r in batch.readings}.values())
        moved = {k: v for k, v in cursors.items() if v}
        if known:
            moved[INCIDENTS] = known
        if moved != self.cursors:
            batch.fingerprint = Fingerprint(0, 0, CURSORS, json.dumps(moved, sort_keys=True))
        return batch

    def _combined(self, cursors: dict[str, str | None], batch: Batch, deadline: Deadline,
                  cutoff: int | None) -> tuple[bool, str | None]:
        """Pages of ``GET /api/v1/readings`` (every indicator of this source, one cursor) into
        ``batch``, ``cursors`` moved on; returns whether the peer has that endpoint (404: an older
        wallboard, nothing read) and its incidents tag.

        The cursor is the per-indicator cursors side by side (docs/api.md), so the ones stored by
        per-indicator runs carry on exactly: nothing missed, nothing twice. A cursor the peer no
        longer knows starts the indicators it names (all, if it names none) from the oldest."""
        mapping = self.config.mapping()
        restarted, skipped, tag = False, 0, None
        for page in range(self.config.max_pages):
            status, body = self._get_all(cursors, deadline)
            if status == 404 and page == 0:
                return False, None
            if status in (400, 410) and not restarted and any(cursors.values()):
                names = body.get("indicators") if isinstance(body, dict) else None
                gone = [r for r in mapping if not isinstance(names, list) or r in names]
                batch.warn(f"{', '.join(gone)}: cursor tidak dikenal lagi oleh peer; "
                           "mulai lagi dari pembacaan tertua yang disimpan")
                cursors.update(dict.fromkeys(gone))
                restarted = True
                continue
            if status != 200:
                raise SourceError(_refusal(status, ", ".join(mapping), self.config.url))
            found = self._page(body, mapping)
            kept = [r for r in found if cutoff is None or r.period is not None or r.ts >= cutoff]
            skipped += len(found) - len(kept)
            batch.readings.extend(kept)
            cursors.update(_pairs(body.get("cursor"), mapping, self.config.url))
            tag = body.get("incidents") if isinstance(body.get("incidents"), str) else None
            if not body.get("more") or not found:
                break
        if skipped:
            batch.warn(f"{skipped} pembacaan lebih tua dari database.retention dilewati; "
                       "posisi baca maju melewatinya")
        return True, tag

    def _page(self, body: Any, mapping: dict[str, str]) -> list[Reading]:
        region = self._region(body)
        try:
            return mixed_readings(body.get("readings"), mapping, region)
        except PageRefused as exc:
            raise SourceError(f"ditolak, tidak ada yang disimpan: {exc}") from None

    def _get_all(self, cursors: dict[str, str | None], deadline: Deadline) -> tuple[int, Any]:
        base = expand(self.config.url).rstrip("/")
        since = join_cursors({k: v for k, v in cursors.items() if k in self.config.mapping() and v})
        params = {"indicators": ",".join(self.config.mapping()), "limit": str(self.config.page),
                  **({"since": since} if since else {})}
        return self._get_json(f"{base}/api/v1/readings", params, deadline)

    def _indicator(self, remote: str, local: str, cursor: str | None, batch: Batch, deadline: Deadline,
                   cutoff: int | None = None) -> str | None:
        """Pages of one indicator into ``batch``; returns the cursor after the last page read.

        Moments older than this wall's retention (``cutoff``) are skipped here, with a note, rather
        than refused by the collector: refused, the run would fail, the cursor stay, and a peer whose
        first pages are all older than retention would be read from the same place forever."""
        restarted = False
        skipped = 0
        for _ in range(self.config.max_pages):
            status, body = self._get(remote, cursor, deadline)
            if status in (400, 410) and cursor is not None and not restarted:
                batch.warn(f"{remote}: cursor tidak dikenal lagi oleh peer; "
                           "mulai lagi dari pembacaan tertua yang disimpan")
                cursor, restarted = None, True
                continue
            if status != 200:
                raise SourceError(_refusal(status, remote, self.config.url))
            region = self._region(body)
            try:
                found = readings(body.get("readings"), local, region)
            except PageRefused as exc:
                raise SourceError(f"{remote}: ditolak, tidak ada yang disimpan: {exc}") from None
            kept = [r for r in found if cutoff is None or r.period is not None or r.ts >= cutoff]
            skipped += len(found) - len(kept)
            batch.readings.extend(kept)
            cursor = body.get("cursor") if isinstance(body.get("cursor"), str) else cursor
            if not body.get("more") or not found:
                break
        if skipped:
            batch.warn(f"{remote}: {skipped} pembacaan lebih tua dari database.retention dilewati; "
                       "posisi baca maju melewatinya")
        return cursor

    def _incidents(self, batch: Batch, deadline: Deadline) -> bool:
        """The peer's open incidents, for the province's console (read-only); False when they could
        not be read. A peer that cannot answer them (an older wallboard, a token without them) leaves
        the last ones and a note: incidents are context, the readings of this run are stored all the same."""
        url = f"{expand(self.config.url).rstrip('/')}/api/v1/incidents"
        try:
            status, body = self._get_json(url, {}, deadline)
        except SourceError as exc:
            batch.warn(f"insiden peer tidak terbaca: {exc}")
            return False
        if status != 200:
            batch.warn(f"insiden peer tidak terbaca: HTTP {status}")
            return False
        site = body.get("site") if isinstance(body.get("site"), dict) else {}
        spoken = site.get("region")
        region = self.config.region or (spoken if isinstance(spoken, str) and CODE.match(spoken) else "00")
        found, dropped = incidents(body, self.config.mapping(), region)
        if dropped:
            batch.warn(f"{dropped} insiden peer tidak sah, dilewati")
        batch.peer_incidents = found
        return True

    def _region(self, body: Any) -> str:
        """The region the peer speaks for: its answer's, which must be the one config names."""
        region = body.get("region") if isinstance(body, dict) else None
        if not isinstance(region, str) or not CODE.match(region):
            raise SourceError(f"jawaban {self.config.url} bukan API wallboard (tanpa kode wilayah)")
        pinned = self.config.region
        if pinned is not None and not inside(region, pinned):
            raise SourceError(f"peer berbicara untuk wilayah {region}, bukan {pinned} seperti di config; "
                              "tidak ada yang disimpan")
        return pinned or region

    def _get(self, remote: str, cursor: str | None, deadline: Deadline) -> tuple[int, Any]:
        base = expand(self.config.url).rstrip("/")
        url = f"{base}/api/v1/indicators/{quote(remote, safe='')}/readings"
        params = {"limit": str(self.config.page), **({"since": cursor} if cursor else {})}
        return self._get_json(url, params, deadline)

    def _get_json(self, url: str, params: dict[str, str], deadline: Deadline) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {expand(self.config.token)}", "Accept": "application/json"}
        left = max(0.5, deadline.left())
        try:
            with self._http().stream("GET", url, params=params, headers=headers, timeout=left) as response:
                raw = _read_limited(response, self.config.max_bytes)
                status = response.status_code
        except httpx.HTTPError as exc:
            raise SourceError(f"peer {self.config.url} tidak dapat dihubungi: {type(exc).__name__}") from None
        deadline.check()
        try:
            body = json.loads(raw)
        except ValueError:
            if status == 200:
                raise SourceError(f"jawaban {self.config.url} bukan JSON; tidak ada yang disimpan") from None
            body = {}
        if status == 200 and not isinstance(body, dict):
            raise SourceError(f"jawaban {self.config.url} bukan API wallboard; tidak ada yang disimpan")
        return status, body


def _read_limited(response: httpx.Response, limit: int) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise SourceError(f"halaman terlalu besar ({int(declared)} byte, paling banyak {limit}); "
                          "tidak ada yang disimpan")
    out = bytearray()
    for chunk in response.iter_bytes():
        out += chunk
        if len(out) > limit:
            raise SourceError(f"halaman terlalu besar (lebih dari {limit} byte); tidak ada yang disimpan")
    return bytes(out)


def _pairs(cursor: Any, mapping: dict[str, str], url: str) -> dict[str, str]:
    """The combined answer's cursor as this source's per-indicator cursors (pairs of others ignored)."""
    try:
        pairs = split_cursors(cursor) if isinstance(cursor, str) else None
    except BadCursor:
        pairs = None
    if pairs is None:
        raise SourceError(f"jawaban {url} tanpa cursor yang sah; tidak ada yang disimpan")
    return {k: v for k, v in pairs.items() if k in mapping}


def _refusal(status: int, remote: str, url: str) -> str:
    if status == 401:
        return f"token ditolak oleh {url} (401): salah atau sudah dicabut"
    if status == 403:
        return f"token tidak boleh membaca indikator {remote} di {url} (403)"
    if status == 404:
        return f"{url} tidak punya API /api/v1 (404): bukan wallboard, atau versi lama"
    return f"peer {url} menjawab HTTP {status} untuk {remote}"


__all__ = ["Reading", "WallboardConfig", "WallboardSource"]
