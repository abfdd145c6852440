"""Loan pages: the lend form (one item, a kit, every kind of bad input), the loan page with
its return form, my items and receipt confirmation against the loan terms, the list with
its filters and scope, a person's history, the leavers. Clock frozen on Friday 2026-11-13
10:00 in Tokyo."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.dbstate import snapshot
from tests.devices.devices_loans_helpers import NOW, web_site
from tests.office import csrf_token
from workhub.devices import allocations as svc
from workhub.devices.models import Allocation, Device, LoanTerms
from workhub.extensions import db

DUE = "2026-12-25"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def site(app):
    """People who can sign in, the inventory, laptop terms (version 2)."""
    built = web_site(app)
    with app.app_context():
        db.session.add(LoanTerms(kind="laptop", text_ja="丁寧に扱うこと。", version=2,
                                 text_en="Handle with care.\n\nReturn it on time."))
        db.session.commit()
    return built


def lend(app, ids, device="pc1", to="emp", **kw):
    with app.app_context():
        from workhub.org.models import User

        row = svc.allocate(db.session.get(User, ids.it), user=db.session.get(User, getattr(
            ids, to)), device=db.session.get(Device, getattr(ids, device)),
            due_date=NOW.date().replace(month=12, day=25), **kw)
        db.session.commit()
        return row.id


def post(client, url, data, page=None):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, page or url)})


def text(response) -> str:
    return response.get_data(as_text=True)


def test_it_lends_a_kit_through_the_form(site):
    it = site.client("it")
    page = it.get("/devices/allocations/new?device=WR-001")
    assert page.status_code == 200 and "08011112222" in text(page)  # the installed line
    response = post(it, "/devices/allocations/new", {
        "login": " EMP ", "devices": "pc-001, WR-001", "lines": "DL-7", "include_installed": "y",
        "due_date": DUE, "handover_notes": "Bag included"})
    assert response.status_code == 303
    with site.app.app_context():
        rows = list(db.session.scalars(select(Allocation).order_by(Allocation.id)))
        assert len(rows) == 4 and len({r.kit_id for r in rows}) == 1
        assert response.headers["Location"].endswith(f"/devices/allocations/{rows[0].id}")
    detail = it.get(response.headers["Location"])
    assert "Bag included" in text(detail) and "WR-001" in text(detail)


BAD_LENDS = [
    ({"login": ""}, 400, "Enter the login ID"),
    ({"login": "nobody"}, 400, "No account has this login ID"),
    ({"login": "x" * 65}, 400, "No account has this login ID"),
    ({"login": "emp\x00"}, 400, "control characters"),
    ({"devices": "PC-404 PC-001"}, 400, "Not found: PC-404"),
    ({"devices": "", "lines": ""}, 400, "Choose at least one device or line"),
    ({"devices": " ".join(f"T{i}" for i in range(11))}, 400, "at most 10 items"),
    ({"devices": "P" * 65}, 400, "at most 64 characters"),
    ({"lines": "0000"}, 400, "Not found: 0000"),
    ({"due_date": ""}, 400, "Enter the expected return date"),
    ({"due_date": "25/12/2026"}, 400, "YYYY-MM-DD"),
    ({"due_date": "2026-11-12"}, 422, "in the past"),
    ({"due_date": "3026-01-01"}, 400, "between the years"),
    ({"login": "gone"}, 422, "deactivated"),
    ({"handover_notes": "x" * 2001}, 400, "At most 2000 characters"),
    ({"handover_notes": "ok\x1b[31m"}, 400, "control characters"),
    ({"request_id": "99999"}, 400, "request no longer exists"),
    ({"request_id": "<script>"}, 400, "request no longer exists"),
]


def test_bad_lend_forms_change_nothing(site, english):
    it = site.client("it")
    token = csrf_token(it, "/devices/allocations/new")
    before = snapshot(site.app)
    for data, status, message in BAD_LENDS:
        response = it.post("/devices/allocations/new", data={
            "login": "emp", "devices": "PC-001", "due_date": DUE, **data, "csrf_token": token})
        assert (response.status_code, message in text(response)) == (status, True), data
    assert snapshot(site.app) == before


def test_lending_an_item_already_lent_is_a_409_naming_the_holder(site, english):
    lend(site.app, site.ids, to="mate")
    it = site.client("it")
    token = csrf_token(it, "/devices/allocations/new")
    before = snapshot(site.app)
    response = it.post("/devices/allocations/new", data={
        "login": "emp", "devices": "PC-001", "due_date": DUE, "csrf_token": token})
    assert response.status_code == 409
    assert "already allocated to 試験 mate (mate)" in text(response)
    assert snapshot(site.app) == before


def test_the_return_form(site, english):
    allocation_id = lend(site.app, site.ids)
    it = site.client("it")
    url = f"/devices/allocations/{allocation_id}"
    token = csrf_token(it, url)
    before = snapshot(site.app)
    for data, message in (({"condition": "damaged"}, "Describe the damage"),
                          ({"condition": "melted"}, "Not a valid choice"),
                          ({"condition": "good", "notes": "x" * 2001}, "At most 2000")):
        response = it.post(url + "/return", data={**data, "csrf_token": token})
        assert response.status_code == 400 and message in text(response)
    assert snapshot(site.app) == before
    response = it.post(url + "/return", data={"condition": "damaged", "notes": "Cracked",
                                              "csrf_token": token})
    assert response.status_code == 303
    page = text(it.get(url))
    assert "Cracked" in page and "Returned" in page and "Record the return" not in page
    assert it.post(url + "/return", data={"condition": "good", "csrf_token": token}
                   ).status_code == 409
    with site.app.app_context():
        assert db.session.get(Device, site.ids.pc1).status == "in_repair"


def test_the_holder_confirms_receipt_on_a_phone_sized_page(site, english):
    allocation_id = lend(site.app, site.ids)
    emp = site.client("emp")
    mine = text(emp.get("/devices/my-items"))
    assert "PC-001" in mine and "Receipt not confirmed" in mine
    url = f"/devices/my-items/{allocation_id}/confirm"
    assert f'href="{url}"' in mine
    page = text(emp.get(url))
    assert "Handle with care." in page and "Return it on time." in page and "version 2" in page
    version = re.search(r'name="terms_version" type="hidden" value="([^"]*)"', page).group(1)
    assert version == "2"
    token = csrf_token(emp, url)
    response = emp.post(url, data={"terms_version": "2", "csrf_token": token})
    assert response.status_code == 400 and "Tick the box" in text(response)
    response = emp.post(url, data={"terms_version": "2", "accept": "y", "csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"].endswith("/my-items")
    assert "Receipt confirmed" in text(emp.get("/devices/my-items"))
    again = emp.post(url, data={"terms_version": "2", "accept": "y", "csrf_token": token})
    assert again.status_code == 409 and "already confirmed" in text(again)


def test_changed_terms_refuse_the_confirmation_and_show_the_new_text(site, english):
    allocation_id = lend(site.app, site.ids)
    emp = site.client("emp")
    url = f"/devices/my-items/{allocation_id}/confirm"
    token = csrf_token(emp, url)
    before = snapshot(site.app)
    for shown in ("1", "", "abc", "99999999999"):
        response = emp.post(url, data={"terms_version": shown, "accept": "y",
                                       "csrf_token": token})
        assert response.status_code == 409 and "have changed" in text(response), shown
        assert 'name="terms_version" type="hidden" value="2"' in text(response)
    assert snapshot(site.app) == before


def test_others_cannot_confirm_or_see(site):
    allocation_id = lend(site.app, site.ids)
    url = f"/devices/my-items/{allocation_id}/confirm"
    assert site.client("mate").get(url).status_code == 404
    assert site.client("mate").get(f"/devices/allocations/{allocation_id}").status_code == 404
    boss = site.client("boss")
    assert boss.get(f"/devices/allocations/{allocation_id}").status_code == 200
    assert boss.get(url).status_code == 403


def test_the_list_filters_and_scope(site, english):
    first = lend(site.app, site.ids)
    lend(site.app, site.ids, device="pc2", to="zemp")
    with site.app.app_context():
        from workhub.org.models import User

        row = db.session.get(Allocation, first)
        svc.confirm_receipt(row, db.session.get(User, site.ids.emp), terms_version=2)
        db.session.commit()
    it = site.client("it")
    everything = text(it.get("/devices/allocations"))
    assert "PC-001" in everything and "PC-002" in everything
    assert "PC-001" not in text(it.get("/devices/allocations?state=unconfirmed"))
    assert "PC-002" in text(it.get("/devices/allocations?department=ZAISEI"))
    assert "PC-001" not in text(it.get("/devices/allocations?department=ZAISEI"))
    assert "PC-001" not in text(it.get("/devices/allocations?kind=tablet"))
    assert "Nothing matches" in text(it.get("/devices/allocations?state=returned"))
    odd = it.get("/devices/allocations?state=<x>&kind=%00&department=NOPE&page=-3")
    assert odd.status_code == 200 and "PC-001" in text(odd)
    boss = text(site.client("boss").get("/devices/allocations"))
    assert "PC-001" in boss and "PC-002" not in boss
    assert site.client("emp").get("/devices/allocations").status_code == 403


def test_a_person_page_and_the_leavers(site, english):
    lend(site.app, site.ids, to="emp")
    lend(site.app, site.ids, device="pc2", to="mate")
    with site.app.app_context():
        from workhub.org.models import User

        db.session.get(User, site.ids.mate).active = False  # the directory sync's doing
        db.session.commit()
    it = site.client("it")
    person = text(it.get(f"/devices/people/{site.ids.emp}"))
    assert "PC-001" in person and "Lent" in person
    leavers = text(it.get("/devices/leavers"))
    assert "試験 mate" in leavers and "PC-002" in leavers and "試験 emp" not in leavers
    assert site.client("zboss").get(f"/devices/people/{site.ids.emp}").status_code == 404
    assert site.client("emp").get(f"/devices/people/{site.ids.emp}").status_code == 200
    assert site.client("emp").get("/devices/people/999999").status_code == 404
