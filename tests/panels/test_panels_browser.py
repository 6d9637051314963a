"""Every panel type in headless Chromium: fits its box at 1080p and 4K, shows states, resists HTML."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.camera_streams import SnapshotCamera as Camera
from tests.conftest import ROOT, fixture_file
from tests.local_http import local_server
from tests.panels.helpers import write
from tests.walls import DemoWall
from wallboard.panels import BUILTIN
from wallboard.records import Event, Reading

pytestmark = pytest.mark.browser

# Every element of a panel (plotly's svg internals aside) lies inside the panel's own box, and no
# kpi figure is wider than its line.
OVERFLOW_JS = """() => {
  const out = [];
  for (const p of document.querySelectorAll('[data-panel]')) {
    const r = p.getBoundingClientRect();
    for (const c of p.querySelectorAll('*')) {
      if (c.closest('svg') && !c.matches('svg.main-svg')) continue;
      const s = getComputedStyle(c);
      if (s.display === 'none' || s.visibility === 'hidden') continue;
      const q = c.getBoundingClientRect();
      if (q.width === 0 || q.height === 0) continue;
      if (q.left < r.left - 1 || q.top < r.top - 1 || q.right > r.right + 1 || q.bottom > r.bottom + 1)
        out.push(p.dataset.panel + ' ' + c.tagName + '.' + c.className);
    }
    if (r.right > innerWidth + 1 || r.bottom > innerHeight + 1) out.push(p.dataset.panel + ' off screen');
  }
  for (const m of document.querySelectorAll('.kpi-main'))
    if (m.scrollWidth > m.clientWidth + 1) out.push(m.closest('[data-panel]').dataset.panel + ' value clipped');
  return out;
}"""


# Plotly has drawn every figure of the wall: each graph has its svg and its computed layout, is not
# mid-transition, and figures sized for the screen (meta.wallScale) carry the scale panels.js gave them.
DRAWN_JS = """() => {
  if (!window.Plotly || !window.Plotly.__wallboard) return false;
  const k = innerHeight / 1080;
  return [...document.querySelectorAll('[data-panel] .js-plotly-plot')].every(gd =>
    gd._fullLayout && gd.querySelector('svg.main-svg') && !gd._transitioning &&
    !(gd._promises && gd._promises.length) &&
    (Math.abs(k - 1) < 0.01 || !(gd.layout.meta && gd.layout.meta.wallScale) || gd.layout.meta.wallScaled === k));
}"""


def wait_drawn(page) -> None:
    """Wait for the thing a layout check needs: every figure drawn, then nothing overflowing."""
    page.wait_for_function(DRAWN_JS, timeout=15_000)
    try:
        page.wait_for_function(f"() => ({OVERFLOW_JS})().length === 0", timeout=5_000)
    except Exception:  # noqa: BLE001 - report what still overflows
        assert page.evaluate(OVERFLOW_JS) == []


def demo_wall_config(db_url: str) -> str:
    """The shipped demo config.yaml, on a test database and a faster, shorter simulator."""
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    text = text.replace("url: sqlite:///data/wallboard.db", f'url: "{db_url}"')
    text, n = re.subn(r"(\n    type: demo\n    every: )\S+", r"\g<1>2s\n    backfill: 1d", text)
    assert n == 1
    return text


def test_demo_wall_shows_every_panel_type():
    text = (ROOT / "config.yaml").read_text(encoding="utf-8")
    assert set(re.findall(r"type: (\w+)", text)) >= set(BUILTIN)


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (3840, 2160)])
def test_every_panel_fits_its_box(wall_server, page_at, tmp_path, width, height):
    server = wall_server(demo_wall_config(f"sqlite:///{tmp_path / 'wall.db'}"))
    page = page_at(width, height)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url + "/wall/utama")
    # Live data everywhere (the camera reports from the browser, the events after the first run).
    page.wait_for_function(
        "() => { const ps = [...document.querySelectorAll('[data-panel]')]; return ps.length > 10 && "
        "ps.every(p => ['ok', 'warning', 'critical'].includes(p.dataset.state)); }", timeout=30_000)
    types = page.eval_on_selector_all("[data-panel]", "els => els.map(e => e.dataset.type)")
    assert set(types) == set(BUILTIN)
    # README's contract for scrapers and kiosks: the wall root names its screen, and every panel of
    # every type says when its figures were last updated (an ISO time from the live data).
    assert page.get_attribute("#wall", "data-screen") == "utama"
    updated = page.eval_on_selector_all(
        "[data-panel]", "els => els.map(e => [e.dataset.type, e.getAttribute('data-updated')])")
    now = datetime.now(UTC)
    for kind, stamp in updated:
        assert stamp, f"{kind} panel without data-updated"
        assert now - timedelta(days=2) < datetime.fromisoformat(stamp.replace("Z", "+00:00")) <= now + timedelta(
            minutes=1), (kind, stamp)
    wait_drawn(page)
    page.screenshot(path=str(tmp_path / f"wall-{width}.png"))
    # Readable across the room: a kpi figure at [3, 2] on a 12x8 grid is at least 1/12 of the height.
    sizes = page.eval_on_selector_all(
        "[data-type=kpi] [data-role=value]", "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))")
    assert sizes and min(sizes) >= height / 12
    # Chart type grows with the screen too, and times read the Indonesian way (18.00).
    ticks = page.eval_on_selector_all(
        "[data-panel=tren-air] .xtick text", "els => els.map(e => [e.textContent, parseFloat(e.style.fontSize)])")
    assert ticks and all(size >= height / 60 - 0.5 for _, size in ticks)
    assert any(re.fullmatch(r"\d\d\.\d\d", text) for text, _ in ticks)
    # Nothing spills off the screen.
    assert page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]") == [
        width, height]
    assert errors == []

    page.goto(server.url + "/wall/tren")
    page.wait_for_function(
        "() => { const ps = [...document.querySelectorAll('[data-panel]')]; return ps.length === 3 && "
        "ps.every(p => p.dataset.state !== 'nodata'); }",
        timeout=30_000)
    wait_drawn(page)


STATES = DemoWall(
    site=", timezone: Asia/Jakarta, theme: {theme}",
    indicators="""  - {id: latar, label: Latar, unit: x}
  - {id: uji, label: Uji ambang, unit: laporan, thresholds: {warning: 50, critical: 80}, stale_after: 1h}
  - {id: lama, label: Data lama, unit: cm, stale_after: 1m}
  - {id: kosong, label: Tanpa data, unit: bus}""",
    grid="{columns: 12, rows: 8}",
    panels="""      - {id: k-uji, type: kpi, indicator: uji, at: [0, 0], size: [3, 2]}
      - {id: k-lama, type: kpi, indicator: lama, at: [3, 0], size: [3, 2]}
      - {id: k-kosong, type: kpi, indicator: kosong, at: [6, 0], size: [3, 2]}
      - {id: g-uji, type: gauge, indicator: uji, at: [9, 0], size: [3, 2]}
      - {id: b-uji, type: bar, by: indicator, indicators: [uji, lama], at: [0, 2], size: [4, 2]}
      - {id: info, type: ticker, text: [Selamat datang], at: [4, 2], size: [8, 1]}
      - {id: laporan, type: events, source: simulasi, limit: 5, at: [0, 4], size: [6, 4]}""",
)


def state_of(page, panel: str) -> str:
    return page.get_attribute(f"[data-panel={panel}]", "data-state")


def wait_state(page, panel: str, state: str) -> None:
    page.wait_for_function(
        f"() => document.querySelector('[data-panel={panel}]')?.dataset.state === '{state}'", timeout=20_000)


def look(page, panel: str) -> dict:
    return page.evaluate(f"""() => {{
      const p = document.querySelector('[data-panel={panel}]');
      const s = getComputedStyle(p);
      return {{edge: s.borderLeftColor, opacity: s.opacity, filter: s.filter,
              badge: p.querySelector('.panel-badge').textContent,
              badgeColour: getComputedStyle(p.querySelector('.panel-badge')).color}};
    }}""")


def test_states_show_in_data_state_and_visibly(wall_server, page_at, tmp_path):
    db = f"sqlite:///{tmp_path / 'wall.db'}"
    server = wall_server(STATES.format(db=db, theme="dark"))
    page = page_at(1920, 1080)
    page.goto(server.url + "/wall/utama")
    page.wait_for_selector("#wall")
    # Record every one-off alert animation the page starts.
    page.evaluate("""() => { window.__alerts = [];
      new MutationObserver(ms => ms.forEach(m => { if (m.target.hasAttribute('data-alert'))
        window.__alerts.push(m.target.dataset.panel + ':' + m.target.dataset.state); }))
      .observe(document.body, {subtree: true, attributes: true, attributeFilter: ['data-alert']}); }""")
    assert state_of(page, "k-kosong") == "nodata"
    nodata = look(page, "k-kosong")
    assert nodata["badge"] == "○ KOSONG"

    now = int(time.time())
    write(db, "simulasi", [Reading("uji", "12.75", now, 10), Reading("lama", "12.75", now - 600, 5)])
    wait_state(page, "k-uji", "ok")
    wait_state(page, "k-lama", "stale")
    # Stale panels fade (after a short transition) and turn grey.
    page.wait_for_function(
        "() => parseFloat(getComputedStyle(document.querySelector('[data-panel=k-lama]')).opacity) < 0.9",
        timeout=5_000)
    ok, stale = look(page, "k-uji"), look(page, "k-lama")
    assert "grayscale" in stale["filter"] and len({stale["edge"], ok["edge"], nodata["edge"]}) == 3
    assert ok["badge"] == "● NORMAL" and stale["badge"] == "◌ USANG"
    assert float(stale["opacity"]) < 1 <= float(ok["opacity"])
    assert "10 menit lalu" in page.text_content("[data-panel=k-lama] .panel-note")

    write(db, "simulasi", [Reading("uji", "12.75", now + 1, 60)])
    wait_state(page, "k-uji", "warning")
    warning = look(page, "k-uji")
    assert warning["badge"] == "▲ WASPADA" and warning["edge"] != ok["edge"]
    page.wait_for_function("() => window.__alerts.includes('k-uji:warning')", timeout=5_000)

    write(db, "simulasi", [Reading("uji", "12.75", now + 2, 90)])
    wait_state(page, "k-uji", "critical")
    critical = look(page, "k-uji")
    assert critical["badge"] == "◆ KRITIS" and critical["edge"] not in (ok["edge"], warning["edge"])
    page.wait_for_function("() => window.__alerts.includes('k-uji:critical')", timeout=5_000)
    assert state_of(page, "b-uji") == "critical"
    # The ticker announces the new critical state.
    wait_state(page, "info", "critical")
    assert "Uji ambang 90 laporan" in page.text_content("[data-panel=info]")
    assert "KRITIS sejak" in page.text_content("[data-panel=info]")

    # Getting better does not draw the eye.
    alerts = page.evaluate("() => window.__alerts.length")
    write(db, "simulasi", [Reading("uji", "12.75", now + 3, 10)])
    wait_state(page, "k-uji", "ok")
    wait_state(page, "info", "ok")
    # The moment has passed once the next delta is on screen: the browser handled the change to ok
    # (and any alert it would start) before it applied a later message.
    write(db, "simulasi", [Reading("uji", "12.75", now + 4, 11)])
    page.wait_for_function(
        "() => document.querySelector('[data-panel=k-uji] [data-role=value]').textContent === '11'", timeout=20_000)
    assert page.evaluate("() => window.__alerts.length") == alerts
    # The alert is a single animation, not an endless blink: it is gone once it has played.
    page.wait_for_function("() => !document.querySelector('[data-panel=k-uji]').hasAttribute('data-alert')",
                           timeout=5_000)


def test_event_titles_are_text_never_html(wall_server, page_at, tmp_path):
    db = f"sqlite:///{tmp_path / 'wall.db'}"
    server = wall_server(STATES.format(db=db, theme="light"))
    page = page_at(1920, 1080)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server.url + "/wall/utama")
    page.wait_for_selector("#wall")
    xss = "<img src=x onerror=alert(1)>"
    now = datetime.now(UTC)
    write(db, "simulasi", events=[
        Event("X-1", now, "baru", xss, "Keamanan", "12.75.01", "<b>tebal</b>"),
        Event("X-2", now - timedelta(minutes=5), "proses", "Banjir <script>alert(2)</script>", "Bencana"),
    ])
    page.wait_for_function(
        "() => document.querySelector('[data-panel=laporan] .ev-title')?.textContent.includes('onerror')",
        timeout=20_000)
    titles = page.eval_on_selector_all("[data-panel=laporan] .ev-title", "els => els.map(e => e.textContent)")
    assert titles[:2] == [xss, "Banjir <script>alert(2)</script>"]
    assert page.query_selector("[data-panel=laporan] img") is None
    assert page.query_selector("[data-panel=laporan] script") is None
    assert page.text_content("[data-panel=laporan] .ev-status") == "◆ BARU"
    # Had the title become an <img src=x onerror=...>, its error would have fired by the time a
    # probe image asked for the same address afterwards has failed.
    page.evaluate("""() => new Promise(done => { const probe = new Image();
        probe.onerror = probe.onload = done; probe.src = 'x?probe'; })""")
    assert dialogs == []
    # The light theme really is light.
    background = page.evaluate("() => getComputedStyle(document.getElementById('wall')).backgroundColor")
    assert sum(int(c) for c in re.findall(r"\d+", background)[:3]) > 600


CLOCK = DemoWall(site=", timezone: Asia/Makassar",
                 panels="      - {id: jam, type: clock, at: [0, 0], size: [2, 1]}")


def test_clock_ticks_in_site_zone_on_server_time(wall_server, page_at, tmp_path):
    server = wall_server(CLOCK.format(db=f"sqlite:///{tmp_path / 'wall.db'}"))
    page = page_at(1920, 1080)
    # The wall PC's own clock is years off; the wall must show the server's time anyway.
    page.clock.install(time=datetime(2001, 1, 1, 3, 0, tzinfo=UTC))
    page.goto(server.url + "/wall/utama")
    page.wait_for_selector(".clock-hm")
    before = datetime.now(ZoneInfo("Asia/Makassar"))
    page.wait_for_function(
        f"() => document.querySelector('.clock-date').textContent.includes('{before.year}')", timeout=10_000)
    date = page.text_content(".clock-date")
    after = datetime.now(ZoneInfo("Asia/Makassar"))
    # Weekday, day, month and year of the server's today in WITA (either side of a midnight).
    assert date in {indonesian_date(before), indonesian_date(after)}, date
    assert page.text_content(".clock-zone") == "WITA"
    hm = page.text_content(".clock-hm")
    shown = datetime.now(ZoneInfo("Asia/Makassar"))
    assert re.fullmatch(r"\d\d\.\d\d", hm)
    assert abs(int(hm[:2]) * 60 + int(hm[3:]) - (shown.hour * 60 + shown.minute)) % 1440 in (0, 1, 1439)
    # It ticks by itself, without asking the server. The date above may come from /api/health before
    # the live link has even opened, so wait for the link first; its stream (opened or reopened) is
    # the link, not the clock asking.
    page.wait_for_function("() => window.wallboard && window.wallboard.stats.hellos > 0", timeout=10_000)
    requests: list[str] = []
    page.on("request", lambda r: None if "/api/stream/" in r.url else requests.append(r.url))
    seconds = page.text_content(".clock-s")
    page.wait_for_function(f"() => document.querySelector('.clock-s').textContent !== '{seconds}'",
                           timeout=5_000)
    assert requests == []


DAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember"]


def indonesian_date(d: datetime) -> str:
    """"Minggu, 29 November 2026": how an id-ID clock writes a date (written out, not from Babel/Intl)."""
    return f"{DAYS[d.weekday()]}, {d.day} {MONTHS[d.month - 1]} {d.year}"


@pytest.fixture
def camera():
    Camera.failing = False
    with local_server(Camera) as server:
        yield f"{server.url}/snapshot.svg"


CAMERA = DemoWall(
    panels='      - {id: cctv, type: camera, url: "{url}", every: 1s, give_up: 4s, at: [0, 0], size: [2, 2]}')


def test_camera_keeps_last_picture_then_shows_placeholder(wall_server, page_at, tmp_path, camera):
    server = wall_server(CAMERA.format(db=f"sqlite:///{tmp_path / 'wall.db'}", url=camera))
    page = page_at(1920, 1080)
    page.goto(server.url + "/wall/utama")
    wait_state(page, "cctv", "ok")
    src = page.get_attribute("[data-panel=cctv] img", "src")
    assert src.startswith(camera + "?_wb=")
    assert page.get_attribute("[data-panel=cctv]", "data-updated")
    assert page.is_visible("[data-panel=cctv] img")

    Camera.failing = True
    wait_state(page, "cctv", "stale")
    assert page.is_visible("[data-panel=cctv] img")  # the last picture stays, greyed, with its age
    assert "tidak menjawab" in page.text_content("[data-panel=cctv] .panel-note")
    assert page.text_content("[data-panel=cctv] .panel-badge") == "◌ USANG"
    wait_state(page, "cctv", "error")
    assert page.is_visible("[data-panel=cctv] .camera-placeholder")
    assert not page.is_visible("[data-panel=cctv] img")
    assert page.text_content("[data-panel=cctv] .panel-badge") == "✖ GALAT"

    Camera.failing = False
    wait_state(page, "cctv", "ok")
    assert page.is_visible("[data-panel=cctv] img")


MAP = DemoWall(
    regions="regions: {kecamatan: peta/kecamatan.geojson}", fed="[pengaduan]",
    indicators="  - {id: pengaduan, label: Pengaduan terbuka, unit: laporan}", grid="{columns: 12, rows: 8}",
    panels="""      - {id: peta, type: map, indicator: pengaduan, at: [0, 0], size: [3, 4]}
      - {id: ubin, type: map, indicator: pengaduan, level: desa, at: [3, 0], size: [9, 8]}""",
)


def test_map_draws_boundaries_offline_and_tiles_without_them(wall_server, page_at, tmp_path):
    (tmp_path / "peta").mkdir()
    (tmp_path / "peta" / "kecamatan.geojson").write_bytes(fixture_file("regions/12.75-kecamatan.geojson").read_bytes())
    server = wall_server(MAP.format(db=f"sqlite:///{tmp_path / 'wall.db'}"))
    page = page_at(3840, 2160)
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(server.url) else outside.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url + "/wall/utama")
    wait_state(page, "peta", "ok")
    page.wait_for_function("() => document.querySelectorAll('[data-panel=peta] .scatterlayer .trace').length >= 5",
                           timeout=10_000)
    # Every kecamatan is named: on the map, or in the list beside it (issue 21, item 7).
    labels = page.text_content("[data-panel=peta] .scatterlayer") + " ".join(
        page.eval_on_selector_all("[data-panel=peta] .map-rest-item", "els => els.map(e => e.textContent)"))
    assert "Binjai Utara" in labels and "Binjai Selatan" in labels
    # desa level has no boundary file here: one tile per kelurahan, coloured by its kecamatan's
    # figure (the data is per kecamatan), and the panel says so instead of drawing an empty map.
    tiles = page.eval_on_selector_all("[data-panel=ubin] .map-tile", "els => els.length")
    assert tiles > 30
    assert state_of(page, "ubin") == "ok"
    assert "Per kecamatan" in page.text_content("[data-panel=ubin]")
    wait_drawn(page)
    assert outside == [] and errors == []
