"""What the language tests compare: every message catalogue's words, found generically.

Each feature keeps its own domain (``wall``, ``drill``, ``admin`` ...) as a ``.po`` file; these
helpers read whichever exist, so a new domain is covered without touching the tests.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from wallboard.i18n import LOCALE_DIR

WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def catalogues(locale: str = "id") -> dict[str, Path]:
    """Domain -> its .po file for ``locale``."""
    return {p.stem: p for p in sorted((LOCALE_DIR / locale / "LC_MESSAGES").glob("*.po"))}


def messages(path: Path, locale: str = "id") -> list:
    with path.open("rb") as handle:
        return [m for m in read_po(handle, locale=locale) if m.id]


def words(text: str) -> set[str]:
    return {w.casefold() for w in WORD.findall(PLACEHOLDER.sub(" ", text))}


def indonesian_words(locale: str = "id") -> set[str]:
    """Words of the translations that are not words of any English message id, in any domain.

    ``NORMAL`` or ``Target`` read the same in both languages, so they never count as Indonesian.
    """
    translated: set[str] = set()
    english: set[str] = set()
    for path in catalogues(locale).values():
        for message in messages(path, locale):
            english |= words(str(message.id))
            translated |= words(str(message.string))
    return translated - english
