"""Communication lines: create, edit, change status, install in a device and remove.

A line has a phone number and/or a data-line id, an optional ICCID (19–20 digits, Luhn
checked), a carrier and plan, a monthly cost in yen (tax included), contract dates and the
notice window before the contract ends. Numbers, data-line ids and ICCIDs are unique (409).

Status rules: ``allocated`` belongs to the loans services; by hand ``in_stock`` →
``suspended`` | ``cancelled``, ``suspended`` → ``in_stock`` | ``cancelled``; ``cancelled`` is
final. A line on loan keeps its status until it is returned. A cancelled line cannot be
installed in a device, nor can a line be installed in a retired or lost device.

SIM PIN/PUK are kept by ``workhub.devices.secrets``, never here.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from workhub.devices import fields as f
from workhub.devices.history import record_event
from workhub.devices.inventory import check_manual_status, like, open_allocation, swap_status
from workhub.devices.models import Device, Line
from workhub.errors import Conflict, DomainError
from workhub.extensions import db
from workhub.org.models import User

LINE_FIELDS = ("number", "data_line_id", "iccid", "sim_type", "carrier", "plan", "data_cap_gb",
               "monthly_cost", "contract_start", "contract_end", "renewal_window_days",
               "notes")
STATUS_LABELS = {
    "in_stock": _l("In stock"),
    "allocated": _l("On loan"),
    "suspended": _l("Suspended"),
    "cancelled": _l("Cancelled"),
}
MANUAL_STATUSES = ("in_stock", "suspended", "cancelled")
TRANSITIONS = {
    "in_stock": ("suspended", "cancelled"),
    "suspended": ("in_stock", "cancelled"),
    "cancelled": (),
    "allocated": (),
}
UNIQUE = (("number", _l("The phone number %(value)s is already recorded.")),
          ("data_line_id", _l("The data-line id %(value)s is already recorded.")),
          ("iccid", _l("The ICCID %(value)s is already recorded.")))


def clean_line(raw: Mapping[str, object]) -> dict:
    """The checked values of a line from ``raw``; ``Invalid`` lists every problem."""
    c = f.Checker()
    data = {
        "number": c.run(f.phone_number, raw.get("number")),
        "data_line_id": c.run(f.identifier, raw.get("data_line_id"), "data_line_id",
                              max_length=40),
        "iccid": c.run(f.iccid, raw.get("iccid")),
        "sim_type": c.run(f.sim_type, raw.get("sim_type")),
        "carrier": c.run(f.text, raw.get("carrier"), "carrier", max_length=100, required=True,
                         nfkc=True),
        "plan": c.run(f.text, raw.get("plan"), "plan", max_length=100),
        "data_cap_gb": c.run(f.whole, raw.get("data_cap_gb"), "data_cap_gb",
                             maximum=f.MAX_DATA_CAP_GB),
        "monthly_cost": c.run(f.whole, raw.get("monthly_cost"), "monthly_cost",
                              maximum=f.MAX_COST, yen=True),
        "contract_start": c.run(f.day, raw.get("contract_start"), "contract_start"),
        "contract_end": c.run(f.day, raw.get("contract_end"), "contract_end"),
        "renewal_window_days": c.run(f.whole, raw.get("renewal_window_days"),
                                     "renewal_window_days", maximum=f.MAX_RENEWAL_DAYS),
        "notes": c.run(f.text, raw.get("notes"), "notes", max_length=f.MAX_NOTES,
                       multiline=True),
    }
    if not data["number"] and not data["data_line_id"] and not any(
            name in ("number", "data_line_id") for name, _m in c.problems):
        c.add("number", _l("Enter the phone number or the data-line id."))
    start, end = data["contract_start"], data["contract_end"]
    if start and end and end < start:
        c.add("contract_end", _l("The contract cannot end before it starts."))
    c.done()
    return data


def _ensure_unique(data: dict, exclude_id: int | None = None) -> None:
    for name, message in UNIQUE:
        value = data.get(name)
        if not value:
            continue
        stmt = select(Line.id).where(getattr(Line, name) == value)
        if exclude_id:
            stmt = stmt.where(Line.id != exclude_id)
        if db.session.scalar(stmt.limit(1)) is not None:
            raise Conflict(str(message) % {"value": value}, code=f"duplicate_{name}",
                           field=name)


def _flush(row: Line) -> None:
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError as exc:
        raise Conflict(str(_l("Another line with this number, data-line id or ICCID was saved "
                              "meanwhile. Reload and check.")), code="duplicate") from exc


def add_line(data: dict, actor: User | None, *, status: str = "in_stock",
             action: str = "created") -> Line:
    """Insert a line from values already checked by ``clean_line``."""
    _ensure_unique(data)
    line = Line(status=status, **{k: data[k] for k in LINE_FIELDS})
    _flush(line)
    record_event(action, actor=actor, line_id=line.id,
                 fields={**{k: v for k, v in data.items() if v not in (None, "")},
                         "status": status})
    return line


def create_line(raw: Mapping[str, object], actor: User) -> Line:
    """Add a line (in stock)."""
    return add_line(clean_line(raw), actor)


def line_values(line: Line) -> dict:
    return {k: getattr(line, k) for k in LINE_FIELDS}


def edit_line(line: Line, raw: Mapping[str, object], actor: User) -> dict:
    """Change ``line``'s values; returns ``{field: [old, new]}`` (none: no event)."""
    data = clean_line(raw)
    _ensure_unique(data, exclude_id=line.id)
    before = line_values(line)
    changes = {k: [before[k], data[k]] for k in LINE_FIELDS if before[k] != data[k]}
    if not changes:
        return {}
    for name in changes:
        setattr(line, name, data[name])
    _flush(line)
    record_event("edited", actor=actor, line_id=line.id, changes=changes)
    return changes


def set_line_status(line: Line, status: object, actor: User, note: object = None) -> Line:
    """Change a line's status by hand (see the module docstring)."""
    note = f.text(note, "note", max_length=500)
    old = line.status
    check_manual_status(old, status, TRANSITIONS, STATUS_LABELS,
                        open_allocation(line_id=line.id))
    swap_status(Line, line, old, status)
    record_event("status", actor=actor, line_id=line.id, device_id=line.device_id,
                 changes={"status": [old, status]}, note=note)
    return line


# --- installed in a device --------------------------------------------------------------------


def install_line(line: Line, device: Device, actor: User) -> Line:
    """Put ``line`` (its SIM or eSIM) into ``device``; recorded in both histories."""
    if line.device_id == device.id:
        raise DomainError(str(_l("This line is already installed in %(tag)s.",
                                 tag=device.asset_tag)), code="unchanged")
    if line.status == "cancelled":
        raise Conflict(str(_l("A cancelled line cannot be installed.")), code="cancelled")
    if device.status in ("retired", "lost"):
        raise Conflict(str(_l("Lines cannot be installed in a retired or lost device.")),
                       code="device_unavailable")
    if line.device_id is not None:
        raise Conflict(str(_l("This line is installed in %(tag)s: remove it there first.",
                              tag=line.device.asset_tag)), code="installed_elsewhere")
    done = db.session.execute(update(Line).where(Line.id == line.id, Line.device_id.is_(None))
                              .values(device_id=device.id)
                              .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise Conflict(str(_l("The line was installed elsewhere meanwhile. Reload.")),
                       code="stale")
    db.session.refresh(line)
    record_event("installed", actor=actor, device_id=device.id, line_id=line.id,
                 asset_tag=device.asset_tag, line=line.label)
    return line


def remove_line(line: Line, actor: User) -> Device:
    """Take ``line`` out of the device it is installed in; returns that device."""
    device = line.device
    if device is None:
        raise DomainError(str(_l("This line is not installed in any device.")),
                          code="not_installed")
    done = db.session.execute(update(Line).where(Line.id == line.id,
                                                 Line.device_id == device.id)
                              .values(device_id=None)
                              .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise Conflict(str(_l("The line was moved meanwhile. Reload.")), code="stale")
    db.session.refresh(line)
    record_event("removed", actor=actor, device_id=device.id, line_id=line.id,
                 asset_tag=device.asset_tag, line=line.label)
    return device


# --- finding and listing ----------------------------------------------------------------------


def find_line(text: object) -> Line | None:
    """The line with this phone number, ICCID or data-line id (as typed), if any."""
    if not isinstance(text, str) or not text.strip():
        return None
    raw = f.normalise_search(text)
    digits = "".join(c for c in raw if c.isdigit()) if raw.replace("-", "").replace(
        " ", "").replace("+", "").isdigit() else ""
    conditions = [Line.data_line_id == raw]
    if digits:
        number = digits if not raw.startswith("+81") else "0" + digits[2:].lstrip("0")
        conditions += [Line.number == number, Line.iccid == digits]
    return db.session.scalar(select(Line).where(or_(*conditions)).limit(1))


def find_device(tag: object) -> Device | None:
    """The device with this asset tag (case and width ignored), if any."""
    if not isinstance(tag, str) or not tag.strip():
        return None
    return db.session.scalar(select(Device).where(
        Device.asset_tag == f.normalise_search(tag).upper()))


def line_query(*, status: str | None = None, carrier: str | None = None,
               q: str | None = None) -> Select:
    """Lines matching the filters, by number (then data-line id). ``q`` searches the number,
    the data-line id and the ICCID."""
    stmt = (select(Line).options(joinedload(Line.device))
            .order_by(func.coalesce(Line.number, Line.data_line_id), Line.id))
    if status:
        stmt = stmt.where(Line.status == status)
    if carrier:
        stmt = stmt.where(Line.carrier == carrier)
    if q:
        raw = f.normalise_search(q)
        digits = f.search_digits(raw)
        conditions = [func.upper(Line.data_line_id).like(like(raw).upper(), escape="\\")]
        if digits:
            conditions += [Line.number.like(like(digits), escape="\\"),
                           Line.iccid.like(like(digits), escape="\\")]
        stmt = stmt.where(or_(*conditions))
    return stmt


def carriers() -> list[str]:
    """The carriers in use, for a filter."""
    return list(db.session.scalars(select(Line.carrier).distinct().order_by(Line.carrier)))
