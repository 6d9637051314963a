"""Which uvicorn wallboard was tested with, and what it does on another.

``streams.py`` writes a wall's messages straight to the socket under uvicorn's httptools protocol
(the request cycle's ``transport`` and ``chunked_encoding``), and ``server.py`` replaces
``Server.main_loop`` and ``ServerState``'s headers. Those are uvicorn's internals, not its API: a
new minor may rename them. pyproject.toml pins uvicorn to the tested minor; should another version be
installed anyway (a distribution's package, a hand-made venv), wallboard says so once and uses only
uvicorn's public face: every message through ``send`` (the queue path) and uvicorn's own main loop.
Slower with thousands of walls, never wrong.
"""

from __future__ import annotations

import logging
from functools import cache
from importlib.metadata import PackageNotFoundError, version

log = logging.getLogger(__name__)

TESTED_UVICORN = ((0, 55),)  # (major, minor) ranges whose internals streams.py and server.py were tested with


def minor(text: str) -> tuple[int, int] | None:
    parts = text.split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        return None


def installed_uvicorn() -> str:
    try:
        return version("uvicorn")
    except PackageNotFoundError:
        return "?"


@cache
def uvicorn_internals() -> bool:
    """True on a tested uvicorn; on any other, False and one WARNING line (once per process)."""
    found = installed_uvicorn()
    if minor(found) in TESTED_UVICORN:
        return True
    tested = ", ".join(f"{a}.{b}.x" for a, b in TESTED_UVICORN)
    log.warning("uvicorn %s is not a version wallboard was tested with (%s): walls' streams go through "
                "uvicorn's send (the queue path) and its own main loop; install the tested one "
                "(pip install -c constraints.txt .) for the direct path", found, tested)
    return False
