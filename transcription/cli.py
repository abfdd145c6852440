"""`workhub transcribe`: the worker's pipeline on one file, without the web app or database."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from transcription.formats import render
from transcription.text import LEVELS


class CliError(Exception):
    """A problem to report to the person at the terminal (one line, no traceback)."""


def run_cli(
    file: str | os.PathLike[str],
    language: str | None = "ja",
    level: str = "verbatim",
    fmt: str = "txt",
    output: str | os.PathLike[str] | None = None,
    model_dir: str | os.PathLike[str] | None = None,
    instance_path: str | os.PathLike[str] = "instance",
    *,
    cpu_threads: int = 0,
    progress: bool = True,
) -> str:
    """Transcribe `file` and write it as `fmt` to `output` (or standard output).

    Args:
      file: The recording.
      language: A language code, or None / "auto" to detect it.
      level: "verbatim", "clean" or "edited".
      fmt: "txt", "srt", "vtt", "json" or "docx" (docx needs `output`).
      output: A file to write; standard output when None or "-".
      model_dir: A CTranslate2 Whisper directory (WORKHUB_WHISPER_MODEL); the default
        model assembled under `instance_path`/models when None.
      instance_path: The instance folder that holds models/.
      cpu_threads: CPU threads for inference (0: CTranslate2's choice).
      progress: Print the share of audio done to standard error.

    Returns:
      The rendered text.

    Raises:
      CliError: the file, the model, the level or the format is refused (message says why).
    """
    from transcription.engine import AudioError, transcribe
    from transcription.model import ModelError, load_model, resolve_model_dir

    if level not in LEVELS:
        raise CliError(f"Unknown level {level!r}; choose one of {', '.join(LEVELS)}.")
    if fmt == "docx" and output in (None, "-"):
        raise CliError("--format docx writes a Word file: give it with --output FILE.docx.")
    if not Path(file).is_file():
        raise CliError(f"{file}: no such file.")
    language = None if language in (None, "", "auto") else language

    def report(done: float, total: float) -> None:
        if progress and total > 0:
            print(f"\r{100 * done / total:5.1f} % of {total:.0f} s", end="", file=sys.stderr,
                  flush=True)

    try:
        loaded = load_model(resolve_model_dir(instance_path, model_dir), cpu_threads=cpu_threads)
        transcript = transcribe(file, model=loaded, language=language, progress=report)
    except AudioError as exc:
        raise CliError(f"{file}: {exc}") from exc
    except ModelError as exc:
        raise CliError(str(exc)) from exc
    finally:
        if progress:
            print(file=sys.stderr)
    if fmt == "docx":
        from transcription.exports import engine_transcript_docx

        Path(output).write_bytes(engine_transcript_docx(Path(file).name, transcript, level))
        return ""
    try:
        text = render(transcript, fmt, level)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    if output in (None, "-"):
        sys.stdout.write(text)
    else:
        Path(output).write_text(text, encoding="utf-8")
    return text
