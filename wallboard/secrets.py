"""``${VAR}`` in config strings: filled from the environment at the moment of use, never shown.

Config models keep the text as written (``Bearer ${LAPOR_TOKEN}``), so validation, logs and the
admin pages only ever see the placeholder. Sources call ``expand`` just before they connect; every
value filled in is remembered so ``redact`` can blank it out of error messages (an httpx or
database error may quote a URL or header back), which the collector applies to every reason it
records or logs.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Mapping
from typing import Any

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_MASK = "***"
_secrets: set[str] = set()
_lock = threading.Lock()


class MissingVariable(ValueError):
    """A ``${VAR}`` whose variable is not set; the message names the variable, never a value."""


def has_variables(text: str) -> bool:
    return bool(_VAR.search(text))


def variables(text: str) -> list[str]:
    """The names of the ``${VAR}`` in ``text``, for checking they are set before anything runs."""
    return _VAR.findall(text)


def expand(text: str, environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        value = env.get(name)
        if value is None:
            raise MissingVariable(f"variabel lingkungan {name} belum diisi (dipakai sebagai ${{{name}}})")
        if len(value) >= 3:
            with _lock:
                _secrets.add(value)
        return value

    return _VAR.sub(fill, text)


def expand_all(value: Any, environ: Mapping[str, str] | None = None) -> Any:
    """``expand`` through dicts and lists, as found in ``headers:`` and ``params:``."""
    if isinstance(value, str):
        return expand(value, environ)
    if isinstance(value, dict):
        return {k: expand_all(v, environ) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [expand_all(v, environ) for v in value]
    return value


def redact(text: str) -> str:
    """``text`` with every value ever filled in from the environment replaced by ``***``."""
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, _MASK)
    return text
