"""Long-form Japanese transcription: faster-whisper's modes against WorkHub's pipeline.

Builds a ~6-minute recording from the Japanese clips of the shared audio set that have a
usable reference (JSUT, ReazonSpeech test and corpus clips; not audio_003, whose caption is
on-screen text, not the kana-only Julius sample, not the unverified Common Voice clips),
joined in seeded random order by 0.5–1.5 s pauses, and transcribes it in one process on
2 CPU threads (int8, Whisper base, language ja) with:

* ``sequential``  plain ``WhisperModel.transcribe`` (beam 5), faster-whisper's default;
* ``sequential+vad``  the same with ``vad_filter=True``;
* ``batched``  ``BatchedInferencePipeline.transcribe`` with its defaults (VAD, batch 8);
* ``workhub``  ``transcription.engine.transcribe`` (the worker's pipeline, from the file),
  with the model loaded as ``transcription.model.load_model`` does: the 2 threads as
  2 CTranslate2 workers of 1 thread, each decoding half of every batch.

For each: real-time factor (wall seconds / audio seconds), CPU seconds per audio second,
CER (NFKC, no whitespace or punctuation, Latin lower-cased, as the data README says),
characters out vs reference, model load time and peak resident memory during the run.
Goal: workhub RTF ≤ 0.045 (≥ 2.3× sequential) with CER no worse than the better of the two
sequential runs. The clips are read from ``--data`` and the long file is written to a
temporary folder: JSUT and ReazonSpeech corpus audio is never copied into the repository.

    .venv/bin/python bench/transcription.py
    .venv/bin/python bench/transcription.py --data ../shared/data/audio --modes batched,workhub
    .venv/bin/python bench/transcription.py --modes workhub,workhub+spelling,workhub+prompt
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import random
import sys
import tempfile
import time
import unicodedata
import wave
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "audio"
SAMPLE_RATE = 16000
EXCLUDED = ("ja_reazonspeechcorpus_audio_003", "ja_julius_segkit_sample")
MODES = ("sequential", "sequential+vad", "batched", "workhub")
EXTRA_MODES = ("workhub+spelling", "workhub+hotwords", "workhub+prompt")
# Terms a secretary would put in the glossary for these recordings (names and places).
GLOSSARY = ("マレーシア", "停戦会談", "財務省", "省庁", "ロンバルド", "夏目", "杉内", "ジミー")


# --- data --------------------------------------------------------------------------------


def scored_clips(data: Path) -> list[tuple[Path, str]]:
    """Japanese clips with a reference fit for CER, from MANIFEST.tsv."""
    with open(data / "MANIFEST.tsv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    clips = []
    for row in rows:
        if not row["language"].startswith("ja") or "unverified" in row["ref_status"]:
            continue
        if any(name in row["file"] for name in EXCLUDED):
            continue
        clips.append((data / row["file"], row["reference"]))
    return clips


def build_long_form(data: Path, minutes: float, seed: int) -> tuple[np.ndarray, str, int]:
    """Join shuffled rounds of the clips with 0.5–1.5 s pauses until `minutes` long."""
    from faster_whisper import decode_audio

    clips = scored_clips(data)
    if not clips:
        raise SystemExit(f"No Japanese clips with references under {data}")
    decoded = {path: decode_audio(str(path), SAMPLE_RATE) for path, _ in clips}
    rng = random.Random(seed)  # noqa: S311 - a reproducible order, not a secret
    pieces, references, total = [], [], 0
    while total < minutes * 60 * SAMPLE_RATE:
        order = clips[:]
        rng.shuffle(order)
        for path, reference in order:
            pause = np.zeros(int(rng.uniform(0.5, 1.5) * SAMPLE_RATE), np.float32)
            pieces += [decoded[path], pause]
            references.append(reference)
            total += decoded[path].size + pause.size
    return np.concatenate(pieces), "".join(references), len(references)


def write_wav(path: Path, audio: np.ndarray) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())


# --- scoring -----------------------------------------------------------------------------


def normalise(text: str) -> str:
    """NFKC, drop whitespace, punctuation and symbols, lower-case Latin letters."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c)[0] not in "PS")


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
        previous = current
    return previous[-1]


# --- memory ------------------------------------------------------------------------------


def _status_kib(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def reset_peak_rss() -> bool:
    """Reset the kernel's resident-set high-water mark (Linux: clear_refs 5)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


# --- modes -------------------------------------------------------------------------------


def load(model_dir: Path, threads: int, workers: int = 1):
    """A fresh faster-whisper model (not the per-process cache): each mode pays its load."""
    from faster_whisper import WhisperModel

    return WhisperModel(str(model_dir), device="cpu", compute_type="int8",
                        cpu_threads=threads // workers, num_workers=workers,
                        local_files_only=True)


def run_mode(mode: str, audio: np.ndarray, wav: Path, model_dir: Path, instance: Path,
             threads: int) -> tuple[str, float, dict]:
    """Run one mode; return (text, load seconds, extra counters)."""
    extra: dict = {}
    tick = time.perf_counter()
    workers = 1
    if mode.startswith("workhub"):
        from transcription.model import resolve_model_dir, split_threads

        # The worker verifies the assembled model (SHA-256) before loading it, and splits
        # its threads into parallel decoders (2 × 1 here) as transcription.model does.
        model_dir = resolve_model_dir(instance)
        workers = split_threads(threads)[0]
    model = load(model_dir, threads, workers)
    load_s = time.perf_counter() - tick
    if mode == "sequential":
        segments, _ = model.transcribe(audio, language="ja", beam_size=5)
        text = "".join(s.text for s in segments)
    elif mode == "sequential+vad":
        segments, _ = model.transcribe(audio, language="ja", beam_size=5, vad_filter=True)
        text = "".join(s.text for s in segments)
    elif mode == "batched":
        from faster_whisper import BatchedInferencePipeline

        segments, _ = BatchedInferencePipeline(model).transcribe(audio, language="ja",
                                                                 batch_size=8)
        text = "".join(s.text for s in segments)
    else:
        from transcription import decoding
        from transcription.engine import TranscribeOptions, transcribe

        glossary = GLOSSARY if mode != "workhub" else ()
        glossary_as = {"workhub+hotwords": "hotwords", "workhub+prompt": "prompt"}.get(
            mode, "spelling")
        stats: list[dict] = []
        original = decoding.Decoder.__init__

        def spy(self, *args, **kwargs):
            original(self, *args, **kwargs)
            stats.append(self.stats)

        decoding.Decoder.__init__ = spy
        try:
            transcript = transcribe(wav, model=model, language="ja", glossary=glossary,
                                    options=TranscribeOptions(glossary_as=glossary_as))
        finally:
            decoding.Decoder.__init__ = original
        text = transcript.text
        extra = {"windows": sum(s["windows"] for s in stats),
                 "resumed": sum(s["resumed"] for s in stats),
                 "fallback": sum(s["fallback"] for s in stats),
                 "doubtful": sum(1 for s in transcript.segments if s.doubtful)}
    del model
    gc.collect()
    return text, load_s, extra


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="the shared audio folder (with MANIFEST.tsv and ja/)")
    parser.add_argument("--minutes", type=float, default=6.0, help="length of the long file")
    parser.add_argument("--seed", type=int, default=7, help="order and pauses of the clips")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads for inference")
    parser.add_argument("--modes", default=",".join(MODES),
                        help=f"comma-separated, from {', '.join(MODES + EXTRA_MODES)}")
    parser.add_argument("--instance", type=Path, default=None,
                        help="instance folder for the assembled default model (temporary)")
    parser.add_argument("--keep-text", type=Path, default=None,
                        help="write each mode's text to DIR/<mode>.txt")
    args = parser.parse_args(argv)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = set(modes) - set(MODES + EXTRA_MODES)
    if unknown:
        parser.error(f"unknown modes: {', '.join(sorted(unknown))}")

    os.environ["HF_HUB_OFFLINE"] = "1"
    from transcription.model import ensure_default_model

    with tempfile.TemporaryDirectory(prefix="workhub-bench-") as tmp:
        instance = args.instance or Path(tmp)
        model_dir = ensure_default_model(instance / "models")
        audio, reference, n_clips = build_long_form(args.data, args.minutes, args.seed)
        wav = Path(tmp) / "long-form-ja.wav"
        write_wav(wav, audio)
        duration = audio.size / SAMPLE_RATE
        ref = normalise(reference)
        print(f"long-form file: {duration:.1f} s, {n_clips} clips, {len(ref)} reference "
              f"characters; Whisper base int8, {args.threads} CPU threads, language ja",
              flush=True)
        rows = []
        for mode in modes:
            gc.collect()
            exact_peak = reset_peak_rss()
            rss_before = _status_kib("VmRSS")
            wall, cpu = time.perf_counter(), time.process_time()
            text, load_s, extra = run_mode(mode, audio, wav, model_dir, instance, args.threads)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            peak = _status_kib("VmHWM")
            hyp = normalise(text)
            cer = edit_distance(ref, hyp) / len(ref)
            rows.append((mode, (wall - load_s) / duration, (cpu) / duration, cer, len(hyp),
                         load_s, peak / 1024, (peak - rss_before) / 1024, extra))
            print(f"  {mode}: done in {wall:.1f} s, CER {cer:.3f}, {extra or ''}", flush=True)
            if args.keep_text:
                args.keep_text.mkdir(parents=True, exist_ok=True)
                (args.keep_text / f"{mode}.txt").write_text(text, encoding="utf-8")

    print()
    print("| mode | RTF | CPU s / audio s | CER | chars out / ref | load s | peak RSS MiB "
          "(+ during run) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for mode, rtf, cpu_rate, cer, chars, load_s, peak, delta, _ in rows:
        print(f"| {mode} | {rtf:.4f} | {cpu_rate:.4f} | {cer:.3f} | {chars} / {len(ref)} | "
              f"{load_s:.2f} | {peak:.0f} (+{max(delta, 0):.0f}) |")
    if not exact_peak:
        print("(peak RSS is the process high-water mark: /proc/self/clear_refs not writable)")
    by_mode = {row[0]: row for row in rows}
    if {"sequential", "sequential+vad", "workhub"} <= by_mode.keys():
        best_cer = min(by_mode["sequential"][3], by_mode["sequential+vad"][3])
        speedup = by_mode["sequential"][1] / by_mode["workhub"][1]
        ok = by_mode["workhub"][1] <= 0.045 and by_mode["workhub"][3] <= best_cer
        print(f"\nworkhub: {speedup:.2f}x the sequential run, CER {by_mode['workhub'][3]:.3f} "
              f"vs best sequential {best_cer:.3f}: goal {'met' if ok else 'NOT met'} "
              "(RTF <= 0.045 and CER no worse)")
    print(f"load avg during the run: {os.getloadavg()[0]:.2f} (other processes slow RTF)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
