"""Rows of SQL ``INSERT ... VALUES (...), (...);`` dumps, read as data and never executed.

The public boundary collection cahyadsn/wilayah_boundaries publishes its polygons as MySQL insert
files. Running them would mean trusting a downloaded script with a database; reading them needs
only the literals, so this tokenizer yields the value tuples and ignores every statement around them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>/\*.*?\*/|--[^\n]*|\#[^\n]*)
    | (?P<string>'(?:[^'\\]|\\.|'')*')
    | (?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
    | (?P<word>[A-Za-z_][A-Za-z_0-9]*|`[^`]*`)
    | (?P<punct>[(),;])
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "'": "'", '"': '"', "\\": "\\"}


class SqlFormatError(ValueError):
    pass


def _string(raw: str) -> str:
    body = raw[1:-1].replace("''", "'")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


def value_rows(text: str) -> Iterator[tuple[object, ...]]:
    """Each ``(...)`` tuple after a ``VALUES`` keyword: strings, numbers (float) and None for NULL."""
    in_values = False
    row: list[object] | None = None
    for match in _TOKEN.finditer(text):
        kind, token = match.lastgroup, match.group()
        if kind in ("space", "comment"):
            continue
        if kind == "word" and token.upper() == "VALUES":
            in_values = True
            continue
        if not in_values:
            continue
        if row is None:
            if token == "(":
                row = []
            elif token == ";":
                in_values = False
            elif token != ",":
                raise SqlFormatError(f"unexpected {token!r} between rows at offset {match.start()}")
            continue
        if token == ")":
            yield tuple(row)
            row = None
        elif token == ",":
            continue
        elif kind == "string":
            row.append(_string(token))
        elif kind == "number":
            row.append(float(token))
        elif kind == "word" and token.upper() == "NULL":
            row.append(None)
        else:
            raise SqlFormatError(f"unexpected {token!r} in a row at offset {match.start()}")
    if row is not None:
        raise SqlFormatError("the file ends inside a row (truncated download?)")
