"""The audit log page: newest first, Japan time, filters, pages, odd input never a 500."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest

from tests.office import csrf_token, login
from workhub.auth.models import AuditEvent
from workhub.extensions import db

pytestmark = pytest.mark.usefixtures("fast_hashing")

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def admin(client, make_user, time_machine):
    # Sign in at a known time so the admin's own login.ok event has a known place.
    time_machine.move_to(datetime(2026, 1, 5, 0, 0, tzinfo=UTC), tick=False)
    info = make_user("kanri", roles=("admin",))
    assert login(client, info).status_code == 302
    client.post("/language",
                data={"language": "en", "csrf_token": csrf_token(client, "/profile")})
    return info


def add_events(app, *events: dict) -> None:
    with app.app_context():
        for values in events:
            db.session.add(AuditEvent(**{"detail": {}, **values}))
        db.session.commit()


def rows(response) -> str:
    body = response.get_data(as_text=True)
    start = body.find("<tbody>")
    return body[start: body.find("</tbody>")] if start >= 0 else ""


@pytest.fixture
def events(app, admin):
    add_events(
        app,
        # 2026-03-31 15:30 UTC is 2026-04-01 00:30 in Tokyo: the date filter must use Tokyo days.
        {"at": datetime(2026, 3, 31, 15, 30, tzinfo=UTC), "event": "login.failed",
         "actor_login": "intruder", "ip": "203.0.113.9", "detail": {"reason": "bad_credentials"}},
        {"at": datetime(2026, 3, 31, 14, 59, tzinfo=UTC), "event": "roles.changed",
         "actor_login": "kanri", "target": "hanako", "ip": "192.0.2.1",
         "detail": {"before": ["employee"], "after": ["employee", "hr"]}},
        {"at": datetime(2026, 4, 2, 1, 0, tzinfo=UTC), "event": "token.created",
         "actor_login": "hanako", "target": "hanako", "ip": "192.0.2.7",
         "detail": {"token_id": 7}},
    )


def test_newest_first_in_japan_time(client, events):
    response = client.get("/admin/audit")
    assert response.status_code == 200
    body = rows(response)
    order = [body.index(e) for e in ("token.created", "login.failed", "roles.changed")]
    assert order == sorted(order)
    assert "2026-04-01 00:30:00" in body  # 15:30 UTC shown as Tokyo time
    assert "2026-03-31 23:59:00" in body
    assert 'datetime="2026-03-31T15:30:00+00:00"' in body
    assert "203.0.113.9" in body and "bad_credentials" in body
    assert "employee, hr" in body
    page = response.get_data(as_text=True)
    assert 'class="table-responsive"' in page and "<caption>" in page


def test_filter_by_event(client, events):
    body = rows(client.get("/admin/audit?event=login.failed"))
    assert "login.failed" in body and "roles.changed" not in body and "token.created" not in body


def test_event_choices_include_known_and_recorded_events(app, client, events):
    add_events(app, {"at": datetime(2026, 4, 3, tzinfo=UTC), "event": "surveys.exported"})
    page = client.get("/admin/audit").get_data(as_text=True)
    for event in ("login.ok", "password.reset", "user.created", "surveys.exported"):
        assert f'<option value="{event}">' in page
    body = rows(client.get("/admin/audit?event=surveys.exported"))
    assert "surveys.exported" in body and "login.failed" not in body


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("actor=intru", {"login.failed"}, {"roles.changed", "token.created"}),
        ("actor=KANRI", {"roles.changed", "login.ok"}, {"login.failed", "token.created"}),
        ("target=hanako", {"roles.changed", "token.created"}, {"login.failed"}),
        ("target=%25", set(), {"roles.changed", "token.created", "login.failed"}),
        # Tokyo days: 04-01 starts at 03-31 15:00 UTC.
        ("date_from=2026-04-01", {"login.failed", "token.created"}, {"roles.changed"}),
        ("date_to=2026-03-31", {"roles.changed", "login.ok"}, {"login.failed", "token.created"}),
        ("date_from=2026-04-01&date_to=2026-04-01", {"login.failed"},
         {"roles.changed", "token.created"}),
        ("date_from=2026-04-02&date_to=2026-04-02", {"token.created"},
         {"roles.changed", "login.failed"}),
        ("date_from=&date_to=&event=&actor=&target=",
         {"roles.changed", "login.failed", "token.created"}, set()),
    ],
)
def test_filters(client, events, query, shown, hidden):
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 200
    body = rows(response)
    for event in shown:
        assert event in body, event
    for event in hidden:
        assert event not in body, event


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=yesterday", "Not a valid date value"),
        ("date_from=2026-13-01", "Not a valid date value"),
        ("date_to=2026-02-30", "Not a valid date value"),
        ("date_from=0001-01-01", "between the years 1900 and 2999"),
        ("date_to=9999-12-31", "between the years 1900 and 2999"),
        ("date_from=2026-04-02&date_to=2026-04-01", "The end date is before the start date."),
        ("date_from=" + "9" * 10_000, "Not a valid date value"),
        ("event=no.such.event", "Not a valid choice"),
        ("event=" + "%27%3B%20DROP%20TABLE%20audit_events%3B--", "Not a valid choice"),
        ("actor=" + "a" * 10_000, "At most 64 characters."),
        ("target=" + "t" * 10_000, "At most 200 characters."),
        ("actor=a%00b", "Remove the control characters"),
        ("target=a%E2%80%AEb", "invisible text-direction"),
    ],
)
def test_invalid_filters_get_a_clear_message(client, events, query, message):
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 400
    body = html.unescape(response.get_data(as_text=True))
    assert message in body
    assert "Some entries need correcting" in body
    assert "<tbody>" not in body


@pytest.mark.parametrize("page", ["-1", "0", "abc", "99999999999999999999", "100000", "1e3", ""])
def test_odd_page_numbers_are_safe(client, events, page):
    response = client.get(f"/admin/audit?page={page}")
    assert response.status_code == 200
    assert "token.created" in rows(response)


def test_pages_newest_first(app, client, admin):
    start = datetime(2026, 5, 1, tzinfo=UTC)
    add_events(app, *(
        {"at": start + timedelta(minutes=i), "event": "login.ok", "actor_login": f"u{i:03d}"}
        for i in range(120)
    ))
    first = client.get("/admin/audit?event=login.ok")
    body = rows(first)
    assert "u119" in body and "u070" in body and "u069" not in body
    page = first.get_data(as_text=True)
    assert 'href="/admin/audit?page=2&amp;event=login.ok"' in page
    assert "Showing 1–50 of 121" in html.unescape(page)
    last = rows(client.get("/admin/audit?event=login.ok&page=3"))
    assert "u000" in last and "kanri" in last and "u020" not in last
    # Past the end: the last page, not an error.
    assert "u000" in rows(client.get("/admin/audit?event=login.ok&page=999"))


def test_hostile_values_are_escaped(app, client, admin):
    add_events(app, {
        "at": datetime(2026, 4, 1, tzinfo=UTC), "event": "login.failed",
        "actor_login": SCRIPT[:64], "target": SCRIPT, "ip": SCRIPT[:64],
        "detail": {SCRIPT: SCRIPT, "list": [SCRIPT]},
    })
    response = client.get("/admin/audit")
    body = response.get_data(as_text=True)
    assert SCRIPT not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    response = client.get("/admin/audit", query_string={"actor": "<script>", "target": SCRIPT})
    assert response.status_code == 200
    assert SCRIPT not in response.get_data(as_text=True)


def test_real_events_show_up(app, client, admin, make_user):
    """The page reads what the services write: a failed login and a role change."""
    other = make_user("hanako")
    fresh = app.test_client()
    assert login(fresh, "hanako", "wrong-password-123").status_code == 401
    client.post(f"/admin/users/{other.id}/roles",
                data={"roles": ["employee", "hr"],
                      "csrf_token": csrf_token(client, "/profile")})
    body = rows(client.get("/admin/audit"))
    assert "login.failed" in body and "roles.changed" in body and "login.ok" in body
    assert "2026-01-05 09:00:00" in body  # frozen 00:00 UTC is 09:00 in Tokyo
