"""No request waterfall before the wall's first full view (issue 23, item 3), in Chromium.

The order of requests, from the DevTools protocol's network events (no timings): the stream is
asked for before Dash's ``_dash-layout`` has answered (it does not wait for the Dash tree), the
pages router's ``_dash-update-component`` is never called for a wall page (``_dash-layout`` holds
the wall), and each holds on a reload with a warm cache, as at ``reload_at``, after which the
wall keeps taking deltas.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import demo_config
from tests.web.conftest import write_reading

pytestmark = pytest.mark.browser

STREAM, LAYOUT, ROUTER = "/api/stream/utama", "/_dash-layout", "/_dash-update-component"


class Requests:
    """The page's requests and responses, in the order Chromium reports them."""

    def __init__(self, page: Any) -> None:
        self.seen: list[tuple[str, str]] = []  # ("sent" | "answered", URL path)
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.requestWillBeSent", lambda e: self.seen.append(("sent", _path(e["request"]["url"]))))
        cdp.on("Network.responseReceived", lambda e: self.seen.append(("answered", _path(e["response"]["url"]))))

    def take(self) -> list[tuple[str, str]]:
        seen, self.seen = self.seen, []
        return seen


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]


def assert_no_waterfall(seen: list[tuple[str, str]]) -> None:
    assert seen.count(("sent", STREAM)) == 1, seen  # opened once: not again when the Dash tree came
    assert ("sent", ROUTER) not in seen, seen  # the wall came with the layout: no router round
    assert ("answered", LAYOUT) in seen, seen
    # The stream was on its way before the layout answered: it waits for the page's scripts only.
    assert seen.index(("sent", STREAM)) < seen.index(("answered", LAYOUT)), seen


def live(page: Any) -> None:
    page.wait_for_selector("#wall [data-panel][data-state]", state="attached")
    page.wait_for_function("() => window.wallboard && window.wallboard.stats.hellos > 0")


def test_the_stream_opens_with_the_page_and_a_reload_keeps_the_wall_updating(
        tmp_path: Path, wall_server: Callable, page_at: Callable) -> None:
    db = f"sqlite:///{tmp_path / 'wall.db'}"
    server = wall_server(demo_config(db, every="1h"))
    page = page_at(1280, 720)
    requests = Requests(page)
    page.goto(server.url + "/wall/utama")
    live(page)
    assert_no_waterfall(requests.take())

    # What a wall does at reload_at (safeReload): location.reload(), scripts from the cache.
    page.evaluate("() => { window.__before = 'reload'; }")
    with page.expect_navigation():
        page.evaluate("() => window.location.reload()")
    live(page)
    assert page.evaluate("() => window.__before") is None  # a new page indeed
    assert_no_waterfall(requests.take())
    assert page.get_attribute("#wall", "data-link") == "live"
    write_reading(db, "tinggi_muka_air", 616)
    page.wait_for_function("() => document.querySelector('#air [data-role=value]').textContent === '616'")
    assert page.evaluate("() => window.wallboard.stats.connects") == 1


def test_a_wall_opened_from_the_screen_list_connects_once(
        tmp_path: Path, wall_server: Callable, page_at: Callable) -> None:
    """Reached inside Dash (its router lays the wall out, the page named no stream): one stream, live."""
    server = wall_server(demo_config(f"sqlite:///{tmp_path / 'wall.db'}", every="1h"))
    page = page_at(1280, 720)
    requests = Requests(page)
    page.goto(server.url + "/")
    page.click("a[href='/wall/utama']")
    live(page)
    seen = requests.take()
    assert seen.count(("sent", STREAM)) == 1, seen
    assert ("sent", ROUTER) in seen, seen
    assert page.evaluate("() => window.wallboard.stats.connects") == 1
