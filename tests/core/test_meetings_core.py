"""The core meeting record: the link to join an online meeting and the notes for its
participants, checked like every other value (a clear message naming the field, nothing
changed)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.dbstate import snapshot
from workhub.errors import DomainError
from workhub.extensions import db
from workhub.meetings import services as meetings
from workhub.org.models import User

pytestmark = pytest.mark.usefixtures("english", "fast_hashing", "app_ctx")
STARTS = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)


@pytest.fixture
def organiser(make_department, make_user):
    make_department("SEC", "秘書課")
    info = make_user("boss", ("employee", "manager"), "SEC")
    return db.session.get(User, info.id)


def data(**changes) -> meetings.MeetingData:
    values = {"title": "定例会議", "starts_at": STARTS}
    values.update(changes)
    return meetings.MeetingData(**values)


def test_link_and_notes_are_kept(app, organiser):
    made = meetings.create_meeting(organiser, data(
        join_url="https://city-example.zoom.us/j/81234567890?pwd=abc",
        notes="資料は前日までに共有します。\n\tカメラはオフで構いません。"))
    db.session.commit()
    assert made.join_url == "https://city-example.zoom.us/j/81234567890?pwd=abc"
    assert made.notes.endswith("\tカメラはオフで構いません。")
    again = meetings.meeting_data(made)
    assert (again.join_url, again.notes) == (made.join_url, made.notes)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"join_url": "javascript:alert(1)"}, "join_url", "https://"),
    ({"join_url": "http://zoom.us/j/1"}, "join_url", "https://"),
    ({"join_url": "https://"}, "join_url", "https://"),
    ({"join_url": "https://user:secret@zoom.us/j/1"}, "join_url", "https://"),
    ({"join_url": "https://zoom.us/j/1 onmouseover=x"}, "join_url", "https://"),
    ({"join_url": "https://zoom.us/" + "a" * 500}, "join_url", "500"),
    ({"join_url": "https://zoom.us/\u202e1"}, "join_url", "control characters"),
    ({"notes": "x" * 4001}, "notes", "too long"),
    ({"notes": "a\x00b"}, "notes", "control characters"),
])
def test_a_bad_link_or_notes_are_refused(app, organiser, changes, field, message):
    before = snapshot(app)
    with pytest.raises(DomainError) as caught:
        meetings.create_meeting(organiser, data(**changes))
    db.session.rollback()
    assert caught.value.field == field
    assert message in caught.value.message
    assert snapshot(app) == before
