"""``type: wallboard`` against a stand-in peer: cursors stored with the data (a restart carries on),
and bad input (a wrong token, garbage, a huge page, codes outside the peer's region) fails the run
with the reason and stores nothing; a cursor the peer forgot starts again from its oldest reading."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.api_server import ApiServer, api_server
from tests.sources.site import site_collector, stored

PATH = "/api/v1/indicators/kasus_dbd/readings"
MONTH = 1796058000


def source(url: str, extra: str = "", indicators: str = "[kasus_dbd]") -> str:
    return f"""
  - id: kab_3308
    type: wallboard
    url: "{url}"
    token: "${{WB_TEST_PEER}}"
    indicators: {indicators}
    region: "33.08"
    page: 2
    every: 1h{extra}
"""


def item(region: str, value: float, ts: int = MONTH) -> dict[str, Any]:
    return {"region": region, "ts": ts, "value": value, "period": "P1M"}


def pages(*contents: list[dict[str, Any]]) -> Any:
    """A peer whose readings come in the given pages: cursor ``pN`` after page N."""
    def answer(query: dict[str, str]) -> tuple[int, Any]:
        n = int(query.get("since", "p0")[1:])
        if n >= len(contents):
            return 200, {"region": "33.08", "readings": [], "cursor": query.get("since"), "more": False}
        return 200, {"region": "33.08", "readings": contents[n], "cursor": f"p{n + 1}", "more": n + 1 < len(contents)}
    return answer


@pytest.fixture
def peer(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("WB_TEST_PEER", "rahasia-peer-1234")
    with api_server() as server:
        yield server


def collector(tmp_path: Path, peer: ApiServer, extra: str = "") -> tuple[Any, Any]:
    made, store, _ = site_collector(f"sqlite:///{tmp_path / 'prov.db'}", "33", source(peer.url, extra), tmp_path)
    return made, store


def test_pages_are_stored_with_their_cursor_and_a_restart_carries_on(tmp_path: Path, peer: ApiServer) -> None:
    peer.handlers[PATH] = pages([item("33.08.01", 4), item("33.08.02", 5)], [item("33.08.03", 6)])
    first, store = collector(tmp_path, peer)
    run = first.run("kab_3308")
    assert run.ok and run.rows == 3
    assert stored(store, "kasus_dbd") == {(f"33.08.0{n}", MONTH): (float(n + 3), "P1M") for n in (1, 2, 3)}
    peer.requests.clear()
    again, _ = collector(tmp_path, peer)  # a new process on the same database
    assert again.run("kab_3308").ok
    assert [r for r in peer.requests if r.startswith(PATH)] == [f"{PATH}?limit=2&since=p2"]


@pytest.mark.parametrize(("answer", "says"), [
    ((401, {"error": "unauthorized"}), "token ditolak"),
    ((200, b"<html>maintenance</html>"), "bukan JSON"),
    ((200, {"region": "33.08", "readings": [item("33.08.01", 1), item("33.71.01", 2)], "cursor": "x", "more": False}),
     "di luar wilayah 33.08"),
    ((200, {"region": "33.71", "readings": [], "cursor": "x", "more": False}), "bukan 33.08"),
    ((200, {"region": "33.08", "readings": [item("33.08.01", "banyak")], "cursor": "x", "more": False}),
     "bukan angka"),
    ((200, {"region": "33.08", "readings": [item("33.08.01", 1)] * 60_000, "cursor": "x", "more": False}),
     "terlalu besar"),
])
def test_bad_answers_fail_the_run_and_store_nothing(tmp_path: Path, peer: ApiServer, answer: Any, says: str) -> None:
    good = pages([item("33.08.01", 4), item("33.08.02", 5)])
    peer.handlers[PATH] = lambda query: answer if "since" in query else good(query)
    made, store = collector(tmp_path, peer, "\n    max_bytes: 2000000")
    assert made.run("kab_3308").ok  # the first page, then the peer turns bad
    before = stored(store, "kasus_dbd")
    run = made.run("kab_3308")
    assert not run.ok and says in run.error, run.error
    assert "\n" not in run.error and "rahasia" not in run.error
    assert stored(store, "kasus_dbd") == before


def test_a_cursor_the_peer_forgot_starts_again_from_the_oldest_and_says_so(tmp_path: Path, peer: ApiServer) -> None:
    peer.handlers[PATH] = pages([item("33.08.01", 4)])
    made, store = collector(tmp_path, peer)
    assert made.run("kab_3308").ok
    fresh = pages([item("33.08.01", 4), item("33.08.02", 7)])
    forgot = (410, {"error": "cursor_unknown"})
    peer.handlers[PATH] = lambda query: forgot if query.get("since") == "p1" else fresh(query)
    run = made.run("kab_3308")
    assert run.ok and "mulai lagi dari pembacaan tertua" in (run.notes or ""), run
    assert stored(store, "kasus_dbd")[("33.08.02", MONTH)] == (7.0, "P1M")


def test_a_key_handed_out_twice_in_one_run_is_stored_with_its_last_value(tmp_path: Path, peer: ApiServer) -> None:
    """Changed between two pages, a monthly figure comes twice: the newer value, not the two added."""
    peer.handlers[PATH] = pages([item("33.08.01", 4), item("33.08.02", 5)], [item("33.08.01", 6)])
    made, store = collector(tmp_path, peer)
    assert made.run("kab_3308").ok
    assert stored(store, "kasus_dbd")[("33.08.01", MONTH)] == (6.0, "P1M")


def test_first_pages_older_than_retention_move_the_cursor_on_with_a_note(tmp_path: Path, peer: ApiServer) -> None:
    from datetime import UTC, datetime  # noqa: PLC0415 - only this test needs a clock

    now = datetime(2026, 12, 2, tzinfo=UTC)
    old, new = int(now.timestamp()) - 500 * 86400, int(now.timestamp()) - 3600  # retention is 400 days
    item_old = [{"region": f"33.08.0{n}", "ts": old + n, "value": 1} for n in (1, 2)]
    peer.handlers[PATH] = pages(item_old, item_old, [{"region": "33.08.01", "ts": new, "value": 9}])
    made, store = collector(tmp_path, peer, "\n    max_pages: 2")
    first = made.run("kab_3308", now)  # two pages, both too old: nothing stored, yet the position moves
    assert first.ok and first.rows == 0 and "dilewati" in (first.notes or "")
    second = made.run("kab_3308", now)
    assert second.ok and stored(store, "kasus_dbd") == {("33.08.01", new): (9.0, None)}
    assert [r for r in peer.requests if r.startswith(PATH)][-1].endswith("since=p2")


def test_the_peers_open_incidents_are_stored_for_the_console(tmp_path: Path, peer: ApiServer) -> None:
    from wallboard.store.federation import peer_incidents  # noqa: PLC0415 - only this test reads them

    peer.handlers[PATH] = pages([item("33.08.01", 4)])
    region = {"region": "33.08.02", "state": "critical", "peak": 21.0, "since": "2026-12-02T08:10:00+00:00",
              "acknowledged_at": "2026-12-02T08:14:00+00:00", "acknowledged_by": "dr. Sari"}
    answer = {"api": "v1", "site": {"name": "Kab. Magelang", "region": "33.08"}, "incidents": [
        {"id": 12, "indicator": "kasus_dbd", "state": "critical", "opened": "2026-12-02T08:10:00+00:00",
         "acknowledged_by": "dr. Sari", "acknowledged_at": "2026-12-02T08:14:00+00:00", "note": "tim PSN",
         "regions": [region, {**region, "region": "33.71.01"}]},  # a code outside 33.08: dropped
        {"id": 13, "indicator": "tinggi_air", "state": "warning", "regions": []},  # not read by this source
    ]}
    peer.handlers["/api/v1/incidents"] = lambda query: (200, answer)
    made, store = collector(tmp_path, peer)
    assert made.run("kab_3308").ok
    [(fetched, found)] = peer_incidents(store.engine).values()
    assert [(n["id"], n["indicator"], n["acknowledged_by"]) for n in found] == [(12, "kasus_dbd", "dr. Sari")]
    assert found[0]["regions"] == [region]
    answer["incidents"] = []  # closed in the kabupaten: gone from the province's list at the next run
    assert made.run("kab_3308").ok
    assert peer_incidents(store.engine)["kab_3308"][1] == []


# --- the combined stream (GET /api/v1/readings), against a real kabupaten wall ------------------------------

KAB_INDICATORS = ("  - {id: latar, label: Latar}\n  - {id: kasus_dbd, label: Kasus DBD, unit: kasus}\n"
                  "  - {id: tinggi_air, label: Tinggi air, unit: cm}")
BOTH = "{kasus_dbd: kasus_dbd, tinggi_air: kejadian_bencana}"


class OlderWall:
    """A kabupaten's WSGI app that answers ``GET /api/v1/readings`` 404 while ``older`` (a wallboard
    from before the combined stream), and remembers every path asked."""

    def __init__(self, app: Any):
        self.app, self.older, self.paths = app, False, []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.paths.append(environ["PATH_INFO"])
        if self.older and environ["PATH_INFO"] == "/api/v1/readings" and environ["REQUEST_METHOD"] == "GET":
            start_response("404 NOT FOUND", [("Content-Type", "application/json")])
            return [b'{"error": "not found"}']
        return self.app(environ, start_response)

    def asked(self, part: str = "readings") -> list[str]:
        return [p for p in self.paths if part in p]


@pytest.fixture
def kabupaten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from tests.local_http import wsgi_server  # noqa: PLC0415
    from tests.walls import DemoWall  # noqa: PLC0415
    from wallboard.runtime import Runtime  # noqa: PLC0415
    from wallboard.web.app import create_app  # noqa: PLC0415

    monkeypatch.setenv("WB_TEST_PEER", "rahasia-peer-1234")
    folder = tmp_path / "kab"
    folder.mkdir()
    wall = DemoWall(region="33.08", fed="[latar]", indicators=KAB_INDICATORS)
    panels = "      - {id: a, type: kpi, indicator: latar, at: [0, 0]}"
    text = wall.format(db=f"sqlite:///{folder / 'kab.db'}", panels=panels)
    (folder / "config.yaml").write_text(
        text + '\napi_tokens:\n  - {name: prov, token: "${WB_TEST_PEER}", indicators: [kasus_dbd, tinggi_air]}\n',
        encoding="utf-8")
    runtime = Runtime.from_path(folder / "config.yaml", collect=False)
    wall_app = OlderWall(create_app(runtime).server)
    with wsgi_server(wall_app) as url:
        yield runtime, wall_app, url
    runtime.store.close()


def write(runtime: Any, *readings: tuple[str, str, int, float, str | None]) -> None:
    from wallboard.records import Batch, Reading  # noqa: PLC0415

    runtime.store.write("csv", Batch(readings=[Reading(*r) for r in readings]))


def test_stored_per_indicator_cursors_carry_on_in_the_combined_stream(tmp_path: Path, kabupaten: Any) -> None:
    """An older kabupaten (404) is read per indicator; upgraded, the province's first combined run
    starts from the cursors those runs stored: the new readings only, none missed, none twice."""
    runtime, wall, url = kabupaten
    hour = int(__import__("time").time()) // 3600 * 3600 - 3600
    write(runtime, *[("kasus_dbd", f"33.08.0{n}", MONTH, float(n), "P1M") for n in (1, 2, 3)],
          ("tinggi_air", "33.08", hour, 120.0, None))
    wall.older = True
    made, store, _ = site_collector(f"sqlite:///{tmp_path / 'prov.db'}", "33", source(url, indicators=BOTH), tmp_path)
    first = made.run("kab_3308")
    assert first.ok and first.rows == 4, first
    assert set(wall.asked()) == {"/api/v1/readings", "/api/v1/indicators/kasus_dbd/readings",
                                 "/api/v1/indicators/tinggi_air/readings"}
    write(runtime, ("kasus_dbd", "33.08.04", MONTH, 8.0, "P1M"), ("kasus_dbd", "33.08.01", MONTH, 40.0, "P1M"),
          ("tinggi_air", "33.08", hour + 600, 130.0, None))
    wall.older, wall.paths[:] = False, []
    again, _, _ = site_collector(f"sqlite:///{tmp_path / 'prov.db'}", "33", source(url, indicators=BOTH), tmp_path)
    run = again.run("kab_3308")  # the province restarted after the kabupaten's upgrade
    assert run.ok and run.rows == 3, run  # exactly the three written since: the old four not again
    assert set(wall.asked()) == {"/api/v1/readings"}  # two pages of two
    assert stored(store, "kasus_dbd") == {("33.08.01", MONTH): (40.0, "P1M"), ("33.08.02", MONTH): (2.0, "P1M"),
                                          ("33.08.03", MONTH): (3.0, "P1M"), ("33.08.04", MONTH): (8.0, "P1M")}
    assert stored(store, "kejadian_bencana") == {("33.08", hour): (120.0, None), ("33.08", hour + 600): (130.0, None)}
    wall.paths[:] = []
    quiet = again.run("kab_3308")
    assert quiet.ok and quiet.rows == 0 and wall.asked() == ["/api/v1/readings"]


def test_an_older_peer_is_read_per_indicator_and_not_probed_every_run(tmp_path: Path, kabupaten: Any) -> None:
    runtime, wall, url = kabupaten
    write(runtime, ("kasus_dbd", "33.08.01", MONTH, 4.0, "P1M"))
    wall.older = True
    made, store, _ = site_collector(f"sqlite:///{tmp_path / 'prov.db'}", "33", source(url, indicators=BOTH), tmp_path)
    assert made.run("kab_3308").ok
    assert stored(store, "kasus_dbd") == {("33.08.01", MONTH): (4.0, "P1M")}
    wall.paths[:] = []
    write(runtime, ("kasus_dbd", "33.08.02", MONTH, 5.0, "P1M"))
    run = made.run("kab_3308")
    assert run.ok and run.rows == 1
    assert "/api/v1/readings" not in wall.asked() and "/api/v1/indicators/kasus_dbd/readings" in wall.asked()
    assert wall.asked("incidents") == ["/api/v1/incidents"]  # an older peer: its incidents every run


def test_incidents_are_asked_only_when_the_combined_answer_says_they_moved(tmp_path: Path, peer: ApiServer) -> None:
    from wallboard.store.federation import peer_incidents  # noqa: PLC0415

    tag = ["eins"]
    peer.handlers["/api/v1/readings"] = lambda query: (200, {"region": "33.08", "readings": [], "cursor": "",
                                                             "more": False, "incidents": tag[0]})
    found = {"api": "v1", "site": {"region": "33.08"}, "incidents": []}
    peer.handlers["/api/v1/incidents"] = lambda query: (200, found)
    made, store = collector(tmp_path, peer)
    assert made.run("kab_3308").ok and made.run("kab_3308").ok
    assert [r for r in peer.requests if "incidents" in r] == ["/api/v1/incidents"]
    again, _ = collector(tmp_path, peer)  # restarted: the tag stored with the cursors, not asked again
    assert again.run("kab_3308").ok
    assert [r for r in peer.requests if "incidents" in r] == ["/api/v1/incidents"]
    tag[0] = "zwei"
    found["incidents"] = [{"id": 3, "indicator": "kasus_dbd", "state": "warning", "regions": []}]
    assert again.run("kab_3308").ok
    assert [r for r in peer.requests if "incidents" in r] == ["/api/v1/incidents"] * 2
    assert [n["id"] for n in peer_incidents(store.engine)["kab_3308"][1]] == [3]


def test_a_combined_cursor_the_peer_forgot_restarts_only_the_indicators_it_names(tmp_path: Path,
                                                                                   peer: ApiServer) -> None:
    def combined(query: dict[str, str]) -> tuple[int, Any]:
        since = query.get("since")
        if since is None:
            return 200, {"region": "33.08", "readings": [{"indicator": "kasus_dbd", **item("33.08.01", 4)},
                                                         {"indicator": "tinggi_air", **item("33.08", 120)}],
                         "cursor": "kasus_dbd:a1,tinggi_air:b1", "more": False, "incidents": "x"}
        if "kasus_dbd:a1" in since:
            return 410, {"error": "cursor_unknown", "indicators": ["kasus_dbd"]}
        return 200, {"region": "33.08", "readings": [{"indicator": "kasus_dbd", **item("33.08.02", 7)}],
                     "cursor": f"kasus_dbd:a2,{since}", "more": False, "incidents": "x"}

    peer.handlers["/api/v1/readings"] = combined
    peer.handlers["/api/v1/incidents"] = lambda query: (200, {"site": {"region": "33.08"}, "incidents": []})
    made, store, _ = site_collector(f"sqlite:///{tmp_path / 'prov.db'}", "33", source(peer.url, indicators=BOTH),
                                    tmp_path)
    assert made.run("kab_3308").ok
    run = made.run("kab_3308")
    assert run.ok and "kasus_dbd: cursor tidak dikenal" in (run.notes or ""), run
    asked = [r for r in peer.requests if r.startswith("/api/v1/readings")]
    assert asked[-1].endswith("since=tinggi_air%3Ab1")  # tinggi_air kept its place
    assert stored(store, "kasus_dbd")[("33.08.02", MONTH)] == (7.0, "P1M")
