"""Free-text analysis for 課題整理: the most frequent content words and phrases of answers.

Japanese goes through SudachiPy with its bundled core dictionary (split mode C: the longest
units, so 在宅勤務 stays one word). Content words are nouns, verbs, adjectives and
adjectival nouns in their dictionary form; particles, auxiliaries, symbols, numbers,
pronouns, one-kana words and stop words are left out. Phrases are runs of nouns
(通信 + 環境 → 通信環境) and noun + の + noun (自宅のネットワーク). English: lower-case word
tokens without stop words, and bigrams of neighbouring content words.

A term counts the *answers* that contain it (not its occurrences), so one person repeating
a word does not make it frequent. The dictionary loads once per process, on first use.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

TOP_WORDS = 20
TOP_PHRASES = 15
# Sudachi refuses very long input; answers are cut into pieces at sentence ends first.
_CHUNK = 3000

_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
_ONE_KANA = re.compile(r"^[\u3040-\u30ff\uff66-\uff9f]$")
_NUMBER = re.compile(r"^[0-9０-９.,．，]+$")
_SENTENCE = re.compile(r"(?<=[。！？!?\n])")
_ENGLISH_WORD = re.compile(r"[a-z][a-z'’-]*[a-z]|[a-z]")

CONTENT_POS = ("名詞", "動詞", "形容詞", "形状詞")
# Words too common to say anything about a workplace problem.
JAPANESE_STOP = frozenset("""
する いる ある なる れる られる せる させる できる 出来る おる くる 来る いく 行く みる 見る
しまう くれる もらう いただく 下さる くださる 思う 考える 言う 感じる 欲しい ほしい ない 無い
よい 良い いい こと もの 物 事 よう 様 ため 為 ところ 所 とき 時 ほう 方 等 など 的 さん 様々
それ これ あれ どれ ここ そこ 自分 私 僕 今 今回 場合 部分 感じ 気 点 中 上 下 前 後 間 毎日
非常 とても 特に ちょっと 少し 多い 少ない
""".split())
ENGLISH_STOP = frozenset("""
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further
had has have having he her here hers herself him himself his how i if in into is it its
itself just me more most my myself no nor not now of off on once only or other our ours
ourselves out over own same she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very was we were
what when where which while who whom why will with would you your yours yourself
yourselves also get got really much many lot lots like want wish would could please make
it's i'm don't can't we're they're there's that's
""".split())


@dataclass(frozen=True)
class Term:
    text: str
    count: int  # answers that contain it


@dataclass(frozen=True)
class Analysis:
    words: list[Term]
    phrases: list[Term]
    answers: int  # how many texts were analysed


@lru_cache(maxsize=1)
def _dictionary():
    # Imported here: the dictionary (~70 MB) is mapped only when texts are analysed.
    from sudachipy import Dictionary

    return Dictionary(dict="core")


_local = threading.local()


def _tokenizer():
    """One tokenizer per thread over the process's one dictionary."""
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        from sudachipy import SplitMode

        tokenizer = _local.tokenizer = _dictionary().tokenizer(mode=SplitMode.C)
    return tokenizer


@dataclass(frozen=True)
class _Token:
    word: str  # dictionary form
    surface: str
    pos: tuple[str, ...]

    @property
    def noun(self) -> bool:
        return self.pos[0] == "名詞" and self.pos[1] != "数詞"

    @property
    def content(self) -> bool:
        return self.pos[0] in CONTENT_POS and _keep(self.word) and self.pos[1] != "数詞"


def _keep(word: str) -> bool:
    return bool(word.strip()) and not (
        word in JAPANESE_STOP or word.lower() in ENGLISH_STOP or _NUMBER.match(word)
        or _ONE_KANA.match(word) or not any(c.isalnum() for c in word))


def _japanese_tokens(text: str) -> list[_Token]:
    pieces, current = [], ""
    for sentence in _SENTENCE.split(text):
        if len(current) + len(sentence) > _CHUNK and current:
            pieces.append(current)
            current = ""
        current += sentence[:_CHUNK]
    pieces.append(current)
    tokens = []
    for piece in pieces:
        for m in _tokenizer().tokenize(piece):
            surface = m.surface()
            # Latin words keep their case (VPN, Teams); the rest their dictionary form.
            word = surface if surface.isascii() else m.dictionary_form()
            tokens.append(_Token(word, surface, tuple(m.part_of_speech())))
    return tokens


def _japanese_terms(text: str) -> tuple[set[str], set[str]]:
    tokens = _japanese_tokens(text)
    words = {t.word for t in tokens if t.content}
    # Units: runs of nouns (a compound such as 通信環境) and single other tokens.
    units: list[tuple[str, int]] = []  # (surface, how many nouns; 0 for another token)
    for token in tokens:
        noun = token.noun and not _NUMBER.match(token.surface) and token.pos[0] != "空白"
        if noun and units and units[-1][1]:
            units[-1] = (units[-1][0] + token.surface, units[-1][1] + 1)
        elif noun:
            units.append((token.surface, 1))
        else:
            units.append((token.surface if token.pos[0] == "助詞" else "", 0))
    phrases = {surface for surface, nouns in units if nouns >= 2}
    for (left, nouns_left), (particle, nouns_mid), (right, nouns_right) in zip(
            units, units[1:], units[2:], strict=False):
        if particle == "の" and not nouns_mid and nouns_left and nouns_right and _keep(
                left) and _keep(right):
            phrases.add(f"{left}の{right}")
    return words, {p for p in phrases if _keep(p)}


def _english_terms(text: str) -> tuple[set[str], set[str]]:
    tokens = _ENGLISH_WORD.findall(text.lower().replace("’", "'"))
    words = {t for t in tokens if len(t) > 1 and t not in ENGLISH_STOP}
    phrases = {f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)
               if a in words and b in words}
    return words, phrases


def terms(text: str) -> tuple[set[str], set[str]]:
    """The content words and phrases of one answer."""
    text = unicodedata.normalize("NFKC", text or "")
    if _JAPANESE.search(text):
        return _japanese_terms(text)
    return _english_terms(text)


def _top(counter: Counter, limit: int) -> list[Term]:
    ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    return [Term(text, count) for text, count in ranked[:limit]]


def analyse(texts: Sequence[str] | Iterable[str], *, top_words: int = TOP_WORDS,
            top_phrases: int = TOP_PHRASES) -> Analysis:
    """The most frequent words and phrases of ``texts`` (most answers first, then by text).

    The caller decides whether the texts may be analysed at all (the k rule)."""
    words: Counter = Counter()
    phrases: Counter = Counter()
    count = 0
    for text in texts:
        found_words, found_phrases = terms(text)
        words.update(found_words)
        phrases.update(found_phrases)
        count += 1
    return Analysis(_top(words, top_words), _top(phrases, top_phrases), count)
