"""People and inventory for the loan and request tests, created straight through the
services in the test's own session (nobody signs in here, so no slow password hashes)."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from tests.office import TEST_PASSWORD
from workhub.devices.models import Device, DeviceModel, InventoryEvent, Line
from workhub.extensions import db
from workhub.jobs.models import Job
from workhub.notify.models import Notification
from workhub.org.services import create_department, create_user

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 13, 10, 0, tzinfo=JST)  # a Friday
TODAY = date(2026, 11, 13)
DUE = date(2026, 12, 25)


# Nobody signs in with this hash; the page tests use a cheap hash of the tests' password.
NO_PASSWORD = "!unusable"  # noqa: S105 - not a password: a hash no password matches
WEB_HASH = generate_password_hash(TEST_PASSWORD, method="pbkdf2:sha256:1000")


def person(login: str, *roles: str, department: str | None = None, active: bool = True,
           password_hash: str = NO_PASSWORD):
    user = create_user(login, display_name=f"試験 {login}", roles=roles or ("employee",),
                       department_code=department, email=f"{login}@city.example.jp",
                       password_hash=password_hash)
    user.active = active
    user.language = "en"
    return user


def org(password_hash: str = NO_PASSWORD) -> SimpleNamespace:
    """A city with two sections: JINJI (emp, mate, boss the manager) and ZAISEI (zemp,
    zboss); IT staff, an administrator, HR, and a deactivated leaver in JINJI. With
    ``password_hash`` (``WEB_HASH``) they can sign in with the tests' password."""
    create_department("CITY", "市役所")
    create_department("JINJI", "人事課", "Personnel", "CITY")
    create_department("ZAISEI", "財政課", "Finance", "CITY")
    h = {"password_hash": password_hash}
    staff = SimpleNamespace(
        emp=person("emp", department="JINJI", **h),
        mate=person("mate", department="JINJI", **h),
        boss=person("boss", "employee", "manager", department="JINJI", **h),
        zemp=person("zemp", department="ZAISEI", **h),
        zboss=person("zboss", "employee", "manager", department="ZAISEI", **h),
        it=person("it", "it_admin", department="CITY", **h),
        admin=person("admin", "admin", **h),
        hr=person("hr", "hr", department="CITY", **h),
        gone=person("gone", department="JINJI", active=False, **h),
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


class Caller:
    """Calls the JSON API with one person's bearer token."""

    def __init__(self, client, secret: str):
        self.client, self.headers = client, {"Authorization": f"Bearer {secret}"}

    def get(self, path, **params):
        return self.client.get(path, query_string=params, headers=self.headers)

    def post(self, path, body=None, **kw):
        if kw:
            return self.client.post(path, headers=self.headers, **kw)
        return self.client.post(path, json=body, headers=self.headers)


def api_callers(app, client) -> SimpleNamespace:
    """``org()`` and ``inventory()`` committed, laptop terms at version 4, and a ``Caller``
    per active person (``.emp``, ``.it`` …); ``.ids`` holds the items' ids."""
    from workhub.auth.services import create_token
    from workhub.devices.models import LoanTerms

    with app.app_context():
        staff, items = org(), inventory()
        db.session.add(LoanTerms(kind="laptop", text_ja="条件", text_en="Terms", version=4))
        callers = {name: Caller(client, create_token(user, "t")[1])
                   for name, user in vars(staff).items() if user.active}
        db.session.commit()
        ids = SimpleNamespace(**{k: v.id for k, v in vars(items).items()})
    for caller in callers.values():  # the first use stamps the token; later ones do not
        assert caller.get("/api/v1/me").status_code == 200
    return SimpleNamespace(ids=ids, app=app, **callers)


def schema(name: str):
    """A validator for the OpenAPI schema ``name``."""
    from openapi_schema_validator import OAS30Validator

    from workhub.api.openapi import build_openapi

    return OAS30Validator({"$ref": f"#/components/schemas/{name}",
                           "components": build_openapi()["components"]})


def web_site(app) -> SimpleNamespace:
    """``org()`` (people who can sign in) and ``inventory()`` committed; ``.ids`` holds the
    ids of both, ``.client(login)`` returns a page client signed in as that person."""
    from tests.office import login

    with app.app_context():
        staff, items = org(WEB_HASH), inventory()
        db.session.commit()
        ids = SimpleNamespace(**{k: v.id for k, v in vars(staff).items()},
                              **{k: v.id for k, v in vars(items).items()})

    def client_for(name: str):
        client = app.test_client()
        assert login(client, name, TEST_PASSWORD).status_code == 302
        return client

    return SimpleNamespace(ids=ids, client=client_for, app=app)
