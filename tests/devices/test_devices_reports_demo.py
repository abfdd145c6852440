"""The demo devices and lines of ``workhub demo``: realistic, consistent with the rules the
services keep (status "allocated" exactly while a loan is open, history for every step), and
loaded once however often the command runs."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from workhub.clock import office_today
from workhub.demo import load_demo
from workhub.devices import report_loans, reports
from workhub.devices.models import (
    TERMS_KINDS,
    Allocation,
    Device,
    DeviceRequest,
    InventoryEvent,
    Line,
    LoanTerms,
)
from workhub.devices.reports import EVERYTHING
from workhub.extensions import db

pytestmark = pytest.mark.usefixtures("fast_hashing")

TABLES = (Device, Line, Allocation, DeviceRequest, InventoryEvent, LoanTerms)


def counts() -> dict[str, int]:
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in TABLES}




def test_the_demo_inventory(app_ctx):
    load_demo("Demo-Password-2026")
    db.session.commit()
    first = counts()
    assert first["devices"] == 30 and first["lines"] == 12
    tags = db.session.scalars(select(Device.asset_tag)).all()
    assert all(re.fullmatch(r"CITY-(LT|TB|SP|RT)-\d{4}", tag) for tag in tags)
    makers = set(db.session.scalars(select(Device.maker)))
    assert {"Panasonic", "Dynabook", "Apple", "NEC"} <= makers
    assert {line.carrier for line in db.session.scalars(select(Line))} == {
        "docomo", "au", "SoftBank"}

    # Status "allocated" exactly while an open loan holds the item.
    open_devices = set(db.session.scalars(select(Allocation.device_id).where(
        Allocation.returned_at.is_(None), Allocation.device_id.is_not(None))))
    open_lines = set(db.session.scalars(select(Allocation.line_id).where(
        Allocation.returned_at.is_(None), Allocation.line_id.is_not(None))))
    for device in db.session.scalars(select(Device)):
        assert (device.status == "allocated") == (device.id in open_devices), device
    for line in db.session.scalars(select(Line)):
        assert (line.status == "allocated") == (line.id in open_lines), line
    # Every loan has its history, at the time it happened.
    for loan in db.session.scalars(select(Allocation)):
        events = {e.action: e for e in db.session.scalars(
            select(InventoryEvent).where(InventoryEvent.allocation_id == loan.id))}
        assert events["allocated"].at == loan.allocated_at
        assert ("confirmed" in events) == (loan.confirmed_at is not None)
        assert ("returned" in events) == (loan.returned_at is not None)

    # A kit of laptop, router and the line in it, lent against a fulfilled request.
    kit = db.session.scalars(select(Allocation).where(Allocation.kit_id.is_not(None))
                             .order_by(Allocation.id)).all()
    kits: dict[str, list[Allocation]] = {}
    for row in kit:
        kits.setdefault(row.kit_id, []).append(row)
    big = next(rows for rows in kits.values() if len(rows) == 3)
    assert {r.device.model.kind if r.device else "line" for r in big} == {
        "laptop", "router", "line"}
    assert big[0].user.login == "nakamura.mai"
    assert db.session.get(DeviceRequest, big[0].request_id).status == "fulfilled"
    statuses = sorted(db.session.scalars(select(DeviceRequest.status)))
    assert statuses == ["fulfilled", "pending", "waitlisted"]

    today = office_today()
    assert len(report_loans.overdue(EVERYTHING, today)) >= 2
    assert len(report_loans.unconfirmed(EVERYTHING, today, 3)) >= 2
    assert reports.contracts_ending(EVERYTHING, today, 90)
    rows = report_loans.by_department(EVERYTHING, today, "ja")
    assert report_loans.top_level_total(rows, "cost") == sum(
        line.monthly_cost for line in db.session.scalars(select(Line)))
    assert {row.kind for row in db.session.scalars(select(LoanTerms))} == set(TERMS_KINDS)
    for row in db.session.scalars(select(LoanTerms)):
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", row.text_ja) and row.text_en.isascii()

    # Again: nothing added.
    load_demo("Demo-Password-2026")
    db.session.commit()
    assert counts() == first


def test_the_demo_without_its_people_still_loads_the_stock(app_ctx, monkeypatch):
    import workhub.demo as org_demo

    monkeypatch.setattr(org_demo, "STAFF", org_demo.STAFF[:2])  # admin and an HR person
    load_demo("Demo-Password-2026")
    db.session.commit()
    assert counts()["devices"] == 30 and counts()["allocations"] == 0
    assert counts()["loan_terms"] == len(TERMS_KINDS)
