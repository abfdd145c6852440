"""`workhub transcribe FILE`: the transcription pipeline on one file, no web app needed."""

from __future__ import annotations

import click
from flask import Flask, current_app


def register(app: Flask) -> None:
    @app.cli.command("transcribe")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--language", default="ja", show_default=True,
                  help="Language code of the recording (ja, en …), or 'auto' to detect it.")
    @click.option("--level", type=click.Choice(["verbatim", "clean", "edited"]),
                  default="verbatim", show_default=True,
                  help="Text level: verbatim (素起こし), clean (ケバ取り) or edited (整文).")
    @click.option("--format", "fmt", type=click.Choice(["txt", "srt", "vtt", "json", "docx"]),
                  default="txt", show_default=True, help="Output format.")
    @click.option("--output", type=click.Path(dir_okay=False, writable=True), default=None,
                  help="Write to this file instead of standard output.")
    @click.option("--threads", "cpu_threads", type=click.IntRange(min=0), default=0,
                  help="CPU threads for inference (0: automatic).")
    def transcribe(file, language, level, fmt, output, cpu_threads):
        """Transcribe a recording with the worker's pipeline and print or save it."""
        from transcription.cli import CliError, run_cli

        try:
            run_cli(file, language=language, level=level, fmt=fmt, output=output,
                    model_dir=current_app.config.get("WHISPER_MODEL") or None,
                    instance_path=current_app.instance_path, cpu_threads=cpu_threads)
        except CliError as exc:
            raise click.ClickException(str(exc)) from exc
