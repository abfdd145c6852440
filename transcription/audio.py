"""Decode recordings with PyAV and refuse the ones that cannot be transcribed.

PyAV's wheel bundles FFmpeg, so wav, mp3, m4a, mp4/mov (video ignored), webm/opus, ogg and
flac all decode without a system ffmpeg. Every refusal is an `AudioError` with a stable
`code` the web layer turns into a translated message.

A recording is opened only with the demuxer its extension names (`DEMUXERS`) and only
through FFmpeg's `file` protocol: FFmpeg's own guess would pick the concat or HLS demuxer
for a script or playlist renamed .mp3 and open the files or URLs it lists. Untrusted files
are decoded in a child process with limits (`transcription.sandbox`), never in the web
process or the worker.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
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
# Extension → the one FFmpeg demuxer a recording so named is read with.
DEMUXERS = {"wav": "wav", "mp3": "mp3", "m4a": "mov", "mp4": "mov", "mov": "mov",
            "webm": "matroska", "ogg": "ogg", "flac": "flac"}
# FFmpeg options of every open: local files only (no network, no pipes, no subprocess).
_OPEN_OPTIONS = {"protocol_whitelist": "file"}


class AudioError(ValueError):
    """A recording that cannot be transcribed; `code` says why, `str()` says it in English."""

    EMPTY = "empty"
    NOT_MEDIA = "not_media"
    NO_AUDIO = "no_audio"
    TRUNCATED = "truncated"
    SILENT = "silent"
    TOO_LONG = "too_long"
    LIMITS = "limits"  # the decoding child ran out of memory or time, or died
    CODES = (EMPTY, NOT_MEDIA, NO_AUDIO, TRUNCATED, SILENT, TOO_LONG, LIMITS)

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def demuxer(path: str | os.PathLike[str], ext: str | None = None) -> str:
    """The FFmpeg demuxer for ``ext`` (an extension), else for the file's own suffix."""
    ext = (ext or os.fspath(path).rpartition(".")[2]).lower().lstrip(".")
    if ext not in DEMUXERS:
        raise AudioError(AudioError.NOT_MEDIA,
                         "The file's extension is not one of a recording WorkHub reads.")
    return DEMUXERS[ext]


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


_MAGIC = {  # demuxer → does a file's beginning look like its kind
    "wav": lambda head: head[:4] == b"RIFF",
    "mp3": lambda head: head[:3] == b"ID3" or (head[:1] == b"\xff" and head[1] >= 0xe0),
    "mov": lambda head: head[4:8] == b"ftyp",
    "matroska": lambda head: head[:4] == b"\x1a\x45\xdf\xa3",
    "ogg": lambda head: head[:4] == b"OggS",
    "flac": lambda head: head[:4] == b"fLaC",
}


def _looks_like_media(path: str | os.PathLike[str], fmt: str) -> bool:
    """Tell from the first bytes whether a file that failed to open was meant to be media
    of the kind its extension says."""
    with open(path, "rb") as fh:
        head = fh.read(12)
    return len(head) >= 8 and _MAGIC[fmt](head)


def _open(path: str | os.PathLike[str], ext: str | None = None
          ) -> av.container.InputContainer:
    fmt = demuxer(path, ext)
    if os.path.getsize(path) == 0:
        raise AudioError(AudioError.EMPTY, "The file is empty (0 bytes).")
    try:
        return av.open(os.fspath(path), mode="r", format=fmt, metadata_errors="ignore",
                       container_options=_OPEN_OPTIONS)
    except (av.error.InvalidDataError, av.error.EOFError) as exc:
        if _looks_like_media(path, fmt):
            raise AudioError(AudioError.TRUNCATED,
                             "The recording is damaged or cut off: its beginning is that of a "
                             "media file but it cannot be opened.") from exc
        raise AudioError(AudioError.NOT_MEDIA,
                         "The file is not an audio or video recording.") from exc
    except av.error.FFmpegError as exc:
        raise AudioError(AudioError.NOT_MEDIA, f"The recording cannot be read: {exc}.") from exc


def _too_long(max_seconds: float, what: str) -> AudioError:
    return AudioError(AudioError.TOO_LONG,
                      f"The recording {what} longer than the {max_seconds / 3600:g} hours "
                      "accepted.")


def probe(path: str | os.PathLike[str], ext: str | None = None,
          max_seconds: float | None = None) -> AudioInfo:
    """Decode a recording to the end and describe it, or refuse it.

    The whole file is decoded (streamed, nothing kept) because a header can lie: only
    decoding tells a cut-off or silent file from a good one. Decoding stops as soon as it
    passes ``max_seconds``; a header announcing more is refused before decoding.

    Args:
      path: A local file (untrusted: call it through `transcription.sandbox`).
      ext: The extension the file was uploaded with; else the path's suffix.
      max_seconds: The longest recording accepted; None for no limit.

    Returns:
      AudioInfo for a recording worth transcribing.

    Raises:
      AudioError: empty, not media, no audio track, truncated or undecodable, silent, or
        longer than ``max_seconds``.
    """
    limit = int(max_seconds * SAMPLE_RATE) if max_seconds else None
    with _open(path, ext) as container:
        if not container.streams.audio:
            raise AudioError(AudioError.NO_AUDIO,
                             "The file has no audio track (a video without sound?).")
        stream = container.streams.audio[0]
        declared = _wav_declared_duration(path) or _declared_duration(container, stream)
        if max_seconds and declared > max_seconds:
            raise _too_long(max_seconds, "announces itself")
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
                if limit is not None and samples > limit:
                    raise _too_long(max_seconds, "is")
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


def pcm_blocks(path: str | os.PathLike[str], ext: str | None = None, channels: int = 1
               ) -> Iterator[np.ndarray]:
    """Decode to 16 kHz 16-bit PCM, frame by frame: arrays of shape (samples, channels).

    Stereo is mixed to mono by FFmpeg's resampler unless ``channels`` is 2 (as
    faster-whisper's `decode_audio` does). Damaged packets are skipped, as `probe` does.
    """
    layout = "stereo" if channels == 2 else "mono"
    with _open(path, ext) as container:
        if not container.streams.audio:
            raise AudioError(AudioError.NO_AUDIO, "The file has no audio track.")
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="s16", layout=layout, rate=SAMPLE_RATE)
        try:
            for packet in container.demux(stream):
                try:
                    frames = packet.decode()
                except (av.error.InvalidDataError, av.error.EOFError):
                    continue
                for frame in frames:
                    for out in resampler.resample(frame):
                        yield out.to_ndarray().reshape(-1, channels)
            for out in resampler.resample(None):
                yield out.to_ndarray().reshape(-1, channels)
        except av.error.FFmpegError as exc:
            raise AudioError(AudioError.TRUNCATED,
                             f"The recording is damaged and cannot be decoded: {exc}.") from exc
        finally:
            del resampler
            gc.collect()


def load_audio(path: str | os.PathLike[str], channels: int = 1, ext: str | None = None
               ) -> list[np.ndarray]:
    """Decode a whole (trusted) file to 16 kHz float32 in memory: one mono mix, or left and
    right when `channels` is 2. The worker decodes to a file instead (`pcm`).

    Returns:
      A list of one or two 1-D float32 arrays of equal length.
    """
    blocks = list(pcm_blocks(path, ext, channels))
    pcm = np.concatenate(blocks) if blocks else np.zeros((0, channels), np.int16)
    audio = pcm.astype(np.float32) / 32768.0
    return [audio[:, i].copy() for i in range(channels)]


BLOCK = 1 << 20  # samples per block where a whole signal is scanned


def rms(audio, block: int = BLOCK) -> float:
    """Root mean square of a signal (an array or a `pcm.PcmSignal`; 0.0 for an empty one)."""
    if audio.size == 0:
        return 0.0
    total = sum(float(np.dot(x, x)) for x in
                (audio[i:i + block].astype(np.float64) for i in range(0, audio.size, block)))
    return float(np.sqrt(total / audio.size))


def _mean(a, n: int, block: int) -> float:
    return sum(float(a[i:min(n, i + block)].sum(dtype=np.float64))
               for i in range(0, n, block)) / n


def correlation(a, b, block: int = BLOCK) -> float:
    """Pearson correlation of two equal-length signals, in blocks to spare memory."""
    n = min(a.size, b.size)
    if n == 0:
        return 1.0
    ma, mb = _mean(a, n, block), _mean(b, n, block)
    sab = saa = sbb = 0.0
    for i in range(0, n, block):
        x = a[i:min(n, i + block)].astype(np.float64) - ma
        y = b[i:min(n, i + block)].astype(np.float64) - mb
        sab += float(np.dot(x, y))
        saa += float(np.dot(x, x))
        sbb += float(np.dot(y, y))
    if saa == 0.0 or sbb == 0.0:
        return 1.0
    return sab / float(np.sqrt(saa * sbb))


# Two channels are separate speakers when both carry sound and they are not the same signal.
SPLIT_MAX_CORRELATION = 0.7
SPLIT_MIN_LEVEL_RATIO = 10 ** (-30 / 20)  # the quieter channel within 30 dB of the louder


def channels_differ(left, right) -> bool:
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


def phase_inverted(left, right) -> bool:
    """Tell whether one channel is the other recorded upside down (mixed by subtracting)."""
    return correlation(left, right) < -SPLIT_MAX_CORRELATION


def mono_mix(left: np.ndarray, right: np.ndarray, inverted: bool | None = None) -> np.ndarray:
    """Mix a stereo pair to mono, without cancelling a channel recorded phase-inverted.

    ``inverted`` is `phase_inverted` of the whole pair when ``left`` and ``right`` are
    pieces of it; None to judge these samples alone.
    """
    if phase_inverted(left, right) if inverted is None else inverted:
        return ((left - right) / 2).astype(np.float32)
    return ((left + right) / 2).astype(np.float32)
