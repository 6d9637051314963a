"""Replay of a wall at past minutes, and the alert line on the live wall, in headless Chromium."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.web.conftest import write_reading

AJAX = {"X-Requested-With": "wallboard"}  # what the site's own scripts send with JSON (CSRF)

pytestmark = pytest.mark.browser
WIB = ZoneInfo("Asia/Jakarta")


def config(db_url: str) -> str:
    return f"""
site: {{name: Uji Tayangan Ulang, region: "12.75", timezone: Asia/Jakarta}}
database: {{url: "{db_url}"}}
sources:
  - {{id: simulasi, type: demo, every: 2s, backfill: 1h, indicators: [pengaduan_terbuka]}}
indicators:
  - {{id: pengaduan_terbuka, label: Pengaduan terbuka, unit: laporan}}
  - {{id: uji, label: Tinggi muka air, unit: cm, aggregate: last, owner: BPBD,
     thresholds: {{warning: 250, critical: 320}}}}
screens:
  - id: utama
    grid: {{columns: 4, rows: 2}}
    panels:
      - {{id: air, type: kpi, indicator: uji, at: [0, 0], size: [2, 1]}}
      - {{id: pengaduan, type: kpi, indicator: pengaduan_terbuka, at: [2, 0], size: [2, 1]}}
      - {{id: jam, type: clock, at: [0, 1], size: [4, 1]}}
owners:
  - {{id: BPBD, name: Badan Penanggulangan Bencana Daerah, escalate_after: 1h}}
alerts: {{min_duration: null}}
"""


def value_is(text: str) -> str:
    return f"() => {{ const e = document.getElementById('air--value'); return e && e.textContent === '{text}'; }}"


def alert_is(kind: str) -> str:
    return f"() => {{ const e = document.getElementById('air--alert'); return e && e.dataset.alert === '{kind}'; }}"


def test_replay_shows_the_values_written_for_two_past_minutes(tmp_path: Path, wall_server, page_at) -> None:
    db_url = f"sqlite:///{tmp_path / 'wallboard.db'}"
    server = wall_server(config(db_url))
    now = datetime.now(UTC).astimezone(WIB).replace(second=0, microsecond=0)
    first, second = now - timedelta(minutes=50), now - timedelta(minutes=20)
    write_reading(db_url, "uji", 111, ts=int(first.timestamp()) + 10)
    write_reading(db_url, "uji", 333, ts=int(second.timestamp()) + 30)
    write_reading(db_url, "uji", 150)

    live = page_at(1920, 1080)
    live.goto(server.url + "/wall/utama")
    live.wait_for_function(value_is("150"))

    page = page_at(1920, 1080)
    for minute, shown, state in ((first, "111", "ok"), (second, "333", "critical")):
        page.goto(server.url + f"/wall/utama?at={minute:%Y-%m-%dT%H:%M}")
        page.wait_for_function(value_is(shown))
        band = page.locator("#replay-band").inner_text()
        assert band.startswith(f"TAYANGAN ULANG {minute:%H:%M}")
        assert page.locator("#air").get_attribute("data-state") == state
        assert page.locator("#wall").get_attribute("data-replay") == f"{minute:%Y-%m-%dT%H:%M}"
        assert page.locator("#jam .clock-hm").inner_text() == f"{minute:%H.%M}"  # the clock stands still
    page.screenshot(path=str(tmp_path / "replay-1920.png"))

    # A new reading reaches the live wall, never the replay.
    write_reading(db_url, "uji", 777)
    live.wait_for_function(value_is("777"))
    assert page.locator("#air--value").inner_text() == "333"
    assert page.evaluate("() => !(window.wallboard && window.wallboard.stats && window.wallboard.stats.hellos)")

    big = page_at(3840, 2160)
    big.goto(server.url + f"/wall/utama?at={second:%Y-%m-%dT%H:%M}")
    big.wait_for_function(value_is("333"))
    big.screenshot(path=str(tmp_path / "replay-3840.png"))


@pytest.mark.parametrize("at, says", [
    ("kemarin", "bukan menit yang sah"),
    ("2026-02-30T10:00", "bukan menit yang sah"),
    ("2999-01-01T00:00", "belum terjadi"),
    ("2001-01-01T00:00", "database.retention"),
])
def test_replay_refuses_bad_minutes_on_the_page(tmp_path: Path, wall_server, page_at, at: str, says: str) -> None:
    server = wall_server(config(f"sqlite:///{tmp_path / 'wallboard.db'}"))
    page = page_at(1920, 1080)
    errors: list[int] = []
    page.on("response", lambda r: errors.append(r.status) if r.status >= 500 else None)
    page.goto(server.url + f"/wall/utama?at={at}")
    page.wait_for_selector("#replay-problem")
    assert says in page.locator("#replay-problem").inner_text()
    assert errors == []


def test_wall_shows_who_handles_an_alert_and_how_long_one_waits(tmp_path: Path, wall_server, page_at) -> None:
    db_url = f"sqlite:///{tmp_path / 'wallboard.db'}"
    server = wall_server(config(db_url))
    page = page_at(1920, 1080)
    page.goto(server.url + "/wall/utama")
    page.wait_for_selector("#air", state="attached")
    write_reading(db_url, "uji", 400)  # the server's own alert engine opens the alert
    page.wait_for_function(alert_is("waiting"), timeout=15000)
    line = page.locator("#air--alert")
    # the time first, so a narrow strip never loses it: "14.05 · belum ditanggapi · 3 menit"
    assert re.match(r"\d\d\.\d\d · belum ditanggapi · ", line.inner_text()), line.inner_text()
    assert "alert-critical" in line.get_attribute("class")
    # It pulses three times on arrival, then stays still.
    assert page.evaluate("() => getComputedStyle(document.querySelector('#air--alert')).animationIterationCount") == "3"
    page.screenshot(path=str(tmp_path / "alert-waiting-1920.png"))

    (alert,) = httpx.get(server.url + "/api/alerts").json()
    answer = httpx.post(server.url + f"/api/alerts/{alert['id']}/ack", json={"name": "sari", "note": "pompa"},
                        headers=AJAX)
    assert answer.status_code == 200
    page.wait_for_function(alert_is("acknowledged"), timeout=10000)
    since = datetime.fromisoformat(answer.json()["acknowledged_at"]).astimezone(WIB)
    assert page.locator("#air--alert").inner_text() == f"✔ Ditangani sari sejak {since:%H.%M}"
    page.screenshot(path=str(tmp_path / "alert-acknowledged-1920.png"))
    big = page_at(3840, 2160)
    big.goto(server.url + "/wall/utama")
    big.wait_for_function(alert_is("acknowledged"))
    big.screenshot(path=str(tmp_path / "alert-acknowledged-3840.png"))
