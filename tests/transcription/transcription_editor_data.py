"""Meetings with a transcript made directly as rows (no model run), for the editor tests."""

from __future__ import annotations

from datetime import UTC, datetime

from transcription.models import Segment, Speaker, Transcript
from workhub.extensions import db
from workhub.meetings.models import AgendaItem, Meeting, MeetingParticipant
from workhub.org.models import Department, User

LINES = [
    ("1", "えー、本日は予算の件について話し合います。"),
    ("2", "あの、来年度の予算案は資料のとおりです。"),
    ("1", "それでは予算案は承認ということで決定します。"),
    ("2", "次に広報の件です。"),
    ("2", "田中さん、12月10日までに案内文の作成をお願いします。"),
    ("1", "次回は来月に開催します。"),
]


def user(login: str) -> User:
    from sqlalchemy import select

    return db.session.scalar(select(User).where(User.login == login))


def department_id(code: str) -> int:
    from sqlalchemy import select

    return db.session.scalar(select(Department.id).where(Department.code == code))


def make_meeting(*, department: str | None = None, organiser: str | None = None,
                 participants: tuple[tuple[str, bool], ...] = (),
                 externals: tuple[tuple[str, str | None, bool], ...] = (),
                 agenda: tuple[str, ...] = ("予算の件", "広報の件"),
                 lines=LINES, title: str = "定例課内会議") -> Meeting:
    """A meeting with participants (login, attended), external names (name, affiliation,
    attended), agenda and a transcript of ``lines`` (speaker label, verbatim)."""
    meeting = Meeting(title=title, starts_at=datetime(2026, 11, 27, 1, 0, tzinfo=UTC),
                      ends_at=datetime(2026, 11, 27, 2, 30, tzinfo=UTC), place="第1会議室",
                      online_tool="zoom",
                      organiser_id=user(organiser).id if organiser else None,
                      department_id=department_id(department) if department else None)
    position = 0
    for login, attended in participants:
        meeting.participants.append(MeetingParticipant(user_id=user(login).id,
                                                       attended=attended, position=position))
        position += 1
    for name, affiliation, attended in externals:
        meeting.participants.append(MeetingParticipant(name=name, affiliation=affiliation,
                                                       attended=attended, position=position))
        position += 1
    meeting.agenda = [AgendaItem(title=t, position=i) for i, t in enumerate(agenda)]
    db.session.add(meeting)
    db.session.flush()
    if lines is not None:
        add_transcript(meeting, lines)
    db.session.commit()
    return meeting


def add_transcript(meeting: Meeting, lines) -> Transcript:
    transcript = Transcript(meeting_id=meeting.id, language="ja",
                            duration=5.0 * len(lines), model="base")
    db.session.add(transcript)
    db.session.flush()
    speakers = {}
    for label in sorted({label for label, _ in lines if label}):
        speakers[label] = Speaker(transcript_id=transcript.id, label=label,
                                  position=int(label) if label.isdigit() else 0)
        db.session.add(speakers[label])
    db.session.flush()
    for i, (label, text) in enumerate(lines):
        db.session.add(Segment(transcript_id=transcript.id, position=i, start_s=5.0 * i,
                               end_s=5.0 * i + 4.5, verbatim=text,
                               speaker_id=speakers[label].id if label else None))
    db.session.flush()
    return transcript
