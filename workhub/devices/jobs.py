"""Daily device jobs: overdue return reminders, unconfirmed receipt reminders and contract-end
alerts. Each is safe to run twice.

* **Overdue returns** (business days): each holder with an active account is told about
  their overdue items, IT staff get the whole list; once a day each, judged by the
  Notification rows of the day.
* **Unconfirmed receipts** (business days): holders of loans unconfirmed for
  ``payload["days"]`` days (3) or more are reminded, IT staff get the count. A holder is
  reminded once a day, judged by ``Allocation.last_reminded_at`` (the last receipt
  reminder); IT once a day by their Notification rows.
* **Contract ends** (business days): IT staff are told once about each line whose contract
  comes within ``payload["days"]`` days (90) or whose renewal window opens; a
  ``contract_alert`` history event per line, stage and end date remembers that (a renewed
  contract with a new end date is announced again).

"IT staff" are the active people with the it_admin role, or the administrators when there
is none. Mail opt-out is honoured by ``notify`` (reminders are not essential mail); the
in-app notification is always kept. Holders are also given a ``reminded`` history event.
"""

from __future__ import annotations

import json
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update

from workhub.businessdays import is_business_day
from workhub.clock import day_bounds, office_today
from workhub.database import utcnow
from workhub.devices import report_loans, reports
from workhub.devices.history import record_event
from workhub.devices.models import Allocation, InventoryEvent
from workhub.devices.report_loans import LoanRow
from workhub.devices.reports import EVERYTHING
from workhub.extensions import db
from workhub.jobs.registry import JobError, handler, periodic
from workhub.notify.services import notified_on, notify, page_path
from workhub.org.models import User, UserRole

OVERDUE_EVENT = "devices.overdue_reminder"
OVERDUE_IT_EVENT = "devices.overdue_it"
UNCONFIRMED_EVENT = "devices.unconfirmed_reminder"
UNCONFIRMED_IT_EVENT = "devices.unconfirmed_it"
CONTRACT_EVENT = "devices.contract_end"
CONTRACT_ACTION = "contract_alert"  # the history event that remembers an alert

periodic("devices_overdue_reminder", "devices.overdue_reminder", "0 9 * * 1-5",
         label=_l("Devices: remind holders and IT of overdue returns"))
periodic("devices_unconfirmed_reminder", "devices.unconfirmed_reminder", "15 9 * * 1-5",
         label=_l("Devices: remind holders to confirm receipt"),
         payload={"days": reports.DEFAULT_UNCONFIRMED_DAYS})
periodic("devices_contract_alert", "devices.contract_alert", "30 8 * * 1-5",
         label=_l("Devices: tell IT about line contracts ending"),
         payload={"days": reports.DEFAULT_CONTRACT_DAYS})


def it_staff() -> list[User]:
    """Who gets IT's alerts: active it_admin people, else the administrators."""
    for role in ("it_admin", "admin"):
        people = db.session.scalars(
            select(User).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == role, User.active.is_(True)).order_by(User.login)
        ).all()
        if people:
            return list(people)
    return []


def _days(job, default: int, high: int) -> int:
    value = job.payload.get("days", default)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= high:
        # Retrying cannot help: the scheduler's or the caller's payload is wrong.
        raise JobError(f"payload days must be a whole number from 0 to {high}",
                       retryable=False)
    return value


def _by_holder(rows: list[LoanRow]) -> dict[int, list[LoanRow]]:
    """The rows of holders whose account is active (people who left cannot act on mail)."""
    out: dict[int, list[LoanRow]] = {}
    for row in rows:
        if row.holder_active:
            out.setdefault(row.holder_id, []).append(row)
    return out


def _mark_reminded(rows: list[LoanRow], reason: str) -> None:
    for row in rows:
        record_event("reminded", actor=None, device_id=row.device_id, line_id=row.line_id,
                     user_id=row.holder_id, allocation_id=row.allocation_id, reason=reason)


def _tell_it(event: str, template: str, today: date, **context) -> int:
    """Notify each IT person not yet told about ``event`` today; return how many."""
    told = notified_on(event, today)
    url = page_path("device_reports.reports")
    count = 0
    for person in it_staff():
        if person.id not in told:
            notify(person, event, template, url=url, **context)
            count += 1
    return count


def _kinds(rows: list[LoanRow]) -> dict[str, str]:
    return {row.kind: str(reports.KIND_LABELS[row.kind]) for row in rows}


@handler("devices.overdue_reminder", max_attempts=2,
         label=_l("Devices: remind holders and IT of overdue returns"))
def overdue_reminder(job, ctx):
    """Remind holders of their overdue items and give IT the list, once a day."""
    today = office_today()
    if not is_business_day(today):
        return {"skipped": "not a business day"}
    rows = report_loans.overdue(EVERYTHING, today)
    told = notified_on(OVERDUE_EVENT, today)
    url = page_path("device_loans.my_items")
    holders = 0
    for holder_id, items in sorted(_by_holder(rows).items()):
        if holder_id in told:
            continue
        notify(db.session.get(User, holder_id), OVERDUE_EVENT, "devices_reminder_overdue",
               url=url, items=items, kinds=_kinds(items))
        _mark_reminded(items, "overdue")
        holders += 1
    it = _tell_it(OVERDUE_IT_EVENT, "devices_reminder_overdue_it", today, items=rows,
                  kinds=_kinds(rows)) if rows else 0
    db.session.flush()
    return {"overdue": len(rows), "holders": holders, "it": it}


@handler("devices.unconfirmed_reminder", max_attempts=2,
         label=_l("Devices: remind holders to confirm receipt"))
def unconfirmed_reminder(job, ctx):
    """Remind holders to confirm receipt of loans waiting ``days`` days or more; tell IT the
    count. A holder is reminded at most once a day (``last_reminded_at``)."""
    days = _days(job, reports.DEFAULT_UNCONFIRMED_DAYS, reports.MAX_UNCONFIRMED_DAYS)
    today = office_today()
    if not is_business_day(today):
        return {"skipped": "not a business day"}
    rows = report_loans.unconfirmed(EVERYTHING, today, days)
    start_of_today = day_bounds(today)[0]
    due = set(db.session.scalars(select(Allocation.id).where(
        Allocation.id.in_([row.allocation_id for row in rows]),
        or_(Allocation.last_reminded_at.is_(None),
            Allocation.last_reminded_at < start_of_today))))
    holders = 0
    now = utcnow()
    url = page_path("device_loans.my_items")
    for holder_id, items in sorted(_by_holder(rows).items()):
        if not any(row.allocation_id in due for row in items):
            continue
        notify(db.session.get(User, holder_id), UNCONFIRMED_EVENT,
               "devices_reminder_unconfirmed", url=url, items=items, kinds=_kinds(items))
        db.session.execute(update(Allocation).where(
            Allocation.id.in_([row.allocation_id for row in items]))
            .values(last_reminded_at=now))
        _mark_reminded(items, "unconfirmed")
        holders += 1
    it = _tell_it(UNCONFIRMED_IT_EVENT, "devices_reminder_unconfirmed_it", today,
                  count=len(rows), days=days) if rows else 0
    db.session.flush()
    return {"unconfirmed": len(rows), "holders": holders, "it": it}


def _alerted(line_ids: list[int]) -> set[tuple[int, str, str]]:
    """(line, stage, contract end) already announced to IT."""
    out = set()
    rows = db.session.execute(select(InventoryEvent.line_id, InventoryEvent.detail).where(
        InventoryEvent.action == CONTRACT_ACTION, InventoryEvent.line_id.in_(line_ids)))
    for line_id, detail in rows:
        data = json.loads(detail or "{}")
        out.add((line_id, data.get("stage"), data.get("contract_end")))
    return out


@handler("devices.contract_alert", max_attempts=2,
         label=_l("Devices: tell IT about line contracts ending"))
def contract_alert(job, ctx):
    """Tell IT about lines newly within ``days`` of their contract end or inside their
    renewal window; each line, stage and end date once."""
    days = _days(job, reports.DEFAULT_CONTRACT_DAYS, reports.MAX_CONTRACT_DAYS)
    today = office_today()
    if not is_business_day(today):
        return {"skipped": "not a business day"}
    rows = reports.contracts_ending(EVERYTHING, today, days)
    done = _alerted([row.line_id for row in rows])
    news = []
    for row in rows:
        stages = [stage for stage, applies in (("renewal", row.in_window(today)),
                                                ("ending", row.ending_within(days)))
                  if applies and (row.line_id, stage, row.contract_end.isoformat()) not in done]
        if stages:
            news.append((row, stages))
    staff = it_staff()
    if not news or not staff:
        return {"lines": len(news), "it": 0}
    url = page_path("device_reports.reports")
    for person in staff:
        notify(person, CONTRACT_EVENT, "devices_contract_end", url=url, lines=news, days=days,
               today=today)
    for row, stages in news:
        for stage in stages:
            record_event(CONTRACT_ACTION, actor=None, line_id=row.line_id, stage=stage,
                         contract_end=row.contract_end)
    db.session.flush()
    return {"lines": len(news), "it": len(staff)}
