"""Memory given back after a wave of walls disconnects (issue 23, item 4): the heap is trimmed once
the connected walls fell ``WAVE`` below their peak, not when a few come and go."""

from __future__ import annotations

import pytest

from tests.web.conftest import run
from tests.web.test_streams import runtime  # noqa: F401 - the module's runtime fixture
from wallboard.web.serve import memory
from wallboard.web.serve.streams import Fanout


@pytest.fixture
def trims(monkeypatch) -> list[int]:
    calls: list[int] = []
    monkeypatch.setattr(memory, "trim", lambda: calls.append(1) or True)
    return calls


def test_a_wave_of_walls_leaving_trims_once(trims: list[int]) -> None:
    watch = memory.TrimAfterWave(wave=500)
    for walls in (10, 5000, 10000, 9800, 9600):  # walls come, a few leave: nothing to do
        watch.observe(walls)
    assert trims == []
    watch.observe(3000)  # the wave: 7,000 gone
    assert trims == [1]
    watch.observe(2900)
    watch.observe(2800)  # a few more after the trim: measured from the new low, not the old peak
    assert trims == [1]
    watch.observe(2000)
    assert trims == [1, 1]


def test_trim_calls_the_c_library_where_there_is_one() -> None:
    libc = memory._libc()  # noqa: SLF001
    assert memory.trim() is (libc is not None)



def test_the_fanout_trims_after_its_walls_left(trims: list[int], runtime) -> None:  # noqa: F811
    """``Fanout._beat`` hands the count of connected walls to its watcher: three walls connected,
    then released (the ASGI disconnect), and the next look gives their memory back."""
    fanout = Fanout(runtime.hub, heartbeat=60.0)
    fanout.memory = memory.TrimAfterWave(wave=3)

    async def main() -> None:
        fanout.start()
        walls = [fanout.connect("kedua")[0] for _ in range(3)]
        fanout._beat()  # noqa: SLF001
        assert trims == [] and fanout.memory.peak == 3
        for wall in walls:
            fanout.release(wall)
        fanout._beat()  # noqa: SLF001
        assert trims == [1]

    run(main())
