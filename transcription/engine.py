"""Whisper inference for WorkHub: a recording in, timed and checked segments out.

No Flask, no database: the worker, the `workhub transcribe` command and the benchmark call
the same `transcribe`. The pipeline:

1. probe, then decode with PyAV in a limited child process (`sandbox`) to PCM files read
   piece by piece (`pcm`), so memory stays flat whatever the length; a stereo file whose
   channels carry different people is transcribed channel by channel (speakers "1" and
   "2"), else mixed to mono;
2. voice activity detection cuts the audio into windows at pauses (`chunking`), ten
   minutes of audio at a time;
3. windows are decoded in batches with timestamps, resumed where the model stopped short
   and re-decoded at higher temperature where it looped (`decoding`);
4. the hallucination guard drops silence phrases and empty-window text, collapses loops
   and flags what it is unsure about (`guard`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from transcription import guard, sandbox
from transcription.audio import SAMPLE_RATE, AudioError, AudioInfo, mono_mix, probe
from transcription.chunking import (
    VadSettings,
    kept_pause_samples,
    plan_windows,
    speech_share,
)
from transcription.decoding import Decoder, DecodeSettings, RawSegment
from transcription.pcm import FOLDER_PREFIX, PcmSignal, remove_stale_folders
from transcription.spelling import apply_glossary

__all__ = [
    "AudioError",
    "AudioInfo",
    "Cancelled",
    "Segment",
    "TranscribeOptions",
    "Transcript",
    "probe",
    "transcribe",
]

# Languages written without spaces between words.
NO_SPACE_LANGUAGES = frozenset({"ja", "zh", "yue", "th", "lo", "my", "km", "bo"})


class Cancelled(Exception):  # noqa: N818 - it is an outcome, not an error
    """The caller asked to stop; raised between batches."""


@dataclass
class Segment:
    """A timed piece of the transcript (seconds from the start of the recording)."""

    start: float
    end: float
    text: str
    speaker: str | None = None
    no_speech_prob: float = 0.0
    avg_logprob: float = 0.0
    compression_ratio: float = 0.0
    doubtful: bool = False
    reason: str | None = None  # why it is doubtful (guard.Verdict reasons)


@dataclass
class Transcript:
    """The result of `transcribe`."""

    language: str
    duration: float
    segments: list[Segment] = field(default_factory=list)
    language_probability: float = 1.0

    @property
    def text(self) -> str:
        """All segment texts, joined as the language is written."""
        joiner = "" if self.language in NO_SPACE_LANGUAGES else " "
        return joiner.join(s.text for s in self.segments).strip()

    @property
    def speakers(self) -> list[str]:
        """The speaker labels in order of first appearance."""
        return list(dict.fromkeys(s.speaker for s in self.segments if s.speaker is not None))


@dataclass(frozen=True)
class TranscribeOptions:
    """Pipeline settings; the defaults are the ones the benchmark measured."""

    decode: DecodeSettings = field(default_factory=DecodeSettings)
    vad: VadSettings = field(default_factory=VadSettings)
    # How glossary terms are used: "spelling" (near-misses in the decoded text corrected,
    # see `spelling`), "hotwords" (faster-whisper's hotwords prefix), "prompt" (as if said
    # before), "both" (hotwords and prompt) or "none". Both ways of prompting the model
    # lost text on the benchmark; spelling does not touch decoding.
    glossary_as: str = "spelling"
    split_stereo: bool = True
    hallucination_guard: bool = True


ProgressFn = Callable[[float, float], None]
CancelledFn = Callable[[], bool]


def _whisper(model):
    """Accept a LoadedModel (transcription.model) or a faster_whisper.WhisperModel."""
    return model if hasattr(model, "feature_extractor") else model.model


# Glossary tokens at most: the prompt shares Whisper's 448-token budget with the text.
GLOSSARY_MAX_TOKENS = 150


def _glossary_terms(tokenizer, glossary: Sequence[str]) -> list[str]:
    """The terms, in the secretaries' order, as many as fit in GLOSSARY_MAX_TOKENS."""
    terms: list[str] = []
    used = 0
    for term in dict.fromkeys(t.strip() for t in glossary if t and t.strip()):
        cost = len(tokenizer.encode(term)) + 1
        if used + cost > GLOSSARY_MAX_TOKENS:
            break
        terms.append(term)
        used += cost
    return terms


def _prompt(wm, tokenizer, glossary: Sequence[str], glossary_as: str) -> list[int]:
    terms = _glossary_terms(tokenizer, glossary)
    hotwords = "、".join(terms) if terms and glossary_as in ("hotwords", "both") else None
    initial = "、".join(terms) + "。" if terms and glossary_as in ("prompt", "both") else None
    previous = tokenizer.encode(" " + initial) if initial else []
    return wm.get_prompt(tokenizer, previous, without_timestamps=False, hotwords=hotwords)


def _detect_language(wm, signals: list[PcmSignal], windows) -> tuple[str, float]:
    pieces = [(s, e) for w in windows[:3] for s, e in w.pieces] or [(0, 30 * SAMPLE_RATE)]
    if len(signals) == 1:
        speech = [signals[0][s:e] for s, e in pieces]
    else:  # two people, one per channel (so not phase-inverted): what both said
        speech = [mono_mix(signals[0][s:e], signals[1][s:e], False) for s, e in pieces]
    sample = np.concatenate(speech)[:30 * SAMPLE_RATE]
    language, probability, _ = wm.detect_language(audio=sample)
    return language, float(probability)


def _check(segments: list[RawSegment], speaker: str | None, use_guard: bool,
           glossary: Sequence[str] = ()) -> list[Segment]:
    kept: list[Segment] = []
    previous: str | None = None
    run = 0  # how many times in a row the current line was decoded
    for raw in segments:
        share = speech_share(raw.window.speech, raw.start, raw.end)
        if not use_guard:
            verdict = guard.Verdict(False, raw.text)
        else:
            verdict = guard.judge(raw.text, no_speech_prob=raw.no_speech_prob,
                                  avg_logprob=raw.avg_logprob,
                                  compression_ratio=raw.compression_ratio,
                                  speech_share=share, previous_text=previous)
            same = previous is not None and guard.key(raw.text) == guard.key(previous)
            run = run + 1 if same else 1
            if same and len(guard.key(raw.text)) >= guard.SEGMENT_LOOP_MIN_CHARS \
                    and run >= guard.SEGMENT_LOOP_REPEATS:
                # A loop across segments: keep the first copies, flagged, drop the rest.
                for earlier in kept[-(guard.SEGMENT_LOOP_REPEATS - 1):]:
                    earlier.doubtful, earlier.reason = True, "repetition"
                previous = raw.text
                continue
        previous = raw.text
        if verdict.drop:
            continue
        kept.append(Segment(
            start=round(raw.start, 2), end=round(max(raw.end, raw.start), 2),
            text=apply_glossary(verdict.text, glossary) if glossary else verdict.text,
            speaker=speaker, no_speech_prob=round(raw.no_speech_prob, 4),
            avg_logprob=round(raw.avg_logprob, 4),
            compression_ratio=round(raw.compression_ratio, 3),
            doubtful=verdict.doubtful, reason=verdict.reason))
    return kept


def transcribe(
    path: str | os.PathLike[str],
    *,
    model,
    language: str | None = "ja",
    glossary: Sequence[str] = (),
    options: TranscribeOptions | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelledFn | None = None,
    ext: str | None = None,
    limits: sandbox.Limits | None = None,
) -> Transcript:
    """Transcribe a recording.

    Args:
      path: A local audio or video file (probe it first to refuse bad uploads early).
      model: A `transcription.model.LoadedModel` or a `faster_whisper.WhisperModel`.
      language: A Whisper language code ("ja", "en" …) or None to detect it.
      glossary: Terms (place names, departments, people) the model should prefer.
      options: Pipeline settings; `TranscribeOptions()` when None.
      progress: Called as progress(seconds_done, seconds_total) after each batch.
      cancelled: Polled before each batch; when it returns True, `Cancelled` is raised.
      ext: The extension the file was accepted with (it is read as that format only);
        None for the path's own suffix.
      limits: The decoding child's limits and the longest recording; `Limits()` when None.

    Returns:
      A Transcript whose segments are in time order.

    Raises:
      AudioError: the file cannot be decoded, holds no sound, is too long, or its decoding
        exceeded the limits.
      Cancelled: `cancelled()` returned True.
    """
    options = options or TranscribeOptions()
    limits = limits or sandbox.Limits()
    remove_stale_folders()
    info = sandbox.probe(path, ext, limits)
    split = options.split_stereo and info.channels == 2
    with tempfile.TemporaryDirectory(prefix=FOLDER_PREFIX) as folder:
        files = sandbox.decode(path, ext, folder, stereo=split, limits=limits)
        signals = [PcmSignal(f) for f in files]
        try:
            return _transcribe(signals, model, language, glossary, options, progress,
                               cancelled)
        finally:
            for signal in signals:
                signal.close()


def _transcribe(signals: list[PcmSignal], model, language: str | None,
                glossary: Sequence[str], options: TranscribeOptions,
                progress: ProgressFn | None, cancelled: CancelledFn | None) -> Transcript:
    from faster_whisper.tokenizer import Tokenizer

    wm = _whisper(model)
    duration = signals[0].size / SAMPLE_RATE
    speakers: list[str | None] = ["1", "2"] if len(signals) == 2 else [None]

    plans = [plan_windows(signal, options.vad) for signal in signals]
    probability = 1.0
    if language is None:
        language, probability = _detect_language(wm, signals, plans[0])
    if not wm.model.is_multilingual:
        language = "en"
    tokenizer = Tokenizer(wm.hf_tokenizer, wm.model.is_multilingual, task="transcribe",
                          language=language)
    prompt = _prompt(wm, tokenizer, glossary, options.glossary_as)
    decoder = Decoder(wm, tokenizer, prompt, options.decode, kept_pause_samples(options.vad))

    total = duration * len(signals)
    finished = 0.0

    def on_batch(done: float) -> None:
        if progress is not None:
            progress(min(total, finished + done) / len(signals), duration)
        if cancelled is not None and cancelled():
            raise Cancelled

    if cancelled is not None and cancelled():
        raise Cancelled
    segments: list[Segment] = []
    for signal, windows, speaker in zip(signals, plans, speakers, strict=True):
        raw = decoder.run(signal, windows, on_batch)
        segments.extend(_check(raw, speaker, options.hallucination_guard,
                               glossary if options.glossary_as == "spelling" else ()))
        finished += duration
    segments.sort(key=lambda s: (s.start, s.end))
    if progress is not None:
        progress(duration, duration)
    return Transcript(language=language, duration=round(duration, 3), segments=segments,
                      language_probability=probability)
