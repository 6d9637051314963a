"""Total rows, recognised by what they say rather than by a name a kecamatan may share.

Reports end with a ``JUMLAH`` row, or a row for ``Kabupaten Sleman`` itself. About 115 of the 514
kabupaten/kota also have a kecamatan of their own name (Sleman in Kabupaten Sleman, Pati in
Kabupaten Pati, Kota Kudus in Kabupaten Kudus), so a row is the total only when its label says so:
``JUMLAH`` / ``TOTAL`` / ``Jumlah Total`` / ``Grand Total``, or the kabupaten/kota written as such
(``Kabupaten X`` or ``Kab. X`` for a kabupaten, ``Kota X`` for a kota, or plain ``X`` when no
kecamatan or desa is called that).
A name of one of the site's own regions is always that region (the caller resolves names first).

A total is the source's own sum of the rows above it: by default (``totals: check``) it goes into
``batch.totals`` for the collector to compare with the sum of the rows, and is not stored; with
``totals: keep`` it is stored as the kabupaten/kota's own reading.
"""

from __future__ import annotations

import re

from wallboard import regions
from wallboard.records import Batch, Reading

# A label that is the table's total. ``Sub Total`` and ``Rata-rata`` rows are summaries of part of a
# table, or not sums at all: they are left out (see SUMMARY), never taken for the site's total.
TOTAL = re.compile(r"^(jumlah|total|grand total)\b", re.IGNORECASE)
SUMMARY = re.compile(r"^(jumlah|total|grand total|sub ?total|rata ?rata|rerata)\b", re.IGNORECASE)


def _simple(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text).split()).casefold()


def names_site(text: str, site: str) -> bool:
    """True when ``text`` writes the kabupaten/kota itself: ``Kabupaten Sleman``, ``Kab. Sleman``, ``Sleman``.

    Only for a text that did not resolve to one of the site's kecamatan or desa (``Sleman`` in
    34.04 is kecamatan 34.04.13, ``Kota Kudus`` in 33.19 kecamatan 33.19.02).
    """
    full = _simple(regions.name(site))  # "kabupaten sleman", "kota yogyakarta"
    short = re.sub(r"^(kabupaten|kota)\s+", "", full)
    # ``Kab. X`` only for a kabupaten: ``Kota Magelang`` is not Kabupaten Magelang, but another kota
    forms = {full, short} | ({f"kab {short}", f"kabupaten {short}"} if full.startswith("kabupaten") else set())
    return _simple(text) in forms


def is_total(text: str, site: str) -> bool:
    """A label of the whole site's total: ``JUMLAH``, ``TOTAL``, ``Jumlah Total``, or the site's name."""
    return bool(TOTAL.match(text.strip())) or names_site(text, site)


def split_site_rows(batch: Batch, site: str, keep: bool) -> None:
    """Long tables: a row for the site itself is a total when the batch also has rows inside the site
    for its indicator (the column holds kecamatan, and this row sums them), whatever their period: a
    JUMLAH row for a month whose kecamatan rows were all refused is still a total, never a reading of
    its own. A table whose rows of an indicator are all site-wide (a city-wide indicator) keeps them."""
    if keep:
        return
    inside = {r.indicator for r in batch.readings if r.region != site}
    if not inside:
        return
    kept: list[Reading] = []
    for reading in batch.readings:
        total = reading.region == site and reading.indicator in inside
        (batch.totals if total else kept).append(reading)
    batch.readings = kept
