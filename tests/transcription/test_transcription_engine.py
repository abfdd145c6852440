"""The transcription pipeline on real clips with the real default model (Whisper base)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from tests.transcription.transcription_helpers import (
    EN_CLIP,
    JA_CLIP,
    JA_REFERENCE,
    MP3_CLIP,
    STEREO_CLIP,
    cer,
    loaded_model,
    write_wav,
)
from transcription.audio import load_audio
from transcription.decoding import DecodeSettings
from transcription.engine import (
    AudioError,
    Cancelled,
    TranscribeOptions,
    Transcript,
    transcribe,
)

# Speed where a test is not about quality: greedy decoding, no temperature fallback.
FAST = TranscribeOptions(decode=DecodeSettings(beam_size=1, fallback_temperatures=()))


@pytest.fixture(scope="module")
def model():
    return loaded_model()


@pytest.fixture(scope="module")
def japanese(model) -> Transcript:
    return transcribe(JA_CLIP, model=model, language="ja")


def _monotonic(transcript: Transcript) -> bool:
    segments = transcript.segments
    return all(s.start <= s.end <= transcript.duration + 0.05 for s in segments) and all(
        a.start <= b.start for a, b in zip(segments, segments[1:], strict=False))


def test_japanese_text_comes_out(japanese):
    assert japanese.language == "ja"
    assert japanese.duration == pytest.approx(13.0, abs=0.1)
    assert cer(japanese.text, JA_REFERENCE) < 0.5, japanese.text
    assert "聞こえ" in japanese.text
    assert _monotonic(japanese)
    assert all(s.speaker is None for s in japanese.segments)


def test_english_text_comes_out_and_the_language_is_detected(model):
    progress: list[tuple[float, float]] = []
    transcript = transcribe(EN_CLIP, model=model, language=None, options=FAST,
                            progress=lambda done, total: progress.append((done, total)))
    assert transcript.language == "en"
    words = transcript.text.lower()
    for word in ("fellow americans", "ask not", "your country"):
        assert word in words, transcript.text
    assert _monotonic(transcript)
    # Progress is in seconds of audio, never goes back, and ends at the total.
    assert progress[-1] == (pytest.approx(11.0, abs=0.1), pytest.approx(11.0, abs=0.1))
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)


def test_stereo_with_one_speaker_per_channel_yields_two_speakers(model):
    transcript = transcribe(STEREO_CLIP, model=model, language="en", options=FAST)
    assert transcript.speakers == ["1", "2"] or transcript.speakers == ["2", "1"]
    by_speaker = {sp: " ".join(s.text for s in transcript.segments if s.speaker == sp).lower()
                  for sp in ("1", "2")}
    assert "wizard" in by_speaker["1"] and "horizon" in by_speaker["2"], by_speaker
    assert all(a.start <= b.start for a, b in zip(transcript.segments,
                                                   transcript.segments[1:], strict=False))


def test_stereo_with_the_same_sound_twice_is_one_mono_speaker(model, tmp_path):
    mono = load_audio(EN_CLIP)[0]
    path = write_wav(tmp_path / "dual-mono.wav", np.stack([mono, mono * 0.8], axis=1))
    transcript = transcribe(path, model=model, language="en", options=FAST)
    assert transcript.speakers == []
    assert "country" in transcript.text.lower()


def test_mp3_decodes_and_japanese_comes_out(model):
    transcript = transcribe(MP3_CLIP, model=model, language="ja", options=FAST)
    assert transcript.segments and any("\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff"
                                       for c in transcript.text)


def test_cancellation_stops_between_batches(model):
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(Cancelled):
        transcribe(JA_CLIP, model=model, language="ja", options=FAST, cancelled=cancelled)
    with pytest.raises(Cancelled):
        transcribe(JA_CLIP, model=model, language="ja", options=FAST, cancelled=lambda: True)


def test_hostile_files_are_refused_before_decoding(model, tmp_path):
    empty = tmp_path / "empty.m4a"
    empty.write_bytes(b"")
    silent = write_wav(tmp_path / "silent.wav", np.zeros(16000 * 5))
    for path, code in ((empty, AudioError.EMPTY), (silent, AudioError.SILENT)):
        with pytest.raises(AudioError) as caught:
            transcribe(path, model=model, language="ja")
        assert caught.value.code == code


def test_the_glossary_is_accepted_every_way(model):
    for how in ("spelling", "hotwords", "prompt"):
        options = TranscribeOptions(decode=FAST.decode, glossary_as=how)
        transcript = transcribe(JA_CLIP, model=model, language="ja", options=options,
                                glossary=["マイク", "聞き取れて"])
        assert cer(transcript.text, JA_REFERENCE) < 0.6, (how, transcript.text)


def test_segments_carry_the_guard_fields(japanese):
    segment = japanese.segments[0]
    assert segment.no_speech_prob >= 0 and segment.avg_logprob <= 0
    assert segment.compression_ratio > 0
    assert isinstance(segment.doubtful, bool)


def test_engine_imports_neither_flask_nor_the_database():
    code = ("import sys, json, transcription.engine, transcription.formats, transcription.cli;"
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('flask', 'sqlalchemy', 'workhub', 'psycopg', 'flask_sqlalchemy'))))")
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True)
    assert json.loads(found.stdout) == []


def test_a_long_glossary_is_cut_to_fit_the_prompt(model):
    from faster_whisper.tokenizer import Tokenizer

    from transcription.engine import GLOSSARY_MAX_TOKENS, _glossary_terms

    tokenizer = Tokenizer(model.model.hf_tokenizer, True, task="transcribe", language="ja")
    glossary = [f"第{i}庁舎" for i in range(500)] + ["", "  ", "第1庁舎"]
    terms = _glossary_terms(tokenizer, glossary)
    assert terms[:2] == ["第0庁舎", "第1庁舎"] and len(terms) == len(set(terms))
    assert sum(len(tokenizer.encode(t)) + 1 for t in terms) <= GLOSSARY_MAX_TOKENS
