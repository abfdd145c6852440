"""Request pages: the request form and its bad input, the manager's decision, IT's waitlist
and fulfilment from stock, cancelling, the list with its filters and waitlist places.
Clock frozen on Friday 2026-11-13 10:00 in Tokyo."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.dbstate import snapshot
from tests.devices.devices_loans_helpers import NOW, web_site
from tests.office import csrf_token
from workhub.devices.models import Allocation, DeviceRequest
from workhub.extensions import db


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def site(app, english):
    return web_site(app)


def text(response) -> str:
    return response.get_data(as_text=True)


def ask(client, **data):
    token = csrf_token(client, "/devices/requests/new")
    return client.post("/devices/requests/new", data={
        "kind": "laptop", "start_date": "2026-11-16", "end_date": "2026-12-25",
        "purpose": "Telework from home", **data, "csrf_token": token})


def status_of(app, request_id: int) -> str:
    with app.app_context():
        return db.session.get(DeviceRequest, request_id).status


def test_request_approve_waitlist_fulfil_journey(site):
    emp = site.client("emp")
    response = ask(emp)
    assert response.status_code == 303
    url = response.headers["Location"]
    request_id = int(url.rsplit("/", 1)[1])
    assert "Waiting for approval" in text(emp.get(url))

    boss = site.client("boss")
    page = text(boss.get(url))
    assert "Telework from home" in page and "Approve" in page
    token = csrf_token(boss, url)
    before = snapshot(site.app)
    for data in ({"comment": ""}, {"comment": "x" * 501}):
        response = boss.post(url + "/reject", data={**data, "csrf_token": token})
        assert response.status_code == 400 and "alert-danger" in text(response)
    assert boss.post(url + "/approve", data={"comment": "a\x00b", "csrf_token": token}
                     ).status_code == 400
    assert snapshot(site.app) == before
    assert boss.post(url + "/approve", data={"comment": "OK", "csrf_token": token}
                     ).status_code == 303
    assert status_of(site.app, request_id) == "approved"

    it = site.client("it")
    page = text(it.get(url))
    assert "PC-001 — Fujitsu LIFEBOOK U9" in page and "TAB-001" not in page
    token = csrf_token(it, url)
    assert it.post(url + "/waitlist", data={"csrf_token": token}).status_code == 303
    assert "Place on the waitlist: 1." in text(emp.get(url))
    with site.app.app_context():
        stock = f"d:{site.ids.pc2}"
    response = it.post(url + "/fulfil", data={"item": stock, "due_date": "2026-12-25",
                                              "csrf_token": token})
    assert response.status_code == 303
    with site.app.app_context():
        loan = db.session.scalar(select(Allocation).where(Allocation.request_id == request_id))
        assert loan.device_id == site.ids.pc2
        assert response.headers["Location"].endswith(f"/devices/allocations/{loan.id}")
    assert status_of(site.app, request_id) == "fulfilled"
    assert "PC-002" in text(emp.get("/devices/my-items"))


BAD_REQUESTS = [
    ({"kind": "printer"}, 400, "Not a valid choice"),
    ({"purpose": ""}, 400, "Say what you need it for"),
    ({"purpose": "x" * 501}, 400, "At most 500 characters"),
    ({"purpose": "a\u202eb"}, 400, "control characters"),
    ({"start_date": ""}, 400, "Enter the first day"),
    ({"start_date": "2026-02-30"}, 400, "YYYY-MM-DD"),
    ({"start_date": "2026-11-12"}, 422, "in the past"),
    ({"end_date": "2026-11-15"}, 422, "before the first day"),
]


def test_bad_request_forms_change_nothing(site):
    emp = site.client("emp")
    csrf_token(emp, "/devices/requests/new")
    before = snapshot(site.app)
    for data, status, message in BAD_REQUESTS:
        response = ask(emp, **data)
        assert (response.status_code, message in text(response)) == (status, True), data
    assert snapshot(site.app) == before


def test_a_second_open_request_for_the_same_kind_is_a_409(site):
    emp = site.client("emp")
    assert ask(emp).status_code == 303
    before = snapshot(site.app)
    response = ask(emp)
    assert response.status_code == 409 and "already have an open request" in text(response)
    assert snapshot(site.app) == before


def test_fulfil_form_refuses_items_not_chosen_from_stock(site):
    emp = site.client("emp")
    url = ask(emp, kind="router").headers["Location"]
    request_id = int(url.rsplit("/", 1)[1])
    boss = site.client("boss")
    boss.post(url + "/approve", data={"csrf_token": csrf_token(boss, url)})
    it = site.client("it")
    token = csrf_token(it, url)
    before = snapshot(site.app)
    for item, status, message in (("", 400, "Choose an item from stock"),
                                  ("d:abc", 400, "Choose an item from stock"),
                                  ("x:1", 400, "Choose an item from stock"),
                                  (f"d:{site.ids.pc1}", 422, "another kind")):
        response = it.post(url + "/fulfil", data={"item": item, "due_date": "2026-12-25",
                                                  "csrf_token": token})
        assert response.status_code == status and message in text(response), item
    response = it.post(url + "/fulfil", data={"item": f"d:{site.ids.wifi}", "due_date": "",
                                              "csrf_token": token})
    assert response.status_code == 400
    assert snapshot(site.app) == before
    response = it.post(url + "/fulfil", data={"item": f"d:{site.ids.wifi}",
                                              "include_installed": "y",
                                              "due_date": "2026-12-25", "csrf_token": token})
    assert response.status_code == 303
    with site.app.app_context():
        loans = db.session.scalars(select(Allocation).where(Allocation.request_id == request_id))
        assert {(a.device_id, a.line_id) for a in loans} == {(site.ids.wifi, None),
                                                           (None, site.ids.sim)}


def test_cancelling(site):
    emp = site.client("emp")
    url = ask(emp).headers["Location"]
    request_id = int(url.rsplit("/", 1)[1])
    it = site.client("it")
    token = csrf_token(it, url)
    response = it.post(url + "/cancel", data={"comment": "", "csrf_token": token})
    assert response.status_code == 400 and "Reason is required" in text(response)
    mate = site.client("mate")
    mate_token = csrf_token(mate, "/devices/requests/new")
    assert mate.post(url + "/cancel", data={"csrf_token": mate_token}).status_code == 404
    token = csrf_token(emp, url)
    assert emp.post(url + "/cancel", data={"csrf_token": token}).status_code == 303
    assert status_of(site.app, request_id) == "cancelled"
    page = text(emp.get(url))
    assert "Cancelled" in page and "Cancel the request" not in page
    assert emp.post(url + "/cancel", data={"csrf_token": token}).status_code == 409


def test_the_list_is_scoped_and_filtered(site):
    emp, zemp = site.client("emp"), site.client("zemp")
    ask(emp)
    ask(zemp, kind="tablet", purpose="Field work")
    boss = text(site.client("boss").get("/devices/requests"))
    assert "試験 emp" in boss and "試験 zemp" not in boss
    it = site.client("it")
    everything = text(it.get("/devices/requests?status=open"))
    assert "試験 emp" in everything and "試験 zemp" in everything
    assert "Nothing matches" in text(it.get("/devices/requests?status=fulfilled"))
    assert "試験 zemp" not in text(emp.get("/devices/requests"))
    assert "試験 emp" in text(emp.get("/devices/requests?mine=1&status=<b>&page=x"))
