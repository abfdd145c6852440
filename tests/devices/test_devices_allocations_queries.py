"""The loan questions the pages, reports and jobs ask: open loans in each person's scope,
overdue, unconfirmed after some days, who holds an item, leavers and their digest line, a
person's history. Clock frozen on Friday 2026-11-13 10:00 in Tokyo."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from flask_babel import force_locale

from tests.devices.devices_loans_helpers import DUE, NOW, inventory, org
from workhub.devices import allocations as svc
from workhub.devices import device_requests as reqs
from workhub.devices import history_view
from workhub.devices import loan_queries as q
from workhub.extensions import db


@pytest.fixture(autouse=True)
def frozen(time_machine, app_ctx):
    time_machine.move_to(NOW, tick=False)
    with force_locale("en"):
        yield


def test_scopes_overdue_unconfirmed_holders_and_leavers(time_machine):
    staff, items = org(), inventory()
    emp_pc = svc.allocate(staff.it, user=staff.emp, device=items.pc1, due_date=date(2026, 11, 20))
    time_machine.move_to(NOW + timedelta(days=3), tick=False)
    zemp_line = svc.allocate(staff.it, user=staff.zemp, line=items.line, due_date=DUE)
    mate_pc = svc.allocate(staff.it, user=staff.mate, device=items.pc2, due_date=DUE)
    svc.confirm_receipt(mate_pc, staff.mate, terms_version=None)
    back = svc.allocate(staff.it, user=staff.emp, device=items.tab, due_date=DUE)
    svc.return_items(back, staff.it, condition="good")

    def ids(rows):
        return sorted(r.id for r in rows)

    everyone = ids([emp_pc, zemp_line, mate_pc])
    assert ids(q.open_allocations()) == everyone
    assert ids(q.open_allocations(staff.it)) == ids(q.open_allocations(staff.admin)) == everyone
    assert ids(q.open_allocations(staff.boss)) == ids([emp_pc, mate_pc])
    assert ids(q.open_allocations(staff.zboss)) == [zemp_line.id]
    assert ids(q.open_allocations(staff.emp)) == [emp_pc.id]
    assert q.open_allocations(staff.hr) == []

    assert q.overdue(date(2026, 11, 20)) == []
    assert ids(q.overdue(date(2026, 11, 21))) == [emp_pc.id]
    assert q.overdue(date(2026, 11, 21), viewer=staff.zboss) == []

    now = NOW + timedelta(days=3)
    assert ids(q.unconfirmed(now=now)) == ids([emp_pc, zemp_line])
    assert ids(q.unconfirmed(older_than_days=3, now=now)) == [emp_pc.id]
    assert q.unconfirmed(older_than_days=4, now=now) == []

    assert q.holder_of(items.pc1).user_id == staff.emp.id
    assert q.holder_of(line=items.line).user_id == staff.zemp.id
    assert q.holder_of(items.tab) is None

    assert q.leavers() == []
    staff.emp.active = False  # the directory sync deactivated emp
    db.session.flush()
    (leaver,) = q.leavers()
    assert leaver.user.id == staff.emp.id and ids(leaver.allocations) == [emp_pc.id]

    with pytest.raises(ValueError):
        q.filter_allocations(None, state="everything")


def test_the_leavers_digest_line_is_for_it_only():
    staff, items = org(), inventory()
    svc.allocate_kit(staff.it, user=staff.emp, devices=[items.wifi], include_installed_lines=True,
                     due_date=DUE)
    assert q.leavers_digest(staff.it) == []
    staff.emp.active = False
    db.session.flush()
    (line,) = q.leavers_digest(staff.it)
    assert str(line) == ("1 deactivated person still holds lent items (2 in all): see "
                         "Devices, Leavers.")
    assert len(q.leavers_digest(staff.admin)) == 1
    assert q.leavers_digest(staff.boss) == q.leavers_digest(staff.hr) == []


def test_a_persons_history_names_items_and_requests():
    staff, items = org(), inventory()
    request = reqs.create_request(staff.emp, kind="laptop", start_date=date(2026, 11, 16),
                                  purpose="Telework", actor=staff.emp)
    reqs.decide_request(request, staff.boss, approve=True)
    (loan,) = reqs.fulfil_request(request, staff.it, devices=[items.pc1], due_date=DUE)
    svc.confirm_receipt(loan, staff.emp, terms_version=None)
    rows = history_view.events_for(user_id=staff.emp.id)  # what the person page shows
    assert [r.action for r in rows][::-1] == [
        "request_created", "request_approved", "allocated", "request_fulfilled", "confirmed"]
    items = q.item_labels(rows)
    allocated = next(r for r in rows if r.action == "allocated")
    assert (items[allocated.id], allocated.allocation_id, allocated.actor.id) == (
        "PC-001", loan.id, staff.it.id)
    assert json.loads(allocated.detail)["due_date"] == "2026-12-25"
    approved = next(r for r in rows if r.action == "request_approved")
    assert json.loads(approved.detail)["request_id"] == request.id
    assert items[approved.id] is None  # a request names no item yet
    history = history_view.events_for(allocation_id=loan.id, oldest_first=True)
    assert [r.action for r in history] == ["allocated", "confirmed"]
