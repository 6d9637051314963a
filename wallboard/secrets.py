"""``${VAR}`` in config strings: filled from the environment at the moment of use, never shown.

Config models keep the text as written (``Bearer ${LAPOR_TOKEN}``), so validation, logs and the
admin pages only ever see the placeholder. Sources call ``expand`` just before they connect; every
value filled in is remembered so ``redact`` can blank it out of error messages (an httpx or
database error may quote a URL or header back), which the collector applies to every reason it
records or logs.
"""

from __future__ import annotations

import logging
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


# --- masking: the one function every page, log and audit entry passes text through ---------------

SENSITIVE = re.compile(r"key|token|secret|pass|auth|sig", re.I)
_WORD = r"(?:key|token|secret|pass|auth|sig)"
_URL_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<info>[^/@\s\"'<>?#]+)@")
_QUERY_PAIR = re.compile(rf"(?P<name>[\w.\-\[\]]*{_WORD}[\w.\-\[\]]*)=(?P<value>[^&\s\"'#<>]+)", re.I)
_HEADER_PAIR = re.compile(
    rf"(?<![\w.\]-])(?P<name>[\w-]*{_WORD}[\w-]*)(?P<sep>\s*:\s*)(?P<quote>[\"']?)"
    r"(?P<value>(?:\$\{\w+\}|[^\"'\n,;{}<>])+)", re.I)


def _placeholder(value: str) -> bool:
    """A ``${VAR}`` written in place of the secret: it names a variable and holds nothing."""
    return bool(_VAR.search(value))


def _userinfo(match: re.Match[str]) -> str:
    user, _, password = match.group("info").partition(":")
    if password and _placeholder(password):
        return match.group(0)
    return f"{match.group('scheme')}{_MASK}@"


def _pair(match: re.Match[str]) -> str:
    value = match.group("value")
    if _placeholder(value):
        return match.group(0)
    groups = match.groupdict()
    if groups.get("sep") is not None:
        return f"{match.group('name')}{match.group('sep')}{match.group('quote')}{_MASK}"
    return f"{match.group('name')}={_MASK}"


def mask_text(text: str) -> str:
    """``text`` fit to show or log: URL user info, values of query keys and of ``Name: value``
    pairs (headers, YAML keys; not a config path such as ``users[0].password_hash:``, whose message
    is the admin's to read) whose names contain key/token/secret/pass/auth/sig in any case, and every
    value ever filled in from a ``${VAR}``, become ``***``. ``${VAR}`` placeholders stay: they name
    a variable only. The one masking function of /healthz, /admin, /console, the logs and the audit."""
    text = _URL_USERINFO.sub(_userinfo, text)
    text = _QUERY_PAIR.sub(_pair, text)
    text = _HEADER_PAIR.sub(_pair, text)
    return redact(text)


def mask(value: Any, key: str = "") -> Any:
    """A config value (dicts and lists walked) fit to show: a sensitive key's literal value is
    ``***``, every string passes ``mask_text``."""
    if isinstance(value, dict):
        return {k: mask(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask(v, key) for v in value]
    if isinstance(value, str):
        if key and SENSITIVE.search(key) and not _placeholder(value):
            return _MASK
        return mask_text(value)
    return value


class MaskLogs(logging.Filter):
    """Every record a handler writes passes ``mask_text``: the wallboard's own lines (a collector's
    error quoting a URL, a notification's failure) are masked like the pages."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is not ours to break
            return True
        clean = mask_text(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return True


def mask_log_handlers(handlers: list[logging.Handler] | None = None) -> None:
    """Put ``MaskLogs`` on the root logger's handlers (by default): a filter on a handler sees the
    records of every logger that propagates to it."""
    for handler in logging.getLogger().handlers if handlers is None else handlers:
        if not any(isinstance(f, MaskLogs) for f in handler.filters):
            handler.addFilter(MaskLogs())
