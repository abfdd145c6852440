"""Reports on loans: overdue returns, unconfirmed receipts, and open loans and monthly line
cost by department. Read-only; the rules (who sees what, what counts) are in ``reports``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from workhub.clock import day_bounds, office_zone
from workhub.devices import loan_queries
from workhub.devices.models import Allocation, Line
from workhub.devices.reports import Scope
from workhub.extensions import db
from workhub.org.models import User
from workhub.org.tree import tree_rows

# --- loans --------------------------------------------------------------------------------


@dataclass
class LoanRow:
    """One open loan as the overdue and unconfirmed lists show it."""

    allocation_id: int
    kind: str
    label: str  # asset tag or line number
    description: str  # maker and model, or carrier and plan
    device_id: int | None
    line_id: int | None
    holder_id: int
    holder_name: str
    holder_login: str
    holder_active: bool
    department: str | None
    allocated_on: date
    due_date: date | None
    confirmed: bool
    today: date = field(repr=False, default=date.min)

    @property
    def days_overdue(self) -> int:
        return (self.today - self.due_date).days if self.due_date else 0

    @property
    def days_unconfirmed(self) -> int:
        return (self.today - self.allocated_on).days


def _loan_rows(scope: Scope, today: date, language: str, state: str,
               *conditions) -> list[LoanRow]:
    """The loans of ``state`` (loan_queries' definition) of the holders in ``scope``."""
    stmt = loan_queries.filter_allocations(None, state=state, today=today).where(
        scope.holder_condition(Allocation.user_id), *conditions)
    zone = office_zone()
    out = []
    for alloc in db.session.scalars(stmt).unique():
        person, device, line = alloc.user, alloc.device, alloc.line
        if device is not None:
            label, text = device.asset_tag, f"{device.model.maker} {device.model.name}"
        else:
            label = line.label
            text = " ".join(part for part in (line.carrier, line.plan) if part)
        out.append(LoanRow(
            alloc.id, loan_queries.item_kind(alloc), label, text, alloc.device_id,
            alloc.line_id, person.id, person.display_name, person.login, bool(person.active),
            person.department.name(language) if person.department is not None else None,
            alloc.allocated_at.astimezone(zone).date(), alloc.due_date,
            alloc.confirmed_at is not None, today))
    return out


def overdue(scope: Scope, today: date, language: str = "ja") -> list[LoanRow]:
    """Open loans due before ``today``, longest overdue first."""
    return _loan_rows(scope, today, language, "overdue")


def unconfirmed_cutoff(today: date, days: int) -> datetime:
    """Loans allocated before this instant have waited ``days`` office days or more."""
    return day_bounds(today - timedelta(days=days))[1]


def unconfirmed(scope: Scope, today: date, days: int, language: str = "ja") -> list[LoanRow]:
    """Open loans without receipt confirmation, allocated at least ``days`` days ago."""
    rows = _loan_rows(scope, today, language, "unconfirmed",
                      Allocation.allocated_at < unconfirmed_cutoff(today, days))
    return sorted(rows, key=lambda r: (r.allocated_on, r.allocation_id))


# --- by department ------------------------------------------------------------------------


@dataclass
class DepartmentFigures:
    """A department's open loans and line cost: its own, and with its sub-departments."""

    id: int | None  # None: holders without a department, or (key "unassigned") nobody
    code: str
    name: str
    depth: int
    parent_code: str | None = None
    own: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)
    children: list[DepartmentFigures] = field(default_factory=list, repr=False)

    def get(self, key: str, rolled_up: bool = True) -> int:
        return (self.total if rolled_up else self.own).get(key, 0)


FIGURES = ("devices", "lines", "loans", "unconfirmed", "overdue", "cost_lines", "cost")
NO_DEPARTMENT = "-"
UNASSIGNED = "unassigned"


def _loan_counts(scope: Scope, today: date) -> dict[int | None, dict[str, int]]:
    holder = aliased(User)
    rows = db.session.execute(
        select(holder.department_id, func.count(Allocation.device_id),
               func.count(Allocation.line_id), func.count(Allocation.id),
               func.count(Allocation.id).filter(Allocation.confirmed_at.is_(None)),
               func.count(Allocation.id).filter(Allocation.due_date < today))
        .join(holder, holder.id == Allocation.user_id)
        .where(Allocation.returned_at.is_(None), scope.holder_condition(holder.id))
        .group_by(holder.department_id)
    ).all()
    return {dept: dict(zip(("devices", "lines", "loans", "unconfirmed", "overdue"),
                           counts, strict=True))
            for dept, *counts in rows}


def _line_costs(scope: Scope) -> dict[int | None | str, dict[str, int]]:
    """Cost of the lines not cancelled, by the holder's department (or UNASSIGNED)."""
    line_loan, device_loan = aliased(Allocation), aliased(Allocation)
    line_holder, device_holder = aliased(User), aliased(User)
    rows = db.session.execute(
        select(Line.monthly_cost, line_holder.id, line_holder.department_id,
               device_holder.id, device_holder.department_id)
        .outerjoin(line_loan, and_(line_loan.line_id == Line.id,
                                   line_loan.returned_at.is_(None)))
        .outerjoin(line_holder, line_holder.id == line_loan.user_id)
        .outerjoin(device_loan, and_(device_loan.device_id == Line.device_id,
                                     device_loan.returned_at.is_(None)))
        .outerjoin(device_holder, device_holder.id == device_loan.user_id)
        .where(Line.status != "cancelled")
    ).all()
    out: dict[int | None | str, dict[str, int]] = {}
    for cost, holder_id, holder_dept, device_holder_id, device_holder_dept in rows:
        if holder_id is not None:
            key = holder_dept
        elif device_holder_id is not None:
            key = device_holder_dept
        else:
            key = UNASSIGNED
        if scope.department_ids is not None and key not in scope.department_ids:
            continue
        figures = out.setdefault(key, {"cost_lines": 0, "cost": 0})
        figures["cost_lines"] += 1
        figures["cost"] += cost or 0
    return out


def by_department(scope: Scope, today: date, language: str) -> list[DepartmentFigures]:
    """Open loans (devices, lines, unconfirmed, overdue) and monthly line cost per
    department in tree order, departments with nothing left out; then "No department" and
    "IT stock / unassigned" when the scope covers them."""
    own: dict[int | None | str, dict[str, int]] = {}
    for source in (_loan_counts(scope, today), _line_costs(scope)):
        for key, figures in source.items():
            own.setdefault(key, {}).update(figures)
    tree = [DepartmentFigures(row.id, row.code, row.name, row.depth, row.parent_code)
            for row in tree_rows(scope.department_ids, language)]
    by_code = {row.code: row for row in tree}
    for row in tree:
        if row.parent_code in by_code:
            by_code[row.parent_code].children.append(row)
    for row in reversed(tree):  # tree order reversed: children before their parents
        row.own = {key: own.get(row.id, {}).get(key, 0) for key in FIGURES}
        row.total = {key: row.own[key] + sum(c.total[key] for c in row.children)
                     for key in FIGURES}
    out = [row for row in tree if any(row.total.values())]
    extras = ((None, NO_DEPARTMENT, _l("No department")),
              (UNASSIGNED, UNASSIGNED, _l("IT stock / unassigned")))
    for key, code, label in extras:
        if key in own:
            figures = {name: own[key].get(name, 0) for name in FIGURES}
            out.append(DepartmentFigures(None, code, str(label), 0, None, figures, figures))
    return out


def top_level_total(rows: list[DepartmentFigures], key: str) -> int:
    """The sum over the top of the tree (and the extra rows): every loan or yen once."""
    return sum(row.total.get(key, 0) for row in rows if row.depth == 0)
