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


def source(url: str, extra: str = "") -> str:
    return f"""
  - id: kab_3308
    type: wallboard
    url: "{url}"
    token: "${{WB_TEST_PEER}}"
    indicators: [kasus_dbd]
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
