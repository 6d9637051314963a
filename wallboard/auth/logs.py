"""Keep display tokens and secrets out of the logs: a filter that passes every line through
``wallboard.secrets.mask_text`` and blanks ``token=...``.

A kiosk wall opens ``/wall/<id>?token=...`` once; a server's access log (uvicorn, gunicorn,
werkzeug) would write that address down. The filter is attached to those loggers' names when the
app is created, so it works whichever server runs the app.
"""

from __future__ import annotations

import logging
import re

from wallboard.secrets import mask_text

ACCESS_LOGGERS = ("uvicorn.access", "uvicorn.error", "gunicorn.access", "werkzeug", "waitress")
_TOKEN = re.compile(r"(token=)[^&\s\"']+", re.I)


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is not ours to break
            return True
        clean = mask_text(_TOKEN.sub(r"\1***", message))
        if clean != message:
            record.msg, record.args = clean, ()
        return True


def install(names: tuple[str, ...] = ACCESS_LOGGERS) -> None:
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())

