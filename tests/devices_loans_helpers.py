"""People and inventory for the loan and request tests, created straight through the
services in the test's own session (nobody signs in here, so no slow password hashes)."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from workhub.devices.models import Device, DeviceModel, InventoryEvent, Line
from workhub.extensions import db
from workhub.jobs.models import Job
from workhub.notify.models import Notification
from workhub.org.services import create_department, create_user

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 13, 10, 0, tzinfo=JST)  # a Friday
TODAY = date(2026, 11, 13)
DUE = date(2026, 12, 25)


def person(login: str, *roles: str, department: str | None = None, active: bool = True):
    user = create_user(login, display_name=f"試験 {login}", roles=roles or ("employee",),
                       department_code=department, email=f"{login}@city.example.jp",
                       password_hash="!unusable")
    user.active = active
    user.language = "en"
    return user


def org() -> SimpleNamespace:
    """A city with two sections: JINJI (emp, mate, boss the manager) and ZAISEI (zemp,
    zboss); IT staff, an administrator, HR, and a deactivated leaver in JINJI."""
    create_department("CITY", "市役所")
    create_department("JINJI", "人事課", "Personnel", "CITY")
    create_department("ZAISEI", "財政課", "Finance", "CITY")
    staff = SimpleNamespace(
        emp=person("emp", department="JINJI"),
        mate=person("mate", department="JINJI"),
        boss=person("boss", "employee", "manager", department="JINJI"),
        zemp=person("zemp", department="ZAISEI"),
        zboss=person("zboss", "employee", "manager", department="ZAISEI"),
        it=person("it", "it_admin", department="CITY"),
        admin=person("admin", "admin"),
        hr=person("hr", "hr", department="CITY"),
        gone=person("gone", department="JINJI", active=False),
    )
    db.session.flush()
    return staff


def inventory() -> SimpleNamespace:
    """Three laptops, a tablet, a router with a line installed, and two free lines."""
    laptop = DeviceModel(kind="laptop", maker="Fujitsu", name="LIFEBOOK U9")
    tablet = DeviceModel(kind="tablet", maker="Apple", name="iPad 10")
    router = DeviceModel(kind="router", maker="NEC", name="Aterm MR10")
    db.session.add_all([laptop, tablet, router])

    def device(tag, model, status="in_stock"):
        row = Device(asset_tag=tag, model=model, maker=model.maker, serial=tag.lower(),
                     status=status)
        db.session.add(row)
        return row

    items = SimpleNamespace(
        pc1=device("PC-001", laptop), pc2=device("PC-002", laptop), pc3=device("PC-003", laptop),
        tab=device("TAB-001", tablet), wifi=device("WR-001", router),
    )
    db.session.flush()
    items.sim = Line(number="08011112222", carrier="docomo", device_id=items.wifi.id,
                     monthly_cost=1980)
    items.line = Line(number="09033334444", carrier="au", monthly_cost=2980)
    items.data = Line(data_line_id="DL-7", carrier="SoftBank")
    db.session.add_all([items.sim, items.line, items.data])
    db.session.flush()
    return items


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def events(action: str, **by) -> list[InventoryEvent]:
    stmt = select(InventoryEvent).where(InventoryEvent.action == action)
    for name, value in by.items():
        stmt = stmt.where(getattr(InventoryEvent, name) == value)
    return list(db.session.scalars(stmt.order_by(InventoryEvent.id)))


def notes_of(user, event: str | None = None) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user.id)
    if event:
        stmt = stmt.where(Notification.event == event)
    return list(db.session.scalars(stmt.order_by(Notification.id)))


def mails_to(address: str) -> list[dict]:
    return [j.payload for j in db.session.scalars(select(Job).where(Job.kind == "mail.send"))
            if j.payload.get("to") == address]
