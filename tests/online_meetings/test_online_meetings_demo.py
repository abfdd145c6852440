"""The demo office's online meetings: the licence inventory and a meeting next week holding a
Zoom licence, loaded once however often the demo runs."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from workhub.demo import load_demo
from workhub.extensions import db
from workhub.online_meetings.models import Licence, LicenceBooking

pytestmark = pytest.mark.usefixtures("fast_hashing", "app_ctx")


def test_the_demo_has_licences_and_a_booked_meeting(app):
    for _ in range(2):
        load_demo("Demo-Password-2026")
        db.session.commit()
    names = db.session.scalars(select(Licence.name).order_by(Licence.name)).all()
    assert len(names) == 5 and "Zoom 会議用 1" in names
    [booking] = db.session.scalars(select(LicenceBooking)).all()
    assert booking.licence.name == "Zoom 会議用 1"
    assert db.session.scalar(select(func.count()).select_from(LicenceBooking)) == 1
