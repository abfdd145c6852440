"""Read-only figures of remote work: the dashboard, the HR statistics and the stats API.

Every figure is aggregated in the database (``GROUP BY``, in ``stats_queries``, which also
remembers the figures of months HR has closed); Python only rolls up the few rows that come
back (days, departments), never the sessions themselves. Decisions, so the numbers mean the
same everywhere:

* One session = one occurrence (実施回数) in the month of its ``day``; a running session
  (no end yet) counts as an occurrence with no hours.
* A session belongs to ``TeleworkSession.department_id`` (the person's department on that
  day), so statistics stay true after people move.
* A department's figure *includes its sub-departments* (a bureau counts its divisions and
  sections); tables also give the sessions recorded directly in the department ("own"), whose
  sum is the total. A department target is compared with the figure including sub-departments.
* The slot of a session is the slot of its booking; a session without a booking (unplanned)
  counts as a full day.
* Pace and projection use business days (weekends and Japanese holidays excluded); today
  counts as a day gone: projection = sessions so far / business days gone × business days in
  the month; pace = sessions still missing / business days after today.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from workhub.businessdays import business_days, month_bounds, month_of
from workhub.extensions import db
from workhub.org.tree import tree_rows
from workhub.telework import stats_queries as q
from workhub.telework.models import MonthlyTarget
from workhub.telework.stats_queries import Scope

BASELINE = 1200  # sessions a month when the programme started (September 2020)
TREND_MONTHS = 24
MAX_PERIOD_MONTHS = 24


# --- who sees what ---------------------------------------------------------------------


def visible_scope(user) -> Scope:
    """HR and admins see all; managers their department's subtree; everyone else themselves."""
    if user.has_role("hr", "admin"):
        return Scope("all", user.id)
    if user.has_role("manager"):
        ids = frozenset(user.managed_department_ids())
        roots = (user.department_id,) if user.department_id in ids else ()
        return Scope("departments", user.id, ids, roots)
    return Scope("self", user.id)


# --- months ----------------------------------------------------------------------------


def shift_month(month: str, offset: int) -> str:
    """``"YYYY-MM"`` moved by ``offset`` months."""
    first, _last = month_bounds(month)
    index = first.year * 12 + first.month - 1 + offset
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last``, both included."""
    out = [first]
    while out[-1] < last:
        out.append(shift_month(out[-1], 1))
    return out


def targets_for(scope: Scope, months: list[str]) -> dict[str, int]:
    """The target of ``scope`` per month: the organisation's row for HR, the sum of the rows
    of a manager's top departments for a manager, none for a person."""
    if scope.kind == "self" or not months:
        return {}
    stmt = select(MonthlyTarget.month, func.sum(MonthlyTarget.target)).where(
        MonthlyTarget.month.in_(months)
    )
    if scope.kind == "all":
        stmt = stmt.where(MonthlyTarget.department_id.is_(None))
    elif scope.root_ids:
        stmt = stmt.where(MonthlyTarget.department_id.in_(scope.root_ids))
    else:
        return {}
    return {month: int(total) for month, total in db.session.execute(stmt.group_by(
        MonthlyTarget.month))}


# --- the month summary -----------------------------------------------------------------


@dataclass
class MonthSummary:
    month: str
    actual: int
    hours: float
    target: int | None
    business_days: int
    days_gone: int  # business days up to and including today
    days_left: int  # business days after today

    @property
    def achievement(self) -> float | None:
        """Share of the target reached, in per cent."""
        return 100.0 * self.actual / self.target if self.target else None

    @property
    def missing(self) -> int | None:
        return max(self.target - self.actual, 0) if self.target is not None else None

    @property
    def pace_needed(self) -> float | None:
        """Sessions needed per remaining business day to reach the target."""
        if self.target is None or self.days_left == 0:
            return None
        return self.missing / self.days_left

    @property
    def projection(self) -> int | None:
        """Sessions at month end if the pace so far goes on (linear on business days)."""
        if self.days_gone == 0:
            return None
        if self.days_left == 0:
            return self.actual
        return round(self.actual * self.business_days / self.days_gone)


def month_summary(scope: Scope, month: str, today: date) -> MonthSummary:
    """Count, hours and target of ``month`` for ``scope``, with pace and projection."""
    first, last = month_bounds(month)
    count, hours = q.totals(scope, month)
    days = business_days(first, last)
    gone = sum(1 for d in days if d <= today)
    return MonthSummary(
        month=month,
        actual=int(count),
        hours=float(hours or 0),
        target=targets_for(scope, [month]).get(month),
        business_days=len(days),
        days_gone=gone,
        days_left=len(days) - gone,
    )


# --- the trend -------------------------------------------------------------------------


@dataclass
class TrendPoint:
    month: str
    actual: int
    target: int | None
    baseline: int | None


def trend(scope: Scope, last_month: str, months: int = TREND_MONTHS) -> list[TrendPoint]:
    """Actual vs target vs the 1,200 baseline for the ``months`` months up to ``last_month``;
    months without sessions are there with 0. The baseline is the organisation's figure, so
    only the organisation-wide trend shows it."""
    month_list = months_between(shift_month(last_month, 1 - months), last_month)
    actual = q.counts(scope, month_list)
    targets = targets_for(scope, month_list)
    baseline = BASELINE if scope.kind == "all" else None
    return [TrendPoint(m, actual[m], targets.get(m), baseline) for m in month_list]


# --- departments -----------------------------------------------------------------------


@dataclass
class DepartmentRow:
    id: int | None  # None: sessions recorded without a department
    code: str
    name: str
    parent_code: str | None
    depth: int
    own: int = 0  # sessions recorded directly in this department
    own_hours: float = 0.0
    actual: int = 0  # including sub-departments
    hours: float = 0.0
    target: int | None = None
    children: list[DepartmentRow] = field(default_factory=list, repr=False)

    @property
    def achievement(self) -> float | None:
        return 100.0 * self.actual / self.target if self.target else None


def department_ids_of(scope: Scope) -> frozenset[int] | None:
    """The ids of the departments ``scope`` may see (None: all of them)."""
    if not scope.sees_departments:
        return frozenset()
    return scope.department_ids if scope.kind == "departments" else None


def department_tree(scope: Scope, language: str) -> list[DepartmentRow]:
    """The departments ``scope`` may see, in tree order (parents before children)."""
    out = [DepartmentRow(r.id, r.code, r.name, r.parent_code, r.depth)
           for r in tree_rows(department_ids_of(scope), language)]
    by_code = {row.code: row for row in out}
    for row in out:
        if row.parent_code is not None:
            by_code[row.parent_code].children.append(row)
    return out


def _roll_up(rows: list[DepartmentRow], own: dict[int | None, tuple[int, float]]) -> None:
    """Fill own and subtree figures; ``rows`` is in tree order, so reversed is bottom-up."""
    for row in reversed(rows):
        row.own, row.own_hours = own.get(row.id, (0, 0.0))
        row.actual = row.own + sum(c.actual for c in row.children)
        row.hours = row.own_hours + sum(c.hours for c in row.children)


def _department_targets(months: Iterable[str]) -> dict[int, int]:
    """Sum of the department targets over ``months``, per department."""
    rows = db.session.execute(
        select(MonthlyTarget.department_id, func.sum(MonthlyTarget.target))
        .where(MonthlyTarget.month.in_(list(months)), MonthlyTarget.department_id.is_not(None))
        .group_by(MonthlyTarget.department_id)
    )
    return {dept_id: int(total) for dept_id, total in rows}


def departments_for(
    scope: Scope, months: list[str], language: str, place: str | None = None,
    slot: str | None = None,
) -> list[DepartmentRow]:
    """Every department ``scope`` may see with its sessions (own and with sub-departments),
    hours and target summed over ``months``. Sessions without a department get their own
    row at the end (only for the organisation-wide scope, when there are some)."""
    rows = department_tree(scope, language)
    if not rows:
        return []
    own: dict[int | None, tuple[int, float]] = {}
    for figures in q.by_department(scope, months, place, slot).values():
        for dept_id, (n, hours) in figures.items():
            before = own.get(dept_id, (0, 0.0))
            own[dept_id] = (before[0] + n, before[1] + hours)
    _roll_up(rows, own)
    targets = _department_targets(months)
    for row in rows:
        row.target = targets.get(row.id)
    if scope.kind == "all" and None in own:
        n, h = own[None]
        rows.append(DepartmentRow(None, "", "", None, 0, n, h, n, h))
    return rows


# --- the dashboard ---------------------------------------------------------------------


@dataclass
class Personal:
    month: str
    count: int
    hours: float
    previous_month: str
    previous_count: int
    previous_hours: float


def personal(user_id: int, month: str) -> Personal:
    """One person's sessions and hours this month and the month before."""
    mine = Scope("self", user_id)
    previous = shift_month(month, -1)
    count, hours = q.totals(mine, month)
    prev_count, prev_hours = q.totals(mine, previous)
    return Personal(month, count, hours, previous, prev_count, prev_hours)


@dataclass
class Dashboard:
    scope: Scope
    month: str
    summary: MonthSummary | None
    trend: list[TrendPoint]
    departments: list[DepartmentRow]
    personal: Personal


DASHBOARD_DEPTH = 1  # the dashboard shows the top two levels; the statistics page all


def dashboard_departments(scope: Scope, month: str, language: str) -> list[DepartmentRow]:
    """The dashboard's achievement table: the top two levels of what ``scope`` sees, and
    every department with a target this month."""
    return [
        row for row in departments_for(scope, [month], language)
        if row.depth <= DASHBOARD_DEPTH or row.target is not None
    ]


def dashboard(user, today: date, language: str) -> Dashboard:
    """What the dashboard shows ``user`` for the month of ``today``."""
    scope = visible_scope(user)
    month = month_of(today)
    summary = trend_points = None
    departments: list[DepartmentRow] = []
    if scope.sees_departments:
        summary = month_summary(scope, month, today)
        trend_points = trend(scope, month)
        departments = dashboard_departments(scope, month, language)
    return Dashboard(scope, month, summary, trend_points or [], departments,
                     personal(user.id, month))
