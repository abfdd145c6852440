"""Lending rules: one item or a kit, refused items and holders, the database's one-open-loan
rule, returns by condition, receipt confirmation against the loan terms, history and
notifications. Clock frozen on Friday 2026-11-13 10:00 in Tokyo."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

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
from workhub.devices import allocations as svc
from workhub.devices.models import Allocation, Device, LoanTerms
from workhub.errors import Conflict, DomainError, Forbidden
from workhub.extensions import db


@pytest.fixture(autouse=True)
def frozen(time_machine, app_ctx):
    time_machine.move_to(NOW, tick=False)
    with force_locale("en"):
        yield


@pytest.fixture
def world():
    staff, items = org(), inventory()
    return staff, items


def lend(staff, item, to=None, **kw):
    key = "device" if isinstance(item, Device) else "line"
    return svc.allocate(staff.it, user=to or staff.emp, due_date=kw.pop("due_date", DUE),
                        **{key: item}, **kw)


def test_lending_a_device_marks_it_records_history_and_tells_the_holder(world):
    staff, items = world
    row = lend(staff, items.pc1, handover_notes="AC adapter included")
    db.session.commit()
    assert (row.user_id, row.device_id, row.line_id, row.kit_id) == (
        staff.emp.id, items.pc1.id, None, None)
    assert (row.due_date, row.handover_notes, row.allocated_by_id) == (
        DUE, "AC adapter included", staff.it.id)
    assert items.pc1.status == "allocated"
    (event,) = events("allocated")
    assert (event.device_id, event.user_id, event.allocation_id, event.actor_id) == (
        items.pc1.id, staff.emp.id, row.id, staff.it.id)
    assert json.loads(event.detail)["changes"]["status"] == ["in_stock", "allocated"]
    (note,) = notes_of(staff.emp, "devices.allocated")
    assert note.url == "/devices/my-items"
    (mail,) = mails_to("emp@city.example.jp")
    assert "PC-001" in mail["body"] and "2026-12-25" in mail["body"]
    assert "AC adapter included" in mail["body"]
    assert svc.holder_of(items.pc1).id == row.id


def test_lending_a_line(world):
    staff, items = world
    row = lend(staff, items.line)
    assert (row.line_id, items.line.status) == (items.line.id, "allocated")
    assert events("allocated")[0].line_id == items.line.id


DEVICES_NOT_LENT = [("in_repair", "in repair"), ("lost", "lost"), ("retired", "retired")]


def test_items_that_cannot_be_lent(world):
    staff, items = world
    for status, word in DEVICES_NOT_LENT:
        items.pc1.status = status
        with pytest.raises(svc.Refused) as err:
            lend(staff, items.pc1)
        assert err.value.code == "item_unavailable" and err.value.status == 422
        assert word in err.value.message and "PC-001" in err.value.message
        assert items.pc1.status == status
    for status in ("suspended", "cancelled"):
        items.line.status = status
        with pytest.raises(svc.Refused, match=status):
            lend(staff, items.line)
    assert count(Allocation) == 0 and events("allocated") == []


def test_nothing_is_lent_to_a_deactivated_person(world):
    staff, items = world
    with pytest.raises(svc.Refused) as err:
        lend(staff, items.pc1, to=staff.gone)
    assert err.value.code == "holder_inactive" and "gone" in err.value.message
    assert count(Allocation) == 0 and items.pc1.status == "in_stock"


def test_the_due_date_is_checked(world):
    staff, items = world
    for due, error, code in ((None, DomainError, "invalid"),
                             ("2026-12-25", DomainError, "invalid"),
                             (date(2026, 11, 12), svc.Refused, "due_in_past"),
                             (date(2026, 11, 13) + timedelta(days=5 * 366 + 1), svc.Refused,
                              "due_too_far")):
        with pytest.raises(error) as err:
            lend(staff, items.pc1, due_date=due)
        assert (err.value.code, err.value.field) == (code, "due_date"), due
    assert count(Allocation) == 0


def test_today_is_a_valid_due_date(world):
    staff, items = world
    assert lend(staff, items.pc1, due_date=date(2026, 11, 13)).due_date == date(2026, 11, 13)


def test_hostile_notes_and_actors_who_are_not_it_are_refused(world):
    staff, items = world
    for notes in ("x" * 2001, "bad\x00byte", "rtl\u202eoverride"):
        with pytest.raises(DomainError) as err:
            lend(staff, items.pc1, handover_notes=notes)
        assert err.value.field == "handover_notes"
    for who in ("emp", "boss", "hr"):
        with pytest.raises(Forbidden):
            svc.allocate(getattr(staff, who), user=staff.emp, device=items.pc1, due_date=DUE)
    assert count(Allocation) == 0 and items.pc1.status == "in_stock"


def test_administrators_lend_too(world):
    staff, items = world
    assert svc.allocate(staff.admin, user=staff.emp, device=items.pc1, due_date=DUE).id


def test_one_item_exactly(world):
    staff, items = world
    with pytest.raises(DomainError):
        svc.allocate(staff.it, user=staff.emp, due_date=DUE)
    with pytest.raises(DomainError):
        svc.allocate(staff.it, user=staff.emp, device=items.pc1, line=items.line, due_date=DUE)


def test_an_item_already_lent_is_a_conflict_naming_the_holder(world):
    staff, items = world
    lend(staff, items.pc1, to=staff.mate)
    db.session.commit()
    with pytest.raises(Conflict) as err:
        lend(staff, items.pc1)
    assert err.value.code == "already_allocated" and err.value.status == 409
    assert "PC-001" in err.value.message and "mate" in err.value.message
    db.session.rollback()
    assert count(Allocation) == 1 and len(events("allocated")) == 1


def test_the_database_refuses_a_second_open_loan_even_when_the_status_says_in_stock(world):
    # The status is only a hint: with it wrongly back at in_stock the insert still fails.
    staff, items = world
    first = lend(staff, items.pc1, to=staff.mate)
    items.pc1.status = "in_stock"
    db.session.commit()
    with pytest.raises(Conflict, match="mate"):
        lend(staff, items.pc1)
    db.session.rollback()
    assert [a.id for a in db.session.scalars(select(Allocation))] == [first.id]


def test_a_returned_item_can_be_lent_again(world):
    staff, items = world
    first = lend(staff, items.pc1, to=staff.mate)
    svc.return_items(first, staff.it, condition="good")
    second = lend(staff, items.pc1)
    assert second.id != first.id and items.pc1.status == "allocated"
    assert count(Allocation, Allocation.device_id == items.pc1.id) == 2


# --- kits ---------------------------------------------------------------------------------------


def test_a_kit_lends_everything_together_with_the_installed_lines(world):
    staff, items = world
    rows = svc.allocate_kit(staff.it, user=staff.emp, devices=[items.pc1, items.wifi],
                            lines=[items.data], include_installed_lines=True, due_date=DUE)
    assert [(r.device_id, r.line_id) for r in rows] == [
        (items.pc1.id, None), (items.wifi.id, None), (None, items.data.id),
        (None, items.sim.id)]
    assert len({r.kit_id for r in rows}) == 1 and rows[0].kit_id
    assert {i.status for i in (items.pc1, items.wifi, items.sim, items.data)} == {"allocated"}
    assert len(events("allocated")) == 4
    assert len(notes_of(staff.emp, "devices.allocated")) == 1  # one message for the kit


def test_installed_lines_only_when_asked(world):
    staff, items = world
    rows = svc.allocate_kit(staff.it, user=staff.emp, devices=[items.wifi], due_date=DUE)
    assert len(rows) == 1 and rows[0].kit_id is None and items.sim.status == "in_stock"


def test_a_kit_is_all_or_nothing(world):
    staff, items = world
    lend(staff, items.sim, to=staff.mate)
    db.session.commit()
    with pytest.raises(Conflict, match="08011112222"):
        svc.allocate_kit(staff.it, user=staff.emp, devices=[items.pc1, items.wifi],
                         include_installed_lines=True, due_date=DUE)
    db.session.rollback()
    assert count(Allocation) == 1
    assert (items.pc1.status, items.wifi.status) == ("in_stock", "in_stock")


def test_a_kit_with_an_item_in_repair_is_refused_whole(world):
    staff, items = world
    items.pc2.status = "in_repair"
    with pytest.raises(svc.Refused, match="PC-002"):
        svc.allocate_kit(staff.it, user=staff.emp, devices=[items.pc1, items.pc2], due_date=DUE)
    assert count(Allocation) == 0


def test_kit_size_limits(world):
    staff, items = world
    with pytest.raises(DomainError, match="at least one"):
        svc.allocate_kit(staff.it, user=staff.emp, due_date=DUE)
    many = [Device(asset_tag=f"X-{i}", model=items.pc1.model, maker="Fujitsu") for i in range(11)]
    db.session.add_all(many)
    db.session.flush()
    with pytest.raises(DomainError, match="at most 10"):
        svc.allocate_kit(staff.it, user=staff.emp, devices=many, due_date=DUE)


# --- returns ------------------------------------------------------------------------------------


def test_the_condition_decides_where_the_item_goes(world):
    staff, items = world
    for condition, device_after, line_after in (
            ("good", "in_stock", "in_stock"), ("damaged", "in_repair", "suspended"),
            ("faulty", "in_repair", "suspended"), ("lost", "lost", "suspended")):
        items.pc1.status = items.line.status = "in_stock"
        pc, line = lend(staff, items.pc1), lend(staff, items.line)
        notes = None if condition == "good" else "screen cracked"
        (back,) = svc.return_items(pc, staff.it, condition=condition, notes=notes)
        svc.return_items(line, staff.it, condition=condition, notes=notes)
        assert (items.pc1.status, items.line.status) == (device_after, line_after)
        assert (back.return_condition, back.returned_by_id, back.return_notes) == (
            condition, staff.it.id, notes)
        assert back.returned_at == NOW and not back.is_open
        event = events("returned", allocation_id=back.id)[0]
        assert json.loads(event.detail)["changes"]["status"] == ["allocated", device_after]
        assert (event.user_id, event.device_id) == (staff.emp.id, items.pc1.id)
        assert svc.holder_of(items.pc1) is None


def test_a_damaged_return_needs_notes_and_an_unknown_condition_is_refused(world):
    staff, items = world
    row = lend(staff, items.pc1)
    with pytest.raises(DomainError) as err:
        svc.return_items(row, staff.it, condition="damaged")
    assert err.value.field == "notes"
    for condition in ("broken", "", None, "GOOD"):
        with pytest.raises(DomainError) as err:
            svc.return_items(row, staff.it, condition=condition)
        assert err.value.field == "condition"
    assert row.is_open and items.pc1.status == "allocated"


def test_returning_twice_is_a_conflict(world):
    staff, items = world
    row = lend(staff, items.pc1)
    svc.return_items(row, staff.it, condition="good")
    with pytest.raises(Conflict, match="already returned"):
        svc.return_items(row, staff.it, condition="good")
    assert len(events("returned")) == 1


def test_only_it_records_returns(world):
    staff, items = world
    row = lend(staff, items.pc1)
    with pytest.raises(Forbidden):
        svc.return_items(row, staff.emp, condition="good")
    assert row.is_open


def test_a_whole_kit_comes_back_at_once_or_item_by_item(world):
    staff, items = world
    rows = svc.allocate_kit(staff.it, user=staff.emp, devices=[items.pc1, items.wifi],
                            include_installed_lines=True, due_date=DUE)
    (first,) = svc.return_items(rows[0], staff.it, condition="good")
    assert first.id == rows[0].id and rows[1].is_open
    back = svc.return_items(rows[1], staff.it, condition="good", whole_kit=True)
    assert {r.id for r in back} == {rows[1].id, rows[2].id}
    assert {items.wifi.status, items.sim.status} == {"in_stock"}


# --- receipt confirmation -----------------------------------------------------------------------


def terms(kind="laptop", version=3):
    row = LoanTerms(kind=kind, text_ja="貸与条件", text_en="Loan terms", version=version)
    db.session.add(row)
    db.session.flush()
    return row


def test_the_holder_confirms_receipt_of_the_terms_version_shown(world):
    staff, items = world
    terms()
    row = lend(staff, items.pc1)
    svc.confirm_receipt(row, staff.emp, terms_version=3)
    assert (row.confirmed_at, row.terms_version) == (NOW, 3)
    (event,) = events("confirmed")
    assert (event.user_id, event.device_id, json.loads(event.detail)) == (
        staff.emp.id, items.pc1.id, {"terms_version": 3})
    with pytest.raises(Conflict) as err:
        svc.confirm_receipt(row, staff.emp, terms_version=3)
    assert err.value.code == "already_confirmed"


def test_without_terms_the_version_is_none(world):
    staff, items = world
    row = lend(staff, items.line)
    svc.confirm_receipt(row, staff.emp, terms_version=None)
    assert row.confirmed_at == NOW and row.terms_version is None


def test_terms_changed_since_the_page_was_shown_refuse_the_confirmation(world):
    staff, items = world
    terms(version=3)
    row = lend(staff, items.pc1)
    for shown in (2, 4, None, True, "3"):
        with pytest.raises(Conflict) as err:
            svc.confirm_receipt(row, staff.emp, terms_version=shown)
        assert err.value.code == "terms_changed", shown
    assert row.confirmed_at is None and events("confirmed") == []


def test_the_terms_of_the_item_kind_count(world):
    staff, items = world
    terms("laptop", 3)
    terms("line", 7)
    row = lend(staff, items.line)
    with pytest.raises(Conflict):
        svc.confirm_receipt(row, staff.emp, terms_version=3)
    svc.confirm_receipt(row, staff.emp, terms_version=7)


def test_only_the_holder_confirms(world):
    staff, items = world
    row = lend(staff, items.pc1)
    for who in ("mate", "boss", "it", "admin"):
        with pytest.raises(Forbidden):
            svc.confirm_receipt(row, getattr(staff, who), terms_version=None)
    assert row.confirmed_at is None


def test_a_returned_loan_cannot_be_confirmed(world):
    staff, items = world
    row = lend(staff, items.pc1)
    svc.return_items(row, staff.it, condition="good")
    with pytest.raises(Conflict) as err:
        svc.confirm_receipt(row, staff.emp, terms_version=None)
    assert err.value.code == "already_returned"


def test_a_status_changed_meanwhile_refuses_the_loan(world, monkeypatch):
    # Another transaction retired the device between our read and our write: the status is
    # set with a conditional statement, so the loan is refused instead of overwriting it.
    staff, items = world
    monkeypatch.setattr(svc, "_check_available", lambda item: None)
    items.pc1.status = "retired"
    with pytest.raises(Conflict) as err:
        lend(staff, items.pc1)
    assert err.value.code == "stale" and "PC-001" in err.value.message
    assert count(Allocation) == 0 and events("allocated") == []
