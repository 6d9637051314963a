"""http_json against a real HTTP server thread: readings, events upserted by ref, and every fault."""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.sources.util import make_collector, snapshot

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
TOKEN = "tok-9f8e7d6c5b"


class Api:
    """Answers per path: (status, body bytes, delay seconds); remembers the headers it saw."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, bytes, float]] = {}
        self.seen: list[dict[str, str]] = []
        self.active = 0
        self.most_at_once = 0
        lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                api.seen.append({"path": self.path, **dict(self.headers)})
                status, body, delay = api.routes.get(self.path.split("?")[0], (404, b"{}", 0))
                if self.headers.get("Authorization", f"Bearer {TOKEN}") != f"Bearer {TOKEN}":
                    status, body = 401, b'{"error": "unauthorized"}'
                with lock:
                    api.active += 1
                    api.most_at_once = max(api.most_at_once, api.active)
                time.sleep(delay)
                with lock:
                    api.active -= 1
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def set(self, path: str, data: object, status: int = 200, delay: float = 0) -> None:
        body = data if isinstance(data, bytes) else json.dumps(data).encode()
        self.routes[path] = (status, body, delay)


@pytest.fixture
def api():
    server = Api()
    yield server
    server.server.shutdown()
    server.server.server_close()


def sources(url: str) -> str:
    return f"""
  - id: lapor
    type: http_json
    url: {url}/api/pengaduan
    headers: {{Authorization: "Bearer ${{LAPOR_TOKEN}}"}}
    every: 30s
    timeout: 1s
    records: data.items
    events: {{ref: id, time: dibuat, region: kecamatan, category: kategori, status: status, title: judul}}
  - id: air
    type: http_json
    url: {url}/api/air
    params: {{stasiun: bingai, key: "${{LAPOR_TOKEN}}"}}
    every: 30s
    timeout: 2s
    records: hasil
    columns: {{time: waktu, region: kode, value: tinggi, indicator: =pengaduan_terbuka}}
"""


@pytest.fixture
def setup(api: Api, db_url: str, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("LAPOR_TOKEN", TOKEN)
    collector, store = make_collector(db_url, sources(api.url), tmp_path)
    api.set("/api/air", {"hasil": [
        {"waktu": "2026-11-27 14:00", "kode": "12.75.01", "tinggi": "212,5"},
        {"waktu": "2026-11-27 14:00", "kode": "12.75.02", "tinggi": 180},
    ]})
    yield collector, store
    store.close()


def complaint(status: str, ref: str = "LPR-001") -> dict:
    return {"id": ref, "dibuat": "27/11/2026 13:10", "kecamatan": "Binjai Timur", "kategori": "Jalan",
            "status": status, "judul": "Jalan berlubang"}


def test_readings_from_json_with_secret_param(api: Api, setup) -> None:
    collector, store = setup
    run = collector.run("air", NOW)
    assert run.ok and run.rows == 2, run
    values = {r.region: r.value for r in store.latest(["pengaduan_terbuka"])["pengaduan_terbuka"]}
    assert values == {"12.75.01": 212.5, "12.75.02": 180.0}
    assert f"key={TOKEN}" in api.seen[-1]["path"]  # ${VAR} filled in at request time


def test_complaint_moving_through_statuses_is_one_event(api: Api, setup) -> None:
    collector, store = setup
    for status in ("baru", "proses", "selesai"):
        api.set("/api/pengaduan", {"data": {"items": [complaint(status)]}})
        assert collector.run("lapor", NOW).ok
    [event] = store.events("lapor", 10)
    assert (event.ref, event.status, event.region, event.category) == ("LPR-001", "selesai", "12.75.04", "Jalan")
    assert event.time == datetime(2026, 11, 27, 6, 10, tzinfo=UTC)
    assert api.seen[-1]["Authorization"] == f"Bearer {TOKEN}"


def test_no_new_complaints_is_not_a_fault(api: Api, setup) -> None:
    collector, _ = setup
    api.set("/api/pengaduan", {"data": {"items": []}})
    run = collector.run("lapor", NOW)
    assert run.ok and run.rows == 0


FAULTS = [
    # 2 s: room for a loaded machine (CI runs two test workers) to answer the other faults in time
    ("timeout", "/api/air", dict(data={"hasil": []}, delay=4), "batas waktu 2 dtk habis"),
    ("http 500", "/api/air", dict(data=b"<html>oops</html>", status=500), "HTTP 500 Internal Server Error"),
    ("http 404", "/api/air", dict(data={}, status=404), "HTTP 404 Not Found"),
    ("invalid json", "/api/air", dict(data=b'{"hasil": [ {"waktu": '), "bukan JSON yang sah"),
    ("missing path", "/api/air", dict(data={"data": []}), "path 'hasil' tidak ditemukan"),
    ("not a list", "/api/air", dict(data={"hasil": 5}), "bukan daftar record"),
    ("missing column", "/api/air", dict(data={"hasil": [{"waktu": "2026-11-27", "kode": "12.75.01"}]}),
     "kolom 'tinggi' tidak ada"),
    ("non-numeric", "/api/air", dict(data={"hasil": [{"waktu": "2026-11-27", "kode": "12.75.01", "tinggi": "n/a"}]}),
     "bukan angka: 'n/a'"),
    ("unknown region", "/api/air", dict(data={"hasil": [{"waktu": "2026-11-27", "kode": "33.08.01", "tinggi": 1}]}),
     "kode wilayah tidak dikenal: '33.08.01'"),
    ("empty", "/api/air", dict(data={"hasil": []}), "tidak ada data"),
]


@pytest.mark.parametrize(("name", "path", "answer", "reason"), FAULTS, ids=[f[0] for f in FAULTS])
def test_faults_are_recorded_and_change_nothing(api: Api, setup, name: str, path: str, answer: dict,
                                                reason: str) -> None:
    collector, store = setup
    api.set("/api/pengaduan", {"data": {"items": [complaint("proses")]}})
    assert collector.run("air", NOW).ok and collector.run("lapor", NOW).ok
    before = snapshot(store)
    api.set(path, **answer)
    run = collector.run("air", NOW)
    assert not run.ok and reason in run.error, run.error
    assert "\n" not in run.error
    assert snapshot(store) == before
    status = store.source_status(["air"])["air"]
    assert status.last_error == run.error and status.failures == 1 and status.last_success is not None
    # the next run recovers on its own once the API is well again
    api.set("/api/air", {"hasil": [{"waktu": "2026-11-27 15:00", "kode": "12.75.01", "tinggi": 1}]})
    assert collector.run("air", NOW).ok
    assert store.source_status(["air"])["air"].failures == 0


def test_refused_connection(setup, db_url: str, tmp_path: Path, reserved_port: int) -> None:
    # bound but never listening: a connection to it is refused, and nothing else can take the port
    collector, store = make_collector(db_url, sources(f"http://127.0.0.1:{reserved_port}"), tmp_path)
    try:
        run = collector.run("air", NOW)
        assert not run.ok and "tidak bisa terhubung" in run.error and "ditolak" in run.error
        assert store.count_readings() == 0
    finally:
        store.close()


def test_token_never_shown(api: Api, setup, caplog) -> None:
    collector, _ = setup
    api.set("/api/air", {"hasil": [{"waktu": "2026-11-27", "kode": "12.75.01", "tinggi": TOKEN}]}, status=200)
    with caplog.at_level(logging.DEBUG):
        run = collector.run("air", NOW)
        api.set("/api/air", {}, status=503)
        run2 = collector.run("air", NOW)
    assert not run.ok and not run2.ok
    assert TOKEN not in run.error and "***" in run.error
    assert TOKEN not in caplog.text
    assert collector.config.source("air").params["key"] == "${LAPOR_TOKEN}"  # config keeps the placeholder


def test_missing_variable_is_the_reason(api: Api, db_url: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("LAPOR_TOKEN", raising=False)
    collector, store = make_collector(db_url, sources(api.url), tmp_path)
    try:
        run = collector.run("lapor", NOW)
        assert not run.ok and "LAPOR_TOKEN belum diisi" in run.error
    finally:
        store.close()


# Paged APIs ------------------------------------------------------------------------------------

RESOURCE = "5b7c9f2e-3d1a-4c8e-9f00-harga-beras-2026"
KECAMATAN = ["12.75.01", "12.75.02", "12.75.03", "12.75.04", "12.75.05"]


def price_records(n: int) -> list[dict]:
    """A Satu Data portal's price table: one row per kecamatan and day, prices with decimals."""
    return [{"kode_kecamatan": KECAMATAN[i % 5], "tanggal": f"2026-{1 + i // 140:02d}-{1 + (i // 5) % 28:02d} 08:00",
             "harga": 12000 + i * 7.5} for i in range(n)]


def expected(records: list[dict]) -> dict:
    from zoneinfo import ZoneInfo

    wib = ZoneInfo("Asia/Jakarta")
    return {(r["kode_kecamatan"], int(datetime.strptime(r["tanggal"], "%Y-%m-%d %H:%M").replace(tzinfo=wib)
                                      .timestamp())): (float(r["harga"]), None) for r in records}


def paged_source(url: str, extra: str = "") -> str:
    return f"""
  - id: harga
    type: http_json
    url: {url}
    every: 1h
    timeout: 5s
    indicator: harga_beras
    columns: {{time: tanggal, region: kode_kecamatan, value: harga}}
{extra}"""


@pytest.fixture
def portal():
    from tests.api_server import ApiServer

    server = ApiServer()
    yield server
    server.close()


@pytest.mark.parametrize("include_total", [True, False], ids=["total", "include_total=false"])
def test_ckan_datastore_is_read_whole(portal, db_url: str, tmp_path: Path, include_total: bool) -> None:
    """250 records in pages of 100: every one stored, exactly as the portal gives it."""
    from tests.api_server import CKAN_PATH, ckan_datastore
    from tests.sources.site import stored

    records = price_records(250)
    portal.handlers[CKAN_PATH] = ckan_datastore(records, RESOURCE)
    extra = f"    params: {{resource_id: {RESOURCE}{'' if include_total else ', include_total: false'}}}\n"
    collector, store = make_collector(db_url, paged_source(portal.url + CKAN_PATH, extra), tmp_path)
    try:
        run = collector.run("harga", NOW)
        assert run.ok and run.rows == 250 and run.rejected == 0, run
        assert stored(store, "harga_beras") == expected(records)
        offsets = [dict(p.split("=") for p in r.split("?")[1].split("&")).get("offset", "0") for r in portal.requests]
        assert offsets == ["0", "100", "200"]
    finally:
        store.close()


def test_ckan_page_that_fails_stores_nothing(portal, db_url: str, tmp_path: Path) -> None:
    from tests.api_server import CKAN_PATH, ckan_datastore

    records = price_records(250)
    portal.handlers[CKAN_PATH] = ckan_datastore(records[:40], RESOURCE)
    extra = f"    records: result.records\n    params: {{resource_id: {RESOURCE}}}\n"
    collector, store = make_collector(db_url, paged_source(portal.url + CKAN_PATH, extra), tmp_path)
    try:
        assert collector.run("harga", NOW).ok
        before = snapshot(store)
        portal.handlers[CKAN_PATH] = ckan_datastore(records, RESOURCE, fail_at=100)
        run = collector.run("harga", NOW)
        assert not run.ok and "halaman 2" in run.error and "HTTP 500" in run.error, run.error
        assert "tidak ada yang disimpan" in run.error and "\n" not in run.error
        assert snapshot(store) == before
    finally:
        store.close()


def test_offset_paging_with_the_apis_own_parameter_names(portal, db_url: str, tmp_path: Path) -> None:
    from tests.api_server import offset_api
    from tests.sources.site import stored

    records = price_records(23)
    portal.handlers["/v2/harga"] = offset_api(records, offset_param="skip", limit_param="take", key="items")
    extra = "    records: items\n    paging: {style: offset, limit: 10, offset_param: skip, limit_param: take}\n"
    collector, store = make_collector(db_url, paged_source(portal.url + "/v2/harga", extra), tmp_path)
    try:
        run = collector.run("harga", NOW)
        assert run.ok and run.rows == 23, run
        assert stored(store, "harga_beras") == expected(records)
        assert [r.split("?")[1] for r in portal.requests] == ["skip=0&take=10", "skip=10&take=10", "skip=20&take=10"]
    finally:
        store.close()


@pytest.mark.parametrize("absolute", [False, True], ids=["relative link", "absolute link"])
def test_next_link_paging(portal, db_url: str, tmp_path: Path, absolute: bool) -> None:
    from tests.api_server import next_api
    from tests.sources.site import stored

    records = price_records(25)
    portal.handlers["/api/harga"] = next_api("/api/harga", records, 10, absolute=portal.url if absolute else "")
    extra = "    records: data\n    paging: {style: next, next: links.next}\n"
    collector, store = make_collector(db_url, paged_source(portal.url + "/api/harga", extra), tmp_path)
    try:
        run = collector.run("harga", NOW)
        assert run.ok and run.rows == 25, run
        assert stored(store, "harga_beras") == expected(records)
        assert portal.requests == ["/api/harga", "/api/harga?page=2", "/api/harga?page=3"]
    finally:
        store.close()


def test_max_pages_stops_a_runaway_api(portal, db_url: str, tmp_path: Path) -> None:
    from tests.api_server import offset_api

    portal.handlers["/v2/harga"] = offset_api(price_records(5), endless=True)
    extra = "    records: data\n    paging: {style: offset, limit: 5, max_pages: 4}\n"
    collector, store = make_collector(db_url, paged_source(portal.url + "/v2/harga", extra), tmp_path)
    try:
        run = collector.run("harga", NOW)
        assert not run.ok and "berhenti setelah 4 halaman (max_pages)" in run.error, run.error
        assert len(portal.requests) == 4 and store.count_readings() == 0
    finally:
        store.close()


def test_a_next_link_back_to_a_read_page_fails(portal, db_url: str, tmp_path: Path) -> None:
    portal.handlers["/api/harga"] = lambda query: (200, {"data": price_records(3), "links": {"next": "/api/harga"}})
    extra = "    records: data\n    paging: {style: next, next: links.next}\n"
    collector, store = make_collector(db_url, paged_source(portal.url + "/api/harga", extra), tmp_path)
    try:
        run = collector.run("harga", NOW)
        assert not run.ok and "sudah dibaca" in run.error and store.count_readings() == 0, run.error
    finally:
        store.close()


def test_timeout_bounds_the_whole_paged_read(portal, db_url: str, tmp_path: Path) -> None:
    """Each page answers within the timeout, but all of them together do not: the run fails."""
    from tests.api_server import next_api

    pages = next_api("/api/harga", price_records(50), 10)

    def slow(query: dict) -> tuple:
        time.sleep(0.4)  # a portal under load: 0.4 s a page, 5 pages, timeout 1 s
        return pages(query)

    portal.handlers["/api/harga"] = slow
    extra = "    records: data\n    paging: {style: next, next: links.next}\n"
    collector, store = make_collector(db_url, paged_source(portal.url + "/api/harga", extra).replace(
        "timeout: 5s", "timeout: 1s"), tmp_path)
    try:
        run = collector.run("harga", NOW)
        assert not run.ok and "batas waktu 1 dtk habis" in run.error, run.error
        assert len(portal.requests) < 5 and store.count_readings() == 0
    finally:
        store.close()
