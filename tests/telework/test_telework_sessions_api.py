"""JSON API of the session log and the targets: status codes, error bodies, scoping, and that
refused requests write nothing."""

from __future__ import annotations

from datetime import UTC, date

import pytest
from openapi_schema_validator import OAS30Validator
from sqlalchemy import select

from tests.dbstate import snapshot
from tests.office import at, csrf_token, login
from workhub.api.openapi import build_openapi
from workhub.auth.services import create_token
from workhub.extensions import db
from workhub.org.models import Department, User
from workhub.telework.models import (
    Booking,
    MonthClose,
    MonthlyTarget,
    TeleworkPolicy,
    TeleworkSession,
)

pytestmark = pytest.mark.usefixtures("fast_hashing")



@pytest.fixture
def clock(office_clock):
    """Frozen at Tuesday 14 April 2026, 09:00 office time; returns the mover."""
    office_clock("2026-04-14 09:00")
    return office_clock


@pytest.fixture
def org(app, make_department, make_user):
    """Users with API tokens: an employee and a colleague in 情報政策課, the bureau's manager,
    a manager elsewhere, HR and an admin. Returns {name: (user id, bearer headers)}."""
    make_department("GEN", "総務局")
    make_department("IT", "情報政策課", parent="GEN")
    make_department("FIN", "財政課")
    people = {
        "emp": make_user("emp", department="IT"),
        "mate": make_user("mate", department="IT"),
        "boss": make_user("boss", roles=("employee", "manager"), department="GEN"),
        "other_boss": make_user("oboss", roles=("employee", "manager"), department="FIN"),
        "hr": make_user("hr", roles=("employee", "hr"), department="FIN"),
        "admin": make_user("admin", roles=("admin",)),
    }
    out = {}
    with app.app_context():
        for name, info in people.items():
            _row, secret = create_token(db.session.get(User, info.id), "test")
            out[name] = (info.id, {"Authorization": f"Bearer {secret}"})
        db.session.commit()
    return out


def add_session(app, user_id: int, start: str, end: str | None, **kw) -> int:
    with app.app_context():
        user = db.session.get(User, user_id)
        row = TeleworkSession(user_id=user_id, day=at(start).date(),
                              started_at=at(start).astimezone(UTC),
                              ended_at=at(end).astimezone(UTC) if end else None,
                              place="home", unplanned=True, department_id=user.department_id,
                              **kw)
        db.session.add(row)
        db.session.commit()
        return row.id


def sessions_in_db(app) -> list[TeleworkSession]:
    with app.app_context():
        return list(db.session.scalars(select(TeleworkSession).order_by(TeleworkSession.id)))


def telework_tables(app) -> dict:
    return {k: v for k, v in snapshot(app).items() if k.startswith("telework_")}


def state(app) -> dict:
    """Every table but the tokens (each use of a token notes when it was last used)."""
    return {k: v for k, v in snapshot(app).items() if k != "api_tokens"}


def schema(name: str) -> OAS30Validator:
    spec = build_openapi()
    return OAS30Validator({"$ref": f"#/components/schemas/{name}",
                           "components": spec["components"]})


GOOD = {"date": "2026-04-13", "start": "09:00", "end": "17:30", "place": "home",
        "report": "資料作成"}


# --- entry after the fact --------------------------------------------------------------------


def test_record_session(app, client, org, clock):
    _uid, headers = org["emp"]
    response = client.post("/api/v1/telework/sessions", json=GOOD, headers=headers)
    assert response.status_code == 201, response.json
    body = response.json
    schema("TeleworkSession").validate(body)
    assert body["date"] == "2026-04-13" and body["start"] == "09:00" and body["end"] == "17:30"
    assert body["minutes"] == 510 and body["hours"] == 8.5
    assert body["unplanned"] is True and body["booking_id"] is None and not body["running"]
    assert body["user"] == "emp" and body["report"] == "資料作成"
    assert body["started_at"] == "2026-04-13T00:00:00+00:00"
    assert [s.id for s in sessions_in_db(app)] == [body["id"]]


def test_record_session_with_a_booking(app, client, org, clock):
    uid, headers = org["emp"]
    with app.app_context():
        booking = Booking(user_id=uid, day=date(2026, 4, 13), slot="full", place="home",
                          status="approved")
        db.session.add(booking)
        db.session.commit()
        booking_id = booking.id
    response = client.post("/api/v1/telework/sessions", json={**GOOD, "booking_id": booking_id},
                           headers=headers)
    assert response.status_code == 201
    assert response.json["booking_id"] == booking_id and response.json["unplanned"] is False


@pytest.mark.parametrize(("body", "code"), [
    ("not json", "invalid_json"),
    ([GOOD], "invalid_json"),
    ("null", "invalid_json"),
    ({**GOOD, "start": 900}, "invalid_type"),
    ({**GOOD, "date": ["2026-04-13"]}, "invalid_type"),
    ({**GOOD, "report": {"text": "x"}}, "invalid_type"),
    ({**GOOD, "booking_id": "12"}, "invalid_type"),
    ({**GOOD, "booking_id": True}, "invalid_type"),
    ({**GOOD, "booking_id": 1.5}, "invalid_type"),
    ({k: v for k, v in GOOD.items() if k != "end"}, "missing_field"),
    ({k: v for k, v in GOOD.items() if k != "place"}, "missing_field"),
    ({**GOOD, "user": "mate"}, "unknown_field"),
    ({**GOOD, "start": "25:00"}, "invalid"),
    ({**GOOD, "end": "9:60"}, "invalid"),
    ({**GOOD, "date": "2026-02-30"}, "invalid"),
    ({**GOOD, "date": "<script>alert(1)</script>"}, "invalid"),
    ({**GOOD, "place": "moon"}, "invalid"),
    ({**GOOD, "report": "x" * 2001}, "invalid"),
    # NUL anywhere in a body is refused before the fields are read (PostgreSQL cannot store it).
    ({**GOOD, "report": "bad\x00byte"}, "invalid_json"),
])
def test_bad_input_is_400_and_writes_nothing(app, client, org, clock, body, code):
    _uid, headers = org["emp"]
    before = state(app)
    if isinstance(body, str):
        response = client.post("/api/v1/telework/sessions", data=body,
                               headers={**headers, "Content-Type": "application/json"})
    else:
        response = client.post("/api/v1/telework/sessions", json=body, headers=headers)
    assert response.status_code == 400, response.json
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]
    assert state(app) == before


@pytest.mark.parametrize(("body", "code"), [
    ({**GOOD, "start": "18:00", "end": "09:00"}, "end_before_start"),
    ({**GOOD, "date": "2026-04-14", "start": "08:00", "end": "10:00"}, "future"),
    ({**GOOD, "date": "2026-05-01"}, "future"),
    ({**GOOD, "date": "2026-03-31"}, "month_closed"),
    ({**GOOD, "start": "12:00", "end": "13:30"}, "overlap"),
    ({**GOOD, "start": "15:00", "end": "16:00", "booking_id": 424242}, "booking_invalid"),
])
def test_rule_violations_are_422_with_the_rule(app, client, org, clock, body, code):
    uid, headers = org["emp"]
    add_session(app, uid, "2026-04-13 13:00", "2026-04-13 14:00")
    with app.app_context():
        db.session.add(MonthClose(month="2026-03"))
        db.session.commit()
    before = state(app)
    response = client.post("/api/v1/telework/sessions", json=body, headers=headers)
    assert response.status_code == 422, response.json
    assert response.json["error"]["code"] == code
    schema("Error").validate(response.json)
    assert state(app) == before


def test_policy_requiring_a_booking_is_422(app, client, org, clock):
    _uid, headers = org["emp"]
    with app.app_context():
        dept = db.session.scalar(select(Department).where(Department.code == "GEN"))
        db.session.add(TeleworkPolicy(department_id=dept.id, allow_unplanned_sessions=False))
        db.session.commit()
    response = client.post("/api/v1/telework/sessions", json=GOOD, headers=headers)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "booking_required"
    response = client.post("/api/v1/telework/sessions/start", json={"place": "home"},
                           headers=headers)
    assert response.status_code == 422
    assert sessions_in_db(app) == []


# --- start / stop ----------------------------------------------------------------------------


def test_start_and_stop(app, client, org, clock):
    _uid, headers = org["emp"]
    response = client.post("/api/v1/telework/sessions/start", json={"place": "satellite"},
                           headers=headers)
    assert response.status_code == 201
    started = response.json
    assert started["running"] is True and started["end"] is None and started["start"] == "09:00"
    assert started["place"] == "satellite"

    again = client.post("/api/v1/telework/sessions/start", json={"place": "home"},
                        headers=headers)
    assert again.status_code == 409 and again.json["error"]["code"] == "session_running"

    clock("2026-04-14 11:45")
    response = client.post(f"/api/v1/telework/sessions/{started['id']}/stop",
                           json={"report": "予算資料"}, headers=headers)
    assert response.status_code == 200
    assert response.json["end"] == "11:45" and response.json["minutes"] == 165
    assert response.json["report"] == "予算資料"

    again = client.post(f"/api/v1/telework/sessions/{started['id']}/stop", json={},
                        headers=headers)
    assert again.status_code == 409 and again.json["error"]["code"] == "already_stopped"


def test_start_without_body_starts_at_home(client, org, clock):
    _uid, headers = org["emp"]
    response = client.post("/api/v1/telework/sessions/start", headers=headers)
    assert response.status_code == 201 and response.json["place"] == "home"


@pytest.mark.parametrize(("body", "code"), [
    ({"place": 1}, "invalid_type"),
    ({"place": "castle"}, "invalid"),
    ({"place": "home", "at": "08:00"}, "unknown_field"),
    ("[1,2]", "invalid_json"),
])
def test_start_bad_input(app, client, org, clock, body, code):
    _uid, headers = org["emp"]
    before = state(app)
    if isinstance(body, str):
        response = client.post("/api/v1/telework/sessions/start", data=body,
                               headers={**headers, "Content-Type": "application/json"})
    else:
        response = client.post("/api/v1/telework/sessions/start", json=body, headers=headers)
    assert response.status_code == 400 and response.json["error"]["code"] == code
    assert state(app) == before


def test_stop_permissions_and_bad_input(app, client, org, clock):
    mate_id, _mate_headers = org["mate"]
    session_id = add_session(app, mate_id, "2026-04-14 08:00", None)
    before = telework_tables(app)
    for who, status in (("emp", 404), ("other_boss", 404), ("boss", 403)):
        response = client.post(f"/api/v1/telework/sessions/{session_id}/stop", json={},
                               headers=org[who][1])
        assert response.status_code == status, who
    response = client.post("/api/v1/telework/sessions/999999/stop", json={},
                           headers=org["mate"][1])
    assert response.status_code == 404
    for body in ({"report": 5}, {"report": "x" * 2001}, {"note": "x"}):
        response = client.post(f"/api/v1/telework/sessions/{session_id}/stop", json=body,
                               headers=org["mate"][1])
        assert response.status_code == 400, body
    assert telework_tables(app) == before
    # HR may stop it (a correction), and the session is then finished.
    response = client.post(f"/api/v1/telework/sessions/{session_id}/stop", json={},
                           headers=org["hr"][1])
    assert response.status_code == 200 and response.json["minutes"] == 60


def test_stop_in_a_closed_month_is_422(app, client, org, clock):
    clock("2026-04-01 08:00")
    uid, headers = org["emp"]
    session_id = add_session(app, uid, "2026-03-31 22:00", None)
    with app.app_context():
        db.session.add(MonthClose(month="2026-03"))
        db.session.commit()
    response = client.post(f"/api/v1/telework/sessions/{session_id}/stop", json={},
                           headers=headers)
    assert response.status_code == 422 and response.json["error"]["code"] == "month_closed"


def test_session_cookie_needs_csrf(app, client, org, make_user, clock):
    info = make_user("cookie", department="IT")
    assert login(client, info).status_code == 302
    response = client.post("/api/v1/telework/sessions/start", json={"place": "home"})
    assert response.status_code == 400 and response.json["error"]["code"] == "csrf_failed"
    response = client.post("/api/v1/telework/sessions/start", json={"place": "home"},
                           headers={"X-CSRFToken": csrf_token(client, "/profile")})
    assert response.status_code == 201


def test_anonymous_is_401(client, clock):
    assert client.post("/api/v1/telework/sessions", json=GOOD).status_code == 401
    assert client.get("/api/v1/telework/sessions").status_code == 401


# --- listing ---------------------------------------------------------------------------------


def test_list_is_scoped_to_what_the_caller_may_see(app, client, org, clock):
    emp_id = org["emp"][0]
    add_session(app, emp_id, "2026-04-10 09:00", "2026-04-10 12:00")
    add_session(app, org["mate"][0], "2026-04-10 13:00", "2026-04-10 15:00")
    add_session(app, org["hr"][0], "2026-04-09 09:00", "2026-04-09 10:00")
    add_session(app, emp_id, "2026-03-10 09:00", "2026-03-10 12:00")

    def users(who, query="month=2026-04"):
        response = client.get(f"/api/v1/telework/sessions?{query}", headers=org[who][1])
        assert response.status_code == 200
        schema("TeleworkSessionList").validate(response.json)
        return sorted(s["user"] for s in response.json["sessions"])

    assert users("emp") == ["emp"]
    assert users("mate") == ["mate"]
    assert users("boss") == ["emp", "mate"]
    assert users("other_boss") == ["hr"]  # FIN, where HR works
    assert users("hr") == ["emp", "hr", "mate"]
    assert users("admin") == ["emp", "hr", "mate"]
    assert users("emp", "month=2026-03") == ["emp"]
    assert users("hr", "month=2026-04&user=mate") == ["mate"]
    assert users("emp", "month=2026-04&user=mate") == []


def test_list_defaults_to_this_month_and_pages(app, client, org, clock):
    emp_id, headers = org["emp"]
    for day in (6, 7, 8):
        add_session(app, emp_id, f"2026-04-0{day} 09:00", f"2026-04-0{day} 10:00")
    body = client.get("/api/v1/telework/sessions", headers=headers).json
    assert body["month"] == "2026-04" and body["total"] == 3 and len(body["sessions"]) == 3
    body = client.get("/api/v1/telework/sessions?limit=2&offset=2", headers=headers).json
    assert body["total"] == 3 and [s["date"] for s in body["sessions"]] == ["2026-04-08"]


@pytest.mark.parametrize("query", ["month=2026-13", "month=april", "month=2026-4",
                                   "limit=0", "limit=abc", "limit=99999", "offset=-1"])
def test_list_bad_query_is_400(client, org, clock, query):
    response = client.get(f"/api/v1/telework/sessions?{query}", headers=org["emp"][1])
    assert response.status_code == 400
    assert response.json["error"]["message"]


# --- targets ---------------------------------------------------------------------------------


def targets_in_db(app) -> dict:
    with app.app_context():
        rows = db.session.execute(
            select(MonthlyTarget.month, Department.code, MonthlyTarget.target)
            .outerjoin(Department, Department.id == MonthlyTarget.department_id)
        ).all()
        return {(month, code): target for month, code, target in rows}


def test_hr_sets_targets(app, client, org, clock):
    response = client.put("/api/v1/telework/targets/2026-05",
                          json={"target": 15000, "departments": {"IT": 800, "FIN": 300}},
                          headers=org["hr"][1])
    assert response.status_code == 200, response.json
    assert response.json == {"month": "2026-05", "target": 15000,
                             "departments": {"IT": 800, "FIN": 300}}
    schema("TeleworkTargets").validate(response.json)
    assert targets_in_db(app) == {("2026-05", None): 15000, ("2026-05", "IT"): 800,
                                  ("2026-05", "FIN"): 300}
    # PUT replaces: FIN's target goes, the organisation's is removed with null.
    response = client.put("/api/v1/telework/targets/2026-05",
                          json={"target": None, "departments": {"IT": 900}},
                          headers=org["hr"][1])
    assert response.status_code == 200
    assert targets_in_db(app) == {("2026-05", "IT"): 900}


@pytest.mark.parametrize("who", ["emp", "boss", "admin"])
def test_only_hr_sets_targets(app, client, org, clock, who):
    before = state(app)
    response = client.put("/api/v1/telework/targets/2026-05", json={"target": 1},
                          headers=org[who][1])
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"
    assert state(app) == before


@pytest.mark.parametrize(("month", "body"), [
    ("2026-13", {"target": 1}),
    ("2026-5", {"target": 1}),
    ("<b>x", {"target": 1}),
    ("2026-05'--", {"target": 1}),
    ("2026-05", {"target": "1200"}),
    ("2026-05", {"target": 1.5}),
    ("2026-05", {"target": True}),
    ("2026-05", {"target": -1}),
    ("2026-05", {"target": 10**12}),
    ("2026-05", {"departments": [["IT", 3]]}),
    ("2026-05", {"departments": {"IT": "3"}}),
    ("2026-05", {"departments": {"IT": None}}),
    ("2026-05", {"departments": {"NOPE": 3}}),
    ("2026-05", {"target": 1, "extra": 2}),
    ("2026-05", "not json"),
])
def test_targets_bad_input_is_400(app, client, org, clock, month, body):
    before = state(app)
    headers = org["hr"][1]
    if isinstance(body, str):
        response = client.put(f"/api/v1/telework/targets/{month}", data=body,
                              headers={**headers, "Content-Type": "application/json"})
    else:
        response = client.put(f"/api/v1/telework/targets/{month}", json=body, headers=headers)
    assert response.status_code == 400, response.json
    assert response.json["error"]["message"]
    assert state(app) == before


def test_form_encoded_body_is_not_taken_for_json(app, client, org, clock):
    _uid, headers = org["emp"]
    before = state(app)
    response = client.post("/api/v1/telework/sessions/start", data={"place": "home"},
                           headers=headers)
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid_json"
    assert state(app) == before
