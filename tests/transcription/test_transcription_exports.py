"""Transcript and minutes exports: docx parsed back (Japanese text and East Asian font),
srt/vtt/json shapes, md and txt."""

from __future__ import annotations

import io
import json
import re

import pytest
from docx import Document
from docx.oxml.ns import qn

from tests.transcription.transcription_editor_data import make_meeting, user
from transcription.editing import current_transcript, edit_segment
from transcription.exports import EAST_ASIAN_FONT, export_minutes, export_transcript
from transcription.minutes import document, generate_draft
from workhub.errors import DomainError

pytestmark = pytest.mark.usefixtures("fast_hashing")


@pytest.fixture
def meeting(app_ctx, make_department, make_user):
    make_department("GEN", "総務課")
    make_user("sec", roles=("secretary",), department="GEN")
    meeting = make_meeting(department="GEN", organiser="sec", participants=(("sec", True),))
    transcript = current_transcript(meeting)
    transcript.speakers[0].name = "山田"
    edit_segment(transcript.segments[3], user("sec"), version=1,
                 text="次に<script>alert(1)</script>広報 --> の件です。")
    return meeting


def _docx(data: bytes):
    return Document(io.BytesIO(data))


def _east_asian_fonts(doc) -> set[str]:
    fonts = set()
    for paragraph in doc.paragraphs:
        for run in paragraph.runs:
            rfonts = run._element.rPr.rFonts
            fonts.add(rfonts.get(qn("w:eastAsia")))
    return fonts


def test_transcript_docx_opens_with_japanese_text_and_font(meeting):
    data = export_transcript("定例課内会議", current_transcript(meeting), "docx", "clean")
    doc = _docx(data)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert doc.paragraphs[0].text == "定例課内会議"
    assert "0:00:00 山田：本日は予算の件について話し合います。" in text  # ケバ取り, name
    assert "<script>alert(1)</script>" in text  # text as written, never markup
    assert _east_asian_fonts(doc) == {EAST_ASIAN_FONT}
    normal = doc.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == EAST_ASIAN_FONT


def test_minutes_docx_has_every_heading(meeting):
    minutes = generate_draft(meeting, user("sec"))
    doc = _docx(export_minutes(document(meeting, minutes), "docx"))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["会議名", "日時", "場所", "出席者", "欠席者", "議題", "議事内容",
                        "決定事項", "今後の予定・宿題", "次回予定", "記録者"]
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "議事録　定例課内会議" in body and "承認ということで決定します" in body
    assert _east_asian_fonts(doc) == {EAST_ASIAN_FONT}


def test_srt_vtt_json_shapes(meeting):
    transcript = current_transcript(meeting)
    srt = export_transcript("t", transcript, "srt", "verbatim").decode()
    blocks = srt.strip().split("\n\n")
    assert len(blocks) == 6
    assert blocks[0].split("\n")[:2] == ["1", "00:00:00,000 --> 00:00:04,500"]
    assert blocks[0].split("\n")[2] == "[山田] えー、本日は予算の件について話し合います。"
    vtt = export_transcript("t", transcript, "vtt", "verbatim").decode()
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:04.500\n<v 山田>えー")
    cues = re.findall(r"^\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}$", vtt, re.M)
    assert len(cues) == 6 and vtt.count("-->") == 6  # the edited arrow cannot end a cue
    data = json.loads(export_transcript("t", transcript, "json", "edited"))
    assert set(data) == {"language", "duration", "text", "segments"}
    assert data["language"] == "ja" and data["duration"] == 30.0
    assert [set(s) for s in data["segments"]] == [{"start", "end", "speaker", "text"}] * 6
    assert data["segments"][1]["speaker"] in ("Speaker 2", "話者 2")


def test_txt_and_md(meeting):
    transcript = current_transcript(meeting)
    txt = export_transcript("t", transcript, "txt", "verbatim").decode()
    assert txt.splitlines()[0] == "[山田] えー、本日は予算の件について話し合います。"
    md = export_transcript("会議 #1", transcript, "md", "clean").decode()
    assert md.startswith("# 会議 \\#1\n")
    assert "\\<script\\>" in md  # markdown cannot smuggle HTML
    minutes = generate_draft(meeting, user("sec"))
    doc = document(meeting, minutes)
    assert "## 決定事項" in export_minutes(doc, "md").decode()
    data = json.loads(export_minutes(doc, "json"))
    assert data["title"] == "定例課内会議" and data["headings"]["actions"] == "今後の予定・宿題"


@pytest.mark.parametrize("fmt,level", [("pdf", "edited"), ("", "edited"), (None, "edited"),
                                       ("txt", "fancy"), ("docx", "")])
def test_bad_format_or_level(meeting, fmt, level):
    with pytest.raises(DomainError) as caught:
        export_transcript("t", current_transcript(meeting), fmt, level or "nope")
    assert caught.value.field in ("format", "level")
