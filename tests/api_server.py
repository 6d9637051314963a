"""Local stand-ins for the open-data APIs sources read: CKAN, paged JSON APIs, the BPS web API.

Tests never touch the internet. ``ApiServer`` is a threaded ``http.server`` on 127.0.0.1 (port 0)
that answers each path with a handler ``(query) -> (status, JSON)`` and remembers every request;
the functions below build handlers that answer exactly as the real services do:

* ``ckan_datastore``: CKAN's ``/api/3/action/datastore_search`` (``help``, ``success``, ``result``
  with ``records``, ``fields``, ``total``, ``limit`` and ``_links.start``/``next``, links relative
  to the site as CKAN builds them from the request);
* ``offset_api`` and ``next_api``: APIs paged by ``offset``/``limit`` parameters or by a link to
  the next page inside the answer;
* ``bps_table``: ``webapi.bps.go.id/v1/api/list/model/data/...``, BPS's dynamic table (``var``,
  ``turvar``, ``vervar``, ``tahun``, ``turtahun``, ``datacontent`` keyed by the concatenated ids).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

Answer = tuple[int, Any]  # status, body (JSON-able, or bytes sent as they are)
Handler = Callable[[dict[str, str]], Answer]


class ApiServer:
    """Answers ``GET path?query`` with ``handlers[path](query)``; 404 for any other path."""

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}
        self.requests: list[str] = []  # path and query of every request, in order
        api = self

        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                api.requests.append(self.path)
                split = urlsplit(self.path)
                handler = api.handlers.get(split.path)
                status, body = handler(dict(parse_qsl(split.query))) if handler else (404, {"error": "not found"})
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@contextmanager
def api_server() -> Iterator[ApiServer]:
    server = ApiServer()
    try:
        yield server
    finally:
        server.close()


CKAN_PATH = "/api/3/action/datastore_search"


def ckan_datastore(records: Sequence[dict], resource_id: str, *, fail_at: int | None = None,
                   site: str = "") -> Handler:
    """CKAN ``datastore_search`` over ``records`` (``_id`` added, as CKAN does); ``limit`` 100 by
    default, ``offset`` 0. The page starting at ``fail_at`` answers HTTP 500, as a portal under load."""
    rows = [{"_id": i, **r} for i, r in enumerate(records, start=1)]
    fields = [{"id": "_id", "type": "int"}] + [
        {"id": k, "type": "numeric" if isinstance(v, int | float) else "text"} for k, v in records[0].items()
    ] if records else [{"id": "_id", "type": "int"}]

    def answer(query: dict[str, str]) -> Answer:
        if query.get("resource_id") != resource_id:
            return 404, {"help": f"{site}/api/3/action/help_show?name=datastore_search", "success": False,
                         "error": {"__type": "Not Found Error", "message": "Not found: Resource was not found."}}
        limit, offset = int(query.get("limit", 100)), int(query.get("offset", 0))
        if fail_at is not None and offset == fail_at:
            return 500, b"<html><body><h1>500 Internal Server Error</h1></body></html>"
        start = {k: v for k, v in query.items() if k != "offset"}
        with_total = query.get("include_total", "true").lower() != "false"
        result = {
            "include_total": with_total, "limit": limit, "records_format": "objects", "resource_id": resource_id,
            "total_estimation_threshold": None, "records": rows[offset:offset + limit], "fields": fields,
            "_links": {"start": f"{CKAN_PATH}?{urlencode(start)}",
                       "next": f"{CKAN_PATH}?{urlencode({**query, 'offset': offset + limit})}"},
        }
        if with_total:
            result["total"] = len(rows)
        return 200, {"help": f"{site}/api/3/action/help_show?name=datastore_search", "success": True,
                     "result": result}

    return answer


def offset_api(records: Sequence[dict], *, offset_param: str = "offset", limit_param: str = "limit",
               key: str = "data", endless: bool = False) -> Handler:
    """``{key: [...]}`` of ``records[offset:offset+limit]``; ``endless`` answers a full page forever."""

    def answer(query: dict[str, str]) -> Answer:
        limit, offset = int(query.get(limit_param, 10)), int(query.get(offset_param, 0))
        page = list(records[:limit]) if endless else list(records[offset:offset + limit])
        return 200, {key: page, "meta": {offset_param: offset, limit_param: limit}}

    return answer


def next_api(path: str, records: Sequence[dict], per_page: int, *, absolute: str = "") -> Handler:
    """``{"data": [...], "links": {"next": URL or null}}`` with ``?page=N``; ``absolute``: a full URL base."""

    def answer(query: dict[str, str]) -> Answer:
        page = int(query.get("page", 1))
        chunk = list(records[(page - 1) * per_page:page * per_page])
        more = page * per_page < len(records)
        link = f"{absolute}{path}?page={page + 1}" if more else None
        return 200, {"data": chunk, "links": {"next": link}, "meta": {"current_page": page}}

    return answer


def bps_table(*, var: dict, vervar: Sequence[tuple[Any, str]], tahun: Sequence[tuple[int, str]],
              turtahun: Sequence[tuple[int, str]], values: dict[str, Any],
              turvar: Sequence[tuple[Any, str]] = ((0, "Tidak ada"),), label_vervar: str = "Kabupaten/Kota",
              status: str = "OK", availability: str = "available") -> Handler:
    """BPS's ``list/model/data`` answer. ``values`` is the ``datacontent``: keys are the
    concatenation vervar+var+turvar+tahun+turtahun of the ``val`` ids, as the real API writes them."""

    def answer(query: dict[str, str]) -> Answer:
        if availability != "available":
            return 200, {"status": status, "data-availability": availability}
        return 200, {
            "status": status, "data-availability": availability, "last_update": "2025-11-20 09:14:31",
            "subject": [{"val": 12, "label": "Kependudukan"}],
            "var": [{"unit": "", "decimal": 0, "subj": "Kependudukan", "def": "", "note": "", **var}],
            "turvar": [{"val": v, "label": label} for v, label in turvar],
            "labelvervar": label_vervar,
            "vervar": [{"val": v, "label": label} for v, label in vervar],
            "tahun": [{"val": v, "label": label} for v, label in tahun],
            "turtahun": [{"val": v, "label": label} for v, label in turtahun],
            "datacontent": values,
            "related": [],
        }

    return answer


def bps_path(domain: str, var: int, key: str) -> str:
    """The path of a dynamic table as BPS's documentation and clients write it."""
    return f"/v1/api/list/model/data/lang/ind/domain/{domain}/var/{var}/key/{key}/"
