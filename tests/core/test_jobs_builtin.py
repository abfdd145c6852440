"""The core's own jobs, run in-process: directory sync, purge, digest, the burst worker."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from workhub.database import utcnow
from workhub.extensions import db
from workhub.jobs import services
from workhub.jobs.models import Job
from workhub.jobs.worker import Worker


def _run_all(app) -> int:
    return Worker(app, scheduler=False).run_pending()


def _job(app, job_id):
    with app.app_context():
        return db.session.get(Job, job_id)


def test_ldap_sync_job_without_ldap_is_a_no_op(app, app_ctx):
    job = services.enqueue("org.ldap_sync", {})
    db.session.commit()
    assert _run_all(app) == 1
    done = _job(app, job.id)
    assert done.status == "succeeded"
    assert done.result == {"skipped": "LDAP is not configured"}


def test_ldap_sync_job_against_slapd_creates_users(ldap_app, app):
    with app.app_context():
        job_id = services.enqueue("org.ldap_sync", {}).id
        db.session.commit()
    assert _run_all(app) == 1
    done = _job(app, job_id)
    assert done.status == "succeeded", done.error_detail
    assert done.result["created"] > 0


def test_ldap_sync_job_with_directory_down_is_retried(ldap_app, app, set_ldap):
    set_ldap(LDAP_URL="ldap://127.0.0.1:1", LDAP_TIMEOUT=1)
    with app.app_context():
        job_id = services.enqueue("org.ldap_sync", {}).id
        db.session.commit()
    _run_all(app)
    failed = _job(app, job_id)
    assert failed.status == "queued" and failed.attempts == 1
    assert failed.error and failed.run_after > utcnow()


def test_purge_job_removes_old_finished_jobs(app, app_ctx, make_user):
    from workhub.auth.models import LoginThrottle, UserSession
    from workhub.org.models import User

    user_id = make_user("sleeper").id
    long_ago = utcnow() - timedelta(days=31)
    for n, ended in enumerate((long_ago, None, utcnow())):
        db.session.add(UserSession(user_id=user_id, token_hash=f"{n:064d}", fingerprint="f",
                                   last_seen_at=long_ago if n < 2 else utcnow(),
                                   ended_at=ended))
    old = services.enqueue("jobs.purge", {})
    old.status, old.finished_at = "succeeded", utcnow() - timedelta(days=31)
    for key, last in (("stale", utcnow() - timedelta(hours=25)), ("fresh", utcnow())):
        db.session.add(LoginThrottle(key=key, failures=1, next_allowed_at=last,
                                     last_attempt_at=last, directory_failures=0))
    purge = services.enqueue("jobs.purge", {})
    db.session.commit()
    old_id, purge_id = old.id, purge.id
    _run_all(app)
    assert _job(app, old_id) is None
    assert _job(app, purge_id).result == {"deleted": 1, "sessions_deleted": 2,
                                          "login_throttles_deleted": 1}
    assert db.session.scalars(select(LoginThrottle.key)).all() == ["fresh"]
    db.session.expire_all()
    assert db.session.query(UserSession).count() == 1 and db.session.get(User, user_id)


def test_daily_digest_without_sections_sends_nothing(app, app_ctx, make_user, monkeypatch):
    from workhub.jobs import builtin

    # Features (telework) register sections; this is about a digest with none.
    monkeypatch.setattr(builtin, "_DIGEST_SECTIONS", [])
    make_user("reader")
    job = services.enqueue("notify.daily_digest", {})
    db.session.commit()
    _run_all(app)
    assert _job(app, job.id).result == {"mailed": 0, "sections": 0}


def test_daily_digest_mails_people_with_a_section(app, app_ctx, make_user, monkeypatch):
    from workhub.jobs import builtin

    keen = make_user("keen", display_name="山田 花子")
    quiet = make_user("quiet")
    with app.app_context():
        from workhub.org.models import User

        db.session.get(User, quiet.id).mail_opt_out = True
        db.session.commit()
    monkeypatch.setattr(builtin, "_DIGEST_SECTIONS",
                        [("承認待ち", lambda user: ["申請が 2 件あります"])])
    job = services.enqueue("notify.daily_digest", {})
    db.session.commit()
    _run_all(app)
    with app.app_context():
        mails = db.session.query(Job).filter_by(kind="mail.send").all()
        assert [m.payload["to"] for m in mails] == [f"{keen.login}@city.example.jp"]
        assert "山田 花子" in mails[0].payload["body"]
        assert "申請が 2 件あります" in mails[0].payload["body"]
    assert _job(app, job.id).result["mailed"] == 1
