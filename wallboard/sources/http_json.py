"""JSON APIs of the work units' applications (complaints, transport, river gauges).

``records:`` is a dotted path to the list inside the answer (``data.items``); each object is one
record for the ``columns:`` or ``events:`` mapping. ``${VAR}`` in the URL, params and headers is
filled from the environment at request time, and every fault (timeout, refused connection, HTTP
error status, a body that is not JSON, a missing path) becomes a one-line reason.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
from pydantic import Field, field_validator

from wallboard.secrets import expand, expand_all, has_variables
from wallboard.sources.base import Batch, Source, SourceError
from wallboard.sources.mapping import Mapper, RecordsConfig

# httpx logs every request URL at INFO; a token in the query string must never reach the log.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)


class HttpJsonConfig(RecordsConfig):
    type: Literal["http_json"]
    url: str
    method: Literal["GET", "POST"] = "GET"
    params: dict[str, Any] = Field(default_factory=dict)
    headers: dict[str, str] = Field(default_factory=dict)
    body: Any = Field(None, description="JSON body sent with method: POST")
    records: str | None = Field(None, description="dotted path to the list of records, e.g. data.items")
    verify: bool = Field(True, description="check the server's TLS certificate")

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


class HttpJsonSource(Source):
    Config = HttpJsonConfig
    config: HttpJsonConfig

    def __init__(self, config: HttpJsonConfig, context):
        super().__init__(config, context)
        self.mapper = Mapper(config, context)

    def fetch(self, now: datetime) -> Batch:
        c = self.config
        url = expand(c.url)
        shown = _shown(url)
        seconds = c.timeout.total_seconds()
        try:
            with httpx.Client(timeout=seconds, verify=c.verify, follow_redirects=True) as client:
                response = client.request(
                    c.method, url, params=expand_all(c.params), headers=expand_all(c.headers),
                    json=expand_all(c.body) if c.body is not None else None,
                )
        except httpx.TimeoutException:
            raise SourceError(f"batas waktu {seconds:g} dtk habis: {shown}") from None
        except httpx.ConnectError as exc:
            raise SourceError(f"tidak bisa terhubung ke {shown}: {_reason(exc)}") from None
        except httpx.HTTPError as exc:
            raise SourceError(f"permintaan ke {shown} gagal: {_reason(exc)}") from None
        if response.status_code >= 400:
            raise SourceError(f"HTTP {response.status_code} {response.reason_phrase} dari {shown}")
        try:
            data = json.loads(response.content)
        except (ValueError, UnicodeDecodeError) as exc:
            start = response.text[:40].replace("\n", " ")
            raise SourceError(f"jawaban bukan JSON yang sah ({exc}); awalnya: {start!r}") from None
        records = _at_path(data, c.records)
        return self.mapper.apply(records, now)


def _shown(url: str) -> str:
    """The URL without its query string or credentials, which may carry a token."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
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
