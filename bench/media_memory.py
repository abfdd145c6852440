"""Peak memory of decoding a long recording for transcription, before and after issue 14.

Builds an Ogg/Opus file of HOURS hours from the real speech clips in tests/data (encoded
once, then their packets repeated: a few MB an hour, made in seconds), then measures, each
in a fresh process, the peak resident memory (ru_maxrss) of what the worker does before the
Whisper model sees any audio:

* ``before``: the pipeline as it was: the whole recording decoded into one float32 array
  in the worker (faster-whisper's decode_audio) and voice activity detection run over all of
  it at once;
* ``after``: `sandbox.decode` (a limited child writes 16-bit PCM to a file; its own peak is
  reported by the child) and, in the worker, voice activity detection over the file read
  piece by piece (`pcm.PcmSignal`, `chunking.plan_windows`), then every window's audio read
  once as the decoder would.

Usage: .venv/bin/python bench/media_memory.py [--hours 1 3] [--modes before after]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CLIPS = [ROOT / "tests" / "data" / "ja_reazonspeech_test_ja_1.wav",
         ROOT / "tests" / "data" / "en_jfk.wav"]


def build(path: Path, hours: float) -> Path:
    """Speech clips with pauses, encoded once as Opus, their packets repeated for ``hours``."""
    import av
    import numpy as np

    from transcription.audio import load_audio

    rate, size = 48000, 960
    pause = np.zeros(rate, np.float32)
    speech = []
    for clip in CLIPS:
        mono = load_audio(clip)[0]  # 16 kHz
        speech += [np.interp(np.arange(mono.size * 3) / 3, np.arange(mono.size), mono), pause]
    loop = np.concatenate(speech).astype(np.float32)
    loop = loop[: loop.size // size * size]
    with av.open(str(path), "w", format="ogg") as out:
        stream = out.add_stream("libopus", rate=rate, layout="mono")
        stream.bit_rate = 24000
        packets = []
        for i in range(0, loop.size, size):
            frame = av.AudioFrame.from_ndarray(loop[None, i:i + size], format="flt",
                                               layout="mono")
            frame.sample_rate, frame.pts = rate, i
            packets += [bytes(p) for p in stream.encode(frame)]
        packets = packets[4:]  # past the encoder's start-up
        for i in range(int(hours * 3600 * rate / size)):
            packet = av.Packet(packets[i % len(packets)])
            packet.stream, packet.time_base = stream, Fraction(1, rate)
            packet.pts = packet.dts = i * size
            packet.duration = size
            out.mux(packet)
    return path


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(mode: str, path: Path) -> dict:
    """Run one mode in this process and report its peak RSS (and the decoding child's)."""
    from transcription.chunking import VadSettings, plan_windows
    from transcription.chunking import _vad as whole_vad

    started = time.perf_counter()
    result = {"mode": mode, "baseline_mib": round(_peak_mib(), 1)}
    if mode == "before":
        from faster_whisper.audio import decode_audio

        from transcription.chunking import group_windows

        audio = decode_audio(str(path), 16000)
        settings = VadSettings()
        windows = group_windows(whole_vad(audio, settings), settings)
        seconds = audio.size / 16000
    else:
        from transcription import sandbox
        from transcription.pcm import PcmSignal

        with tempfile.TemporaryDirectory() as folder:
            answer = sandbox.run({"op": "decode", "path": str(path), "ext": "ogg",
                                  "folder": folder, "stereo": False,
                                  "max_seconds": 10 * 3600}, sandbox.Limits())
            result["child_mib"] = round(answer["peak_rss_kb"] / 1024, 1)
            signal = PcmSignal(answer["files"][0])
            windows = plan_windows(signal)
            for window in windows:  # what the decoder reads, batch by batch
                window.audio(signal, 9600)
            seconds = signal.size / 16000
            signal.close()
    result.update(audio_h=round(seconds / 3600, 2), windows=len(windows),
                  peak_mib=round(_peak_mib(), 1), seconds=round(time.perf_counter() - started))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, nargs="+", default=[1.0, 3.0])
    parser.add_argument("--modes", nargs="+", default=["before", "after"])
    parser.add_argument("--measure", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure[0], Path(args.measure[1]))))
        return 0
    with tempfile.TemporaryDirectory() as folder:
        for hours in args.hours:
            path = build(Path(folder) / f"speech-{hours:g}h.ogg", hours)
            for mode in args.modes:
                out = subprocess.run(  # noqa: S603 - this script, a fresh process per mode
                    [sys.executable, __file__, "--measure", mode, str(path)],
                    capture_output=True, text=True, check=True)
                print(out.stdout.strip().splitlines()[-1], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
