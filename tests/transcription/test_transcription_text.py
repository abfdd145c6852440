"""Text levels: 素起こし (verbatim), ケバ取り (clean), 整文 (edited); Japanese and English.

Each test walks a table of cases and reports every mismatch at once; one test function per
table keeps the suite fast (every test pays for the database clean-up of conftest.py).
"""

from __future__ import annotations

import pytest

from transcription.text import LEVELS, apply_level, clean, edit

JA_FILLERS = [
    ("えー、今日はですね、あのー、予算について", "今日はですね、予算について"),
    ("えーと、議題は二つです", "議題は二つです"),
    ("えーっと、次の議題です", "次の議題です"),
    ("えっと、資料をご覧ください", "資料をご覧ください"),
    ("あのう、すみません", "すみません"),
    ("あの、その件ですが", "その件ですが"),
    ("まあ、そうですね", "そうですね"),
    ("その、資料ですが", "資料ですが"),
    ("そのー、予算の話です", "予算の話です"),
    ("うーん、難しいですね", "難しいですね"),
    ("んー、どうでしょう", "どうでしょう"),
    ("えー 本日の会議を始めます", "本日の会議を始めます"),
    ("えっと、あの、その件は", "その件は"),
    ("わ、わたしは反対です", "わたしは反対です"),
    ("予算は、えー、三億円です", "予算は、三億円です"),
]


def test_clean_removes_japanese_fillers():
    wrong = [(text, clean(text), want) for text, want in JA_FILLERS if clean(text) != want]
    assert not wrong


JA_WORDS = [
    "あの人が来ました",  # あの + noun is a word
    "あの件はどうなりましたか",
    "まあまあの出来です",  # まあまあ is an adjective
    "その資料を見てください",  # その + noun
    "ええ、そうです",  # ええ is "yes"
    "うん、分かった",  # うん is "yes"
    "えいご の しりょう",  # え inside a word
    "まずは説明します",  # ま at the start of a word
    "なんかいも確認しました",
    "予算は3.5億円です",
]


def test_clean_keeps_words_that_look_like_fillers():
    wrong = [(text, clean(text)) for text in JA_WORDS if clean(text) != text]
    assert not wrong


EN_FILLERS = [
    ("Um, I think, uh, we should go.", "I think we should go."),
    ("uh I see", "I see"),
    ("Er, the budget is ready.", "the budget is ready."),
    ("so, you know, the plan is ready", "so the plan is ready"),
    ("th- the meeting starts", "the meeting starts"),
    ("Hmm, let me check.", "let me check."),
]


def test_clean_removes_english_fillers():
    wrong = [(text, clean(text), want) for text, want in EN_FILLERS if clean(text) != want]
    assert not wrong


EN_WORDS = [
    "Umbrella and human error",  # um/er inside words
    "Do you know the answer?",  # "you know" as a verb phrase
    "You know what, fine.",
    "I like the plan.",  # "like" is never touched
    "Uhuru Park is closed.",
    "We had 3.5 million. OK?",
]


def test_clean_keeps_english_words():
    wrong = [(text, clean(text)) for text in EN_WORDS if clean(text) != text]
    assert not wrong


EDITS = [
    ("今日は いい 天気 です", "今日はいい天気です"),
    ("予算は,来年度に.", "予算は、来年度に。"),
    ("これはペンです?", "これはペンです？"),
    ("はい、はい、分かりました", "はい、分かりました"),
    ("そうですね、そうですね、検討します", "そうですね、検討します"),
    ("えー、会議を、、始めます。。", "会議を、始めます。"),
    ("i mean the budget. it is fine", "I mean the budget. It is fine"),
    ("so, you know, the the plan is ready", "So the plan is ready"),
    ("we met the the mayor", "We met the mayor"),
    ("日本語と English が混ざる", "日本語と English が混ざる"),
]


def test_edit_tidies_punctuation_spacing_and_repeats():
    wrong = [(text, edit(text), want) for text, want in EDITS if edit(text) != want]
    assert not wrong


EDIT_KEPT = [
    "He had had enough.",  # grammatical repetition
    "I said that that plan works.",
    "まあまあの出来です",
    "あの人が来ました。",
    "予算は3.5億円です。",
    "Version 2.0 is out.",
]


def test_edit_keeps_what_is_already_right():
    wrong = [(text, edit(text)) for text in EDIT_KEPT if edit(text) != text]
    assert not wrong


def test_levels_are_computed_from_verbatim_and_reversible():
    verbatim = "えー、あのー、予算は、その、三億円です"
    assert apply_level(verbatim, "verbatim") == verbatim
    cleaned = apply_level(verbatim, "clean")
    assert cleaned == "予算は、三億円です"
    # Switching back is reading the stored verbatim text again: nothing was lost.
    assert apply_level(verbatim, "verbatim") == verbatim
    assert set(LEVELS) == {"verbatim", "clean", "edited"}


def test_clean_and_edit_are_idempotent():
    for text in ("えー、あのー、予算は、その、三億円です", "Um, the the plan, uh, works."):
        assert clean(clean(text)) == clean(text)
        assert edit(edit(text)) == edit(text)


def test_unknown_level_is_refused():
    with pytest.raises(ValueError, match="verbatim"):
        apply_level("text", "summary")
