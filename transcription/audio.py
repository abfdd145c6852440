"""Decode recordings with PyAV and refuse the ones that cannot be transcribed.

PyAV's wheel bundles FFmpeg, so wav, mp3, m4a, mp4/mov (video ignored), webm/opus, ogg and
flac all decode without a system ffmpeg. Every refusal is an `AudioError` with a stable
`code` the web layer turns into a translated message.
"""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np

SAMPLE_RATE = 16000
# Below this the file holds no usable sound (digital silence, a muted microphone).
SILENCE_DBFS = -60.0
# Decoding less than this share of the length the header declares means a cut-off file.
TRUNCATED_SHARE = 0.9
# Containers whose header states the length exactly (PCM, MP4 family, FLAC). MP3, Ogg and
# WebM durations are estimates (MediaRecorder's WebM has none), so they are not compared.
_EXACT_LENGTH_FORMATS = ("wav", "aiff", "mov", "mp4", "m4a", "3gp", "flac", "caf", "w64")


class AudioError(ValueError):
    """A recording that cannot be transcribed; `code` says why, `str()` says it in English."""

    EMPTY = "empty"
    NOT_MEDIA = "not_media"
    NO_AUDIO = "no_audio"
    TRUNCATED = "truncated"
    SILENT = "silent"
    CODES = (EMPTY, NOT_MEDIA, NO_AUDIO, TRUNCATED, SILENT)

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class AudioInfo:
    """What `probe` learnt by decoding a recording to the end."""

    duration: float  # seconds actually decoded
    channels: int
    sample_rate: int
    codec: str
    container: str
    rms_dbfs: float  # loudness of the whole file, mixed to mono


def _declared_duration(container: av.container.InputContainer, stream: av.AudioStream) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * Fraction(stream.time_base))
    if container.duration is not None:
        return container.duration / av.time_base
    return 0.0


def _wav_declared_duration(path: str | os.PathLike[str]) -> float:
    """Return the length a RIFF/WAVE header announces, or 0.0 when it says nothing useful.

    FFmpeg derives a WAV file's duration from the file size, so a cut-off copy looks whole;
    the `data` chunk size in the header still tells the length it was written with.
    """
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return 0.0
    pos, byte_rate = 12, 0
    while pos + 8 <= len(head):
        chunk, size = head[pos:pos + 4], int.from_bytes(head[pos + 4:pos + 8], "little")
        if chunk == b"fmt " and pos + 20 <= len(head):
            byte_rate = int.from_bytes(head[pos + 16:pos + 20], "little")
        elif chunk == b"data":
            # 0 and 0xFFFFFFFF mark a header written before the length was known (streaming).
            if byte_rate and size not in (0, 0xFFFFFFFF):
                return size / byte_rate
            return 0.0
        pos += 8 + size + (size & 1)
    return 0.0


def _dbfs(sum_squares: float, count: int) -> float:
    if count == 0 or sum_squares <= 0.0:
        return -120.0
    return float(10.0 * np.log10(sum_squares / count))


def _looks_like_media(path: str | os.PathLike[str]) -> bool:
    """Tell from the first bytes whether a file that failed to open was meant to be media."""
    with open(path, "rb") as fh:
        head = fh.read(12)
    return (head[:4] in (b"RIFF", b"OggS", b"fLaC", b"FORM", b"\x1a\x45\xdf\xa3")
            or head[:3] == b"ID3" or head[4:8] == b"ftyp")


def _open(path: str | os.PathLike[str]) -> av.container.InputContainer:
    if os.path.getsize(path) == 0:
        raise AudioError(AudioError.EMPTY, "The file is empty (0 bytes).")
    try:
        return av.open(os.fspath(path), mode="r", metadata_errors="ignore")
    except (av.error.InvalidDataError, av.error.EOFError) as exc:
        if _looks_like_media(path):
            raise AudioError(AudioError.TRUNCATED,
                             "The recording is damaged or cut off: its beginning is that of a "
                             "media file but it cannot be opened.") from exc
        raise AudioError(AudioError.NOT_MEDIA,
                         "The file is not an audio or video recording.") from exc
    except av.error.FFmpegError as exc:
        raise AudioError(AudioError.NOT_MEDIA, f"The recording cannot be read: {exc}.") from exc


def probe(path: str | os.PathLike[str]) -> AudioInfo:
    """Decode a recording to the end and describe it, or refuse it.

    The whole file is decoded (streamed, nothing kept) because a header can lie: only
    decoding tells a cut-off or silent file from a good one.

    Args:
      path: A local file.

    Returns:
      AudioInfo for a recording worth transcribing.

    Raises:
      AudioError: empty, not media, no audio track, truncated or undecodable, or silent.
    """
    with _open(path) as container:
        if not container.streams.audio:
            raise AudioError(AudioError.NO_AUDIO,
                             "The file has no audio track (a video without sound?).")
        stream = container.streams.audio[0]
        declared = _wav_declared_duration(path) or _declared_duration(container, stream)
        channels = stream.codec_context.channels or 1
        rate = stream.codec_context.sample_rate or 0
        codec = stream.codec_context.name or "?"
        fmt = container.format.name or "?"
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        samples, sum_squares, errors = 0, 0.0, 0
        try:
            for packet in container.demux(stream):
                try:
                    frames = packet.decode()
                except (av.error.InvalidDataError, av.error.EOFError):
                    errors += 1  # a damaged packet: keep going, judge by what decoded
                    continue
                for frame in frames:
                    for out in resampler.resample(frame):
                        data = out.to_ndarray().astype(np.float64, copy=False).ravel()
                        samples += data.size
                        sum_squares += float(np.dot(data, data))
            for out in resampler.resample(None):
                data = out.to_ndarray().astype(np.float64, copy=False).ravel()
                samples += data.size
                sum_squares += float(np.dot(data, data))
        except av.error.FFmpegError as exc:
            raise AudioError(AudioError.TRUNCATED,
                             f"The recording is damaged and cannot be decoded: {exc}.") from exc
        finally:
            del resampler
            gc.collect()  # PyAV resamplers hold native buffers until collected

    duration = samples / SAMPLE_RATE
    if samples == 0:
        raise AudioError(AudioError.TRUNCATED,
                         "No sound could be decoded: the recording is damaged or cut off.")
    exact = codec.startswith("pcm_") or any(n in fmt.split(",") for n in _EXACT_LENGTH_FORMATS)
    if exact and declared > 0 and duration < declared * TRUNCATED_SHARE:
        raise AudioError(AudioError.TRUNCATED,
                         f"The recording is cut off: {duration:.1f} s of the {declared:.1f} s "
                         "its header announces could be decoded. Upload the complete file.")
    rms = _dbfs(sum_squares, samples)
    if rms < SILENCE_DBFS:
        raise AudioError(AudioError.SILENT,
                         f"The recording is silent ({rms:.0f} dBFS): check the microphone.")
    return AudioInfo(duration=duration, channels=channels, sample_rate=rate, codec=codec,
                     container=fmt, rms_dbfs=rms)


def load_audio(path: str | os.PathLike[str], channels: int = 1) -> list[np.ndarray]:
    """Decode to 16 kHz float32: one mono mix, or left and right when `channels` is 2.

    Args:
      path: A local file (already accepted by `probe`).
      channels: 2 to keep the stereo channels apart, else 1.

    Returns:
      A list of one or two 1-D float32 arrays of equal length.
    """
    from faster_whisper.audio import decode_audio

    try:
        if channels == 2:
            left, right = decode_audio(os.fspath(path), SAMPLE_RATE, split_stereo=True)
            return [left, right]
        return [decode_audio(os.fspath(path), SAMPLE_RATE)]
    except IndexError as exc:  # PyAV: no audio stream
        raise AudioError(AudioError.NO_AUDIO, "The file has no audio track.") from exc
    except av.error.FFmpegError as exc:
        raise AudioError(AudioError.NOT_MEDIA, f"The recording cannot be read: {exc}.") from exc


def rms(audio: np.ndarray) -> float:
    """Root mean square of a signal (0.0 for an empty one)."""
    if audio.size == 0:
        return 0.0
    return float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))


def correlation(a: np.ndarray, b: np.ndarray, block: int = 1 << 20) -> float:
    """Pearson correlation of two equal-length signals, in blocks to spare memory."""
    n = min(a.size, b.size)
    if n == 0:
        return 1.0
    ma, mb = float(a[:n].mean(dtype=np.float64)), float(b[:n].mean(dtype=np.float64))
    sab = saa = sbb = 0.0
    for i in range(0, n, block):
        x = a[i:i + block].astype(np.float64) - ma
        y = b[i:i + block].astype(np.float64) - mb
        sab += float(np.dot(x, y))
        saa += float(np.dot(x, x))
        sbb += float(np.dot(y, y))
    if saa == 0.0 or sbb == 0.0:
        return 1.0
    return sab / float(np.sqrt(saa * sbb))


# Two channels are separate speakers when both carry sound and they are not the same signal.
SPLIT_MAX_CORRELATION = 0.7
SPLIT_MIN_LEVEL_RATIO = 10 ** (-30 / 20)  # the quieter channel within 30 dB of the louder


def channels_differ(left: np.ndarray, right: np.ndarray) -> bool:
    """Tell whether a stereo pair holds different speakers (one per channel).

    A mono recording stored as stereo has identical (or level-shifted) channels and a
    correlation near 1; a recording with one microphone per person does not. A channel
    that is (almost) silent is not a speaker of its own.
    """
    level_l, level_r = rms(left), rms(right)
    loud, quiet = max(level_l, level_r), min(level_l, level_r)
    if loud == 0.0 or quiet < loud * SPLIT_MIN_LEVEL_RATIO:
        return False
    return abs(correlation(left, right)) < SPLIT_MAX_CORRELATION


def mono_mix(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Mix a stereo pair to mono, without cancelling a channel recorded phase-inverted."""
    if correlation(left, right) < -SPLIT_MAX_CORRELATION:
        return ((left - right) / 2).astype(np.float32)
    return ((left + right) / 2).astype(np.float32)
