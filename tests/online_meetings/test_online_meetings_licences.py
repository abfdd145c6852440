"""The licence inventory: IT keeps it, every change is audited, and wrong, missing, oversized
and hostile values get a message naming the field while nothing changes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.dbstate import snapshot
from tests.online_meetings.online_meetings_data import (
    licence,
    meeting,
    user,
)
from workhub.auth.models import AuditEvent
from workhub.errors import Conflict, DomainError, Forbidden, NotFound
from workhub.extensions import db
from workhub.online_meetings.bookings import book_licence
from workhub.online_meetings.licences import (
    LicenceData,
    create_licence,
    delete_licence,
    update_licence,
)

pytestmark = pytest.mark.usefixtures("english", "fast_hashing", "app_ctx")


def data(**changes) -> LicenceData:
    values = {"name": "Webex 1", "tool": "webex", "capacity": 200}
    values.update(changes)
    return LicenceData(**values)


def events() -> list[tuple[str, str]]:
    return [(e.event, e.target) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.event.like("licence.%")).order_by(AuditEvent.id))]


def test_it_keeps_the_inventory_and_every_change_is_audited(app, office):
    made = create_licence(user("it"), data(contract_start=date(2026, 4, 1),
                                           contract_end=date(2027, 3, 31), monthly_cost_yen=0,
                                           paying_department="OTH", account="host@city.example.jp",
                                           notes="予備\n年度末まで"))
    db.session.commit()
    assert (made.tool, made.capacity, made.paying_department.code) == ("webex", 200, "OTH")
    update_licence(user("it"), made.id, data(name="Webex 一号", capacity=250, mode="assigned",
                                             assigned_user="Out"))
    db.session.commit()
    assert (made.name, made.assigned_user.login, made.assigned_department) == \
        ("Webex 一号", "out", None)
    delete_licence(user("it"), made.id)
    db.session.commit()
    assert events()[-3:] == [("licence.created", "Webex 1"), ("licence.updated", "Webex 一号"),
                             ("licence.deleted", "Webex 一号")]


@pytest.mark.parametrize("who", ["emp", "boss", "sec"])
def test_only_it_and_administrators_change_the_inventory(app, office, who):
    before = snapshot(app)
    for attempt in (lambda: create_licence(user(who), data()),
                    lambda: update_licence(user(who), licence("Zoom 1").id, data()),
                    lambda: delete_licence(user(who), licence("Zoom 1").id)):
        with pytest.raises(Forbidden):
            attempt()
    db.session.rollback()
    assert snapshot(app) == before


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"name": ""}, "name", "required"),
    ({"name": "x" * 121}, "name", "too long"),
    ({"name": "Zoom\u202e 9"}, "name", "control characters"),
    ({"name": 42}, "name", "must be text"),
    ({"name": "zoom 1"}, "name", "already called"),  # the same name, other case
    ({"tool": "skype"}, "tool", "online tool"),
    ({"tool": None}, "tool", "online tool"),
    ({"kind": "car"}, "kind", "kind"),
    ({"mode": "shared"}, "mode", "how the licence is used"),
    ({"capacity": 0}, "capacity", "between 1 and 10000"),
    ({"capacity": 10_001}, "capacity", "between 1 and 10000"),
    ({"capacity": "300"}, "capacity", "whole number"),
    ({"capacity": True}, "capacity", "whole number"),
    ({"capacity": None}, "capacity", "number of participants"),
    ({"monthly_cost_yen": -1}, "monthly_cost_yen", "between 0"),
    ({"monthly_cost_yen": 10**12}, "monthly_cost_yen", "between 0"),
    ({"contract_start": date(2027, 1, 1), "contract_end": date(2026, 1, 1)}, "contract_end",
     "end after it starts"),
    ({"contract_start": "2026-04-01"}, "contract_start", "Enter a date"),
    ({"paying_department": "NOPE"}, "paying_department", "No department"),
    ({"mode": "assigned"}, "assigned_user", "Name the person or department"),
    ({"mode": "assigned", "assigned_user": "nobody"}, "assigned_user", "No user"),
    ({"assigned_department": "SEC"}, "mode", "pooled licence"),
    ({"notes": "x" * 2001}, "notes", "too long"),
    ({"account": "a\x00b"}, "account", "control characters"),
])
def test_bad_values_are_refused_with_the_field_and_nothing_changes(app, office, changes, field,
                                                                  message):
    before = snapshot(app)
    for attempt in (lambda: create_licence(user("it"), data(**changes)),
                    lambda: update_licence(user("it"), licence("Zoom 2").id,
                                           data(**changes))):
        with pytest.raises(DomainError) as caught:
            attempt()
        db.session.rollback()
        assert caught.value.field == field
        assert message in caught.value.message
    assert snapshot(app) == before


def test_a_booked_licence_is_set_out_of_use_not_deleted(app, office):
    book_licence(user("boss"), meeting(), licence("Zoom 1").id)
    db.session.commit()
    before = snapshot(app)
    with pytest.raises(Conflict, match="set it out of use"):
        delete_licence(user("it"), licence("Zoom 1").id)
    db.session.rollback()
    assert snapshot(app) == before
    with pytest.raises(NotFound):
        update_licence(user("it"), 999_999, data())
