"""The hallucination guard: drop what nobody said, flag what may not have been said."""

from __future__ import annotations

from transcription.guard import collapse_loops, is_silence_phrase, judge

SPOKEN = {"no_speech_prob": 0.05, "avg_logprob": -0.3, "compression_ratio": 1.2,
          "speech_share": 0.9}
SILENT = {"no_speech_prob": 0.7, "avg_logprob": -1.2, "compression_ratio": 1.1,
          "speech_share": 0.0}


def test_silence_phrases_are_recognised():
    for text in ("ご視聴ありがとうございました", "ご視聴ありがとうございました。",
                 "ご清聴ありがとうございました!", "チャンネル登録よろしくお願いします",
                 "Thank you for watching!", "Thanks for watching.",
                 "ご視聴ありがとうございました ご視聴ありがとうございました"):
        assert is_silence_phrase(text), text
    for text in ("ありがとうございました", "ご視聴ありがとうございました。次の議題です",
                 "本日はご清聴いただき", "Thank you", ""):
        assert not is_silence_phrase(text), text


def test_a_silence_phrase_alone_over_silence_is_dropped():
    verdict = judge("ご視聴ありがとうございました", **{**SPOKEN, "speech_share": 0.1})
    assert verdict.drop and verdict.reason == "silence_phrase"
    verdict = judge("Thanks for watching!", **{**SPOKEN, "no_speech_prob": 0.5})
    assert verdict.drop


def test_a_silence_phrase_over_speech_is_only_flagged():
    # Someone may really have said it at the end of a talk: keep it, mark it.
    verdict = judge("ご清聴ありがとうございました", **SPOKEN)
    assert not verdict.drop and verdict.doubtful and verdict.reason == "silence_phrase"


def test_no_speech_with_low_probability_is_dropped_either_alone_is_flagged():
    assert judge("えー", **SILENT).drop
    flagged = judge("本日の議題です", **{**SPOKEN, "no_speech_prob": 0.8})
    assert not flagged.drop and flagged.reason == "no_speech"
    flagged = judge("本日の議題です", **{**SPOKEN, "avg_logprob": -1.4})
    assert not flagged.drop and flagged.reason == "low_confidence"


def test_loops_are_collapsed_and_flagged():
    text, changed = collapse_loops("よろしくお願いします。" * 6)
    assert changed and text == "よろしくお願いします。"
    verdict = judge("はいはいはいはいはいはい", **SPOKEN)
    assert verdict.text == "はい" and verdict.doubtful and verdict.reason == "repetition"
    assert judge("ーーーーーーーーーーーーー", **SPOKEN).text == "ーーー"


def test_ordinary_repetition_is_left_alone():
    for text in ("まあまあですね", "はい、はい", "どんどん進めましょう", "Well, well, well.",
                 "一つ一つ確認します"):
        assert collapse_loops(text) == (text, False), text
        assert judge(text, **SPOKEN).text == text


def test_a_line_repeated_over_silence_is_dropped():
    line = "スタッフの皆さんにお知らせします"
    verdict = judge(line, **{**SPOKEN, "speech_share": 0.2}, previous_text=line)
    assert verdict.drop and verdict.reason == "repeated_line"
    assert not judge(line, **SPOKEN, previous_text=line).drop


def test_clean_speech_passes_untouched():
    verdict = judge("予算案について説明します", **SPOKEN)
    assert not verdict.drop and not verdict.doubtful and verdict.reason is None
