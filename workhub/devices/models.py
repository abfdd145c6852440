"""Tables of the devices package: lent devices, communication lines, who holds what.

* A **device model** groups identical devices ("3 of model X in stock").
* A **device** is one physical item with a unique asset tag.
* A **line** is a communication contract (phone number and/or data-line id, SIM or eSIM);
  it may be *installed in* a device (``lines.device_id``) and/or *held by* a person (an
  allocation), and both are tracked.
* An **allocation** lends one device or one line to one person. The partial unique indexes
  ``uq_allocations_device_open`` / ``uq_allocations_line_open`` make a second open allocation
  of the same item impossible in the database itself; services turn the IntegrityError into
  a 409. Allocations made together share a ``kit_id``.
* **Inventory events** are the history (per device, per line, per person); rows are only
  ever inserted.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workhub.database import UTCDateTime, one_of, utcnow
from workhub.extensions import db
from workhub.org.models import User

DEVICE_KINDS = ("laptop", "tablet", "smartphone", "router")
# Loan terms exist per device kind and for lines.
TERMS_KINDS = (*DEVICE_KINDS, "line")
DEVICE_STATUSES = ("in_stock", "allocated", "in_repair", "lost", "retired")
LINE_STATUSES = ("in_stock", "allocated", "suspended", "cancelled")
SIM_TYPES = ("sim", "esim")
RETURN_CONDITIONS = ("good", "damaged", "faulty", "lost")
REQUEST_KINDS = (*DEVICE_KINDS, "line")
REQUEST_STATUSES = ("pending", "approved", "waitlisted", "fulfilled", "rejected", "cancelled")
OPEN_REQUEST_STATUSES = ("pending", "approved", "waitlisted")
PERMISSIONS = ("line_secrets",)


class DeviceModel(db.Model):
    """Identical devices: kind, maker and model name."""

    __tablename__ = "device_models"
    __table_args__ = (
        CheckConstraint(one_of("kind", DEVICE_KINDS), name="kind_known"),
        UniqueConstraint("kind", "maker", "name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    maker: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<DeviceModel {self.kind} {self.maker} {self.name}>"


class Device(db.Model):
    __tablename__ = "devices"
    __table_args__ = (
        CheckConstraint(one_of("status", DEVICE_STATUSES), name="status_known"),
        # The maker is copied from the model so the database can hold serials unique per maker.
        UniqueConstraint("maker", "serial", name="uq_devices_maker_serial"),
        Index("ix_devices_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asset_tag: Mapped[str] = mapped_column(String(40), unique=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("device_models.id", ondelete="RESTRICT"),
                                          index=True)
    maker: Mapped[str] = mapped_column(String(100))
    serial: Mapped[str | None] = mapped_column(String(100))
    os: Mapped[str | None] = mapped_column(String(100))
    purchase_date: Mapped[date | None] = mapped_column(Date)
    warranty_end: Mapped[date | None] = mapped_column(Date)
    location: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="in_stock")
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    model: Mapped[DeviceModel] = relationship()

    @property
    def kind(self) -> str:
        return self.model.kind

    def __repr__(self) -> str:
        return f"<Device {self.asset_tag}>"


class Line(db.Model):
    """A communication line. PIN and PUK are encrypted (workhub.devices.secrets)."""

    __tablename__ = "lines"
    __table_args__ = (
        CheckConstraint(one_of("status", LINE_STATUSES), name="status_known"),
        CheckConstraint(one_of("sim_type", SIM_TYPES), name="sim_type_known"),
        CheckConstraint("number IS NOT NULL OR data_line_id IS NOT NULL",
                        name="number_or_data_line_id"),
        CheckConstraint("monthly_cost IS NULL OR monthly_cost >= 0", name="cost_not_negative"),
        CheckConstraint("contract_end IS NULL OR contract_start IS NULL "
                        "OR contract_end >= contract_start", name="contract_in_order"),
        Index("ix_lines_status", "status"),
        Index("ix_lines_contract_end", "contract_end"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)  # digits only
    data_line_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    iccid: Mapped[str | None] = mapped_column(String(22), unique=True)
    sim_type: Mapped[str] = mapped_column(String(8), default="sim")
    carrier: Mapped[str] = mapped_column(String(100))
    plan: Mapped[str | None] = mapped_column(String(100))
    data_cap_gb: Mapped[int | None] = mapped_column(Integer)
    monthly_cost: Mapped[int | None] = mapped_column(Integer)  # yen, tax included
    contract_start: Mapped[date | None] = mapped_column(Date)
    contract_end: Mapped[date | None] = mapped_column(Date)
    renewal_window_days: Mapped[int | None] = mapped_column(Integer)  # notice before the end
    status: Mapped[str] = mapped_column(String(16), default="in_stock")
    # The device this SIM/eSIM is installed in, if any.
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id", ondelete="SET NULL"),
                                                  index=True)
    pin_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    puk_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    device: Mapped[Device | None] = relationship()

    @property
    def label(self) -> str:
        return self.number or self.data_line_id or f"#{self.id}"

    def __repr__(self) -> str:
        return f"<Line {self.label}>"


class LoanTerms(db.Model):
    """The loan terms text a holder accepts when confirming receipt, per kind."""

    __tablename__ = "loan_terms"
    __table_args__ = (CheckConstraint(one_of("kind", TERMS_KINDS), name="kind_known"),)

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    text_ja: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class DeviceRequest(db.Model):
    """An employee's request for a device or line for telework."""

    __tablename__ = "device_requests"
    __table_args__ = (
        CheckConstraint(one_of("kind", REQUEST_KINDS), name="kind_known"),
        CheckConstraint(one_of("status", REQUEST_STATUSES), name="status_known"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_in_order"),
        Index("ix_device_requests_status", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    purpose: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    needs_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_comment: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Allocation(db.Model):
    """One device or one line lent to one person, from allocation until return."""

    __tablename__ = "allocations"
    __table_args__ = (
        CheckConstraint("(device_id IS NULL) <> (line_id IS NULL)", name="one_item"),
        CheckConstraint(one_of("return_condition", RETURN_CONDITIONS), name="condition_known"),
        CheckConstraint("returned_at IS NULL OR returned_at >= allocated_at",
                        name="returned_after_allocated"),
        # The rule that matters most: an item is held by at most one person at a time.
        Index("uq_allocations_device_open", "device_id", unique=True,
              sqlite_where=text("returned_at IS NULL"),
              postgresql_where=text("returned_at IS NULL")),
        Index("uq_allocations_line_open", "line_id", unique=True,
              sqlite_where=text("returned_at IS NULL"),
              postgresql_where=text("returned_at IS NULL")),
        Index("ix_allocations_user", "user_id", "returned_at"),
        Index("ix_allocations_due", "returned_at", "due_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id", ondelete="RESTRICT"),
                                                  index=True)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("lines.id", ondelete="RESTRICT"),
                                                index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    kit_id: Mapped[str | None] = mapped_column(String(36), index=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("device_requests.id", ondelete="SET NULL"), index=True)
    allocated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    allocated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_date: Mapped[date | None] = mapped_column(Date)
    handover_notes: Mapped[str | None] = mapped_column(Text)
    # Receipt confirmation (受領確認) by the holder, with the version of the terms accepted.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    terms_version: Mapped[int | None] = mapped_column(Integer)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    return_condition: Mapped[str | None] = mapped_column(String(16))
    return_notes: Mapped[str | None] = mapped_column(Text)

    device: Mapped[Device | None] = relationship()
    line: Mapped[Line | None] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def is_open(self) -> bool:
        return self.returned_at is None


class InventoryEvent(db.Model):
    """History: one row per thing that happened to a device, a line or a person's loans.
    Only ever inserted (services never update or delete these rows)."""

    __tablename__ = "inventory_events"
    __table_args__ = (
        Index("ix_inventory_events_device", "device_id", "at"),
        Index("ix_inventory_events_line", "line_id", "at"),
        Index("ix_inventory_events_user", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    line_id: Mapped[int | None] = mapped_column(ForeignKey("lines.id", ondelete="CASCADE"))
    # The person concerned (the holder), for the per-person history.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    allocation_id: Mapped[int | None] = mapped_column(
        ForeignKey("allocations.id", ondelete="SET NULL"))
    # created, edited, status, allocated, confirmed, returned, repair, installed, removed,
    # secret_set, reminded, imported …
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)  # JSON: changed fields {"f": [old, new]}

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])


class UserPermission(db.Model):
    """A permission beyond the roles, granted to one person (e.g. revealing SIM PIN/PUK)."""

    __tablename__ = "user_permissions"
    __table_args__ = (
        CheckConstraint(one_of("name", PERMISSIONS), name="name_known"),
        UniqueConstraint("user_id", "name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(32))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
