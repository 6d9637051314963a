"""Chromium takes the wall's stream gzip-compressed and applies each delta the moment it arrives."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import demo_config
from tests.web.conftest import write_reading
from tests.web.test_wall_browser import db, value_of

pytestmark = pytest.mark.browser


def test_the_wall_gets_its_stream_gzipped_and_live(tmp_path: Path, wall_server, page_at) -> None:
    server = wall_server(demo_config(db(tmp_path), every="1h"))
    page = page_at(1280, 720)
    streams = []
    page.on("response", lambda r: streams.append(r) if "/api/stream/" in r.url else None)
    page.goto(server.url + "/wall/utama")
    page.wait_for_function("() => window.wallboard && window.wallboard.stats.hellos > 0")
    assert streams and streams[0].headers.get("content-encoding") == "gzip"
    for value in (611, 612, 613):  # each delta shows without waiting for the next one to push it out
        write_reading(db(tmp_path), "tinggi_muka_air", value)
        page.wait_for_function(f"() => document.querySelector('#air [data-role=value]').textContent === '{value}'")
    assert value_of(page, "air") == "613"
    assert page.get_attribute("#wall", "data-link") == "live"
