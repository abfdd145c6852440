"""The JSON API of licences and of a meeting's licences, with a bearer token: what it answers,
and wrong, missing, oversized and hostile bodies (4xx naming the field, nothing changed)."""

from __future__ import annotations

import pytest

from tests.dbstate import snapshot
from tests.online_meetings.online_meetings_data import TOMORROW_10, bearer, licence, meeting

pytestmark = pytest.mark.usefixtures("english", "fast_hashing")


def lid(app, name: str) -> int:
    with app.app_context():
        return licence(name).id


def mid(app, *args, **kwargs) -> int:
    with app.app_context():
        return meeting(*args, **kwargs).id




def test_it_keeps_the_inventory_through_the_api(app, client, office):
    it = bearer(client, "it")
    response = client.post("/api/v1/licences", headers=it, json={
        "name": "Webex 1", "tool": "webex", "capacity": 150, "contract_end": "2027-03-31",
        "monthly_cost_yen": 2000, "paying_department": "OTH"})
    assert response.status_code == 201, response.json
    new_id = response.json["id"]
    listed = client.get("/api/v1/licences", headers=it).json["items"]
    assert [item["name"] for item in listed] == ["Room kit 3F", "Teams SEC", "Webex 1",
                                                 "Zoom 1", "Zoom 2"]
    response = client.patch(f"/api/v1/licences/{new_id}", headers=it,
                            json={"capacity": 200, "mode": "assigned",
                                  "assigned_department": "SEC"})
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["capacity"], body["mode"], body["assigned_department"], body["contract_end"],
            body["paying_department"]) == (200, "assigned", "SEC", "2027-03-31", "OTH")
    assert client.delete(f"/api/v1/licences/{new_id}", headers=it).status_code == 204
    assert client.get(f"/api/v1/licences/{new_id}", headers=it).status_code == 404


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"name": "X", "tool": "zoom", "capacity": "100"}, 400, "capacity"),
    ({"name": "X", "tool": "zoom", "capacity": True}, 400, "capacity"),
    ({"name": "X", "tool": "zoom", "capacity": 0}, 422, "capacity"),
    ({"name": "X", "tool": "zoom", "capacity": 10**9}, 422, "capacity"),
    ({"name": "X", "tool": "zoom"}, 422, "capacity"),
    ({"tool": "zoom", "capacity": 5}, 400, "name"),
    ({"name": ["X"], "tool": "zoom", "capacity": 5}, 400, "name"),
    ({"name": "X", "tool": "zoom", "capacity": 5, "colour": "red"}, 400, "colour"),
    ({"name": "X\x00", "tool": "zoom", "capacity": 5}, 400, "name"),
    ({"name": "X" * 10_000, "tool": "zoom", "capacity": 5}, 422, "name"),
    ({"name": "<script>alert(1)</script>\u202e", "tool": "zoom", "capacity": 5}, 422, "name"),
    ({"name": "X", "tool": "skype", "capacity": 5}, 422, "tool"),
    ({"name": "X", "tool": "zoom", "capacity": 5, "contract_end": "31/03/2027"}, 400,
     "contract_end"),
    ({"name": "X", "tool": "zoom", "capacity": 5, "contract_end": "2027-02-30"}, 400,
     "contract_end"),
    ({"name": "X", "tool": "zoom", "capacity": 5, "active": "yes"}, 400, "active"),
    ({"name": "X", "tool": "zoom", "capacity": 5, "paying_department": "NOPE"}, 422,
     "paying_department"),
    ({"name": "zoom 1", "tool": "zoom", "capacity": 5}, 409, "name"),
])
def test_bad_licence_bodies_are_refused_and_change_nothing(app, client, office, body, status,
                                                          field):
    it = bearer(client, "it")
    before = snapshot(app)
    responses = [client.post("/api/v1/licences", headers=it, json=body)]
    if field in body:  # a PATCH keeps the fields it is not given
        responses.append(client.patch(f"/api/v1/licences/{lid(app, 'Zoom 2')}", headers=it,
                                      json=body))
    for response in responses:
        assert response.status_code == status, response.json
        assert response.json["error"]["field"] == field
    assert snapshot(app) == before


def test_not_json_and_huge_ids(app, client, office):
    it = bearer(client, "it")
    before = snapshot(app)
    assert client.post("/api/v1/licences", headers=it, data="name=X").status_code == 400
    assert client.post("/api/v1/licences", headers=it, data="{",
                       content_type="application/json").status_code == 400
    assert client.post("/api/v1/licences", headers=it, json=["X"]).status_code == 400
    for url in ("/api/v1/licences/99999999999999999999", "/api/v1/licences/2147483648"):
        assert client.get(url, headers=it).status_code == 404
        assert client.delete(url, headers=it).status_code == 404
    assert snapshot(app) == before


def test_a_meetings_licences_booked_and_released(app, client, office):
    made = mid(app, "sec")
    sec = bearer(client, "sec")
    url = f"/api/v1/meetings/{made}/licences"
    body = client.get(url, headers=sec).json
    assert body["held"] == []
    assert [f["name"] for f in body["free"]] == ["Zoom 1", "Zoom 2", "Room kit 3F"]
    response = client.post(url, headers=sec, json={"licence_id": lid(app, "Zoom 1")})
    assert response.status_code == 201, response.json
    assert response.json["licence"]["name"] == "Zoom 1"
    assert response.json["starts_at"] == TOMORROW_10.isoformat()
    body = client.get(url, headers=sec).json
    assert [h["licence"]["name"] for h in body["held"]] == ["Zoom 1"]
    assert [f["name"] for f in body["free"]] == ["Room kit 3F"]
    # A participant sees what is held, not what could be booked.
    made_with_emp = mid(app, "sec", title="見る会議", starts_at=TOMORROW_10.replace(hour=5))
    emp_view = client.get(f"/api/v1/meetings/{made_with_emp}/licences",
                          headers=bearer(client, "emp")).json
    assert emp_view == {"held": [], "free": []}
    other = mid(app, "boss", starts_at=TOMORROW_10.replace(minute=30))
    clash = client.post(f"/api/v1/meetings/{other}/licences", headers=bearer(client, "boss"),
                        json={"licence_id": lid(app, "Zoom 1")})
    assert clash.status_code == 409
    assert clash.json["error"]["field"] == "licence"
    assert client.delete(f"{url}/{lid(app, 'Zoom 1')}", headers=sec).status_code == 204
    assert client.get(url, headers=sec).json["held"] == []


@pytest.mark.parametrize(("body", "status"), [
    ({}, 400), ({"licence_id": "1"}, 400), ({"licence_id": None}, 400),
    ({"licence_id": 1, "extra": 1}, 400), ({"licence_id": 2**70}, 404),
    ({"licence_id": 999_999}, 404),
])
def test_bad_booking_bodies(app, client, office, body, status):
    made = mid(app, "sec")
    sec = bearer(client, "sec")
    before = snapshot(app)
    response = client.post(f"/api/v1/meetings/{made}/licences", headers=sec, json=body)
    assert response.status_code == status, response.json
    assert snapshot(app) == before


def test_a_licence_that_does_not_fit_answers_422(app, client, office):
    made = mid(app, "sec", tool="teams")
    response = client.post(f"/api/v1/meetings/{made}/licences", headers=bearer(client, "sec"),
                           json={"licence_id": lid(app, "Zoom 1")})
    assert response.status_code == 422
    assert "another online tool" in response.json["error"]["message"]


def test_a_read_only_token_may_look_but_not_book(app, client, office):
    made = mid(app, "sec")
    read = bearer(client, "sec", {"meetings": "read"})
    assert client.get(f"/api/v1/meetings/{made}/licences", headers=read).status_code == 200
    refused = client.post(f"/api/v1/meetings/{made}/licences", headers=read,
                          json={"licence_id": lid(app, "Zoom 1")})
    assert refused.status_code == 403
    assert refused.json["error"]["code"] == "insufficient_scope"


def test_invitations_through_the_api(app, client, office):
    made = mid(app, "sec")
    sec = bearer(client, "sec")
    url = f"/api/v1/meetings/{made}/invitations"
    response = client.post(url, headers=sec)
    assert response.status_code == 201, response.json
    assert response.json == {"sequence": 0, "recipients": 1}
    assert client.post(url, headers=sec).json == {"sequence": 1, "recipients": 1}
    assert client.post(url, headers=sec, json={"to": "everyone"}).status_code == 400
    assert client.delete(url, headers=sec).json["sequence"] == 2
    again = client.delete(url, headers=sec)
    assert again.status_code == 422
    assert client.post(url, headers=bearer(client, "emp")).status_code == 403
