"""Where the config model learns its panel, source and alert types: the registries, asked at load time.

``config`` sits below every part that has a config section of its own, so it imports none of them:
a registry is named here by its dotted path, as Redash's settings name the query runners it loads
and Django's ``INSTALLED_APPS`` name the apps, and is only looked up when the first config is
loaded. A registry answers with its types (``{name: class with a Config model}``), which become
the members of a union keyed on ``type:``; a section registry answers with the root keys it adds
(``{key: (annotation, default)}``). A new panel type stays one module plus one line in
``wallboard/panels/__init__.py``: this table names the registry, not the types.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# kind -> "module:callable" returning {type name: class whose ``Config`` is a model with ``type: Literal[name]``}
TYPE_REGISTRIES: dict[str, str] = {
    "panels": "wallboard.panels:panel_types",
    "sources": "wallboard.sources:source_types",
}
# "module:callable" returning {root key: (annotation, default)}, in the order the keys are documented
SECTION_REGISTRIES: tuple[str, ...] = (
    "wallboard.alerts.config:sections",
    "wallboard.config.federation:sections",
)


def _resolve(target: str) -> Any:
    module, _, attr = target.partition(":")
    return getattr(import_module(module), attr)


def config_types(kind: str) -> tuple[type, ...]:
    """The config models of one kind's registered types, in registry order (built-ins first, then plugins)."""
    return tuple(t.Config for t in _resolve(TYPE_REGISTRIES[kind])().values())


def sections() -> dict[str, tuple[Any, Any]]:
    """The root keys other parts add (``owners:``, ``alerts:``, ``notify:``), with their defaults."""
    out: dict[str, tuple[Any, Any]] = {}
    for target in SECTION_REGISTRIES:
        out.update(_resolve(target)())
    return out
