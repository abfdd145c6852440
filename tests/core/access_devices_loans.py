"""Access-matrix entries for the devices package (loans): see tests/core/test_access_matrix.py.

``ROUTES`` maps (method, rule) to a ``Call``; ``build`` creates the objects the URL
parameters point at and returns them as ``World.extra`` (use ``lambda w: w.extra["key"]``).
``me`` is the signed-in user (None when anonymous), ``other`` a colleague in the same
section, ``ids`` department codes → ids. Called inside an app context; commit at the end.

Who gets what: IT (it_admin) and administrators lend, record returns and fulfil requests;
the section's manager sees the colleague's loans and requests and decides on the requests
(administrators too, as the way out); everyone sees, confirms and cancels their own.
Employees, HR and secretaries cannot even see the colleague's loan or request (404).
"""

from __future__ import annotations

from datetime import date, timedelta

from tests.core.access_common import Call, extra

DUE = (date.today() + timedelta(days=30)).isoformat()
START = (date.today() + timedelta(days=7)).isoformat()
NOT_SEEING = {"employee": 404, "hr": 404, "secretary": 404}
NOT_IT = {"employee": 403, "manager": 403, "hr": 403, "secretary": 403}
# A manager sees the colleague's loan or request but may not act as IT on it.
SEEING_NOT_IT = {**NOT_SEEING, "manager": 403}
DECIDERS_ONLY = {**NOT_SEEING, "it_admin": 403}


ROUTES: dict[tuple[str, str], Call] = {
    # Pages: my items and receipt (everyone, their own loan).
    ("GET", "/devices/my-items"): Call(),
    ("GET", "/devices/my-items/<int:allocation_id>/confirm"): Call(
        params={"allocation_id": extra("own_allocation")}),
    ("POST", "/devices/my-items/<int:allocation_id>/confirm"): Call(
        params={"allocation_id": extra("own_allocation")},
        data={"accept": "y", "terms_version": ""}, ok=303),
    # IT's list of loans (managers see their departments' part), lending and returns.
    ("GET", "/devices/allocations"): Call(by_role={"employee": 403, "hr": 403,
                                                   "secretary": 403}),
    ("GET", "/devices/allocations/new"): Call(),
    ("POST", "/devices/allocations/new"): Call(
        data={"login": "matrix-other", "devices": "MTX-LOAN-STOCK", "due_date": DUE}, ok=303),
    ("GET", "/devices/allocations/<int:allocation_id>"): Call(
        params={"allocation_id": extra("other_allocation")}, by_role=NOT_SEEING),
    ("POST", "/devices/allocations/<int:allocation_id>/return"): Call(
        params={"allocation_id": extra("other_allocation")}, data={"condition": "good"}, ok=303),
    ("GET", "/devices/people/<int:user_id>"): Call(
        params={"user_id": lambda w: w.other_user_id}, by_role=NOT_SEEING),
    ("GET", "/devices/leavers"): Call(),
    # Requests.
    ("GET", "/devices/requests"): Call(),
    ("GET", "/devices/requests/new"): Call(),
    ("POST", "/devices/requests/new"): Call(
        data={"kind": "laptop", "start_date": START, "purpose": "matrix"}, ok=303),
    ("GET", "/devices/requests/<int:request_id>"): Call(
        params={"request_id": extra("other_request")}, by_role=NOT_SEEING),
    ("POST", "/devices/requests/<int:request_id>/approve"): Call(
        params={"request_id": extra("other_request")}, by_role=DECIDERS_ONLY, ok=303),
    ("POST", "/devices/requests/<int:request_id>/reject"): Call(
        params={"request_id": extra("other_request")}, data={"comment": "matrix"},
        by_role=DECIDERS_ONLY, ok=303),
    ("POST", "/devices/requests/<int:request_id>/waitlist"): Call(
        params={"request_id": extra("approved_request")}, by_role=SEEING_NOT_IT, ok=303),
    # No item chosen: the form comes back (the item ids differ from run to run).
    ("POST", "/devices/requests/<int:request_id>/fulfil"): Call(
        params={"request_id": extra("approved_request")}, by_role=SEEING_NOT_IT, ok=400),
    ("POST", "/devices/requests/<int:request_id>/cancel"): Call(
        params={"request_id": extra("own_request")}, ok=303),
    # JSON API: the matrix's form-encoded POST is refused as bad input (400) once the caller
    # is let in; the JSON answers are tested in test_devices_*_api.py.
    ("POST", "/api/v1/allocations"): Call(ok=400, by_role=NOT_IT),
    ("GET", "/api/v1/allocations"): Call(),
    ("GET", "/api/v1/allocations/<int:allocation_id>"): Call(
        params={"allocation_id": extra("other_allocation")}, by_role=NOT_SEEING),
    ("POST", "/api/v1/allocations/<int:allocation_id>/return"): Call(
        params={"allocation_id": extra("other_allocation")}, by_role=SEEING_NOT_IT, ok=400),
    ("POST", "/api/v1/allocations/<int:allocation_id>/confirm"): Call(
        params={"allocation_id": extra("own_allocation")}, ok=400),
    ("GET", "/api/v1/device-requests"): Call(),
    ("POST", "/api/v1/device-requests"): Call(ok=400),
    ("GET", "/api/v1/device-requests/<int:request_id>"): Call(
        params={"request_id": extra("other_request")}, by_role=NOT_SEEING),
    ("POST", "/api/v1/device-requests/<int:request_id>/approve"): Call(
        params={"request_id": extra("other_request")}, by_role=DECIDERS_ONLY, ok=400),
    ("POST", "/api/v1/device-requests/<int:request_id>/reject"): Call(
        params={"request_id": extra("other_request")}, by_role=DECIDERS_ONLY, ok=400),
    ("POST", "/api/v1/device-requests/<int:request_id>/waitlist"): Call(
        params={"request_id": extra("approved_request")}, by_role=SEEING_NOT_IT, ok=400),
    ("POST", "/api/v1/device-requests/<int:request_id>/fulfil"): Call(
        params={"request_id": extra("approved_request")}, by_role=SEEING_NOT_IT, ok=400),
    ("POST", "/api/v1/device-requests/<int:request_id>/cancel"): Call(
        params={"request_id": extra("own_request")}, ok=400),
}


def build(app, me, other, ids) -> dict:
    from workhub.devices.models import Allocation, Device, DeviceModel, DeviceRequest
    from workhub.extensions import db

    model = DeviceModel(kind="laptop", maker="MatrixMaker", name="Loan 1")
    db.session.add(model)

    def device(tag: str) -> Device:
        row = Device(asset_tag=tag, model=model, maker=model.maker, status="allocated")
        db.session.add(row)
        return row

    stock = device("MTX-LOAN-STOCK")
    stock.status = "in_stock"
    lent_other, lent_me = device("MTX-LOAN-1"), device("MTX-LOAN-2")
    owner_id = me.id if me is not None else other.id
    due = date.today() + timedelta(days=30)
    start = date.today() + timedelta(days=7)
    db.session.flush()
    other_allocation = Allocation(device_id=lent_other.id, user_id=other.id, due_date=due)
    own_allocation = Allocation(device_id=lent_me.id, user_id=owner_id, due_date=due)
    other_request = DeviceRequest(user_id=other.id, kind="laptop", start_date=start,
                                  purpose="matrix", status="pending", needs_approval=True)
    approved_request = DeviceRequest(user_id=other.id, kind="router", start_date=start,
                                     purpose="matrix", status="approved")
    own_request = DeviceRequest(user_id=owner_id, kind="tablet", start_date=start,
                                purpose="matrix", status="pending", needs_approval=True)
    db.session.add_all([other_allocation, own_allocation, other_request, approved_request,
                        own_request])
    db.session.commit()
    return {"other_allocation": other_allocation.id, "own_allocation": own_allocation.id,
            "other_request": other_request.id, "approved_request": approved_request.id,
            "own_request": own_request.id}
