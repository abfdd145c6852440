"""Meetings: creating and editing with participants and agenda, bad and hostile input
refused naming the field with nothing written, who may see and manage a meeting, the lists,
the pages and the API."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from tests.dbstate import snapshot
from tests.office import csrf_token, login
from tests.transcription.transcription_meetings_helpers import PASSWORD, make_meeting, org, user  # noqa: F401
from workhub.errors import DomainError, Forbidden, NotFound
from workhub.extensions import db
from workhub.meetings import services as svc
from workhub.meetings.models import Meeting
from workhub.meetings.permissions import can_manage_meeting, can_view_meeting

pytestmark = pytest.mark.usefixtures("english", "org")

START = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)


def data(**changes) -> svc.MeetingData:
    base = dict(title="予算会議", starts_at=START, logins=["emp"], externals=["佐藤 / 県庁"],
                agenda=["予算", "", "日程"])
    base.update(changes)
    return svc.MeetingData(**base)


def test_create_meeting_with_participants_and_agenda(app_ctx):
    meeting = svc.create_meeting(user("sec"), data(logins=["EMP", " out "], place="会議室A",
                                                    online_tool="teams", language="auto"))
    db.session.commit()
    assert meeting.organiser_id == user("sec").id
    assert meeting.department_id == user("sec").department_id
    assert [(p.user.login if p.user else p.name, p.affiliation) for p in meeting.participants] \
        == [("emp", None), ("out", None), ("佐藤", "県庁")]
    assert [a.title for a in meeting.agenda] == ["予算", "日程"]
    assert (meeting.place, meeting.online_tool, meeting.language) == ("会議室A", "teams", "auto")


def test_edit_keeps_attendance_of_people_who_stay(app_ctx):
    meeting = make_meeting()
    emp = next(p for p in meeting.participants if p.user_id)
    emp.attended = False
    db.session.commit()
    svc.update_meeting(meeting, user("sec"), data(logins=["emp", "boss"], agenda=["日程"]))
    db.session.commit()
    by_login = {p.user.login: p.attended for p in meeting.participants if p.user}
    assert by_login == {"emp": False, "boss": True}
    assert [a.title for a in meeting.agenda] == ["日程"]


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": "  "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": "会議\u202e"}, "title"),
    ({"title": 42}, "title"),
    ({"place": "p" * 201}, "place"),
    ({"starts_at": datetime(2026, 11, 20, 10, 0)}, "starts_at"),
    ({"ends_at": START}, "ends_at"),
    ({"online_tool": "skype"}, "online_tool"),
    ({"language": "fr"}, "language"),
    ({"logins": ["nobody"]}, "participants"),
    ({"logins": ["emp\x00"]}, "participants"),
    ({"externals": [" / 県庁"]}, "externals"),
    ({"externals": ["名" * 121]}, "externals"),
    ({"agenda": ["a" * 301]}, "agenda"),
    ({"agenda": [f"議題{i}" for i in range(101)]}, "agenda"),
])
def test_bad_meeting_input_refused_naming_the_field(app, app_ctx, changes, field):
    before = snapshot(app)
    with pytest.raises(DomainError) as refused:
        svc.create_meeting(user("sec"), data(**changes))
    assert refused.value.field == field and refused.value.message
    db.session.rollback()
    assert snapshot(app) == before


def test_who_may_create_meetings(app_ctx):
    with pytest.raises(Forbidden):
        svc.create_meeting(user("emp"), data())
    assert svc.create_meeting(user("boss"), data()).id
    assert svc.create_meeting(user("admin"), data()).department_id is None


ACCESS = {  # login → (may view, may manage) a meeting of SEC organised by boss, emp attends
    "boss": (True, True), "sec": (True, True), "emp": (True, False), "admin": (True, True),
    "out": (False, False), "sec2": (False, False),
}


@pytest.mark.parametrize("login_id", list(ACCESS))
def test_view_and_manage_rules(app_ctx, login_id):
    meeting = make_meeting()
    who = user(login_id)
    assert (can_view_meeting(who, meeting), can_manage_meeting(who, meeting)) == ACCESS[login_id]
    visible = db.session.scalars(svc.meetings_query(who, "department")).all()
    assert (meeting in visible) is ACCESS[login_id][0]
    if ACCESS[login_id][0]:
        assert svc.get_meeting(meeting.id, who).id == meeting.id
    else:
        with pytest.raises(Forbidden):
            svc.get_meeting(meeting.id, who)
    with pytest.raises(NotFound):
        svc.get_meeting(999_999, who)


def test_lists_mine_and_department(app_ctx):
    mine = make_meeting("sec", participants=())
    attended = make_meeting("boss", participants=("sec",))
    others = make_meeting("boss", participants=())
    assert set(db.session.scalars(svc.meetings_query(user("sec"), "mine"))) == {mine, attended}
    assert set(db.session.scalars(svc.meetings_query(user("sec"), "department"))) == {
        mine, attended, others}
    assert list(db.session.scalars(svc.meetings_query(user("emp"), "mine"))) == []


# --- pages -------------------------------------------------------------------------------


FORM = {"title": "週次会議", "day": "2026-12-01", "start": "10:00", "end": "11:30",
        "place": "第1会議室", "online_tool": "zoom", "language": "ja",
        "participants": "emp\r\nboss", "externals": "山田 / 市民委員", "agenda": "報告\r\n議題"}


def test_new_meeting_page_saves_in_japan_time(app, client):
    login(client, "sec", PASSWORD)
    token = csrf_token(client, "/meetings/new")
    response = client.post("/meetings/new", data={**FORM, "csrf_token": token})
    assert response.status_code == 303
    with app.app_context():
        meeting = db.session.scalar(select(Meeting))
        assert meeting.starts_at == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
        assert meeting.ends_at == datetime(2026, 12, 1, 2, 30, tzinfo=UTC)
        meeting_id = meeting.id
    assert response.headers["Location"].endswith(f"/meetings/{meeting_id}")
    page = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "週次会議" in page and "山田" in page and "Zoom" in page and "報告" in page
    assert 'id="upload-form"' in page and 'id="record-start"' in page
    listing = client.get("/meetings/").get_data(as_text=True)
    assert "週次会議" in listing and "2026-12-01 10:00" in listing
    edit = client.get(f"/meetings/{meeting_id}/edit").get_data(as_text=True)
    assert "10:00" in edit and "emp\nboss" in edit


@pytest.mark.parametrize(("changes", "message"), [
    ({"title": ""}, "Enter the meeting's title."),
    ({"day": "2026-13-01"}, "Enter the date, e.g. 2026-04-30."),
    ({"end": "09:00"}, "The end must be after the start."),
    ({"participants": "ghost"}, "No user with the login ID ghost."),
    ({"online_tool": "skype"}, "Not a valid choice"),
])
def test_new_meeting_page_refuses_bad_input(app, client, changes, message):
    login(client, "sec", PASSWORD)
    token = csrf_token(client, "/meetings/new")
    before = snapshot(app)
    response = client.post("/meetings/new", data={**FORM, **changes, "csrf_token": token})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_hostile_title_is_shown_as_text(app, client):
    with app.app_context():
        meeting_id = make_meeting(title="<script>alert(1)</script>").id
    login(client, "emp", PASSWORD)
    page = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert 'id="upload-form"' not in page  # a participant does not manage it


@pytest.mark.parametrize(("who", "status"), [("out", 403), ("sec2", 403), ("emp", 403)])
def test_edit_page_refused_to_others(app, client, who, status):
    with app.app_context():
        meeting_id = make_meeting().id
    login(client, who, PASSWORD)
    assert client.get(f"/meetings/{meeting_id}/edit").status_code == status
    if who != "emp":
        assert client.get(f"/meetings/{meeting_id}").status_code == 403


def test_employee_may_not_open_the_new_meeting_page(client):
    login(client, "emp", PASSWORD)
    assert client.get("/meetings/new").status_code == 403
    assert client.get("/meetings/").status_code == 200


# --- API ---------------------------------------------------------------------------------


def _api_login(client, who="sec") -> dict:
    login(client, who, PASSWORD)
    return {"X-CSRFToken": csrf_token(client, "/meetings/")}


def test_api_create_list_and_get(app, client):
    headers = _api_login(client)
    response = client.post("/api/v1/meetings", headers=headers, json={
        "title": "API会議", "starts_at": "2026-12-02T14:00", "ends_at": "2026-12-02T15:00+09:00",
        "participants": ["emp"], "externals": [{"name": "田中", "affiliation": "県"}],
        "agenda": ["一", "二"], "language": "en", "online_tool": "webex"})
    assert response.status_code == 201
    meeting_id = response.get_json()["id"]
    listed = client.get("/api/v1/meetings?scope=mine").get_json()
    assert [m["id"] for m in listed["items"]] == [meeting_id] and listed["total"] == 1
    detail = client.get(f"/api/v1/meetings/{meeting_id}").get_json()
    assert detail["starts_at"].startswith("2026-12-02T05:00")
    assert detail["participants"] == [
        {"login": "emp", "name": "試験 emp"},
        {"login": None, "name": "田中", "affiliation": "県"}]
    assert detail["agenda"] == ["一", "二"] and detail["recordings"] == []


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"starts_at": "2026-12-02T14:00"}, 400, "title"),
    ({"title": "x"}, 400, "starts_at"),
    ({"title": "x", "starts_at": "tomorrow"}, 400, "starts_at"),
    ({"title": "x", "starts_at": "2026-12-02T14:00", "colour": "red"}, 400, "colour"),
    ({"title": "x", "starts_at": "2026-12-02T14:00", "participants": "emp"}, 400,
     "participants"),
    ({"title": "x", "starts_at": "2026-12-02T14:00", "externals": [{"name": 1}]}, 400,
     "externals"),
    ({"title": "x", "starts_at": "2026-12-02T14:00", "participants": ["ghost"]}, 422,
     "participants"),
    ({"title": "x" * 300, "starts_at": "2026-12-02T14:00"}, 422, "title"),
    ({"title": "x", "starts_at": "2026-12-02T14:00", "language": "fr"}, 422, "language"),
])
def test_api_create_refusals(app, client, body, status, field):
    headers = _api_login(client)
    before = snapshot(app)
    response = client.post("/api/v1/meetings", headers=headers, json=body)
    assert response.status_code == status
    assert response.get_json()["error"]["field"] == field
    assert snapshot(app) == before


def test_api_refuses_non_json_and_employees(app, client):
    headers = _api_login(client, "emp")
    assert client.post("/api/v1/meetings", headers=headers, data="x").status_code == 400
    response = client.post("/api/v1/meetings", headers=headers,
                           json={"title": "x", "starts_at": "2026-12-02T14:00"})
    assert response.status_code == 403
    assert client.get("/api/v1/meetings?scope=all").status_code == 400
    assert client.get("/api/v1/meetings?colour=1").status_code == 400
    with app.app_context():
        meeting_id = make_meeting(participants=()).id
    assert client.get(f"/api/v1/meetings/{meeting_id}").status_code == 403
    assert client.get("/api/v1/meetings/999999").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(Meeting.id))) == 1


def test_edit_page_saves_for_the_organiser_and_refuses_bad_input(app, client):
    with app.app_context():
        meeting_id = make_meeting().id
    login(client, "boss", PASSWORD)
    url = f"/meetings/{meeting_id}/edit"
    token = csrf_token(client, url)
    before = snapshot(app)
    bad = client.post(url, data={**FORM, "end": "09:00", "csrf_token": token})
    assert bad.status_code == 400
    assert "The end must be after the start." in bad.get_data(as_text=True)
    assert snapshot(app) == before
    good = client.post(url, data={**FORM, "title": "改名した会議", "csrf_token": token})
    assert good.status_code == 303
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.title == "改名した会議" and meeting.organiser.login == "boss"
