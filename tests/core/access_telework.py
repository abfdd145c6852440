"""Access-matrix entries for the telework package: see tests/core/test_access_matrix.py.

``ROUTES`` maps (method, rule) to a ``Call``; ``build`` creates the objects the URL
parameters point at and returns them as ``World.extra``. ``me`` is the signed-in user (None
when anonymous), ``other`` a colleague in the same section, ``ids`` department codes → ids.
Called inside an app context; commit at the end.

Who gets what: the dashboard is for everyone, statistics for HR, administrators and managers;
everyone books, cancels and records their own; the section's manager and administrators
decide on bookings; HR and administrators correct anyone's sessions, set policies and close
months.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.core.access_common import Call, extra
from workhub.extensions import db
from workhub.org.models import User

JAPAN = ZoneInfo("Asia/Tokyo")


def _business_day(days_ahead: int) -> str:
    """A business day at least ``days_ahead`` days from today: past every booking deadline."""
    from workhub.businessdays import is_business_day

    day = date.today() + timedelta(days=days_ahead)
    while not is_business_day(day):
        day += timedelta(days=1)
    return day.isoformat()


BOOKABLE_DAY = _business_day(14)  # booked through the form by the signed-in user
WORLD_DAY = _business_day(21)  # the bookings built below
NOT_APPROVERS = {"employee": 403, "hr": 403, "it_admin": 403, "secretary": 403}
# Neither the colleague's booking nor a running session is theirs to see.
NOT_SEEING = {"employee": 404, "it_admin": 404, "secretary": 404}
POLICY = {"max_days_per_week": "3", "deadline_business_days": "1", "deadline_time": "17:00",
          "approval_required": "y", "allow_unplanned_sessions": "y"}

ROUTES: dict[tuple[str, str], Call] = {
    # Telework dashboard (everyone) and statistics (HR, admins, managers).
    ("GET", "/telework/"): Call(),
    ("GET", "/telework/charts/trend.svg"): Call(),
    ("GET", "/telework/charts/departments.svg"): Call(),
    ("GET", "/telework/stats"): Call(),
    ("GET", "/telework/stats/charts/<kind>.svg"): Call(params={"kind": lambda w: "month"}),
    ("GET", "/telework/stats/export.csv"): Call(),
    ("GET", "/telework/stats/export.xlsx"): Call(),
    ("GET", "/api/v1/telework/stats"): Call(),
    # Remote-work bookings: everyone books and cancels their own; the section's manager and
    # administrators decide; details are for the owner, approvers, HR and administrators.
    ("GET", "/telework/bookings"): Call(),
    ("POST", "/telework/bookings"): Call(
        data={"mode": "single", "start": BOOKABLE_DAY, "slot": "full", "place": "home"}
    ),
    ("GET", "/telework/bookings/<int:booking_id>"): Call(
        params={"booking_id": extra("other_booking")}, by_role=NOT_SEEING,
    ),
    ("POST", "/telework/bookings/<int:booking_id>/cancel"): Call(
        params={"booking_id": extra("own_booking")}, data={"back": "bookings"}, ok=303
    ),
    ("POST", "/telework/bookings/<int:booking_id>/approve"): Call(
        params={"booking_id": extra("other_booking")}, by_role=NOT_APPROVERS, ok=303
    ),
    ("POST", "/telework/bookings/<int:booking_id>/reject"): Call(
        params={"booking_id": extra("other_booking")}, data={"comment": "matrix"},
        by_role=NOT_APPROVERS, ok=303,
    ),
    ("GET", "/telework/approvals"): Call(by_role=NOT_APPROVERS),
    ("POST", "/telework/approvals"): Call(data={"ids": "0"}, by_role=NOT_APPROVERS, ok=303),
    ("GET", "/telework/calendar"): Call(),
    ("POST", "/telework/calendar/feeds"): Call(data={"scope": "person"}),
    ("POST", "/telework/calendar/feeds/<int:feed_id>/revoke"): Call(
        params={"feed_id": extra("own_feed")}, ok=303
    ),
    # The secret URL is the credential: calendar programs cannot sign in.
    ("GET", "/telework/feeds/<token>.ics"): Call(
        params={"token": extra("feed_token")}, public=True
    ),
    ("GET", "/api/v1/telework/bookings"): Call(),
    # The API takes JSON: the matrix's form-encoded POST is refused as bad input (400) once
    # the caller is let in; the JSON answers are tested in test_telework_bookings_api.py.
    ("POST", "/api/v1/telework/bookings"): Call(ok=400),
    ("GET", "/api/v1/telework/bookings/<int:booking_id>"): Call(
        params={"booking_id": extra("other_booking")}
    ),
    ("POST", "/api/v1/telework/bookings/<int:booking_id>/approve"): Call(
        params={"booking_id": extra("other_booking")}, by_role=NOT_APPROVERS, ok=400
    ),
    ("POST", "/api/v1/telework/bookings/<int:booking_id>/reject"): Call(
        params={"booking_id": extra("other_booking")}, by_role=NOT_APPROVERS, ok=400
    ),
    ("POST", "/api/v1/telework/bookings/<int:booking_id>/cancel"): Call(
        params={"booking_id": extra("own_booking")}, ok=400
    ),
    # Telework sessions: everyone records their own; HR and administrators correct anyone's
    # (the section's manager may see the other user's session but not change it).
    ("GET", "/telework/sessions"): Call(),
    ("POST", "/telework/sessions"): Call(
        data={"date": "2025-06-10", "start": "09:00", "end": "12:00", "place": "home"}, ok=303
    ),
    ("POST", "/telework/sessions/start"): Call(data={"place": "home"}, ok=303),
    ("POST", "/telework/sessions/<int:session_id>/stop"): Call(
        params={"session_id": extra("running_session")}, ok=303,
        by_role={**NOT_SEEING, "manager": 403},
    ),
    ("GET", "/telework/sessions/<int:session_id>/edit"): Call(
        params={"session_id": extra("own_session")}
    ),
    ("POST", "/telework/sessions/<int:session_id>/edit"): Call(
        params={"session_id": extra("own_session")},
        data={"date": "2025-06-09", "start": "09:30", "end": "12:00", "place": "other"}, ok=303,
    ),
    ("POST", "/telework/sessions/<int:session_id>/delete"): Call(
        params={"session_id": extra("own_session")}, ok=303
    ),
    # Month close, targets (HR sets them, administrators look) and policies (HR and admins).
    ("GET", "/telework/months"): Call(),
    ("POST", "/telework/months/close"): Call(data={"month": "2025-01"}, ok=303),
    ("POST", "/telework/months/reopen"): Call(data={"month": "2024-12", "reason": "matrix"},
                                              ok=303),
    ("GET", "/telework/targets"): Call(),
    ("POST", "/telework/targets"): Call(data={"month": "2026-05", "org_target": "100"}, ok=303),
    # No file in a form-encoded post: the form comes back asking for one.
    ("POST", "/telework/targets/import"): Call(ok=400),
    ("GET", "/telework/targets/template.csv"): Call(),
    ("GET", "/telework/policies"): Call(),
    ("GET", "/telework/policies/organisation"): Call(),
    ("POST", "/telework/policies/organisation"): Call(data=POLICY, ok=303),
    ("GET", "/telework/policies/<int:dept_id>"): Call(params={"dept_id": lambda w: w.section_id}),
    ("POST", "/telework/policies/<int:dept_id>"): Call(
        params={"dept_id": lambda w: w.section_id}, data=POLICY, ok=303
    ),
    ("POST", "/telework/policies/<int:dept_id>/clear"): Call(
        params={"dept_id": lambda w: w.section_id}, ok=303
    ),
    ("GET", "/api/v1/telework/sessions"): Call(),
    ("POST", "/api/v1/telework/sessions"): Call(ok=400),
    ("POST", "/api/v1/telework/sessions/start"): Call(ok=400),
    ("POST", "/api/v1/telework/sessions/<int:session_id>/stop"): Call(
        params={"session_id": extra("running_session")}, ok=400,
        by_role={**NOT_SEEING, "manager": 403},
    ),
    # Approval delegates: the section's manager (for the section), HR and administrators.
    ("GET", "/telework/delegates"): Call(),
    ("POST", "/telework/delegates"): Call(
        data={"department": "MTX-SEC", "login": "matrix-helper", "until": ""}, ok=303
    ),
    ("POST", "/telework/delegates/<int:delegate_id>/remove"): Call(
        params={"delegate_id": extra("delegate")}, ok=303
    ),
    ("PUT", "/api/v1/telework/targets/<month>"): Call(
        params={"month": lambda w: "2026-05"}, ok=400,
        by_role={role: 403 for role in ("employee", "manager", "it_admin", "secretary",
                                        "admin")},
    ),
}


def _session(user_id: int, start: datetime, end: datetime | None):
    from workhub.telework.models import TeleworkSession

    row = TeleworkSession(user_id=user_id, day=start.astimezone(JAPAN).date(),
                          started_at=start, ended_at=end, place="home", unplanned=True)
    db.session.add(row)
    return row


def build(app, me, other, ids) -> dict:
    from workhub.telework.calendar import create_feed
    from workhub.telework.models import ApprovalDelegate, Booking, MonthClose

    # "Own" objects belong to the signed-in user (to the other user if anonymous).
    owner = db.session.get(User, (me or other).id)
    other_user = db.session.get(User, other.id)
    other_booking = Booking(user_id=other.id, day=date.fromisoformat(WORLD_DAY))  # pending
    own_booking = Booking(user_id=owner.id, day=date.fromisoformat(WORLD_DAY))
    if owner.id == other.id:
        own_booking = other_booking
    db.session.add_all([other_booking, own_booking])
    # The other user's personal calendar feed: its secret is the URL.
    other_feed, feed_token = create_feed(other_user, scope="person", actor=other_user)
    own_feed = other_feed
    if me is not None:
        own_feed, _secret = create_feed(owner, scope="person", actor=owner)
    own_session = _session(owner.id, datetime(2025, 6, 9, 0, tzinfo=UTC),  # finished
                           datetime(2025, 6, 9, 3, tzinfo=UTC))
    running = _session(other.id, datetime.now(UTC) - timedelta(hours=1), None)
    db.session.add(MonthClose(month="2024-12"))
    delegate = ApprovalDelegate(department_id=ids["MTX-SEC"], user_id=other.id)
    db.session.add(delegate)
    db.session.commit()
    return {"other_booking": other_booking.id, "own_booking": own_booking.id,
            "feed_token": feed_token, "own_feed": own_feed.id,
            "own_session": own_session.id, "running_session": running.id,
            "delegate": delegate.id}
