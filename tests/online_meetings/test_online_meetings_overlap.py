"""Two meetings never hold one licence at overlapping times, and it is the database that says
so: plain SQL past every service is refused, and so is the loser of many bookings made at the
same moment, on SQLite (triggers) and PostgreSQL (an exclusion constraint) alike."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.online_meetings.online_meetings_data import (
    TOMORROW_10,
    licence,
    meeting,
    user,
)
from workhub.errors import Conflict
from workhub.extensions import db
from workhub.meetings.models import Meeting
from workhub.online_meetings import overlap
from workhub.online_meetings.bookings import book_licence
from workhub.online_meetings.models import LicenceBooking

pytestmark = pytest.mark.usefixtures("english", "fast_hashing", "app_ctx")
BOOKINGS = LicenceBooking.__table__
HOUR = timedelta(hours=1)


def _row(licence_id: int, meeting_id: int, starts_at, ends_at) -> dict:
    return {"licence_id": licence_id, "meeting_id": meeting_id, "starts_at": starts_at,
            "ends_at": ends_at, "created_at": starts_at}


def _count(licence_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(BOOKINGS)
                             .where(BOOKINGS.c.licence_id == licence_id))


def test_plain_sql_cannot_put_two_meetings_on_one_licence_at_once(app, office):
    zoom, other = licence("Zoom 1").id, licence("Zoom 2").id
    first, second, third = (meeting(title=f"M{n}").id for n in range(3))
    db.session.execute(BOOKINGS.insert(), _row(zoom, first, TOMORROW_10, TOMORROW_10 + HOUR))
    db.session.commit()
    for starts_at, ends_at in ((TOMORROW_10, TOMORROW_10 + HOUR),              # the same slot
                               (TOMORROW_10 + HOUR / 2, TOMORROW_10 + 2 * HOUR),  # its end
                               (TOMORROW_10 - HOUR / 2, TOMORROW_10 + HOUR / 4),  # its start
                               (TOMORROW_10 - HOUR, TOMORROW_10 + 3 * HOUR)):     # around it
        with pytest.raises(IntegrityError) as refused:
            db.session.execute(BOOKINGS.insert(), _row(zoom, second, starts_at, ends_at))
        assert overlap.is_overlap(refused.value)
        db.session.rollback()
    # Back to back is no overlap; another licence at the same time neither.
    db.session.execute(BOOKINGS.insert(), _row(zoom, second, TOMORROW_10 + HOUR,
                                               TOMORROW_10 + 2 * HOUR))
    db.session.execute(BOOKINGS.insert(), _row(other, third, TOMORROW_10, TOMORROW_10 + HOUR))
    db.session.commit()
    # Moving a booking onto another one is refused the same way.
    with pytest.raises(IntegrityError) as refused:
        db.session.execute(BOOKINGS.update().where(BOOKINGS.c.meeting_id == second)
                           .values(starts_at=TOMORROW_10 + HOUR / 2))
    assert overlap.is_overlap(refused.value)
    db.session.rollback()
    assert _count(zoom) == 2


def _race(app, contenders: int, attempt) -> list:
    """Run ``attempt(n)`` in ``contenders`` threads released together; their outcomes."""
    barrier = threading.Barrier(contenders)
    outcomes: list = [None] * contenders

    def run(n: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=60)
                outcomes[n] = attempt(n)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - the outcome is what the test reads
                db.session.rollback()
                outcomes[n] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def test_many_plain_inserts_at_the_same_moment_leave_one(app, office):
    zoom = licence("Zoom 1").id
    meetings = [meeting(title=f"M{n}").id for n in range(12)]
    db.session.commit()

    def insert(n: int):
        # Each contender's slot overlaps every other's (they start a minute apart).
        starts_at = TOMORROW_10 + timedelta(minutes=n)
        db.session.execute(BOOKINGS.insert(), _row(zoom, meetings[n], starts_at,
                                                   starts_at + HOUR))
        return "booked"

    outcomes = _race(app, len(meetings), insert)
    assert outcomes.count("booked") == 1, outcomes
    refused = [o for o in outcomes if o != "booked"]
    assert all(isinstance(o, IntegrityError) and overlap.is_overlap(o) for o in refused), refused
    assert _count(zoom) == 1


def test_many_people_booking_one_licence_at_once_get_one_booking_and_messages(app, office):
    zoom = licence("Zoom 1").id
    organisers = ["boss", "sec", "out"] * 3
    meetings = [meeting(organisers[n], title=f"M{n}").id for n in range(len(organisers))]

    def book(n: int):
        booking = book_licence(user(organisers[n]), db.session.get(Meeting, meetings[n]), zoom)
        return booking.meeting_id

    outcomes = _race(app, len(meetings), book)
    won = [o for o in outcomes if isinstance(o, int)]
    assert len(won) == 1, outcomes
    lost = [o for o in outcomes if not isinstance(o, int)]
    assert all(isinstance(o, Conflict) and "Zoom 1 is booked by another meeting" in o.message
               for o in lost), lost
    assert _count(zoom) == 1
