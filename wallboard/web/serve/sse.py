"""The wall's transport: the hub's messages framed as Server-Sent Events.

The live layer hands over ``Message``s (a name and its JSON text, serialised once per screen); here
they become the text an ``EventSource`` reads, one ``event:`` line and one ``data:`` line each (the
JSON holds no raw newline, so one line always suffices). The streams frame a message once per
screen and copy the same bytes to every wall of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wallboard.live.messages import Message, message

RETRY = "retry: 2000\n"  # the browser's reconnect delay in ms, sent at the head of every stream


def frame(msg: Message) -> str:
    """One Server-Sent Event."""
    return f"event: {msg.name}\ndata: {msg.data}\n\n"


def event(name: str, payload: Any) -> str:
    """One Server-Sent Event from a payload not yet serialised (a message for one wall alone)."""
    return frame(message(name, payload))


def greeting(messages: Iterable[Message]) -> str:
    """The head of a wall's stream: the reconnect delay, then the hub's greeting messages."""
    return RETRY + "".join(frame(m) for m in messages)
