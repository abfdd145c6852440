"""Glossary spelling: near-misses become the term, everything else is left alone."""

from __future__ import annotations

from transcription.spelling import apply_glossary

TERMS = ["ロンバルド", "マレーシア", "財務省", "市民協働推進課", "Kasumigaseki"]

FIXED = [
    ("相手にロンバルトの方に", "相手にロンバルドの方に"),  # one katakana off
    ("マレーシャから買う", "マレーシアから買う"),
    ("市民共同推進課の担当です", "市民協働推進課の担当です"),  # two kanji off in a long term
    ("Kasumigaseky office", "Kasumigaseki office"),
]

KEPT = [
    "外務省の発表",  # 3-character terms never correct: one edit turns 外務省 into 財務省
    "財務省です",  # exact
    "マレーシアンな料理",  # a longer katakana word is not cut
    "ロンバルドロンバルト",  # the second one is part of a katakana compound
    "市民協働推進課",
    "予算は三億円です",
    "",
]


def test_near_misses_become_the_term():
    wrong = [(text, apply_glossary(text, TERMS), want) for text, want in FIXED
             if apply_glossary(text, TERMS) != want]
    assert not wrong


def test_other_text_is_left_alone():
    wrong = [(text, apply_glossary(text, TERMS)) for text in KEPT
             if apply_glossary(text, TERMS) != text]
    assert not wrong
    assert apply_glossary("ロンバルトの方", []) == "ロンバルトの方"
