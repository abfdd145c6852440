"""Who may do what with devices and lines. The one place for these rules: views, the API,
jobs and reports all ask here.

* **IT** (role ``it_admin``) and administrators keep the inventory, allocate, record
  returns, fulfil requests and see every loan and report.
* **Holders** see their own loans and confirm receipt of them.
* **Managers** see the loans and requests of the people in their departments (subtree) and,
  when a request needs approval, approve or reject it.
* **SIM PIN/PUK** are shown only to holders of the separate ``line_secrets`` permission
  (``UserPermission``), whatever their roles; every reveal is audited.
"""

from __future__ import annotations

from sqlalchemy import Select, false, or_, select

from workhub.devices.models import UserPermission
from workhub.extensions import db
from workhub.org.models import User

IT_ROLES = ("it_admin", "admin")


def _active(user: User | None) -> bool:
    return user is not None and bool(getattr(user, "active", False))


def is_it(user: User | None) -> bool:
    """IT staff or an administrator: keeps the inventory and allocates."""
    return _active(user) and user.has_role(*IT_ROLES)


def has_permission(user: User | None, name: str) -> bool:
    if not _active(user):
        return False
    return db.session.scalar(
        select(UserPermission.id).where(UserPermission.user_id == user.id,
                                        UserPermission.name == name)
    ) is not None


def can_reveal_secrets(user: User | None) -> bool:
    """May see SIM PIN/PUK: the separate permission, not a role."""
    return has_permission(user, "line_secrets")


# --- loans and requests (allocations, receipt, requests) -----------------------------------


def loan_department_ids(user: User | None) -> set[int] | None:
    """Departments whose people's loans and requests ``user`` may see besides their own:
    None for all (IT and administrators), the managed subtree for managers, else empty."""
    if is_it(user):
        return None
    if not _active(user):
        return set()
    return user.managed_department_ids()


def can_view_person_loans(user: User | None, person: User) -> bool:
    """Whether ``user`` may see what ``person`` holds and held (their loan history)."""
    if not _active(user):
        return False
    if user.id == person.id:
        return True
    ids = loan_department_ids(user)
    return ids is None or (person.department_id is not None and person.department_id in ids)


def can_view_loan_lists(user: User | None) -> bool:
    """Whether ``user`` may open the list of everybody's loans (IT; managers, scoped)."""
    return loan_department_ids(user) is None or bool(loan_department_ids(user))


def can_view_allocation(user: User | None, allocation) -> bool:
    """Whether ``user`` may see ``allocation``: the holder, IT, the holder's managers."""
    return can_view_person_loans(user, allocation.user)


def can_allocate(user: User | None) -> bool:
    """Lend devices and lines, record returns, fulfil requests: IT and administrators."""
    return is_it(user)


def can_confirm_receipt(user: User | None, allocation) -> bool:
    """Only the holder confirms receipt, while the loan is open and not yet confirmed."""
    return (_active(user) and user.id == allocation.user_id and allocation.returned_at is None
            and allocation.confirmed_at is None)


def allocations_visible_to(user: User | None) -> Select:
    """A ``select(Allocation)`` limited to what ``user`` may see (add filters and order)."""
    from workhub.devices.models import Allocation

    stmt = select(Allocation)
    ids = loan_department_ids(user)
    if ids is None:
        return stmt
    if not _active(user):
        return stmt.where(false())
    return stmt.where(or_(
        Allocation.user_id == user.id,
        Allocation.user_id.in_(select(User.id).where(User.department_id.in_(ids))),
    ))


def can_view_request(user: User | None, device_request) -> bool:
    """The requester, IT and the requester's managers (and administrators)."""
    return can_view_person_loans(user, device_request.user)


def can_decide_request(user: User | None, device_request) -> bool:
    """Approve or reject: a manager of the requester's department (or an ancestor), or an
    administrator as the way out when there is no manager; never one's own request."""
    if not _active(user) or user.id == device_request.user_id:
        return False
    if user.has_role("admin"):
        return True
    dept = device_request.user.department_id
    return dept is not None and dept in user.managed_department_ids()


def can_fulfil_request(user: User | None, device_request) -> bool:
    """Fulfil from stock or put on the waitlist: IT and administrators."""
    return is_it(user)


def can_cancel_request(user: User | None, device_request) -> bool:
    """The requester withdraws their own request; IT may close one (with a reason)."""
    if not _active(user):
        return False
    return user.id == device_request.user_id or is_it(user)


def requests_visible_to(user: User | None) -> Select:
    """A ``select(DeviceRequest)`` limited to what ``user`` may see."""
    from workhub.devices.models import DeviceRequest

    stmt = select(DeviceRequest)
    ids = loan_department_ids(user)
    if ids is None:
        return stmt
    if not _active(user):
        return stmt.where(false())
    return stmt.where(or_(
        DeviceRequest.user_id == user.id,
        DeviceRequest.user_id.in_(select(User.id).where(User.department_id.in_(ids))),
    ))


def request_approvers(owner: User) -> list[User]:
    """Who is asked to approve ``owner``'s request: the active managers of the owner's
    department or an ancestor; when there are none, the active administrators."""
    from workhub.org.models import UserRole

    def people(role: str, departments: list[int] | None) -> list[User]:
        stmt = select(User).join(UserRole, UserRole.user_id == User.id).where(
            UserRole.role == role, User.active.is_(True), User.id != owner.id)
        if departments is not None:
            stmt = stmt.where(User.department_id.in_(departments))
        return list(db.session.scalars(stmt.order_by(User.login)))

    chain = [d.id for d in owner.department.path()] if owner.department else []
    return (people("manager", chain) if chain else []) or people("admin", None)


def it_staff() -> list[User]:
    """Who is told about requests to fulfil and items back in stock: the active IT staff
    (role it_admin); the administrators when there is nobody with that role."""
    from workhub.org.models import UserRole

    def people(role: str) -> list[User]:
        return list(db.session.scalars(
            select(User).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == role, User.active.is_(True)).order_by(User.login)))

    return people("it_admin") or people("admin")
