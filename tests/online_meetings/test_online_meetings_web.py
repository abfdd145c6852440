"""The pages: IT keeps the licence inventory in forms; whoever manages a meeting books a free
licence in one click and releases it. Bad input gets its message beside the field (or above
the list) with a 4xx, and nothing changes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.dbstate import snapshot
from tests.office import csrf_token, sign_in
from tests.online_meetings.online_meetings_data import licence, meeting
from workhub.extensions import db
from workhub.online_meetings.models import Licence, LicenceBooking

pytestmark = pytest.mark.usefixtures("english", "fast_hashing")
FORM = {"name": "Webex 1", "kind": "host", "tool": "webex", "capacity": "150",
        "contract_start": "2026-04-01", "contract_end": "2027-03-31", "monthly_cost_yen": "2000",
        "paying_department": "OTH", "mode": "pooled", "assigned_user": "",
        "assigned_department": "", "active": "y", "notes": "予備"}


def post(client, url: str, **changes):
    data = {**FORM, **changes, "csrf_token": csrf_token(client, url)}
    return client.post(url, data={k: v for k, v in data.items() if v is not None})


def test_it_adds_and_edits_a_licence_in_the_form(app, client, office):
    sign_in(client, office["it"])
    response = post(client, "/online-meetings/licences/new")
    assert response.status_code == 303
    page = client.get("/online-meetings/licences").get_data(as_text=True)
    assert "Webex 1" in page and "2,000" in page and "2027-03-31" in page
    with app.app_context():
        new_id = licence("Webex 1").id
    edit = f"/online-meetings/licences/{new_id}/edit"
    form = client.get(edit).get_data(as_text=True)
    assert 'value="Webex 1"' in form and 'value="150"' in form
    assert post(client, edit, capacity="200", mode="assigned",
                assigned_department="SEC").status_code == 303
    with app.app_context():
        saved = db.session.get(Licence, new_id)
        assert (saved.capacity, saved.mode, saved.assigned_department.code) == \
            (200, "assigned", "SEC")


@pytest.mark.parametrize(("changes", "message"), [
    ({"name": ""}, "This field is required"),
    ({"name": "x" * 121}, "120"),
    ({"name": "Zoom 1"}, "already called"),
    ({"name": "a\u202eb"}, "control characters"),
    ({"capacity": "many"}, "Enter a whole number"),
    ({"capacity": "0"}, "between 1 and 10000"),
    ({"capacity": None}, "This field is required"),
    ({"contract_end": "2026-02-30"}, "YYYY-MM-DD"),
    ({"contract_end": "2025-01-01"}, "end after it starts"),
    ({"monthly_cost_yen": "-5"}, "between 0"),
    ({"tool": "skype"}, "online tool"),
    ({"paying_department": "NOPE"}, "No department"),
    ({"mode": "assigned"}, "Name the person or department"),
    ({"assigned_user": "nobody", "mode": "assigned"}, "No user"),
    ({"notes": "x" * 2001}, "2000"),
])
def test_bad_input_in_the_form_is_shown_beside_the_field(app, client, office, changes,
                                                         message):
    sign_in(client, office["it"])
    before = snapshot(app)
    response = post(client, "/online-meetings/licences/new", **changes)
    assert response.status_code in (400, 409)
    body = response.get_data(as_text=True)
    assert message in body
    assert 'aria-invalid="true"' in body
    assert snapshot(app) == before


def test_the_form_without_its_csrf_token_is_refused(app, client, office):
    sign_in(client, office["it"])
    before = snapshot(app)
    response = client.post("/online-meetings/licences/new", data=FORM)
    assert response.status_code == 400
    assert snapshot(app) == before


def test_a_booked_licence_cannot_be_deleted_an_unused_one_can(app, client, office):
    with app.app_context():
        made = meeting("sec")
        zoom1, zoom2 = licence("Zoom 1").id, licence("Zoom 2").id
        db.session.add(LicenceBooking(licence_id=zoom1, meeting_id=made.id,
                                      starts_at=made.starts_at, ends_at=made.ends_at))
        db.session.commit()
    sign_in(client, office["it"])
    token = csrf_token(client, "/online-meetings/licences")
    response = client.post(f"/online-meetings/licences/{zoom1}/delete",
                           data={"csrf_token": token}, follow_redirects=True)
    assert "set it out of use" in response.get_data(as_text=True)
    response = client.post(f"/online-meetings/licences/{zoom2}/delete",
                           data={"csrf_token": token}, follow_redirects=True)
    assert "has been deleted" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Licence, zoom1) is not None
        assert db.session.get(Licence, zoom2) is None


def test_book_and_release_from_the_meetings_page(app, client, office):
    with app.app_context():
        made = meeting("sec").id
        zoom1 = licence("Zoom 1").id
    sign_in(client, office["sec"])
    url = f"/online-meetings/meetings/{made}/licences"
    page = client.get(url).get_data(as_text=True)
    assert "Free at this time" in page and "Zoom 1" in page and "Room kit 3F" in page
    response = client.post(url, data={"licence_id": str(zoom1),
                                      "csrf_token": csrf_token(client, url)})
    assert response.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "Zoom 1 is booked for this meeting" in page
    held = page.split('id="held"')[1].split("</ul>")[0]
    assert "Zoom 1" in held
    release = f"{url}/{zoom1}/release"
    assert client.post(release, data={"csrf_token": csrf_token(client, url)}).status_code == 303
    with app.app_context():
        assert db.session.scalars(select(LicenceBooking)).all() == []
    # The meeting's own page links here.
    assert url in client.get(f"/meetings/{made}").get_data(as_text=True)


@pytest.mark.parametrize("value", ["", "abc", "99999999999999999999", "-1", "１２", None])
def test_a_bad_licence_choice_is_refused_on_the_page(app, client, office, value):
    with app.app_context():
        made = meeting("sec").id
    sign_in(client, office["sec"])
    url = f"/online-meetings/meetings/{made}/licences"
    before = snapshot(app)
    data = {"csrf_token": csrf_token(client, url)}
    if value is not None:
        data["licence_id"] = value
    response = client.post(url, data=data)
    assert response.status_code in (400, 404)
    assert snapshot(app) == before


def test_a_clash_is_explained_on_the_page(app, client, office):
    with app.app_context():
        first, second = meeting("sec").id, meeting("sec", title="重なる会議").id
        zoom1 = licence("Zoom 1").id
    sign_in(client, office["sec"])
    for made in (first, second):
        url = f"/online-meetings/meetings/{made}/licences"
        response = client.post(url, data={"licence_id": str(zoom1),
                                          "csrf_token": csrf_token(client, url)})
    assert response.status_code == 409
    assert "Zoom 1 is booked by another meeting" in response.get_data(as_text=True)


def test_a_participant_sees_the_licences_but_no_buttons(app, client, office):
    with app.app_context():
        made = meeting("sec").id
    sign_in(client, office["emp"])
    page = client.get(f"/online-meetings/meetings/{made}/licences").get_data(as_text=True)
    assert "Booked for this meeting" in page and "Free at this time" not in page
    assert client.post(f"/online-meetings/meetings/{made}/licences",
                       data={"licence_id": "1"}).status_code in (400, 403)


def test_send_and_cancel_the_invitation_from_the_page(app, client, office):
    with app.app_context():
        made = meeting("sec").id
    sign_in(client, office["sec"])
    url = f"/online-meetings/meetings/{made}/licences"
    assert "Send the invitation" in client.get(url).get_data(as_text=True)
    response = client.post(f"/online-meetings/meetings/{made}/invitations",
                           data={"csrf_token": csrf_token(client, url)}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "The invitation has been sent to 1 people" in page
    assert "Sent to 1 people" in page and "Send the update" in page
    response = client.post(f"/online-meetings/meetings/{made}/invitations/cancel",
                           data={"csrf_token": csrf_token(client, url)}, follow_redirects=True)
    assert "The invitation was cancelled" in response.get_data(as_text=True)
    # Nothing left to cancel: the page says so with a 4xx.
    response = client.post(f"/online-meetings/meetings/{made}/invitations/cancel",
                           data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 400
    assert "No invitation of this meeting is out" in response.get_data(as_text=True)
    participant = app.test_client()
    sign_in(participant, office["emp"])
    assert participant.post(f"/online-meetings/meetings/{made}/invitations",
                            data={"csrf_token": csrf_token(participant, url)}).status_code == 403
