"""Access-matrix entries for the transcript editor, minutes, glossary and search (issue 7):
see tests/core/test_access_matrix.py.

``build`` makes a meeting of the section (MTX-SEC) organised by the other user, nobody else
taking part, with a transcript of two segments and draft minutes. So the section's
secretary (the signed-in ``secretary``) and administrators manage it; every other role is
refused it (403). The glossary is for secretaries and administrators; search for everyone
(it shows only what each may see).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tests.core.access_common import Call
from transcription.models import GlossaryTerm, Minutes, Segment, Speaker, Transcript
from workhub.extensions import db
from workhub.meetings.models import Meeting

MANAGERS_ONLY = {"employee": 403, "manager": 403, "hr": 403, "it_admin": 403}
MEETING = {"meeting_id": lambda w: w.extra["editor_meeting"]}
SEGMENT = {**MEETING, "segment_id": lambda w: w.extra["editor_segment"]}


def _managed(ok: int = 200, **params) -> Call:
    return Call(params={**MEETING, **params}, ok=ok, by_role=MANAGERS_ONLY)


def _post(ok: int, data: dict, **params) -> Call:
    return Call(params={**MEETING, **params}, data=data, ok=ok, by_role=MANAGERS_ONLY)


ROUTES: dict[tuple[str, str], Call] = {
    ("GET", "/meetings/<int:meeting_id>/transcript"): _managed(),
    ("POST", "/meetings/<int:meeting_id>/transcript/segments/<int:segment_id>"): _post(
        303, {"version": "1", "text": "行列の編集"},
        segment_id=lambda w: w.extra["editor_segment"]),
    ("POST", "/meetings/<int:meeting_id>/transcript/segments/<int:segment_id>/following"):
        _post(303, {"speaker": ""}, segment_id=lambda w: w.extra["editor_segment"]),
    ("POST", "/meetings/<int:meeting_id>/transcript/speakers"): _post(303, {"name": "佐藤"}),
    ("POST", "/meetings/<int:meeting_id>/transcript/speakers/<int:speaker_id>"): _post(
        303, {"name": "山田"}, speaker_id=lambda w: w.extra["editor_speaker"]),
    ("GET", "/meetings/<int:meeting_id>/transcript/export.<fmt>"): _managed(
        fmt=lambda w: "docx"),
    ("GET", "/meetings/<int:meeting_id>/transcript/print"): _managed(),
    ("GET", "/meetings/<int:meeting_id>/minutes"): _managed(),
    ("POST", "/meetings/<int:meeting_id>/minutes/generate"): _post(
        303, {"level": "clean", "version": "1"}),
    ("POST", "/meetings/<int:meeting_id>/minutes/sections/<section>"): _post(
        303, {"version": "1", "text": "行列の決定"}, section=lambda w: "decisions"),
    ("POST", "/meetings/<int:meeting_id>/minutes/status"): _post(
        303, {"status": "final", "version": "1"}),
    ("GET", "/meetings/<int:meeting_id>/minutes/export.<fmt>"): _managed(fmt=lambda w: "md"),
    ("GET", "/meetings/<int:meeting_id>/minutes/print"): _managed(),
    ("GET", "/meetings/glossary"): Call(),
    ("POST", "/meetings/glossary"): Call(data={"term": "行列語", "department": "global"},
                                         ok=303),
    ("POST", "/meetings/glossary/<int:term_id>/delete"): Call(
        params={"term_id": lambda w: w.extra["editor_term"]}, ok=303),
    ("GET", "/meetings/search"): Call(),
    ("GET", "/api/v1/meetings/<int:meeting_id>/transcript"): _managed(),
    # The matrix posts form data: a permitted caller gets 400 (JSON expected).
    ("PATCH", "/api/v1/segments/<int:segment_id>"): Call(
        params={"segment_id": lambda w: w.extra["editor_segment"]}, data={"version": "1"},
        ok=400, by_role=MANAGERS_ONLY),
    ("GET", "/api/v1/meetings/<int:meeting_id>/minutes"): _managed(),
}


def build(app, me, other, ids) -> dict:
    meeting = Meeting(title="行列の会議", starts_at=datetime(2026, 11, 27, 1, tzinfo=UTC),
                      organiser_id=other.id, department_id=ids["MTX-SEC"])
    db.session.add(meeting)
    db.session.flush()
    transcript = Transcript(meeting_id=meeting.id, language="ja", duration=10.0, model="base")
    db.session.add(transcript)
    db.session.flush()
    speaker = Speaker(transcript_id=transcript.id, label="1", position=1)
    db.session.add(speaker)
    db.session.flush()
    segments = [Segment(transcript_id=transcript.id, position=i, start_s=5.0 * i,
                        end_s=5.0 * i + 4, verbatim=text, speaker_id=speaker.id)
                for i, text in enumerate(("予算は承認されました。", "次回は来月です。"))]
    db.session.add_all(segments)
    db.session.add(Minutes(meeting_id=meeting.id, status="draft",
                           body_json=json.dumps({"decisions": "承認"}, ensure_ascii=False)))
    term = GlossaryTerm(term="行列区", department_id=None)
    db.session.add(term)
    db.session.commit()
    return {"editor_meeting": meeting.id, "editor_segment": segments[0].id,
            "editor_speaker": speaker.id, "editor_term": term.id}
