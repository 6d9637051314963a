"""The source types, one module each, registered in ``BUILTIN`` below.

Third-party packages add types through the entry-point group ``wallboard.sources``, naming a
``Source`` subclass; they are registered exactly like the built-in ones.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from wallboard.registry import load_types

if TYPE_CHECKING:
    from wallboard.sources.base import Source

BUILTIN: dict[str, str] = {
    "demo": "wallboard.sources.demo:DemoSource",
    "csv": "wallboard.sources.csv:CsvSource",
    "excel": "wallboard.sources.excel:ExcelSource",
    "http_json": "wallboard.sources.http_json:HttpJsonSource",
    "sql": "wallboard.sources.sql:SqlSource",
    "bps": "wallboard.sources.bps_web:BpsWebSource",
    "bmkg_gempa": "wallboard.sources.bmkg_gempa:BmkgGempaSource",
    "bmkg_peringatan": "wallboard.sources.bmkg_peringatan:BmkgPeringatanSource",
    "bmkg_cuaca": "wallboard.sources.bmkg_cuaca:BmkgCuacaSource",
    "wallboard": "wallboard.sources.wallboard_peer:WallboardSource",
}


@cache
def source_types() -> dict[str, type[Source]]:
    return load_types(BUILTIN, "wallboard.sources")
