"""Every word a page shows comes from a catalogue, and every catalogue entry is translated.

Message ids are extracted from the code with Babel (keyword ``t``, as ``t(locale, message)``);
each file's domain is the one its ``translator("...")`` names, or the one of the module it
imports ``t`` from. This covers every domain present, whoever added it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from tests.web.i18n_words import PLACEHOLDER, catalogues, indonesian_words, messages
from wallboard.i18n import catalogue, gettext

PACKAGE = Path(__file__).resolve().parents[2] / "wallboard"
TRANSLATOR = re.compile(r"""translator\(\s*["'](\w+)["']\s*\)""")
IMPORTED_T = re.compile(r"^from\s+([\w.]+)\s+import\s+[^\n]*\bt\b", re.MULTILINE)


def domains_of(path: Path, seen: frozenset[Path] = frozenset()) -> set[str]:
    text = path.read_text(encoding="utf-8")
    found = set(TRANSLATOR.findall(text))
    if found or path in seen:
        return found
    for module in IMPORTED_T.findall(text):
        target = PACKAGE.parent / (module.replace(".", "/") + ".py")
        if not target.exists():
            target = PACKAGE.parent / module.replace(".", "/") / "__init__.py"
        if target.exists():
            found |= domains_of(target, seen | {path})
    return found


def used_messages() -> list[tuple[str, int, str]]:
    return [(name, line, str(message)) for name, line, message, _, _ in
            extract_from_dir(str(PACKAGE), method_map=[("**.py", "python")], keywords={"t": (2,)})
            if isinstance(message, str)]


def test_code_uses_the_catalogues() -> None:
    used = used_messages()
    assert len(used) >= 30 and "wall" in catalogues()


def test_every_message_in_code_has_an_indonesian_translation_in_its_domain() -> None:
    problems = []
    for name, line, message in used_messages():
        domains = domains_of(PACKAGE / name)
        if not domains:
            problems.append(f"wallboard/{name}:{line}: t(...) without a translator(domain) in the file")
        elif not any(message in catalogue(d, "id") for d in domains):
            problems.append(f"wallboard/{name}:{line}: {message!r} not translated in {sorted(domains)}")
    assert problems == []


@pytest.mark.parametrize("domain", sorted(catalogues()))
def test_each_translation_keeps_the_placeholders(domain: str) -> None:
    for message in messages(catalogues()[domain]):
        assert message.string, f"{domain}: {message.id!r} has no translation"
        assert not message.fuzzy, f"{domain}: {message.id!r} is fuzzy"
        assert sorted(PLACEHOLDER.findall(str(message.string))) == sorted(PLACEHOLDER.findall(str(message.id))), \
            f"{domain}: {message.id!r}"


def test_english_is_the_message_id_and_indonesian_comes_from_the_catalogue() -> None:
    assert gettext("wall", "en", "WARNING") == "WARNING"
    assert gettext("wall", "id", "WARNING") == "WASPADA"
    assert gettext("wall", "id", "{n} rows", n="1.234") == "1.234 baris"
    assert {"waspada", "kritis", "lalu", "sumber"} <= indonesian_words()
    assert "normal" not in indonesian_words() and "target" not in indonesian_words()  # the same in English
