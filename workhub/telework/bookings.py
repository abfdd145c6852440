"""Remote-day bookings: plan the days and check the rules (decisions are in decisions.py).

Decisions recorded here (the views and the API rely on them):

* **Days.** A request is one date, a range (``end``, at most 31 days) or a weekly pattern
  (``weeks``: the days from ``start`` to ``end`` repeated for 1–26 weeks). Ranges and
  patterns skip weekends and public holidays and report them in ``skipped``. A single date
  that is a weekend or holiday is refused (rules ``weekend`` / ``holiday``).
* **Counting for the limits.** Any live (pending or approved) booking on a day counts that
  day once, whatever its slot: two half days on one day are one day, a morning on Monday
  and an afternoon on Tuesday are two. Weeks are ISO weeks (Monday to Sunday), months are
  calendar months, and the new days count together with the ones already booked.
* **All or nothing.** If any day breaks a rule the whole request is refused with a
  ``RuleViolation`` naming the rule and the first day concerned; nothing is written.
* **Override.** HR or an administrator booking *for someone else* may let a request through
  the rules ``deadline``, ``weekend``, ``holiday``, ``max_days_per_week`` and
  ``max_days_per_month`` by giving a reason: the bookings keep the reason and the override is
  audited as ``telework.override``. An overlap is never overridden (a person cannot be
  remote twice in the same slot). Approval still follows the policy.
* **Share warning.** The share is counted among the active members of the owner's own
  department (not its subtree): people with a live booking that day, the owner included.
* **Approval.** When the policy needs none the booking is approved at once: its history
  then starts with a single event from nothing to ``approved``.
* **Cancel.** See ``permissions`` (pending: any time; an approved day that is over, or that
  a session was recorded against, only by HR or an administrator, audited).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from workhub.auth.services import audit
from workhub.businessdays import holiday_name, is_business_day
from workhub.clock import office_today
from workhub.database import utcnow
from workhub.errors import DomainError, Forbidden
from workhub.extensions import db
from workhub.locking import lock_row
from workhub.notify.services import notify
from workhub.org.models import User
from workhub.telework import permissions as perm
from workhub.telework.errors import RuleViolation, Violation
from workhub.telework.models import ACTIVE_BOOKING, PLACES, SLOTS, Booking, BookingEvent
from workhub.telework.policy import booking_deadline, effective_policy
from workhub.validation import clean_text

MAX_RANGE_DAYS = 31
MAX_WEEKS = 26
MAX_DAYS_AHEAD = 366
OVERRIDABLE = ("deadline", "weekend", "holiday", "max_days_per_week", "max_days_per_month")

# Where notifications point; the views mount the pages at these paths.
APPROVALS_URL = "/telework/approvals"
MY_BOOKINGS_URL = "/telework/bookings"
BOOKING_URL = "/telework/bookings/{id}"

SLOT_LABELS = {"full": _l("Full day"), "am": _l("Morning"), "pm": _l("Afternoon")}
# "At home", not "Home": the catalogue already has "Home" for the home page.
PLACE_LABELS = {"home": _l("At home"), "satellite": _l("Satellite office"),
                "other": _l("Other place")}
STATUS_LABELS = {"pending": _l("Pending"), "approved": _l("Approved"),
                 "rejected": _l("Rejected"), "cancelled": _l("Cancelled")}


class SkippedDay(NamedTuple):
    """A day of a range left out: ``kind`` is ``"weekend"`` or ``"holiday"``; ``reason``
    is what to show (the holiday's name, or "Weekend")."""

    day: date
    reason: str
    kind: str


@dataclass(frozen=True)
class Notice:
    """A warning that does not refuse the request (``code``: ``share``, ``no_approver``)."""

    code: str
    message: str
    day: date | None = None


@dataclass
class BookingResult:
    created: list[Booking]
    skipped: list[SkippedDay] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)
    overridden: list[Violation] = field(default_factory=list)


def _check_date(value, what: str, name: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise DomainError(str(_l("%(what)s must be a date.", what=what)), field=name)
    return value


def plan_days(start: date, end: date | None = None, weeks: int | None = None, *,
              weekdays=None, language: str = "ja") -> tuple[list[date], list[SkippedDay]]:
    """Expand a request into its business days; return ``(days, skipped)``.

    ``end`` makes a range (both ends included, at most 31 days). ``weeks`` repeats the
    days from ``start`` to ``end`` (one week at most) for that many weeks (1–26).
    ``weekdays`` (0 = Monday … 6 = Sunday) keeps only those days of the week. Weekends and
    public holidays go to ``skipped`` with a reason in ``language``.
    """
    start = _check_date(start, _l("The first day"), "start")
    last = start if end is None else _check_date(end, _l("The last day"), "end")
    if last < start:
        raise DomainError(str(_l("The last day is before the first day.")), field="end")
    span = (last - start).days + 1
    if weeks is None:
        if span > MAX_RANGE_DAYS:
            raise DomainError(str(_l("A range covers at most %(n)d days.", n=MAX_RANGE_DAYS)),
                              field="end")
        candidates = [start + timedelta(days=i) for i in range(span)]
    else:
        if isinstance(weeks, bool) or not isinstance(weeks, int) or not 1 <= weeks <= MAX_WEEKS:
            raise DomainError(str(_l("The number of weeks must be between 1 and %(n)d.",
                                     n=MAX_WEEKS)), field="weeks")
        if span > 7:
            raise DomainError(str(_l("A weekly pattern covers at most one week.")), field="end")
        candidates = [start + timedelta(days=7 * w + i) for w in range(weeks) for i in range(span)]
    if weekdays is not None:
        wanted = set(weekdays)
        if not wanted or not wanted <= set(range(7)):
            raise DomainError(str(_l("Choose days of the week between Monday and Sunday.")),
                              field="weekdays")
        candidates = [d for d in candidates if d.weekday() in wanted]
    days: list[date] = []
    skipped: list[SkippedDay] = []
    for day in candidates:
        if is_business_day(day):
            days.append(day)
        elif day.weekday() >= 5:
            skipped.append(SkippedDay(day, str(_l("Weekend")), "weekend"))
        else:
            skipped.append(SkippedDay(day, holiday_name(day, language) or "", "holiday"))
    return days, skipped


def _live_days(user: User, first: date, last: date) -> dict[date, set[str]]:
    """The slots of ``user``'s live bookings per day between ``first`` and ``last``."""
    rows = db.session.execute(
        select(Booking.day, Booking.slot).where(
            Booking.user_id == user.id, Booking.status.in_(ACTIVE_BOOKING),
            Booking.day >= first, Booking.day <= last,
        )
    ).all()
    out: dict[date, set[str]] = {}
    for day, slot in rows:
        out.setdefault(day, set()).add(slot)
    return out


def _limit_violations(days, booked, limit, key, code, message) -> list[Violation]:
    """Refuse every period (week or month) whose distinct remote days would pass ``limit``."""
    if limit is None:
        return []
    out = []
    for period in sorted({key(d) for d in days}):
        new = [d for d in days if key(d) == period]
        total = len({d for d in booked if key(d) == period} | set(new))
        if total > limit:
            out.append(Violation(code, str(message(new[0], limit, total)), new[0]))
    return out


def _rule_violations(user: User, days: list[date], slot: str, policy, now: datetime
                     ) -> list[Violation]:
    today = office_today(now)
    out: list[Violation] = []
    first = min(min(days) - timedelta(days=days[0].weekday()), min(days).replace(day=1))
    last = max(days) + timedelta(days=38)  # covers the last day's week and month
    booked = _live_days(user, first, last)
    for day in days:
        if day < today:
            out.append(Violation("deadline", str(_l(
                "%(day)s is in the past: remote days are booked in advance.",
                day=day.isoformat())), day))
        elif booking_deadline(day, policy) < now:
            deadline = booking_deadline(day, policy)
            out.append(Violation("deadline", str(_l(
                "The booking deadline for %(day)s was %(deadline)s.", day=day.isoformat(),
                deadline=deadline.strftime("%Y-%m-%d %H:%M"))), day))
        slots = booked.get(day, set())
        if slots and ("full" in slots or slot == "full" or slot in slots):
            out.append(Violation("overlap", str(_l(
                "There is already a remote-work booking on %(day)s that overlaps this one.",
                day=day.isoformat())), day))
    out += _limit_violations(
        days, booked, policy.max_days_per_week, lambda d: d.isocalendar()[:2],
        "max_days_per_week",
        lambda d, n, total: _l("At most %(n)d remote days a week are allowed; the week of "
                               "%(day)s would have %(total)d.", n=n, day=d.isoformat(),
                               total=total))
    out += _limit_violations(
        days, booked, policy.max_days_per_month, lambda d: (d.year, d.month),
        "max_days_per_month",
        lambda d, n, total: _l("At most %(n)d remote days a month are allowed; the month of "
                               "%(day)s would have %(total)d.", n=n, day=d.isoformat(),
                               total=total))
    return sorted(out, key=lambda v: (v.day, v.code))


def _share_warnings(user: User, days: list[date], percent: int | None) -> list[Notice]:
    """Warn about days when more than ``percent`` % of the department would be remote."""
    if percent is None or user.department_id is None:
        return []
    members = db.session.scalar(select(func.count(User.id)).where(
        User.department_id == user.department_id, User.active.is_(True))) or 0
    if not members:
        return []
    rows = db.session.execute(
        select(Booking.day, Booking.user_id).join(User, User.id == Booking.user_id).where(
            User.department_id == user.department_id, User.active.is_(True),
            Booking.status.in_(ACTIVE_BOOKING), Booking.day.in_(days),
        ).distinct()
    ).all()
    remote: dict[date, set[int]] = {day: {user.id} for day in days}
    for day, user_id in rows:
        remote[day].add(user_id)
    out = []
    for day in days:
        share = 100 * len(remote[day]) / members
        if share > percent:
            out.append(Notice("share", str(_l(
                "On %(day)s, %(count)d of %(members)d people of the department would be "
                "remote (more than %(percent)d %%).", day=day.isoformat(),
                count=len(remote[day]), members=members, percent=percent)), day))
    return out


def _check_actor(user: User, actor: User, override_reason: str | None) -> None:
    if actor.id != user.id and not perm.is_office(actor):
        raise Forbidden(str(_l("You can only book remote days for yourself.")))
    if override_reason is not None:
        if not perm.is_office(actor):
            raise Forbidden(str(_l("Only HR or an administrator may override booking rules.")),
                            code="override_forbidden")
        if actor.id == user.id:
            raise Forbidden(str(_l("Rules cannot be overridden for your own bookings.")),
                            code="override_forbidden")


def create_bookings(user: User, *, start: date, end: date | None = None,
                    weeks: int | None = None, slot: str = "full", place: str = "home",
                    place_note: str | None = None, purpose: str | None = None, actor: User,
                    override_reason: str | None = None, weekdays=None,
                    now: datetime | None = None, language: str = "ja") -> BookingResult:
    """Book remote days for ``user`` (one date, a range or a weekly pattern, see
    ``plan_days``), checking every rule first: all days are booked or none.

    ``actor`` is who asks: ``user`` themself, or HR / an administrator acting for them, who
    may add ``override_reason`` to let the request through the overridable rules. ``now``
    defaults to the current time; ``language`` is for holiday names in notices.

    Returns the created bookings, the skipped days and warnings (``share`` when more than
    the policy's share of the department would be remote on a day, ``no_approver``).
    Raises DomainError for bad input, Forbidden when ``actor`` may not book for ``user`` or
    override, RuleViolation (422, ``code`` = the rule) when a day breaks a rule.
    Notifies the approvers of new pending bookings (one message per request).
    """
    now = now or utcnow()
    today = office_today(now)
    if slot not in SLOTS:
        raise DomainError(str(_l("Choose a full day, morning or afternoon.")), field="slot")
    if place not in PLACES:
        raise DomainError(str(_l("Choose home, a satellite office or another place.")),
                          field="place")
    place_note = clean_text(place_note, _l("Place note"), 200, required=place == "other",
                            name="place_note")
    purpose = clean_text(purpose, _l("Purpose"), 500, multiline=True, name="purpose")
    override_reason = clean_text(override_reason, _l("Reason for the override"), 500,
                                 multiline=True, name="override_reason")
    _check_actor(user, actor, override_reason)
    if not user.active:
        raise DomainError(str(_l("The account %(login)s is deactivated.", login=user.login)))
    days, skipped = plan_days(start, end, weeks, weekdays=weekdays, language=language)
    single = end is None and weeks is None
    violations: list[Violation] = []
    if single and skipped:
        kind = skipped[0].kind
        message = (_l("%(day)s is a weekend day.", day=start.isoformat()) if kind == "weekend"
                   else _l("%(day)s is a public holiday (%(name)s).", day=start.isoformat(),
                           name=skipped[0].reason))
        violations.append(Violation(kind, str(message), start))
        days, skipped = [start], []
    if not days:
        raise RuleViolation(str(_l("The chosen days are all weekends or public holidays.")),
                            code="no_business_day", day=start)
    if max(days) > today + timedelta(days=MAX_DAYS_AHEAD):
        raise DomainError(str(_l("Remote days can be booked at most %(n)d days ahead.",
                                 n=MAX_DAYS_AHEAD)), field="start")

    # Lock the person's row so two requests at once cannot both pass the limits.
    lock_row(User, user.id)
    policy = effective_policy(user)
    violations = sorted(violations + _rule_violations(user, days, slot, policy, now),
                        key=lambda v: (v.day, v.code))
    blocking = [v for v in violations if v.code not in OVERRIDABLE]
    if violations and override_reason is None:
        raise RuleViolation.from_violations(violations)
    if blocking:  # an override does not lift these: name them first
        raise RuleViolation.from_violations(
            blocking + [v for v in violations if v not in blocking])
    overridden = violations

    status = "pending" if policy.approval_required else "approved"
    series = str(uuid.uuid4()) if len(days) > 1 else None
    created = []
    try:
        with db.session.begin_nested():
            for day in days:
                booking = Booking(
                    user_id=user.id, day=day, slot=slot, place=place, place_note=place_note,
                    purpose=purpose, status=status, series_id=series,
                    override_reason=override_reason if overridden else None,
                    decided_at=now if status == "approved" else None,
                )
                BookingEvent(booking=booking, actor_id=actor.id, from_status=None,
                             to_status=status, at=now,
                             comment=override_reason if overridden else None)
                db.session.add(booking)
                created.append(booking)
            db.session.flush()
    except IntegrityError as exc:
        # Another request booked the same slot between our check and our write.
        raise RuleViolation(str(_l("There is already a remote-work booking on one of these "
                                   "days that overlaps this one.")), code="overlap") from exc

    if overridden:
        audit("telework.override", actor=actor, target=user.login, reason=override_reason,
              rules=[{"code": v.code, "day": v.day.isoformat()} for v in overridden],
              booking_ids=[b.id for b in created])
    warnings = _share_warnings(user, days, policy.warn_share_percent)
    if status == "pending":
        approvers = perm.approvers_for(user, today)
        if not approvers:
            warnings.append(Notice("no_approver", str(_l(
                "Nobody can approve these bookings yet (your department has no manager or "
                "delegate); an administrator will have to."))))
        for approver in approvers:
            notify(approver, "telework.booking_requested", "telework_booking_requested",
                   url=APPROVALS_URL, essential=True, owner=user, bookings=created,
                   purpose=purpose, **notice_labels())
    return BookingResult(created, skipped, warnings, overridden)


def notice_labels() -> dict:
    """The labels the booking notices and mails show (slots and places)."""
    return {"slots": SLOT_LABELS, "places": PLACE_LABELS}
