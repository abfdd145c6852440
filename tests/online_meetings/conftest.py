"""The office of the online-meeting tests: a secretariat with an organiser, a secretary and
staff, a second department with IT, and licences (pooled Zoom hosts of two sizes, a Teams
host assigned to the secretariat, a room kit), with the clock stopped at ``NOW``."""

from __future__ import annotations

from datetime import date

import pytest

from tests.online_meetings.online_meetings_data import NOW, user
from workhub.extensions import db
from workhub.online_meetings.licences import LicenceData, create_licence


@pytest.fixture
def office(app, make_department, make_user, time_machine):
    """Built in an app context of its own: the service tests push theirs (``app_ctx``); the
    page and API tests must not hold one, as a request would then share its ``g`` (and the
    signed-in user Flask-Login keeps there) with every other request of the test."""
    time_machine.move_to(NOW, tick=False)
    make_department("SEC", "秘書課", name_en="Secretariat")
    make_department("OTH", "他課", name_en="Other division")
    people = {
        "boss": make_user("boss", ("employee", "manager"), "SEC"),
        "sec": make_user("sec", ("employee", "secretary"), "SEC"),
        "emp": make_user("emp", ("employee",), "SEC"),
        "emp2": make_user("emp2", ("employee",), "SEC"),
        "out": make_user("out", ("employee", "manager"), "OTH"),
        "it": make_user("it", ("employee", "it_admin"), "OTH"),
    }
    with app.app_context():
        _licences()
    return people


def _licences() -> None:
    it = user("it")
    for data in (
        LicenceData(name="Zoom 1", tool="zoom", capacity=100, contract_ref="R8-001",
                    contract_start=date(2026, 4, 1), contract_end=date(2027, 3, 31),
                    monthly_cost_yen=2200, paying_department="OTH"),
        LicenceData(name="Zoom 2", tool="zoom", capacity=300),
        LicenceData(name="Teams SEC", tool="teams", capacity=300, mode="assigned",
                    assigned_department="SEC"),
        LicenceData(name="Room kit 3F", tool="other", kind="room", capacity=12),
    ):
        create_licence(it, data)
    db.session.commit()
