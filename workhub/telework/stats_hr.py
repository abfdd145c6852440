"""HR statistics: filters (period, department subtree, place, slot) and the breakdowns by
month, weekday, place and department. Read-only; the rules of counting are in ``stats``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from workhub.businessdays import month_bounds, month_of
from workhub.errors import DomainError, Forbidden
from workhub.extensions import db
from workhub.org.models import Department, subtree_ids
from workhub.telework import stats
from workhub.telework import stats_queries as q
from workhub.telework.models import PLACES, SLOTS
from workhub.telework.stats import DepartmentRow, Scope

DEFAULT_PERIOD_MONTHS = 12


class FilterError(DomainError):
    """A statistics filter that cannot be used; ``field`` names the control."""

    code = "invalid_filter"


@dataclass(frozen=True)
class StatsFilter:
    """A checked filter: the months, and optionally a department subtree, place and slot."""

    first_month: str
    last_month: str
    department_code: str | None = None
    place: str | None = None
    slot: str | None = None

    @property
    def months(self) -> list[str]:
        return stats.months_between(self.first_month, self.last_month)

    def args(self) -> dict[str, str]:
        """The filter as query arguments (for export and chart links)."""
        out = {"from": self.first_month, "to": self.last_month}
        for key, value in (("department", self.department_code), ("place", self.place),
                           ("slot", self.slot)):
            if value:
                out[key] = value
        return out


def _month(raw: str | None, default: str, what: str, field_name: str) -> str:
    raw = (raw or "").strip()
    if not raw:
        return default
    try:
        first, _last = month_bounds(raw)
    except ValueError:
        raise FilterError(
            str(_l("%(what)s must be a month written YYYY-MM, for example 2026-04.", what=what)),
            field=field_name,
        ) from None
    return month_of(first)


def parse_filter(
    scope: Scope,
    today: date,
    *,
    from_month: str | None = None,
    to_month: str | None = None,
    department: str | None = None,
    place: str | None = None,
    slot: str | None = None,
) -> tuple[StatsFilter, Scope]:
    """Check a filter from a form or a URL; return it and the scope it narrows to.

    The period defaults to the 12 months up to this one. Raise FilterError (400) for a
    malformed or impossible value and Forbidden for a department outside ``scope``."""
    last_default = month_of(today)
    last = _month(to_month, last_default, _l("The end month"), "to")
    first = _month(from_month, stats.shift_month(last, 1 - DEFAULT_PERIOD_MONTHS),
                   _l("The start month"), "from")
    if first > last:
        raise FilterError(str(_l("The start month must not be after the end month.")),
                          field="from")
    if len(stats.months_between(first, last)) > stats.MAX_PERIOD_MONTHS:
        raise FilterError(
            str(_l("Choose a period of %(n)d months at most.", n=stats.MAX_PERIOD_MONTHS)),
            field="from",
        )
    place = (place or "").strip() or None
    if place is not None and place not in PLACES:
        raise FilterError(str(_l("Choose a place from the list.")), field="place")
    slot = (slot or "").strip() or None
    if slot is not None and slot not in SLOTS:
        raise FilterError(str(_l("Choose a slot from the list.")), field="slot")
    code = (department or "").strip() or None
    narrowed = scope
    if code is not None:
        dept_id = db.session.scalar(select(Department.id).where(Department.code == code))
        if dept_id is None:
            raise FilterError(str(_l("There is no department with code %(code)s.",
                                     code=code[:32])), field="department")
        if scope.kind == "departments" and dept_id not in scope.department_ids:
            raise Forbidden(str(_l("You can see the statistics of your own departments only.")),
                            field="department")
        if scope.kind == "self":
            raise Forbidden(str(_l("You can see your own figures only.")), field="department")
        narrowed = Scope("departments", scope.user_id, frozenset(subtree_ids([dept_id])),
                         (dept_id,))
    return StatsFilter(first, last, code, place, slot), narrowed


@dataclass
class Figure:
    """Sessions and hours under one key (a month, a weekday 0=Monday, a place)."""

    key: object
    count: int = 0
    hours: float = 0.0
    target: int | None = None


@dataclass
class Statistics:
    filter: StatsFilter
    count: int = 0
    hours: float = 0.0
    target: int | None = None
    by_month: list[Figure] = field(default_factory=list)
    by_weekday: list[Figure] = field(default_factory=list)
    by_place: list[Figure] = field(default_factory=list)
    by_department: list[DepartmentRow] = field(default_factory=list)

    @property
    def achievement(self) -> float | None:
        return 100.0 * self.count / self.target if self.target else None


def statistics(
    scope: Scope, flt: StatsFilter, language: str, *, departments: bool = True
) -> Statistics:
    """The figures of ``flt`` within ``scope`` (the narrowed scope from ``parse_filter``).

    Two grouped queries on the roll-up: per (month, weekday, place) and per department
    (skipped with ``departments=False``, e.g. for a chart that needs none)."""
    months = flt.months
    rows = q.by_month_weekday_place(scope, months, flt.place, flt.slot)
    targets = stats.targets_for(scope, months)
    by_month = {m: Figure(m, target=targets.get(m)) for m in months}
    by_weekday = {d: Figure(d) for d in range(7)}
    by_place = {p: Figure(p) for p in PLACES}
    result = Statistics(flt)
    for month, weekday, place, n, hours in rows:
        for figure in (by_month[month], by_weekday[weekday], by_place[place]):
            figure.count += n
            figure.hours += hours
        result.count += n
        result.hours += hours
    result.target = sum(targets.values()) if targets else None
    result.by_month = list(by_month.values())
    result.by_weekday = list(by_weekday.values())
    result.by_place = list(by_place.values())
    if departments:
        result.by_department = [
            row for row in stats.departments_for(scope, months, language, flt.place, flt.slot)
            if row.actual or row.target is not None
        ]
    return result


