"""Read-only questions about loans, for the pages, the API, the reports and the daily jobs:
what is lent (to whom, since when), what is overdue or unconfirmed, who holds an item, and
which deactivated people (leavers) still hold items.

``viewer`` limits a query to what that person may see (``permissions.allocations_visible_to``);
None means everything (jobs and reports that are themselves limited to IT).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from workhub.clock import office_today
from workhub.database import utcnow
from workhub.devices import permissions as perm
from workhub.devices.models import (
    DEVICE_KINDS,
    Allocation,
    Device,
    DeviceModel,
    Line,
)
from workhub.extensions import db
from workhub.jobs.builtin import digest_section
from workhub.org.models import User, subtree_ids

LOAN_STATES = ("open", "overdue", "unconfirmed", "returned", "all")
LOAN_KINDS = (*DEVICE_KINDS, "line")


def item_kind(allocation: Allocation) -> str:
    """The kind of the lent item: the device model's kind, or ``line``."""
    return allocation.device.model.kind if allocation.device is not None else "line"


def _base(viewer: User | None) -> Select:
    stmt = perm.allocations_visible_to(viewer) if viewer is not None else select(Allocation)
    return stmt.options(
        joinedload(Allocation.user).joinedload(User.department),
        joinedload(Allocation.device).joinedload(Device.model),
        joinedload(Allocation.line),
    )


def filter_allocations(viewer: User | None, *, state: str = "open",
                       department_id: int | None = None, kind: str | None = None,
                       user_id: int | None = None, device_id: int | None = None,
                       line_id: int | None = None, today: date | None = None) -> Select:
    """A ``select(Allocation)`` of the loans ``viewer`` may see, filtered and ordered.

    ``state``: open, overdue (open and due before ``today``), unconfirmed (open, receipt not
    confirmed), returned or all. ``department_id`` includes its sub-departments. ``kind``: a
    device kind or ``line``. Open loans come soonest due first, returned ones latest first.
    """
    if state not in LOAN_STATES:
        raise ValueError(f"unknown loan state {state!r}")
    stmt = _base(viewer)
    today = today or office_today()
    if state in ("open", "overdue", "unconfirmed"):
        stmt = stmt.where(Allocation.returned_at.is_(None))
    if state == "overdue":
        stmt = stmt.where(Allocation.due_date < today)
    elif state == "unconfirmed":
        stmt = stmt.where(Allocation.confirmed_at.is_(None))
    elif state == "returned":
        stmt = stmt.where(Allocation.returned_at.is_not(None))
    if department_id is not None:
        stmt = stmt.where(Allocation.user_id.in_(
            select(User.id).where(User.department_id.in_(subtree_ids([department_id])))))
    if kind == "line":
        stmt = stmt.where(Allocation.line_id.is_not(None))
    elif kind is not None:
        stmt = stmt.where(Allocation.device_id.in_(
            select(Device.id).join(DeviceModel, DeviceModel.id == Device.model_id)
            .where(DeviceModel.kind == kind)))
    for column, value in ((Allocation.user_id, user_id), (Allocation.device_id, device_id),
                          (Allocation.line_id, line_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    if state == "returned":
        return stmt.order_by(Allocation.returned_at.desc(), Allocation.id.desc())
    if state == "all":
        return stmt.order_by(Allocation.allocated_at.desc(), Allocation.id.desc())
    return stmt.order_by(Allocation.due_date, Allocation.id)


def open_allocations(viewer: User | None = None) -> list[Allocation]:
    """Every open loan (``viewer``'s scope when given), soonest due first."""
    return list(db.session.scalars(filter_allocations(viewer, state="open")).unique())


def overdue(today: date | None = None, viewer: User | None = None) -> list[Allocation]:
    """Open loans whose expected return date is before ``today`` (the office's date)."""
    return list(db.session.scalars(
        filter_allocations(viewer, state="overdue", today=today)).unique())


def unconfirmed(older_than_days: int = 0, now: datetime | None = None,
                viewer: User | None = None) -> list[Allocation]:
    """Open loans whose receipt is not confirmed, lent at least ``older_than_days`` ago."""
    cutoff = (now or utcnow()) - timedelta(days=older_than_days)
    return list(db.session.scalars(
        filter_allocations(viewer, state="unconfirmed")
        .where(Allocation.allocated_at <= cutoff)).unique())


def holder_of(item: Device | Line | None = None, *, device: Device | None = None,
              line: Line | None = None) -> Allocation | None:
    """The open loan of a device or a line (None when it is not lent)."""
    item = item or device or line
    column = Allocation.device_id if isinstance(item, Device) else Allocation.line_id
    return db.session.scalar(
        select(Allocation).options(joinedload(Allocation.user))
        .where(column == item.id, Allocation.returned_at.is_(None)))


@dataclass
class Leaver:
    """A deactivated person who still holds items."""

    user: User
    allocations: list[Allocation]


def leavers() -> list[Leaver]:
    """Deactivated people (e.g. by the directory sync) with open loans, by login."""
    rows = db.session.scalars(
        _base(None).join(User, User.id == Allocation.user_id)
        .where(User.active.is_(False), Allocation.returned_at.is_(None))
        .order_by(User.login, Allocation.id)).unique()
    out: dict[int, Leaver] = {}
    for row in rows:
        out.setdefault(row.user_id, Leaver(row.user, [])).allocations.append(row)
    return list(out.values())


@digest_section(_l("Devices: leavers"))
def leavers_digest(user: User) -> list:
    """For IT: how many deactivated people still hold items (the daily digest mail)."""
    if not perm.is_it(user):
        return []
    found = leavers()
    if not found:
        return []
    items = sum(len(leaver.allocations) for leaver in found)
    return [lazy_ngettext("%(num)d deactivated person still holds lent items (%(items)d "
                          "in all): see Devices, Leavers.",
                          "%(num)d deactivated people still hold lent items (%(items)d "
                          "in all): see Devices, Leavers.", len(found), items=items)]


def item_labels(events) -> dict[int, str | None]:
    """Each event's item as the loan pages name it (asset tag or line label), by event id."""
    events = list(events)
    devices = _by_id(Device, {e.device_id for e in events if e.device_id})
    lines = _by_id(Line, {e.line_id for e in events if e.line_id})
    labels: dict[int, str | None] = {}
    for event in events:
        item = devices.get(event.device_id) or lines.get(event.line_id)
        labels[event.id] = ((item.asset_tag if isinstance(item, Device) else item.label)
                            if item else None)
    return labels


def _by_id(model, ids: set[int]) -> dict:
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))}
