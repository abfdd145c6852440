"""The hand-made data set of the telework statistics tests, written straight into the tables
(no booking or session service). The clock is frozen on Wednesday 18 November 2026, 10:00
Japan time: November 2026 has 19 business days (3 and 23 November are holidays); by the 18th,
12 are gone and 7 are left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from workhub.extensions import db
from workhub.org.models import Department, User
from workhub.telework.models import Booking, MonthlyTarget, TeleworkSession

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=TOKYO)


@dataclass
class World:
    hr: object
    manager: object
    emp1: object  # SEC1
    emp2: object  # SEC2
    emp3: object  # OTHER
    loner: object  # no department
    dept: dict[str, int]


def add_session(user_id: int, day: date, hours: float | None, *, place: str = "home",
                dept_id: int | None = None, slot: str | None = None) -> None:
    """One session starting 09:00 Japan time; ``hours`` None: still running; ``slot``:
    linked to an approved booking with that slot."""
    started = datetime(day.year, day.month, day.day, 9, 0, tzinfo=TOKYO).astimezone(UTC)
    booking_id = None
    if slot is not None:
        booking = Booking(user_id=user_id, day=day, slot=slot, place=place, status="approved")
        db.session.add(booking)
        db.session.flush()
        booking_id = booking.id
    db.session.add(TeleworkSession(
        user_id=user_id, day=day, started_at=started,
        ended_at=None if hours is None else started + timedelta(hours=hours),
        place=place, booking_id=booking_id, unplanned=booking_id is None,
        slot=slot or "full", department_id=dept_id,
    ))


def add_target(month: str, target: int, dept_id: int | None = None) -> None:
    db.session.add(MonthlyTarget(month=month, department_id=dept_id, target=target))


def build_world(app, make_department, make_user) -> World:
    """HQ > DIV > (SEC1, SEC2), and OTHER; sessions from December 2024 to November 2026."""
    make_department("HQ", "本局", name_en="Head office")
    make_department("DIV", "企画部", parent="HQ", name_en="Planning")
    make_department("SEC1", "一課", parent="DIV", name_en="Section 1")
    make_department("SEC2", "二課", parent="DIV", name_en="Section 2")
    make_department("OTHER", "他局", name_en="Other bureau")
    w = World(
        hr=make_user("hr1", roles=("hr",), department="HQ"),
        manager=make_user("mgr1", roles=("employee", "manager"), department="DIV"),
        emp1=make_user("emp1", department="SEC1"),
        emp2=make_user("emp2", department="SEC2"),
        emp3=make_user("emp3", department="OTHER"),
        loner=make_user("loner"),
        dept={},
    )
    with app.app_context():
        w.dept = {d.code: d.id for d in db.session.query(Department)}
        d = w.dept
        # November 2026 (this month): 8 sessions, 38.5 hours.
        add_session(w.emp1.id, date(2026, 11, 2), 8, dept_id=d["SEC1"], slot="full")
        add_session(w.emp1.id, date(2026, 11, 4), 4, place="satellite", dept_id=d["SEC1"],
                    slot="am")
        add_session(w.emp1.id, date(2026, 11, 18), None, dept_id=d["SEC1"])  # running
        add_session(w.emp2.id, date(2026, 11, 5), 7.5, dept_id=d["SEC2"], slot="pm")
        add_session(w.emp2.id, date(2026, 11, 9), 8, place="other", dept_id=d["SEC2"])
        add_session(w.manager.id, date(2026, 11, 10), 2, dept_id=d["DIV"])
        add_session(w.emp3.id, date(2026, 11, 11), 8, dept_id=d["OTHER"])
        add_session(w.loner.id, date(2026, 11, 12), 1)  # no department
        # October: 2; September: none; August: 1.
        add_session(w.emp1.id, date(2026, 10, 1), 8, dept_id=d["SEC1"])
        add_session(w.emp3.id, date(2026, 10, 30), 6, dept_id=d["OTHER"])
        add_session(w.emp2.id, date(2026, 8, 3), 8, dept_id=d["SEC2"])
        # The trend's edges: 2024-12 is its first month, 2024-11 is outside.
        add_session(w.emp1.id, date(2024, 12, 2), 8, dept_id=d["SEC1"])
        add_session(w.emp1.id, date(2024, 11, 29), 8, dept_id=d["SEC1"])
        add_target("2026-11", 20)
        add_target("2026-10", 10)
        add_target("2026-11", 6, d["DIV"])
        add_target("2026-11", 2, d["SEC1"])
        db.session.commit()
    return w


def user(info) -> User:
    return db.session.get(User, info.id)


def rows_by_code(rows):
    return {row.code: row for row in rows}
