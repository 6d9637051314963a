"""One polite HTTP client for every BMKG feed (earthquakes, weather, early warnings).

BMKG serves its open feeds without a key and asks users not to hammer them (60 requests a minute
per IP for the forecast API). So all BMKG sources of a process share one ``httpx.Client`` (one
connection pool), name themselves (``User-Agent: wallboard/VERSION``), ask with ``If-None-Match`` /
``If-Modified-Since`` when the server sent an ``ETag`` / ``Last-Modified`` (a ``304`` answer reuses
the body kept from the last ``200``), and after a ``429`` or a ``5xx`` leave that host alone for a
while (its ``Retry-After``, else a doubling wait up to 15 minutes): a run in that window fails at
once with the reason instead of asking again.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

from wallboard import __version__
from wallboard.backoff import Backoff
from wallboard.sources.base import SourceError

USER_AGENT = f"wallboard/{__version__} (command-center wall; +https://pypi.org/project/wallboard/)"
MAX_BYTES = 8 * 1024 * 1024  # no BMKG answer comes near this; a larger one is not a feed
BACKOFF = Backoff(base=30.0, cap=900.0)


class HttpStatus(SourceError):
    """BMKG answered with an error status (kept, so a source can tell "unknown code" from a fault)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass
class _Kept:
    etag: str | None
    modified: str | None
    body: bytes


@dataclass
class _Pause:
    until: float
    failures: int
    status: int


class BmkgClient:
    """Shared by every BMKG source of the process; thread-safe (the scheduler runs sources in threads)."""

    def __init__(self) -> None:
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()
        self._kept: dict[str, _Kept] = {}
        self._paused: dict[str, _Pause] = {}

    def client(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(headers={"User-Agent": USER_AGENT}, follow_redirects=True)
            return self._client

    def get(self, url: str, timeout: float, params: dict[str, str] | None = None) -> bytes:
        """The body of a ``200`` (or the kept body on a ``304``); every fault a one-line ``SourceError``."""
        full = str(httpx.URL(url, params=params)) if params else url
        host = urlsplit(full).netloc
        self._check_pause(host)
        kept = self._kept.get(full)
        headers = {}
        if kept is not None and kept.etag:
            headers["If-None-Match"] = kept.etag
        if kept is not None and kept.modified:
            headers["If-Modified-Since"] = kept.modified
        try:
            response, body = self._read(full, headers, timeout)
        except httpx.TimeoutException:
            raise SourceError(f"batas waktu {timeout:g} dtk habis: {_shown(full)}") from None
        except httpx.HTTPError as exc:
            text = str(exc) or type(exc).__name__
            reason = "koneksi ditolak" if "refused" in text.lower() else text
            raise SourceError(f"tidak bisa terhubung ke {_shown(full)}: {reason}") from None
        if response.status_code == 429 or response.status_code >= 500:
            wait = self._pause(host, response)
            raise HttpStatus(response.status_code, f"HTTP {response.status_code} dari {_shown(full)}; BMKG tidak "
                                                   f"ditanya lagi selama {wait:.0f} dtk")
        self._paused.pop(host, None)
        if response.status_code == 304 and kept is not None:
            return kept.body
        if response.status_code >= 400:
            raise HttpStatus(response.status_code,
                             f"HTTP {response.status_code} {response.reason_phrase} dari {_shown(full)}")
        etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
        if etag or modified:
            self._kept[full] = _Kept(etag, modified, body)
        return body

    def _read(self, url: str, headers: dict[str, str], timeout: float) -> tuple[httpx.Response, bytes]:
        """The answer, streamed: stopped past ``MAX_BYTES`` or past ``timeout`` for the whole read (a
        server dripping a byte at a time does not hold a run for longer than its timeout)."""
        ends = time.monotonic() + timeout
        chunks, size = [], 0
        with self.client().stream("GET", url, headers=headers, timeout=timeout) as response:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    raise SourceError(f"jawaban {_shown(url)} lebih dari {MAX_BYTES // 1024 // 1024} MB; tidak dibaca")
                if time.monotonic() > ends:
                    raise httpx.ReadTimeout("deadline")
                chunks.append(chunk)
        return response, b"".join(chunks)

    def _check_pause(self, host: str) -> None:
        pause = self._paused.get(host)
        if pause is not None and time.monotonic() < pause.until:
            left = pause.until - time.monotonic()
            raise SourceError(f"{host} menjawab HTTP {pause.status}; menunggu {left:.0f} dtk lagi sebelum "
                              "bertanya lagi")

    def _pause(self, host: str, response: httpx.Response) -> float:
        previous = self._paused.get(host)
        failures = (previous.failures if previous is not None else 0) + 1
        wait = _retry_after(response.headers.get("Retry-After"))
        if wait is None:
            wait = BACKOFF.delay(failures).total_seconds()
        self._paused[host] = _Pause(time.monotonic() + wait, failures, response.status_code)
        return wait

    def forget(self) -> None:
        """Drop kept bodies and pauses (tests; a config that moved to another mirror)."""
        self._kept.clear()
        self._paused.clear()


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (seconds or an HTTP date), capped at an hour."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(3600.0, float(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return min(3600.0, max(0.0, when.timestamp() - time.time()))


def _shown(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def looks_like_html(body: bytes) -> bool:
    """A portal's error page or a captive login instead of the feed."""
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<body" in head


SHARED = BmkgClient()


def field(record: object, name: str, feed: str) -> object:
    """A field BMKG's format promises; missing (renamed, a changed shape) fails the run naming it."""
    if not isinstance(record, dict) or name not in record or record[name] in (None, ""):
        raise SourceError(f"{feed}: kolom {name!r} tidak ada (format BMKG berubah?); tidak ada yang disimpan")
    return record[name]
