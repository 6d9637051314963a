"""Real processes: two kab/kota walls (33.08, 33.71) on csv files, a push-mode kabupaten (33.23),
and a province wall (33) reading the first two with ``type: wallboard`` sources.

One set of servers for the module (they are started once, the tests run in order on them):
a reading written in 33.08 appears in the province; a token scoped to one indicator reads no other
(403) and writes no other region's codes; 33.71 stopped turns its areas stale while 33.08 keeps
updating, never zero; 33.71 restarted delivers what it collected meanwhile, none twice; the
push-mode kabupaten's outbox reaches the province once the province is back.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import WallServer, reserve_port
from tests.sources.util import settle

TOKENS = {"PROV_TOKEN": "prov-jateng-baca-0001", "PUSH_TOKEN": "kab-3323-kirim-0002", "WATCH_TOKEN": "pantau-prov-0003"}
# Monthly figures: stale by their age only after three months, so a region that turns stale on the
# province within seconds does so because its peer stopped answering (3 x the source's every: 2s).
INDICATORS = """indicators:
  - {id: kasus_dbd, label: Kasus DBD, unit: kasus}
  - {id: tinggi_air, label: Tinggi air, unit: cm}
"""
SCREENS = """screens:
  - id: utama
    grid: {columns: 2, rows: 1}
    panels:
      - {id: dbd, type: kpi, indicator: kasus_dbd, at: [0, 0]}
      - {id: per_kab, type: bar, indicator: kasus_dbd, at: [1, 0]}
"""


def kab_config(region: str, extra: str = "") -> str:
    return f"""site: {{name: Wilayah {region}, region: "{region}", timezone: Asia/Jakarta}}
database: {{url: "sqlite:///wb.db"}}
sources:
  - id: dbd
    type: csv
    path: dbd.csv
    every: 1s
    settle: 1s
    columns: {{time: waktu, region: kode, value: jumlah}}
    indicator: kasus_dbd
{INDICATORS}{SCREENS}api_tokens:
  - {{name: provinsi-jateng, token: "${{PROV_TOKEN}}", indicators: [kasus_dbd]}}
{extra}"""


def province_config() -> str:
    peers = "".join(f"""  - id: kab_{code.replace('.', '')}
    type: wallboard
    url: "${{URL_{code.replace('.', '')}}}"
    token: "${{PROV_TOKEN}}"
    indicators: [kasus_dbd]
    region: "{code}"
    every: 2s
    timeout: 3s
""" for code in ("33.08", "33.71"))
    return f"""site: {{name: Provinsi Jawa Tengah, region: "33", timezone: Asia/Jakarta}}
database: {{url: "sqlite:///wb.db"}}
sources:
{peers}{INDICATORS}{SCREENS}api_tokens:
  - {{name: kab-3323, token: "${{PUSH_TOKEN}}", indicators: [kasus_dbd], region: "33.23"}}
  - {{name: pemantau, token: "${{WATCH_TOKEN}}", indicators: all}}
"""


THIS_MONTH = datetime.now(UTC).strftime("%Y-%m")
LAST_MONTH = (datetime.now(UTC).replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


class Csv:
    """A kab/kota's monthly export: rows appended, made to look finished at once."""

    def __init__(self, path: Path, region: str):
        self.path, self.region = path, region
        path.write_text("waktu,kode,jumlah\n", encoding="utf-8")

    def add(self, kecamatan: str, value: float, month: str = THIS_MONTH) -> None:
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(f"{month},{self.region}.{kecamatan},{value}\n")
        settle(self.path, 5)


@pytest.fixture(scope="module")
def walls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    ports = {name: reserve_port() for name in ("3308", "3371", "3323", "prov")}
    port = {name: s.getsockname()[1] for name, s in ports.items()}
    env = {**os.environ, **TOKENS, "URL_3308": f"http://127.0.0.1:{port['3308']}",
           "URL_3371": f"http://127.0.0.1:{port['3371']}"}
    root = tmp_path_factory.mktemp("federasi")
    push = f"""federation:
  push: [{{url: "http://127.0.0.1:{port['prov']}", token: "${{PUSH_TOKEN}}"}}]
  every: 1s
  retry_after: 1s
"""
    configs = {"3308": kab_config("33.08"), "3371": kab_config("33.71"), "3323": kab_config("33.23", push),
               "prov": province_config()}
    servers, csvs = {}, {}
    for name, text in configs.items():
        where = root / name
        where.mkdir()
        (where / "config.yaml").write_text(text, encoding="utf-8")
        if name != "prov":
            csvs[name] = Csv(where / "dbd.csv", f"33.{name[2:]}")
            csvs[name].add("01", 3)
        servers[name] = WallServer(where / "config.yaml", port[name], env=env)
    try:
        with ThreadPoolExecutor(len(servers)) as pool:  # started side by side: each waits on its own imports
            list(pool.map(lambda server: server.start(120), servers.values()))
        yield {"servers": servers, "csv": csvs, "root": root}
    finally:
        for server in servers.values():
            server.stop()
        for s in ports.values():
            s.close()


def until(check: Callable[[], Any], what: str, timeout: float = 30, log: Callable[[], str] | None = None) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = check()
        except httpx.HTTPError:
            found = None
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout:.0f} s: {what}\n" + (log() if log else ""))


def api(server: WallServer, path: str, token: str) -> Any:
    return httpx.get(server.url + path, headers={"Authorization": f"Bearer {token}"}, timeout=5)


def province_regions(walls: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The province's own view of kasus_dbd per region (its /api/v1, read with a watcher's token)."""
    body = api(walls["servers"]["prov"], "/api/v1/indicators", TOKENS["WATCH_TOKEN"]).json()
    dbd = next(i for i in body["indicators"] if i["id"] == "kasus_dbd")
    return {r["region"]: r for r in dbd["regions"]}


def all_readings(server: WallServer, token: str) -> list[tuple[str, int, float]]:
    out, cursor = [], None
    while True:
        query = "?limit=500" + (f"&since={cursor}" if cursor else "")
        body = api(server, f"/api/v1/indicators/kasus_dbd/readings{query}", token).json()
        out += [(r["region"], r["ts"], r["value"]) for r in body["readings"]]
        cursor = body["cursor"]
        if not body["more"]:
            return out


def stored_rows(walls: dict[str, Any], source: str) -> int:
    """Readings the province's runs of one source wrote, summed over its runs (a repeat would count twice)."""
    with sqlite3.connect(walls["root"] / "prov" / "wb.db") as db:
        return int(db.execute("SELECT COALESCE(SUM(rows), 0) FROM collector_runs WHERE source = ?",
                              (source,)).fetchone()[0])


def test_a_reading_written_in_3308_appears_on_the_province(walls: dict[str, Any]) -> None:
    walls["csv"]["3308"].add("02", 17)
    prov = walls["servers"]["prov"]
    found = until(lambda: province_regions(walls).get("33.08.02"), "33.08.02 on the province", log=prov.log)
    assert found["value"] == 17.0 and found["state"] == "ok"
    # 33.71's reading too (its first run may have come before its server answered, under load: the
    # next run in the source's phase brings it)
    until(lambda: "33.71.01" in province_regions(walls), "33.71.01 on the province", log=prov.log)


def test_a_scoped_token_reads_no_other_indicator_and_writes_no_other_region(walls: dict[str, Any]) -> None:
    kab, prov = walls["servers"]["3308"], walls["servers"]["prov"]
    assert api(kab, "/api/v1/indicators/kasus_dbd/readings", TOKENS["PROV_TOKEN"]).status_code == 200
    assert api(kab, "/api/v1/indicators/tinggi_air/readings", TOKENS["PROV_TOKEN"]).status_code == 403
    assert api(kab, "/api/v1/indicators", "salah-sama-sekali-000").status_code == 401
    forged = httpx.post(prov.url + "/api/v1/readings", timeout=5,
                        headers={"Authorization": f"Bearer {TOKENS['PUSH_TOKEN']}"},
                        json={"indicator": "kasus_dbd", "readings": [{"region": "33.08.03", "ts": 1_800_000_000,
                                                                     "value": 999}]})
    assert forged.status_code == 403
    assert "33.08.03" not in province_regions(walls)


def test_3371_stopped_turns_stale_while_3308_keeps_updating(walls: dict[str, Any]) -> None:
    assert province_regions(walls)["33.71.01"]["state"] == "ok"
    walls["servers"]["3371"].stop()
    walls["csv"]["3308"].add("04", 5)

    def judged() -> bool:
        regions = province_regions(walls)
        fresh = regions.get("33.08.04")
        return regions["33.71.01"]["state"] == "stale" and fresh is not None and fresh["state"] == "ok"

    until(judged, "33.71 stale and 33.08.04 fresh", timeout=20, log=walls["servers"]["prov"].log)
    assert province_regions(walls)["33.71.01"]["value"] == 3.0  # the last figure kept, never zero
    # The province's own wall says so too: its bar of kab/kota marks Kota Semarang stale ("1 wilayah usang").
    seen, deadline = "", time.monotonic() + 20  # heartbeats keep a stream open: bounded by a deadline
    with httpx.stream("GET", walls["servers"]["prov"].url + "/api/stream/utama", timeout=20) as stream:
        for line in stream.iter_lines():
            if "wilayah usang" in line or time.monotonic() > deadline:
                seen = line
                break
    assert "1 wilayah usang" in seen and "◌" in seen


def test_3371_restarted_delivers_what_it_collected_meanwhile_none_twice(walls: dict[str, Any]) -> None:
    csv = walls["csv"]["3371"]
    csv.add("02", 10)
    csv.add("03", 11)
    csv.add("01", 12, LAST_MONTH)  # Kota Magelang has three kecamatan; a late report for last month
    kota = walls["servers"]["3371"].start(60)
    prov = walls["servers"]["prov"]
    until(lambda: len(all_readings(kota, TOKENS["PROV_TOKEN"])) == 4, "33.71 collected its rows", log=kota.log)

    def arrived() -> bool:
        return {r for r in all_readings(prov, TOKENS["WATCH_TOKEN"]) if r[0].startswith("33.71.")} == set(
            all_readings(kota, TOKENS["PROV_TOKEN"]))

    until(arrived, "33.71's readings on the province", log=prov.log)
    assert stored_rows(walls, "kab_3371") == 4  # each reading transferred and written once
    now = province_regions(walls)
    assert now["33.71.01"]["value"] == 3.0 and now["33.71.02"]["value"] == 10.0  # this month's figures
    assert {now[r]["state"] for r in ("33.71.01", "33.71.02", "33.71.03")} == {"ok"}  # the peer answers again


def test_a_push_kabupatens_outbox_arrives_when_the_province_returns(walls: dict[str, Any]) -> None:
    prov = walls["servers"]["prov"]
    until(lambda: "33.23.01" in province_regions(walls), "33.23's first push", log=walls["servers"]["3323"].log)
    prov.stop()
    walls["csv"]["3323"].add("02", 8)
    walls["csv"]["3323"].add("03", 9)
    db = walls["root"] / "3323" / "wb.db"

    def failing() -> bool:
        with sqlite3.connect(db) as conn:
            return bool(conn.execute("SELECT MAX(attempts) FROM federation_push").fetchone()[0])

    until(failing, "a failed push recorded in the outbox", log=walls["servers"]["3323"].log)
    prov.start(60)
    until(lambda: {"33.23.02", "33.23.03"} <= set(province_regions(walls)), "the outbox delivered",
          log=walls["servers"]["3323"].log)
    pushed = [r for r in all_readings(prov, TOKENS["WATCH_TOKEN"]) if r[0].startswith("33.23.")]
    assert len(pushed) == 3 == len({(r[0], r[1]) for r in pushed})
    with sqlite3.connect(walls["root"] / "prov" / "wb.db") as conn:
        rows = conn.execute("SELECT COALESCE(SUM(rows), 0) FROM collector_runs WHERE source = 'push-kab-3323'")
        assert rows.fetchone()[0] == 3  # nothing sent twice
