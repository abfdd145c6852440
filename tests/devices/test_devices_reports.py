"""Device reports at the service level: what is counted, and who sees which figures (the data
set is described in devices_reports_data.py)."""

from __future__ import annotations

import pytest

from tests.devices import devices_reports_data as data
from tests.devices.devices_reports_data import TODAY
from workhub.devices import report_loans, reports
from workhub.devices.reports import FilterError, parse_filter, report_scope
from workhub.errors import Forbidden
from workhub.extensions import db
from workhub.org.models import User
from workhub.org.tree import indented_choices

pytestmark = pytest.mark.usefixtures("fast_hashing", "english")
office = data.office


def scope_of(login: str) -> reports.Scope:
    return report_scope(db.session.scalar(db.select(User).where(User.login == login)))


def tags(rows) -> list[str]:
    return [row.label for row in rows]


def test_who_may_see_reports(app_ctx, office):
    assert scope_of("it") == reports.Scope(scope_of("it").user_id, True, None)
    assert scope_of("admin").inventory and scope_of("admin").everyone
    boss = scope_of("boss")
    assert not boss.inventory and not boss.everyone
    codes = {row[0] for row in indented_choices(boss.department_ids, "en")}
    assert codes == {"GEN", "IT", "SOMU"}
    for login in ("emp1", "hr"):
        with pytest.raises(Forbidden):
            scope_of(login)
    for func in (reports.stock, reports.line_stock):
        with pytest.raises(Forbidden):
            func(boss)
    with pytest.raises(Forbidden):
        reports.contracts_ending(boss, TODAY, 90)


def test_stock_by_model_and_kind(app_ctx, office):
    rows = reports.stock(scope_of("it"))
    assert [(r.kind, r.maker, r.model, r.total) for r in rows] == [
        ("laptop", "Dynabook", "G83", 2), ("laptop", "Panasonic", "Let's note SV", 2),
        ("tablet", "Apple", "iPad", 1), ("tablet", "Apple", "iPad mini", 0),
        ("smartphone", "Apple", "iPhone SE", 2), ("router", "NEC", "Aterm MR10LN", 1)]
    assert rows[0].counts == {"in_stock": 0, "allocated": 0, "in_repair": 1, "lost": 0,
                              "retired": 1}
    kinds = reports.stock_by_kind(rows)
    assert kinds["laptop"] == {"in_stock": 1, "allocated": 1, "in_repair": 1, "lost": 0,
                               "retired": 1}
    assert kinds["smartphone"]["lost"] == 1 and sum(kinds["router"].values()) == 1
    lines = {r.carrier: r for r in reports.line_stock(scope_of("it"))}
    assert lines["docomo"].counts == {"in_stock": 0, "allocated": 2, "suspended": 0,
                                      "cancelled": 1}
    assert lines["docomo"].monthly_cost == 4000  # the cancelled ¥9,999 is not a cost
    assert (lines["au"].total, lines["au"].monthly_cost) == (2, 2000)


def test_overdue_returns_by_scope(app_ctx, office):
    rows = report_loans.overdue(scope_of("it"), TODAY, "en")
    assert tags(rows) == ["SP-1", "PC-1", "TB-1"]
    assert [r.days_overdue for r in rows] == [20, 3, 1]
    leaver = rows[0]
    assert (leaver.holder_login, leaver.holder_active, leaver.department) == (
        "leaver", False, "General Affairs Division")
    assert (rows[1].kind, rows[1].description) == ("laptop", "Panasonic Let's note SV")
    assert tags(report_loans.overdue(scope_of("boss"), TODAY)) == ["SP-1", "PC-1"]
    assert tags(report_loans.overdue(scope_of("finboss"), TODAY)) == ["TB-1"]
    # Due today is not overdue yet.
    assert tags(report_loans.overdue(scope_of("it"), TODAY.replace(day=11))) == ["SP-1"]


def test_unconfirmed_receipts_by_age_and_scope(app_ctx, office):
    it = scope_of("it")
    assert tags(report_loans.unconfirmed(it, TODAY, 3)) == ["PC-1", "09000000005"]
    assert [r.days_unconfirmed for r in report_loans.unconfirmed(it, TODAY, 3)] == [10, 5]
    assert tags(report_loans.unconfirmed(it, TODAY, 5)) == ["PC-1", "09000000005"]
    assert tags(report_loans.unconfirmed(it, TODAY, 6)) == ["PC-1"]
    assert tags(report_loans.unconfirmed(it, TODAY, 1)) == ["PC-1", "09000000005", "RT-1"]
    assert tags(report_loans.unconfirmed(it, TODAY, 0)) == ["PC-1", "09000000005", "RT-1"]
    assert tags(report_loans.unconfirmed(scope_of("boss"), TODAY, 0)) == ["PC-1", "RT-1"]
    assert report_loans.unconfirmed(scope_of("finboss"), TODAY, 0) == []


def test_contracts_ending_and_renewal_windows(app_ctx, office):
    rows = reports.contracts_ending(scope_of("it"), TODAY, 90)
    assert [(r.label, r.days_left, r.in_window(TODAY)) for r in rows] == [
        ("09000000005", -5, False),  # ended: still listed until someone acts
        ("09000000001", 30, True),
        ("DATA-6", 90, False),  # the last day counted
        ("09000000002", 120, True),  # outside 90 days but its renewal window is open
    ]
    assert rows[1].window_opens == TODAY.replace(month=3, day=15)
    assert [r.label for r in reports.contracts_ending(scope_of("it"), TODAY, 30)] == [
        "09000000005", "09000000001", "09000000002"]
    assert "09000000003" in [r.label for r in reports.contracts_ending(scope_of("it"),
                                                                        TODAY, 200)]


def figures(rows) -> dict[str, dict]:
    return {row.code: {"loans": row.total["loans"], "own": row.own["loans"],
                       "cost": row.total["cost"], "lines": row.total["cost_lines"]}
            for row in rows}


def test_loans_and_cost_by_department_for_it(app_ctx, office):
    rows = report_loans.by_department(scope_of("it"), TODAY, "en")
    assert [row.code for row in rows] == ["FIN", "GEN", "IT", "SOMU", "-", "unassigned"]
    got = figures(rows)
    assert got["GEN"] == {"loans": 4, "own": 0, "cost": 5000, "lines": 2}
    assert got["IT"] == {"loans": 2, "own": 2, "cost": 3000, "lines": 1}
    # The au line is in the router emp2 holds: its cost is emp2's department's.
    assert got["SOMU"] == {"loans": 2, "own": 2, "cost": 2000, "lines": 1}
    assert got["FIN"] == {"loans": 1, "own": 1, "cost": 0, "lines": 0}
    assert got["-"] == {"loans": 1, "own": 1, "cost": 1000, "lines": 1}
    assert got["unassigned"] == {"loans": 0, "own": 0, "cost": 1500, "lines": 2}
    it_row = next(row for row in rows if row.code == "IT")
    assert (it_row.own["devices"], it_row.own["lines"], it_row.own["unconfirmed"],
            it_row.own["overdue"]) == (1, 1, 1, 1)
    assert report_loans.top_level_total(rows, "cost") == 7500
    assert report_loans.top_level_total(rows, "loans") == 6


def test_managers_see_their_departments_only(app_ctx, office):
    rows = report_loans.by_department(scope_of("boss"), TODAY, "en")
    assert [row.code for row in rows] == ["GEN", "IT", "SOMU"]
    assert report_loans.top_level_total(rows, "cost") == 5000
    fin = report_loans.by_department(scope_of("finboss"), TODAY, "en")
    assert figures(fin) == {"FIN": {"loans": 1, "own": 1, "cost": 0, "lines": 0}}


def test_a_department_filter_narrows_the_holders(app_ctx, office):
    flt, narrowed = parse_filter(scope_of("it"), department="SOMU", days="30",
                                 unconfirmed_days="0")
    assert (flt.department_code, flt.contract_days, flt.unconfirmed_days) == ("SOMU", 30, 0)
    assert narrowed.inventory  # IT still sees stock and contracts
    assert tags(report_loans.overdue(narrowed, TODAY)) == ["SP-1"]
    assert [row.code for row in report_loans.by_department(narrowed, TODAY, "en")] == ["SOMU"]
    assert flt.args() == {"department": "SOMU", "days": "30", "unconfirmed_days": "0"}
    flt, narrowed = parse_filter(scope_of("boss"), department="IT")
    assert tags(report_loans.overdue(narrowed, TODAY)) == ["PC-1"]
    assert (flt.contract_days, flt.unconfirmed_days) == (90, 3)


@pytest.mark.parametrize(("args", "field", "message"), [
    ({"days": "0"}, "days", "from 1 to 3650"),
    ({"days": "3651"}, "days", "from 1 to 3650"),
    ({"days": "-1"}, "days", "from 1 to 3650"),
    ({"days": "1.5"}, "days", "from 1 to 3650"),
    ({"days": "３"}, "days", "from 1 to 3650"),  # full-width digits
    ({"days": "9" * 400}, "days", "from 1 to 3650"),
    ({"unconfirmed_days": "366"}, "unconfirmed_days", "from 0 to 365"),
    ({"unconfirmed_days": "x"}, "unconfirmed_days", "from 0 to 365"),
    ({"department": "NOPE"}, "department", "no department with code NOPE"),
    ({"department": "<script>" * 20}, "department", "no department with code"),
])
def test_bad_filters_are_refused(app, make_user, args, field, message):
    make_user("it", ("employee", "it_admin"))  # nothing else is needed to refuse
    with app.app_context(), pytest.raises(FilterError) as caught:
        parse_filter(scope_of("it"), **args)
    assert caught.value.field == field and message in caught.value.message
    assert caught.value.status == 400


def test_a_manager_may_not_filter_on_another_department(app_ctx, office):
    with pytest.raises(Forbidden) as caught:
        parse_filter(scope_of("boss"), department="FIN")
    assert caught.value.field == "department"
