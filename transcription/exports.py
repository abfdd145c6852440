"""Downloads of a transcript (txt, md, srt, vtt, json, docx) and of the minutes (txt, md,
json, docx).

Transcripts go through ``transcription.formats`` (the CLI's renderers) after the stored rows
are turned into the engine's dataclasses with each speaker's shown name. Word files set the
East Asian font on every style and run (``w:eastAsia``) so Japanese renders in Japanese
glyphs; Word substitutes its own Japanese font where IPAexGothic is not installed.
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from flask import Response
from flask_babel import gettext as _

from transcription import engine, formats
from transcription.editing import base_text, check_level, speaker_name
from transcription.minutes import HEADINGS, MinutesDocument
from transcription.models import Transcript
from transcription.text import apply_level
from workhub.errors import DomainError
from workhub.exports_common import download

EAST_ASIAN_FONT = "IPAexGothic"
LATIN_FONT = "Arial"
TRANSCRIPT_FORMATS = ("txt", "md", "srt", "vtt", "json", "docx")
MINUTES_FORMATS = ("txt", "md", "json", "docx")
MEDIA_TYPES = formats.MEDIA_TYPES | {"md": "text/markdown; charset=utf-8"}


def check_format(fmt: str | None, allowed: tuple[str, ...]) -> str:
    if fmt not in allowed:
        raise DomainError(_("Choose a format: %(formats)s.", formats=", ".join(allowed)),
                          field="format", code="invalid_format")
    return fmt


def as_engine_transcript(transcript: Transcript) -> engine.Transcript:
    """The stored transcript (edits included) as the engine's dataclass for the renderers."""
    return engine.Transcript(
        language=transcript.language, duration=transcript.duration,
        segments=[engine.Segment(start=s.start_s, end=s.end_s, text=base_text(s),
                                 speaker=speaker_name(s.speaker), doubtful=s.doubtful)
                  for s in transcript.segments])


def clock(seconds: float) -> str:
    """A time offset as H:MM:SS (seconds truncated)."""
    seconds = int(seconds)
    return f"{seconds // 3600:d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _md_escape(text: str) -> str:
    out = text
    for char in "\\`*_[]<>#|":
        out = out.replace(char, "\\" + char)
    return out


def transcript_md(title: str, transcript: Transcript, level: str) -> str:
    rows = [f"# {_md_escape(title)}", ""]
    for seg in transcript.segments:
        text = apply_level(base_text(seg), level).strip()
        if text:
            who = speaker_name(seg.speaker)
            head = f"**{clock(seg.start_s)}**" + (f" {_md_escape(who)}" if who else "")
            rows += [f"{head}  ", _md_escape(text), ""]
    return "\n".join(rows)


def _japanese_fonts(doc) -> None:
    for style in doc.styles:
        if getattr(style, "font", None) is None:
            continue
        style.font.name = LATIN_FONT
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    doc.styles["Normal"].font.size = Pt(10.5)


def _run(paragraph, text: str, *, bold: bool = False):
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.name = LATIN_FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), EAST_ASIAN_FONT)
    return run


def _new_document(title: str):
    doc = Document()
    _japanese_fonts(doc)
    doc.core_properties.title = title[:200]
    heading = doc.add_heading(level=0)
    _run(heading, title)
    return doc


def _heading(doc, text: str, level: int = 1) -> None:
    _run(doc.add_heading(level=level), text)


def _lines(doc, text: str) -> None:
    for line in (text or "").split("\n"):
        _run(doc.add_paragraph(), line)


def _save(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def transcript_docx(title: str, transcript: Transcript, level: str) -> bytes:
    doc = _new_document(title)
    for seg in transcript.segments:
        text = apply_level(base_text(seg), level).strip()
        if not text:
            continue
        paragraph = doc.add_paragraph()
        who = speaker_name(seg.speaker)
        _run(paragraph, f"{clock(seg.start_s)} " + (f"{who}：" if who else ""), bold=True)
        _run(paragraph, text)
    return _save(doc)


def engine_transcript_docx(title: str, transcript: engine.Transcript, level: str) -> bytes:
    """The engine's result as a Word document (``workhub transcribe --format docx``)."""
    doc = _new_document(title)
    for seg in transcript.segments:
        text = apply_level(seg.text, level).strip()
        if not text:
            continue
        paragraph = doc.add_paragraph()
        _run(paragraph, f"{clock(seg.start)} " + (f"[{seg.speaker}] " if seg.speaker else ""),
             bold=True)
        _run(paragraph, text)
    return _save(doc)


def export_transcript(title: str, transcript: Transcript, fmt: str, level: str | None) -> bytes:
    """The transcript as ``fmt`` at ``level``; bytes ready to send."""
    fmt = check_format(fmt, TRANSCRIPT_FORMATS)
    level = check_level(level)
    if fmt == "docx":
        return transcript_docx(title, transcript, level)
    if fmt == "md":
        return transcript_md(title, transcript, level).encode()
    return formats.render(as_engine_transcript(transcript), fmt, level).encode()


def minutes_sections(doc: MinutesDocument) -> list[tuple[str, str]]:
    """(heading, text) in the order of the layout; 議事内容 holds every agenda item."""
    # An item nobody spoke to keeps its numbered line, without an empty paragraph after it.
    discussion = "\n\n".join(
        "\n".join(part for part in (f"{i}. {item['agenda']}" if item["agenda"] else "",
                                    item["discussion"].strip()) if part)
        for i, item in enumerate(doc.items, start=1)).strip()
    return [
        (HEADINGS["title"], doc.title), (HEADINGS["when"], doc.when),
        (HEADINGS["place"], doc.place), (HEADINGS["attendees"], "、".join(doc.attendees)),
        (HEADINGS["absentees"], "、".join(doc.absentees) or "なし"),
        (HEADINGS["agenda"], "\n".join(f"{i}. {a}" for i, a in enumerate(doc.agenda, 1))),
        (HEADINGS["discussion"], discussion), (HEADINGS["decisions"], doc.decisions),
        (HEADINGS["actions"], doc.actions), (HEADINGS["next_meeting"], doc.next_meeting),
        (HEADINGS["recorder"], doc.recorder),
    ]


def minutes_txt(doc: MinutesDocument) -> str:
    out = ["議事録", ""]
    for heading, text in minutes_sections(doc):
        out += [f"■ {heading}", text, ""]
    return "\n".join(out)


def minutes_md(doc: MinutesDocument) -> str:
    out = [f"# 議事録　{_md_escape(doc.title)}", ""]
    for heading, text in minutes_sections(doc):
        out += [f"## {heading}", "", _md_escape(text).replace("\n", "  \n"), ""]
    return "\n".join(out)


def minutes_docx(doc: MinutesDocument) -> bytes:
    word = _new_document(f"議事録　{doc.title}")
    for heading, text in minutes_sections(doc):
        _heading(word, heading)
        _lines(word, text)
    return _save(word)


def export_minutes(doc: MinutesDocument, fmt: str) -> bytes:
    """The minutes as ``fmt``; bytes ready to send."""
    fmt = check_format(fmt, MINUTES_FORMATS)
    if fmt == "docx":
        return minutes_docx(doc)
    if fmt == "md":
        return minutes_md(doc).encode()
    if fmt == "json":
        data = asdict(doc) | {"headings": HEADINGS}
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()
    return minutes_txt(doc).encode()


def file_response(data: bytes, fmt: str, filename: str) -> Response:
    """``data`` as a download named ``filename.fmt``, never cached."""
    response = download(data, MEDIA_TYPES[fmt], f"{filename}.{fmt}", audit_as="meeting.export")
    response.headers["Cache-Control"] = "no-store"
    return response
