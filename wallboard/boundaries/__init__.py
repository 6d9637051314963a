"""Region artefacts an adopter downloads once: kecamatan and desa boundaries (and, later, more).

``wallboard regions fetch CODE`` builds every artefact in :data:`ARTEFACTS` in memory, and only
when all of them are good writes them under ``data/regions/``: a failed or partial download never
replaces files the wall is already drawing.
"""

from wallboard.boundaries.fetch import ARTEFACTS, DEFAULT_SOURCE, FetchError, fetch_region

__all__ = ["ARTEFACTS", "DEFAULT_SOURCE", "FetchError", "fetch_region"]
