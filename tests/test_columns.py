"""Readings held as columns (wallboard/columns.py): a Sequence of Readings, deduplicated as the store's dict."""

from __future__ import annotations

import pytest

from wallboard import columns
from wallboard.records import Reading

READINGS = [
    Reading("harga_cabai", "12.75.02", 1_700_003_600, 45_250.0),
    Reading("harga_beras", "12.75.01", 1_700_000_000, 14_750.0, "P1M"),
    Reading("harga_cabai", "12.75.02", 1_700_003_600, 46_000.0),  # same key, later: wins
    Reading("harga_beras", "12.75.01", 10, 14_000.0),  # far in the past: a wide span
    Reading("harga_beras", "12.75.03", 1_700_000_000, 5_555.5),
]


@pytest.mark.parametrize("pack_limit", [2**62, 0])
def test_unique_is_the_stores_dict_in_key_order(monkeypatch, pack_limit: int) -> None:
    monkeypatch.setattr(columns, "PACK_LIMIT", pack_limit)  # 0: the ranking path for keys too wide to pack
    held = columns.ReadingColumns("data/harga.csv baris")
    for reading in READINGS:
        held.append(reading)
    assert list(held) == READINGS and len(held) == 5 and held[-1] == READINGS[-1]
    expected = {(r.indicator, r.region, r.ts, r.period or ""): r.value for r in READINGS}  # the store's dict
    unique = held.unique(moment="")
    assert list(unique.items()) == sorted(expected.items())
    assert len(unique) == 4
    assert [row[4] for chunk in unique.rows() for row in chunk] == ["", "P1M", "", ""]
    assert unique.moments().spans()[("harga_beras", "12.75.01")] == (10, 10)  # rollups: moments only
    assert unique.spans() == {("harga_beras", "12.75.01"): (10, 1_700_000_000),
                              ("harga_beras", "12.75.03"): (1_700_000_000, 1_700_000_000),
                              ("harga_cabai", "12.75.02"): (1_700_003_600, 1_700_003_600)}
    assert unique.lows() == {"harga_beras": 10, "harga_cabai": 1_700_003_600}


def test_drop_older_keeps_figures_per_period() -> None:
    held = columns.ReadingColumns()
    for reading in READINGS:
        held.append(reading)
    assert held.drop_older(1_000_000_000) == 1 and held.oldest() == 1_700_000_000
    assert len(held) == 4


def test_reserved_columns_filled_in_place_and_past_their_end() -> None:
    import numpy as np

    held = columns.ReadingColumns("x.csv baris", capacity=3)
    codes = [held.indicators.code("harga_beras"), held.regions.code("12.75.01")]
    for start in (0, 2, 4):  # 2 + 2 rows fit in 3? no: the second chunk goes past the reservation
        held.add(np.full(2, codes[0]), np.full(2, codes[1]), np.array([start, start + 1]), np.array([1.5, 2.5]),
                 np.zeros(2), np.array([start + 2, start + 3]))
    assert [r.ts for r in held] == [0, 1, 2, 3, 4, 5] and held[5].origin == "x.csv baris 7"
    assert len(held.unique()) == 6


def test_keys_packed_in_slices_and_a_checked_batch_sorted_alike(monkeypatch) -> None:
    """Keys are packed a slice at a time (bounded temporaries) and a batch whose keys were found
    distinct (``repeated``) is ordered by a plain sort: the same rows, order and lines either way."""
    import random

    pick = random.Random(7)
    distinct = [Reading(f"i{pick.randrange(4)}", f"12.75.0{pick.randrange(1, 6)}", 1_700_000_000 + 3600 * n,
                        float(n), None if n % 3 else "P1M") for n in range(200)]
    pick.shuffle(distinct)

    def held() -> columns.ReadingColumns:
        out = columns.ReadingColumns("data/x.csv baris")
        for reading in distinct:
            out.append(reading)
        return out

    whole = held().unique(moment="")
    expected = list(whole.items())
    assert expected == sorted({(r.indicator, r.region, r.ts, r.period or ""): r.value for r in distinct}.items())
    monkeypatch.setattr(columns, "KEY_SLICE", 7)
    checked = held()
    assert not len(checked.repeated()) and checked._distinct  # every key once, known
    assert list(checked.unique(moment="").items()) == expected
    again = held()
    assert not len(again.repeated())
    again.append(distinct[0])  # a new row: the batch must be looked at again
    assert again.repeated().tolist() == [0, 200] and not again._distinct
