"""Read-only reports on devices and lines: stock, loans by department, overdue returns,
unconfirmed receipts, contracts ending, monthly line cost. Grouped queries; no writes.

Who sees what (``report_scope``):

* **IT and administrators** see every report and every person.
* **Managers** see the figures of the people in the departments they manage (their
  department's subtree): loans by department, overdue returns, unconfirmed receipts and the
  monthly cost of the lines those people hold. Stock and contracts are inventory matters:
  IT only. Lines nobody holds ("IT stock / unassigned") and holders without a department
  are IT's figures too.
* Everyone else sees none (403).

Decisions, so the numbers mean the same everywhere (pages, exports, daily jobs):

* A loan belongs to the **holder's current department**; a department's figure "with
  sub-departments" adds the departments below it.
* **Overdue**: an open loan whose due date is before today (office time zone).
* **Unconfirmed**: an open loan without a receipt confirmation, allocated at least N days
  ago (by the office's calendar; 0 days lists every unconfirmed loan).
* **Contracts ending**: lines not cancelled whose contract ends within N days (ended ones
  included, they still need a decision) or whose renewal window has opened
  (``contract_end - renewal_window_days <= today``).
* **Monthly cost** of a line that is not cancelled goes to the department of whoever holds
  it: the holder of the line itself, else the holder of the device it is installed in (a SIM
  in a lent router); a line nobody holds is "IT stock / unassigned".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, true

from workhub.devices import inventory, lines, loan_labels
from workhub.devices.models import (
    DEVICE_KINDS,
    DEVICE_STATUSES,
    LINE_STATUSES,
    Device,
    DeviceModel,
    Line,
)
from workhub.devices.permissions import is_it
from workhub.errors import DomainError, Forbidden
from workhub.extensions import db
from workhub.org.models import Department, User, subtree_ids

DEFAULT_CONTRACT_DAYS = 90
MAX_CONTRACT_DAYS = 3650
DEFAULT_UNCONFIRMED_DAYS = 3
MAX_UNCONFIRMED_DAYS = 365

# What people read for the codes: the labels of the loan and inventory pages.
KIND_LABELS = loan_labels.KIND_LABELS
DEVICE_STATUS_LABELS = inventory.STATUS_LABELS
LINE_STATUS_LABELS = lines.STATUS_LABELS


class FilterError(DomainError):
    """A report filter that cannot be used; ``field`` names the control."""

    code = "invalid_filter"


# --- who sees what -----------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What one user may count. ``department_ids`` None: every holder (IT, unfiltered)."""

    user_id: int
    inventory: bool  # stock, contracts, unassigned lines: IT only
    department_ids: frozenset[int] | None = None

    @property
    def everyone(self) -> bool:
        return self.department_ids is None

    def holder_condition(self, user_column):
        """WHERE clause limiting holders (a users.id column) to this scope."""
        if self.department_ids is None:
            return true()
        return user_column.in_(select(User.id).where(
            User.department_id.in_(sorted(self.department_ids))))


# Every figure, for the daily jobs (no user).
EVERYTHING = Scope(0, True, None)


def may_see_reports(user: User | None) -> bool:
    """IT, administrators and managers (the page then shows what each may see)."""
    return is_it(user) or bool(user is not None and user.active and user.has_role("manager"))


def report_scope(user: User) -> Scope:
    """The scope of ``user``; Forbidden for those who may see no report."""
    if is_it(user):
        return Scope(user.id, True, None)
    if may_see_reports(user):
        return Scope(user.id, False, frozenset(user.managed_department_ids()))
    raise Forbidden(str(_l("Device reports are for IT staff and managers.")))


# --- filters ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFilter:
    """A checked filter: holder department subtree, contract horizon, unconfirmed age."""

    department_code: str | None = None
    contract_days: int = DEFAULT_CONTRACT_DAYS
    unconfirmed_days: int = DEFAULT_UNCONFIRMED_DAYS

    def args(self) -> dict[str, str]:
        """The filter as query arguments (for export and chart links)."""
        out = {"days": str(self.contract_days), "unconfirmed_days": str(self.unconfirmed_days)}
        if self.department_code:
            out["department"] = self.department_code
        return out


def _whole_number(raw: str | None, default: int, low: int, high: int, message,
                  field_name: str) -> int:
    text = (raw or "").strip()
    if not text:
        return default
    if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
        raise FilterError(str(message), field=field_name)
    return int(text)


def parse_filter(scope: Scope, *, department: str | None = None, days: str | None = None,
                 unconfirmed_days: str | None = None) -> tuple[ReportFilter, Scope]:
    """Check a filter from the query string; return it and the scope narrowed to the
    department's subtree. FilterError (400) for a bad value, Forbidden for a department the
    user may not see."""
    contract_days = _whole_number(
        days, DEFAULT_CONTRACT_DAYS, 1, MAX_CONTRACT_DAYS,
        _l("Contracts ending within: enter a number of days from 1 to %(max)d.",
           max=MAX_CONTRACT_DAYS), "days")
    unconfirmed = _whole_number(
        unconfirmed_days, DEFAULT_UNCONFIRMED_DAYS, 0, MAX_UNCONFIRMED_DAYS,
        _l("Unconfirmed for at least: enter a number of days from 0 to %(max)d.",
           max=MAX_UNCONFIRMED_DAYS), "unconfirmed_days")
    code = (department or "").strip() or None
    narrowed = scope
    if code is not None:
        dept_id = db.session.scalar(select(Department.id).where(Department.code == code))
        if dept_id is None:
            raise FilterError(str(_l("There is no department with code %(code)s.",
                                     code=code[:32])), field="department")
        if scope.department_ids is not None and dept_id not in scope.department_ids:
            raise Forbidden(str(_l("You can see the figures of your own departments only.")),
                            field="department")
        narrowed = Scope(scope.user_id, scope.inventory, frozenset(subtree_ids([dept_id])))
    return ReportFilter(code, contract_days, unconfirmed), narrowed


def _require_inventory(scope: Scope) -> None:
    if not scope.inventory:
        raise Forbidden(str(_l("Stock and contracts are for IT staff.")))


# --- stock --------------------------------------------------------------------------------


@dataclass
class StockRow:
    """Devices of one model by status."""

    kind: str
    maker: str
    model: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class LineStockRow:
    """Lines of one carrier by status, with the monthly cost of those not cancelled."""

    carrier: str
    counts: dict[str, int]
    monthly_cost: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def stock(scope: Scope) -> list[StockRow]:
    """Devices by kind, model and status (every model, even with no device)."""
    _require_inventory(scope)
    rows = db.session.execute(
        select(DeviceModel.id, DeviceModel.kind, DeviceModel.maker, DeviceModel.name,
               Device.status, func.count(Device.id))
        .outerjoin(Device, Device.model_id == DeviceModel.id)
        .group_by(DeviceModel.id, DeviceModel.kind, DeviceModel.maker, DeviceModel.name,
                  Device.status)
    ).all()
    by_model: dict[int, StockRow] = {}
    for model_id, kind, maker, name, status, count in rows:
        row = by_model.setdefault(model_id, StockRow(kind, maker, name,
                                                     dict.fromkeys(DEVICE_STATUSES, 0)))
        if status is not None:
            row.counts[status] = count
    order = {kind: index for index, kind in enumerate(DEVICE_KINDS)}
    return sorted(by_model.values(), key=lambda r: (order[r.kind], r.maker, r.model))


def stock_by_kind(rows: list[StockRow]) -> dict[str, dict[str, int]]:
    """The model rows summed per kind (every kind, in the usual order)."""
    out = {kind: dict.fromkeys(DEVICE_STATUSES, 0) for kind in DEVICE_KINDS}
    for row in rows:
        for status, count in row.counts.items():
            out[row.kind][status] += count
    return out


def line_stock(scope: Scope) -> list[LineStockRow]:
    """Lines by carrier and status."""
    _require_inventory(scope)
    rows = db.session.execute(
        select(Line.carrier, Line.status, func.count(Line.id),
               func.coalesce(func.sum(Line.monthly_cost), 0))
        .group_by(Line.carrier, Line.status)
    ).all()
    by_carrier: dict[str, LineStockRow] = {}
    for carrier, status, count, cost in rows:
        row = by_carrier.setdefault(carrier, LineStockRow(carrier,
                                                          dict.fromkeys(LINE_STATUSES, 0), 0))
        row.counts[status] = count
        if status != "cancelled":
            row.monthly_cost += int(cost)
    return sorted(by_carrier.values(), key=lambda r: r.carrier)


# --- contracts ----------------------------------------------------------------------------


@dataclass
class ContractRow:
    line_id: int
    label: str
    carrier: str
    plan: str | None
    status: str
    monthly_cost: int | None
    contract_end: date
    renewal_window_days: int | None
    days_left: int

    @property
    def window_opens(self) -> date | None:
        if self.renewal_window_days is None:
            return None
        return self.contract_end - timedelta(days=self.renewal_window_days)

    def in_window(self, today: date) -> bool:
        """The renewal window has opened (and the contract has not ended yet)."""
        opens = self.window_opens
        return opens is not None and opens <= today <= self.contract_end

    def ending_within(self, days: int) -> bool:
        return self.days_left <= days


def contracts_ending(scope: Scope, today: date, days: int) -> list[ContractRow]:
    """Lines (not cancelled) ending within ``days`` or inside their renewal window, soonest
    first."""
    _require_inventory(scope)
    widest = max(days, db.session.scalar(select(func.max(Line.renewal_window_days))) or 0)
    lines = db.session.scalars(
        select(Line).where(Line.status != "cancelled", Line.contract_end.is_not(None),
                           Line.contract_end <= today + timedelta(days=widest))
        .order_by(Line.contract_end, Line.id)
    ).all()
    out = []
    for line in lines:
        row = ContractRow(line.id, line.label, line.carrier, line.plan, line.status,
                          line.monthly_cost, line.contract_end, line.renewal_window_days,
                          (line.contract_end - today).days)
        if row.ending_within(days) or row.in_window(today):
            out.append(row)
    return out
