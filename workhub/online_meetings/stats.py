"""The monthly figure of online meetings, the plan's second number beside telework: online
meetings held per month (a meeting with an online tool whose start has come), their hours
(start to end, for meetings with an end) and participants (the people listed on them, staff
and external), in total and by department and by tool.

Months are the office's (Asia/Tokyo). Figures are read from the meetings themselves: a
city office holds hundreds a month, not millions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from workhub.businessdays import month_bounds, month_of
from workhub.clock import day_bounds, office_today, office_zone
from workhub.database import utcnow
from workhub.exports_common import Table
from workhub.extensions import db
from workhub.meetings.models import Meeting, MeetingParticipant
from workhub.org.models import Department

VIEW_ROLES = ("hr", "it_admin", "admin")


@dataclass
class Figure:
    """Online meetings of one month (and one department or tool)."""

    key: str
    meetings: int = 0
    seconds: float = 0.0
    participants: int = 0

    @property
    def hours(self) -> float:
        return round(self.seconds / 3600, 1)

    def add(self, seconds: float, participants: int) -> None:
        self.meetings += 1
        self.seconds += seconds
        self.participants += participants


@dataclass
class MonthFigures:
    month: str
    total: Figure
    by_department: list[Figure] = field(default_factory=list)
    by_tool: list[Figure] = field(default_factory=list)


def months_back(end: str, count: int) -> list[str]:
    """``count`` months up to ``end`` ("YYYY-MM"), oldest first."""
    first, _last = month_bounds(end)
    out = []
    for _ in range(count):
        out.append(month_of(first))
        first = (first - timedelta(days=1)).replace(day=1)
    return out[::-1]


def _held(first: date, last: date):
    """Online meetings whose start lies in [first, last] (office days) and has come."""
    start, _ = day_bounds(first)
    _, end = day_bounds(last)
    people = (select(MeetingParticipant.meeting_id, func.count().label("n"))
              .group_by(MeetingParticipant.meeting_id).subquery())
    stmt = (select(Meeting.starts_at, Meeting.ends_at, Meeting.online_tool,
                   Department.name_ja, func.coalesce(people.c.n, 0))
            .outerjoin(people, people.c.meeting_id == Meeting.id)
            .outerjoin(Department, Department.id == Meeting.department_id)
            .where(Meeting.online_tool != "none", Meeting.starts_at >= start,
                   Meeting.starts_at < min(end, utcnow())))
    return db.session.execute(stmt)


def figures(months: list[str]) -> dict[str, MonthFigures]:
    """The figures of each of ``months`` (consecutive, oldest first)."""
    first, _ = month_bounds(months[0])
    _, last = month_bounds(months[-1])
    totals = {m: Figure(m) for m in months}
    departments: dict[str, dict[str, Figure]] = defaultdict(dict)
    tools: dict[str, dict[str, Figure]] = defaultdict(dict)
    zone = office_zone()
    for starts_at, ends_at, tool, department, participants in _held(first, last):
        month = month_of(starts_at.astimezone(zone).date())
        if month not in totals:
            continue
        seconds = (ends_at - starts_at).total_seconds() if ends_at else 0.0
        totals[month].add(seconds, participants)
        name = department or "—"
        departments[month].setdefault(name, Figure(name)).add(seconds, participants)
        tools[month].setdefault(tool, Figure(tool)).add(seconds, participants)

    def ranked(found: dict[str, Figure]) -> list[Figure]:
        return sorted(found.values(), key=lambda f: (-f.meetings, f.key))

    return {m: MonthFigures(m, totals[m], ranked(departments[m]), ranked(tools[m]))
            for m in months}


def current_month() -> str:
    return month_of(office_today())


def tables(month: str, year: dict[str, MonthFigures], tool_labels: dict,
           labels: dict) -> list[Table]:
    """The export: the twelve months, then the month by department and by tool."""
    head = [labels["meetings"], labels["hours"], labels["participants"]]

    def row(figure: Figure, name: str) -> list[object]:
        return [name, figure.meetings, figure.hours, figure.participants]

    chosen = year[month]
    return [
        Table("months", labels["months"], [labels["month"], *head],
              [row(f.total, f.month) for f in year.values()]),
        Table("departments", labels["departments"], [labels["department"], *head],
              [row(f, f.key) for f in chosen.by_department]),
        Table("tools", labels["tools"], [labels["tool"], *head],
              [row(f, str(tool_labels.get(f.key, f.key))) for f in chosen.by_tool]),
    ]
