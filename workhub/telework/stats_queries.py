"""The grouped queries behind the telework figures, month by month, and a memory of the
months HR has closed.

Sessions of a closed month cannot be created, changed or deleted (workhub.telework.sessions),
so a closed month's figures are computed once per process and kept, keyed by the month, its
``closed_at`` (reopening and closing again gives a new key), the scope, the filter, and the
number and highest id of users and departments (deleting a person deletes their sessions;
deleting a department detaches its sessions). Open months are always counted afresh. Without
this, a 12-month statistics page scans ~240,000 sessions per request at 1× (see
bench/telework_stats.py).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy import ColumnElement, and_, event, exists, false, func, select, true
from sqlalchemy.orm import Session

from workhub.extensions import db
from workhub.org.models import Department, User
from workhub.telework.businessdays import month_bounds, month_of
from workhub.telework.models import Booking, MonthClose, TeleworkSession

S = TeleworkSession
T = TypeVar("T")


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

    @property
    def key(self) -> tuple:
        """What the counted sessions depend on (not the user, unless it is their own)."""
        return (self.kind, self.user_id if self.kind == "self" else None, self.department_ids)

    def condition(self) -> ColumnElement[bool]:
        """The WHERE clause on telework_sessions for this scope."""
        if self.kind == "all":
            return true()
        if self.kind == "departments":
            if not self.department_ids:
                return false()
            return S.department_id.in_(sorted(self.department_ids))
        return S.user_id == self.user_id


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


def in_period(first: date, last: date) -> ColumnElement[bool]:
    # A plain range on ``day`` so the indexes on (day) and (user_id, day) serve it.
    return and_(S.day >= first, S.day <= last)


def in_months(months: list[str]) -> ColumnElement[bool]:
    first, _ = month_bounds(min(months))
    _, last = month_bounds(max(months))
    return in_period(first, last)


def session_filters(place: str | None, slot: str | None) -> list[ColumnElement[bool]]:
    """WHERE clauses for a place and a slot (the slot is the booking's; none: full day)."""
    out: list[ColumnElement[bool]] = []
    if place:
        out.append(S.place == place)
    if slot == "full":
        out.append(~exists().where(Booking.id == S.booking_id, Booking.slot != "full"))
    elif slot:
        out.append(exists().where(Booking.id == S.booking_id, Booking.slot == slot))
    return out


# --- the memory of closed months -------------------------------------------------------

MAX_ENTRIES = 512
_entries: OrderedDict[tuple, object] = OrderedDict()
_lock = threading.Lock()
enabled = True


def clear_cache() -> None:
    with _lock:
        _entries.clear()


@event.listens_for(Session, "do_orm_execute")
def _forget_on_bulk_delete(state) -> None:
    # Month closes deleted in bulk (e.g. a test emptying the tables): forget everything.
    table = getattr(state.statement, "table", None)
    if state.is_delete and getattr(table, "name", None) == MonthClose.__tablename__:
        clear_cache()


def _version() -> tuple:
    return tuple(db.session.execute(select(
        select(func.count(User.id)).scalar_subquery(),
        select(func.max(User.id)).scalar_subquery(),
        select(func.count(Department.id)).scalar_subquery(),
        select(func.max(Department.id)).scalar_subquery(),
    )).one())


def per_month(
    kind: str,
    scope: Scope,
    months: list[str],
    filters: tuple,
    compute: Callable[[list[str]], dict[str, T]],
) -> dict[str, T]:
    """``compute(months)`` for the months not remembered; closed months are remembered.
    Cached values are shared: callers must not change them."""
    out: dict[str, T] = {}
    keys: dict[str, tuple] = {}
    if enabled and scope.kind != "self" and months:
        closed = dict(db.session.execute(
            select(MonthClose.month, MonthClose.closed_at).where(MonthClose.month.in_(months))
        ).all())
        version = _version() if closed else None
        with _lock:
            for month, closed_at in closed.items():
                key = (kind, month, closed_at.isoformat(), version, scope.key, filters)
                if key in _entries:
                    _entries.move_to_end(key)
                    out[month] = _entries[key]  # type: ignore[assignment]
                else:
                    keys[month] = key
    missing = [m for m in months if m not in out]
    if missing:
        fresh = compute(missing)
        with _lock:
            for month in missing:
                out[month] = fresh[month]
                if month in keys:
                    _entries[keys[month]] = fresh[month]
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
    return out


# --- per-month figures -----------------------------------------------------------------


def counts(scope: Scope, months: list[str]) -> dict[str, int]:
    """Sessions per month."""

    def compute(todo: list[str]) -> dict[str, int]:
        out = dict.fromkeys(todo, 0)
        # Grouped by day (the index order, no sort), then the days rolled into months.
        rows = db.session.execute(
            select(S.day, func.count()).where(in_months(todo), scope.condition())
            .group_by(S.day)
        )
        for day, n in rows:
            month = month_of(day)
            if month in out:
                out[month] += int(n)
        return out

    return per_month("counts", scope, months, (), compute)


def totals(scope: Scope, month: str) -> tuple[int, float]:
    """Sessions and hours of one month."""

    def compute(todo: list[str]) -> dict[str, tuple[int, float]]:
        n, hours = db.session.execute(
            select(func.count(), sum_hours()).where(in_months(todo), scope.condition())
        ).one()
        return {todo[0]: (int(n), float(hours or 0))}

    return per_month("totals", scope, [month], (), compute)[month]


def by_day_and_place(
    scope: Scope, months: list[str], place: str | None, slot: str | None
) -> dict[str, tuple[tuple[date, str, int, float], ...]]:
    """(day, place, sessions, hours) rows, per month."""

    def compute(todo: list[str]) -> dict[str, tuple]:
        rows = db.session.execute(
            select(S.day, S.place, func.count(), sum_hours())
            .where(in_months(todo), scope.condition(), *session_filters(place, slot))
            .group_by(S.day, S.place)
        )
        out: dict[str, list] = {m: [] for m in todo}
        for day, where, n, hours in rows:
            month = month_of(day)
            if month in out:
                out[month].append((day, where, int(n), float(hours or 0)))
        return {m: tuple(r) for m, r in out.items()}

    return per_month("day_place", scope, months, (place, slot), compute)


def by_department(
    scope: Scope, months: list[str], place: str | None = None, slot: str | None = None
) -> dict[str, dict[int | None, tuple[int, float]]]:
    """{department id: (sessions, hours)} of the sessions recorded in it, per month."""

    def compute(todo: list[str]) -> dict[str, dict]:
        out = {}
        for month in todo:  # one grouped query a month: months cannot be told apart after
            out[month] = {
                dept_id: (int(n), float(hours or 0))
                for dept_id, n, hours in db.session.execute(
                    select(S.department_id, func.count(), sum_hours())
                    .where(in_months([month]), scope.condition(),
                           *session_filters(place, slot))
                    .group_by(S.department_id)
                )
            }
        return out

    return per_month("department", scope, months, (place, slot), compute)
