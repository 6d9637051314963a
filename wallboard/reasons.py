"""Reasons people read: one short line, no traceback, no secret.

Shared by the collector (a source's failure) and the hub (a panel that failed to draw), which is why
it lives on its own rather than in either of them.
"""

from __future__ import annotations

from wallboard.secrets import mask_text


def one_line(exc: BaseException | str) -> str:
    """The reason shown on the wall and in `wallboard collect`: short, one line, no traceback, no secret."""
    text = mask_text(" ".join(str(exc).split())) or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."
