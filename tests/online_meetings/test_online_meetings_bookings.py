"""Booking a licence for a meeting: who may, which licence fits, the free licences for a slot,
and a meeting that moves with its licence. Every refusal names the reason and changes
nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.dbstate import snapshot
from tests.online_meetings.online_meetings_data import (
    NOW,
    TOMORROW_10,
    licence,
    meeting,
    user,
)
from workhub.errors import Conflict, DomainError, Forbidden, NotFound
from workhub.extensions import db
from workhub.meetings import services as meetings
from workhub.online_meetings.bookings import book_licence, free_licences, release_licence
from workhub.online_meetings.models import LicenceBooking

pytestmark = pytest.mark.usefixtures("english", "fast_hashing", "app_ctx")
HOUR = timedelta(hours=1)


def bookings_of(meeting_id: int) -> list[tuple[str, datetime, datetime]]:
    rows = db.session.scalars(select(LicenceBooking).where(LicenceBooking.meeting_id == meeting_id)
                              .order_by(LicenceBooking.id))
    return [(b.licence.name, b.starts_at, b.ends_at) for b in rows]


def book(app, organiser: str, made, name: str):
    booking = book_licence(user(organiser), made, licence(name).id)
    db.session.commit()
    return booking


def test_a_booking_holds_the_licence_for_the_meetings_time(app, office):
    made = meeting()
    book(app, "boss", made, "Zoom 1")
    assert bookings_of(made.id) == [("Zoom 1", TOMORROW_10, TOMORROW_10 + HOUR)]
    # Booking it again is no second row; a room kit may come beside the host licence.
    book(app, "boss", made, "Zoom 1")
    book(app, "boss", made, "Room kit 3F")
    assert [b[0] for b in bookings_of(made.id)] == ["Zoom 1", "Room kit 3F"]
    release_licence(user("boss"), made, licence("Zoom 1").id)
    db.session.commit()
    assert [b[0] for b in bookings_of(made.id)] == ["Room kit 3F"]


def refused(app, organiser: str, made, name: str, error=DomainError) -> str:
    before = snapshot(app)
    with pytest.raises(error) as caught:
        book_licence(user(organiser), made, licence(name).id if name else 999_999)
    db.session.rollback()
    assert snapshot(app) == before
    return caught.value.message


@pytest.mark.parametrize(("setup", "name", "message"), [
    ({"tool": "teams"}, "Zoom 1", "another online tool than the meeting's"),
    ({"tool": "none"}, "Zoom 1", "Choose the meeting's online tool"),
    ({"hours": None}, "Zoom 1", "Give the meeting an end time"),
    ({"starts_at": NOW - 2 * HOUR}, "Zoom 1", "This meeting is over"),
    ({"starts_at": datetime(2027, 4, 5, 1, 0, tzinfo=UTC)}, "Zoom 1",
     "not under contract on the meeting's day"),
    ({"logins": [f"p{n}" for n in range(13)]}, "Room kit 3F", "holds 12 participants"),
])
def test_a_licence_that_does_not_fit_the_meeting_is_refused(app, office, make_user, setup,
                                                            name, message):
    for login in setup.get("logins", ()):
        make_user(login, department="SEC")
    made = meeting(**setup)
    assert message in refused(app, "boss", made, name)


def test_only_whoever_manages_the_meeting_books_and_only_their_licences(app, office):
    made = meeting(tool="teams")
    assert "Only the organiser" in refused(app, "emp", made, "Teams SEC", Forbidden)
    assert "No such licence" in refused(app, "boss", made, None, NotFound)
    # Teams SEC is assigned to the secretariat: its people book it, others do not.
    book(app, "boss", made, "Teams SEC")
    elsewhere = meeting("out", tool="teams", starts_at=TOMORROW_10 + 5 * HOUR)
    assert "assigned to someone else" in refused(app, "out", elsewhere, "Teams SEC")


def test_one_host_licence_per_meeting_and_one_meeting_per_licence(app, office):
    made = meeting()
    book(app, "boss", made, "Zoom 1")
    assert "already holds a host licence" in refused(app, "boss", made, "Zoom 2", Conflict)
    other = meeting("sec", starts_at=TOMORROW_10 + HOUR / 2)
    assert "Zoom 1 is booked by another meeting" in refused(app, "sec", other, "Zoom 1",
                                                             Conflict)
    book(app, "sec", other, "Zoom 2")


def test_out_of_use_licence_is_refused(app, office):
    zoom = licence("Zoom 2")
    zoom.active = False
    db.session.commit()
    assert "out of use" in refused(app, "boss", meeting(), "Zoom 2")


def test_free_licences_for_a_slot_smallest_first(app, office):
    def free(organiser="boss", tool="zoom", participants=5, kind="host", start=TOMORROW_10):
        return [lic.name for lic in free_licences(
            tool=tool, starts_at=start, ends_at=start + HOUR, participants=participants,
            organiser=user(organiser), kind=kind)]

    assert free() == ["Zoom 1", "Zoom 2"]
    assert free(participants=150) == ["Zoom 2"]
    assert free(participants=301) == []
    assert free(tool="teams") == ["Teams SEC"]
    assert free("out", tool="teams") == []  # assigned to the secretariat
    assert free(kind="room") == ["Room kit 3F"]
    # Zoom 1's contract ends on 2027-03-31.
    assert free(start=datetime(2027, 4, 5, 1, 0, tzinfo=UTC)) == ["Zoom 2"]
    book(app, "boss", meeting(), "Zoom 1")
    assert free() == ["Zoom 2"]
    assert free(start=TOMORROW_10 + HOUR) == ["Zoom 1", "Zoom 2"]  # back to back is free


def _move(made, **changes):
    data = meetings.meeting_data(made)
    for key, value in changes.items():
        setattr(data, key, value)
    return meetings.update_meeting(made, user("boss"), data)


def test_the_booking_moves_with_its_meeting(app, office):
    made = meeting()
    book(app, "boss", made, "Zoom 1")
    later = TOMORROW_10 + 3 * HOUR
    _move(made, starts_at=later, ends_at=later + 2 * HOUR)
    db.session.commit()
    assert bookings_of(made.id) == [("Zoom 1", later, later + 2 * HOUR)]


@pytest.mark.parametrize(("changes", "message"), [
    ({"ends_at": None}, "needs an end time"),
    ({"online_tool": "webex"}, "another online tool"),
    ({"logins": ["emp", "emp2"] + [f"p{n}" for n in range(99)]}, "holds 100 participants"),
    ({"starts_at": TOMORROW_10 + 4 * HOUR, "ends_at": TOMORROW_10 + 5 * HOUR},
     "booked by another meeting at the new time"),
])
def test_a_change_the_licence_cannot_follow_is_refused(app, office, make_user, changes,
                                                       message):
    for login in changes.get("logins", ()):
        if login.startswith("p"):
            make_user(login, department="SEC")
    made = meeting()
    book(app, "boss", made, "Zoom 1")
    book(app, "sec", meeting("sec", starts_at=TOMORROW_10 + 4 * HOUR), "Zoom 1")
    before = snapshot(app)
    with pytest.raises(DomainError) as caught:
        _move(made, **changes)
    db.session.rollback()
    assert message in caught.value.message
    assert snapshot(app) == before


def test_a_meeting_without_licences_changes_freely(app, office):
    made = meeting(hours=None, tool="none")
    _move(made, ends_at=TOMORROW_10 + HOUR, online_tool="webex")
    db.session.commit()
    assert made.online_tool == "webex"
