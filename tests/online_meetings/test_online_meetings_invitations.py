"""Invitations through a real SMTP relay (aiosmtpd) and the real worker: an iCalendar request to
the staff participants, an update that replaces it (same UID, higher SEQUENCE), a
cancellation; and the refusals, which queue nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from tests.dbstate import snapshot
from tests.online_meetings.online_meetings_data import NOW, TOMORROW_10, meeting, user
from workhub.errors import DomainError, Forbidden
from workhub.extensions import db
from workhub.jobs.models import Job
from workhub.jobs.worker import Worker
from workhub.meetings import services as meetings
from workhub.online_meetings import invitations

pytestmark = pytest.mark.usefixtures("english", "fast_hashing", "app_ctx")
LINK = "https://city-example.zoom.us/j/81234567890"


def deliver(app) -> None:
    db.session.commit()
    Worker(app, scheduler=False).run_pending()


def received(relay, count: int) -> list[tuple]:
    """The last of ``count`` mails: (message, its calendar, the calendar part's method)."""
    out = []
    for mail in relay.wait_for(count)[-count:]:
        message = mail.message
        [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        out.append((message, Calendar.from_ical(part.get_content()),
                    part.get_param("method")))
    return out


def event(calendar: Calendar):
    [found] = calendar.walk("VEVENT")
    return found


def online_meeting():
    made = meeting("sec", logins=("emp", "emp2"), title="窓口オンライン化 検討会")
    data = meetings.meeting_data(made)
    data.join_url, data.notes = LINK, "資料は前日に共有します。\nEND:VEVENT\nBEGIN:VEVENT"
    data.externals = ["山田 花子 / 市民委員"]
    meetings.update_meeting(made, user("sec"), data)
    db.session.commit()
    return made


def test_invite_update_and_cancel_reach_the_staff_with_one_calendar_entry(
        smtp_app, smtp_relay, office):
    made = online_meeting()
    sent = invitations.send(user("sec"), made, meeting_url=f"https://workhub.example/m/{made.id}")
    deliver(smtp_app)
    assert (sent.sequence, sent.recipients) == (0, 2)
    first = received(smtp_relay, 2)
    assert sorted(m["To"] for m, _cal, _method in first) == ["emp2@city.example.jp",
                                                             "emp@city.example.jp"]
    message, calendar, method = first[0]
    assert method == "REQUEST" and str(calendar["method"]) == "REQUEST"
    assert message["Subject"] == "会議の招待：窓口オンライン化 検討会"  # the staff read Japanese
    entry = event(calendar)
    assert str(entry["uid"]) == f"meeting-{made.id}@workhub"
    assert int(entry["sequence"]) == 0
    assert entry.decoded("dtstart") == TOMORROW_10
    assert entry.decoded("dtend") == TOMORROW_10 + timedelta(hours=1)
    assert str(entry["url"]) == LINK
    assert str(entry["organizer"]) == "mailto:sec@city.example.jp"
    assert sorted(str(a) for a in entry["attendee"]) == ["mailto:emp2@city.example.jp",
                                                         "mailto:emp@city.example.jp"]
    # The notes cannot add a second event: they stay text inside the description.
    assert "END:VEVENT\nBEGIN:VEVENT" in str(entry["description"])
    assert len(calendar.walk("VEVENT")) == 1

    # The meeting moves: the update replaces the entry (same UID, SEQUENCE 1).
    data = meetings.meeting_data(made)
    data.starts_at, data.ends_at = TOMORROW_10 + timedelta(hours=2), TOMORROW_10 + \
        timedelta(hours=3)
    meetings.update_meeting(made, user("sec"), data)
    db.session.commit()
    assert invitations.outdated(made, invitations.state(made)) is False  # the clock is frozen
    invitations.send(user("sec"), made)
    deliver(smtp_app)
    message, calendar, method = received(smtp_relay, 4)[-1]
    assert message["Subject"] == "会議の変更：窓口オンライン化 検討会"
    entry = event(calendar)
    assert (str(entry["uid"]), int(entry["sequence"])) == (f"meeting-{made.id}@workhub", 1)
    assert entry.decoded("dtstart") == TOMORROW_10 + timedelta(hours=2)

    invitations.cancel(user("sec"), made)
    deliver(smtp_app)
    message, calendar, method = received(smtp_relay, 6)[-1]
    assert method == "CANCEL" and str(calendar["method"]) == "CANCEL"
    entry = event(calendar)
    assert (str(entry["status"]), int(entry["sequence"])) == ("CANCELLED", 2)
    assert message["Subject"] == "会議の中止：窓口オンライン化 検討会"


def test_a_meeting_changed_after_the_invitation_says_so(app, office, time_machine):
    made = online_meeting()
    invitations.send(user("sec"), made)
    db.session.commit()
    time_machine.move_to(NOW + timedelta(minutes=5), tick=False)
    data = meetings.meeting_data(made)
    data.place = "本庁舎 3階 会議室A"
    meetings.update_meeting(made, user("sec"), data)
    db.session.commit()
    assert invitations.outdated(made, invitations.state(made))


def mails_queued() -> int:
    return db.session.scalar(select(func.count()).select_from(Job)
                             .where(Job.kind == "mail.send"))


@pytest.mark.parametrize(("setup", "who", "error", "message"), [
    ({"hours": None}, "sec", DomainError, "end time"),
    ({"starts_at": NOW - timedelta(hours=3)}, "sec", DomainError, "meeting is over"),
    ({"logins": ()}, "sec", DomainError, "No staff participant"),
    ({}, "emp", Forbidden, "Only the organiser"),
])
def test_refusals_queue_nothing(app, office, setup, who, error, message):
    made = meeting("sec", **setup)
    before = snapshot(app)
    with pytest.raises(error, match=message):
        invitations.send(user(who), made)
    db.session.rollback()
    assert snapshot(app) == before
    assert mails_queued() == 0


def test_nothing_to_cancel(app, office):
    made = meeting("sec")
    with pytest.raises(DomainError, match="No invitation"):
        invitations.cancel(user("sec"), made)
