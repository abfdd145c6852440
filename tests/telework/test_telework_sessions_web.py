"""Session log pages: the Start/Stop button, entry after the fact, the month list, edit,
delete, HR corrections, and HR's month close; bad input re-renders 400 and writes nothing."""

from __future__ import annotations

import html
import re
from datetime import UTC, date

import pytest
from sqlalchemy import select

from tests.dbstate import snapshot
from tests.office import at, csrf_token, sign_in
from workhub.auth.models import AuditEvent
from workhub.extensions import db
from workhub.org.models import Department
from workhub.telework.models import Booking, MonthClose, TeleworkPolicy, TeleworkSession

pytestmark = pytest.mark.usefixtures("fast_hashing")

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def clock(office_clock):
    """Frozen at Tuesday 14 April 2026, 09:00 office time; returns the mover."""
    office_clock("2026-04-14 09:00")
    return office_clock


@pytest.fixture
def org(make_department, make_user):
    """総務局 › 情報政策課 with an employee, a colleague and the bureau's manager; HR and an
    admin elsewhere."""
    make_department("GEN", "総務局", name_en="General Affairs Bureau")
    make_department("IT", "情報政策課", parent="GEN", name_en="IT Policy Division")
    make_department("FIN", "財政課")
    return {
        "emp": make_user("emp", department="IT", display_name="青木 愛子"),
        "mate": make_user("mate", department="IT"),
        "boss": make_user("boss", roles=("employee", "manager"), department="GEN"),
        "hr": make_user("hr", roles=("employee", "hr"), department="FIN"),
        "admin": make_user("admin", roles=("admin",)),
    }


def assert_unique_ids(body: str) -> None:
    """Every id once: a label must point at exactly one control."""
    ids = re.findall(r'\sid="([^"]+)"', body)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})

def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def token(client) -> str:
    return csrf_token(client, "/telework/sessions")


def rows(app, model):
    with app.app_context():
        return list(db.session.scalars(select(model)).all())


def add_session(app, user_id: int, start: str, end: str | None, **kw) -> int:
    with app.app_context():
        started = at(start).astimezone(UTC)
        row = TeleworkSession(user_id=user_id, day=at(start).date(), started_at=started,
                              ended_at=at(end).astimezone(UTC) if end else None,
                              place=kw.pop("place", "home"), unplanned=kw.pop("unplanned", True),
                              **kw)
        db.session.add(row)
        db.session.commit()
        return row.id


def add_booking(app, user_id: int, day: date, status: str = "approved", slot: str = "full"):
    with app.app_context():
        row = Booking(user_id=user_id, day=day, slot=slot, place="home", status=status)
        db.session.add(row)
        db.session.commit()
        return row.id


def telework_tables(app) -> dict:
    """The telework tables only (signing in writes to the others)."""
    return {name: value for name, value in snapshot(app).items()
            if name.startswith("telework_")}


def close(app, month: str):
    with app.app_context():
        db.session.add(MonthClose(month=month))
        db.session.commit()


def entry(client, **overrides):
    data = {"date": "2026-04-13", "start": "09:00", "end": "17:30", "place": "home",
            "booking": "", "report": "資料作成", "csrf_token": token(client)}
    data.update(overrides)
    return client.post("/telework/sessions", data=data)


# --- the page and the big button ------------------------------------------------------------


def test_page_has_a_big_start_button_in_a_post_form(client, org, clock):
    sign_in(client, org["emp"])
    response = client.get("/telework/sessions")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    form = re.search(r'<form method="post" action="/telework/sessions/start".*?</form>', body,
                     re.S).group(0)
    assert 'name="csrf_token"' in form
    button = re.search(r"<button[^>]*id=\"start-button\"[^>]*>", form).group(0)
    assert 'type="submit"' in button and "btn-lg" in button and "py-3" in button
    assert re.search(r'<label[^>]*for="start-place"', form)
    # One id per control on the page (the entry form has a place field too).
    ids = re.findall(r'\sid="([^"]+)"', body)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert "Enter a past session" in body
    assert "Sessions of 2026-04" in body


def test_start_then_stop_shows_japan_time_and_hours(app, client, org, clock):
    sign_in(client, org["emp"])
    response = client.post("/telework/sessions/start",
                           data={"place": "satellite", "csrf_token": token(client)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/telework/sessions?month=2026-04")
    page = client.get("/telework/sessions")
    body = text_of(page)
    assert "Telework started at 09:00." in body
    assert "Working remotely since 09:00" in body  # Japan time, not 00:00 UTC
    assert_unique_ids(body)
    assert 'id="stop-button"' in body and 'id="start-button"' not in body
    running = rows(app, TeleworkSession)
    assert len(running) == 1 and running[0].ended_at is None and running[0].place == "satellite"

    clock("2026-04-14 12:30")
    response = client.post(f"/telework/sessions/{running[0].id}/stop",
                           data={"report": "議事録の整理", "csrf_token": token(client)})
    assert response.status_code == 303
    body = text_of(client.get("/telework/sessions"))
    assert "Telework stopped: 3 h 30 min." in body
    assert 'id="start-button"' in body
    assert "3.5" in body and "議事録の整理" in body and "Unplanned" in body
    (done,) = rows(app, TeleworkSession)
    assert done.minutes == 210 and done.report == "議事録の整理"


def test_start_while_running_is_409_and_writes_nothing(app, client, org, clock):
    sign_in(client, org["emp"])
    add_session(app, org["emp"].id, "2026-04-14 08:00", None)
    before = snapshot(app)
    response = client.post("/telework/sessions/start",
                           data={"place": "home", "csrf_token": token(client)})
    assert response.status_code == 409
    assert "already running" in text_of(response)
    assert snapshot(app) == before


@pytest.mark.parametrize(("data", "message"), [
    ({"place": "moon"}, "Choose a place"),
    ({"place": SCRIPT}, "Choose a place"),
    ({}, "Choose a place"),
])
def test_start_with_bad_place_is_400(app, client, org, clock, data, message):
    sign_in(client, org["emp"])
    before = snapshot(app)
    response = client.post("/telework/sessions/start", data={**data, "csrf_token": token(client)})
    assert response.status_code == 400
    assert message in text_of(response)
    assert SCRIPT not in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_start_without_csrf_is_refused(app, client, org, clock):
    sign_in(client, org["emp"])
    before = snapshot(app)
    response = client.post("/telework/sessions/start", data={"place": "home"})
    assert response.status_code == 400
    assert snapshot(app) == before


def test_stop_with_bad_report_is_400(app, client, org, clock):
    sign_in(client, org["emp"])
    session_id = add_session(app, org["emp"].id, "2026-04-14 08:00", None)
    before = snapshot(app)
    for report, message in (("x" * 2001, "too long"), ("a\x00b", "control characters")):
        response = client.post(f"/telework/sessions/{session_id}/stop",
                               data={"report": report, "csrf_token": token(client)})
        assert response.status_code == 400
        assert message in text_of(response)
    assert snapshot(app) == before


def test_stop_of_someone_elses_session(app, client, org, clock):
    session_id = add_session(app, org["mate"].id, "2026-04-14 08:00", None)
    sign_in(client, org["emp"])
    before = telework_tables(app)
    response = client.post(f"/telework/sessions/{session_id}/stop",
                           data={"csrf_token": token(client)})
    assert response.status_code == 404  # a colleague's session is not even there
    client.post("/logout", data={"csrf_token": token(client)})
    sign_in(client, org["boss"])  # the manager may see it, not change it
    response = client.post(f"/telework/sessions/{session_id}/stop",
                           data={"csrf_token": token(client)})
    assert response.status_code == 403
    assert telework_tables(app) == before
    assert client.post("/telework/sessions/999999/stop",
                       data={"csrf_token": token(client)}).status_code == 404


# --- entry after the fact ---------------------------------------------------------------------


def test_entry_after_the_fact(app, client, org, clock):
    sign_in(client, org["emp"])
    response = entry(client)
    assert response.status_code == 303
    (row,) = rows(app, TeleworkSession)
    assert row.day == date(2026, 4, 13) and row.minutes == 510 and row.unplanned
    assert row.started_at == at("2026-04-13 09:00")
    body = text_of(client.get("/telework/sessions"))
    assert "The session of 2026-04-13 has been recorded." in body
    assert "8.5" in body


def test_entry_links_the_chosen_booking(app, client, org, clock):
    emp = org["emp"]
    booking_id = add_booking(app, emp.id, date(2026, 4, 13))
    add_booking(app, emp.id, date(2026, 4, 10), status="pending")
    add_booking(app, org["mate"].id, date(2026, 4, 13))
    add_booking(app, emp.id, date(2026, 4, 20))  # not yet: not offered
    sign_in(client, emp)
    body = client.get("/telework/sessions").get_data(as_text=True)
    select_html = re.search(r'<select[^>]*name="booking".*?</select>', body, re.S).group(0)
    assert re.findall(r'<option[^>]*value="(\d+)"', select_html) == [str(booking_id)]
    assert entry(client, booking=str(booking_id)).status_code == 303
    (row,) = rows(app, TeleworkSession)
    assert row.booking_id == booking_id and not row.unplanned


@pytest.mark.parametrize(("overrides", "message"), [
    ({"date": ""}, "Enter the date."),
    ({"start": ""}, "Enter the time (HH:MM)."),
    ({"end": ""}, "Enter the time (HH:MM)."),
    ({"date": "13/04/2026"}, "Give the date as YYYY-MM-DD."),
    ({"date": "2026-02-30"}, "Give the date as YYYY-MM-DD."),
    ({"date": SCRIPT}, "Give the date as YYYY-MM-DD."),
    ({"start": "25:00"}, "Give the time as HH:MM between 00:00 and 23:59."),
    ({"end": "9時"}, "Give the time as HH:MM between 00:00 and 23:59."),
    ({"start": "x" * 5000}, "Give the time as HH:MM between 00:00 and 23:59."),
    ({"start": "18:00", "end": "09:00"}, "The end must be after the start."),
    ({"date": "2026-04-14", "start": "08:00", "end": "10:00"}, "cannot be in the future"),
    ({"date": "2026-04-15"}, "cannot be in the future"),
    ({"place": "beach"}, "Choose a place"),
    ({"report": "x" * 2001}, "too long"),
    ({"report": "ok\x1b[31m"}, "control characters"),
    ({"booking": "abc"}, "Choose one of your approved bookings."),
    ({"booking": "999999"}, "own approved booking"),
])
def test_entry_with_bad_input_is_400_and_writes_nothing(app, client, org, clock, overrides,
                                                        message):
    sign_in(client, org["emp"])
    before = snapshot(app)
    response = entry(client, **overrides)
    assert response.status_code == 400
    assert message in text_of(response)
    assert "<script>alert" not in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_entry_overlapping_or_in_a_closed_month_is_400(app, client, org, clock):
    emp = org["emp"]
    add_session(app, emp.id, "2026-04-13 13:00", "2026-04-13 15:00")
    close(app, "2026-03")
    sign_in(client, emp)
    before = snapshot(app)
    response = entry(client)
    assert response.status_code == 400
    assert "overlaps another of your telework sessions" in text_of(response)
    response = entry(client, date="2026-03-31")
    assert response.status_code == 400
    assert "2026-03 has been closed by HR" in text_of(response)
    assert snapshot(app) == before


def test_entry_refused_when_the_policy_requires_a_booking(app, client, org, clock):
    with app.app_context():
        dept = db.session.scalar(select(Department).where(Department.code == "IT"))
        db.session.add(TeleworkPolicy(department_id=dept.id, allow_unplanned_sessions=False))
        db.session.commit()
    sign_in(client, org["emp"])
    before = snapshot(app)
    response = entry(client)
    assert response.status_code == 400
    assert "requires an approved remote-work booking" in text_of(response)
    assert snapshot(app) == before


def test_hostile_report_is_stored_as_text_and_escaped(app, client, org, clock):
    sign_in(client, org["emp"])
    assert entry(client, report=SCRIPT + " '; DROP TABLE users;--").status_code == 303
    body = client.get("/telework/sessions").get_data(as_text=True)
    assert SCRIPT not in body and "&lt;script&gt;" in body


# --- the month list --------------------------------------------------------------------------


def test_month_navigation_and_other_months(app, client, org, clock):
    emp = org["emp"]
    add_session(app, emp.id, "2026-03-10 09:00", "2026-03-10 12:00")
    add_session(app, emp.id, "2026-04-10 09:00", "2026-04-10 10:00")
    add_session(app, org["mate"].id, "2026-03-11 09:00", "2026-03-11 12:00")
    sign_in(client, emp)
    body = text_of(client.get("/telework/sessions?month=2026-03"))
    assert "Sessions of 2026-03" in body
    assert "2026-03-10" in body and "2026-04-10" not in body and "2026-03-11" not in body
    assert 'href="/telework/sessions?month=2026-02"' in body
    assert 'href="/telework/sessions?month=2026-04"' in body
    assert "1 session, 3.0 hours" in body
    for bad in ("2026-13", "abc", SCRIPT, "2026-1"):
        response = client.get("/telework/sessions", query_string={"month": bad})
        assert response.status_code == 400
        assert "YYYY-MM" in text_of(response)


def test_closed_month_shows_no_edit_buttons(app, client, org, clock):
    add_session(app, org["emp"].id, "2026-03-10 09:00", "2026-03-10 12:00")
    close(app, "2026-03")
    sign_in(client, org["emp"])
    body = text_of(client.get("/telework/sessions?month=2026-03"))
    assert "HR has closed this month" in body
    assert "/edit" not in body and "/delete" not in body


def test_hr_sees_a_persons_sessions_others_may_not(app, client, org, clock):
    add_session(app, org["emp"].id, "2026-04-10 09:00", "2026-04-10 10:00")
    sign_in(client, org["mate"])
    assert client.get("/telework/sessions?user=emp").status_code == 403
    client.post("/logout", data={"csrf_token": token(client)})
    sign_in(client, org["hr"])
    response = client.get("/telework/sessions?user=emp")
    assert response.status_code == 200
    body = text_of(response)
    assert "Telework sessions of 青木 愛子" in body and "2026-04-10" in body
    assert re.search(r'<label[^>]*for="lookup-user"', body)
    assert 'id="start-button"' not in body
    assert client.get("/telework/sessions?user=nobody").status_code == 404


# --- edit and delete -------------------------------------------------------------------------


def test_edit_own_session(app, client, org, clock):
    session_id = add_session(app, org["emp"].id, "2026-04-13 09:00", "2026-04-13 12:00")
    sign_in(client, org["emp"])
    page = client.get(f"/telework/sessions/{session_id}/edit")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'value="2026-04-13"' in body and 'value="09:00"' in body and 'value="12:00"' in body
    response = client.post(f"/telework/sessions/{session_id}/edit", data={
        "date": "2026-04-10", "start": "10:00", "end": "15:00", "place": "other",
        "report": "修正", "csrf_token": token(client)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/telework/sessions?month=2026-04")
    (row,) = rows(app, TeleworkSession)
    assert (row.day, row.minutes, row.place, row.report) == (date(2026, 4, 10), 300, "other",
                                                            "修正")
    # The owner's own change is no correction.
    assert [e.event for e in rows(app, AuditEvent)] == ["login.ok"]


def test_edit_keeps_an_end_after_midnight(app, client, org, clock):
    session_id = add_session(app, org["emp"].id, "2026-04-12 22:00", "2026-04-13 01:00")
    sign_in(client, org["emp"])
    response = client.post(f"/telework/sessions/{session_id}/edit", data={
        "date": "2026-04-12", "start": "22:00", "end": "01:00", "place": "home",
        "report": "夜間対応", "csrf_token": token(client)})
    assert response.status_code == 303
    (row,) = rows(app, TeleworkSession)
    assert row.minutes == 180 and row.report == "夜間対応"


@pytest.mark.parametrize(("overrides", "message"), [
    ({"start": "25:00"}, "Give the time as HH:MM between 00:00 and 23:59."),
    ({"end": ""}, "Enter the time (HH:MM)."),
    ({"start": "13:00", "end": "12:00"}, "The end must be after the start."),
    ({"date": "2026-04-20"}, "cannot be in the future"),
    ({"date": "2026-04-10"}, "overlaps another"),
    ({"date": "2026-03-02"}, "2026-03 has been closed by HR"),
    ({"report": "y" * 3000}, "too long"),
    ({"place": SCRIPT}, "Choose a place"),
])
def test_edit_with_bad_input_is_400_and_writes_nothing(app, client, org, clock, overrides,
                                                       message):
    session_id = add_session(app, org["emp"].id, "2026-04-13 09:00", "2026-04-13 12:00")
    add_session(app, org["emp"].id, "2026-04-10 08:00", "2026-04-10 18:00")
    close(app, "2026-03")
    sign_in(client, org["emp"])
    before = snapshot(app)
    data = {"date": "2026-04-13", "start": "09:00", "end": "12:00", "place": "home",
            "report": "", "csrf_token": token(client)}
    response = client.post(f"/telework/sessions/{session_id}/edit", data={**data, **overrides})
    assert response.status_code == 400
    assert message in text_of(response)
    assert SCRIPT not in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_edit_access(app, client, org, clock):
    session_id = add_session(app, org["emp"].id, "2026-04-13 09:00", "2026-04-13 12:00")
    for who, status in (("mate", 404), ("boss", 403), ("hr", 200), ("admin", 200)):
        sign_in(client, org[who])
        assert client.get(f"/telework/sessions/{session_id}/edit").status_code == status, who
        client.post("/logout", data={"csrf_token": token(client)})
    sign_in(client, org["emp"])
    assert client.get("/telework/sessions/424242/edit").status_code == 404


def test_hr_correction_is_audited(app, client, org, clock):
    session_id = add_session(app, org["emp"].id, "2026-04-13 09:00", "2026-04-13 12:00")
    sign_in(client, org["hr"])
    page = text_of(client.get(f"/telework/sessions/{session_id}/edit"))
    assert "You are correcting another person's session" in page
    response = client.post(f"/telework/sessions/{session_id}/edit", data={
        "date": "2026-04-13", "start": "09:30", "end": "12:00", "place": "home",
        "report": "", "csrf_token": token(client)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/telework/sessions?month=2026-04&user=emp")
    (event,) = [e for e in rows(app, AuditEvent) if e.event == "telework.session_corrected"]
    assert event.actor_login == "hr" and event.detail["user"] == "emp"
    assert event.detail["action"] == "update"


def test_delete(app, client, org, clock):
    session_id = add_session(app, org["emp"].id, "2026-04-13 09:00", "2026-04-13 12:00")
    sign_in(client, org["emp"])
    response = client.post(f"/telework/sessions/{session_id}/delete",
                           data={"csrf_token": token(client)})
    assert response.status_code == 303
    assert rows(app, TeleworkSession) == []
    assert "The session has been deleted." in text_of(client.get("/telework/sessions"))


def test_delete_refused(app, client, org, clock):
    closed_id = add_session(app, org["emp"].id, "2026-03-13 09:00", "2026-03-13 12:00")
    mates_id = add_session(app, org["mate"].id, "2026-04-13 09:00", "2026-04-13 12:00")
    close(app, "2026-03")
    sign_in(client, org["emp"])
    before = snapshot(app)
    response = client.post(f"/telework/sessions/{closed_id}/delete",
                           data={"csrf_token": token(client)})
    assert response.status_code == 400
    assert "2026-03 has been closed by HR" in text_of(response)
    assert client.post(f"/telework/sessions/{mates_id}/delete",
                       data={"csrf_token": token(client)}).status_code == 404
    assert client.post(f"/telework/sessions/{closed_id}/delete").status_code == 400
    assert snapshot(app) == before


# --- month close -----------------------------------------------------------------------------


def months_token(client) -> str:
    return csrf_token(client, "/telework/months")


def test_hr_closes_and_reopens_a_month(app, client, org, clock):
    add_session(app, org["emp"].id, "2026-03-13 09:00", "2026-03-13 12:00")
    sign_in(client, org["hr"])
    page = text_of(client.get("/telework/months"))
    assert 'value="2026-03"' in page  # last month is proposed
    response = client.post("/telework/months/close",
                           data={"month": "2026-03", "csrf_token": months_token(client)})
    assert response.status_code == 303
    body = text_of(client.get("/telework/months"))
    assert "2026-03 has been closed." in body
    assert_unique_ids(body)
    assert re.search(r'id="closed-months".*2026-03', body, re.S)
    assert [r.month for r in rows(app, MonthClose)] == ["2026-03"]

    response = client.post("/telework/months/reopen", data={
        "month": "2026-03", "reason": "勤務記録の訂正（人事課）",
        "csrf_token": months_token(client)})
    assert response.status_code == 303
    assert rows(app, MonthClose) == []
    events = {e.event: e for e in rows(app, AuditEvent)}
    assert events["telework.month_reopened"].detail["reason"] == "勤務記録の訂正（人事課）"
    body = text_of(client.get("/telework/months"))
    assert "2026-03 has been reopened." in body and "勤務記録の訂正" in body


@pytest.mark.parametrize(("month", "status", "message"), [
    ("", 400, "Enter the month (YYYY-MM)."),
    ("2026-13", 400, "A month is written YYYY-MM"),
    (SCRIPT, 400, "A month is written YYYY-MM"),
    ("2026-04", 400, "2026-04 has not ended yet"),
    ("2026-05", 400, "has not ended yet"),
    ("2026-02", 409, "2026-02 is already closed."),
])
def test_close_month_bad_input(app, client, org, clock, month, status, message):
    close(app, "2026-02")
    sign_in(client, org["hr"])
    before = snapshot(app)
    response = client.post("/telework/months/close",
                           data={"month": month, "csrf_token": months_token(client)})
    assert response.status_code == status
    assert message in text_of(response)
    assert snapshot(app) == before


@pytest.mark.parametrize(("data", "status", "message"), [
    ({"month": "2026-02", "reason": ""}, 400, "Give a reason."),
    ({"month": "2026-02", "reason": "r" * 501}, 400, "At most 500 characters."),
    ({"month": "2026-02", "reason": "a\x07b"}, 400, "control characters"),
    ({"month": "2026-01", "reason": "訂正"}, 409, "2026-01 is not closed."),
    ({"month": SCRIPT, "reason": "訂正"}, 400, "A month is written YYYY-MM"),
])
def test_reopen_month_bad_input(app, client, org, clock, data, status, message):
    close(app, "2026-02")
    sign_in(client, org["hr"])
    before = snapshot(app)
    response = client.post("/telework/months/reopen",
                           data={**data, "csrf_token": months_token(client)})
    assert response.status_code == status
    assert message in text_of(response)
    assert SCRIPT not in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_admin_sees_closed_months_but_cannot_close(app, client, org, clock):
    close(app, "2026-02")
    sign_in(client, org["admin"])
    body = text_of(client.get("/telework/months"))
    assert "Only HR may close or reopen a month." in body
    assert "2026-02" in body and 'action="/telework/months/close"' not in body
    before = snapshot(app)
    response = client.post("/telework/months/close",
                           data={"month": "2026-03", "csrf_token": months_token(client)})
    assert response.status_code == 403
    assert snapshot(app) == before


# --- in a browser, on a phone ------------------------------------------------------------------


@pytest.mark.browser
def test_start_and_stop_on_a_phone_with_the_keyboard(app, new_page, make_department, make_user,
                                                     screenshot):
    """The buttons are big enough to tap, reachable with Tab and pressed with Enter; the page
    with a running session and a list is axe-clean and does not scroll sideways at 360 px."""
    from tests.fixtures_browser import MOBILE, log_in
    from tests.pages import BLOCKING, describe, run_axe

    make_department("IT", "情報政策課")
    user = make_user("phone", department="IT", display_name="青木 愛子")
    page = new_page(MOBILE["width"], MOBILE["height"], mobile=True)
    log_in(page, user)
    page.goto("/telework/sessions")

    start = page.locator("#start-button")
    box = start.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44, box
    page.locator("#start-place").select_option("satellite")
    page.locator("#start-place").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "start-button"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#running-since").is_visible()
    stop = page.locator("#stop-button")
    assert stop.bounding_box()["height"] >= 44
    problems = [v for v in run_axe(page) if v["impact"] in BLOCKING]
    assert not problems, describe(problems)
    screenshot(page, "running")

    page.locator("#stop-report").fill("資料作成")
    page.locator("#stop-report").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "stop-button"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#start-button").is_visible()
    assert "資料作成" in page.locator("#session-list").inner_text()
    problems = [v for v in run_axe(page) if v["impact"] in BLOCKING]
    assert not problems, describe(problems)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= MOBILE["width"]
    screenshot(page, "stopped")
    (row,) = rows(app, TeleworkSession)
    assert row.place == "satellite" and row.report == "資料作成" and row.ended_at is not None
