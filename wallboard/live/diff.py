"""What changed between two views, as the smallest update the browser can apply.

Plain props are sent when they differ. A figure whose traces only gained points at the end (and
perhaps lost some at the start as the window slides, or had its last point revised), and whose
layout changed in a few keys at most (a trend's axis range moving a step), is sent as a Dash
``Patch``: a few operations instead of the whole figure. A trace's other keys (a map area's fill
colour, its labels) are assigned, so a map's outlines are never sent again for a new value.
"""

from __future__ import annotations

from typing import Any

Props = dict[str, dict[str, Any]]
_PATCH = "__dash_patch_update"


def diff_views(old: Props, new: Props) -> Props:
    delta: Props = {}
    for cid, props in new.items():
        before = old.get(cid, {})
        changed = {}
        for prop, value in props.items():
            if prop in before and before[prop] == value:
                continue
            if prop == "figure" and prop in before:
                value = figure_patch(before[prop], value)
            changed[prop] = value
        if changed:
            delta[cid] = changed
    return delta


def figure_patch(old: dict, new: dict) -> dict:
    """A Patch for ``new`` relative to ``old``, or ``new`` itself when a patch would not be smaller."""
    if len(old.get("data", [])) != len(new.get("data", [])):
        return new
    ops = _layout_ops(old.get("layout", {}), new.get("layout", {}))
    if ops is None:
        return new
    for i, (a, b) in enumerate(zip(old["data"], new["data"], strict=True)):
        style_ops = _style_ops(i, a, b)
        if style_ops is None:
            return new
        ops.extend(style_ops)
        trace_ops = _trace_ops(i, a.get("x", []), a.get("y", []), b.get("x", []), b.get("y", []))
        if trace_ops is None:
            return new
        ops.extend(trace_ops)
    return {_PATCH: _PATCH, "operations": ops}


def _layout_ops(old: dict, new: dict) -> list[dict] | None:
    """Assignments for a few changed layout keys (a trend's axis range moving a step), one level
    deep; None when the layout changed more than that."""
    if old == new:
        return []
    if set(old) != set(new):
        return None
    ops = []
    for key, value in new.items():
        before = old[key]
        if before == value:
            continue
        if isinstance(value, dict) and isinstance(before, dict) and set(value) == set(before):
            ops.extend({"operation": "Assign", "location": ["layout", key, sub], "params": {"value": v}}
                       for sub, v in value.items() if before[sub] != v)
        else:
            ops.append({"operation": "Assign", "location": ["layout", key], "params": {"value": value}})
    return ops if len(ops) <= 8 else None


def _style_ops(i: int, old: dict, new: dict) -> list[dict] | None:
    """Assignments for a trace's other keys that changed (a map area's colour, its label's text):
    the outlines themselves are not sent again. None when the trace changed its keys."""
    if set(old) != set(new):
        return None
    return [{"operation": "Assign", "location": ["data", i, key], "params": {"value": value}}
            for key, value in new.items() if key not in ("x", "y") and old[key] != value]


def _trace_ops(i: int, ox: list, oy: list, nx: list, ny: list) -> list[dict] | None:
    if not ox or not nx:
        return None if ox != nx else []
    # How many points slid out at the start of the window.
    try:
        drop = ox.index(nx[0])
    except ValueError:
        return None
    kept = len(ox) - drop
    if kept > len(nx) or ox[drop:] != nx[:kept] or oy[drop:-1] != ny[: kept - 1]:
        return None
    ops: list[dict] = []
    for axis in ("x", "y"):
        ops.extend({"operation": "Delete", "location": ["data", i, axis, 0], "params": {}} for _ in range(drop))
    if oy[-1] != ny[kept - 1]:
        ops.append({"operation": "Assign", "location": ["data", i, "y", kept - 1], "params": {"value": ny[kept - 1]}})
    if len(nx) > kept:
        ops.append({"operation": "Extend", "location": ["data", i, "x"], "params": {"value": nx[kept:]}})
        ops.append({"operation": "Extend", "location": ["data", i, "y"], "params": {"value": ny[kept:]}})
    if len(ops) > 40:
        return None
    return ops
