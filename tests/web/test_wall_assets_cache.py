"""The wall's scripts are fetched once and kept (issue 23, item 3): a wall PC that reloads at
``reload_at`` asks the server for the page and its data, not for React and Plotly again.

Counts, not timings: which URLs carry the long-lived cache header, which requests Chromium answers
from its cache on a second load, and which scripts were asked for by other scripts (a waterfall).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import WallServer, demo_config, reserve_port
from wallboard.web.serve.caching import FOREVER

SRC = re.compile(r'(?:src|href)="(/(?:_dash-component-suites|assets)/[^"]+)"')


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[WallServer]:
    folder: Path = tmp_path_factory.mktemp("assets")
    config = folder / "config.yaml"
    config.write_text(demo_config(f"sqlite:///{folder / 'wall.db'}", every="1h"), encoding="utf-8")
    reserved = reserve_port()
    wall = WallServer(config, reserved.getsockname()[1]).start()
    yield wall
    wall.stop()
    reserved.close()


def test_versioned_assets_are_cached_for_a_year(server: WallServer) -> None:
    page = httpx.get(server.url + "/wall/utama", timeout=30)
    urls = SRC.findall(page.text)
    assert any("plotly" in u for u in urls), urls  # the chart's scripts are named by the page itself
    assert any("async-graph" in u for u in urls), urls
    assert any(u.startswith("/assets/wall.js?m=") for u in urls), urls
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for url in urls:
            answer = http.get(url)
            assert answer.status_code == 200, url
            assert answer.headers["cache-control"] == FOREVER, url
        # The same files under a URL that does not name their version, and a missing one: no promise.
        assert "immutable" not in http.get("/assets/wall.js").headers.get("cache-control", "")
        missing = http.get("/assets/nothing.js?m=1")
        assert missing.status_code == 404 and "immutable" not in missing.headers.get("cache-control", "")
    assert "immutable" not in page.headers.get("cache-control", "")  # the page itself holds live data


@pytest.mark.browser
def test_a_second_load_fetches_no_script_and_no_script_waits_for_another(server: WallServer, page_at) -> None:
    page = page_at(1920, 1080)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    sent: dict[str, dict] = {}
    cached: set[str] = set()
    cdp.on("Network.requestWillBeSent", lambda e: sent.__setitem__(e["requestId"], e))
    cdp.on("Network.requestServedFromCache", lambda e: cached.add(e["requestId"]))

    def load() -> list[dict]:
        sent.clear()
        cached.clear()
        page.goto(server.url + "/wall/utama")
        page.wait_for_function("() => window.wallboard && window.wallboard.stats.hellos > 0")
        page.wait_for_selector("#tren .js-plotly-plot")  # the chart drawn: Plotly was there
        return [e for e in sent.values() if e.get("type") in ("Script", "Stylesheet")]

    first = load()
    assert any("plotly" in e["request"]["url"] for e in first)
    # Every script and style is named by the page: none is asked for by a script once it ran.
    chained = [e["request"]["url"] for e in first if e["initiator"]["type"] != "parser"]
    assert chained == [], chained
    again = load()
    assert again, "the second load named no script at all"
    fetched = [e["request"]["url"] for e in again if e["requestId"] not in cached]
    assert fetched == [], fetched
