"""Inventory events as people read them: the action's label and the details ("Status: In
stock → In repair", "Due 2026-12-25"). Used by ``templates/devices/_history.html`` (the
history of a device, a line, a person or a loan) through the ``event_label`` /
``event_details`` filters; the views pass the events from ``events_for``."""

from __future__ import annotations

import json
from datetime import date

from flask import url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from workhub.devices import inventory, lines
from workhub.devices.fields import KIND_LABELS, SIM_LABELS
from workhub.devices.import_columns import COLUMNS
from workhub.devices.loan_labels import (
    CONDITION_LABELS,
    LOAN_STATE_LABELS,
    REQUEST_STATUS_LABELS,
)
from workhub.devices.models import InventoryEvent
from workhub.extensions import db

ACTION_LABELS = {
    "created": _l("Created"),
    "edited": _l("Edited"),
    "status": _l("Status changed"),
    "allocated": _l("Allocated"),
    "confirmed": _l("Receipt confirmed"),
    "returned": _l("Returned"),
    "repair": _l("Sent to repair"),
    "installed": _l("Line installed"),
    "removed": _l("Line removed"),
    "secret_set": _l("PIN/PUK changed"),
    "revealed": _l("PIN/PUK shown"),
    "reminded": _l("Reminder sent"),
    "imported": _l("Imported"),
}
FIELD_LABELS = {**COLUMNS["lines"], **COLUMNS["devices"], "note": _l("Note"),
                "line": _l("Line"), "cleared": _l("Stored PIN and PUK removed"),
                "condition": _l("Condition"), "reason": _l("Reason"), "comment": _l("Comment")}
# Details of loans and requests, worded as the loan pages word them.
WORDED = {
    "due_date": lambda v: _l("Due %(day)s", day=v),
    "terms_version": lambda v: _l("Terms version %(v)s", v=v),
    "request_id": lambda v: _l("Request %(id)s", id=v),
}
# Ids that mean nothing to a reader (the loan page shows the kit itself).
NOT_SHOWN = {"kit_id", "allocation_ids"}
MAX_SHOWN = 120  # characters of a value shown in the history


def events_for(*, device_id: int | None = None, line_id: int | None = None,
               user_id: int | None = None, allocation_id: int | None = None,
               limit: int = 500, oldest_first: bool = False) -> list[InventoryEvent]:
    """The newest events of a device, a line, a person or a loan, newest first (or the
    oldest first)."""
    stmt = select(InventoryEvent).options(joinedload(InventoryEvent.actor),
                                          joinedload(InventoryEvent.user))
    if device_id is not None:
        stmt = stmt.where(InventoryEvent.device_id == device_id)
    if line_id is not None:
        stmt = stmt.where(InventoryEvent.line_id == line_id)
    if user_id is not None:
        stmt = stmt.where(InventoryEvent.user_id == user_id)
    if allocation_id is not None:
        stmt = stmt.where(InventoryEvent.allocation_id == allocation_id)
    order = ((InventoryEvent.at, InventoryEvent.id) if oldest_first
             else (InventoryEvent.at.desc(), InventoryEvent.id.desc()))
    return list(db.session.scalars(stmt.order_by(*order).limit(limit)))


def event_label(action: str, labels: dict | None = None) -> str:
    """The action as people read it: from ``labels`` (a page's own wording) when it has it."""
    return str((labels or {}).get(action) or ACTION_LABELS.get(action, action))


def _value(name: str, value: object) -> str:
    if value is None or value == "":
        return "—"
    if name == "status":
        # A request's status too (a person's history lists their requests).
        labels = {**REQUEST_STATUS_LABELS, **lines.STATUS_LABELS, **inventory.STATUS_LABELS}
        return str(labels.get(value, value))
    if name == "kind":
        return str(KIND_LABELS.get(value, value))
    if name == "sim_type":
        return str(SIM_LABELS.get(value, value))
    if name == "condition":
        return str(CONDITION_LABELS.get(value, value))
    if name == "reason":
        return str(LOAN_STATE_LABELS.get(value, value))
    if isinstance(value, list):
        return ", ".join(_value(name, v) for v in value)
    text = value.isoformat() if isinstance(value, date) else str(value)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…"


def _label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


def event_details(event: InventoryEvent) -> list[str]:
    """One line per thing the event records, e.g. ``Status: In stock → In repair``; a
    request is a link to its page (markup, the rest is plain text)."""
    try:
        detail = json.loads(event.detail) if event.detail else {}
    except ValueError:
        return [event.detail]
    out: list[str] = []
    for key, value in detail.items():
        if key in NOT_SHOWN:
            continue
        if key == "changes" and isinstance(value, dict):
            out += [f"{_label(n)}: {_value(n, pair[0])} → {_value(n, pair[1])}"
                    if isinstance(pair, list) and len(pair) == 2 else f"{_label(n)}"
                    for n, pair in value.items()]
        elif key == "fields" and isinstance(value, list):
            out.append(", ".join(_label(n) for n in value))
        elif key == "fields" and isinstance(value, dict):
            out += [f"{_label(n)}: {_value(n, v)}" for n, v in value.items()]
        elif value is True:
            out.append(_label(key))
        elif key == "request_id" and isinstance(value, int):
            # Its page checks who may read it, as it did when the person page linked it.
            out.append(Markup('<a href="{}">{}</a>').format(
                url_for("device_loans.request", request_id=value), WORDED[key](value)))
        elif key in WORDED and value not in (None, ""):
            out.append(str(WORDED[key](value)))
        elif value not in (None, "", False):
            out.append(f"{_label(key)}: {_value(key, value)}")
    return out
