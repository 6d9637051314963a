"""The text a wall reads: one Server-Sent Event per message (``event: name`` and one ``data:`` line).

The hub publishes its messages already framed, so the streams copy the same bytes to every wall of
a screen (and compress them once); the streams in ``wallboard.web.serve`` add only heartbeats.
"""

from __future__ import annotations

import json
from typing import Any


def event(name: str, data: Any) -> str:
    """One Server-Sent Event."""
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'), ensure_ascii=False)}\n\n"
