"""Transcript exports: plain text, SubRip (.srt), WebVTT (.vtt) and JSON.

Each takes the transcript and a text level (`text.LEVELS`); segments whose text is empty at
that level (a lone 「えー」 at ケバ取り) are left out of the export.
"""

from __future__ import annotations

import json

from transcription.engine import NO_SPACE_LANGUAGES, Transcript
from transcription.text import apply_level

FORMATS = ("txt", "srt", "vtt", "json", "docx")
MEDIA_TYPES = {
    "txt": "text/plain; charset=utf-8",
    "srt": "application/x-subrip; charset=utf-8",
    "vtt": "text/vtt; charset=utf-8",
    "json": "application/json",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _timestamp(seconds: float, separator: str) -> str:
    millis = max(0, int(round(seconds * 1000)))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _rows(transcript: Transcript, level: str) -> list[tuple[float, float, str | None, str]]:
    rows = []
    for segment in transcript.segments:
        text = apply_level(segment.text, level).strip()
        if text:
            rows.append((segment.start, segment.end, segment.speaker, text))
    return rows


def _label(speaker: str | None) -> str:
    return f"[{speaker}] " if speaker else ""


def to_txt(transcript: Transcript, level: str = "verbatim") -> str:
    """One line per segment, with the speaker in brackets when known."""
    return "".join(f"{_label(sp)}{text}\n" for _, _, sp, text in _rows(transcript, level))


def to_srt(transcript: Transcript, level: str = "verbatim") -> str:
    """SubRip subtitles, numbered from 1."""
    blocks = [
        f"{i}\n{_timestamp(start, ',')} --> {_timestamp(end, ',')}\n{_label(sp)}{text}\n"
        for i, (start, end, sp, text) in enumerate(_rows(transcript, level), start=1)
    ]
    return "\n".join(blocks)


def to_vtt(transcript: Transcript, level: str = "verbatim") -> str:
    """WebVTT captions; speakers as voice spans (<v 1>…)."""
    out = ["WEBVTT", ""]
    for start, end, speaker, text in _rows(transcript, level):
        text = text.replace("-->", "->")  # the cue timing arrow may not appear in a cue
        voice = f"<v {speaker}>" if speaker else ""
        out += [f"{_timestamp(start, '.')} --> {_timestamp(end, '.')}", f"{voice}{text}", ""]
    return "\n".join(out)


def to_dict(transcript: Transcript, level: str = "verbatim") -> dict:
    """The JSON shape of the CLI and API: language, duration, text, segments."""
    rows = _rows(transcript, level)
    joiner = "" if transcript.language in NO_SPACE_LANGUAGES else " "
    return {
        "language": transcript.language,
        "duration": transcript.duration,
        "text": joiner.join(text for _, _, _, text in rows),
        "segments": [
            {"start": start, "end": end, "speaker": speaker, "text": text}
            for start, end, speaker, text in rows
        ],
    }


def to_json(transcript: Transcript, level: str = "verbatim") -> str:
    """`to_dict` as UTF-8 JSON text (Japanese kept readable, not \\u-escaped)."""
    return json.dumps(to_dict(transcript, level), ensure_ascii=False, indent=2) + "\n"


def render(transcript: Transcript, fmt: str, level: str = "verbatim") -> str:
    """Render `transcript` as `fmt` ("txt", "srt", "vtt", "json") at `level`.

    Raises:
      NotImplementedError: for "docx", which the minutes module renders.
      ValueError: for an unknown format.
    """
    renderers = {"txt": to_txt, "srt": to_srt, "vtt": to_vtt, "json": to_json}
    if fmt == "docx":
        raise NotImplementedError(
            "docx export is produced by the minutes module (transcription.minutes), "
            "which is not available yet; use txt, srt, vtt or json.")
    if fmt not in renderers:
        raise ValueError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    return renderers[fmt](transcript, level)
