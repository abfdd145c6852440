"""The grouped queries behind the telework figures.

Departments and the whole office are counted from ``telework_rollup`` (month × department ×
place × slot × weekday, kept by triggers on telework_sessions: see ``rollup``), so a
12-month statistics page reads a few thousand rows instead of ~240,000 sessions at 1×
(bench/telework_stats.py). A person's own figures are counted from their sessions.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, func, select, true

from workhub.businessdays import month_bounds, month_of
from workhub.extensions import db
from workhub.telework.models import SessionRollup, TeleworkSession
from workhub.telework.rollup import ALL_DAYS, ORG

S = TeleworkSession
R = SessionRollup


@dataclass(frozen=True)
class Scope:
    """What a user may count: everything, some departments, or their own sessions."""

    kind: str  # "all" | "departments" | "self"
    user_id: int
    department_ids: frozenset[int] = frozenset()
    root_ids: tuple[int, ...] = ()  # the top of a manager's departments

    @property
    def sees_departments(self) -> bool:
        return self.kind in ("all", "departments")

    def condition(self) -> ColumnElement[bool]:
        """The WHERE clause on telework_sessions for this scope."""
        if self.kind == "all":
            return true()
        if self.kind == "departments":
            if not self.department_ids:
                return false()
            return S.department_id.in_(sorted(self.department_ids))
        return S.user_id == self.user_id

    def rollup_condition(self, *, per_department: bool = False) -> ColumnElement[bool]:
        """The same on telework_rollup (departments only: the roll-up has no people).

        Per weekday by default (the whole office reads its own buckets); with
        ``per_department``, the departments' all-weekday buckets."""
        if self.kind == "self" or (self.kind == "departments" and not self.department_ids):
            return false()
        if per_department:
            where = R.department_key >= 0 if self.kind == "all" else (
                R.department_key.in_(sorted(self.department_ids)))
            return and_(where, R.weekday == ALL_DAYS)
        if self.kind == "all":
            return R.department_key == ORG
        return and_(R.department_key.in_(sorted(self.department_ids)), R.weekday >= 0)


# --- SQL pieces ------------------------------------------------------------------------


def sum_hours() -> ColumnElement[float]:
    """Hours of the finished sessions (a running one has no end and adds nothing)."""
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite keeps timestamps as text; julianday() reads them as days.
        hours = (func.julianday(S.ended_at) - func.julianday(S.started_at)) * 24.0
        return func.coalesce(func.sum(hours), 0.0)
    # PostgreSQL adds intervals natively: convert the one sum, not every row.
    return func.coalesce(func.extract("epoch", func.sum(S.ended_at - S.started_at)) / 3600.0,
                         0.0)


def in_months(months: list[str]) -> ColumnElement[bool]:
    # A plain range on ``day`` so the index on (user_id, day) serves it.
    first, _ = month_bounds(min(months))
    _, last = month_bounds(max(months))
    return and_(S.day >= first, S.day <= last)


def _session_filters(place: str | None, slot: str | None) -> list[ColumnElement[bool]]:
    return [c for c in ((S.place == place) if place else None,
                        (S.slot == slot) if slot else None) if c is not None]


def _rollup_filters(months: list[str], place: str | None, slot: str | None) -> list:
    out = [R.month.in_(months)]
    if place:
        out.append(R.place == place)
    if slot:
        out.append(R.slot == slot)
    return out


# --- per-month figures -----------------------------------------------------------------


def by_month_weekday_place(
    scope: Scope, months: list[str], place: str | None = None, slot: str | None = None
) -> list[tuple[str, int, str, int, float]]:
    """(month, weekday 0=Monday, place, sessions, hours) rows of ``months``."""
    if not months:
        return []
    if scope.kind == "self":
        rows = db.session.execute(
            select(S.day, S.place, func.count(), sum_hours())
            .where(in_months(months), scope.condition(), *_session_filters(place, slot))
            .group_by(S.day, S.place)
        )
        return [(month_of(day), day.weekday(), where, int(n), float(hours or 0))
                for day, where, n, hours in rows if month_of(day) in months]
    rows = db.session.execute(
        select(R.month, R.weekday, R.place, func.sum(R.sessions), func.sum(R.seconds))
        .where(scope.rollup_condition(), *_rollup_filters(months, place, slot))
        .group_by(R.month, R.weekday, R.place)
    )
    return [(month, int(weekday), where, int(n), float(seconds or 0) / 3600.0)
            for month, weekday, where, n, seconds in rows]


def counts(scope: Scope, months: list[str]) -> dict[str, int]:
    """Sessions per month."""
    out = dict.fromkeys(months, 0)
    for month, _weekday, _place, n, _hours in by_month_weekday_place(scope, months):
        out[month] += n
    return out


def totals(scope: Scope, month: str) -> tuple[int, float]:
    """Sessions and hours of one month."""
    rows = by_month_weekday_place(scope, [month])
    return sum(r[3] for r in rows), sum(r[4] for r in rows)


def by_department(
    scope: Scope, months: list[str], place: str | None = None, slot: str | None = None
) -> dict[str, dict[int | None, tuple[int, float]]]:
    """{department id (None: none): (sessions, hours)} of the sessions recorded in it, per
    month."""
    out: dict[str, dict[int | None, tuple[int, float]]] = {m: {} for m in months}
    if not months or scope.kind == "self":
        return out
    rows = db.session.execute(
        select(R.month, R.department_key, func.sum(R.sessions), func.sum(R.seconds))
        .where(scope.rollup_condition(per_department=True),
               *_rollup_filters(months, place, slot))
        .group_by(R.month, R.department_key)
    )
    for month, key, n, seconds in rows:
        out[month][key or None] = (int(n), float(seconds or 0) / 3600.0)
    return out
