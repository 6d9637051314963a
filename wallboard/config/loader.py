"""Reading config.yaml into models, with every problem reported as ``file:line:col: key.path: message``.

ruamel.yaml keeps the position of every key and item, so a pydantic error location can be turned
back into the line an admin has to edit. The loader never raises anything but ``ConfigError``:
the running wall catches it and keeps its last good config.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from wallboard.config.checks import cross_check, warnings
from wallboard.config.models import config_model

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.file}:{self.line}:{self.column}: {where}{self.message}"


class ConfigError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class LoadedConfig:
    config: Any
    path: Path
    digest: str
    warnings: tuple[Problem, ...] = ()


def load_config(path: str | Path) -> LoadedConfig:
    path = Path(path)
    if not path.exists():
        raise ConfigError(
            [Problem(str(path), 1, 1, "", "config file not found; create one with "
                     "`wallboard init --region CODE` or copy the config.yaml that ships with wallboard")]
        )
    text = path.read_text(encoding="utf-8")
    return parse_config(text, str(path), base=path.parent)


def parse_config(text: str, filename: str = "config.yaml", base: Path | None = None) -> LoadedConfig:
    try:
        tree = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise ConfigError([Problem(filename, line, col, "", f"YAML syntax: {exc.problem or exc}")]) from None
    if not isinstance(tree, CommentedMap):
        raise ConfigError([Problem(filename, 1, 1, "", "the file must be a mapping with site:, screens: and so on")])

    positions: dict[Loc, tuple[int, int]] = {}
    data = _plain(tree, (), positions)
    model = config_model()
    try:
        config = model.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(filename, positions, err) for err in exc.errors()]
        raise ConfigError(_unique(problems)) from None

    base = base or Path(".")
    problems = [_located(filename, positions, loc, msg) for loc, msg in cross_check(config, base)]
    if problems:
        raise ConfigError(problems)
    notes = tuple(_located(filename, positions, loc, f"warning: {msg}") for loc, msg in warnings(config, base))
    return LoadedConfig(config, Path(filename), hashlib.sha256(text.encode()).hexdigest()[:12], notes)


def _located(filename: str, positions: dict[Loc, tuple[int, int]], loc: Loc, message: str) -> Problem:
    found, (line, col) = _position(positions, loc)
    return Problem(filename, line, col, _dotted(found), message)


def _plain(node: Any, loc: Loc, positions: dict[Loc, tuple[int, int]]) -> Any:
    """Plain dicts and lists for pydantic, recording where each key and item stands."""
    if isinstance(node, CommentedMap):
        out = {}
        for key, value in node.items():
            line, col = node.lc.key(key)
            positions[(*loc, str(key))] = (line + 1, col + 1)
            out[str(key)] = _plain(value, (*loc, str(key)), positions)
        return out
    if isinstance(node, CommentedSeq):
        out_list = []
        for index, value in enumerate(node):
            line, col = node.lc.item(index)
            positions[(*loc, index)] = (line + 1, col + 1)
            out_list.append(_plain(value, (*loc, index), positions))
        return out_list
    if hasattr(node, "value") and type(node).__module__.startswith("ruamel"):
        return node.value  # ScalarFloat and friends keep their value here
    if isinstance(node, str):
        return str(node)
    return node


def _position(positions: dict[Loc, tuple[int, int]], loc: Loc) -> tuple[Loc, tuple[int, int]]:
    """The deepest location the file has for ``loc``; union tags pydantic inserts are skipped.

    A tag may equal a real key (``type: cameras`` has a ``cameras:`` list), so each part is either
    matched or skipped, and the match reaching deepest into ``loc`` wins.
    """
    best: tuple[int, int, Loc] = (0, -1, ())

    def walk(index: int, found: Loc, last: int) -> None:
        nonlocal best
        if (len(found), last) > best[:2]:
            best = (len(found), last, found)
        if index == len(loc):
            return
        candidate = (*found, loc[index])
        if candidate in positions:
            walk(index + 1, candidate, index)
        walk(index + 1, found, last)

    walk(0, (), -1)
    found = best[2]
    return found, positions.get(found, (1, 1))


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _problem(filename: str, positions: dict[Loc, tuple[int, int]], err: dict[str, Any]) -> Problem:
    loc: Loc = tuple(err["loc"])
    kind = err["type"]
    if kind == "union_tag_invalid":
        loc = (*loc, str(err["ctx"]["discriminator"]).strip("'"))
    found, (line, col) = _position(positions, loc)
    message = err["msg"]
    if kind == "union_tag_invalid":
        message = f"unknown type {err['ctx']['tag']!r}; expected one of {err['ctx']['expected_tags']}"
        path = _dotted(found)
    elif kind == "extra_forbidden":
        key = str(loc[-1])
        siblings = _known_keys(config_model(), loc[:-1])
        hint = difflib.get_close_matches(key, siblings, n=1)
        message = f"unknown key {key!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
        path = _dotted(found)
    elif kind == "missing":
        message = f"missing required key {loc[-1]!r}"
        path = _dotted((*found, loc[-1])) if found != loc else _dotted(found)
    else:
        message = message.removeprefix("Value error, ")
        path = _dotted(found) if found else _dotted(tuple(p for p in loc if isinstance(p, int | str)))
    return Problem(filename, line, col, path, message)


def _known_keys(model: Any, loc: Loc) -> list[str]:
    """The keys allowed where an unknown key was found, for a did-you-mean hint."""
    current: Any = model
    for part in loc:
        current = _step(current, part)
        if current is None:
            return []
    current = _step(current, None)
    return list(current.model_fields) if isinstance(current, type) and issubclass(current, BaseModel) else []


def _step(annotation: Any, part: str | int | None) -> Any:
    """Follow one location step through models, lists, optionals and tagged unions."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _step(get_args(annotation)[0], part)
    if origin in (Union, UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        for option in options:
            fields = getattr(option, "model_fields", {})
            tag = fields.get("type")
            if tag is not None and get_args(tag.annotation) == (part,):
                return option
        return _step(options[0], part) if len(options) == 1 else None
    if origin in (list, tuple):
        return get_args(annotation)[0] if isinstance(part, int) else None
    if part is None:
        return annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(str(part))
        return field.annotation if field is not None else None
    return None


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for p in problems:
        if str(p) not in seen:
            seen.add(str(p))
            out.append(p)
    return sorted(out, key=lambda p: (p.line, p.column))
