"""Who may see, approve and cancel bookings and see sessions; scoped list queries.

The one place for these rules: views, the API, jobs and statistics all ask here.

* **Approving** is for the managers of the owner's department (a manager manages their own
  department's subtree, see ``User.managed_department_ids``) and for approval delegates of
  that department or an ancestor (``ApprovalDelegate``; ``until`` is the last day included).
  Administrators may approve too, as the way out when a department has no manager. HR may
  override booking rules (see ``bookings.create_bookings``) but does not approve. Nobody
  approves their own booking, whatever their roles.
* **Seeing a booking**: the owner, HR and administrators, whoever may approve it, and the
  colleagues of the same department (for the team calendar: who, which day, which slot).
  The details (purpose, place note, history) are for ``can_view_booking_details``.
* **Cancelling** (``can_cancel_booking``): the owner, whoever may approve it, HR and
  administrators, while the booking is pending or approved. A pending booking can always be
  withdrawn. An approved day that is over, or that a session was recorded against, is
  history: only HR or an administrator may cancel it (to correct a mistake).
* **Sessions** (work reports) are more private than bookings: the owner, the managers of
  the session's department, HR and administrators.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, exists, false, or_, select

from workhub.clock import office_today
from workhub.extensions import db
from workhub.org.models import User, UserRole, subtree_ids
from workhub.telework.models import ApprovalDelegate, Booking, TeleworkSession

OFFICE_ROLES = ("hr", "admin")


def _active(user: User | None) -> bool:
    return user is not None and bool(getattr(user, "active", False))


def is_office(user: User | None) -> bool:
    """HR or an administrator: sees everything, may override rules and correct history."""
    return _active(user) and user.has_role(*OFFICE_ROLES)


def delegated_department_ids(user: User, today: date | None = None) -> set[int]:
    """Departments (with their subtrees) ``user`` is an approval delegate for today."""
    today = today or office_today()
    roots = db.session.scalars(
        select(ApprovalDelegate.department_id).where(
            ApprovalDelegate.user_id == user.id,
            or_(ApprovalDelegate.until.is_(None), ApprovalDelegate.until >= today),
        )
    ).all()
    return subtree_ids(list(roots))


def approvable_department_ids(user: User, today: date | None = None) -> set[int]:
    """Departments whose members' bookings ``user`` may approve as manager or delegate."""
    if not _active(user):
        return set()
    return user.managed_department_ids() | delegated_department_ids(user, today)


def may_approve_any(user: User | None, today: date | None = None) -> bool:
    """Whether ``user`` may decide on anybody's bookings (admin, manager or delegate)."""
    if not _active(user):
        return False
    return user.has_role("admin") or bool(approvable_department_ids(user, today))


def can_approve(user: User | None, booking: Booking, today: date | None = None) -> bool:
    """Whether ``user`` may approve or reject ``booking`` (whatever its status)."""
    if not _active(user) or user.id == booking.user_id:
        return False
    if user.has_role("admin"):
        return True
    owner_dept = booking.user.department_id
    return owner_dept is not None and owner_dept in approvable_department_ids(user, today)


def calendar_department_ids(user: User, today: date | None = None) -> set[int] | None:
    """Departments whose bookings ``user`` may see: their own, the ones they manage or
    approve for. None means every department (HR and administrators)."""
    if is_office(user):
        return None
    if not _active(user):
        return set()
    ids = approvable_department_ids(user, today)
    if user.department_id is not None:
        ids.add(user.department_id)
    return ids


def can_view_booking(user: User | None, booking: Booking) -> bool:
    """Whether ``user`` may see that ``booking`` exists (day, slot, status, who)."""
    if not _active(user):
        return False
    if user.id == booking.user_id or is_office(user):
        return True
    return booking.user.department_id in (calendar_department_ids(user) or set())


def can_view_booking_details(user: User | None, booking: Booking) -> bool:
    """Whether ``user`` may see the purpose, place note and history of ``booking``."""
    if not _active(user):
        return False
    return user.id == booking.user_id or is_office(user) or can_approve(user, booking)


def bookings_visible_to(user: User, today: date | None = None) -> Select:
    """A ``select(Booking)`` limited to what ``user`` may see (add filters and order)."""
    stmt = select(Booking)
    ids = calendar_department_ids(user, today)
    if ids is None:
        return stmt
    if not _active(user):
        return stmt.where(false())
    return stmt.where(or_(
        Booking.user_id == user.id,
        Booking.user_id.in_(select(User.id).where(User.department_id.in_(ids))),
    ))


def bookings_to_approve(user: User, today: date | None = None) -> Select:
    """A ``select(Booking)`` of the pending bookings ``user`` may decide (never their own)."""
    stmt = select(Booking).where(Booking.status == "pending", Booking.user_id != user.id)
    if not _active(user):
        return stmt.where(false())
    if user.has_role("admin"):
        return stmt
    ids = approvable_department_ids(user, today)
    return stmt.where(Booking.user_id.in_(select(User.id).where(User.department_id.in_(ids))))


def approvers_for(owner: User, today: date | None = None) -> list[User]:
    """The people who may approve ``owner``'s bookings and are told about new ones: active
    managers of the owner's department or an ancestor, and current delegates.
    (Administrators can approve too but are not notified: they are the fallback.)"""
    if owner.department is None:
        return []
    chain = [d.id for d in owner.department.path()]
    today = today or office_today()
    managers = select(User.id).join(UserRole, UserRole.user_id == User.id).where(
        UserRole.role == "manager", User.department_id.in_(chain)
    )
    delegates = select(ApprovalDelegate.user_id).where(
        ApprovalDelegate.department_id.in_(chain),
        or_(ApprovalDelegate.until.is_(None), ApprovalDelegate.until >= today),
    )
    return list(db.session.scalars(
        select(User).where(
            User.active.is_(True), User.id != owner.id,
            or_(User.id.in_(managers), User.id.in_(delegates)),
        ).order_by(User.login)
    ))


def cancel_role(user: User | None, booking: Booking) -> str | None:
    """In which capacity ``user`` could cancel ``booking``: ``"owner"``, ``"office"`` (HR or
    administrator), ``"approver"``, or None."""
    if not _active(user):
        return None
    if user.id == booking.user_id:
        return "owner"
    if is_office(user):
        return "office"
    if can_approve(user, booking):
        return "approver"
    return None


def booking_has_session(booking: Booking) -> bool:
    """Whether a session was recorded against ``booking``."""
    return bool(db.session.scalar(
        select(exists().where(TeleworkSession.booking_id == booking.id))
    ))


def booking_is_history(booking: Booking, today: date | None = None) -> bool:
    """An approved booking whose day is over or that a session used: only HR or an
    administrator may still cancel it."""
    if booking.status != "approved":
        return False
    return booking.day < (today or office_today()) or booking_has_session(booking)


def can_cancel_booking(user: User | None, booking: Booking, today: date | None = None) -> bool:
    """Whether ``user`` may cancel ``booking`` now (see the module docstring)."""
    role = cancel_role(user, booking)
    if role is None or not booking.live:
        return False
    return role == "office" or not booking_is_history(booking, today)


def can_view_session(user: User | None, session: TeleworkSession) -> bool:
    """Whether ``user`` may see ``session`` (its times and work report)."""
    if not _active(user):
        return False
    if user.id == session.user_id or is_office(user):
        return True
    managed = user.managed_department_ids()
    return bool(managed) and (session.department_id in managed
                              or session.user.department_id in managed)


def sessions_visible_to(user: User) -> Select:
    """A ``select(TeleworkSession)`` limited to what ``user`` may see."""
    stmt = select(TeleworkSession)
    if is_office(user):
        return stmt
    if not _active(user):
        return stmt.where(false())
    managed = user.managed_department_ids()
    if not managed:
        return stmt.where(TeleworkSession.user_id == user.id)
    return stmt.where(or_(
        TeleworkSession.user_id == user.id,
        TeleworkSession.department_id.in_(managed),
        TeleworkSession.user_id.in_(select(User.id).where(User.department_id.in_(managed))),
    ))


def statistics_department_ids(user: User) -> set[int] | None:
    """Departments whose figures ``user`` may see in statistics: None for all (HR and
    administrators), the managed subtree for managers, an empty set otherwise (an employee
    sees only their own figures)."""
    if is_office(user):
        return None
    if not _active(user):
        return set()
    return user.managed_department_ids()


def is_hr(user: User | None) -> bool:
    """Whether ``user`` is active HR (who closes months and sets targets)."""
    return user is not None and bool(user.active) and user.has_role("hr")
