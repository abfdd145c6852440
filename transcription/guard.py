"""Hallucination guard: what Whisper writes when nobody speaks, and its loops.

Whisper was trained on subtitled video, so over silence or noise it likes to write the
closing lines of a video (「ご視聴ありがとうございました」, "Thanks for watching"). It also
gets stuck repeating a phrase. Deleting speech is worse than keeping a doubtful line, so
only the clear cases are dropped; the rest is kept with `doubtful` and a reason for the
editor to show.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Compared after `_key`: NFKC, lower case, no spaces or punctuation.
SILENCE_PHRASES = (
    "ご視聴ありがとうございました",
    "ご視聴ありがとうございます",
    "ご清聴ありがとうございました",
    "ご清聴ありがとうございます",
    "最後までご視聴いただきありがとうございました",
    "チャンネル登録よろしくお願いします",
    "チャンネル登録お願いします",
    "チャンネル登録と高評価よろしくお願いします",
    "チャンネル登録",
    "高評価よろしくお願いします",
    "次回もお楽しみに",
    "おやすみなさい",
    "字幕視聴ありがとうございました",
    "thankyouforwatching",
    "thanksforwatching",
    "thankyouforwatchingandseeyounexttime",
    "pleasesubscribe",
    "pleasesubscribetomychannel",
    "likeandsubscribe",
    "subtitlesbytheamaraorgcommunity",
    "seeyouinthenextvideo",
)
# A silence phrase is only dropped where the audio gives it little support.
DROP_MAX_SPEECH_SHARE = 0.5
DROP_MIN_NO_SPEECH = 0.3
# Whisper's own test for "nobody spoke" (faster-whisper's defaults).
NO_SPEECH_THRESHOLD = 0.6
LOG_PROB_THRESHOLD = -1.0
COMPRESSION_RATIO_THRESHOLD = 2.4
# A unit repeated this many times in a row is a loop, whatever its length (two or more
# characters); a single character needs more ("ーーーー" is not a loop, 20 of it is).
LOOP_MIN_REPEATS = 4
LOOP_MIN_REPEATS_SINGLE = 10
_LOOP = re.compile(r"(.{2,30}?)(?:[\s、。,.!?！？]*\1){" + str(LOOP_MIN_REPEATS - 1) + ",}",
                   re.DOTALL)
_LOOP_SINGLE = re.compile(r"(.)\1{" + str(LOOP_MIN_REPEATS_SINGLE - 1) + ",}", re.DOTALL)


def key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(c for c in text if unicodedata.category(c)[0] not in "PZSC")


def is_silence_phrase(text: str) -> bool:
    """Tell whether `text` is nothing but well-known closing lines (possibly repeated)."""
    rest = key(text)
    if not rest:
        return False
    for phrase in sorted(SILENCE_PHRASES, key=len, reverse=True):
        rest = rest.replace(phrase, "")
    return rest == ""


def collapse_loops(text: str) -> tuple[str, bool]:
    """Collapse a phrase repeated many times in a row to one; return (text, changed)."""
    collapsed = _LOOP.sub(r"\1", text)
    collapsed = _LOOP_SINGLE.sub(r"\1\1\1", collapsed)
    return collapsed, collapsed != text


@dataclass(frozen=True)
class Verdict:
    """What to do with a segment: keep (perhaps with new text), flag, or drop."""

    drop: bool
    text: str
    doubtful: bool = False
    reason: str | None = None


# The same line this many times in a row is a loop across segments; later copies are dropped.
SEGMENT_LOOP_REPEATS = 3
SEGMENT_LOOP_MIN_CHARS = 6


def judge(
    text: str,
    *,
    no_speech_prob: float,
    avg_logprob: float,
    compression_ratio: float,
    speech_share: float,
    previous_text: str | None = None,
) -> Verdict:
    """Decide about one decoded segment.

    Args:
      text: The decoded text.
      no_speech_prob: Whisper's probability that its window held no speech.
      avg_logprob: The average token log probability of the window's text.
      compression_ratio: gzip ratio of the text (loops compress very well).
      speech_share: The share of the segment's time that voice activity detection heard
        as speech.
      previous_text: The text of the segment before, to catch a line said again and again.

    Returns:
      A Verdict: drop, or keep with the (loop-collapsed) text, flagged when doubtful.
    """
    if is_silence_phrase(text):
        if speech_share < DROP_MAX_SPEECH_SHARE or no_speech_prob >= DROP_MIN_NO_SPEECH:
            return Verdict(True, text, reason="silence_phrase")
        return Verdict(False, text, True, "silence_phrase")
    if no_speech_prob > NO_SPEECH_THRESHOLD and avg_logprob < LOG_PROB_THRESHOLD:
        return Verdict(True, text, reason="no_speech")
    collapsed, looped = collapse_loops(text)
    if looped:
        return Verdict(False, collapsed, True, "repetition")
    if previous_text is not None and key(text) and key(text) == key(previous_text) \
            and len(key(text)) >= 8 and speech_share < DROP_MAX_SPEECH_SHARE:
        return Verdict(True, text, reason="repeated_line")
    if compression_ratio > COMPRESSION_RATIO_THRESHOLD:
        return Verdict(False, text, True, "repetition")
    if no_speech_prob > NO_SPEECH_THRESHOLD:
        return Verdict(False, text, True, "no_speech")
    if avg_logprob < LOG_PROB_THRESHOLD:
        return Verdict(False, text, True, "low_confidence")
    if speech_share < 0.1:
        return Verdict(False, text, True, "no_voice_activity")
    return Verdict(False, text)
