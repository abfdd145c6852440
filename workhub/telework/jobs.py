"""Periodic telework jobs: reminders to approvers and to people with a remote day but no
session yet, and the monthly summary to HR; plus the approvals section of the daily digest.

Each job is safe to run twice: a person already told today (or, for the summary, about
that month) is skipped, judged by their Notification rows. Mail opt-out is honoured by
``notify`` (these mails are not essential); the in-app notification is always kept.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import exists, func, select

from workhub.businessdays import is_business_day, month_bounds, month_of
from workhub.clock import office_today, office_zone
from workhub.database import utcnow
from workhub.extensions import db
from workhub.jobs.builtin import digest_section
from workhub.jobs.registry import handler, periodic
from workhub.notify.models import Notification
from workhub.notify.services import notified_on, notify, page_path, user_language
from workhub.org.models import User, UserRole
from workhub.telework.models import Booking, TeleworkSession
from workhub.telework.months import check_month
from workhub.telework.permissions import approvable_department_ids, approvers_for

APPROVAL_EVENT = "telework.approval_reminder"
SESSION_EVENT = "telework.session_reminder"
SUMMARY_EVENT = "telework.monthly_summary"
# Afternoon bookings are reminded this long after the configured reminder time.
AFTERNOON_SHIFT = timedelta(hours=4)

periodic("telework_approval_reminder", "telework.approval_reminder", "30 8 * * 1-5",
         label=_l("Telework: remind approvers of pending bookings"))
periodic("telework_session_reminder", "telework.session_reminder", "*/15 6-21 * * *",
         label=_l("Telework: remind people to record today's session"))
periodic("telework_monthly_summary", "telework.monthly_summary", "0 8 1 * *",
         label=_l("Telework: monthly summary to HR"))


# --- pending approvals -----------------------------------------------------------------------


def pending_approval_count(user: User, today: date | None = None,
                           department_ids: set[int] | None = None) -> int:
    """Pending bookings from ``today`` on that ``user`` may decide as manager or delegate
    (never their own; administrators are the fallback and are not counted).
    ``department_ids``: ``approvable_department_ids(user)`` when the caller has it."""
    today = today or office_today()
    ids = approvable_department_ids(user, today) if department_ids is None else department_ids
    if not ids:
        return 0
    return db.session.scalar(
        select(func.count(Booking.id)).join(User, User.id == Booking.user_id).where(
            Booking.status == "pending", Booking.day >= today, Booking.user_id != user.id,
            User.department_id.in_(ids))
    ) or 0


@digest_section(_l("Telework approvals"))
def approvals_digest(user: User) -> list:
    """The digest line for approvers: how many bookings wait for them."""
    today = office_today()
    count = pending_approval_count(user, today, approvable_department_ids(user, today))
    if not count:
        return []
    return [lazy_ngettext("%(num)d booking is waiting for your approval.",
                          "%(num)d bookings are waiting for your approval.", count)]


@handler("telework.approval_reminder", max_attempts=2,
         label=_l("Telework: remind approvers of pending bookings"))
def approval_reminder(job, ctx):
    """Tell each approver (managers and delegates) how many bookings wait for them."""
    today = office_today()
    if not is_business_day(today):
        return {"skipped": "not a business day"}
    pending = db.session.scalars(
        select(Booking).where(Booking.status == "pending", Booking.day >= today)
    ).all()
    counts: dict[int, int] = {}
    approvers: dict[int, User] = {}
    by_owner: dict[int, list[User]] = {}
    for booking in pending:
        if booking.user_id not in by_owner:
            by_owner[booking.user_id] = approvers_for(booking.user, today)
        for person in by_owner[booking.user_id]:
            approvers[person.id] = person
            counts[person.id] = counts.get(person.id, 0) + 1
    told = notified_on(APPROVAL_EVENT, today)
    url = page_path("telework_bookings.approvals", "telework_stats.dashboard")
    reminded = 0
    for user_id, count in sorted(counts.items()):
        if user_id in told:
            continue
        notify(approvers[user_id], APPROVAL_EVENT, "telework_reminder_approvals", url=url,
               count=count)
        reminded += 1
    db.session.flush()
    return {"pending": len(pending), "reminded": reminded}


# --- no session yet --------------------------------------------------------------------------


def _reminder_time() -> time:
    hour, minute = current_app.config.get("TELEWORK_SESSION_REMINDER_TIME", "10:00").split(":")
    return time(int(hour), int(minute))


def _due_slots(local_now: datetime) -> list[str]:
    """Slots whose people should have started by now: full and morning days from the
    reminder time, afternoon days AFTERNOON_SHIFT later."""
    first = datetime.combine(local_now.date(), _reminder_time(), tzinfo=local_now.tzinfo)
    slots = []
    if local_now >= first:
        slots += ["full", "am"]
    if local_now >= first + AFTERNOON_SHIFT and (first + AFTERNOON_SHIFT).date() == first.date():
        slots.append("pm")
    return slots


@handler("telework.session_reminder", max_attempts=2,
         label=_l("Telework: remind people to record today's session"))
def session_reminder(job, ctx):
    """Remind people with an approved booking today but no session by the reminder time."""
    local_now = utcnow().astimezone(office_zone())
    today = local_now.date()
    slots = _due_slots(local_now)
    if not slots:
        return {"skipped": "before the reminder time"}
    has_session = exists().where(TeleworkSession.user_id == Booking.user_id,
                                 TeleworkSession.day == today)
    bookings = db.session.scalars(
        select(Booking).join(User, User.id == Booking.user_id).where(
            Booking.day == today, Booking.status == "approved", Booking.slot.in_(slots),
            User.active.is_(True), ~has_session,
        ).order_by(Booking.user_id, Booking.slot)
    ).all()
    told = notified_on(SESSION_EVENT, today)
    url = page_path("telework_sessions.sessions", "telework_stats.dashboard")
    reminded = 0
    for booking in bookings:
        if booking.user_id in told:
            continue
        told.add(booking.user_id)
        notify(booking.user, SESSION_EVENT, "telework_reminder_session", url=url, day=today,
               slot=booking.slot, place=booking.place)
        reminded += 1
    db.session.flush()
    return {"due_slots": slots, "reminded": reminded}


# --- the month to HR -------------------------------------------------------------------------


def _previous_month(today: date) -> str:
    return month_of(today.replace(day=1) - timedelta(days=1))


@handler("telework.monthly_summary", max_attempts=2, label=_l("Telework: monthly summary to HR"))
def monthly_summary(job, ctx):
    """Mail HR the sessions of the month just ended (or ``payload["month"]``) against the
    targets, once per person and month."""
    from workhub.telework import stats

    today = office_today()
    month = check_month(job.payload.get("month") or _previous_month(today))
    if month_bounds(month)[1] >= today:
        return {"skipped": f"{month} has not ended yet"}
    event = f"{SUMMARY_EVENT}:{month}"
    told = set(db.session.scalars(select(Notification.user_id)
                                  .where(Notification.event == event)))
    hr = db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "hr", User.active.is_(True)).order_by(User.login)
    ).all()
    reminded = 0
    summary = None
    url = page_path("telework_stats.statistics")
    for person in hr:
        if person.id in told:
            continue
        scope = stats.Scope("all", person.id)
        summary = summary or stats.month_summary(scope, month, today)
        departments = [row for row in stats.departments_for(scope, [month], user_language(person))
                       if row.id is not None and (row.depth == 0 or row.target is not None)]
        notify(person, event, "telework_monthly_summary", url=url, month=month,
               summary=summary, departments=departments)
        reminded += 1
    db.session.flush()
    return {"month": month, "reminded": reminded}
