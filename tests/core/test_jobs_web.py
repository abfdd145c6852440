"""Job pages, the job status API, notifications and the mail settings page."""

from __future__ import annotations

import pytest

from tests.office import csrf_token
from workhub.extensions import db
from workhub.jobs import services
from workhub.jobs.models import Job
from workhub.notify.models import Notification
from workhub.org.models import User


def _enqueue(app, login: str | None, kind: str = "jobs.purge", **fields) -> int:
    with app.app_context():
        owner = db.session.query(User).filter_by(login=login).one() if login else None
        job = services.enqueue(kind, {}, owner)
        for key, value in fields.items():
            setattr(job, key, value)
        db.session.commit()
        return job.id


def _jobs(app) -> list[tuple]:
    with app.app_context():
        return [(j.id, j.status, j.attempts) for j in db.session.query(Job).order_by(Job.id)]


def test_owner_reads_own_job_status(app, client, logged_in):
    me = logged_in()
    job_id = _enqueue(app, me.login, progress=40, progress_message="step 2/5")
    body = client.get(f"/api/v1/jobs/{job_id}").json
    assert body["status"] == "queued"
    assert body["progress"] == 40 and body["message"] == "step 2/5"
    assert body["result"] is None


def test_other_people_get_404_for_a_job(app, client, logged_in, make_user):
    other = make_user("someone-else")
    job_id = _enqueue(app, other.login)
    logged_in()
    response = client.get(f"/api/v1/jobs/{job_id}")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    assert client.get("/api/v1/jobs/999999").status_code == 404


def test_admin_reads_any_job(app, client, logged_in, make_user):
    other = make_user("someone-else")
    job_id = _enqueue(app, other.login)
    logged_in(roles=("employee", "admin"))
    assert client.get(f"/api/v1/jobs/{job_id}").status_code == 200


def test_job_status_with_a_token(app, client, make_user):
    owner = make_user("token-owner")
    job_id = _enqueue(app, owner.login)
    with app.app_context():
        from workhub.auth.services import create_token

        _row, secret = create_token(db.session.get(User, owner.id), "script")
        db.session.commit()
    response = client.get(f"/api/v1/jobs/{job_id}", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and response.json["id"] == job_id


def test_admin_list_filters_and_bad_filters(app, client, logged_in):
    logged_in(roles=("employee", "admin"))
    _enqueue(app, None)
    _enqueue(app, None, status="failed", error="relay down")
    page = client.get("/admin/jobs/?status=failed").get_data(as_text=True)
    assert "relay down" in page
    for query in ("status=bogus", "kind=%3Cscript%3E", "page=-1", "page=abc",
                  "user=" + "x" * 500, "page=99999999999"):
        response = client.get(f"/admin/jobs/?{query}")
        assert response.status_code == 200, query
        assert "<script>" not in response.get_data(as_text=True)


def test_admin_cancel_and_retry_from_the_page(app, client, logged_in):
    logged_in(roles=("employee", "admin"))
    job_id = _enqueue(app, None)
    token = csrf_token(client, f"/admin/jobs/{job_id}")
    response = client.post(f"/admin/jobs/{job_id}/cancel", data={"csrf_token": token})
    assert response.status_code == 302
    assert _jobs(app)[0][1] == "cancelled"
    assert client.post(f"/admin/jobs/{job_id}/retry", data={"csrf_token": token}).status_code == 302
    assert _jobs(app)[0][1] == "queued"


def test_retry_of_a_queued_job_is_a_clear_409(app, client, logged_in):
    logged_in(roles=("employee", "admin"))
    job_id = _enqueue(app, None)
    before = _jobs(app)
    token = csrf_token(client, f"/admin/jobs/{job_id}")
    response = client.post(f"/admin/jobs/{job_id}/retry", data={"csrf_token": token})
    assert response.status_code == 409
    assert "再実行できるのは" in response.get_data(as_text=True)
    assert _jobs(app) == before


def test_cancel_without_csrf_changes_nothing(app, client, logged_in):
    logged_in(roles=("employee", "admin"))
    job_id = _enqueue(app, None)
    assert client.post(f"/admin/jobs/{job_id}/cancel").status_code == 400
    assert _jobs(app)[0][1] == "queued"


def test_unknown_job_pages_are_404(client, logged_in):
    logged_in(roles=("employee", "admin"))
    assert client.get("/admin/jobs/424242").status_code == 404


@pytest.mark.parametrize(
    "address",
    ["", "not-an-address", "a@", "x" * 300 + "@example.jp", "<script>@example.jp",
     "a@b@c", "\x00@example.jp"],
)
def test_test_mail_form_refuses_bad_addresses(app, client, logged_in, address):
    logged_in(roles=("employee", "admin"))
    token = csrf_token(client, "/admin/mail")
    response = client.post("/admin/mail", data={"address": address, "csrf_token": token})
    assert response.status_code == 400
    assert "<script>@" not in response.get_data(as_text=True)
    assert _jobs(app) == []


def test_test_mail_form_queues_a_mail_job(app, client, logged_in):
    logged_in(roles=("employee", "admin"))
    token = csrf_token(client, "/admin/mail")
    response = client.post("/admin/mail", data={"address": "relay@city.example.jp",
                                                "csrf_token": token})
    assert response.status_code == 303
    with app.app_context():
        job = db.session.query(Job).one()
        assert job.kind == "mail.send" and job.payload["to"] == "relay@city.example.jp"


def test_notify_creates_notification_and_respects_opt_out(app, make_user):
    from workhub.notify.services import notify, unread_count

    keen = make_user("keen", display_name="山田 花子")
    quiet = make_user("quiet")
    with app.app_context():
        quiet_user = db.session.get(User, quiet.id)
        quiet_user.mail_opt_out = True
        keen_user = db.session.get(User, keen.id)
        notify(keen_user, "test.event", "test", relay="-", sent_at="-")
        notify(quiet_user, "test.event", "test", relay="-", sent_at="-")
        notify(quiet_user, "test.event", "test", essential=True, relay="-", sent_at="-")
        db.session.commit()
        mails = [j.payload["to"] for j in db.session.query(Job).filter_by(kind="mail.send")]
        assert sorted(mails) == ["keen@city.example.jp", "quiet@city.example.jp"]
        assert unread_count(keen_user) == 1 and unread_count(quiet_user) == 2


def test_notifications_page_lists_only_mine_and_marks_read(app, client, logged_in, make_user):
    me = logged_in()
    other = make_user("other-person")
    with app.app_context():
        db.session.add(Notification(user_id=me.id, event="x", title="自分宛ての通知"))
        db.session.add(Notification(user_id=other.id, event="x", title="他人宛ての通知"))
        db.session.commit()
    page = client.get("/notifications").get_data(as_text=True)
    assert "自分宛ての通知" in page and "他人宛ての通知" not in page
    token = csrf_token(client, "/notifications")
    assert client.post("/notifications/read", data={"csrf_token": token}).status_code == 303
    with app.app_context():
        unread = db.session.query(Notification).filter(Notification.read_at.is_(None)).all()
        assert [n.user_id for n in unread] == [other.id]


def test_profile_mail_preference_round_trip(app, client, logged_in):
    me = logged_in()
    token = csrf_token(client, "/profile")
    # An unchecked box is simply absent from the form: that means "no summary mails".
    assert client.post("/profile/mail", data={"csrf_token": token}).status_code == 303
    with app.app_context():
        assert db.session.get(User, me.id).mail_opt_out is True
    client.post("/profile/mail", data={"csrf_token": token, "summary_mail": "y"})
    with app.app_context():
        assert db.session.get(User, me.id).mail_opt_out is False


def test_profile_mail_preference_needs_csrf(app, client, logged_in):
    me = logged_in()
    assert client.post("/profile/mail", data={"summary_mail": ""}).status_code == 400
    with app.app_context():
        assert db.session.get(User, me.id).mail_opt_out is False


def test_bell_shows_unread_count(app, client, logged_in):
    me = logged_in()
    with app.app_context():
        for i in range(3):
            db.session.add(Notification(user_id=me.id, event="x", title=f"通知 {i}"))
        db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert 'text-bg-warning">3<' in page
