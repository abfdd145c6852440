"""Access-matrix entries for the core: files, sign-in, profile, admin, jobs and notifications.
See tests/core/test_access_matrix.py.

``ROUTES`` maps (method, rule) to a ``Call``; ``build`` creates the objects the URL
parameters point at and returns them as ``World.extra``. ``me`` is the signed-in user (None
when anonymous), ``other`` a colleague in the same section, ``ids`` department codes → ids.
Called inside an app context; commit at the end.

Who gets what: files, health, sign-in and the language switch are open to all; home, profile
and notifications to every signed-in user; /admin/ to administrators (the owner of a job may
read its status through the API).
"""

from __future__ import annotations

from tests.core.access_common import Call, extra
from workhub.extensions import db
from workhub.org.models import User

NEW_PASSWORD = "Tochomae-Station-12"

ROUTES: dict[tuple[str, str], Call] = {
    # Files and health: open to all.
    ("GET", "/static/<path:filename>"): Call(
        params={"filename": lambda w: "css/workhub.css"}, public=True
    ),
    ("GET", "/vendor/bootstrap/<path:filename>"): Call(
        params={"filename": lambda w: "css/bootstrap.min.css"}, public=True
    ),
    ("GET", "/healthz"): Call(public=True),
    # Sign in / out and language.
    ("GET", "/login"): Call(public=True, signed_in_status=302),
    # No credentials: the form comes back with an error; signed-in users go home.
    ("POST", "/login"): Call(public=True, ok=400, signed_in_status=302),
    ("POST", "/logout"): Call(ok=302),
    ("POST", "/language"): Call(data={"language": "en", "next": "/"}, ok=303, public=True),
    # Home and profile: every signed-in user.
    ("GET", "/"): Call(),
    ("GET", "/profile"): Call(),
    ("POST", "/profile/tokens"): Call(data={"name": "matrix"}, ok=200),
    ("POST", "/profile/tokens/<int:token_id>/revoke"): Call(
        params={"token_id": extra("own_token")}, ok=302
    ),
    # A wrong current password: every signed-in user reaches the form's refusal.
    ("POST", "/profile/password"): Call(
        data={"current_password": "not-it", "password": NEW_PASSWORD,
              "confirm": NEW_PASSWORD}, ok=400),
    ("POST", "/profile/sign-out-everywhere"): Call(ok=303),
    # JSON API.
    ("GET", "/api/v1/me"): Call(),
    ("GET", "/api/v1/openapi.json"): Call(public=True),
    # Admin pages. The POST data is valid, so a permitted caller really changes something.
    ("GET", "/admin/users"): Call(),
    ("GET", "/admin/users/new"): Call(),
    ("POST", "/admin/users/new"): Call(
        data={
            "login": "matrix-new",
            "display_name": "新規 利用者",
            "roles": ["employee"],
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
        ok=303,
    ),
    ("GET", "/admin/users/<int:user_id>"): Call(params={"user_id": lambda w: w.other_user_id}),
    ("POST", "/admin/users/<int:user_id>"): Call(
        params={"user_id": lambda w: w.other_user_id},
        data={"display_name": "改名 済み", "department": "", "active": "y"},
        ok=303,
    ),
    ("POST", "/admin/users/<int:user_id>/roles"): Call(
        params={"user_id": lambda w: w.other_user_id},
        data={"roles": ["employee", "admin"]},
        ok=303,
    ),
    ("POST", "/admin/users/<int:user_id>/sessions/end"): Call(
        params={"user_id": lambda w: w.other_user_id}, ok=303),
    ("POST", "/admin/users/<int:user_id>/password"): Call(
        params={"user_id": lambda w: w.other_user_id},
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        ok=303,
    ),
    ("GET", "/admin/departments"): Call(),
    ("GET", "/admin/departments/new"): Call(),
    ("POST", "/admin/departments/new"): Call(data={"code": "MTX-NEW", "name_ja": "新設課"},
                                             ok=303),
    ("GET", "/admin/departments/<int:dept_id>"): Call(
        params={"dept_id": lambda w: w.section_id}
    ),
    ("POST", "/admin/departments/<int:dept_id>"): Call(
        params={"dept_id": lambda w: w.section_id},
        data={"name_ja": "改称課", "parent": "MTX-ROOT"},
        ok=303,
    ),
    ("POST", "/admin/departments/<int:dept_id>/delete"): Call(
        params={"dept_id": lambda w: w.empty_department_id}, ok=303
    ),
    ("GET", "/admin/audit"): Call(),
    ("GET", "/admin/tokens"): Call(),
    ("POST", "/admin/tokens/<int:token_id>/revoke"): Call(
        params={"token_id": extra("other_token")}, ok=303),
    # Job queue (issue 3): admins manage it; the owner of a job may read its status.
    ("GET", "/admin/jobs/"): Call(),
    ("GET", "/admin/jobs/<int:job_id>"): Call(params={"job_id": extra("own_job")}),
    ("POST", "/admin/jobs/<int:job_id>/cancel"): Call(
        params={"job_id": extra("own_job")}, ok=302
    ),
    ("POST", "/admin/jobs/<int:job_id>/retry"): Call(
        params={"job_id": extra("failed_job")}, ok=302
    ),
    ("GET", "/api/v1/jobs/<int:job_id>"): Call(params={"job_id": extra("own_job")}),
    # Notifications and mail settings.
    ("GET", "/notifications"): Call(),
    ("POST", "/notifications/read"): Call(ok=303),
    ("POST", "/profile/mail"): Call(data={"summary_mail": "y"}, ok=303),
    ("GET", "/admin/mail"): Call(),
    ("POST", "/admin/mail"): Call(data={"address": "relay-check@city.example.jp"}, ok=303),
}


def build(app, me, other, ids) -> dict:
    from workhub.auth.services import create_token
    from workhub.jobs.services import enqueue

    other_token, _secret = create_token(db.session.get(User, other.id), "other")
    # Anonymous callers have no token of their own: they aim at someone else's.
    own_token = other_token
    if me is not None:
        own_token, _secret = create_token(db.session.get(User, me.id), "own")
    # Jobs asked for by the signed-in user (by the other user if anonymous).
    owner = db.session.get(User, (me or other).id)
    own_job = enqueue("jobs.purge", {}, owner)  # queued
    failed_job = enqueue("jobs.purge", {}, owner)  # for retry
    failed_job.status = "failed"
    db.session.commit()
    return {"own_token": own_token.id, "other_token": other_token.id, "own_job": own_job.id,
            "failed_job": failed_job.id}
