"""Every route × every role, anonymous included: who gets in, who is turned away.

How the expected status is found for a route and a role:

* the access rule comes from the view function: ``required_roles`` (set by
  ``roles_required``) means "only these roles", Flask-Login's ``login_required`` means "any
  signed-in user", the ``api`` blueprint's own guard means "any signed-in user, 401 JSON to
  anonymous"; a route with none of these must be declared ``public`` in ROUTES below;
* ROUTES says how to call each route (URL parameters filled with real objects, form data for
  POST) and what a permitted request answers.

Turned away means: anonymous → 302 to the login page (401 JSON under /api/), a signed-in
user without the role → 403. A turned-away POST carries a valid CSRF token (so it is the
permission check that refuses it) and must leave every table exactly as it was.

A new route without an entry in ROUTES fails ``test_every_route_has_an_expectation``: add
one when you add a route.
"""

from __future__ import annotations

import importlib
import os
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from access_common import Call
from conftest import csrf_token, login, snapshot
from flask_login import login_required
from saved_worlds import saved_world
from sqlalchemy import select

from workhub.config import ROLES
from workhub.extensions import db

pytestmark = pytest.mark.usefixtures("fast_hashing")

ANONYMOUS = "anonymous"
WHO = (ANONYMOUS, *ROLES)
PASSWORD = "Matrix-Password-2026"
JAPAN = ZoneInfo("Asia/Tokyo")


@dataclass
class World:
    """The real objects the URL parameters point at."""

    section_id: int  # a department with a user in it
    empty_department_id: int  # a department nobody is in
    other_user_id: int  # a local user who is not the one signed in
    other_token_id: int  # an API token of that other user
    own_token_id: int | None  # an API token of the signed-in user (None when anonymous)
    own_job_id: int  # a queued job asked for by the signed-in user (the other user's if anonymous)
    failed_job_id: int  # a failed job, for retry
    other_booking_id: int  # a pending remote-work booking of the other user (same section)
    own_booking_id: int  # a pending booking of the signed-in user (the other user's if anonymous)
    feed_token: str  # the secret of the other user's personal calendar feed
    own_feed_id: int  # a calendar feed of the signed-in user (the other user's if anonymous)
    own_session_id: int  # a finished telework session of the signed-in user (other's if anon.)
    running_session_id: int  # a running telework session of the other user
    delegate_id: int  # the other user as an approval delegate of the section
    # Objects of other packages, built by the ``build`` functions of ACCESS_MODULES.
    extra: dict[str, object] = field(default_factory=dict)



def _own_token(world: World) -> int:
    # Anonymous callers have no token of their own: they aim at someone else's.
    return world.own_token_id if world.own_token_id is not None else world.other_token_id


NEW_PASSWORD = "Tochomae-Station-12"


def _business_day(days_ahead: int) -> str:
    """A business day at least ``days_ahead`` days from today: past every booking deadline."""
    from workhub.telework.businessdays import is_business_day

    day = date.today() + timedelta(days=days_ahead)
    while not is_business_day(day):
        day += timedelta(days=1)
    return day.isoformat()


BOOKABLE_DAY = _business_day(14)  # booked through the form by the signed-in user
WORLD_DAY = _business_day(21)  # the bookings of World
NOT_APPROVERS = {"employee": 403, "hr": 403, "it_admin": 403, "secretary": 403}
POLICY = {"max_days_per_week": "3", "deadline_business_days": "1", "deadline_time": "17:00",
          "approval_required": "y", "allow_unplanned_sessions": "y"}

# (method, rule) → how to call it. Keep in step with app.url_map (a test checks).
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
        params={"token_id": _own_token}, ok=302
    ),
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
    # Job queue (issue 3): admins manage it; the owner of a job may read its status.
    ("GET", "/admin/jobs/"): Call(),
    ("GET", "/admin/jobs/<int:job_id>"): Call(params={"job_id": lambda w: w.own_job_id}),
    ("POST", "/admin/jobs/<int:job_id>/cancel"): Call(
        params={"job_id": lambda w: w.own_job_id}, ok=302
    ),
    ("POST", "/admin/jobs/<int:job_id>/retry"): Call(
        params={"job_id": lambda w: w.failed_job_id}, ok=302
    ),
    ("GET", "/api/v1/jobs/<int:job_id>"): Call(params={"job_id": lambda w: w.own_job_id}),
    # Notifications and mail settings.
    ("GET", "/notifications"): Call(),
    ("POST", "/notifications/read"): Call(ok=303),
    ("POST", "/profile/mail"): Call(data={"summary_mail": "y"}, ok=303),
    ("GET", "/admin/mail"): Call(),
    ("POST", "/admin/mail"): Call(data={"address": "relay-check@city.example.jp"}, ok=303),
    # Telework dashboard (everyone) and statistics (HR, admins, managers).
    ("GET", "/telework/"): Call(),
    ("GET", "/telework/charts/trend.svg"): Call(),
    ("GET", "/telework/charts/departments.svg"): Call(),
    ("GET", "/telework/stats"): Call(),
    ("GET", "/telework/stats/charts/<kind>.svg"): Call(params={"kind": lambda w: "month"}),
    ("GET", "/telework/stats/export.csv"): Call(),
    ("GET", "/telework/stats/export.xlsx"): Call(),
    ("GET", "/api/v1/telework/stats"): Call(),
    # Remote-work bookings: everyone books and cancels their own; the section's manager and
    # administrators decide; details are for the owner, approvers, HR and administrators.
    ("GET", "/telework/bookings"): Call(),
    ("POST", "/telework/bookings"): Call(
        data={"mode": "single", "start": BOOKABLE_DAY, "slot": "full", "place": "home"}
    ),
    ("GET", "/telework/bookings/<int:booking_id>"): Call(
        params={"booking_id": lambda w: w.other_booking_id},
        by_role={"employee": 404, "it_admin": 404, "secretary": 404},
    ),
    ("POST", "/telework/bookings/<int:booking_id>/cancel"): Call(
        params={"booking_id": lambda w: w.own_booking_id}, data={"back": "bookings"}, ok=303
    ),
    ("POST", "/telework/bookings/<int:booking_id>/approve"): Call(
        params={"booking_id": lambda w: w.other_booking_id}, by_role=NOT_APPROVERS, ok=303
    ),
    ("POST", "/telework/bookings/<int:booking_id>/reject"): Call(
        params={"booking_id": lambda w: w.other_booking_id}, data={"comment": "matrix"},
        by_role=NOT_APPROVERS, ok=303,
    ),
    ("GET", "/telework/approvals"): Call(by_role={**NOT_APPROVERS}),
    ("POST", "/telework/approvals"): Call(data={"ids": "0"}, by_role=NOT_APPROVERS, ok=303),
    ("GET", "/telework/calendar"): Call(),
    ("POST", "/telework/calendar/feeds"): Call(data={"scope": "person"}),
    ("POST", "/telework/calendar/feeds/<int:feed_id>/revoke"): Call(
        params={"feed_id": lambda w: w.own_feed_id}, ok=303
    ),
    # The secret URL is the credential: calendar programs cannot sign in.
    ("GET", "/telework/feeds/<token>.ics"): Call(
        params={"token": lambda w: w.feed_token}, public=True
    ),
    ("GET", "/api/v1/telework/bookings"): Call(),
    # The API takes JSON: the matrix's form-encoded POST is refused as bad input (400) once
    # the caller is let in; the JSON answers are tested in test_telework_bookings_api.py.
    ("POST", "/api/v1/telework/bookings"): Call(ok=400),
    ("GET", "/api/v1/telework/bookings/<int:booking_id>"): Call(
        params={"booking_id": lambda w: w.other_booking_id}
    ),
    ("POST", "/api/v1/telework/bookings/<int:booking_id>/approve"): Call(
        params={"booking_id": lambda w: w.other_booking_id}, by_role=NOT_APPROVERS, ok=400
    ),
    ("POST", "/api/v1/telework/bookings/<int:booking_id>/reject"): Call(
        params={"booking_id": lambda w: w.other_booking_id}, by_role=NOT_APPROVERS, ok=400
    ),
    ("POST", "/api/v1/telework/bookings/<int:booking_id>/cancel"): Call(
        params={"booking_id": lambda w: w.own_booking_id}, ok=400
    ),
    # Telework sessions: everyone records their own; HR and administrators correct anyone's
    # (the section's manager may see the other user's session but not change it).
    ("GET", "/telework/sessions"): Call(),
    ("POST", "/telework/sessions"): Call(
        data={"date": "2025-06-10", "start": "09:00", "end": "12:00", "place": "home"}, ok=303
    ),
    ("POST", "/telework/sessions/start"): Call(data={"place": "home"}, ok=303),
    ("POST", "/telework/sessions/<int:session_id>/stop"): Call(
        params={"session_id": lambda w: w.running_session_id}, ok=303,
        by_role={"employee": 404, "it_admin": 404, "secretary": 404, "manager": 403},
    ),
    ("GET", "/telework/sessions/<int:session_id>/edit"): Call(
        params={"session_id": lambda w: w.own_session_id}
    ),
    ("POST", "/telework/sessions/<int:session_id>/edit"): Call(
        params={"session_id": lambda w: w.own_session_id},
        data={"date": "2025-06-09", "start": "09:30", "end": "12:00", "place": "other"}, ok=303,
    ),
    ("POST", "/telework/sessions/<int:session_id>/delete"): Call(
        params={"session_id": lambda w: w.own_session_id}, ok=303
    ),
    # Month close, targets (HR sets them, administrators look) and policies (HR and admins).
    ("GET", "/telework/months"): Call(),
    ("POST", "/telework/months/close"): Call(data={"month": "2025-01"}, ok=303),
    ("POST", "/telework/months/reopen"): Call(data={"month": "2024-12", "reason": "matrix"},
                                              ok=303),
    ("GET", "/telework/targets"): Call(),
    ("POST", "/telework/targets"): Call(data={"month": "2026-05", "org_target": "100"}, ok=303),
    # No file in a form-encoded post: the form comes back asking for one.
    ("POST", "/telework/targets/import"): Call(ok=400),
    ("GET", "/telework/targets/template.csv"): Call(),
    ("GET", "/telework/policies"): Call(),
    ("GET", "/telework/policies/organisation"): Call(),
    ("POST", "/telework/policies/organisation"): Call(data=POLICY, ok=303),
    ("GET", "/telework/policies/<int:dept_id>"): Call(params={"dept_id": lambda w: w.section_id}),
    ("POST", "/telework/policies/<int:dept_id>"): Call(
        params={"dept_id": lambda w: w.section_id}, data=POLICY, ok=303
    ),
    ("POST", "/telework/policies/<int:dept_id>/clear"): Call(
        params={"dept_id": lambda w: w.section_id}, ok=303
    ),
    ("GET", "/api/v1/telework/sessions"): Call(),
    ("POST", "/api/v1/telework/sessions"): Call(ok=400),
    ("POST", "/api/v1/telework/sessions/start"): Call(ok=400),
    ("POST", "/api/v1/telework/sessions/<int:session_id>/stop"): Call(
        params={"session_id": lambda w: w.running_session_id}, ok=400,
        by_role={"employee": 404, "it_admin": 404, "secretary": 404, "manager": 403},
    ),
    # Approval delegates: the section's manager (for the section), HR and administrators.
    ("GET", "/telework/delegates"): Call(),
    ("POST", "/telework/delegates"): Call(
        data={"department": "MTX-SEC", "login": "matrix-helper", "until": ""}, ok=303
    ),
    ("POST", "/telework/delegates/<int:delegate_id>/remove"): Call(
        params={"delegate_id": lambda w: w.delegate_id}, ok=303
    ),
    ("PUT", "/api/v1/telework/targets/<month>"): Call(
        params={"month": lambda w: "2026-05"}, ok=400,
        by_role={role: 403 for role in ("employee", "manager", "it_admin", "secretary",
                                        "admin")},
    ),
}

IGNORED_METHODS = {"HEAD", "OPTIONS"}


# --- reading the access rule off the view function --------------------------------------

# Every view wrapped by Flask-Login's login_required runs the same inner function.
_LOGIN_REQUIRED_CODE = login_required(lambda: None).__code__

# Routes of other packages live in their own modules beside this one (tests/access_*.py): each
# has ``ROUTES`` (the same shape as above) and ``build(app, me, other, ids) -> dict``, whose
# result is ``World.extra`` (the objects those routes point at).
ACCESS_MODULES = [
    importlib.import_module(name)
    for name in ("access_devices_inventory", "access_devices_loans", "access_devices_reports",
                 "access_surveys_build", "access_surveys_answer", "access_surveys_results",
                 "access_transcription_meetings", "access_transcription_editor")
]
for _module in ACCESS_MODULES:
    _clash = set(ROUTES) & set(_module.ROUTES)
    assert not _clash, f"{_module.__name__} repeats routes: {_clash}"
    ROUTES.update(_module.ROUTES)


def _unwrap_chain(view):
    seen = []
    while view is not None and view not in seen:
        seen.append(view)
        view = getattr(view, "__wrapped__", None)
    return seen


def access_rule(app, rule, call: Call) -> tuple[str, tuple[str, ...]]:
    """Return ("public" | "signed_in" | "roles", roles) for ``rule``, from its view function."""
    chain = _unwrap_chain(app.view_functions[rule.endpoint])
    roles = next((f.required_roles for f in chain if hasattr(f, "required_roles")), None)
    needs_login = any(getattr(f, "__code__", None) is _LOGIN_REQUIRED_CODE for f in chain)
    api_guarded = rule.endpoint.startswith("api.")
    if call.public:
        assert roles is None and not needs_login, (
            f"{rule.rule} is declared public in ROUTES but its view checks sign-in or roles"
        )
        return "public", ()
    if roles is not None:
        return "roles", tuple(roles)
    if needs_login or api_guarded:
        return "signed_in", ()
    raise AssertionError(
        f"{rule.endpoint} ({rule.rule}) has no access check (roles_required / login_required)"
        " and is not declared public in ROUTES"
    )


def expected_status(app, rule, call: Call, who: str) -> int | str:
    """The status ``who`` must get; "login" means a redirect to the sign-in page."""
    kind, roles = access_rule(app, rule, call)
    if kind == "public":
        if who != ANONYMOUS and call.signed_in_status is not None:
            return call.signed_in_status
        return call.ok
    if who == ANONYMOUS:
        return 401 if rule.rule.startswith("/api/") else "login"
    if kind == "roles" and who not in roles:
        return 403
    return call.by_role.get(who, call.ok)


# --- the tests --------------------------------------------------------------------------


def _rules(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - IGNORED_METHODS):
            yield method, rule


def test_every_route_has_an_expectation(app):
    served = {(method, rule.rule) for method, rule in _rules(app)}
    missing = sorted(served - set(ROUTES))
    stale = sorted(set(ROUTES) - served)
    assert not missing, f"routes without an entry in ROUTES (add one for each): {missing}"
    assert not stale, f"entries in ROUTES for routes that no longer exist: {stale}"


def test_menu_links_only_to_pages_the_role_may_open(app):
    """A role-limited menu entry is shown to exactly the roles its page lets in (a rule beyond
    roles, ``when``, is the page's own rule and is tested with the page)."""
    from workhub.navigation import NAV, NavGroup

    items = [i for e in NAV for i in (e.items if isinstance(e, NavGroup) else (e,))]
    rules = {rule.endpoint: rule for _m, rule in _rules(app)}
    for item in items:
        if item.when is not None:
            continue
        rule = rules[item.endpoint]
        call = ROUTES[("GET", rule.rule)]
        for who in ROLES:
            shown = not item.roles or who in item.roles
            status = expected_status(app, rule, call, who)
            assert shown == (status != 403), (
                f"menu entry {item.endpoint} for {who}: shown={shown}, page answers {status}")


def test_every_route_has_an_access_rule_and_parameters(app):
    for method, rule in _rules(app):
        call = ROUTES[(method, rule.rule)]
        access_rule(app, rule, call)  # raises for a route with no access check
        unfilled = set(rule.arguments) - set(call.params)
        assert not unfilled, f"{method} {rule.rule}: give ROUTES a value for {unfilled}"


def test_admin_routes_are_for_admins_only(app):
    """A guard on the guard: every /admin/ route is limited to the admin role."""
    for method, rule in _rules(app):
        if rule.rule.startswith("/admin/"):
            assert access_rule(app, rule, ROUTES[(method, rule.rule)]) == ("roles", ("admin",)), (
                method, rule.rule
            )


def _build_world(app, make_department, make_user, who: str):
    """Create the objects of ``World`` and, unless anonymous, the user with role ``who``."""
    from workhub.auth.services import create_token
    from workhub.org.models import Department, User

    make_department("MTX-ROOT", "試験局")
    make_department("MTX-SEC", "試験課", parent="MTX-ROOT")
    make_department("MTX-EMPTY", "空き課", parent="MTX-ROOT")
    other = make_user("matrix-other", department="MTX-SEC", password=PASSWORD)
    make_user("matrix-helper")  # named a delegate through the form
    me = None
    if who != ANONYMOUS:
        me = make_user(f"as-{who.replace('_', '-')}", roles=(who,), department="MTX-SEC",
                       password=PASSWORD)
    with app.app_context():
        ids = {
            d.code: d.id
            for d in db.session.scalars(select(Department)).all()
        }
        other_token, _secret = create_token(db.session.get(User, other.id), "other")
        own_token = None
        if me is not None:
            own_token, _secret = create_token(db.session.get(User, me.id), "own")
        from workhub.jobs.services import enqueue

        owner = db.session.get(User, (me or other).id)
        own_job = enqueue("jobs.purge", {}, owner)
        failed_job = enqueue("jobs.purge", {}, owner)
        failed_job.status = "failed"
        from workhub.telework.calendar import create_feed
        from workhub.telework.models import Booking

        other_user = db.session.get(User, other.id)
        other_booking = Booking(user_id=other.id, day=date.fromisoformat(WORLD_DAY))
        own_booking = Booking(user_id=owner.id, day=date.fromisoformat(WORLD_DAY))
        if owner.id == other.id:
            own_booking = other_booking
        db.session.add_all([other_booking, own_booking])
        other_feed, feed_token = create_feed(other_user, scope="person", actor=other_user)
        own_feed = other_feed
        if me is not None:
            own_feed, _secret = create_feed(owner, scope="person", actor=owner)
        from workhub.telework.models import MonthClose, TeleworkSession

        def telework_session(user_id: int, start: datetime, end: datetime | None):
            row = TeleworkSession(user_id=user_id, day=start.astimezone(JAPAN).date(),
                                  started_at=start, ended_at=end, place="home", unplanned=True)
            db.session.add(row)
            return row

        own_session = telework_session(owner.id, datetime(2025, 6, 9, 0, tzinfo=UTC),
                                       datetime(2025, 6, 9, 3, tzinfo=UTC))
        running = telework_session(other.id, datetime.now(UTC) - timedelta(hours=1), None)
        db.session.add(MonthClose(month="2024-12"))
        from workhub.telework.models import ApprovalDelegate

        delegate = ApprovalDelegate(department_id=ids["MTX-SEC"], user_id=other.id)
        db.session.add(delegate)
        db.session.commit()
        extra: dict[str, object] = {}
        for module in ACCESS_MODULES:
            extra.update(module.build(app, me, other, ids) or {})
        world = World(
            section_id=ids["MTX-SEC"],
            empty_department_id=ids["MTX-EMPTY"],
            other_user_id=other.id,
            other_token_id=other_token.id,
            own_token_id=own_token.id if own_token is not None else None,
            own_job_id=own_job.id,
            failed_job_id=failed_job.id,
            other_booking_id=other_booking.id,
            own_booking_id=own_booking.id,
            feed_token=feed_token,
            own_feed_id=own_feed.id,
            own_session_id=own_session.id,
            running_session_id=running.id,
            delegate_id=delegate.id,
            extra=extra,
        )
    return world, me


def routes_of_this_pass(backend: str) -> list[tuple[str, str]]:
    """The routes walked on ``backend``: each route in one of the two passes of ``make test``
    (by a checksum of the route: two thirds on SQLite, whose tests run faster, one third on
    PostgreSQL), so the walk is not repeated. The rules it checks are decorators and
    per-object checks whose queries the packages' own tests run on both databases. (Each
    caller's world is built once per pass and restored per test, so the walk costs about
    30 ms a case on SQLite and 50 ms on PostgreSQL.)"""
    on_postgresql = backend == "postgresql"
    return [route for route in sorted(ROUTES)
            if (zlib.crc32(" ".join(route).encode()) % 3 == 0) == on_postgresql]


def test_the_two_passes_walk_every_route_once():
    sqlite, postgresql = routes_of_this_pass("sqlite"), routes_of_this_pass("postgresql")
    assert sorted(sqlite + postgresql) == sorted(ROUTES)
    assert not set(sqlite) & set(postgresql)
    assert len(ROUTES) / 4 < len(postgresql) < len(ROUTES) / 2.4  # about a third


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("method", "path"),
                         routes_of_this_pass(os.environ.get("WORKHUB_TEST_DB", "sqlite")),
                         ids=lambda v: v)
def test_route_for_role(app, client, make_department, make_user, method, path, who):
    rule = next((r for m, r in _rules(app) if m == method and r.rule == path), None)
    assert rule is not None, f"{method} {path} is in ROUTES but not served"
    call = ROUTES[(method, path)]
    # Built once per caller (and day: builders use today's date), restored for each route.
    world, me = saved_world(app, ("access matrix", who, datetime.now(JAPAN).date()),
                            lambda: _build_world(app, make_department, make_user, who))
    if me is not None:
        assert login(client, me).status_code == 302
    with app.test_request_context():
        from flask import url_for

        url = url_for(rule.endpoint, **{k: fill(world) for k, fill in call.params.items()})
    expected = expected_status(app, rule, call, who)

    if method == "GET":
        before = None
        response = client.get(url)
    else:
        token = csrf_token(client, "/profile" if me is not None else "/login")
        before = snapshot(app)
        response = client.open(url, method=method, data={**call.data, "csrf_token": token})
    status, location = response.status_code, response.headers.get("Location", "")
    body = response.get_data()
    error_code = response.json["error"]["code"] if response.is_json and status >= 400 else None
    response.close()

    where = f"{method} {url} as {who}"
    if expected == "login":
        assert status == 302, f"{where}: {status}, expected a redirect to sign in"
        # A GET comes back after sign-in (next=); a POST cannot be come back to.
        wanted = "/login?next=" if method == "GET" else "/login"
        assert location.startswith(wanted), f"{where}: redirected to {location}"
    else:
        assert status == expected, f"{where}: {status}, expected {expected}"
    if expected == 401:
        assert error_code == "unauthorized", f"{where}: expected a JSON error body"
    if expected == 403 and rule.rule.startswith("/api/"):
        assert error_code == "forbidden", f"{where}: expected a JSON error body"
    elif expected == 403:
        assert b"<h1" in body, f"{where}: the 403 page should be the HTML error page"
    if expected in ("login", 401, 403) and before is not None:
        assert snapshot(app) == before, f"{where}: a refused request changed the database"
