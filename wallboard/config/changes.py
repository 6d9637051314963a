"""What a config reload changed, in ids and key names: for the audit log, never with values.

Lists of things with ids (sources, indicators, screens, users) are compared item by item, so the
log says ``sources: +lapor -csv ~demo``; every other section says only which keys changed.
"""

from __future__ import annotations

from typing import Any

_KEYED = {"sources": "id", "indicators": "id", "screens": "id", "users": "name"}


def summarize(old: Any, new: Any) -> str:
    before, after = old.model_dump(mode="json"), new.model_dump(mode="json")
    parts: list[str] = []
    for section in sorted(set(before) | set(after)):
        a, b = before.get(section), after.get(section)
        if a == b:
            continue
        if section in _KEYED and isinstance(a, list) and isinstance(b, list):
            parts.append(f"{section}: {_items(a, b, _KEYED[section])}")
        elif isinstance(a, dict) and isinstance(b, dict):
            keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            parts.append(f"{section}: " + ", ".join(f"~{k}" for k in keys))
        else:
            parts.append(f"{section}: ~")
    return "; ".join(parts) or "no change in effect (formatting or comments)"


def _items(old: list[dict], new: list[dict], key: str) -> str:
    a = {item.get(key): item for item in old}
    b = {item.get(key): item for item in new}
    added = [f"+{k}" for k in b if k not in a]
    removed = [f"-{k}" for k in a if k not in b]
    changed = [f"~{k}" for k in b if k in a and a[k] != b[k]]
    return " ".join(added + removed + changed) or "order"
