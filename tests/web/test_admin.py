"""/admin and /healthz: what is in force, what went wrong, and nothing secret on either."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine

from tests.auth import sites
from tests.auth.sites import Site
from wallboard.store import Run, audit

hashes, make_site, site = sites.hashes, sites.make_site, sites.site  # the fixtures, shared with tests/auth

SECRET = "rahasia-lapor-token-8c1d"
HTTP_SOURCE = """
  - {id: lapor, type: http_json, url: "http://127.0.0.1:9/api", every: 1h, records: data,
     headers: {Authorization: "Bearer ${WB_TEST_LAPOR}"}, events: {ref: id, time: t, title: j}}
"""


@pytest.fixture
def admin_site(make_site, monkeypatch: pytest.MonkeyPatch) -> Site:
    monkeypatch.setenv("WB_TEST_LAPOR", SECRET)
    site = make_site()
    text = site.path.read_text().replace("indicators:\n", HTTP_SOURCE + "indicators:\n", 1)
    assert site.rewrite(text), site.runtime.last_reload_problems
    return site


def test_admin_shows_the_config_in_force_with_secrets_masked(admin_site: Site) -> None:
    client = admin_site.signed_in("admin")
    page = client.get("/admin").get_data(as_text=True)
    runtime = admin_site.runtime
    assert runtime.loaded.digest in page and "Konfigurasi yang berlaku" in page
    assert "Bearer ${WB_TEST_LAPOR}" in page  # the placeholder names a variable, holds no secret
    assert SECRET not in page
    assert "dinding-utama-7f3c9a1e55d04b2e" not in page and "display_token: &#39;***&#39;" in page.replace(
        "display_token: '***'", "display_token: &#39;***&#39;")
    assert "$argon2id$" not in page  # hashes come through ${VAR}; their values never show


def test_admin_lists_every_source_with_run_now(admin_site: Site) -> None:
    client = admin_site.signed_in("admin")
    store = admin_site.runtime.store
    now = datetime.now(UTC)
    store.record_run(Run("lapor", now, now, False, 0, 0, f"connection refused (Bearer {SECRET})", failures=1,
                         retry_at=now + timedelta(minutes=5)))
    from wallboard.secrets import expand

    expand("${WB_TEST_LAPOR}")  # as the source did when it connected: the value is now known to redact
    page = client.get("/admin").get_data(as_text=True)
    assert 'id="source-simulasi"' in page and 'id="source-lapor"' in page
    assert "connection refused" in page and SECRET not in page
    assert ">Digabung<" in page and ">Duplikat<" in page and ">Ditolak<" in page
    assert page.count("Jalankan sekarang") == 2
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    answer = client.post("/admin/sources/simulasi/run", data={"csrf_token": token})
    assert answer.status_code == 303 and answer.headers["Location"].startswith("/admin?ran=simulasi")
    deadline = time.monotonic() + 20
    while not store.runs("simulasi") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert store.runs("simulasi")[0].ok
    entry = audit.entries(store)[0]
    assert (entry.action, entry.actor, entry.detail) == ("admin.run_source", "admin", "simulasi")
    assert client.post("/admin/sources/nope/run", data={"csrf_token": token}).status_code == 404


def test_refused_edit_and_reload_are_on_admin_and_audited(admin_site: Site) -> None:
    client = admin_site.signed_in("admin")
    good = admin_site.path.read_text()
    assert not admin_site.rewrite(good.replace("grid: {columns: 4, rows: 2}", "grid: {columns: 4, rowz: 2}"))
    page = client.get("/admin").get_data(as_text=True)
    assert "Berkas di disk ditolak" in page and "unknown key &#39;rowz&#39;" in page
    assert "config.yaml:" in page and "Perubahan terakhir yang ditolak" in page
    grown = good.replace("indicators:\n", "indicators:\n  - {id: curah_hujan, label: Curah hujan, unit: mm}\n", 1)
    assert admin_site.rewrite(grown)
    page = client.get("/admin").get_data(as_text=True)
    # The good file clears the refused edit from the page (issue 21); the audit log keeps it.
    assert "Berkas di disk ditolak" not in page and "Perubahan terakhir yang ditolak" not in page
    actions = [(e.action, e.detail) for e in audit.entries(admin_site.runtime.store)]
    reload_detail = next(d for a, d in actions if a == "config.reload")
    assert "indicators: +curah_hujan" in reload_detail
    refused = next(d for a, d in actions if a == "config.refused")
    assert refused.startswith("2 problem(s)") and "screens[0].grid.rows" in refused
    assert all(SECRET not in d for _a, d in actions)


def test_the_audit_log_is_on_admin(admin_site: Site) -> None:
    admin_site.kiosk()
    client = admin_site.signed_in("admin")
    page = client.get("/admin").get_data(as_text=True)
    assert "login.kiosk" in page and "dinding" in page and "Log audit" in page


def test_audit_detail_never_holds_a_known_secret(admin_site: Site) -> None:
    from wallboard.secrets import expand

    expand("${WB_TEST_LAPOR}")
    audit.record(admin_site.runtime.store, "test", "x", f"error quoting Bearer {SECRET}")
    assert SECRET not in audit.entries(admin_site.runtime.store)[0].detail


# /healthz --------------------------------------------------------------------------------------

def test_healthz_ok_without_login(site: Site) -> None:
    body = site.client().get("/healthz").get_json()
    assert body["status"] == "ok" and body["database"]["reachable"] is True
    assert body["config"]["version"] == site.runtime.loaded.digest and body["sources"]["failing"] == 0


def test_healthz_degraded_on_a_refused_config_and_failing_source(admin_site: Site) -> None:
    client = admin_site.client()
    assert not admin_site.rewrite(admin_site.path.read_text().replace("rows: 2}", "rows: dua}"))
    body = client.get("/healthz").get_json()
    assert body["status"] == "degraded" and body["config"]["problems"] == 1
    assert "problem_lines" not in body["config"]  # anonymous: status and counts only (issue 22)
    admin = admin_site.signed_in("admin")
    assert "screens[0].grid.rows" in admin.get("/healthz").get_json()["config"]["problem_lines"][0]
    now = datetime.now(UTC)
    admin_site.runtime.store.record_run(Run("lapor", now, now, False, 0, 0, "down", failures=1))
    answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.get_json()["sources"]["failing"] == 1
    assert admin.get("/healthz").get_json()["sources"]["failing"] == ["lapor"]


def test_healthz_failing_when_every_source_fails(admin_site: Site) -> None:
    now = datetime.now(UTC)
    for source in ("simulasi", "lapor"):
        admin_site.runtime.store.record_run(Run(source, now, now, False, 0, 0, "down", failures=1))
    answer = admin_site.client().get("/healthz")
    assert answer.status_code == 503 and answer.get_json()["status"] == "failing"


def test_healthz_failing_when_the_database_is_gone(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    dead = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 2})
    monkeypatch.setattr(site.runtime.store, "engine", dead)
    answer = site.client().get("/healthz")
    body = answer.get_json()
    assert answer.status_code == 503 and body["status"] == "failing" and body["database"]["reachable"] is False


def test_healthz_tells_the_stalest_indicator(site: Site) -> None:
    from tests.web.conftest import write_reading

    url = site.runtime.config.database.url
    write_reading(url, "tinggi_muka_air", 100.0, ts=int(time.time()) - 7200)
    write_reading(url, "pengaduan_terbuka", 5.0, ts=int(time.time()))
    assert site.client().get("/healthz").get_json()["indicators"] == {"stale": 1}  # anonymous: a count
    body = site.signed_in("admin").get("/healthz").get_json()
    stalest = body["indicators"]["stalest"]
    assert stalest["indicator"] == "tinggi_muka_air" and 7100 < stalest["age_seconds"] < 7400
    assert body["indicators"]["stale"] == ["tinggi_muka_air"] and body["status"] == "degraded"


def test_healthz_and_api_health_hold_no_secret(admin_site: Site) -> None:
    assert not admin_site.rewrite(admin_site.path.read_text().replace("rows: 2}", "rows: dua}"))
    for path in ("/healthz", "/api/health"):
        text = admin_site.client().get(path).get_data(as_text=True)
        assert SECRET not in text and "$argon2" not in text and "dinding-utama" not in text
    anonymous = admin_site.client().get("/api/health").get_json()
    assert anonymous["config"]["problems"] == ["(sign in as admin to see the problems)"]


CAMERA_PANEL = '      - {id: cctv, type: camera, url: "http://127.0.0.1:9/snap.jpg", at: [0, 0], size: [1, 1]}\n'


def test_a_camera_reported_down_degrades_healthz_and_is_listed_first_on_admin(make_site) -> None:
    from wallboard.cameras.health import BOARD

    site = make_site()
    text = site.path.read_text()
    text = text.replace("    panels:\n", "    panels:\n" + CAMERA_PANEL, 1).replace("at: [0, 0], size: [2, 1]}",
                                                                           "at: [1, 0], size: [1, 1]}", 1)
    assert site.rewrite(text), site.runtime.last_reload_problems
    BOARD.clear()
    try:
        admin = site.signed_in("admin")
        assert "utama/cctv" not in str(admin.get("/healthz").get_json()["cameras"]["down"])
        BOARD.put("utama/cctv", "error", time.time() - 90, by="wall", detail="HTTP 404")
        body = admin.get("/healthz").get_json()
        assert body["status"] == "degraded" and [c["key"] for c in body["cameras"]["down"]] == ["utama/cctv"]
        assert site.client("127.0.0.1").get("/healthz").get_json()["cameras"]["down"] == 1  # anonymous
        page = admin.get("/admin").get_data(as_text=True)
        assert 'id="cameras"' in page, page[-3000:]
        row = page[page.index('id="camera-utama/cctv"'):]
        assert "mati" in row[:400] and "HTTP 404" in row[:600] and 'class="bad"' in row[:400]
    finally:
        BOARD.clear()


def test_admin_shows_rows_combined_duplicates_refused_and_warnings(admin_site: Site) -> None:
    """A source's last run: how many rows were added into another, given twice, refused, and why."""
    store = admin_site.runtime.store
    now = datetime.now(UTC)
    from wallboard.secrets import expand

    expand("${WB_TEST_LAPOR}")
    store.record_run(Run("lapor", now, now, True, 5, 3, "3 record ditolak: ...", combined=12, duplicates=2,
                         warned=3, notes=f"data/dbd.csv baris 7 sama persis dengan baris 3 ({SECRET})"))
    page = admin_site.signed_in("admin").get("/admin").get_data(as_text=True)
    row = page.split('id="source-lapor"')[1].split("</tr>")[0]
    assert '<td class="combined">12</td>' in row and '<td class="duplicates">2</td>' in row
    assert '<td class="refused">3</td>' in row
    assert "Peringatan: data/dbd.csv baris 7 sama persis dengan baris 3" in row and SECRET not in page
