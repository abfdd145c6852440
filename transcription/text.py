"""Transcript text levels: 素起こし (verbatim), ケバ取り (clean) and 整文 (edited).

The verbatim text is what is stored; the other levels are computed from it on demand, so
switching level loses nothing and can always be switched back. Japanese and English rules
both run on every text (meetings switch language mid-sentence); each rule only matches its
own script. Rules are deliberately narrow: a filler is removed only where it cannot be a
word (「あの人」 keeps あの, 「まあまあ」 stays, "like" is never touched).
"""

from __future__ import annotations

import re
import unicodedata

LEVELS = ("verbatim", "clean", "edited")

# Japanese script (kana, kanji, the prolonged sound mark, iteration marks).
_JA = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f々〆ヵヶ"
_JA_CHAR = f"[{_JA}]"
# What may follow a filler for it to be one: a pause mark, a space, the end, or more filler.
_PAUSE = r"(?:[、,，…‥]+|\s+|(?=[。.!?！？])|$)"
_START = r"(?:(?<=^)|(?<=[\s、。,，!?！？…「『（(]))"

# Fillers that are never words, with any lengthening (ー, ～, っ) they take.
_JA_ALWAYS = [
    r"え[ー～〜]+(?:っ?と)?",  # えー, えーと, えーっと
    r"えっ?と[ー～〜]*",  # えっと, えと
    r"ええ[ー～〜]*っ?と",  # ええと, ええっと
    r"あの[ー～〜う]+",  # あのー, あのう
    r"その[ー～〜]+",  # そのー
    r"う[ー～〜]+ん",  # うーん
    r"ん[ー～〜]+",  # んー
    r"あ[ー～〜]+",  # あー
    r"ま[ー～〜]+",  # まー
    r"なんか[ー～〜]+",  # なんかー
]
# Fillers that are also words: removed only when a pause follows them (「あの、」 not 「あの人」).
_JA_WHEN_PAUSED = [r"あの", r"その", r"まあ", r"えー", r"え", r"ま", r"なんか"]

_JA_FILLER = re.compile(
    _START + r"(?:" + "|".join(_JA_ALWAYS) + r")" + _PAUSE
    + r"|" + _START + r"(?:" + "|".join(_JA_WHEN_PAUSED) + r")(?:[、,，…‥]+|\s+)"
    # 「まあまあ」 and 「あの人」 never reach here: nothing but a pause may follow.
)
# A stutter: one kana, a pause mark, then a word starting with the same kana (わ、わたし).
_JA_STUTTER = re.compile(r"(?<![" + _JA + r"])([\u3040-\u30ff])[、,，…ー-]+(?=\1)")

_EN_FILLERS = r"(?:u+h+|u+m+|e+r+m*|h+m+|a+h+|mhm|uh-huh)"
_EN_FILLER = re.compile(
    r"(?<![\w'-])" + _EN_FILLERS + r"(?![\w'-])[,.…]*\s*", re.IGNORECASE)
# Between commas a filler takes its commas with it: "I think, uh, we" → "I think we".
_EN_FILLER_COMMAS = re.compile(r"(?<=\w),\s*" + _EN_FILLERS + r"\s*,\s*", re.IGNORECASE)
# "you know" only between commas (", you know, ") where it is a filler, not an object.
_EN_YOU_KNOW = re.compile(r"(?<=\w),\s*you know\s*,\s*", re.IGNORECASE)
# "th- the", "I- I": a cut-off word followed by the whole word.
_EN_STUTTER = re.compile(r"\b(\w+)-\s+(?=\1)", re.IGNORECASE)


def _tidy_spaces(text: str) -> str:
    text = re.sub(r"[ \t\u3000]{2,}", " ", text)
    text = re.sub(r"\s+([,.!?;:])", r"\1", text)
    text = re.sub(r"^[\s、,，。.]+", "", text)
    return text.strip()


def clean(text: str) -> str:
    """ケバ取り: remove fillers and stutters, keep every word.

    Args:
      text: Verbatim text.

    Returns:
      The text without えー、えっと、あのー、まあ… / um, uh, er and cut-off repetitions.
    """
    previous = None
    while previous != text:  # fillers come in runs: 「えー、あのー、」
        previous = text
        text = _JA_FILLER.sub("", text)
    text = _JA_STUTTER.sub("", text)
    text = _EN_YOU_KNOW.sub(" ", text)
    text = _EN_FILLER_COMMAS.sub(" ", text)
    text = _EN_FILLER.sub("", text)
    text = _EN_STUTTER.sub("", text)
    # A removed filler may leave a dangling pause mark: 「、、」 or 「、。」.
    text = re.sub(r"([、,，])\s*[、,，]+", r"\1", text)
    text = re.sub(r"[、,，]\s*([。.!?！？])", r"\1", text)
    return _tidy_spaces(text)


# Words a grammatical sentence may repeat ("had had", "that that").
_EN_REPEAT_OK = {"had", "that", "is", "do"}
_EN_REPEAT = re.compile(r"\b([A-Za-z']+)(?:\s+\1\b)+", re.IGNORECASE)
# A Japanese phrase of two or more characters said twice with a pause between: 「はい、はい」.
_JA_REPEAT = re.compile(r"(" + _JA_CHAR + r"{2,}?)(?:[、,，\s]+\1)+(?!" + _JA_CHAR + r")")


def _collapse_en(match: re.Match[str]) -> str:
    word = match.group(1)
    return match.group(0) if word.lower() in _EN_REPEAT_OK else word


def _japanese_punctuation(text: str) -> str:
    # ASCII/full-width commas and stops next to Japanese become 、 and 。.
    text = re.sub(r"(?<=" + _JA_CHAR + r")\s*[,，]\s*", "、", text)
    text = re.sub(r"(?<=" + _JA_CHAR + r")\s*[.．](?!\d)\s*", "。", text)
    text = re.sub(r"(?<=" + _JA_CHAR + r")\s*\?\s*", "？", text)
    text = re.sub(r"(?<=" + _JA_CHAR + r")\s*!\s*", "！", text)
    # No space between two Japanese characters (Whisper puts them at pauses).
    text = re.sub(r"(?<=[" + _JA + r"、。！？」』）])[ \u3000]+(?=[" + _JA + r"「『（])", "", text)
    text = re.sub(r"(?<=" + _JA_CHAR + r")[ \u3000]+(?=[、。！？])", "", text)
    text = re.sub(r"、{2,}", "、", text)
    text = re.sub(r"。{2,}", "。", text)
    text = re.sub(r"、(?=[。！？])", "", text)
    return text


def _english_sentences(text: str) -> str:
    text = re.sub(r"(?<![\w'])i(?=(?:'m|'ve|'d|'ll)?(?![\w']))", "I", text)

    def upper(match: re.Match[str]) -> str:
        return match.group(1) + match.group(2).upper()

    # The first letter of the text and of each sentence after . ! ? (Latin text only).
    text = re.sub(r"(^|[.!?]\s+)([a-z])", upper, text)
    return text


def edit(text: str) -> str:
    """整文: clean, then normalise punctuation and spacing and collapse repeated words.

    Args:
      text: Verbatim text.

    Returns:
      The cleaned text with 、。 between Japanese words, no spaces inside Japanese,
      「はい、はい」→「はい」, "the the" → "the", and English sentences capitalised.
    """
    text = unicodedata.normalize("NFC", clean(text))
    text = _JA_REPEAT.sub(r"\1", text)
    text = _EN_REPEAT.sub(_collapse_en, text)
    text = _japanese_punctuation(text)
    text = _english_sentences(text)
    return _tidy_spaces(text)


def apply_level(text: str, level: str) -> str:
    """Return `text` (verbatim) at `level`: "verbatim", "clean" or "edited"."""
    if level == "verbatim":
        return text
    if level == "clean":
        return clean(text)
    if level == "edited":
        return edit(text)
    raise ValueError(f"Unknown text level {level!r}; choose one of {', '.join(LEVELS)}.")
