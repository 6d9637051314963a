"""The hub's messages as the wall reads them: Server-Sent Events framed by web, byte for byte."""

from __future__ import annotations

from wallboard.live.messages import Message, message
from wallboard.web.serve import sse


def test_a_message_is_one_event_line_and_one_compact_data_line() -> None:
    props = {"kpi--nilai": {"children": "1.234"}, "judul": "Kecamatan Pusat \u2013 \u00e9"}
    msg = message("delta", {"v": 7, "p": props})
    assert msg == Message("delta", '{"v":7,"p":{"kpi--nilai":{"children":"1.234"},'
                                   '"judul":"Kecamatan Pusat \u2013 \u00e9"}}')
    assert sse.frame(msg) == ('event: delta\ndata: {"v":7,"p":{"kpi--nilai":{"children":"1.234"},'
                              '"judul":"Kecamatan Pusat \u2013 \u00e9"}}\n\n')
    assert msg.payload()["p"]["kpi--nilai"] == {"children": "1.234"}


def test_newlines_in_data_stay_escaped_so_one_data_line_suffices() -> None:
    text = sse.event("hello", {"note": "baris 1\nbaris 2"})
    assert text == 'event: hello\ndata: {"note":"baris 1\\nbaris 2"}\n\n'
    assert text.count("\n") == 3


def test_a_greeting_starts_with_the_reconnect_delay() -> None:
    text = sse.greeting([message("hello", {"version": "1"}), message("delta", {"v": 0, "p": {}, "full": True})])
    assert text == ('retry: 2000\nevent: hello\ndata: {"version":"1"}\n\n'
                    'event: delta\ndata: {"v":0,"p":{},"full":true}\n\n')
