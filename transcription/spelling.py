"""Glossary spelling: put the secretaries' terms back where Whisper nearly wrote them.

Feeding the glossary to Whisper (as faster-whisper's `hotwords` or as an initial prompt)
raised the CER of the long-form benchmark from 0.46 to about 0.6 and cost a quarter of the
text: the model takes the terms for what was said before and writes less. So by default
(`TranscribeOptions.glossary_as = "spelling"`) the terms are applied after decoding: a
stretch of the text that differs from a term by one character (two for long terms), in the
same script, becomes the term (「在務省」→「財務省」, 「ロンバルト」→「ロンバルド」).
Short terms are left alone: at three characters one edit turns 外務省 into 財務省.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

MIN_LENGTH = 4  # terms shorter than this are never used for corrections
LONG_TERM = 7  # from this length two edits are allowed


def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    if "KATAKANA" in name or char == "ー":
        return "katakana"
    if "HIRAGANA" in name:
        return "hiragana"
    if "CJK" in name:
        return "kanji"
    if char.isascii() and char.isalnum():
        return "latin"
    return "other"


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (limit + 1) once it must exceed `limit`."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _scripts(text: str) -> set[str]:
    return {_script(c) for c in text}


def apply_glossary(text: str, terms: Sequence[str]) -> str:
    """Replace near-misses of glossary terms in `text` by the terms.

    Args:
      text: Decoded text.
      terms: Glossary terms (place names, departments, people).

    Returns:
      The text with each near-miss (same length ± 1, same scripts, one edit, or two for
      terms of 7+ characters) replaced; exact matches and everything else untouched.
    """
    for term in sorted({t.strip() for t in terms if len(t.strip()) >= MIN_LENGTH},
                       key=len, reverse=True):
        limit = 2 if len(term) >= LONG_TERM else 1
        scripts = _scripts(term)
        out, i = [], 0
        while i < len(text):
            best = None
            if text.startswith(term, i):
                best = (len(term), 0)
            else:
                for size in (len(term), len(term) - 1, len(term) + 1):
                    piece = text[i:i + size]
                    # One edit leaves the first or the last character as it was: a cheap
                    # test before the script check and the distance.
                    if len(piece) != size or (piece[0] != term[0] and piece[-1] != term[-1]):
                        continue
                    if _scripts(piece) != scripts:
                        continue
                    # The stretch must not cut a word of the same script in two.
                    before = text[i - 1] if i else ""
                    after = text[i + size] if i + size < len(text) else ""
                    if (before and _script(before) in scripts and _script(before) != "kanji") \
                            or (after and _script(after) in scripts
                                and _script(after) != "kanji"):
                        continue
                    distance = _distance(piece, term, limit)
                    if distance <= limit and (best is None or distance < best[1]):
                        best = (size, distance)
            if best is None:
                out.append(text[i])
                i += 1
            else:
                out.append(term)
                i += best[0]
        text = "".join(out)
    return text
