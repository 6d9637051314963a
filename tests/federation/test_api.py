"""``/api/v1`` in-process: tokens scoped to indicators, cursors with no gap and no repeat, pushes
write-scoped to the sender's region, every use audited and counted, the token never shown."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.walls import DemoWall
from wallboard.config import ConfigError, parse_config
from wallboard.records import Batch, Reading
from wallboard.runtime import Runtime
from wallboard.store import audit
from wallboard.web.app import create_app

TOKENS = {"WB_PROV": "provinsi-rahasia-1234", "WB_DBD": "hanya-dbd-rahasia-5678", "WB_KAB": "kab-push-rahasia-9012"}
WALL = DemoWall(
    region="33.08",
    fed="[latar]",
    indicators=("  - {id: latar, label: Latar}\n"
                "  - {id: kasus_dbd, label: Kasus DBD, unit: kasus, thresholds: {warning: 10, critical: 20}}\n"
                "  - {id: tinggi_air, label: Tinggi air, unit: cm}"),
)
API_TOKENS = """
api_tokens:
  - {name: provinsi-jateng, token: "${WB_PROV}", indicators: all}
  - {name: hanya-dbd, token: "${WB_DBD}", indicators: [kasus_dbd]}
  - {name: kab-3308, token: "${WB_KAB}", indicators: [kasus_dbd], region: "33.08"}
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    mp = pytest.MonkeyPatch()
    for name, value in TOKENS.items():
        mp.setenv(name, value)
    tmp = tmp_path_factory.mktemp("api")
    path = tmp / "config.yaml"
    panels = "      - {id: a, type: kpi, indicator: latar, at: [0, 0]}"
    path.write_text(WALL.format(db=f"sqlite:///{tmp / 'w.db'}", panels=panels) + API_TOKENS, encoding="utf-8")
    runtime = Runtime.from_path(path, collect=False)
    runtime.store.write("uji", Batch(readings=[
        Reading("kasus_dbd", region, 1_700_000_000 + day * 86400, float(day + i), None)
        for day in range(5) for i, region in enumerate(("33.08.01", "33.08.02", "33.08.03"))
    ] + [Reading("tinggi_air", "33.08", 1_700_000_000, 120.0)]))
    app = create_app(runtime)
    yield runtime, app.server.test_client()
    runtime.store.close()
    mp.undo()


def get(client: Any, url: str, token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(url, headers=headers)


def test_indicators_lists_what_the_token_reads_with_latest_per_region(site: Any) -> None:
    _, client = site
    answer = get(client, "/api/v1/indicators", TOKENS["WB_DBD"])
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["site"]["region"] == "33.08"
    assert [i["id"] for i in body["indicators"]] == ["kasus_dbd"]
    dbd = body["indicators"][0]
    assert dbd["unit"] == "kasus" and dbd["thresholds"] == {"warning": 10, "critical": 20}
    regions = [(r["region"], r["value"]) for r in dbd["regions"]]
    assert regions == [("33.08.01", 4.0), ("33.08.02", 5.0), ("33.08.03", 6.0)]
    assert {r["state"] for r in dbd["regions"]} == {"stale"}  # 2023's figures are old news
    every = get(client, "/api/v1/indicators", TOKENS["WB_PROV"]).get_json()
    assert {i["id"] for i in every["indicators"]} == {"latar", "kasus_dbd", "tinggi_air"}


def test_no_token_or_a_wrong_one_is_401_and_another_indicator_403(site: Any) -> None:
    _, client = site
    assert get(client, "/api/v1/indicators", None).status_code == 401
    assert get(client, "/api/v1/indicators", "tebak-tebakan-salah").status_code == 401
    assert get(client, "/api/v1/indicators/tinggi_air/readings", TOKENS["WB_DBD"]).status_code == 403
    assert get(client, "/api/v1/indicators/tidak_ada/readings", TOKENS["WB_DBD"]).status_code == 403


def test_pages_by_cursor_have_no_gap_and_no_repeat(site: Any) -> None:
    _, client = site
    seen, cursor, pages = [], None, 0
    while True:
        url = "/api/v1/indicators/kasus_dbd/readings?limit=4" + (f"&since={cursor}" if cursor else "")
        body = get(client, url, TOKENS["WB_DBD"]).get_json()
        seen += [(r["region"], r["ts"]) for r in body["readings"]]
        cursor, pages = body["cursor"], pages + 1
        if not body["more"]:
            break
    assert pages == 5 and len(seen) == 15 == len(set(seen))  # 4 pages of what is stored, then the log: empty
    assert seen == sorted(seen, key=lambda x: (x[1], x[0]))
    again = get(client, f"/api/v1/indicators/kasus_dbd/readings?since={cursor}", TOKENS["WB_DBD"]).get_json()
    assert again["readings"] == [] and again["cursor"] == cursor


def test_a_late_figure_and_a_correction_reach_a_peer_past_its_cursor_once(site: Any) -> None:
    runtime, client = site

    def read(since: str | None) -> dict:
        url = "/api/v1/indicators/kasus_dbd/readings" + (f"?since={since}" if since else "")
        return get(client, url, TOKENS["WB_DBD"]).get_json()

    cursor = None
    while True:  # caught up
        body = read(cursor)
        cursor = body["cursor"]
        if not body["more"]:
            break
    runtime.store.write("uji", Batch(readings=[Reading("kasus_dbd", "33.08.01", 1_690_000_000, 7.0, "P1M")]))
    runtime.store.write("uji", Batch(readings=[Reading("kasus_dbd", "33.08.02", 1_700_000_000, 40.0)]))
    runtime.store.write("uji", Batch(readings=[Reading("kasus_dbd", "33.08.02", 1_700_000_000, 41.0)]))
    body = read(cursor)
    assert [(r["region"], r["ts"], r["value"], r["period"]) for r in body["readings"]] == [
        ("33.08.01", 1_690_000_000, 7.0, "P1M"), ("33.08.02", 1_700_000_000, 41.0, None)]
    assert read(body["cursor"])["readings"] == []


def test_a_cursor_the_wall_no_longer_knows_is_410_and_garbage_400(site: Any) -> None:
    _, client = site
    from wallboard.store.federation import Cursor

    for gone in (Cursor("r", 0, 1_600_000_000, "33.08.01", ""), Cursor("c", 10**9, 0, "~", "")):
        answer = get(client, f"/api/v1/indicators/kasus_dbd/readings?since={gone.encode()}", TOKENS["WB_DBD"])
        assert answer.status_code == 410 and answer.get_json()["error"] == "cursor_unknown"
    assert get(client, "/api/v1/indicators/kasus_dbd/readings?since=%%%", TOKENS["WB_DBD"]).status_code == 400


def push(client: Any, token: str, body: Any) -> Any:
    return client.post("/api/v1/readings", json=body, headers={"Authorization": f"Bearer {token}"})


def test_a_push_writes_its_own_region_only(site: Any) -> None:
    runtime, client = site
    ok = push(client, TOKENS["WB_KAB"], {"indicator": "kasus_dbd", "readings": [
        {"region": "33.08.04", "ts": 1_800_000_000, "value": 3, "period": None}]})
    assert ok.status_code == 200 and ok.get_json() == {"stored": 1}
    before = runtime.store.count_readings()
    other = push(client, TOKENS["WB_KAB"], {"indicator": "kasus_dbd", "readings": [
        {"region": "33.08.05", "ts": 1_800_000_000, "value": 3},
        {"region": "33.71.01", "ts": 1_800_000_000, "value": 3}]})
    assert other.status_code == 403 and "33.71.01" in other.get_json()["message"]
    assert push(client, TOKENS["WB_KAB"], {"indicator": "tinggi_air", "readings": []}).status_code == 403
    assert push(client, TOKENS["WB_DBD"], {"indicator": "kasus_dbd", "readings": []}).status_code == 403  # read-only
    garbage = push(client, TOKENS["WB_KAB"], {"indicator": "kasus_dbd", "readings": [
        {"region": "33.08.05", "ts": 1_800_000_000, "value": 1}, {"region": "33.08.06", "ts": "kemarin", "value": 1}]})
    assert garbage.status_code == 422
    assert runtime.store.count_readings() == before  # nothing of a refused push is stored


def test_every_use_is_audited_and_counted_and_the_token_never_shown(site: Any) -> None:
    runtime, client = site
    get(client, "/api/v1/indicators", TOKENS["WB_PROV"])
    entries = audit.entries(runtime.store, 500)
    assert any(e.actor == "provinsi-jateng" and e.action == "api.read" for e in entries)
    assert any(e.action == "api.refused" for e in entries)
    text = client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_data(as_text=True)
    assert 'wallboard_api_requests_total{endpoint="indicators",outcome="read",token="provinsi-jateng"}' in text
    everything = text + " ".join(e.detail for e in entries)
    assert not any(secret in everything for secret in TOKENS.values())


def test_a_token_naming_an_unknown_indicator_is_a_config_error(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WB_PROV", TOKENS["WB_PROV"])
    panels = "      - {id: a, type: kpi, indicator: latar, at: [0, 0]}"
    text = WALL.format(db=f"sqlite:///{tmp_path / 'w.db'}", panels=panels)
    broken = text + '\napi_tokens:\n  - {name: prov, token: "${WB_PROV}", indicators: [kasus_dbdd]}\n'
    with pytest.raises(ConfigError) as raised:
        parse_config(broken, base=tmp_path)
    assert any("'kasus_dbdd' is not defined" in str(p) and "api_tokens" in str(p) for p in raised.value.problems)


def test_incidents_are_the_incidents_model_with_regions_and_who_acknowledged(site: Any) -> None:
    from wallboard.alerts import incidents  # noqa: PLC0415 - only this test acknowledges

    runtime, client = site
    late = int(time.time()) - 60  # fresh: a stale figure opens no alert
    runtime.store.write("uji", Batch(readings=[Reading("kasus_dbd", "33.08.01", late, 25.0),
                                               Reading("kasus_dbd", "33.08.02", late, 12.0)]))
    start = datetime.now(UTC)
    runtime.alerts.evaluate(start)
    runtime.alerts.evaluate(start + timedelta(minutes=2))  # past alerts' min_duration
    [opened] = incidents.open_incidents(runtime.store.engine)
    incidents.acknowledge(runtime.store.engine, opened.id, "dr. Sari", "tim PSN dikirim")
    body = get(client, "/api/v1/incidents", TOKENS["WB_DBD"]).get_json()
    [incident] = body["incidents"]
    assert incident["id"] == opened.id and incident["indicator"] == "kasus_dbd"
    assert incident["state"] == "critical" and incident["acknowledged_by"] == "dr. Sari"
    [region] = incident["regions"]  # alerts judge the kabupaten's total here (no per-region alerts)
    assert region["region"] == "33.08" and region["peak"] >= 25.0 and region["since"] and region["state"]
    assert region["acknowledged_by"] == "dr. Sari" and region["acknowledged_at"]
    other = get(client, "/api/v1/incidents", TOKENS["WB_PROV"]).get_json()["incidents"]
    assert [n["id"] for n in other] == [opened.id]


# --- GET /api/v1/readings: every indicator a token reads, one request, one cursor ---------------------------

def stream(client: Any, token: str, query: str = "") -> Any:
    return get(client, f"/api/v1/readings{'?' + query if query else ''}", token)


def drain(client: Any, token: str, query: str = "", since: str | None = None) -> tuple[list[tuple], str]:
    """Every page of the combined stream from ``since`` on: (indicator, region, ts, value) each, and
    the last cursor."""
    seen: list[tuple] = []
    while True:
        answer = stream(client, token, "&".join(filter(None, [query, f"since={since}" if since else ""])))
        assert answer.status_code == 200, answer.get_json()
        body = answer.get_json()
        seen += [(r["indicator"], r["region"], r["ts"], r["value"]) for r in body["readings"]]
        since = body["cursor"]
        if not body["more"]:
            return seen, since


def test_the_combined_stream_holds_only_what_the_token_reads(site: Any) -> None:
    _, client = site
    seen, _ = drain(client, TOKENS["WB_DBD"], "limit=4")
    assert seen and {s[0] for s in seen} == {"kasus_dbd"}
    assert stream(client, TOKENS["WB_DBD"], "indicators=tinggi_air").status_code == 403
    assert stream(client, TOKENS["WB_DBD"], "indicators=kasus_dbd,tinggi_air").status_code == 403
    assert stream(client, TOKENS["WB_DBD"], "indicators=tidak_ada").status_code == 403
    every, cursor = drain(client, TOKENS["WB_PROV"], "limit=3")
    assert {s[0] for s in every} == {"kasus_dbd", "tinggi_air"}  # latar has no reading stored
    assert [p.split(":")[0] for p in cursor.split(",")] == ["latar", "kasus_dbd", "tinggi_air"]
    assert len(every) == len(set(every))  # across the pages, nothing twice
    chosen, _ = drain(client, TOKENS["WB_PROV"], "indicators=tinggi_air")
    assert {s[0] for s in chosen} == {"tinggi_air"}


def test_a_cursor_naming_an_indicator_the_token_does_not_read_is_403(site: Any) -> None:
    _, client = site
    _, cursor = drain(client, TOKENS["WB_PROV"])  # pairs for latar, kasus_dbd, tinggi_air
    assert stream(client, TOKENS["WB_DBD"], f"since={cursor}").status_code == 403
    assert stream(client, TOKENS["WB_DBD"], "since=%%%").status_code == 400
    assert stream(client, TOKENS["WB_DBD"], "since=kasus_dbd:%%%").status_code == 400


def test_per_indicator_cursors_joined_carry_on_in_the_combined_stream(site: Any) -> None:
    """A peer moving from /api/v1/indicators/<id>/readings joins its cursors: the combined stream
    starts exactly after them, and a new write comes once."""
    runtime, client = site
    held = {}
    for indicator in ("kasus_dbd", "tinggi_air"):
        cursor = None
        while True:
            url = f"/api/v1/indicators/{indicator}/readings" + (f"?since={cursor}" if cursor else "")
            body = get(client, url, TOKENS["WB_PROV"]).get_json()
            cursor = body["cursor"]
            if not body["more"]:
                break
        held[indicator] = cursor
    joined = ",".join(f"{k}:{v}" for k, v in held.items())
    runtime.store.write("uji", Batch(readings=[Reading("kasus_dbd", "33.08.03", 1_800_000_100, 3.0),
                                               Reading("tinggi_air", "33.08", 1_800_000_100, 130.0)]))
    seen, cursor = drain(client, TOKENS["WB_PROV"], "indicators=kasus_dbd,tinggi_air&limit=1", joined)
    assert sorted(seen) == [("kasus_dbd", "33.08.03", 1_800_000_100, 3.0),
                            ("tinggi_air", "33.08", 1_800_000_100, 130.0)]
    assert drain(client, TOKENS["WB_PROV"], "indicators=kasus_dbd,tinggi_air", cursor)[0] == []


def test_a_combined_cursor_the_wall_no_longer_knows_is_410_naming_the_indicator(site: Any) -> None:
    _, client = site
    from wallboard.store.federation import Cursor

    _, cursor = drain(client, TOKENS["WB_PROV"], "indicators=kasus_dbd,tinggi_air")
    pairs = dict(p.split(":", 1) for p in cursor.split(","))
    pairs["tinggi_air"] = Cursor("c", 10**9, 0, "~", "").encode()
    answer = stream(client, TOKENS["WB_PROV"], "since=" + ",".join(f"{k}:{v}" for k, v in pairs.items()))
    assert answer.status_code == 410
    assert answer.get_json()["error"] == "cursor_unknown" and answer.get_json()["indicators"] == ["tinggi_air"]
