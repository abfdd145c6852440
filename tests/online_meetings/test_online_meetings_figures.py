"""The monthly figure of online meetings: meetings held with an online tool, their hours and
participants per month, by department and by tool, in office months; the page, its chart
and exports for HR and IT; a bad month is a 400."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from tests.office import sign_in
from tests.online_meetings.online_meetings_data import meeting
from workhub.extensions import db
from workhub.online_meetings import stats

pytestmark = pytest.mark.usefixtures("english", "fast_hashing")


def held(app) -> None:
    """Four meetings in November (one at 23:30 on 30 Nov UTC: 1 December in Tokyo), one
    in person, one still to come."""
    with app.app_context():
        nov = datetime(2026, 11, 10, 1, 0, tzinfo=UTC)
        meeting("sec", starts_at=nov, hours=1.5, tool="zoom", logins=("emp", "emp2"))
        meeting("boss", starts_at=nov + timedelta(days=1), hours=1, tool="teams", logins=())
        meeting("out", starts_at=nov + timedelta(days=2), hours=None, tool="zoom",
                logins=("emp",))
        meeting("sec", starts_at=nov, hours=2, tool="none", logins=("emp",))
        meeting("sec", starts_at=datetime(2026, 11, 30, 15, 30, tzinfo=UTC), hours=1,
                tool="webex", logins=("emp",))
        meeting("sec", starts_at=datetime(2026, 12, 20, 1, 0, tzinfo=UTC), hours=1,
                tool="zoom", logins=("emp",))
        db.session.commit()


def test_the_figures_count_what_was_held_online_in_office_months(app, office):
    held(app)
    with app.app_context():
        year = stats.figures(stats.months_back("2026-12", 12))
    assert list(year)[0] == "2026-01" and list(year)[-1] == "2026-12"
    november, december = year["2026-11"], year["2026-12"]
    assert (november.total.meetings, november.total.hours, november.total.participants) == \
        (3, 2.5, 3)
    assert [(f.key, f.meetings) for f in november.by_tool] == [("zoom", 2), ("teams", 1)]
    assert [(f.key, f.meetings) for f in november.by_department] == [("秘書課", 2),
                                                                   ("他課", 1)]
    # 30 November 15:30 UTC is 1 December in Tokyo; 20 December has not come yet (NOW is 7th).
    assert (december.total.meetings, [f.key for f in december.by_tool]) == (1, ["webex"])


def test_the_page_chart_and_exports(app, client, office):
    held(app)
    sign_in(client, office["it"])
    page = client.get("/online-meetings/figures?month=2026-11").get_data(as_text=True)
    assert "2026-11: 3 online meetings, 2.5 hours, 3 participants." in page
    chart = client.get("/online-meetings/figures/chart.svg?month=2026-11")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
    assert b"<script" not in chart.data
    csv = client.get("/online-meetings/figures/export.csv?month=2026-11")
    lines = csv.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "Month,Online meetings,Hours,Participants"
    assert "2026-11,3,2.5,3" in lines
    book = load_workbook(io.BytesIO(client.get(
        "/online-meetings/figures/export.xlsx?month=2026-11").data))
    assert book.sheetnames == ["Online meetings per month", "By department", "By tool"]
    assert [c.value for c in book["By tool"][2]] == ["Zoom", 2, 1.5, 3]


@pytest.mark.parametrize("month", ["2026-13", "26-11", "2026-1", "abc", "2026-11'; --",
                                   "9999-01", "x" * 5000])
def test_a_bad_month_is_a_400(app, client, office, month):
    sign_in(client, office["it"])
    for path in ("/online-meetings/figures", "/online-meetings/figures/chart.svg",
                 "/online-meetings/figures/export.csv", "/online-meetings/figures/export.xlsx"):
        response = client.get(path, query_string={"month": month})
        assert response.status_code == 400, (path, month)


def test_only_hr_it_and_administrators_see_the_figures(app, client, office):
    sign_in(client, office["emp"])
    assert client.get("/online-meetings/figures").status_code == 403
