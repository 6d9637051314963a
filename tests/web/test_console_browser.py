"""The console in headless Chromium: scrub a day's replay, acknowledge an alert through the form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.alerts.fakes import wait_for
from tests.web.conftest import write_reading
from tests.web.test_replay_browser import config

pytestmark = pytest.mark.browser
WIB = ZoneInfo("Asia/Jakarta")


def test_console_scrubs_replays_and_acknowledges(tmp_path: Path, wall_server, page_at) -> None:
    db_url = f"sqlite:///{tmp_path / 'wallboard.db'}"
    server = wall_server(config(db_url))
    minute = datetime.now(UTC).astimezone(WIB).replace(second=0, microsecond=0) - timedelta(minutes=30)
    write_reading(db_url, "uji", 111, ts=int(minute.timestamp()) + 5)
    write_reading(db_url, "uji", 400)  # the server opens an alert on it
    wait_for(lambda: httpx.get(server.url + "/api/alerts").json(), timeout=15)

    page = page_at(1920, 1080)
    page.goto(server.url + "/console")
    page.evaluate(
        """([day, m]) => {
            const d = document.getElementById('scrub-date'), r = document.getElementById('scrub-minute');
            d.value = day; r.value = m;
            r.dispatchEvent(new Event('input'));
        }""",
        [minute.date().isoformat(), minute.hour * 60 + minute.minute],
    )
    frame = page.frame_locator("#scrub-frame")
    page.wait_for_function(f"() => document.getElementById('scrub-frame').src.endsWith('?at={minute:%Y-%m-%dT%H:%M}')")
    try:  # a replay is built from the store: slow on a busy machine
        frame.locator("#replay-band").wait_for(timeout=60_000)
    except Exception as exc:  # noqa: BLE001 - say what the frame showed instead (it once showed nothing in 60 s)
        page.screenshot(path=str(tmp_path / "console-no-replay.png"), full_page=True)
        shown = page.evaluate("""() => { const f = document.getElementById('scrub-frame'), d = f.contentDocument;
            return {src: f.src, at: d && d.location.href, state: d && d.readyState,
                    text: d && d.body ? d.body.innerText.slice(0, 300) : null}; }""")
        log = server.log()[-2000:]
        raise AssertionError(f"no replay band in the console's frame: {shown}\nserver log:\n{log}") from exc
    assert frame.locator("#replay-band").inner_text().startswith(f"TAYANGAN ULANG {minute:%H:%M}")
    page.wait_for_function(
        "() => { const d = document.getElementById('scrub-frame').contentDocument;"
        " const e = d && d.getElementById('air--value'); return e && e.textContent === '111'; }")
    assert page.locator("#scrub-open").get_attribute("href") == f"/wall/utama?at={minute:%Y-%m-%dT%H:%M}"

    # The alert the server opened is listed in its incident; the operator selects the incident and
    # acknowledges the selection with a note (the bulk acknowledge).
    incident = page.locator("#open-incidents tbody.incident").first
    assert "KRITIS" in incident.inner_text()
    incident.locator("summary").click()  # expands to its areas
    assert incident.locator(".incident-regions tr[data-alert-id]").count() == 1
    incident.locator("input[name=incident]").check()
    page.locator("#incidents-form input[name=name]").fill("sari")
    page.locator("#incidents-form input[name=note]").fill("pompa dinyalakan")
    page.locator("#ack-selected").click()
    page.wait_for_selector("text=sari sejak")
    assert "pompa dinyalakan" in page.locator("#open-incidents").inner_text()
    frame.locator("#replay-band").wait_for(timeout=60_000)  # a replay is built from the store: slow on a busy machine
    page.screenshot(path=str(tmp_path / "console.png"), full_page=True)
