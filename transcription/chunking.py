"""Cut long recordings into decoding windows at pauses found by voice activity detection.

Why not faster-whisper's batched default: it glues the VAD speech regions end to end into
30-second chunks and decodes each chunk once, without timestamps. On a crowded chunk
Whisper writes a sentence or two, closes, and nothing picks up where it stopped: whole
sentences vanish (a third to most of the text of a long Japanese recording). Its chunks
are also padded with zero log-mel frames rather than the log-mel of silence the model was
trained with (`decoding` pads the audio instead).

Here a window is a run of speech pieces (VAD regions, padded) of at most `max_window_s`
(20 s, shorter than Whisper's 30 s so a window is rarely crowded),
joined by a short stretch of the real pause between them (so the model hears a pause, not
a splice), and each window keeps a map back to the recording's timeline. Windows are
decoded with timestamps, so one that closes early can be resumed from where it stopped
(see `decoding`). Pauses longer than the kept stretch are skipped: no encoder time is
spent on silence, and silence is where Whisper invents text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from transcription.audio import SAMPLE_RATE


@dataclass(frozen=True)
class VadSettings:
    """How speech is found and packed into windows."""

    threshold: float = 0.35  # Silero speech probability; lower keeps soft-spoken words
    min_silence_ms: int = 300  # a pause at least this long may end a region
    speech_pad_ms: int = 250  # audio kept on each side of a region (onsets, endings)
    # Window length limit. 20 s beat 14 s (more windows, less context) and 24–28 s (the
    # model closes crowded windows early more often) on the benchmark.
    max_window_s: float = 20.0
    kept_pause_s: float = 0.6  # at most this much of a pause stays between two pieces
    pack: bool = True  # False: one window per stretch of the timeline, pauses kept whole


@dataclass(frozen=True)
class Window:
    """Audio to decode: `pieces` (recording samples) joined by at most `kept_pause`."""

    pieces: tuple[tuple[int, int], ...]

    @property
    def start(self) -> int:
        return self.pieces[0][0]

    @property
    def end(self) -> int:
        return self.pieces[-1][1]

    @property
    def speech(self) -> tuple[tuple[int, int], ...]:
        """The pieces: where VAD heard speech (with its padding)."""
        return self.pieces

    def layout(self, kept_pause: int) -> list[tuple[int, int, int]]:
        """Return (window_offset, recording_start, length) for each stretch of the window.

        Between two pieces the first half of the kept pause comes from after the first
        piece and the second half from before the next, so both edges sound natural.
        """
        out: list[tuple[int, int, int]] = []
        offset = 0
        for i, (start, end) in enumerate(self.pieces):
            if i:
                gap = start - self.pieces[i - 1][1]
                if gap <= kept_pause:
                    out.append((offset, self.pieces[i - 1][1], gap))
                    offset += gap
                else:
                    half = kept_pause // 2
                    out.append((offset, self.pieces[i - 1][1], half))
                    offset += half
                    out.append((offset, start - (kept_pause - half), kept_pause - half))
                    offset += kept_pause - half
            out.append((offset, start, end - start))
            offset += end - start
        return out

    def length(self, kept_pause: int) -> int:
        """The window's length in samples, kept pauses included."""
        return sum(length for _, _, length in self.layout(kept_pause))

    def audio(self, signal: np.ndarray, kept_pause: int) -> np.ndarray:
        """The window's samples: the pieces and the kept pauses, in order."""
        parts = [signal[src:src + length] for _, src, length in self.layout(kept_pause)]
        return np.concatenate(parts) if parts else np.zeros(0, np.float32)

    def to_recording(self, seconds: float, kept_pause: int) -> float:
        """Map a time inside the window (seconds) to the recording's timeline (seconds)."""
        sample = int(round(seconds * SAMPLE_RATE))
        layout = self.layout(kept_pause)
        for offset, src, length in layout:
            if sample < offset + length:
                return (src + max(0, sample - offset)) / SAMPLE_RATE
        offset, src, length = layout[-1]
        return (src + length) / SAMPLE_RATE

    def after(self, seconds: float, kept_pause: int) -> Window | None:
        """The rest of the window from a time inside it (seconds), to resume decoding."""
        cut = int(round(self.to_recording(seconds, kept_pause) * SAMPLE_RATE))
        rest = tuple((max(s, cut), e) for s, e in self.pieces if e > cut)
        return Window(rest) if rest else None

    def speech_seconds(self) -> float:
        return sum(e - s for s, e in self.pieces) / SAMPLE_RATE


# VAD is given at most this much audio at once (its copies of the float samples are what
# it costs in memory), cut at the quietest 50 ms of the last VAD_CUT_SEARCH_S so that no
# word is cut in two. A recording this short is given whole, as it always was.
VAD_BLOCK_S = 600
VAD_CUT_SEARCH_S = 30
_HOP = 800  # 50 ms


def vad_blocks(signal, block_s: float = VAD_BLOCK_S) -> list[tuple[int, int]]:
    """Return (start, end) samples of the stretches VAD is given, in order, covering all."""
    size = signal.size
    block, search = int(block_s * SAMPLE_RATE), VAD_CUT_SEARCH_S * SAMPLE_RATE
    bounds = [0]
    while size - bounds[-1] > block:
        end = bounds[-1] + block
        tail = np.asarray(signal[end - search:end], dtype=np.float64)
        energy = np.square(tail[: tail.size // _HOP * _HOP]).reshape(-1, _HOP).sum(axis=1)
        bounds.append(end - search + int(np.argmin(energy)) * _HOP + _HOP // 2)
    return list(zip(bounds, [*bounds[1:], size], strict=True))


def speech_regions(audio, settings: VadSettings) -> list[tuple[int, int]]:
    """Return (start, end) samples of speech, padded, each shorter than a window.

    ``audio`` is a float32 array or anything sliced like one (`pcm.PcmSignal`).
    """
    if audio.size == 0:
        return []
    regions: list[tuple[int, int]] = []
    for start, end in vad_blocks(audio):
        regions += [(s + start, e + start) for s, e in _vad(audio[start:end], settings)]
    return regions


def _vad(audio: np.ndarray, settings: VadSettings) -> list[tuple[int, int]]:
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(
        threshold=settings.threshold,
        min_silence_duration_ms=settings.min_silence_ms,
        speech_pad_ms=settings.speech_pad_ms,
        # Room for the kept pauses: a region alone must fit a window.
        max_speech_duration_s=settings.max_window_s - 1.0,
    )
    return [(int(r["start"]), int(r["end"])) for r in get_speech_timestamps(audio, options)]


def group_windows(regions: list[tuple[int, int]], settings: VadSettings) -> list[Window]:
    """Pack consecutive speech regions into windows of at most `max_window_s`.

    A window never starts or ends inside a region, so no word is cut in two.
    """
    max_len = int(settings.max_window_s * SAMPLE_RATE)
    kept = int(settings.kept_pause_s * SAMPLE_RATE)
    windows: list[Window] = []
    current: list[tuple[int, int]] = []
    length = 0
    for start, end in regions:
        if current:
            gap = start - current[-1][1]
            step = (min(gap, kept) if settings.pack else gap) + (end - start)
            if length + step > max_len:
                windows.append(Window(tuple(current)))
                current, length = [], 0
            else:
                current.append((start, end))
                length += step
                continue
        current.append((start, end))
        length = end - start
    if current:
        windows.append(Window(tuple(current)))
    return windows


def plan_windows(audio, settings: VadSettings | None = None) -> list[Window]:
    """Find speech in `audio` and return the windows to decode, in time order."""
    settings = settings or VadSettings()
    return group_windows(speech_regions(audio, settings), settings)


def kept_pause_samples(settings: VadSettings) -> int:
    """The kept pause in samples; unpacked windows keep every pause whole."""
    return int(settings.kept_pause_s * SAMPLE_RATE) if settings.pack else 1 << 40


def speech_share(pieces: tuple[tuple[int, int], ...], start: float, end: float) -> float:
    """Return the share of [start, end] (recording seconds) that VAD marked as speech."""
    if end <= start:
        return 0.0
    covered = 0.0
    for r_start, r_end in pieces:
        covered += max(0.0, min(end, r_end / SAMPLE_RATE) - max(start, r_start / SAMPLE_RATE))
    return covered / (end - start)
