"""Inventory events as people read them: the action's label and the details ("Status: In
stock → In repair"). Used by ``templates/devices/_history.html`` through the template helpers
``inventory_events`` (query) and the ``event_label`` / ``event_details`` filters."""

from __future__ import annotations

import json
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from workhub.devices import inventory, lines
from workhub.devices.fields import KIND_LABELS, SIM_LABELS
from workhub.devices.import_columns import COLUMNS
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
                "line": _l("Line"), "cleared": _l("Stored PIN and PUK removed")}
MAX_SHOWN = 120  # characters of a value shown in the history


def events_for(*, device_id: int | None = None, line_id: int | None = None,
               user_id: int | None = None, limit: int = 500) -> list[InventoryEvent]:
    """The newest events of a device, a line or a person, newest first."""
    stmt = select(InventoryEvent).options(joinedload(InventoryEvent.actor),
                                          joinedload(InventoryEvent.user))
    if device_id is not None:
        stmt = stmt.where(InventoryEvent.device_id == device_id)
    if line_id is not None:
        stmt = stmt.where(InventoryEvent.line_id == line_id)
    if user_id is not None:
        stmt = stmt.where(InventoryEvent.user_id == user_id)
    return list(db.session.scalars(stmt.order_by(InventoryEvent.at.desc(),
                                                 InventoryEvent.id.desc()).limit(limit)))


def event_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def _value(name: str, value: object) -> str:
    if value is None or value == "":
        return "—"
    if name == "status":
        labels = {**lines.STATUS_LABELS, **inventory.STATUS_LABELS}
        return str(labels.get(value, value))
    if name == "kind":
        return str(KIND_LABELS.get(value, value))
    if name == "sim_type":
        return str(SIM_LABELS.get(value, value))
    if isinstance(value, list):
        return ", ".join(_value(name, v) for v in value)
    text = value.isoformat() if isinstance(value, date) else str(value)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…"


def _label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


def event_details(event: InventoryEvent) -> list[str]:
    """One line per thing the event records, e.g. ``Status: In stock → In repair``."""
    try:
        detail = json.loads(event.detail) if event.detail else {}
    except ValueError:
        return [event.detail]
    out: list[str] = []
    for key, value in detail.items():
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
        elif value not in (None, "", False):
            out.append(f"{_label(key)}: {_value(key, value)}")
    return out
