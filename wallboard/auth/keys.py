"""The key that signs session, kiosk and CSRF cookies.

``auth.secret_key`` (normally ``${VAR}``) when set; otherwise a random key kept in
``.wallboard-secret`` beside config.yaml, created on first use with owner-only permissions, so
kiosk cookies survive a server restart without anyone having to invent a secret.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

from itsdangerous import URLSafeTimedSerializer

from wallboard.secrets import MissingVariable, expand

log = logging.getLogger(__name__)
KEY_FILE = ".wallboard-secret"
_cache: dict[tuple[str, str], str] = {}


def secret_key(runtime: Any) -> str:
    configured = runtime.config.auth.secret_key
    base = str(getattr(runtime, "base_dir", Path(".")))
    cache_key = (base, configured or "")
    if cache_key in _cache:
        return _cache[cache_key]
    key = None
    if configured:
        try:
            key = expand(configured)
        except MissingVariable:
            log.error("auth.secret_key names an unset variable; using the key file instead")
    if not key:
        key = _key_file(Path(base) / KEY_FILE)
    _cache[cache_key] = key
    return key


def _key_file(path: Path) -> str:
    try:
        text = path.read_text(encoding="ascii").strip()
        if len(text) >= 32:
            return text
    except (OSError, UnicodeDecodeError):
        pass
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key + "\n")
    except OSError as exc:
        log.warning("cannot keep the session key in %s (%s): sessions end when the server restarts",
                    path, exc.strerror)
    return key


def serializer(runtime: Any, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key(runtime), salt=f"wallboard-{salt}")
