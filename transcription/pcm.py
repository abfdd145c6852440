"""Decoded audio kept in a file, so that memory stays flat whatever a recording's length.

The worker's decoding child (`transcription.sandbox`) writes 16 kHz 16-bit mono PCM, one
file per transcribed channel (8 hours: 0.9 GB of disk each); the engine reads the pieces it
needs as float32 with `PcmSignal`. Reads are `pread` calls into fresh arrays, not a memory
map: mapped pages that were read would count in the worker's resident memory until the
file is closed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from transcription.audio import (
    BLOCK,
    SAMPLE_RATE,
    AudioError,
    channels_differ,
    mono_mix,
    pcm_blocks,
    phase_inverted,
)

_WIDTH = 2  # bytes per int16 sample
# The engine decodes into a temporary folder of this prefix (local disk, TMPDIR); one
# older than STALE_SECONDS was left by a worker that was killed.
FOLDER_PREFIX = "workhub-pcm-"
STALE_SECONDS = 24 * 3600


def remove_stale_folders(parent: str | os.PathLike[str] | None = None) -> int:
    """Delete the PCM folders killed workers left behind; return how many."""
    cutoff = time.time() - STALE_SECONDS
    removed = 0
    for folder in Path(parent or tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*"):
        try:
            if folder.is_dir() and not folder.is_symlink() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder)
                removed += 1
        except OSError:  # another worker removed it first, or it is not ours to remove
            continue
    return removed


class PcmSignal:
    """A 1-D float32 signal in a file of int16 samples: slice it like an array."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._fd = -1
        self.path = Path(path)
        self.size = self.path.stat().st_size // _WIDTH
        self._fd = os.open(self.path, os.O_RDONLY)

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, key: slice) -> np.ndarray:
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("a PcmSignal is read in contiguous slices")
        start, stop, _ = key.indices(self.size)
        if stop <= start:
            return np.zeros(0, np.float32)
        data = os.pread(self._fd, (stop - start) * _WIDTH, start * _WIDTH)
        return np.frombuffer(data, np.int16).astype(np.float32) / np.float32(32768.0)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __del__(self) -> None:
        self.close()


def _write_channels(path: str | os.PathLike[str], ext: str | None, channels: int,
                    outs: list[Path], max_samples: int | None) -> int:
    handles = [open(out, "wb") for out in outs]  # noqa: SIM115 - closed below
    samples = 0
    try:
        for block in pcm_blocks(path, ext, channels):
            samples += block.shape[0]
            if max_samples is not None and samples > max_samples:
                raise AudioError(AudioError.TOO_LONG,
                                 "The recording is longer than the hours accepted.")
            for i, fh in enumerate(handles):
                fh.write(np.ascontiguousarray(block[:, i]).tobytes())
    finally:
        for fh in handles:
            fh.close()
    return samples


def decode_to_files(path: str | os.PathLike[str], ext: str | None, folder: str | os.PathLike[str],
                    *, stereo: bool, max_seconds: float | None = None) -> list[Path]:
    """Decode a recording into PCM files in ``folder``; return one path per speaker track.

    With ``stereo``, left and right are kept apart when they carry different people (see
    `audio.channels_differ`) and mixed otherwise, as the engine used to do in memory; the
    mix is written block by block.
    """
    folder = Path(folder)
    max_samples = int(max_seconds * SAMPLE_RATE) if max_seconds else None
    if not stereo:
        mono = folder / "mono.pcm"
        _write_channels(path, ext, 1, [mono], max_samples)
        return [mono]
    left_path, right_path = folder / "left.pcm", folder / "right.pcm"
    _write_channels(path, ext, 2, [left_path, right_path], max_samples)
    left, right = PcmSignal(left_path), PcmSignal(right_path)
    try:
        if channels_differ(left, right):
            return [left_path, right_path]
        inverted = phase_inverted(left, right)
        mono = folder / "mono.pcm"
        with open(mono, "wb") as fh:
            for i in range(0, left.size, BLOCK):
                mix = mono_mix(left[i:i + BLOCK], right[i:i + BLOCK], inverted)
                fh.write((np.clip(mix, -1.0, 32767 / 32768) * 32768).astype(np.int16).tobytes())
    finally:
        left.close()
        right.close()
    left_path.unlink()
    right_path.unlink()
    return [mono]
