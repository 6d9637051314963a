"""Downloads bounded (issue 22, item 9): a total deadline, not only a per-read timeout, and a size
cap counted as the body arrives, for ``regions fetch``, the BPS bridge and the HTTP sources."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.misbehaving_http import HUGE_LIMIT, misbehaving
from tests.sources.util import make_collector
from tests.test_regions_cli import wallboard
from wallboard.boundaries.fetch import FetchError, download
from wallboard.bps import BridgeError, bridge_files
from wallboard.downloads import DownloadError, bounded

NOW = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
CAP = 256 * 1024


@pytest.fixture(scope="module")
def server():
    with misbehaving() as s:
        yield s


def test_a_dripping_server_meets_the_total_deadline(server) -> None:
    started = time.monotonic()
    with bounded(1.5, CAP) as client, pytest.raises(DownloadError) as failed:
        client.read("GET", server.url + "/drip/a.json")  # one byte a second: no single read times out
    assert failed.value.kind == "deadline"
    assert time.monotonic() - started < 3.0


def test_an_endless_answer_is_stopped_at_max_bytes_while_streaming(server) -> None:
    with bounded(10, CAP) as client, pytest.raises(DownloadError) as failed:
        client.read("GET", server.url + "/huge/a.json")
    assert failed.value.kind == "too_large"
    assert server.sent["/huge/a.json"] < HUGE_LIMIT / 4  # it hung up early, not after reading it all


def test_an_announced_length_past_the_cap_is_refused_before_reading(server) -> None:
    with bounded(5, CAP) as client, pytest.raises(DownloadError) as failed:
        client.read("GET", server.url + "/announced/a.json")
    assert failed.value.kind == "too_large"


def test_boundary_download_is_bounded_in_time_and_size(server) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"not complete within 2 s"):
        download(server.url + "/drip/12.75-kecamatan.geojson", 2.0)
    assert time.monotonic() - started < 4.0
    with pytest.raises(FetchError, match=r"larger than 0.25 MB"):
        download(server.url + "/huge/12.75-kecamatan.geojson", 30.0, max_bytes=CAP)
    assert server.sent["/huge/12.75-kecamatan.geojson"] < HUGE_LIMIT / 4


def test_bps_bridge_download_is_bounded(server) -> None:
    with pytest.raises(BridgeError, match="larger than"):
        bridge_files(server.url + "/huge/bridge-{level}.csv", timeout=30, max_bytes=CAP)


def test_regions_fetch_says_so_in_one_line(server, tmp_path: Path) -> None:
    result = wallboard("regions", "fetch", "12.75", "--from", server.url + "/huge/{code}-{level}.geojson",
                       "--dir", str(tmp_path), "--max-bytes", str(CAP), "--timeout", "20")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "larger than" in result.stderr and "nothing written" in result.stderr


def _source(url: str) -> str:
    return f"""
  - id: air
    type: http_json
    url: {url}
    every: 30s
    timeout: 2s
    max_bytes: {CAP}
    records: hasil
    columns: {{time: waktu, region: kode, value: tinggi, indicator: =pengaduan_terbuka}}
"""


@pytest.mark.parametrize(("path", "reason"), [
    ("/drip/api", "batas waktu 2 dtk habis"),
    ("/huge/api", "lebih besar dari max_bytes (0.25 MB)"),
])
def test_http_source_has_a_total_deadline_and_a_size_cap(server, tmp_path: Path, path: str, reason: str) -> None:
    collector, store = make_collector(f"sqlite:///{tmp_path / 'w.db'}", _source(server.url + path), tmp_path)
    try:
        started = time.monotonic()
        run = collector.run("air", NOW)
        assert not run.ok and reason in (run.error or ""), run.error
        assert time.monotonic() - started < 4.0
    finally:
        store.close()
