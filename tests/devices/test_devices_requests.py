"""Device and line requests: approval by the requester's managers (or none, by setting),
fulfilment from stock, the waitlist and its order, cancellation, the notifications of each
step, bad input. Clock frozen on Friday 2026-11-13 10:00 in Tokyo."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_babel import force_locale

from tests.devices.devices_loans_helpers import (
    DUE,
    NOW,
    count,
    events,
    inventory,
    mails_to,
    notes_of,
    org,
)
from workhub.devices import allocations as loans
from workhub.devices import device_requests as svc
from workhub.devices.models import Allocation, DeviceRequest
from workhub.errors import Conflict, DomainError, Forbidden
from workhub.extensions import db

START = date(2026, 11, 16)


@pytest.fixture(autouse=True)
def frozen(time_machine, app_ctx):
    time_machine.move_to(NOW, tick=False)
    with force_locale("en"):
        yield


@pytest.fixture
def staff():
    return org()


def ask(user, kind="laptop", **kw):
    actor = kw.pop("actor", user)
    values = {"start_date": START, "end_date": date(2026, 12, 25), "purpose": "Telework"}
    values.update(kw)
    return svc.create_request(user, kind=kind, actor=actor, **values)


def test_a_request_waits_for_the_managers_who_are_told(staff):
    row = ask(staff.emp)
    assert (row.status, row.needs_approval, row.user_id) == ("pending", True, staff.emp.id)
    assert [n.url for n in notes_of(staff.boss, "devices.request_submitted")] == [
        f"/devices/requests/{row.id}"]
    (mail,) = mails_to("boss@city.example.jp")
    assert "Telework" in mail["body"] and "2026-11-16" in mail["body"]
    assert notes_of(staff.zboss) == [] and notes_of(staff.it) == []
    (event,) = events("request_created", user_id=staff.emp.id)


def test_with_no_manager_the_administrators_are_asked(staff):
    row = ask(staff.hr)  # CITY has no manager
    assert row.status == "pending"
    assert len(notes_of(staff.admin, "devices.request_submitted")) == 1


def test_without_approval_the_request_goes_straight_to_it(app, staff, monkeypatch):
    monkeypatch.setitem(app.config, "DEVICE_REQUEST_APPROVAL", False)
    row = ask(staff.emp, "line")
    assert (row.status, row.needs_approval) == ("approved", False)
    assert len(notes_of(staff.it, "devices.request_to_fulfil")) == 1
    assert notes_of(staff.boss) == []


def test_it_staff_are_told_or_the_administrators_when_there_is_no_it(app, staff, monkeypatch):
    monkeypatch.setitem(app.config, "DEVICE_REQUEST_APPROVAL", False)
    staff.it.active = False
    ask(staff.emp)
    assert len(notes_of(staff.admin, "devices.request_to_fulfil")) == 1


BAD_REQUESTS = [
    ({"kind": "printer"}, DomainError, "kind"),
    ({"kind": None}, DomainError, "kind"),
    ({"purpose": ""}, DomainError, "purpose"),
    ({"purpose": "   "}, DomainError, "purpose"),
    ({"purpose": "x" * 501}, DomainError, "purpose"),
    ({"purpose": "a\x07b"}, DomainError, "purpose"),
    ({"start_date": "2026-11-16"}, DomainError, "start_date"),
    ({"start_date": None}, DomainError, "start_date"),
    ({"start_date": date(2026, 11, 12)}, loans.Refused, "start_date"),
    ({"start_date": NOW.date() + timedelta(days=367)}, loans.Refused, "start_date"),
    ({"end_date": date(2026, 11, 15)}, loans.Refused, "end_date"),
    ({"end_date": START + timedelta(days=3 * 366 + 1)}, loans.Refused, "end_date"),
    ({"end_date": 20261225}, DomainError, "end_date"),
]


def test_bad_requests_are_refused_and_nothing_is_written(staff):
    for changes, error, field in BAD_REQUESTS:
        changes = dict(changes)
        kind = changes.pop("kind", "laptop")
        with pytest.raises(error) as err:
            ask(staff.emp, kind, **changes)
        assert err.value.field == field, changes
    assert count(DeviceRequest) == 0 and notes_of(staff.boss) == []


def test_requests_are_for_oneself_and_one_open_per_kind(staff):
    with pytest.raises(Forbidden):
        ask(staff.emp, actor=staff.boss)
    first = ask(staff.emp)
    with pytest.raises(Conflict) as err:
        ask(staff.emp)
    assert err.value.code == "request_open" and str(first.id) in err.value.message
    assert ask(staff.emp, "line").id  # another kind is fine
    svc.cancel_request(first, staff.emp)
    assert ask(staff.emp).id  # and after the first is closed


def test_a_deactivated_person_cannot_request(staff):
    with pytest.raises(loans.Refused):
        ask(staff.gone)


# --- decisions ----------------------------------------------------------------------------------


def test_the_manager_approves_and_requester_and_it_are_told(staff):
    row = ask(staff.emp)
    svc.decide_request(row, staff.boss, approve=True, comment="OK")
    assert (row.status, row.decided_by_id, row.decided_at, row.decision_comment) == (
        "approved", staff.boss.id, NOW, "OK")
    (note,) = notes_of(staff.emp, "devices.request_approved")
    assert "Approved" in note.title
    assert len(notes_of(staff.it, "devices.request_to_fulfil")) == 1
    assert len(events("request_approved", user_id=staff.emp.id)) == 1


def test_rejecting_needs_a_comment_and_tells_the_requester(staff):
    row = ask(staff.emp)
    with pytest.raises(DomainError) as err:
        svc.decide_request(row, staff.boss, approve=False, comment=" ")
    assert err.value.field == "comment" and row.status == "pending"
    svc.decide_request(row, staff.boss, approve=False, comment="Use a shared PC")
    assert row.status == "rejected"
    (mail,) = mails_to("emp@city.example.jp")
    assert "Use a shared PC" in mail["body"]
    assert notes_of(staff.it) == []


def test_only_the_requesters_managers_and_administrators_decide(staff):
    row = ask(staff.emp)
    for who in ("mate", "zboss", "it", "hr"):
        with pytest.raises(Forbidden):
            svc.decide_request(row, getattr(staff, who), approve=True)
    assert row.status == "pending"
    svc.decide_request(row, staff.admin, approve=True)
    with pytest.raises(Forbidden):
        svc.decide_request(ask(staff.boss), staff.boss, approve=True)


def test_a_decided_request_cannot_be_decided_again(staff):
    row = ask(staff.emp)
    svc.decide_request(row, staff.boss, approve=True)
    with pytest.raises(Conflict):
        svc.decide_request(row, staff.boss, approve=False, comment="no")
    assert row.status == "approved"


# --- waitlist and fulfilment --------------------------------------------------------------------


def approved(user, kind="laptop", **kw):
    row = ask(user, kind, **kw)
    row.status = "approved"
    db.session.flush()
    return row


def test_the_waitlist_is_in_request_order_and_the_requester_learns_the_place(staff,
                                                                           time_machine):
    first = approved(staff.emp)
    time_machine.move_to(NOW + timedelta(minutes=5), tick=False)
    second = approved(staff.mate)
    other_kind = approved(staff.zemp, "router")
    # Waitlisted in another order than asked: the place follows the request time.
    for row in (second, first, other_kind):
        svc.waitlist_request(row, staff.it, comment="None in stock")
    assert [svc.waitlist_position(r) for r in (first, second, other_kind)] == [1, 2, 1]
    (mail,) = mails_to("emp@city.example.jp")
    assert "waitlist: 1." in mail["body"] and "None in stock" in mail["body"]
    assert len(notes_of(staff.mate, "devices.request_waitlisted")) == 1
    svc.cancel_request(first, staff.emp)
    assert svc.waitlist_position(second) == 1 and svc.waitlist_position(first) is None


def test_only_it_waitlists_and_only_approved_requests(staff):
    row = ask(staff.emp)
    with pytest.raises(Conflict):
        svc.waitlist_request(row, staff.it)
    row.status = "approved"
    with pytest.raises(Forbidden):
        svc.waitlist_request(row, staff.boss)


def test_fulfilling_lends_the_item_and_closes_the_request(staff):
    items = inventory()
    row = approved(staff.emp, "router")
    svc.waitlist_request(row, staff.it)
    loans_made = svc.fulfil_request(row, staff.it, devices=[items.wifi],
                                    include_installed_lines=True)
    assert row.status == "fulfilled"
    assert [(a.device_id, a.line_id, a.request_id, a.due_date) for a in loans_made] == [
        (items.wifi.id, None, row.id, date(2026, 12, 25)),
        (None, items.sim.id, row.id, date(2026, 12, 25))]
    assert len(events("request_fulfilled", user_id=staff.emp.id)) == 1
    (mail,) = [m for m in mails_to("emp@city.example.jp") if "WR-001" in m["body"]]
    assert f"request {row.id}" in mail["body"]
    with pytest.raises(Conflict):
        svc.fulfil_request(row, staff.it, devices=[items.pc1], due_date=DUE)


def test_fulfilment_checks_the_request(staff):
    items = inventory()
    pending = ask(staff.emp)
    with pytest.raises(Conflict) as err:
        svc.fulfil_request(pending, staff.it, devices=[items.pc1], due_date=DUE)
    assert err.value.code == "request_not_open"
    row = approved(staff.mate)
    with pytest.raises(loans.Refused) as err:
        svc.fulfil_request(row, staff.it, devices=[items.tab], due_date=DUE)
    assert err.value.code == "request_mismatch"
    with pytest.raises(loans.Refused):
        loans.allocate(staff.it, user=staff.emp, device=items.pc1, due_date=DUE, request=row)
    with pytest.raises(DomainError, match="return date"):
        svc.fulfil_request(approved(staff.zemp, end_date=None), staff.it, devices=[items.pc2])
    with pytest.raises(Forbidden):
        svc.fulfil_request(row, staff.boss, devices=[items.pc1], due_date=DUE)
    assert count(Allocation) == 0 and row.status == "approved"


def test_it_is_told_when_an_awaited_kind_comes_back(staff):
    items = inventory()
    lent = loans.allocate(staff.it, user=staff.zemp, device=items.pc1, due_date=DUE)
    svc.waitlist_request(approved(staff.emp), staff.it)
    loans.return_items(lent, staff.it, condition="damaged", notes="dent")
    assert notes_of(staff.it, "devices.waitlist_available") == []  # to repair, not to stock
    lent = loans.allocate(staff.it, user=staff.zemp, device=items.pc2, due_date=DUE)
    loans.return_items(lent, staff.it, condition="good")
    (note,) = notes_of(staff.it, "devices.waitlist_available")
    assert "Laptop: 1" in note.body


# --- cancelling ---------------------------------------------------------------------------------


def test_the_requester_cancels_and_it_hears_of_an_approved_one(staff):
    pending = ask(staff.emp)
    svc.cancel_request(pending, staff.emp)
    assert pending.status == "cancelled" and notes_of(staff.it) == []
    row = approved(staff.emp)
    svc.cancel_request(row, staff.emp)
    assert len(notes_of(staff.it, "devices.request_cancelled")) == 1
    assert len(events("request_cancelled", user_id=staff.emp.id)) == 2
    with pytest.raises(Conflict):
        svc.cancel_request(row, staff.emp)


def test_it_cancels_with_a_reason_and_others_may_not(staff):
    row = approved(staff.emp)
    with pytest.raises(DomainError) as err:
        svc.cancel_request(row, staff.it)
    assert err.value.field == "reason"
    for who in ("mate", "boss", "hr"):
        with pytest.raises(Forbidden):
            svc.cancel_request(row, getattr(staff, who), reason="x")
    svc.cancel_request(row, staff.it, reason="Project ended")
    (note,) = notes_of(staff.emp, "devices.request_cancelled")
    assert "Project ended" in note.body
    db.session.flush()
