"""The source types, one module each, registered in ``BUILTIN`` below.

Third-party packages add types through the entry-point group ``wallboard.sources``, naming a
``Source`` subclass; they are registered exactly like the built-in ones.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wallboard.sources.base import Source

BUILTIN: dict[str, str] = {
    "demo": "wallboard.sources.demo:DemoSource",
    "csv": "wallboard.sources.csv:CsvSource",
    "excel": "wallboard.sources.excel:ExcelSource",
    "http_json": "wallboard.sources.http_json:HttpJsonSource",
    "sql": "wallboard.sources.sql:SqlSource",
}


@cache
def source_types() -> dict[str, type[Source]]:
    types: dict[str, type[Source]] = {}
    for name, target in BUILTIN.items():
        module, _, attr = target.partition(":")
        types[name] = getattr(import_module(module), attr)
    for ep in entry_points(group="wallboard.sources"):
        types.setdefault(ep.name, ep.load())
    return types
