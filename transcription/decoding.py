"""Batched Whisper decoding of VAD windows, with timestamps, resumption and fallback.

Each batch runs the encoder once over up to `batch_size` windows and decodes them together
(beam search). A window is decoded with timestamps so that the text can be placed in time
and so that a window the model abandoned early is noticed and resumed from its last
timestamp, as faster-whisper's sequential mode does with `seek` (on the long-form
benchmark Whisper base closes some windows early; resuming brings back up to a fifth of
the text). A window whose text loops is decoded again with a stronger repetition penalty
(deterministic, unlike faster-whisper's temperature sampling, which can be added).

The encoder is given the window plus `context_s` of silence instead of a fixed 30 s: its
cost grows with the input length, CTranslate2 accepts shorter inputs, and the text was as
good or better on the benchmark (resumed leftovers, often a few seconds, become cheap).
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from transcription.audio import SAMPLE_RATE
from transcription.chunking import Window

TIME_PRECISION = 0.02  # seconds per Whisper timestamp token
CHUNK_SAMPLES = 30 * SAMPLE_RATE
N_FRAMES = 3000
# Speech the model left undecoded at the end of a window, beyond which it is resumed.
RESUME_MIN_SPEECH_S = 1.0


@dataclass(frozen=True)
class DecodeSettings:
    """Decoder settings (faster-whisper's names where they exist).

    The defaults are those measured best for speed and CER on `bench/transcription.py`
    (6 min of Japanese, 2 threads): beam 2 with a light repetition penalty (1.1) was as
    accurate as beam 3–5 and a fifth cheaper; without the penalty, Whisper base loops and
    closes windows early far more often (more resumes, more retries), and greedy decoding
    lost a tenth of CER. Retrying merely improbable text cost a third more time for no
    gain, so only loops are retried.
    """

    beam_size: int = 2
    batch_size: int = 8
    best_of: int = 5
    # Sampling fallback after the deterministic retry; off by default: it is random (a
    # benchmark run differs from the next) and costly (best_of hypotheses per window).
    fallback_temperatures: tuple[float, ...] = ()
    loop_repetition_penalty: float = 1.3
    # Generation limit per window: a loop stops here instead of at 448 tokens.
    tokens_per_second: float = 15.0
    compression_ratio_threshold: float = 2.4
    log_prob_threshold: float = -1.0
    no_speech_threshold: float = 0.6
    max_resumes: int = 2  # per window
    # Also resume a window the model closed properly while VAD heard speech after it.
    resume_skipped_speech: bool = True
    repetition_penalty: float = 1.1
    no_repeat_ngram_size: int = 0
    patience: float = 1.0
    # Re-decode a window whose text is merely improbable (not looping) too. Costly on
    # noisy or mixed-language speech, where nearly every window qualifies.
    fallback_on_low_logprob: bool = False
    # Encoder context: None for Whisper's full 30 s; else the window plus this much silence.
    context_s: float | None = 2.0


@dataclass
class RawSegment:
    """A timed piece of decoded text before the hallucination guard."""

    start: float
    end: float
    text: str
    no_speech_prob: float
    avg_logprob: float
    compression_ratio: float
    window: Window = field(repr=False)


@dataclass
class _Job:
    window: Window
    resumes: int = 0


def compression_ratio(text: str) -> float:
    """How well the text compresses: loops compress far better than speech."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def _features(wm, chunks: list[np.ndarray], context_s: float | None = None) -> np.ndarray:
    # Pad the *audio* with silence to 30 s, as Whisper was trained, rather than padding the
    # log-mel with zeros (faster-whisper's batched mode), which the model reads as noise.
    frames = N_FRAMES
    if context_s is not None:
        longest = max(c.size for c in chunks) / SAMPLE_RATE
        frames = min(N_FRAMES, int(np.ceil((longest + context_s) / 2.0)) * 200)
    samples = frames * 160
    feats = []
    for chunk in chunks:
        chunk = chunk[:samples]
        mel = wm.feature_extractor(chunk, padding=samples - chunk.size + 160)
        feats.append(mel[:, :frames])
    return np.stack(feats).astype(np.float32)


def _split_by_timestamps(
    tokens: list[int], ts_begin: int
) -> tuple[list[tuple[float, float, list[int]]], tuple[float, list[int]] | None]:
    """Split decoder output into closed (start, end, tokens) segments and an open tail.

    Whisper writes `<|t0|> text <|t1|><|t1|> text <|t2|>`; text after the last closing
    timestamp (the model stopped, or hit the length limit) is returned as the tail
    (start, tokens) so the caller can resume there or keep it.
    """
    segments: list[tuple[float, float, list[int]]] = []
    start: float | None = None
    text: list[int] = []
    for token in tokens:
        if token < ts_begin:
            text.append(token)
            continue
        time = (token - ts_begin) * TIME_PRECISION
        if start is not None and text:
            segments.append((start, time, text))
            start, text = None, []
        else:
            start = time  # an opening timestamp (the second of <|t|><|t|> opens the next)
    if text:
        tail_start = start if start is not None else (segments[-1][1] if segments else 0.0)
        return segments, (tail_start, text)
    return segments, None


class Decoder:
    """Decode windows of one audio signal with a loaded faster-whisper model."""

    def __init__(self, wm, tokenizer, prompt: list[int], settings: DecodeSettings,
                 kept_pause: int) -> None:
        from faster_whisper.transcribe import get_suppressed_tokens

        self.wm = wm
        self.tokenizer = tokenizer
        self.prompt = prompt
        self.settings = settings
        self.kept_pause = kept_pause
        self.suppress = list(get_suppressed_tokens(tokenizer, [-1]))
        # Counters for the benchmark and logs: windows decoded, resumed, re-decoded.
        self.stats = {"windows": 0, "resumed": 0, "fallback": 0, "encode_s": 0.0,
                      "generate_s": 0.0}
        self._lock = threading.Lock()
        # A model loaded with several CTranslate2 workers (one thread each) decodes parts
        # of a batch side by side: on 2 cores, 2 workers × 1 thread kept both cores busier
        # than 1 worker × 2 threads, whose small decoder steps parallelise poorly.
        self.workers = max(1, int(getattr(wm.model, "num_workers", 1) or 1))

    def _count(self, key: str, value: float) -> None:
        with self._lock:
            self.stats[key] += value

    def _generate(self, encoded, n: int, max_length: int, temperature: float = 0.0,
                  repetition_penalty: float | None = None):
        s = self.settings
        if temperature > 0:
            kwargs = {"beam_size": 1, "num_hypotheses": s.best_of, "sampling_topk": 0,
                      "sampling_temperature": temperature}
        else:
            kwargs = {"beam_size": s.beam_size, "patience": s.patience}
        return self.wm.model.generate(
            encoded, [list(self.prompt) for _ in range(n)],
            length_penalty=1.0, repetition_penalty=repetition_penalty or s.repetition_penalty,
            no_repeat_ngram_size=s.no_repeat_ngram_size,
            max_length=max_length, return_scores=True, return_no_speech_prob=True,
            suppress_blank=True, suppress_tokens=self.suppress,
            max_initial_timestamp_index=50, **kwargs)

    def _max_length(self, chunks: list[np.ndarray]) -> int:
        # A loop runs to the length limit; speech never needs more than this many tokens
        # (a window cut short here is resumed like any other that stops early).
        longest = max(c.size for c in chunks) / SAMPLE_RATE
        budget = len(self.prompt) + int(longest * self.settings.tokens_per_second) + 16
        return min(self.wm.max_length, budget)

    def _score(self, tokens: list[int], score: float) -> tuple[float, float]:
        avg_logprob = score * len(tokens) / (len(tokens) + 1)
        text = self.tokenizer.decode([t for t in tokens if t < self.tokenizer.eot]).strip()
        return avg_logprob, compression_ratio(text)

    def _failed(self, avg_logprob: float, ratio: float, no_speech: float) -> bool:
        s = self.settings
        if no_speech > s.no_speech_threshold and avg_logprob < s.log_prob_threshold:
            return False  # silence: nothing to retry
        return ratio > s.compression_ratio_threshold or (
            s.fallback_on_low_logprob and avg_logprob < s.log_prob_threshold)

    def decode_batch(self, audio: np.ndarray, jobs: list[_Job]) -> list[tuple]:
        """Decode windows together; return (tokens, avg_logprob, ratio, no_speech) each."""
        chunks = [j.window.audio(audio, self.kept_pause) for j in jobs]
        self._count("windows", len(jobs))
        self._count("resumed", sum(1 for j in jobs if j.resumes))
        tick = time.perf_counter()
        encoded = self.wm.encode(_features(self.wm, chunks, self.settings.context_s))
        self._count("encode_s", time.perf_counter() - tick)
        tick = time.perf_counter()
        first = self._generate(encoded, len(jobs), self._max_length(chunks))
        self._count("generate_s", time.perf_counter() - tick)
        outputs = []
        for result in first:
            tokens = result.sequences_ids[0]
            outputs.append((tokens, *self._score(tokens, result.scores[0]),
                            result.no_speech_prob))
        retry = [i for i, out in enumerate(outputs) if self._failed(*out[1:])]
        # First a deterministic retry (beam search with a repetition penalty), which breaks
        # most loops; then, if configured, sampling at rising temperatures.
        if retry and self.settings.loop_repetition_penalty > 1.0:
            retry = self._retry(chunks, retry, outputs,
                                repetition_penalty=self.settings.loop_repetition_penalty)
        for temperature in self.settings.fallback_temperatures:
            if not retry:
                break
            retry = self._retry(chunks, retry, outputs, temperature=temperature)
        return outputs

    def _retry(self, chunks: list[np.ndarray], retry: list[int], outputs: list[tuple],
               **kwargs) -> list[int]:
        """Decode the `retry` windows again; keep a better result; return those still bad."""
        self._count("fallback", len(retry))
        subset = [chunks[i] for i in retry]
        encoded = self.wm.encode(_features(self.wm, subset, self.settings.context_s))
        threshold = self.settings.compression_ratio_threshold
        still = []
        for i, result in zip(retry, self._generate(encoded, len(retry),
                                                   self._max_length(subset), **kwargs),
                             strict=True):
            candidates = [self._score(seq, sc) + (seq,)
                          for seq, sc in zip(result.sequences_ids, result.scores, strict=True)]
            # Prefer a hypothesis that does not loop, then the most probable one.
            avg, ratio, tokens = max(candidates, key=lambda c: (c[1] <= threshold, c[0]))
            old_avg, old_ratio = outputs[i][1], outputs[i][2]
            if ratio <= threshold and (old_ratio > threshold or avg > old_avg):
                outputs[i] = (tokens, avg, ratio, outputs[i][3])
            if self._failed(*outputs[i][1:]):
                still.append(i)
        return still

    def run(
        self,
        audio: np.ndarray,
        windows: list[Window],
        on_batch: Callable[[float], None],
    ) -> list[RawSegment]:
        """Decode all windows in time order; `on_batch(seconds_done)` runs after each batch.

        `on_batch` may raise (cancellation) to stop between batches.
        """
        queue = [_Job(w) for w in windows]
        segments: list[RawSegment] = []
        done = 0.0
        pool = ThreadPoolExecutor(self.workers) if self.workers > 1 else None
        try:
            while queue:
                batch = queue[:self.settings.batch_size]
                queue = queue[self.settings.batch_size:]
                queue = self._step(audio, batch, segments, pool) + queue
                done = max(done, queue[0].window.start / SAMPLE_RATE if queue
                           else audio.size / SAMPLE_RATE)
                on_batch(done)
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        segments.sort(key=lambda s: (s.start, s.end))
        return segments

    def _step(self, audio: np.ndarray, batch: list[_Job], segments: list[RawSegment],
              pool: ThreadPoolExecutor | None) -> list[_Job]:
        """Decode one batch (split across workers); return the jobs resuming its windows."""
        if pool is None or len(batch) < 2:
            outputs = self.decode_batch(audio, batch)
        else:
            size = -(-len(batch) // self.workers)
            parts = [batch[i:i + size] for i in range(0, len(batch), size)]
            outputs = [out for part in pool.map(lambda p: self.decode_batch(audio, p), parts)
                       for out in part]
        resumed: list[_Job] = []
        for job, output in zip(batch, outputs, strict=True):
            resume = self._place(job, output, segments)
            if resume is not None:
                resumed.append(resume)
        # Resumed windows go first: they are earlier than anything still queued. (Packing
        # the leftovers of a batch into fewer windows was measured: it loses text again.)
        return resumed

    def _place(self, job: _Job, output: tuple, segments: list[RawSegment]) -> _Job | None:
        """Add a window's segments to `segments`; return the job resuming it, if any."""
        tokens, avg, _ratio, no_speech = output
        window, kept = job.window, self.kept_pause
        parts, tail = _split_by_timestamps(tokens, self.tokenizer.timestamp_begin)
        last_end = parts[-1][1] if parts else 0.0
        rest = window.after(last_end, kept)
        left_s = rest.speech_seconds() if rest is not None else 0.0
        # Resume where the model stopped short, or where it closed early with speech left
        # (never from the window's very start: that would only repeat itself).
        wants = (tail is not None and left_s >= RESUME_MIN_SPEECH_S) or (
            self.settings.resume_skipped_speech and left_s >= RESUME_MIN_SPEECH_S + 1.0)
        resume = None
        if wants and rest is not None and last_end > 0 \
                and job.resumes < self.settings.max_resumes:
            resume = _Job(rest, job.resumes + 1)
        pieces = list(parts)
        if tail is not None and resume is None:
            length = window.length(kept) / SAMPLE_RATE
            pieces.append((tail[0], max(length, tail[0]), tail[1]))
        for start, end, text_tokens in pieces:
            text = self.tokenizer.decode(text_tokens).strip()
            if text:
                begin = window.to_recording(start, kept)
                segments.append(RawSegment(
                    start=begin, end=max(begin, window.to_recording(end, kept)), text=text,
                    no_speech_prob=no_speech, avg_logprob=avg,
                    compression_ratio=compression_ratio(text), window=window))
        return resume
