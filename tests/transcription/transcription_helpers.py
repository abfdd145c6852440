"""Shared pieces of the transcription tests: the real default model, clips, scoring."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
import unicodedata
import wave
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[1] / "data"
JA_CLIP = DATA / "ja_reazonspeech_test_ja_1.wav"
JA_REFERENCE = ("日本語ちゃんと聞き取れてますかちゃんと聞こえてんの"
                "ちゃんと聞こえてるのじゃあマイクを持ってもらって")
EN_CLIP = DATA / "en_jfk.wav"
STEREO_CLIP = DATA / "en_fasterwhisper_stereo_diarization.wav"
MP3_CLIP = DATA / "ja_commonvoice_19482490.mp3"


@functools.lru_cache(maxsize=1)
def instance_dir() -> Path:
    """An instance folder for the whole test process, the default model assembled in it."""
    from transcription.model import ensure_default_model

    path = Path(tempfile.mkdtemp(prefix="workhub-whisper-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    ensure_default_model(path / "models")
    return path


@functools.lru_cache(maxsize=1)
def loaded_model():
    """The real default model, loaded once per test process (CPU, 2 threads)."""
    from transcription.model import load_model

    return load_model(instance_dir() / "models" / "whisper-base", device="cpu",
                      compute_type="int8", cpu_threads=2)


def normalise_ja(text: str) -> str:
    """NFKC, no whitespace or punctuation/symbols, Latin lower-cased (the data README's rule)."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(c for c in text
                   if not c.isspace() and unicodedata.category(c)[0] not in "PS")


def cer(hypothesis: str, reference: str) -> float:
    """Character error rate after `normalise_ja`."""
    hyp, ref = normalise_ja(hypothesis), normalise_ja(reference)
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h))
        previous = current
    return previous[-1] / max(1, len(ref))


def write_wav(path: Path, samples: np.ndarray, rate: int = 16000) -> Path:
    """Write mono or (n, 2) stereo float samples in [-1, 1] as 16-bit PCM."""
    data = np.clip(samples, -1.0, 1.0)
    channels = 1 if data.ndim == 1 else data.shape[1]
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((data * 32767).astype("<i2").tobytes())
    return path
