"""The licence inventory: an online tool's host accounts and the meeting-room kits, kept by IT
(role ``it_admin``) and administrators, each change audited.

Services take the acting user, flush, never commit, and raise DomainError (``field`` names
the form field) with a message a person can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from workhub.auth.audit import audit
from workhub.errors import Conflict, DomainError, Forbidden, NotFound
from workhub.extensions import db
from workhub.online_meetings.models import (
    LICENCE_KINDS,
    LICENCE_TOOLS,
    MAX_CAPACITY,
    USE_MODES,
    Licence,
    LicenceBooking,
)
from workhub.org.models import Department, User
from workhub.validation import clean_text

MANAGE_ROLES = ("it_admin", "admin")
MAX_COST_YEN = 100_000_000  # a month; anything above is a typing slip


def can_manage_licences(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) \
        and user.has_role(*MANAGE_ROLES)


@dataclass
class LicenceData:
    """What a form or the API gives for a licence (departments by code, people by login)."""

    name: str
    tool: str
    capacity: int
    kind: str = "host"
    account: str | None = None
    contract_ref: str | None = None
    contract_start: date | None = None
    contract_end: date | None = None
    monthly_cost_yen: int | None = None
    paying_department: str | None = None
    mode: str = "pooled"
    assigned_user: str | None = None
    assigned_department: str | None = None
    active: bool = True
    notes: str | None = None


def _department(code: str | None, field: str) -> Department | None:
    code = clean_text(code, str(_l("Department")), 32, name=field)
    if code is None:
        return None
    department = db.session.scalar(select(Department).where(Department.code == code))
    if department is None:
        raise DomainError(str(_l("No department with the code %(code)s.", code=code)),
                          field=field)
    return department


def _whole(value, field: str, what: str, *, low: int, high: int) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError(str(_l("%(what)s must be a whole number.", what=what)), field=field)
    if not low <= value <= high:
        raise DomainError(str(_l("%(what)s must be between %(low)d and %(high)d.", what=what,
                                 low=low, high=high)), field=field)
    return value


def _apply(licence: Licence, data: LicenceData) -> None:
    name = clean_text(data.name, str(_l("Name")), 120, required=True, name="name")
    if data.kind not in LICENCE_KINDS:
        raise DomainError(str(_l("Choose a kind from the list.")), field="kind")
    if data.tool not in LICENCE_TOOLS:
        raise DomainError(str(_l("Choose an online tool from the list.")), field="tool")
    if data.mode not in USE_MODES:
        raise DomainError(str(_l("Choose how the licence is used.")), field="mode")
    capacity = _whole(data.capacity, "capacity", str(_l("Capacity")), low=1, high=MAX_CAPACITY)
    if capacity is None:
        raise DomainError(str(_l("Give the number of participants it holds.")),
                          field="capacity")
    cost = _whole(data.monthly_cost_yen, "monthly_cost_yen", str(_l("Monthly cost")), low=0,
                  high=MAX_COST_YEN)
    for value, field in ((data.contract_start, "contract_start"),
                         (data.contract_end, "contract_end")):
        if value is not None and not isinstance(value, date):
            raise DomainError(str(_l("Enter a date.")), field=field)
    if data.contract_start and data.contract_end and data.contract_end < data.contract_start:
        raise DomainError(str(_l("The contract must end after it starts.")),
                          field="contract_end")
    assigned_user = None
    login = clean_text(data.assigned_user, str(_l("Login ID")), 64, name="assigned_user")
    if login:
        assigned_user = db.session.scalar(select(User).where(User.login == login.lower()))
        if assigned_user is None:
            raise DomainError(str(_l("No user with the login ID %(login)s.", login=login)),
                              field="assigned_user")
    assigned_department = _department(data.assigned_department, "assigned_department")
    paying_department = _department(data.paying_department, "paying_department")
    if data.mode == "assigned" and assigned_user is None and assigned_department is None:
        raise DomainError(str(_l("Name the person or department the licence is assigned to.")),
                          field="assigned_user")
    if data.mode == "pooled" and (assigned_user or assigned_department):
        raise DomainError(str(_l("A pooled licence is booked per meeting: leave the "
                                 "assignment empty, or choose 'assigned'.")),
                          field="mode")
    taken = db.session.scalar(select(Licence.id).where(func.lower(Licence.name) == name.lower(),
                                                       Licence.id != (licence.id or 0)))
    if taken:
        raise Conflict(str(_l("Another licence is already called %(name)s.", name=name)),
                       field="name")
    account = clean_text(data.account, str(_l("Account")), 200, name="account")
    contract_ref = clean_text(data.contract_ref, str(_l("Contract number")), 100,
                              name="contract_ref")
    notes = clean_text(data.notes, str(_l("Notes")), 2000, multiline=True, name="notes")
    # Nothing is changed before every value is checked (a query below would flush it).
    licence.name, licence.kind, licence.tool, licence.mode = name, data.kind, data.tool, data.mode
    licence.capacity, licence.monthly_cost_yen = capacity, cost
    licence.account, licence.contract_ref, licence.notes = account, contract_ref, notes
    licence.contract_start, licence.contract_end = data.contract_start, data.contract_end
    licence.paying_department = paying_department
    licence.assigned_user, licence.assigned_department = assigned_user, assigned_department
    licence.active = bool(data.active)


def create_licence(actor: User, data: LicenceData, *, ip: str | None = None) -> Licence:
    if not can_manage_licences(actor):
        raise Forbidden(str(_l("Only IT and administrators keep the licence inventory.")))
    licence = Licence()
    _apply(licence, data)
    db.session.add(licence)
    db.session.flush()
    audit("licence.created", actor=actor, target=licence.name, ip=ip, licence_id=licence.id)
    return licence


def update_licence(actor: User, licence_id: int, data: LicenceData, *,
                   ip: str | None = None) -> Licence:
    if not can_manage_licences(actor):
        raise Forbidden(str(_l("Only IT and administrators keep the licence inventory.")))
    licence = db.session.get(Licence, licence_id)
    if licence is None:
        raise NotFound(str(_l("No such licence.")))
    _apply(licence, data)
    db.session.flush()
    audit("licence.updated", actor=actor, target=licence.name, ip=ip, licence_id=licence.id)
    return licence


def delete_licence(actor: User, licence_id: int, *, ip: str | None = None) -> None:
    """Remove a licence no meeting ever booked (one with bookings is set out of use instead,
    so the statistics keep the tool of every meeting held)."""
    if not can_manage_licences(actor):
        raise Forbidden(str(_l("Only IT and administrators keep the licence inventory.")))
    licence = db.session.get(Licence, licence_id)
    if licence is None:
        raise NotFound(str(_l("No such licence.")))
    if db.session.scalar(select(LicenceBooking.id).where(LicenceBooking.licence_id == licence.id)
                         .limit(1)):
        raise Conflict(str(_l("%(name)s has been booked by meetings: set it out of use "
                              "instead of deleting it.", name=licence.name)))
    audit("licence.deleted", actor=actor, target=licence.name, ip=ip, licence_id=licence.id)
    db.session.delete(licence)
    db.session.flush()
