"""Every key config.yaml accepts, read from the pydantic models themselves.

docs/config.md and docs/config.example.yaml are checked against this walk, so a key added to a
model without documentation (or without a line in the example) turns the suite red. Keys are named
the way docs/config.md names them:

* root keys by their full path, list items written ``[]``: ``site.name``, ``indicators[].label``,
  ``screens[].pages[].panels``;
* keys of a panel or source type relative to the panel/source, in the section of the class that
  declares them: ``SHARED`` below for the keys several types share, ``Panel type `kpi``` /
  ``Source type `csv``` for a type's own keys (``columns.time`` for a nested model).
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from wallboard.config.models import Label, PanelBase, SourceBase, config_model
from wallboard.panels import panel_types
from wallboard.sources import source_types
from wallboard.sources.files import FileConfig
from wallboard.sources.mapping import RecordsConfig

ROOT = "root"
# Classes whose keys several types share, and the heading docs/config.md documents them under.
SHARED: dict[type, str] = {
    PanelBase: "Keys of every panel",
    SourceBase: "Keys of every source",
    RecordsConfig: "Keys of record sources (csv, excel, http_json, sql)",
    FileConfig: "Keys of file sources (csv, excel)",
}


def _type_configs() -> dict[type, str]:
    """Each registered panel/source Config model -> its docs section heading."""
    out = {t.Config: f"Panel type `{name}`" for name, t in panel_types().items()}
    out.update({t.Config: f"Source type `{name}`" for name, t in source_types().items()})
    return out


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models(arg)]


def _is_list(annotation: Any) -> bool:
    if typing.get_origin(annotation) in (list, tuple) and _models(annotation):
        return True
    return any(_is_list(a) for a in typing.get_args(annotation) if typing.get_origin(a) is not None)


def _section(model: type[BaseModel], field: str, own: str) -> str:
    """The section of the most basic class that declares ``field``: shared keys are documented once."""
    for cls in reversed(model.__mro__):
        if field in getattr(cls, "__annotations__", {}) and cls in SHARED:
            return SHARED[cls]
    return own


def model_keys(model: type[BaseModel], section: str = ROOT, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(section, key) for every key ``model`` accepts, nested models included."""
    configs = _type_configs()
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        yield _section(model, name, section), key
        subs = [m for m in _models(field.annotation) if m is not Label]
        if any(m in configs for m in subs):
            continue  # a union of panel/source types: each type is walked on its own
        marker = "[]" if _is_list(field.annotation) else ""
        for sub in subs:
            yield from model_keys(sub, _section(model, name, section), f"{key}{marker}.")


def accepted_keys() -> set[tuple[str, str]]:
    """Every key of config.yaml: the root model, every registered panel and source type."""
    keys = set(model_keys(config_model()))
    for config, section in _type_configs().items():
        keys |= set(model_keys(config, section))
    return keys


def used_keys(instance: BaseModel, section: str = ROOT, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(section, key) for every key a validated config actually sets (``model_fields_set``)."""
    configs = _type_configs()
    model = type(instance)
    if model in configs and section == ROOT:
        section, prefix = configs[model], ""
    for name in instance.model_fields_set:
        key = f"{prefix}{name}"
        field_section = _section(model, name, section)
        yield field_section, key
        value = getattr(instance, name)
        items = value if isinstance(value, list | tuple) else [value]
        marker = "[]" if isinstance(value, list | tuple) else ""
        for item in items:
            if not isinstance(item, BaseModel) or isinstance(item, Label):
                continue
            if type(item) in configs:
                yield from used_keys(item)
            else:
                yield from used_keys(item, field_section, f"{key}{marker}.")
