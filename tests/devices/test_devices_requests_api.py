"""JSON API of device requests: create (for oneself) → 201, bad input → 400/422 with nothing
written, the scoped list, one request, approve / reject / waitlist / fulfil / cancel with
403 and 404. Clock frozen on Friday 2026-11-13 10:00 in Tokyo."""

from __future__ import annotations

import pytest

from tests.dbstate import snapshot
from tests.devices.devices_loans_helpers import NOW, api_callers, schema

URL = "/api/v1/device-requests"
BODY = {"kind": "laptop", "start_date": "2026-11-16", "end_date": "2026-12-25",
        "purpose": "Telework"}


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def api(app, client, english):
    return api_callers(app, client)


def create(caller, **body):
    return caller.post(URL, {**BODY, **body})


def test_create_and_read(api):
    response = create(api.emp)
    assert response.status_code == 201, response.json
    schema("DeviceRequest").validate(response.json)
    assert (response.json["status"], response.json["user"]["login"]) == ("pending", "emp")
    one = api.boss.get(f"{URL}/{response.json['id']}")
    assert one.status_code == 200 and one.json == response.json
    assert api.zboss.get(f"{URL}/{response.json['id']}").status_code == 404


BAD_REQUESTS = [
    ({"kind": "printer"}, 400), ({"kind": None}, 400), ({"purpose": None}, 400),
    ({"purpose": "x" * 501}, 400), ({"start_date": None}, 400), ({"start_date": "16/11"}, 400),
    ({"end_date": "2026-11-15"}, 422), ({"start_date": "2026-11-01"}, 422),
    ({"user": "mate"}, 400), ({"purpose": 7}, 400),
]


def test_bad_requests_write_nothing(api):
    before = snapshot(api.app)
    for body, status in BAD_REQUESTS:
        response = create(api.emp, **body)
        assert response.status_code == status, (body, response.json)
    assert snapshot(api.app) == before


def test_the_whole_way_through_the_api(api):
    request_id = create(api.emp, kind="router").json["id"]
    assert create(api.emp, kind="router").status_code == 409
    base = f"{URL}/{request_id}"
    assert api.it.post(f"{base}/approve", {}).status_code == 403
    assert api.mate.post(f"{base}/approve", {}).status_code == 404
    assert api.boss.post(f"{base}/reject", {}).status_code == 400  # a comment is required
    for comment in ("x" * 501, "\u202e", 3, ["ok"]):
        assert api.boss.post(f"{base}/approve", {"comment": comment}).status_code == 400
    assert api.boss.post(f"{base}/waitlist", {}).status_code == 403
    assert api.it.post(f"{base}/waitlist", {}).status_code == 409  # not approved yet
    approved = api.boss.post(f"{base}/approve", {"comment": "OK"})
    assert approved.status_code == 200 and approved.json["status"] == "approved"
    waiting = api.it.post(f"{base}/waitlist", {"comment": "none left"})
    assert waiting.json["waitlist_position"] == 1
    assert api.boss.post(f"{base}/fulfil", {"device_id": api.ids.wifi}).status_code == 403
    before = snapshot(api.app)
    for body, status in (({"device_id": api.ids.pc1}, 422), ({"device_id": "x"}, 400),
                         ({}, 400), ({"device_id": api.ids.wifi, "due_date": "bad"}, 400),
                         ({"device_id": api.ids.wifi, "user": "emp"}, 400)):
        assert api.it.post(f"{base}/fulfil", body).status_code == status, body
    assert snapshot(api.app) == before
    done = api.it.post(f"{base}/fulfil", {"device_id": api.ids.wifi,
                                          "include_installed_lines": True})
    assert done.status_code == 200, done.json
    assert done.json["request"]["status"] == "fulfilled"
    assert len(done.json["allocation_ids"]) == 2
    assert api.emp.post(f"{base}/cancel", {}).status_code == 409


def test_cancel_and_reject(api):
    first = create(api.emp).json["id"]
    assert api.it.post(f"{URL}/{first}/cancel", {}).status_code == 400  # IT gives a reason
    assert api.emp.post(f"{URL}/{first}/cancel", {"reason": 5}).status_code == 400
    assert api.emp.post(f"{URL}/{first}/cancel", {}).json["status"] == "cancelled"
    second = create(api.emp).json["id"]
    rejected = api.boss.post(f"{URL}/{second}/reject", {"comment": "Share one"})
    assert rejected.json["status"] == "rejected"
    assert rejected.json["decision_comment"] == "Share one"


def test_the_list(api):
    create(api.emp)
    create(api.zemp, kind="tablet")
    body = api.it.get(URL).json
    schema("DeviceRequestList").validate(body)
    assert body["total"] == 2
    assert [r["user"]["login"] for r in api.boss.get(URL).json["items"]] == ["emp"]
    assert api.emp.get(URL, mine="true").json["total"] == 1
    assert api.it.get(URL, status="open").json["total"] == 2
    assert api.it.get(URL, status="fulfilled").json["total"] == 0
    assert api.it.get(URL, status="lost").status_code == 400
    assert api.it.get(URL, per_page="0").status_code == 400
