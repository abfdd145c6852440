"""Every route × every role, anonymous included: who gets in, who is turned away.

How the expected status is found for a route and a role:

* the access rule comes from the view function: ``required_roles`` (set by
  ``roles_required``) means "only these roles", Flask-Login's ``login_required`` means "any
  signed-in user", the ``api`` blueprint's own guard means "any signed-in user, 401 JSON to
  anonymous"; a route with none of these must be declared ``public`` in ROUTES;
* ROUTES says how to call each route (URL parameters filled with real objects, form data for
  POST) and what a permitted request answers. It is gathered from the access modules beside
  this file (tests/core/access_*.py, one or a few per package: tests/core/access_core.py for
  sign-in, profile, admin, jobs and notifications), which also build the objects the URLs point at.

Turned away means: anonymous → 302 to the login page (401 JSON under /api/), a signed-in
user without the role → 403. A turned-away POST carries a valid CSRF token (so it is the
permission check that refuses it) and must leave every table exactly as it was.

A new route without an entry in ROUTES fails ``test_every_route_has_an_expectation``: add
one to its package's access module when you add a route.
"""

from __future__ import annotations

import importlib
import os
import zlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from flask_login import login_required

from tests.core.access_common import ANONYMOUS, Call, build_world
from tests.core.saved_worlds import saved_world
from tests.dbstate import snapshot
from tests.office import csrf_token, login
from workhub.config import ROLES

pytestmark = pytest.mark.usefixtures("fast_hashing")

WHO = (ANONYMOUS, *ROLES)
JAPAN = ZoneInfo("Asia/Tokyo")

IGNORED_METHODS = {"HEAD", "OPTIONS"}


# --- the routes -------------------------------------------------------------------------

# The routes live in modules beside this one (tests/core/access_*.py): each has ``ROUTES``
# ((method, rule) → how to call it) and ``build(app, me, other, ids) -> dict``, whose result
# goes into ``World.extra`` (the objects those routes point at). Keep ROUTES in step with
# app.url_map (a test checks).
ROUTES: dict[tuple[str, str], Call] = {}
ACCESS_MODULES = [
    importlib.import_module(f"{__package__}.{name}")
    for name in ("access_core", "access_telework",
                 "access_devices_inventory", "access_devices_loans", "access_devices_reports",
                 "access_surveys_build", "access_surveys_answer", "access_surveys_results",
                 "access_transcription_meetings", "access_transcription_editor",
                 "access_online_meetings")
]
for _module in ACCESS_MODULES:
    _clash = set(ROUTES) & set(_module.ROUTES)
    assert not _clash, f"{_module.__name__} repeats routes: {_clash}"
    ROUTES.update(_module.ROUTES)


# --- reading the access rule off the view function --------------------------------------

# Every view wrapped by Flask-Login's login_required runs the same inner function.
_LOGIN_REQUIRED_CODE = login_required(lambda: None).__code__


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
                            lambda: build_world(app, make_department, make_user, who,
                                                ACCESS_MODULES))
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
