"""JSON APIs of the work units' applications (complaints, transport, river gauges), paged or not.

``records:`` is a dotted path to the list inside the answer (``data.items``); each object is one
record for the ``columns:`` or ``events:`` mapping. ``${VAR}`` in the URL, params and headers is
filled from the environment at request time, and every fault (timeout, refused connection, HTTP
error status, a body that is not JSON, a missing path) becomes a one-line reason.

An API that answers in pages is read whole before anything is mapped: a CKAN ``datastore_search``
answer (``result.records``, ``result.total``, ``result._links.next``; the software behind most
Satu Data portals) is followed by itself, other APIs say how with ``paging:`` (``style: offset``,
``offset``/``limit`` query parameters, or ``style: next``, a link to the next page inside the
answer). One page that fails fails the run, so a partial read never reaches the store, and
``max_pages`` stops an API that never ends. ``timeout:`` bounds the whole read, every page included
(a server that drips its answer a byte at a time too), and ``max_bytes`` each answer's size.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import httpx
from pydantic import Field, field_validator, model_validator

from wallboard.config.models import Strict
from wallboard.downloads import SOURCE_MAX_BYTES, Bounded, DownloadError, bounded, megabytes
from wallboard.secrets import expand, expand_all, has_variables
from wallboard.sources.base import Batch, Source, SourceError
from wallboard.sources.mapping import Mapper, RecordsConfig

# httpx logs every request URL at INFO; a token in the query string must never reach the log.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)

CKAN_RECORDS = "result.records"
MAX_PAGES = 1000


class Paging(Strict):
    """How to ask for the next page; without ``paging:`` a CKAN answer is recognised by itself."""

    style: Literal["ckan", "offset", "next"] = Field(
        "ckan", description="ckan: result._links.next up to result.total; offset: offset/limit parameters; "
                            "next: a link to the next page inside the answer"
    )
    limit: int = Field(100, ge=1, description="style offset: records asked for per page")
    offset_param: str = Field("offset", min_length=1, description="style offset: the query parameter of the start")
    limit_param: str = Field("limit", min_length=1, description="style offset: the query parameter of the page size")
    next: str | None = Field(None, description="style next: dotted path to the next page's URL, e.g. links.next")
    max_pages: int = Field(MAX_PAGES, ge=1, description="a run reading more pages than this fails")

    @model_validator(mode="after")
    def _next_needs_path(self) -> Paging:
        if self.style == "next" and not self.next:
            raise ValueError("paging style next needs next: (the dotted path to the next page's URL)")
        if self.style != "next" and self.next:
            raise ValueError("paging next: belongs to style: next")
        return self


class HttpJsonConfig(RecordsConfig):
    type: Literal["http_json"]
    url: str
    method: Literal["GET", "POST"] = "GET"
    params: dict[str, Any] = Field(default_factory=dict)
    headers: dict[str, str] = Field(default_factory=dict)
    body: Any = Field(None, description="JSON body sent with method: POST")
    records: str | None = Field(None, description="dotted path to the list of records, e.g. data.items")
    verify: bool = Field(True, description="check the server's TLS certificate")
    paging: Paging | None = Field(None, description="how the API gives its records in pages")
    max_bytes: int = Field(SOURCE_MAX_BYTES, ge=1, description="an answer (each page) larger than this many "
                                                               "bytes fails the run; counted as it arrives")

    @field_validator("method", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not has_variables(value) and urlsplit(value).scheme not in ("http", "https"):
            raise ValueError(f"{value!r} is not an http:// or https:// URL")
        return value


@dataclass
class Page:
    """One answer: its records, the parsed body, and the URL it came from (links are relative to it)."""

    url: str
    data: Any
    records: list[dict]


class JsonClient:
    """GETs/POSTs JSON within one deadline and size cap (``wallboard.downloads``); every fault is a
    ``SourceError`` with a one-line reason."""

    def __init__(self, client: Bounded):
        self.client = client
        self.seconds = client.seconds

    def get(self, method: str, url: str, shown: str | None = None, **kw: Any) -> tuple[Any, str]:
        """(parsed JSON, the URL answered after redirects); ``shown`` is the URL as reasons name it."""
        shown = shown or shown_url(url)
        try:
            content, response = self.client.read(method, url, **kw)
        except DownloadError as exc:
            raise SourceError(_download_reason(exc, shown, self.seconds, self.client.max_bytes)) from None
        try:
            return json.loads(content), str(response.url)
        except (ValueError, UnicodeDecodeError) as exc:
            start = content[:40].decode("utf-8", "replace").replace("\n", " ")
            raise SourceError(f"jawaban bukan JSON yang sah ({exc}); awalnya: {start!r}") from None


def _download_reason(exc: DownloadError, shown: str, seconds: float, max_bytes: int) -> str:
    if exc.kind == "deadline":
        return f"batas waktu {seconds:g} dtk habis: {shown}"
    if exc.kind == "too_large":
        return f"jawaban {shown} lebih besar dari max_bytes ({megabytes(max_bytes)}); tidak dibaca"
    if exc.kind == "status":
        return f"HTTP {exc.status} {exc.detail} dari {shown}"
    if exc.kind == "connect":
        return f"tidak bisa terhubung ke {shown}: {_reason(exc.detail)}"
    return f"permintaan ke {shown} gagal: {_reason(exc.detail)}"


class HttpJsonSource(Source):
    Config = HttpJsonConfig
    config: HttpJsonConfig

    def __init__(self, config: HttpJsonConfig, context):
        super().__init__(config, context)
        self.mapper = Mapper(config, context)

    def fetch(self, now: datetime) -> Batch:
        c = self.config
        seconds = c.timeout.total_seconds()
        with bounded(seconds, c.max_bytes, c.verify) as client:
            records = [r for page in self.pages(JsonClient(client)) for r in page.records]
        return self.mapper.apply(records, now)

    def pages(self, client: JsonClient) -> Iterator[Page]:
        """Every page of the answer, the first one included; raises on the first page that fails."""
        c = self.config
        paging = c.paging
        headers = expand_all(c.headers)
        body = expand_all(c.body) if c.body is not None else None
        params = expand_all(c.params)
        if paging is not None and paging.style == "offset":
            params = {**params, paging.offset_param: 0, paging.limit_param: paging.limit}
        data, answered = client.get(c.method, expand(c.url), params=params, headers=headers, json=body)
        path = c.records or (CKAN_RECORDS if _is_ckan(data) else None)
        page = Page(answered, data, _at_path(data, path))
        yield page
        follow = _follower(paging, c.records, data)
        if follow is None:
            return
        limit = paging.max_pages if paging is not None else MAX_PAGES
        count, seen = 1, {answered}
        while (request := follow(page, count)) is not None:
            if count >= limit:
                raise SourceError(f"berhenti setelah {limit} halaman (max_pages): API masih memberi halaman "
                                  "berikutnya; tidak ada yang disimpan")
            url, query = request
            if query is None and url in seen:
                raise SourceError(f"halaman {count + 1} menunjuk ke halaman yang sudah dibaca "
                                  f"({shown_url(url)}); tidak ada yang disimpan")
            seen.add(url)
            try:
                data, answered = client.get(c.method, url, params=query, headers=headers, json=body)
                page = Page(answered, data, _at_path(data, path))
            except SourceError as exc:
                raise SourceError(f"halaman {count + 1}: {exc}; tidak ada yang disimpan") from None
            count += 1
            yield page


def _is_ckan(data: Any) -> bool:
    """A CKAN ``datastore_search`` answer: ``result`` with ``records`` and ``_links.next``, and
    ``total`` unless it was asked for without one (``include_total=false``)."""
    result = data.get("result") if isinstance(data, dict) else None
    return (isinstance(result, dict) and isinstance(result.get("records"), list)
            and isinstance(result.get("_links"), dict) and isinstance(result["_links"].get("next"), str)
            and (isinstance(result.get("total"), int) or result.get("include_total") is False))


def _follower(paging: Paging | None, records: str | None, first: Any):
    """A function (last page, pages read) -> (URL, params) of the next page or None; None: one page only."""
    if paging is not None and paging.style == "offset":
        return _offset_follower(paging)
    if paging is not None and paging.style == "next":
        return _next_follower(paging.next or "")
    if records not in (None, CKAN_RECORDS) or not _is_ckan(first):
        if paging is not None:  # style ckan named, but the answer is not one
            raise SourceError("paging style ckan: jawaban tidak punya result.records, result.total dan "
                              "result._links.next")
        return None
    return _ckan_follower(first["result"].get("total"))


def _ckan_follower(total: int | None):
    """Up to ``total`` records; without one (``include_total=false``) until a page is short."""
    state = {"read": 0}

    def follow(page: Page, count: int) -> tuple[str, None] | None:
        result = page.data.get("result") if isinstance(page.data, dict) else None
        if not isinstance(result, dict):
            raise SourceError(f"halaman {count}: jawaban CKAN tanpa result")
        state["read"] += len(page.records)
        if total is None:
            size = result.get("limit")
            if not page.records or (isinstance(size, int) and len(page.records) < size):
                return None
        elif state["read"] >= total:
            return None
        elif not page.records:
            raise SourceError(f"CKAN menyebut total {total} record, tetapi halaman {count} kosong setelah "
                              f"{state['read']} record; tidak ada yang disimpan")
        link = (result.get("_links") or {}).get("next")
        if not isinstance(link, str) or not link:
            raise SourceError(f"CKAN: halaman {count} tidak punya _links.next setelah {state['read']} record "
                              f"(total {total if total is not None else 'tidak disebut'}); tidak ada yang disimpan")
        return urljoin(page.url, link), None

    return follow


def _offset_follower(paging: Paging):
    def follow(page: Page, count: int) -> tuple[str, dict] | None:
        if len(page.records) < paging.limit:
            return None
        split = urlsplit(page.url)
        base = split._replace(query="").geturl()
        params = dict(httpx.QueryParams(split.query))
        params[paging.offset_param] = count * paging.limit
        params[paging.limit_param] = paging.limit
        return base, params

    return follow


def _next_follower(path: str):
    def follow(page: Page, count: int) -> tuple[str, None] | None:
        try:
            link = _value_at(page.data, path)
        except KeyError:
            return None
        if link in (None, ""):
            return None
        if not isinstance(link, str):
            raise SourceError(f"halaman {count}: {path!r} bukan URL melainkan {type(link).__name__}")
        return urljoin(page.url, link), None

    return follow


def _value_at(data: Any, path: str) -> Any:
    current = data
    for part in path.split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        else:
            raise KeyError(path)
    return current


def shown_url(url: str) -> str:
    """The URL without its query string or credentials, which may carry a token."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def _reason(text: str) -> str:
    if "refused" in text.lower():
        return "koneksi ditolak"
    return text


def _at_path(data: Any, path: str | None) -> list[Any]:
    current = data
    walked: list[str] = []
    for part in (path.split(".") if path else []):
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            where = ".".join(walked) or "akar"
            keys = ", ".join(list(current)[:10]) if isinstance(current, dict) else type(current).__name__
            raise SourceError(f"path {path!r} tidak ditemukan: {part!r} tidak ada di {where} (ada: {keys})")
        walked.append(part)
    if isinstance(current, dict):
        current = [current]
    if not isinstance(current, list):
        raise SourceError(f"path {path or 'akar'!r} bukan daftar record melainkan {type(current).__name__}")
    bad = next((i for i, r in enumerate(current) if not isinstance(r, dict)), None)
    if bad is not None:
        raise SourceError(f"record ke-{bad + 1} di {path or 'akar'!r} bukan objek JSON")
    return current
