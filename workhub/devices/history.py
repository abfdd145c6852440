"""The history of devices, lines and people's loans: inventory events, only ever inserted."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from workhub.devices.models import InventoryEvent
from workhub.extensions import db
from workhub.org.models import User


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def record_event(action: str, *, actor: User | None, device_id: int | None = None,
                 line_id: int | None = None, user_id: int | None = None,
                 allocation_id: int | None = None, **detail: Any) -> InventoryEvent:
    """Add one history row (flushed with the caller's unit of work). ``detail`` is kept as
    JSON; for edits pass ``changes={"field": [old, new]}``. Never put secrets in it."""
    row = InventoryEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        device_id=device_id,
        line_id=line_id,
        user_id=user_id,
        allocation_id=allocation_id,
        detail=json.dumps({k: _plain(v) if not isinstance(v, dict) else
                           {f: [_plain(x) for x in pair] if isinstance(pair, (list, tuple))
                            else _plain(pair) for f, pair in v.items()}
                           for k, v in detail.items()}, ensure_ascii=False)
        if detail else None,
    )
    db.session.add(row)
    return row
