"""The shared text check (workhub.validation.clean_text) every free-text field goes through:
names of people and departments, notes, reasons, reports."""

from __future__ import annotations

import pytest

from workhub.auth.passwords import has_hidden_characters
from workhub.errors import DomainError
from workhub.validation import clean_text

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man ZWJ woman ZWJ girl
HEART_ON_FIRE = "\u2764\ufe0f\u200d\U0001f525"
WAVE_WITH_TONE = "\U0001f44b\U0001f3fd\u200d\U0001f469"

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.parametrize("text", ["山田　花子", "やまだ はなこ", FAMILY, HEART_ON_FIRE,
                                  WAVE_WITH_TONE, f"山田 {FAMILY}"])
def test_visible_text_and_emoji_sequences_pass(app_ctx, text):
    assert not has_hidden_characters(text)
    assert clean_text(text, "Name", 120, required=True) == text


@pytest.mark.parametrize("text", [
    "山\u200d田",        # a joiner between letters: two names that look alike
    "\u200d\U0001f600",  # a joiner with nothing before it
    "\U0001f600\u200d",  # ... or after it
    "a\u200bb",          # zero-width space
    "a\u202eb",          # right-to-left override
    "a\ue000b",          # private use
    "a\x00b", "a\x1bb", "a\x7fb",
    "one\u2028two",
])
def test_hidden_characters_are_refused(app_ctx, text):
    assert has_hidden_characters(text)
    with pytest.raises(DomainError, match="control characters"):
        clean_text(text, "Name", 120, required=True)


def test_required_long_and_not_text(app_ctx):
    with pytest.raises(DomainError, match="required"):
        clean_text("   ", "Name", 120, required=True)
    assert clean_text("   ", "Name", 120) is None
    with pytest.raises(DomainError, match="too long"):
        clean_text("x" * 121, "Name", 120)
    with pytest.raises(DomainError, match="must be text"):
        clean_text(42, "Name", 120)


def test_multiline_keeps_breaks_and_tabs_only_when_asked(app_ctx):
    assert clean_text("a\r\nb\rc\td", "Notes", 100, multiline=True) == "a\nb\nc\td"
    with pytest.raises(DomainError):
        clean_text("a\nb", "Name", 100)
