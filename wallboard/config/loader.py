"""Reading config.yaml into models, with every problem reported as ``file:line:col: key.path: message``.

ruamel.yaml keeps the position of every key and item, so a pydantic error location can be turned
back into the line an admin has to edit. The loader never raises anything but ``ConfigError``:
the running wall catches it and keeps its last good config.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from wallboard.config.checks import cross_check, warnings
from wallboard.config.models import config_model
from wallboard.i18n import translator
from wallboard.secrets import variables

t = translator("cli")  # the one message said before any config (and its locale) exists

Loc = tuple[str | int, ...]
MAX_BYTES = 1_000_000  # a config is a few KB; a bigger file is a mistake, and parsing it would stall the wall
MAX_PROBLEMS = 50  # an admin fixes the first ones first; thousands would swamp the log and /healthz
MAX_NODES = 200_000  # YAML aliases can multiply a small file into millions of items


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
        if len(problems) > MAX_PROBLEMS:
            last = problems[MAX_PROBLEMS - 1]
            more = len(problems) - MAX_PROBLEMS + 1
            problems = [*problems[: MAX_PROBLEMS - 1],
                        Problem(last.file, last.line, last.column, "", f"... and {more} more problems")]
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class LoadedConfig:
    config: Any
    path: Path
    digest: str
    warnings: tuple[Problem, ...] = ()


def load_config(path: str | Path, environ: Mapping[str, str] | None = None) -> LoadedConfig:
    """Read and check a config file; every ``${VAR}`` it uses must be set in ``environ`` (the process's)."""
    path = Path(path)
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ConfigError([Problem(name, 1, 1, "", f"file is {size:,} bytes; a config may be at most "
                                                       f"{MAX_BYTES:,} bytes")])
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            # No config, no site.locale: Bahasa Indonesia (the site's language until a config says otherwise)
            [Problem(name, 1, 1, "", t("id", "config file not found; create one with `wallboard init --region CODE` "
                                             "or copy the config.yaml that ships with wallboard"))]
        ) from None
    except OSError as exc:
        raise ConfigError([Problem(name, 1, 1, "", f"cannot read the file: {exc.strerror or exc}")]) from None
    return parse_config(decode(raw, name), name, base=path.parent,
                        environ=os.environ if environ is None else environ)


def decode(raw: bytes, filename: str) -> str:
    """UTF-8 text with no NUL byte, or a problem at the first offending byte (binary garbage, wrong encoding)."""
    nul = raw.find(b"\0")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start if nul < 0 else min(exc.start, nul)
        line, col = _line_col(raw, bad)
        raise ConfigError([Problem(filename, line, col, "", "not UTF-8 text (is this a binary file?); "
                                                            "save config.yaml as UTF-8")]) from None
    if nul >= 0:
        line, col = _line_col(raw, nul)
        raise ConfigError([Problem(filename, line, col, "", "NUL byte in the file (is this a binary file?)")])
    return text


def _line_col(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    return before.count(b"\n") + 1, offset - (before.rfind(b"\n") + 1) + 1


def parse_config(text: str, filename: str = "config.yaml", base: Path | None = None,
                 environ: Mapping[str, str] | None = None) -> LoadedConfig:
    """Check a config text. With ``environ``, every ``${VAR}`` must be set there (``load_config`` passes
    the process's environment; tests of single sections leave it out)."""
    if len(text) > MAX_BYTES:
        raise ConfigError([Problem(filename, 1, 1, "", f"a config may be at most {MAX_BYTES:,} bytes")])
    try:
        tree = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        # An unclosed quote is found at the end of the file; the context mark is where it opened.
        scanning = "quoted scalar" in str(exc.context or "") and exc.context_mark is not None
        mark = exc.context_mark if scanning else (exc.problem_mark or exc.context_mark)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise ConfigError([Problem(filename, line, col, "", f"YAML syntax: {exc.problem or exc}")]) from None
    except (YAMLError, RecursionError, ValueError) as exc:
        raise ConfigError([Problem(filename, 1, 1, "", f"YAML syntax: {_first_line(exc)}")]) from None
    if not isinstance(tree, CommentedMap):
        raise ConfigError([Problem(filename, 1, 1, "", "the file must be a mapping with site:, screens: and so on")])

    positions: dict[Loc, tuple[int, int]] = {}
    try:
        data = _plain(tree, (), positions)
    except (RecursionError, _TooBig):
        raise ConfigError([Problem(filename, 1, 1, "", "the file nests or repeats too deeply (YAML aliases?)")]) \
            from None
    model = config_model()
    try:
        config = model.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(filename, positions, err) for err in exc.errors()]
        raise ConfigError(_unique(problems)) from None

    base = base or Path(".")
    checks = list(cross_check(config, base))
    if environ is not None:
        checks += list(_unset_variables(data, (), environ))
    problems = sorted((_located(filename, positions, loc, msg) for loc, msg in checks),
                      key=lambda p: (p.line, p.column))
    if problems:
        raise ConfigError(problems)
    notes = tuple(_located(filename, positions, loc, f"warning: {msg}") for loc, msg in warnings(config, base))
    return LoadedConfig(config, Path(filename), hashlib.sha256(text.encode()).hexdigest()[:12], notes)


def _located(filename: str, positions: dict[Loc, tuple[int, int]], loc: Loc, message: str) -> Problem:
    found, (line, col) = _position(positions, loc)
    return Problem(filename, line, col, _dotted(found), message)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def _unset_variables(node: Any, loc: Loc, environ: Mapping[str, str]) -> Any:
    """Each ``${VAR}`` not set in the environment, where it is written (names only, never values)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _unset_variables(value, (*loc, key), environ)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _unset_variables(value, (*loc, index), environ)
    elif isinstance(node, str):
        for name in variables(node):
            if name not in environ:
                yield loc, f"environment variable {name} is not set (used as ${{{name}}})"


class _TooBig(Exception):
    pass


def _plain(node: Any, loc: Loc, positions: dict[Loc, tuple[int, int]]) -> Any:
    """Plain dicts and lists for pydantic, recording where each key and item stands."""
    if len(positions) > MAX_NODES:
        raise _TooBig
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
