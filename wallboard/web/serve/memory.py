"""Memory a disconnect wave freed, given back to the system.

glibc's malloc keeps freed memory in its arenas: after five thousand walls came and went, one
process still held hundreds of megabytes it no longer used (their sockets' buffers, queues and
compressors were freed, but the heap's top and the per-thread arenas were not shrunk). ``malloc_trim(0)``
returns every free page it can. It costs a walk of the heap (milliseconds), so it is called only
after a large wave of walls left (``TrimAfterWave``), never per wall. Not glibc (musl, macOS):
nothing to call, nothing done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from functools import cache
from typing import Any

log = logging.getLogger(__name__)

WAVE = 500  # walls gone since the peak before memory is trimmed (a few walls leaving cost nothing)


@cache
def _libc() -> Any:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def trim() -> bool:
    """Give free heap pages back to the system; False where the C library has no ``malloc_trim``."""
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


class TrimAfterWave:
    """Watches the count of connected walls; trims once when it has fallen ``wave`` below its peak."""

    def __init__(self, wave: int = WAVE) -> None:
        self.wave = wave
        self.peak = 0
        self.trims = 0

    def observe(self, walls: int) -> bool:
        """Called at each heartbeat look with the walls connected now; True when it trimmed."""
        if walls > self.peak:
            self.peak = walls
            return False
        if self.peak - walls < self.wave:
            return False
        log.info("%d walls left since the peak of %d: free memory given back", self.peak - walls, self.peak)
        self.peak = walls
        self.trims += 1
        return trim()
