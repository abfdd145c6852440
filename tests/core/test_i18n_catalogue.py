"""Every user-facing string has a Japanese translation, with the same placeholders.

The strings are extracted from the source at test time (the same way as
``make extract-messages``), so a string added without a translation fails here even when
nobody refreshed messages.pot.
"""

from __future__ import annotations

import os
import re
from functools import cache

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from workhub.config import PROJECT_ROOT

PO_FILE = PROJECT_ROOT / "workhub" / "translations" / "ja" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


@cache
def source_messages() -> dict[str, str]:
    """Map each msgid found in the source to one place that uses it."""
    with open(PROJECT_ROOT / "workhub" / "babel.cfg") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(PROJECT_ROOT), method_map, options_map, keywords=KEYWORDS,
        # Babel's default filter also skips folders starting with "_" (templates/_macros).
        directory_filter=lambda path: not os.path.basename(path).startswith("."),
    ):
        # A plural message is one catalogue entry, keyed by its singular form.
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


@cache
def catalogue():
    with open(PO_FILE, "rb") as fh:
        return read_po(fh, locale="ja")


def test_extraction_finds_the_core_strings():
    messages = source_messages()
    assert "Sign in" in messages
    assert "Personal API tokens" in messages
    assert "Nothing matches these filters." in messages  # templates/_macros/
    assert len(messages) > 50


def test_every_string_has_a_japanese_translation():
    missing = []
    for msgid, where in sorted(source_messages().items()):
        entry = catalogue().get(msgid)
        strings = entry.string if entry is not None else ""
        values = strings if isinstance(strings, tuple) else (strings,)
        if entry is None or entry.fuzzy or not all(values):
            missing.append(f"{where}: {msgid!r}")
    assert not missing, (
        f"{len(missing)} strings have no Japanese translation "
        "(run `make extract-messages`, then fill messages.po):\n" + "\n".join(missing)
    )


def test_translations_keep_the_placeholders():
    wrong = []
    for entry in catalogue():
        if not entry.id or not entry.string:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        expected = set(PLACEHOLDER.findall(ids[0]))
        for text in strings:
            if text and set(PLACEHOLDER.findall(text)) != expected:
                wrong.append(f"{ids[0]!r} -> {text!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)
