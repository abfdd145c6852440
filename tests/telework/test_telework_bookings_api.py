"""JSON API of bookings: create (one day, range, weekly), 422 with the rule's code, 400 for
bad JSON and wrong types, the scoped list, one booking, approve / reject / cancel with 403
and 404. Clock frozen on Friday 2026-11-13 10:00 in Tokyo (2026-11-23 is a holiday)."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from openapi_schema_validator import OAS30Validator
from sqlalchemy import select

from tests.dbstate import snapshot
from tests.office import csrf_token, login
from workhub.api.openapi import build_openapi
from workhub.auth.services import create_token
from workhub.extensions import db
from workhub.org.models import User
from workhub.telework.models import Booking, BookingEvent
from workhub.telework.policy import set_policy

pytestmark = pytest.mark.usefixtures("fast_hashing")

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 13, 10, 0, tzinfo=JST)
MON, TUE, WED = date(2026, 11, 16), date(2026, 11, 17), date(2026, 11, 18)
URL = "/api/v1/telework/bookings"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


class Caller:
    """Calls the API with one person's bearer token."""

    def __init__(self, client, secret: str, info):
        self.client, self.secret, self.info = client, secret, info

    def _headers(self):
        # Messages in English: the source language, stable whatever the catalogue says.
        return {"Authorization": f"Bearer {self.secret}"}

    def get(self, path, **params):
        return self.client.get(path, query_string=params, headers=self._headers())

    def post(self, path, body=None, **kw):
        if "data" in kw:
            return self.client.post(path, headers=self._headers(), **kw)
        return self.client.post(path, json=body, headers=self._headers())


@pytest.fixture
def people(app, client, make_department, make_user):
    make_department("CITY", "市役所")
    make_department("JINJI", "人事課", parent="CITY")
    make_department("ZAISEI", "財政課", parent="CITY")
    infos = {
        "emp": make_user("emp", department="JINJI", display_name="山田 花子"),
        "mate": make_user("mate", department="JINJI"),
        "boss": make_user("boss", roles=("employee", "manager"), department="JINJI"),
        "zboss": make_user("zboss", roles=("employee", "manager"), department="ZAISEI"),
        "hr": make_user("hr", roles=("hr",), department="CITY"),
        "admin": make_user("admin", roles=("admin",)),
    }
    callers = {}
    with app.app_context():
        for name, info in infos.items():
            user = db.session.get(User, info.id)
            user.language = "en"
            _row, secret = create_token(user, "test")
            callers[name] = Caller(client, secret, info)
        db.session.commit()
    for caller in callers.values():
        # The first use stamps the token's last use; later ones (same frozen minute) do not,
        # so the database snapshots below compare the bookings only.
        assert caller.get("/api/v1/me").status_code == 200
    return SimpleNamespace(**callers)


def make_booking(app, who, day, status="pending", **kw) -> int:
    with app.app_context():
        booking = Booking(user_id=who.info.id, day=day, status=status, **kw)
        BookingEvent(booking=booking, actor_id=who.info.id, to_status="pending")
        db.session.add(booking)
        db.session.commit()
        return booking.id


def rows(app) -> list[tuple]:
    with app.app_context():
        return [(b.user_id, b.day, b.slot, b.status) for b in db.session.scalars(
            select(Booking).order_by(Booking.day, Booking.id))]


def status_of(app, booking_id) -> str:
    with app.app_context():
        return db.session.get(Booking, booking_id).status


# --- create -----------------------------------------------------------------------------------


def test_create_one_day(app, people):
    response = people.emp.post(URL, {"date": "2026-11-16", "slot": "am", "place": "other",
                                     "note": "市民センター", "purpose": "窓口応援の準備"})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["id"] == body["ids"][0] and len(body["ids"]) == 1
    assert body["status"] == "pending"
    [created] = body["created"]
    assert created["date"] == "2026-11-16" and created["slot"] == "am"
    assert created["note"] == "市民センター" and created["user"]["login"] == "emp"
    assert body["skipped"] == [] and body["warnings"] == []
    assert rows(app) == [(people.emp.info.id, MON, "am", "pending")]


def test_create_range_reports_skipped_days(app, people):
    body = people.emp.post(URL, {"date": "2026-11-20", "end_date": "2026-11-24"}).json
    assert [c["date"] for c in body["created"]] == ["2026-11-20", "2026-11-24"]
    assert body["skipped"] == [
        {"date": "2026-11-21", "kind": "weekend", "reason": "Weekend"},
        {"date": "2026-11-22", "kind": "weekend", "reason": "Weekend"},
        {"date": "2026-11-23", "kind": "holiday", "reason": "Labor Thanksgiving Day"},
    ]


def test_create_weekly_pattern(app, people):
    response = people.emp.post(URL, {"date": "2026-11-16", "weeks": 3, "weekdays": [1, 3]})
    assert response.status_code == 201, response.json
    assert [c["date"] for c in response.json["created"]] == [
        "2026-11-17", "2026-11-19", "2026-11-24", "2026-11-26", "2026-12-01", "2026-12-03"]


def test_create_the_same_weekday_for_some_weeks(app, people):
    body = people.emp.post(URL, {"date": "2026-11-16", "weeks": 2}).json
    assert [c["date"] for c in body["created"]] == ["2026-11-16"]
    assert body["skipped"][0]["date"] == "2026-11-23"


def test_without_approval_the_booking_is_approved_at_once(app, people):
    with app.app_context():
        set_policy(None, actor=db.session.get(User, people.hr.info.id), approval_required=False)
        db.session.commit()
    assert people.emp.post(URL, {"date": "2026-11-16"}).json["status"] == "approved"


def test_share_warning(app, people):
    with app.app_context():
        set_policy(None, actor=db.session.get(User, people.hr.info.id), warn_share_percent=10)
        db.session.commit()
    body = people.emp.post(URL, {"date": "2026-11-16"}).json
    assert [w["code"] for w in body["warnings"]] == ["share"]
    assert body["warnings"][0]["date"] == "2026-11-16"


@pytest.mark.parametrize(("body", "code"), [
    ({"date": "2026-11-12"}, "deadline"),
    ({"date": "2026-11-13"}, "deadline"),
    ({"date": "2026-11-14"}, "weekend"),
    ({"date": "2026-11-23"}, "holiday"),
    ({"date": "2026-11-21", "end_date": "2026-11-23"}, "no_business_day"),
    ({"date": "2026-11-16", "slot": "pm"}, "overlap"),
])
def test_broken_rule_is_422_with_its_code(app, people, body, code):
    make_booking(app, people.emp, MON, slot="full")
    before = snapshot(app)
    response = people.emp.post(URL, body)
    assert response.status_code == 422, response.json
    error = response.json["error"]
    assert error["code"] == code and error["message"]
    assert error["violations"][0]["code"] == code
    assert snapshot(app) == before


@pytest.mark.parametrize(("limits", "code"), [
    ({"max_days_per_week": 2}, "max_days_per_week"),
    ({"max_days_per_month": 3}, "max_days_per_month"),
])
def test_limits_name_the_rule(app, people, limits, code):
    with app.app_context():
        set_policy(None, actor=db.session.get(User, people.hr.info.id), **limits)
        db.session.commit()
    response = people.emp.post(URL, {"date": "2026-11-16", "end_date": "2026-11-20"})
    assert response.status_code == 422
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"].startswith("At most")


@pytest.mark.parametrize(("body", "field"), [
    ({}, "date"),
    ({"date": None}, "date"),
    ({"date": 20261116}, "date"),
    ({"date": "16/11/2026"}, "date"),
    ({"date": "2026-02-30"}, "date"),
    ({"date": "20261116"}, "date"),
    ({"date": "2026-11-16", "end_date": ["2026-11-17"]}, "end_date"),
    ({"date": "2026-11-16", "end_date": "2026-11-10"}, "end"),
    ({"date": "2026-11-16", "end_date": "2027-01-16"}, "end"),
    ({"date": "2026-11-16", "weeks": "2"}, "weeks"),
    ({"date": "2026-11-16", "weeks": True}, "weeks"),
    ({"date": "2026-11-16", "weeks": 2.5}, "weeks"),
    ({"date": "2026-11-16", "weeks": 0}, "weeks"),
    ({"date": "2026-11-16", "weeks": 27}, "weeks"),
    ({"date": "2026-11-16", "weeks": 2, "weekdays": "mon"}, "weekdays"),
    ({"date": "2026-11-16", "weeks": 2, "weekdays": ["1"]}, "weekdays"),
    ({"date": "2026-11-16", "weeks": 2, "weekdays": [7]}, "weekdays"),
    ({"date": "2026-11-16", "weeks": 2, "weekdays": []}, "weekdays"),
    ({"date": "2026-11-16", "slot": 1}, "slot"),
    ({"date": "2026-11-16", "slot": "night"}, "slot"),
    ({"date": "2026-11-16", "place": "beach"}, "place"),
    ({"date": "2026-11-16", "place": "other"}, "place_note"),
    ({"date": "2026-11-16", "place": "other", "note": "x" * 201}, "place_note"),
    ({"date": "2026-11-16", "note": {"a": 1}}, "note"),
    ({"date": "2026-11-16", "purpose": "p" * 501}, "purpose"),
    ({"date": "2026-11-16", "purpose": "ok\u0000"}, "purpose"),
    ({"date": "2026-11-16", "purpose": "\u202egnp.exe"}, "purpose"),
    ({"date": "2026-11-16", "ends": "2026-11-17"}, "ends"),
    ({"date": "2026-11-16", "login": "nobody"}, "login"),
    ({"date": "2028-01-05"}, "start"),
])
def test_bad_input_is_400_and_writes_nothing(app, people, body, field):
    before = snapshot(app)
    response = people.emp.post(URL, body) if body.get("login") is None else (
        people.hr.post(URL, body))
    assert response.status_code == 400, response.json
    assert response.json["error"]["message"]
    assert response.json["error"].get("field") == field
    assert snapshot(app) == before


@pytest.mark.parametrize("kw", [
    {"data": "{not json", "content_type": "application/json"},
    {"data": "[1, 2]", "content_type": "application/json"},
    {"data": '"2026-11-16"', "content_type": "application/json"},
    {"data": "date=2026-11-16", "content_type": "application/x-www-form-urlencoded"},
])
def test_bad_json_is_400(app, people, kw):
    before = snapshot(app)
    response = people.emp.post(URL, **kw)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_json"
    assert snapshot(app) == before


def test_booking_for_someone_else(app, people):
    before = snapshot(app)
    response = people.emp.post(URL, {"date": "2026-11-16", "login": "mate"})
    assert response.status_code == 403
    assert snapshot(app) == before
    response = people.hr.post(URL, {"date": "2026-11-12", "login": "emp",
                                    "override_reason": "システム障害の振替"})
    assert response.status_code == 201, response.json
    assert response.json["overridden"][0]["code"] == "deadline"
    assert rows(app) == [(people.emp.info.id, date(2026, 11, 12), "full", "pending")]


def test_override_of_own_booking_is_refused(app, people):
    response = people.hr.post(URL, {"date": "2026-11-12", "override_reason": "x"})
    assert response.status_code == 403
    assert response.json["error"]["code"] == "override_forbidden"


def test_cookie_session_needs_the_csrf_token(app, client, people):
    login(client, people.emp.info)
    response = client.post(URL, json={"date": "2026-11-16"})
    assert response.status_code == 400
    token = csrf_token(client, "/telework/bookings")
    response = client.post(URL, json={"date": "2026-11-16"}, headers={"X-CSRFToken": token})
    assert response.status_code == 201


def test_answers_match_the_documented_schemas(app, people):
    spec = build_openapi()

    def check(name, body):
        schema = {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}
        OAS30Validator(schema).validate(body)

    created = people.emp.post(URL, {"date": "2026-11-16", "end_date": "2026-11-24"}).json
    check("BookingCreated", created)
    check("BookingList", people.emp.get(URL).json)
    check("Booking", people.emp.get(f"{URL}/{created['id']}").json)
    check("Error", people.emp.post(URL, {"date": "2026-11-14"}).json)


# --- list and read ---------------------------------------------------------------------------


def test_list_is_scoped_to_what_the_caller_may_see(app, people):
    mine = make_booking(app, people.emp, MON, purpose="私用")
    mates = make_booking(app, people.mate, TUE, purpose="研修")
    theirs = make_booking(app, people.zboss, WED)
    emp = people.emp.get(URL).json
    assert [i["id"] for i in emp["items"]] == [mine, mates]
    assert emp["items"][0]["purpose"] == "私用"
    assert "purpose" not in emp["items"][1]  # a colleague sees who and when, not why
    boss = people.boss.get(URL).json
    assert [i["id"] for i in boss["items"]] == [mine, mates]
    assert boss["items"][1]["purpose"] == "研修"
    assert [i["id"] for i in people.zboss.get(URL).json["items"]] == [theirs]
    assert people.hr.get(URL).json["total"] == 3


def test_list_filters_and_pages(app, people):
    ids = [make_booking(app, people.emp, day) for day in (MON, TUE, WED)]
    make_booking(app, people.emp, date(2026, 11, 19), status="cancelled")
    body = people.emp.get(URL, **{"from": "2026-11-17", "to": "2026-11-19"}).json
    assert [i["date"] for i in body["items"]] == ["2026-11-17", "2026-11-18", "2026-11-19"]
    assert people.emp.get(URL, status="cancelled").json["total"] == 1
    page = people.emp.get(URL, per_page="2", page="2").json
    assert (page["total"], page["page"], page["per_page"]) == (4, 2, 2)
    assert [i["id"] for i in page["items"]] == [ids[2], ids[2] + 1]


@pytest.mark.parametrize("params", [
    {"from": "yesterday"}, {"to": "2026-02-30"}, {"status": "done"}, {"page": "0"},
    {"page": "x"}, {"per_page": "101"}, {"per_page": "-1"},
])
def test_list_bad_filters(people, params):
    response = people.emp.get(URL, **params)
    assert response.status_code == 400
    assert response.json["error"]["message"]


def test_get_one(app, people):
    booking_id = make_booking(app, people.emp, MON, purpose="私用")
    own = people.emp.get(f"{URL}/{booking_id}").json
    assert own["purpose"] == "私用" and own["history"][0]["to"] == "pending"
    assert "history" not in people.mate.get(f"{URL}/{booking_id}").json
    assert people.zboss.get(f"{URL}/{booking_id}").status_code == 404
    assert people.emp.get(f"{URL}/999999").status_code == 404


def test_anonymous_gets_401(client):
    assert client.get(URL).status_code == 401
    assert client.post(URL, json={"date": "2026-11-16"}).status_code == 401


# --- decisions and cancelling ----------------------------------------------------------------


def test_approve(app, people):
    booking_id = make_booking(app, people.emp, MON)
    response = people.boss.post(f"{URL}/{booking_id}/approve", {"comment": "了解"})
    assert response.status_code == 200
    assert response.json["status"] == "approved"
    assert response.json["decision_comment"] == "了解"
    assert response.json["decided_by"] == "boss"
    again = people.boss.post(f"{URL}/{booking_id}/approve")
    assert again.status_code == 409 and again.json["error"]["code"] == "conflict"


@pytest.mark.parametrize("action", ["approve", "reject"])
@pytest.mark.parametrize(("who", "status"), [
    ("emp", 403), ("mate", 403), ("hr", 403), ("zboss", 404), ("admin", 200)])
def test_who_may_decide(app, people, action, who, status):
    booking_id = make_booking(app, people.emp, MON)
    before = snapshot(app)
    response = getattr(people, who).post(f"{URL}/{booking_id}/{action}", {"comment": "理由"})
    assert response.status_code == status
    if status != 200:
        assert response.json["error"]["code"] == ("forbidden" if status == 403
                                                  else "not_found")
        assert snapshot(app) == before


@pytest.mark.parametrize(("body", "status"), [
    (None, 400), ({"comment": ""}, 400), ({"comment": 5}, 400), ({"comment": "x" * 501}, 400),
    ({"comment": "ok", "extra": 1}, 400), ({"comment": "人員不足"}, 200)])
def test_reject_needs_a_comment(app, people, body, status):
    booking_id = make_booking(app, people.emp, MON)
    response = people.boss.post(f"{URL}/{booking_id}/reject", body)
    assert response.status_code == status, response.json
    assert status_of(app, booking_id) == ("rejected" if status == 200 else "pending")


def test_cancel(app, people):
    booking_id = make_booking(app, people.emp, MON)
    assert people.mate.post(f"{URL}/{booking_id}/cancel").status_code == 403
    assert people.zboss.post(f"{URL}/{booking_id}/cancel").status_code == 404
    assert people.boss.post(f"{URL}/{booking_id}/cancel").status_code == 400  # no reason
    assert people.emp.post(f"{URL}/{booking_id}/cancel", {"reason": 3}).status_code == 400
    assert status_of(app, booking_id) == "pending"
    response = people.emp.post(f"{URL}/{booking_id}/cancel")
    assert response.status_code == 200 and response.json["status"] == "cancelled"
    assert people.emp.post(f"{URL}/{booking_id}/cancel").status_code == 409


def test_a_past_approved_day_is_only_cancelled_by_hr(app, people):
    booking_id = make_booking(app, people.emp, date(2026, 11, 12), status="approved")
    response = people.emp.post(f"{URL}/{booking_id}/cancel")
    assert response.status_code == 409
    response = people.hr.post(f"{URL}/{booking_id}/cancel", {"reason": "誤登録"})
    assert response.status_code == 200
