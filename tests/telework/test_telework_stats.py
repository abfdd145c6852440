"""Telework figures on a small hand-made data set (telework_stats_data): month summary,
pace, projection, trend, department subtrees, filters and breakdowns, and who sees what."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import delete

from tests.office import login
from tests.telework.telework_stats_data import NOW, build_world, rows_by_code, user
from workhub.businessdays import business_days
from workhub.extensions import db
from workhub.telework import stats, stats_hr
from workhub.telework import stats_queries as q

# Six accounts a test: the cheap password hash of conftest.
pytestmark = pytest.mark.usefixtures("fast_hashing")


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def world(app, make_department, make_user):
    return build_world(app, make_department, make_user)


# --- scope ------------------------------------------------------------------------------


def test_scope_by_role(app_ctx, world):
    assert stats.visible_scope(user(world.hr)).kind == "all"
    manager = stats.visible_scope(user(world.manager))
    assert manager.kind == "departments"
    assert manager.department_ids == {world.dept[c] for c in ("DIV", "SEC1", "SEC2")}
    assert manager.root_ids == (world.dept["DIV"],)
    assert stats.visible_scope(user(world.emp1)).kind == "self"


# --- month summary: count, hours, pace, projection --------------------------------------


def test_business_days_of_the_frozen_month():
    days = business_days(date(2026, 11, 1), date(2026, 11, 30))
    assert len(days) == 19
    assert len([d for d in days if d <= date(2026, 11, 18)]) == 12


def test_month_summary_for_the_organisation(app_ctx, world):
    s = stats.month_summary(stats.visible_scope(user(world.hr)), "2026-11", NOW.date())
    assert (s.actual, s.target) == (8, 20)
    assert s.hours == pytest.approx(38.5)  # the running session counts, without hours
    assert (s.business_days, s.days_gone, s.days_left) == (19, 12, 7)
    assert s.missing == 12
    assert s.pace_needed == pytest.approx(12 / 7)
    assert s.projection == round(8 * 19 / 12) == 13
    assert s.achievement == pytest.approx(40.0)


def test_month_summary_for_a_manager_and_an_employee(app_ctx, world):
    s = stats.month_summary(stats.visible_scope(user(world.manager)), "2026-11", NOW.date())
    assert (s.actual, s.target) == (6, 6)  # DIV's own target; SEC1's is inside it
    assert s.hours == pytest.approx(29.5)
    assert s.pace_needed == 0
    s = stats.month_summary(stats.visible_scope(user(world.emp1)), "2026-11", NOW.date())
    assert (s.actual, s.target, s.hours) == (3, None, pytest.approx(12.0))


def test_past_and_future_months(app_ctx, world):
    scope = stats.visible_scope(user(world.hr))
    past = stats.month_summary(scope, "2026-10", NOW.date())
    assert (past.actual, past.days_left, past.projection, past.pace_needed) == (2, 0, 2, None)
    future = stats.month_summary(scope, "2026-12", NOW.date())
    assert (future.actual, future.days_gone, future.projection) == (0, 0, None)
    assert future.target is None and future.pace_needed is None


# --- trend ------------------------------------------------------------------------------


def test_trend_has_every_month_with_target_and_baseline(app_ctx, world):
    points = stats.trend(stats.visible_scope(user(world.hr)), "2026-11")
    assert len(points) == 24
    assert points[0].month == "2024-12" and points[-1].month == "2026-11"
    by_month = {p.month: p for p in points}
    assert by_month["2024-12"].actual == 1  # 2024-11-29 is outside the window
    assert by_month["2026-09"].actual == 0  # a month without sessions is there
    assert (by_month["2026-10"].actual, by_month["2026-10"].target) == (2, 10)
    assert (by_month["2026-11"].actual, by_month["2026-11"].target) == (8, 20)
    assert by_month["2026-08"].target is None
    assert {p.baseline for p in points} == {1200}
    assert sum(p.actual for p in points) == 12


def test_trend_of_a_manager_has_no_baseline(app_ctx, world):
    points = stats.trend(stats.visible_scope(user(world.manager)), "2026-11", months=12)
    assert len(points) == 12
    assert {p.baseline for p in points} == {None}
    assert [p.actual for p in points][-4:] == [1, 0, 1, 6]
    assert points[-1].target == 6


# --- departments ------------------------------------------------------------------------


def test_department_figures_include_the_subtree(app_ctx, world):
    rows = stats.departments_for(stats.visible_scope(user(world.hr)), ["2026-11"], "en")
    assert [r.code for r in rows] == ["HQ", "DIV", "SEC1", "SEC2", "OTHER", ""]
    by = rows_by_code(rows)
    assert (by["HQ"].own, by["HQ"].actual, by["HQ"].depth) == (0, 6, 0)
    assert (by["DIV"].own, by["DIV"].actual, by["DIV"].target) == (1, 6, 6)
    assert (by["SEC1"].own, by["SEC1"].actual, by["SEC1"].target) == (3, 3, 2)
    assert by["SEC1"].achievement == pytest.approx(150.0)
    assert by["SEC1"].hours == pytest.approx(12.0)
    assert (by["SEC2"].actual, by["OTHER"].actual) == (2, 1)
    assert by["DIV"].name == "Planning" and by["DIV"].parent_code == "HQ"
    assert by[""].id is None and by[""].actual == 1  # the session without a department
    assert sum(r.own for r in rows) == 8


def test_manager_sees_only_their_departments(app_ctx, world):
    rows = stats.departments_for(stats.visible_scope(user(world.manager)), ["2026-11"], "ja")
    assert [r.code for r in rows] == ["DIV", "SEC1", "SEC2"]
    assert rows[0].depth == 0 and rows[0].name == "企画部"


def test_dashboard_by_role(app_ctx, world):
    data = stats.dashboard(user(world.hr), NOW.date(), "en")
    assert data.summary.actual == 8 and len(data.trend) == 24
    # The top two levels, and SEC1 because it has a target.
    assert [r.code for r in data.departments] == ["HQ", "DIV", "SEC1", "OTHER", ""]
    assert (data.personal.count, data.personal.previous_count) == (0, 0)
    data = stats.dashboard(user(world.emp1), NOW.date(), "en")
    assert data.summary is None and data.trend == [] and data.departments == []
    assert (data.personal.count, data.personal.hours) == (3, pytest.approx(12.0))
    assert (data.personal.previous_month, data.personal.previous_count) == ("2026-10", 1)
    assert data.personal.previous_hours == pytest.approx(8.0)


# --- HR statistics: filters and breakdowns ---------------------------------------------


def run(info, **filters):
    scope = stats.visible_scope(user(info))
    flt, narrowed = stats_hr.parse_filter(scope, NOW.date(), **filters)
    return stats_hr.statistics(narrowed, flt, "en")


def test_breakdowns_by_month_weekday_place(app_ctx, world):
    st = run(world.hr, from_month="2026-08", to_month="2026-11")
    assert (st.count, st.target) == (11, 30)
    assert st.hours == pytest.approx(60.5)
    assert [(f.key, f.count, f.target) for f in st.by_month] == [
        ("2026-08", 1, None), ("2026-09", 0, None), ("2026-10", 2, 10), ("2026-11", 8, 20)]
    # Monday=0: Aug 3, Nov 2, Nov 9 | Nov 10 | Nov 4, 11, 18 | Oct 1, Nov 5, 12 | Oct 30.
    assert [f.count for f in st.by_weekday] == [3, 1, 3, 3, 1, 0, 0]
    assert {f.key: f.count for f in st.by_place} == {"home": 9, "satellite": 1, "other": 1}
    assert {f.key: f.hours for f in st.by_place}["satellite"] == pytest.approx(4.0)
    by = rows_by_code(st.by_department)
    assert (by["HQ"].actual, by["SEC1"].actual, by["SEC2"].actual) == (8, 4, 3)
    assert by["OTHER"].hours == pytest.approx(14.0)


def test_default_period_is_the_last_twelve_months(app_ctx, world):
    st = run(world.hr)
    assert (st.filter.first_month, st.filter.last_month) == ("2025-12", "2026-11")
    assert st.count == 11


def test_department_filter_takes_the_subtree(app_ctx, world):
    st = run(world.hr, from_month="2026-08", to_month="2026-11", department="DIV")
    assert st.count == 8
    assert [r.code for r in st.by_department] == ["DIV", "SEC1", "SEC2"]
    assert st.by_month[-1].target == 6  # the department's target, not the organisation's
    st = run(world.hr, from_month="2026-11", to_month="2026-11", department="SEC2")
    assert st.count == 2


@pytest.mark.parametrize(("slot", "place", "expected"), [
    ("am", None, 1), ("pm", None, 1),
    ("full", None, 9),  # sessions without a booking count as full days
    ("full", "home", 8), (None, "other", 1), (None, "satellite", 1),
])
def test_slot_and_place_filters(app_ctx, world, slot, place, expected):
    st = run(world.hr, from_month="2026-08", to_month="2026-11", slot=slot, place=place)
    assert st.count == expected
    assert sum(r.own for r in st.by_department) == expected


def test_manager_statistics_are_scoped(app_ctx, world):
    st = run(world.manager)
    assert st.count == 8  # DIV subtree: Aug 1, Oct 1, Nov 6
    assert {r.code for r in st.by_department} == {"DIV", "SEC1", "SEC2"}


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(("filters", "field", "words"), [
    ({"from_month": "2026-13"}, "from", "YYYY-MM"),
    ({"to_month": "november"}, "to", "YYYY-MM"),
    ({"from_month": "2026-11", "to_month": "2026-10"}, "from", "after"),
    ({"from_month": "2024-10", "to_month": "2026-11"}, "from", "24 months"),
    ({"department": "NOPE"}, "department", "NOPE"),
    ({"place": "moon"}, "place", "place"),
    ({"slot": "night"}, "slot", "slot"),
])
def test_bad_filters_are_refused_with_a_message(app_ctx, world, filters, field, words):
    scope = stats.visible_scope(user(world.hr))
    with pytest.raises(stats_hr.FilterError) as caught:
        stats_hr.parse_filter(scope, NOW.date(), **filters)
    assert caught.value.field == field
    assert words in caught.value.message
    assert caught.value.status == 400


def test_twenty_four_months_is_allowed(app_ctx, world):
    st = run(world.hr, from_month="2024-12", to_month="2026-11")
    assert len(st.by_month) == 24 and st.count == 12


# --- pages ------------------------------------------------------------------------------


def test_dashboard_page_for_hr(client, frozen, world):
    login(client, world.hr)
    html = client.get("/telework/").get_data(as_text=True)
    assert 'id="org-actual">8<' in html
    assert 'id="org-target">20<' in html
    assert 'id="org-pace">1.7<' in html
    assert 'id="org-projection">13<' in html
    assert 'src="/telework/charts/trend.svg"' in html
    assert "<caption>" in html and 'scope="row"' in html


def test_dashboard_page_for_an_employee_shows_only_their_figures(client, frozen, world):
    login(client, world.emp1)
    html = client.get("/telework/").get_data(as_text=True)
    assert 'id="my-count">3<' in html
    assert "org-actual" not in html and "企画部" not in html and "他局" not in html


def test_dashboard_page_for_a_manager(client, frozen, world):
    login(client, world.manager)
    html = client.get("/telework/").get_data(as_text=True)
    assert 'id="org-actual">6<' in html
    assert "二課" in html and "他局" not in html


def test_stats_page_numbers(client, frozen, world):
    login(client, world.hr)
    html = client.get("/telework/stats?from=2026-08&to=2026-11").get_data(as_text=True)
    assert 'id="total-count">11<' in html
    assert 'id="total-hours">60.5<' in html
    assert "/telework/stats/export.csv?table=month&amp;from=2026-08&amp;to=2026-11" in html
    assert "/telework/stats/charts/weekday.svg?from=2026-08&amp;to=2026-11" in html


def test_stats_page_for_a_manager_and_an_employee(app, client, frozen, world):
    login(client, world.manager)
    html = client.get("/telework/stats").get_data(as_text=True)
    assert 'id="total-count">8<' in html and "他局" not in html
    response = client.get("/telework/stats?department=OTHER")
    assert response.status_code == 403
    employee = app.test_client()
    login(employee, world.emp1)
    assert employee.get("/telework/stats").status_code == 403


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(("query", "words"), [
    ("from=2026-13", "YYYY-MM"),
    ("from=2026-11&to=2026-01", "must not be after"),
    ("from=2020-01&to=2026-11", "24 months at most"),
    ("department=NOPE", "no department with code NOPE"),
    ("from=%00%ff", "YYYY-MM"),
])
def test_stats_page_bad_filter_is_a_400_with_a_message(client, frozen, world, query, words):
    login(client, world.hr)
    for path in ("/telework/stats", "/telework/stats/export.csv", "/telework/stats/export.xlsx",
                 "/telework/stats/charts/month.svg"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, path
        assert words in response.get_data(as_text=True), path


@pytest.mark.usefixtures("english")
def test_unknown_chart_and_table(client, frozen, world):
    login(client, world.hr)
    assert client.get("/telework/stats/charts/pie.svg").status_code == 404
    response = client.get("/telework/stats/export.csv?table=secret")
    assert response.status_code == 400
    assert "Choose a table" in response.get_data(as_text=True)


# --- API --------------------------------------------------------------------------------


def test_api_for_hr(client, frozen, world):
    login(client, world.hr)
    body = client.get("/api/v1/telework/stats?month=2026-11").json
    assert (body["month"], body["scope"], body["target"], body["actual"]) == (
        "2026-11", "organisation", 20, 8)
    assert body["hours"] == pytest.approx(38.5)
    assert body["projection"] == 13
    depts = {d["code"]: d for d in body["departments"]}
    assert set(depts) == {"HQ", "DIV", "SEC1", "SEC2", "OTHER"}
    assert (depts["DIV"]["target"], depts["DIV"]["actual"], depts["DIV"]["own"]) == (6, 6, 1)
    assert depts["SEC1"]["parent"] == "DIV"
    assert client.get("/api/v1/telework/stats").json["month"] == "2026-11"


def test_api_for_a_manager_and_an_employee(app, client, frozen, world):
    login(client, world.manager)
    body = client.get("/api/v1/telework/stats?month=2026-11").json
    assert (body["scope"], body["actual"], body["target"]) == ("departments", 6, 6)
    assert {d["code"] for d in body["departments"]} == {"DIV", "SEC1", "SEC2"}
    client = app.test_client()
    login(client, world.emp1)
    body = client.get("/api/v1/telework/stats?month=2026-10").json
    assert (body["scope"], body["actual"], body["target"]) == ("self", 1, None)
    assert "departments" not in body


@pytest.mark.parametrize("month", ["2026-13", "26-11", "2026/11", "x" * 300, "1999-12"])
def test_api_bad_month_is_a_json_400(client, frozen, world, month):
    login(client, world.hr)
    response = client.get("/api/v1/telework/stats", query_string={"month": month})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid_month"
    assert "YYYY-MM" in response.json["error"]["message"]


def test_api_answer_matches_the_documented_schema(app, frozen, world):
    from openapi_schema_validator import OAS30Validator

    from workhub.api.openapi import build_openapi

    spec = build_openapi()
    validator = OAS30Validator({"$ref": "#/components/schemas/TeleworkStats",
                                "components": spec["components"]})
    for info in (world.hr, world.manager, world.emp1):
        client = app.test_client()
        login(client, info)
        validator.validate(client.get("/api/v1/telework/stats").json)


# --- the roll-up kept by triggers ----------------------------------------------------------


def rollup_agrees() -> None:
    from workhub.telework import rollup

    conn = db.session.connection()
    assert rollup.check(conn) == []


def test_rollup_follows_every_change(app_ctx, world):
    """Inserts, updates (moving a session between buckets, stopping a running one), deletes,
    and the cascades the ORM never sees: the roll-up equals a count of the sessions."""
    from sqlalchemy import select

    from workhub.org.models import Department
    from workhub.telework.models import TeleworkSession

    rollup_agrees()
    running = db.session.scalars(select(TeleworkSession).where(
        TeleworkSession.ended_at.is_(None))).one()
    running.ended_at = running.started_at + timedelta(hours=3)  # stopped: hours added
    moved = db.session.scalars(select(TeleworkSession).where(
        TeleworkSession.day == date(2026, 10, 1))).one()
    moved.day, moved.place, moved.slot = date(2026, 10, 6), "satellite", "pm"
    db.session.flush()
    rollup_agrees()
    scope = stats.visible_scope(user(world.hr))
    assert q.totals(scope, "2026-11") == (8, 41.5)
    # A person deleted: the database deletes their sessions (ON DELETE CASCADE).
    db.session.delete(user(world.emp3))
    db.session.flush()
    rollup_agrees()
    assert world.dept["OTHER"] not in q.by_department(scope, ["2026-10"])["2026-10"]
    # A department deleted: its sessions lose their department (ON DELETE SET NULL).
    db.session.execute(delete(Department).where(Department.code == "SEC2"))
    rollup_agrees()
    assert q.by_department(scope, ["2026-08"])["2026-08"] == {None: (1, 8.0)}
    # Bulk delete of sessions.
    db.session.execute(delete(TeleworkSession).where(TeleworkSession.day < date(2026, 1, 1)))
    rollup_agrees()
    db.session.commit()
    assert q.counts(scope, ["2024-12"]) == {"2024-12": 0}


def test_rollup_rebuild_and_check(app_ctx, world):
    from sqlalchemy import text

    from workhub.telework import rollup

    conn = db.session.connection()
    conn.execute(text("UPDATE telework_rollup SET sessions = sessions + 5"))
    assert rollup.check(conn)  # drift is found …
    assert rollup.rebuild(conn) > 0  # … and repaired from the sessions
    assert rollup.check(conn) == []
    assert q.counts(stats.visible_scope(user(world.hr)), ["2026-11"]) == {"2026-11": 8}


def test_own_figures_come_from_own_sessions(app_ctx, world):
    mine = stats.Scope("self", world.emp1.id)
    assert q.totals(mine, "2026-11") == (3, 12.0)
    assert q.by_department(mine, ["2026-11"]) == {"2026-11": {}}


def test_rollup_command_checks_and_rebuilds(app, world):
    from sqlalchemy import text

    runner = app.test_cli_runner()
    assert runner.invoke(args=["telework-rollup"]).exit_code == 0
    with app.app_context():
        db.session.execute(text("DELETE FROM telework_rollup WHERE month = '2026-11'"))
        db.session.commit()
    result = runner.invoke(args=["telework-rollup"])
    assert result.exit_code == 1 and "--rebuild" in result.output
    assert runner.invoke(args=["telework-rollup", "--rebuild"]).exit_code == 0
    assert "agrees" in runner.invoke(args=["telework-rollup"]).output
