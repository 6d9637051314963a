"""Every word a page shows comes from a message catalogue, never from a string picked in code.

Message ids are English; each feature keeps its own catalogue *domain* (``wall``, ``drill``,
``admin`` ...) as ``wallboard/locale/<locale>/LC_MESSAGES/<domain>.po``, so features are translated
(and reviewed) independently. Catalogues are read with Babel straight from the ``.po`` file on first
use: there is no compile step to forget, and a missing translation falls back to the English id.
``site.locale`` picks the language; numbers, money and dates go through :mod:`wallboard.formatting`.

Usage::

    t = translator("drill")
    t(locale, "History")                       # "Riwayat" for locale "id"
    t(locale, "{n} more", n=3)                 # "{n} lainnya" -> "3 lainnya"
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
SOURCE_LOCALE = "en"  # the language of the message ids themselves


@cache
def catalogue(domain: str, locale: str) -> dict[str, str]:
    """Translated strings of one domain; empty for the source language or a missing file."""
    if locale == SOURCE_LOCALE:
        return {}
    path = LOCALE_DIR / locale / "LC_MESSAGES" / f"{domain}.po"
    if not path.exists():
        return {}
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale, domain=domain)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}


def gettext(domain: str, locale: str, message: str, **values: object) -> str:
    text = catalogue(domain, locale).get(message, message)
    return text.format(**values) if values else text


def translator(domain: str) -> Callable[..., str]:
    """A ``t(locale, message, **values)`` bound to one catalogue domain."""

    def t(locale: str, message: str, **values: object) -> str:
        return gettext(domain, locale, message, **values)

    return t
