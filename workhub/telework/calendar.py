"""The team calendar and the iCalendar feeds of remote days.

* **Month grid.** Who is remote on which day (pending and approved bookings) in one
  department the viewer may see (``permissions.calendar_department_ids``), laid out as weeks
  from Monday to Sunday, with the public holidays named.
* **Feeds.** A secret URL per person (their own approved remote days) or per department
  (its members' approved remote days, without purpose or place note: colleagues need not know
  why). The URL is the credential: only a SHA-256 of its token is stored, it is shown once,
  and a person has at most one live URL per feed (asking for a new one revokes the old one).
  A department feed needs the right to approve that department's bookings (managers,
  delegates) or HR/administrator; the right is checked again on every fetch, so a manager
  who moves on loses the feed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from workhub.auth.services import audit
from workhub.businessdays import holiday_name, month_bounds, month_of
from workhub.clock import office_today
from workhub.database import utcnow
from workhub.errors import DomainError, Forbidden, NotFound
from workhub.extensions import db
from workhub.org.models import Department, User
from workhub.telework import permissions as perm
from workhub.telework.bookings import PLACE_LABELS, SLOT_LABELS
from workhub.telework.models import ACTIVE_BOOKING, Booking, CalendarFeed

FEED_PREFIX = "whc_"
FEED_SCOPES = ("person", "department")
# What a feed holds: the recent past (so last week's entries do not vanish) and the future
# as far as bookings can be made.
FEED_DAYS_BACK = 92
FEED_DAYS_AHEAD = 366


# --- the month grid ------------------------------------------------------------------------


@dataclass
class Entry:
    """One person's remote booking on one day."""

    booking_id: int
    name: str
    slot: str
    status: str
    own: bool


@dataclass
class DayCell:
    day: date
    in_month: bool
    today: bool
    weekend: bool
    holiday: str | None
    entries: list[Entry] = field(default_factory=list)


@dataclass
class MonthGrid:
    month: str
    first: date
    last: date
    previous_month: str | None
    next_month: str | None
    department: Department | None  # None: only the viewer's own bookings
    departments: list[Department]  # what the viewer may choose
    weeks: list[list[DayCell]]

    @property
    def remote_days(self) -> list[DayCell]:
        """The days of the month with someone remote (for a list view)."""
        return [c for week in self.weeks for c in week if c.in_month and c.entries]


def parse_month(text: str | None, today: date) -> str:
    """``"YYYY-MM"`` checked, or this month when empty; DomainError for anything else."""
    text = (text or "").strip()
    if not text:
        return month_of(today)
    try:
        return month_of(month_bounds(text)[0])
    except ValueError:
        raise DomainError(str(_l("Choose a month written YYYY-MM, for example 2026-04.")),
                          code="invalid_month", field="month") from None


def _shift(month: str, step: int) -> str | None:
    year, mon = int(month[:4]), int(month[5:]) + step
    year, mon = year + (mon - 1) // 12, (mon - 1) % 12 + 1
    return f"{year:04d}-{mon:02d}" if 2000 <= year <= 2999 else None


def visible_departments(viewer: User, today: date | None = None) -> list[Department]:
    """The departments whose calendar ``viewer`` may open, by code."""
    ids = perm.calendar_department_ids(viewer, today)
    stmt = select(Department).order_by(Department.code)
    if ids is not None:
        stmt = stmt.where(Department.id.in_(ids or [-1]))
    return list(db.session.scalars(stmt))


def month_grid(viewer: User, month: str, department_code: str | None = None, *,
               today: date | None = None, language: str = "ja") -> MonthGrid:
    """Build the calendar of ``month`` (``"YYYY-MM"``) for one department ``viewer`` may see:
    ``department_code``, else their own department, else the first they may see; with none
    at all, only the viewer's own bookings. NotFound for a department they may not see."""
    today = today or office_today()
    first, last = month_bounds(month)
    departments = visible_departments(viewer, today)
    if department_code:
        department = next((d for d in departments if d.code == department_code), None)
        if department is None:
            raise NotFound(str(_l("No such department, or not one whose calendar you may "
                                  "see.")))
    else:
        department = next((d for d in departments if d.id == viewer.department_id),
                          departments[0] if departments else None)

    start = first - timedelta(days=first.weekday())
    end = last + timedelta(days=6 - last.weekday())
    stmt = (perm.bookings_visible_to(viewer, today)
            .join(User, User.id == Booking.user_id)
            .where(Booking.status.in_(ACTIVE_BOOKING), Booking.day >= first,
                   Booking.day <= last)
            .options(joinedload(Booking.user))
            .order_by(Booking.day, User.kana, User.display_name, Booking.slot))
    if department is None:
        stmt = stmt.where(Booking.user_id == viewer.id)
    else:
        stmt = stmt.where(User.department_id == department.id, User.active.is_(True))
    by_day: dict[date, list[Entry]] = {}
    for booking in db.session.scalars(stmt):
        by_day.setdefault(booking.day, []).append(Entry(
            booking.id, booking.user.display_name, booking.slot, booking.status,
            booking.user_id == viewer.id))

    weeks: list[list[DayCell]] = []
    day = start
    while day <= end:
        if day.weekday() == 0:
            weeks.append([])
        in_month = first <= day <= last
        weeks[-1].append(DayCell(
            day, in_month, day == today, day.weekday() >= 5,
            holiday_name(day, language) if in_month else None,
            by_day.get(day, []) if in_month else []))
        day += timedelta(days=1)
    return MonthGrid(month, first, last, _shift(month, -1), _shift(month, 1), department,
                     departments, weeks)


# --- feed tokens ----------------------------------------------------------------------------


def _digest(secret: str) -> str:
    # The token is a long random string: a plain SHA-256 is enough (as for API tokens).
    return hashlib.sha256(secret.encode()).hexdigest()


def feed_departments(user: User, today: date | None = None) -> list[Department]:
    """Departments ``user`` may have a feed of: every one for HR and administrators, else
    those whose bookings they may approve (managers, delegates)."""
    if perm.is_office(user):
        return list(db.session.scalars(select(Department).order_by(Department.code)))
    ids = perm.approvable_department_ids(user, today)
    if not ids:
        return []
    return list(db.session.scalars(
        select(Department).where(Department.id.in_(ids)).order_by(Department.code)))


def may_have_department_feed(user: User, department: Department,
                             today: date | None = None) -> bool:
    """Whether ``user`` may hold a feed of ``department``'s remote days."""
    return perm.is_office(user) or department.id in perm.approvable_department_ids(user, today)


def active_feeds(owner: User) -> list[CalendarFeed]:
    """``owner``'s feeds that still work, newest first."""
    return list(db.session.scalars(
        select(CalendarFeed).where(CalendarFeed.owner_id == owner.id,
                                   CalendarFeed.revoked_at.is_(None))
        .order_by(CalendarFeed.created_at.desc(), CalendarFeed.id.desc())))


def create_feed(owner: User, *, scope: str, department: Department | None = None,
                actor: User, ip: str | None = None) -> tuple[CalendarFeed, str]:
    """Create a feed URL token for ``owner``; return ``(row, secret)`` (shown only once).

    ``scope`` is ``"person"`` (their own remote days) or ``"department"`` (``department``'s,
    see ``may_have_department_feed``). An earlier live feed of the same kind is revoked.
    """
    if actor.id != owner.id:
        raise Forbidden(str(_l("You can only create calendar feeds for yourself.")))
    if not owner.active:
        raise DomainError(str(_l("The account %(login)s is deactivated.", login=owner.login)))
    if scope not in FEED_SCOPES:
        raise DomainError(str(_l("Choose your own calendar or a department's.")), field="scope")
    if scope == "person":
        department = None
    elif department is None:
        raise DomainError(str(_l("Choose a department.")), field="department")
    elif not may_have_department_feed(owner, department):
        raise Forbidden(str(_l("You may not publish the remote days of this department.")))
    now = utcnow()
    same_kind = [CalendarFeed.owner_id == owner.id, CalendarFeed.scope == scope,
                 CalendarFeed.revoked_at.is_(None),
                 CalendarFeed.department_id == department.id if department is not None
                 else CalendarFeed.department_id.is_(None)]
    for old in db.session.scalars(select(CalendarFeed).where(*same_kind)):
        old.revoked_at = now
    secret = FEED_PREFIX + secrets.token_urlsafe(32)
    row = CalendarFeed(owner_id=owner.id, scope=scope,
                       department_id=department.id if department else None,
                       token_hash=_digest(secret), created_at=now)
    db.session.add(row)
    db.session.flush()
    audit("telework.feed_created", actor=actor, target=owner.login, ip=ip, feed_id=row.id,
          scope=scope, department=department.code if department else None)
    return row, secret


def revoke_feed(feed_id: int, *, owner: User, actor: User, ip: str | None = None
                ) -> CalendarFeed:
    """Revoke one of ``owner``'s feeds (its URL stops working at once)."""
    row = db.session.get(CalendarFeed, feed_id)
    if row is None or row.owner_id != owner.id or actor.id != owner.id:
        raise NotFound(str(_l("No such calendar feed.")))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        db.session.flush()
        audit("telework.feed_revoked", actor=actor, target=owner.login, ip=ip, feed_id=row.id)
    return row


def feed_for_token(secret: str | None) -> CalendarFeed | None:
    """The live feed of ``secret``, or None (unknown, revoked, owner deactivated, or the
    owner no longer allowed to see that department)."""
    if not secret or not secret.startswith(FEED_PREFIX) or len(secret) > 200:
        return None
    row = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == _digest(secret)))
    if row is None or row.revoked_at is not None or not row.owner.active:
        return None
    if row.scope == "department" and (
            row.department is None or not may_have_department_feed(row.owner, row.department)):
        return None
    return row


# --- the iCalendar document -----------------------------------------------------------------


def feed_language(owner: User) -> str:
    """The language of ``owner``'s feed: their own choice, else the site's."""
    return owner.language or current_app.config.get("DEFAULT_LANGUAGE", "ja")


def event_summary(booking: Booking, *, with_name: bool) -> str:
    """The event title, in the current locale: "Remote work (At home)", plus the slot for a
    half day and the person's name in a department feed."""
    place = str(PLACE_LABELS[booking.place])
    if booking.slot == "full":
        what = _("Remote work (%(place)s)", place=place)
    else:
        what = _("Remote work (%(place)s, %(slot)s)", place=place,
                 slot=str(SLOT_LABELS[booking.slot]))
    if with_name:
        return _("%(name)s: %(what)s", name=booking.user.display_name, what=what)
    return what


def _feed_bookings(feed: CalendarFeed, today: date) -> list[Booking]:
    stmt = (select(Booking).join(User, User.id == Booking.user_id)
            .where(Booking.status == "approved",
                   Booking.day >= today - timedelta(days=FEED_DAYS_BACK),
                   Booking.day <= today + timedelta(days=FEED_DAYS_AHEAD))
            .options(joinedload(Booking.user))
            .order_by(Booking.day, Booking.id))
    if feed.scope == "person":
        stmt = stmt.where(Booking.user_id == feed.owner_id)
    else:
        stmt = stmt.where(User.department_id == feed.department_id, User.active.is_(True))
    return list(db.session.scalars(stmt))


def _uid(booking: Booking) -> str:
    # Stable per booking: a calendar updates the event instead of adding a second one.
    return f"telework-booking-{booking.id}@workhub"


def build_ics(feed: CalendarFeed, *, now: datetime | None = None,
              booking_url: str | None = None) -> bytes:
    """The feed as an iCalendar document: one all-day event per approved booking, in the
    feed owner's language. A person's feed describes the purpose and place note and links
    to the booking (``booking_url`` with ``{id}``); a department feed names the people only.
    """
    now = now or utcnow()
    today = office_today(now)
    personal = feed.scope == "person"
    with force_locale(feed_language(feed.owner)):
        if personal:
            title = _("Remote work: %(name)s", name=feed.owner.display_name)
        else:
            title = _("Remote work: %(department)s",
                      department=feed.department.name(feed_language(feed.owner)))
        cal = Calendar()
        cal.add("prodid", "-//WorkHub//Telework calendar//EN")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
        cal.add("x-wr-calname", title)
        cal.add("x-published-ttl", "PT1H")
        for booking in _feed_bookings(feed, today):
            event = Event()
            event.add("uid", _uid(booking))
            event.add("dtstamp", booking.updated_at or now)
            event.add("dtstart", booking.day)
            event.add("dtend", booking.day + timedelta(days=1))
            event.add("summary", event_summary(booking, with_name=not personal))
            # Remote work does not make anyone busy: it must not block meeting planners.
            event.add("transp", "TRANSPARENT")
            if personal:
                lines = [line for line in (booking.place_note, booking.purpose) if line]
                if lines:
                    event.add("description", "\n".join(lines))
                if booking_url:
                    event.add("url", booking_url.format(id=booking.id))
            cal.add_component(event)
    return cal.to_ical()
