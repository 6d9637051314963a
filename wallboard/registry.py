"""Loading a type registry: the built-in table first, then plugins from an entry-point group.

Sources and panels are registered the same way, so a built-in type and a third-party one differ
only in where their line lives.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import entry_points
from typing import Any


def load_types(builtin: dict[str, str], group: str) -> dict[str, Any]:
    types: dict[str, Any] = {}
    for name, target in builtin.items():
        module, _, attr = target.partition(":")
        types[name] = getattr(import_module(module), attr)
    for ep in entry_points(group=group):
        types.setdefault(ep.name, ep.load())
    return types
