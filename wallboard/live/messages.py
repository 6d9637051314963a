"""What the hub tells the walls: a message's kind and its data, serialised to JSON once per screen.

The hub makes one ``Message`` per screen and change, whatever the number of walls; how it travels
(Server-Sent Events, compression, heartbeats) is ``wallboard.web.serve.sse``'s and the streams' job,
so this layer knows nothing of the transport.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Message:
    """One message for a screen's walls: ``name`` (hello, delta) and ``data``, its JSON text.

    The data is serialised here, once, so the streams frame and compress the same text for every
    wall of the screen rather than serialising it per wall.
    """

    name: str
    data: str

    def payload(self) -> Any:
        """The data as Python values again (tests, and anything that reads rather than sends)."""
        return json.loads(self.data)


def message(name: str, payload: Any) -> Message:
    """A message with its payload as compact JSON (non-ASCII kept: Indonesian text stays readable)."""
    return Message(name, json.dumps(payload, separators=(",", ":"), ensure_ascii=False))
