"""The team calendar (month grid, who may see which department) and the iCalendar feeds
(tokens stored hashed, shown once, revocable; one all-day event per approved booking; no
private details in department feeds; rate-limited). Clock frozen on Friday 2026-11-13."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar
from sqlalchemy import select

from tests.dbstate import snapshot
from tests.office import csrf_token, login
from workhub.auth.models import AuditEvent
from workhub.extensions import db
from workhub.org.models import User
from workhub.telework.models import Booking, CalendarFeed

pytestmark = pytest.mark.usefixtures("fast_hashing")

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 13, 10, 0, tzinfo=JST)
MON, TUE = date(2026, 11, 16), date(2026, 11, 17)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def people(app, make_department, make_user):
    make_department("CITY", "市役所")
    make_department("JINJI", "人事課", parent="CITY", name_en="Personnel")
    make_department("KYUYO", "給与係", parent="JINJI", name_en="Payroll")
    make_department("ZAISEI", "財政課", parent="CITY", name_en="Finance")
    staff = SimpleNamespace(
        emp=make_user("emp", department="JINJI", display_name="山田 花子"),
        mate=make_user("mate", department="JINJI", display_name="佐藤 次郎"),
        payroll=make_user("payroll", department="KYUYO", display_name="高橋 三郎"),
        boss=make_user("boss", roles=("employee", "manager"), department="JINJI",
                       display_name="鈴木 課長"),
        outsider=make_user("outsider", department="ZAISEI", display_name="田中 四郎"),
        hr=make_user("hr", roles=("hr",), department="CITY"),
    )
    with app.app_context():
        for info in vars(staff).values():
            db.session.get(User, info.id).language = "en"
        db.session.commit()
    return staff


def add(app, who, day, status="approved", **kw) -> int:
    with app.app_context():
        booking = Booking(user_id=who.id, day=day, status=status, **kw)
        db.session.add(booking)
        db.session.commit()
        return booking.id


def page(client, path="/telework/calendar", status=200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def cell(html: str, day: int) -> str:
    """The HTML of the grid cell of ``day`` (of the month shown)."""
    table = html.split('id="calendar"')[1].split("</table>")[0]
    for td in re.findall(r"<td[^>]*>.*?</td>", table, flags=re.S):
        if re.search(rf'<span class="fw-bold">{day}</span>', td):
            return td
    raise AssertionError(f"no cell for day {day}")


# --- the month grid --------------------------------------------------------------------------


def test_grid_shows_who_is_remote(app, client, people):
    add(app, people.emp, MON)
    add(app, people.mate, MON, slot="pm", status="pending")
    add(app, people.mate, TUE, status="cancelled")
    add(app, people.outsider, MON)
    add(app, people.payroll, MON)  # a sub-department: its own calendar
    login(client, people.emp)
    html = page(client, "/telework/calendar?month=2026-11")
    assert ">Who works remotely in Personnel, November 2026</caption>" in html
    headers = re.findall(r'<th scope="col" class="text-center">(\w+)</th>', html)
    assert headers == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    monday = cell(html, 16)
    assert "山田 花子" in monday and "佐藤 次郎 (Afternoon)" in monday and "Pending" in monday
    assert "田中 四郎" not in html and "高橋 三郎" not in html
    assert "佐藤 次郎" not in cell(html, 17)  # cancelled
    # November 2026 starts on a Sunday: the first row starts with six empty cells.
    first_row = html.split("<tbody>")[1].split("</tr>")[0]
    assert first_row.count('<td class="bg-body-tertiary"></td>') == 6


def test_grid_marks_holidays_and_today(client, people):
    login(client, people.emp)
    html = page(client)
    assert 'value="2026-11"' in html  # this month by default
    today = cell(html, 13)
    assert 'aria-current="date"' in today and "Today" in today
    assert "Labor Thanksgiving Day" in cell(html, 23)
    assert "Culture Day" in cell(html, 3)
    assert 'aria-current="date"' not in cell(html, 16)


def test_holiday_names_in_japanese(app, client, people):
    with app.app_context():
        db.session.get(User, people.emp.id).language = "ja"
        db.session.commit()
    login(client, people.emp)
    assert "勤労感謝の日" in cell(page(client, "/telework/calendar?month=2026-11"), 23)


def test_previous_and_next_month_links(client, people):
    login(client, people.emp)
    html = page(client, "/telework/calendar?month=2027-01&department=JINJI")
    assert 'href="/telework/calendar?month=2026-12&amp;department=JINJI"' in html
    assert 'href="/telework/calendar?month=2027-02&amp;department=JINJI"' in html
    assert "元日" in html or "New Year&#39;s Day" in html


def test_manager_sees_sub_departments(app, client, people):
    add(app, people.payroll, MON)
    login(client, people.boss)
    html = page(client, "/telework/calendar?month=2026-11&department=KYUYO")
    assert "高橋 三郎" in cell(html, 16)
    options = re.findall(r'<option value="(\w+)"', html.split('id="cal-department"')[1])
    assert options[:2] == ["JINJI", "KYUYO"] and "ZAISEI" not in options


@pytest.mark.parametrize("query", ["department=ZAISEI", "department=NOPE"])
def test_employee_cannot_open_another_department(client, people, query):
    login(client, people.emp)
    page(client, f"/telework/calendar?{query}", status=404)


def test_hr_may_open_any_department(app, client, people):
    add(app, people.outsider, MON)
    login(client, people.hr)
    assert "田中 四郎" in cell(page(client, "/telework/calendar?department=ZAISEI"), 16)


def test_without_a_department_only_my_own_days(app, client, people, make_user):
    loner = make_user("loner", display_name="一人 旅")
    with app.app_context():
        db.session.get(User, loner.id).language = "en"
        db.session.commit()
    add(app, loner, MON)
    add(app, people.emp, MON)
    login(client, loner)
    html = page(client)
    assert "Your remote days, November 2026" in html
    assert "一人 旅" in cell(html, 16) and "山田 花子" not in html


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "November", "1999-12", "2026-11-01",
                                   "<script>"])
def test_bad_month_is_400(client, people, month):
    login(client, people.emp)
    response = client.get("/telework/calendar", query_string={"month": month})
    assert response.status_code == 400
    assert "YYYY-MM" in response.get_data(as_text=True)


# --- feed URLs -------------------------------------------------------------------------------


def create_feed(client, **data) -> str:
    data.setdefault("scope", "person")
    token = csrf_token(client, "/telework/calendar")
    response = client.post("/telework/calendar/feeds", data={**data, "csrf_token": token})
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    match = re.search(r'id="new-feed-url" type="text" readonly value="([^"]+)"',
                      response.get_data(as_text=True))
    assert match
    return match.group(1)


def fetch(client, url: str, status: int = 200):
    response = client.get(url.replace("http://localhost", ""))
    assert response.status_code == status
    return response


def events(response) -> list:
    return Calendar.from_ical(response.data).walk("VEVENT")


def test_personal_feed_url_is_shown_once_and_stored_hashed(app, client, people):
    login(client, people.emp)
    url = create_feed(client)
    assert re.fullmatch(r"http://localhost/telework/feeds/whc_[A-Za-z0-9_-]{43}\.ics", url)
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    with app.app_context():
        [row] = db.session.scalars(select(CalendarFeed)).all()
        assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert (row.scope, row.owner_id, row.department_id) == ("person", people.emp.id, None)
        assert db.session.scalar(select(AuditEvent.event).where(
            AuditEvent.event == "telework.feed_created"))
    assert secret not in str(snapshot(app))
    html = page(client)
    assert secret not in html and "Your remote days" in html.split('id="feeds"')[1]


def test_personal_feed_content(app, client, people):
    approved = add(app, people.emp, MON, place="other", place_note="区民センター",
                   purpose="資料作成")
    add(app, people.emp, TUE, slot="am")
    add(app, people.emp, date(2026, 11, 18), status="pending")
    add(app, people.emp, date(2026, 11, 19), status="cancelled")
    add(app, people.mate, MON)
    login(client, people.emp)
    url = create_feed(client)
    response = fetch(client, url)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    found = events(response)
    assert [e.decoded("dtstart") for e in found] == [MON, TUE]
    first = found[0]
    assert first.decoded("dtend") == MON + timedelta(days=1)
    assert b"DTSTART;VALUE=DATE:20261116" in response.data
    assert str(first["summary"]) == "Remote work (Other place)"
    assert str(found[1]["summary"]) == "Remote work (At home, Morning)"
    assert "区民センター" in str(first["description"]) and "資料作成" in str(first["description"])
    assert str(first["url"]).endswith(f"/telework/bookings/{approved}")
    assert str(first["uid"]) == f"telework-booking-{approved}@workhub"
    # The UID stays the same from one fetch to the next: calendars update, not duplicate.
    assert [str(e["uid"]) for e in events(fetch(client, url))] == [
        str(e["uid"]) for e in found]


def test_feed_follows_the_owners_language(app, client, people):
    booking_id = add(app, people.emp, MON)
    with app.app_context():
        db.session.get(User, people.emp.id).language = "ja"
        db.session.commit()
    login(client, people.emp)
    url = create_feed(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    [event] = events(fetch(client, url))
    with app.test_request_context(), force_locale("ja"):
        from workhub.telework import calendar as cal

        expected = cal.event_summary(db.session.get(Booking, booking_id), with_name=False)
        assert expected == _("Remote work (%(place)s)", place=_("At home"))
    assert str(event["summary"]) == expected


def test_department_feed_for_a_manager_has_no_private_details(app, client, people):
    add(app, people.emp, MON, place="other", place_note="区民センター", purpose="通院")
    add(app, people.mate, TUE, slot="pm")
    add(app, people.outsider, MON)
    login(client, people.boss)
    url = create_feed(client, scope="department", department="JINJI")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    response = fetch(client, url)  # no sign-in needed: the URL is the credential
    found = events(response)
    assert [str(e["summary"]) for e in found] == [
        "山田 花子: Remote work (Other place)", "佐藤 次郎: Remote work (At home, Afternoon)"]
    assert "区民センター".encode() not in response.data
    assert "通院".encode() not in response.data
    assert all("description" not in e and "url" not in e for e in found)


def test_employees_get_no_department_feed(app, client, people):
    login(client, people.emp)
    html = page(client)
    assert "New address for this department" not in html
    token = csrf_token(client, "/telework/calendar")
    before = snapshot(app)
    response = client.post("/telework/calendar/feeds", data={
        "scope": "department", "department": "JINJI", "csrf_token": token})
    assert response.status_code == 403
    assert snapshot(app) == before


@pytest.mark.parametrize("data", [
    {"scope": "everyone"}, {"scope": ""}, {"scope": "department"},
    {"scope": "department", "department": "NOPE"}, {"scope": "department", "department": ""},
])
def test_feed_bad_input(app, client, people, data):
    login(client, people.boss)
    token = csrf_token(client, "/telework/calendar")
    before = snapshot(app)
    response = client.post("/telework/calendar/feeds", data={**data, "csrf_token": token})
    assert response.status_code == 400
    assert ("Choose a department." in response.get_data(as_text=True)
            or "Choose your own calendar or a department" in response.get_data(as_text=True))
    assert snapshot(app) == before


def test_manager_outside_the_department_gets_403(app, client, people):
    login(client, people.boss)
    token = csrf_token(client, "/telework/calendar")
    response = client.post("/telework/calendar/feeds", data={
        "scope": "department", "department": "ZAISEI", "csrf_token": token})
    assert response.status_code == 403


def test_revoke_and_replace(app, client, people):
    login(client, people.emp)
    first = create_feed(client)
    second = create_feed(client)  # a new address replaces the old one
    fetch(client, first, 404)
    fetch(client, second)
    with app.app_context():
        live = db.session.scalar(select(CalendarFeed).where(CalendarFeed.revoked_at.is_(None)))
    token = csrf_token(client, "/telework/calendar")
    response = client.post(f"/telework/calendar/feeds/{live.id}/revoke",
                           data={"csrf_token": token})
    assert response.status_code == 303
    fetch(client, second, 404)
    assert "Revoke" not in page(client).split('id="h-feeds"')[1]


def test_cannot_revoke_someone_elses_feed(app, client, people):
    login(client, people.mate)
    url = create_feed(client)
    with app.app_context():
        feed_id = db.session.scalar(select(CalendarFeed.id))
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, people.emp)
    token = csrf_token(client, "/telework/calendar")
    response = client.post(f"/telework/calendar/feeds/{feed_id}/revoke",
                           data={"csrf_token": token})
    assert response.status_code == 404
    fetch(client, url)


@pytest.mark.parametrize("token", ["whc_unknown", "nothing", "whc_" + "a" * 300, "%00"])
def test_unknown_token_is_404(client, people, token):
    assert client.get(f"/telework/feeds/{token}.ics").status_code == 404


def test_feed_dies_with_the_account_and_the_role(app, client, people):
    login(client, people.boss)
    department = create_feed(client, scope="department", department="JINJI")
    personal = create_feed(client)
    fetch(client, department)
    with app.app_context():
        db.session.get(User, people.boss.id).set_roles({"employee"})
        db.session.commit()
    fetch(client, department, 404)  # no longer a manager: no longer the department's feed
    fetch(client, personal)
    with app.app_context():
        db.session.get(User, people.boss.id).active = False
        db.session.commit()
    fetch(client, personal, 404)


def test_feed_is_rate_limited(app, client, people, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_FEED", "2 per minute")
    login(client, people.emp)
    url = create_feed(client)
    fetch(client, url)
    fetch(client, url)
    fetch(client, url, 429)
