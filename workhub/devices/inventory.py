"""Devices and device models: create, edit, change status; the list queries IT pages use.

Status rules (a device's ``status``):

* ``allocated`` belongs to the loans services: it is set when a device is allocated to a
  person and cleared when it is returned. It is refused here.
* Manual changes: ``in_stock`` → ``in_repair`` | ``lost`` | ``retired``;
  ``in_repair`` → ``in_stock`` | ``lost`` | ``retired``; ``lost`` → ``in_stock`` (found) |
  ``retired``; ``retired`` is final.
* A device on loan (an open allocation) keeps its status until the return is recorded (a lost
  one is returned with the condition "lost"): the history then tells who lost it.
* A device with lines installed cannot be retired: remove the SIMs first.

Every change writes an inventory event with the fields that changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload

from workhub.devices import fields as f
from workhub.devices.history import record_event
from workhub.devices.models import (
    DEVICE_KINDS,
    Allocation,
    Device,
    DeviceModel,
    Line,
)
from workhub.errors import Conflict, DomainError
from workhub.extensions import db
from workhub.org.models import User

DEVICE_FIELDS = ("asset_tag", "kind", "maker", "model", "serial", "os", "purchase_date",
                 "warranty_end", "location", "notes")
STATUS_LABELS = {
    "in_stock": _l("In stock"),
    "allocated": _l("On loan"),
    "in_repair": _l("In repair"),
    "lost": _l("Lost"),
    "retired": _l("Retired"),
}
MANUAL_STATUSES = ("in_stock", "in_repair", "lost", "retired")
TRANSITIONS = {
    "in_stock": ("in_repair", "lost", "retired"),
    "in_repair": ("in_stock", "lost", "retired"),
    "lost": ("in_stock", "retired"),
    "retired": (),
    "allocated": (),
}
MAX_STATUS_NOTE = 500


def clean_device(raw: Mapping[str, object]) -> dict:
    """The checked values of a device from ``raw`` (form, JSON or CSV strings); ``Invalid``
    lists every problem."""
    c = f.Checker()
    data = {
        "asset_tag": c.run(f.asset_tag, raw.get("asset_tag")),
        "kind": c.run(f.kind, raw.get("kind")),
        "maker": c.run(f.text, raw.get("maker"), "maker", max_length=100, required=True,
                       nfkc=True),
        "model": c.run(f.text, raw.get("model"), "model", max_length=100, required=True,
                       nfkc=True),
        "serial": c.run(f.identifier, raw.get("serial"), "serial", max_length=100),
        "os": c.run(f.text, raw.get("os"), "os", max_length=100),
        "purchase_date": c.run(f.day, raw.get("purchase_date"), "purchase_date"),
        "warranty_end": c.run(f.day, raw.get("warranty_end"), "warranty_end"),
        "location": c.run(f.text, raw.get("location"), "location", max_length=200),
        "notes": c.run(f.text, raw.get("notes"), "notes", max_length=f.MAX_NOTES,
                       multiline=True),
    }
    bought, warranty = data["purchase_date"], data["warranty_end"]
    if bought and warranty and warranty < bought:
        c.add("warranty_end", _l("The warranty cannot end before the purchase date."))
    c.done()
    return data


# --- device models ----------------------------------------------------------------------------


def find_model(kind: str, maker: str, name: str) -> DeviceModel | None:
    """The model with this kind, maker and name: spelt exactly so, else ignoring the case of
    letters (of ASCII letters only on SQLite, whose lower() knows no others)."""
    exact = and_(DeviceModel.maker == maker, DeviceModel.name == name)
    return db.session.scalar(
        select(DeviceModel).where(
            DeviceModel.kind == kind,
            or_(exact, and_(func.lower(DeviceModel.maker) == maker.lower(),
                            func.lower(DeviceModel.name) == name.lower())))
        # The exact spelling first: it is the row the unique constraint would clash with.
        .order_by(case((exact, 0), else_=1), DeviceModel.id).limit(1))


def find_or_create_model(kind: str, maker: str, name: str) -> DeviceModel:
    """The model for ``kind``/``maker``/``name``, created on first use."""
    if kind not in DEVICE_KINDS:
        raise DomainError(str(_l("Unknown kind: use laptop, tablet, smartphone or router.")),
                          field="kind")
    model = find_model(kind, maker, name)
    if model is not None:
        return model
    model = DeviceModel(kind=kind, maker=maker, name=name)
    try:
        with db.session.begin_nested():
            db.session.add(model)
            db.session.flush()
    except IntegrityError:
        # Another request created it between our look and our insert.
        model = find_model(kind, maker, name)
        if model is None:
            raise
    return model


@dataclass
class ModelCount:
    """One model and how many of its devices are in each status."""

    model: DeviceModel
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def in_stock(self) -> int:
        return self.counts.get("in_stock", 0)


def model_counts(kind: str | None = None) -> list[ModelCount]:
    """Every model (of ``kind``) with its device counts per status, by kind, maker, name."""
    stmt = (select(DeviceModel, Device.status, func.count(Device.id))
            .outerjoin(Device, Device.model_id == DeviceModel.id)
            .group_by(DeviceModel.id, Device.status)
            .order_by(DeviceModel.kind, DeviceModel.maker, DeviceModel.name))
    if kind:
        stmt = stmt.where(DeviceModel.kind == kind)
    out: dict[int, ModelCount] = {}
    for model, status, count in db.session.execute(stmt):
        row = out.setdefault(model.id, ModelCount(model))
        if status is not None:
            row.counts[status] = count
    return list(out.values())


# --- devices ----------------------------------------------------------------------------------


def _ensure_unique(asset_tag: str, maker: str, serial: str | None,
                   exclude_id: int | None = None) -> None:
    others = select(Device).where(Device.id != exclude_id) if exclude_id else select(Device)
    if db.session.scalar(others.where(Device.asset_tag == asset_tag).limit(1)) is not None:
        raise Conflict(str(_l("The asset tag %(tag)s is already used by another device.",
                              tag=asset_tag)), code="duplicate_asset_tag", field="asset_tag")
    if serial:
        twin = db.session.scalar(others.where(Device.maker == maker, Device.serial == serial)
                                 .limit(1))
        if twin is not None:
            raise Conflict(str(_l("%(maker)s serial number %(serial)s is already recorded "
                                  "(asset tag %(tag)s).", maker=maker, serial=serial,
                                  tag=twin.asset_tag)), code="duplicate_serial",
                           field="serial")


def _flush(row: Device) -> None:
    """Write ``row`` now; a twin written by another request meanwhile is a 409."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError as exc:
        raise Conflict(str(_l("Another device with this asset tag or serial number was saved "
                              "meanwhile. Reload and check.")), code="duplicate") from exc


def _detail(data: dict) -> dict:
    return {k: v for k, v in data.items() if v not in (None, "")}


def add_device(data: dict, actor: User | None, *, status: str = "in_stock",
               action: str = "created") -> Device:
    """Insert a device from values already checked by ``clean_device``."""
    model = find_or_create_model(data["kind"], data["maker"], data["model"])
    _ensure_unique(data["asset_tag"], model.maker, data["serial"])
    device = Device(asset_tag=data["asset_tag"], model=model, maker=model.maker,
                    serial=data["serial"], os=data["os"], purchase_date=data["purchase_date"],
                    warranty_end=data["warranty_end"], location=data["location"],
                    notes=data["notes"], status=status)
    _flush(device)
    record_event(action, actor=actor, device_id=device.id,
                 fields={**_detail(data), "status": status})
    return device


def create_device(raw: Mapping[str, object], actor: User) -> Device:
    """Add a device (in stock). Asset tags are unique, serials unique per maker (409)."""
    return add_device(clean_device(raw), actor)


def device_values(device: Device) -> dict:
    """The editable values of ``device`` (the shape of ``clean_device``)."""
    return {"asset_tag": device.asset_tag, "kind": device.model.kind, "maker": device.maker,
            "model": device.model.name, "serial": device.serial, "os": device.os,
            "purchase_date": device.purchase_date, "warranty_end": device.warranty_end,
            "location": device.location, "notes": device.notes}


def edit_device(device: Device, raw: Mapping[str, object], actor: User) -> dict:
    """Change ``device``'s values; returns the changes ``{field: [old, new]}`` (none: no
    event)."""
    data = clean_device(raw)
    model = find_or_create_model(data["kind"], data["maker"], data["model"])
    _ensure_unique(data["asset_tag"], model.maker, data["serial"], exclude_id=device.id)
    before = device_values(device)
    after = {**data, "kind": model.kind, "maker": model.maker, "model": model.name}
    changes = {k: [before[k], after[k]] for k in DEVICE_FIELDS if before[k] != after[k]}
    if not changes:
        return {}
    device.model = model
    device.maker = model.maker
    for name in ("asset_tag", "serial", "os", "purchase_date", "warranty_end", "location",
                 "notes"):
        setattr(device, name, after[name])
    _flush(device)
    record_event("edited", actor=actor, device_id=device.id, changes=changes)
    return changes


def open_allocation(*, device_id: int | None = None, line_id: int | None = None
                    ) -> Allocation | None:
    """The open (not returned) allocation of a device or a line, if any."""
    column = Allocation.device_id if device_id is not None else Allocation.line_id
    return db.session.scalar(
        select(Allocation).where(column == (device_id if device_id is not None else line_id),
                                 Allocation.returned_at.is_(None))
        .options(joinedload(Allocation.user)))


def check_manual_status(current: str, wanted: object, transitions: dict, labels: dict,
                        allocation: Allocation | None) -> str:
    """Whether an item in ``current`` status may be set to ``wanted`` by hand (devices and
    lines share the shape of the rule); returns the status."""
    if wanted == "allocated":
        raise DomainError(str(_l("An item is marked on loan only by allocating it to a "
                                 "person.")), code="allocated_by_loans", field="status")
    if wanted not in labels:
        raise f.Invalid([("status", str(_l("Choose a status from the list.")))])
    if allocation is not None:
        raise Conflict(str(_l("This is on loan to %(name)s: record its return first (with the "
                              "condition \u201clost\u201d if it was lost).",
                              name=allocation.user.display_name)), code="on_loan",
                       field="status")
    if wanted == current:
        raise DomainError(str(_l("The status is already %(status)s.",
                                 status=labels[current])), code="unchanged", field="status")
    if wanted not in transitions.get(current, ()):
        raise Conflict(str(_l("The status cannot change from %(old)s to %(new)s.",
                              old=labels[current], new=labels[wanted])),
                       code="transition", field="status")
    return wanted


def swap_status(model, row, old: str, new: str) -> None:
    """Set ``row.status`` from ``old`` to ``new`` in one conditional statement, so that an
    allocation made meanwhile is not overwritten (409 then)."""
    done = db.session.execute(update(model).where(model.id == row.id, model.status == old)
                              .values(status=new).execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise Conflict(str(_l("The status was changed meanwhile. Reload and try again.")),
                       code="stale")
    db.session.refresh(row)


def set_device_status(device: Device, status: object, actor: User,
                      note: object = None) -> Device:
    """Change a device's status by hand (see the module docstring for the rules)."""
    note = f.text(note, "note", max_length=MAX_STATUS_NOTE)
    old = device.status
    check_manual_status(old, status, TRANSITIONS, STATUS_LABELS,
                        open_allocation(device_id=device.id))
    if status == "retired" and installed_lines(device):
        raise Conflict(str(_l("Remove the lines installed in this device before retiring it.")),
                       code="lines_installed", field="status")
    swap_status(Device, device, old, status)
    record_event("status", actor=actor, device_id=device.id, changes={"status": [old, status]},
                 note=note)
    return device


def installed_lines(device: Device) -> list[Line]:
    return list(db.session.scalars(select(Line).where(Line.device_id == device.id)
                                   .order_by(Line.id)))


# --- lists ------------------------------------------------------------------------------------


def like(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def device_query(*, kind: str | None = None, status: str | None = None,
                 model_id: int | None = None, q: str | None = None) -> Select:
    """Devices matching the filters, by asset tag. ``q`` searches the asset tag, the serial
    and the numbers of the lines installed."""
    stmt = (select(Device).join(Device.model).options(contains_eager(Device.model))
            .order_by(Device.asset_tag))
    if kind:
        stmt = stmt.where(DeviceModel.kind == kind)
    if status:
        stmt = stmt.where(Device.status == status)
    if model_id:
        stmt = stmt.where(Device.model_id == model_id)
    if q:
        pattern = like(f.normalise_search(q))
        digits = f.search_digits(q)
        conditions = [func.upper(Device.asset_tag).like(pattern.upper(), escape="\\"),
                      func.upper(Device.serial).like(pattern.upper(), escape="\\")]
        if digits:
            conditions.append(Device.id.in_(select(Line.device_id).where(
                Line.number.like(like(digits), escape="\\"))))
        stmt = stmt.where(or_(*conditions))
    return stmt


def holders(*, device_ids=(), line_ids=()) -> dict[tuple[str, int], Allocation]:
    """The open allocations of these devices and lines, keyed ("device", id) / ("line", id)."""
    out: dict[tuple[str, int], Allocation] = {}
    ids_by_kind = (("device", Allocation.device_id, list(device_ids)),
                   ("line", Allocation.line_id, list(line_ids)))
    for name, column, ids in ids_by_kind:
        for start in range(0, len(ids), 500):
            rows = db.session.scalars(
                select(Allocation).where(column.in_(ids[start:start + 500]),
                                         Allocation.returned_at.is_(None))
                .options(joinedload(Allocation.user)))
            for row in rows:
                out[(name, row.device_id if name == "device" else row.line_id)] = row
    return out
