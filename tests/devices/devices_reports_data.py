"""A small office with devices, lines and loans for the device report, job and label tests.

Today is 2026-04-14 (Japan). Departments: GEN 総務局 > IT 情報政策課, GEN > SOMU 総務課; FIN
財政課. ``boss`` manages GEN (so IT and SOMU), ``finboss`` manages FIN, ``it`` is IT staff.

Loans (open unless said):
  a_laptop   emp1 (IT)   laptop PC-1, due 04-11 (overdue 3 days), unconfirmed, from 04-04
  a_line     emp1 (IT)   line L1 (docomo ¥3,000), confirmed
  a_router   emp2 (SOMU) router RT-1 with line L2 (au ¥2,000) inside, due 04-24,
                         unconfirmed, from 04-13
  a_tablet   emp3 (FIN)  tablet TB-1, due 04-13 (overdue 1 day), confirmed
  a_nodept   nodept      line L5 (¥1,000), unconfirmed, from 04-09
  a_leaver   leaver (SOMU, account closed) phone SP-1, due 03-25 (overdue 20 days), confirmed
  returned   emp2 laptop PC-2, returned
Lines: L3 SoftBank ¥1,500 and L6 (no cost) in stock; L4 ¥9,999 cancelled.
Contracts: L1 ends in 30 days (window 60), L2 in 120 (window 150), L3 in 200 (window 30),
L4 in 10 (cancelled), L5 ended 5 days ago, L6 ends in 90 (no window).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.office import login
from workhub.devices.models import Allocation, Device, DeviceModel, Line
from workhub.extensions import db

TODAY = date(2026, 4, 14)
NOW = datetime(2026, 4, 14, 10, 0, tzinfo=UTC) - timedelta(hours=9)  # 10:00 in Japan


def at(day: date, hour: int = 10) -> datetime:
    """``day`` at ``hour`` o'clock Japan time, as UTC."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=9)


@dataclass
class Inventory:
    models: dict[str, int]
    devices: dict[str, int]
    lines: dict[str, int]
    loans: dict[str, int]


def build_people(make_department, make_user) -> dict:
    make_department("GEN", "総務局", name_en="General Affairs Bureau")
    make_department("IT", "情報政策課", parent="GEN", name_en="IT Policy Division")
    make_department("SOMU", "総務課", parent="GEN", name_en="General Affairs Division")
    make_department("FIN", "財政課", name_en="Finance Division")
    return {
        "it": make_user("it", ("employee", "it_admin"), "IT"),
        "admin": make_user("admin", ("employee", "admin")),
        "boss": make_user("boss", ("employee", "manager"), "GEN"),
        "finboss": make_user("finboss", ("employee", "manager"), "FIN"),
        "emp1": make_user("emp1", department="IT", display_name="社員 一郎"),
        "emp2": make_user("emp2", department="SOMU", display_name="社員 二郎"),
        "emp3": make_user("emp3", department="FIN", display_name="社員 三郎"),
        "nodept": make_user("nodept", display_name="無所属 四郎"),
        "leaver": make_user("leaver", department="SOMU", display_name="退職 五郎",
                            active=False),
        "hr": make_user("hr", ("employee", "hr"), "FIN"),
    }


def _model(kind: str, maker: str, name: str) -> DeviceModel:
    row = DeviceModel(kind=kind, maker=maker, name=name)
    db.session.add(row)
    db.session.flush()
    return row


def _device(tag: str, model: DeviceModel, status: str = "in_stock", **extra) -> Device:
    row = Device(asset_tag=tag, model_id=model.id, maker=model.maker, status=status,
                 serial=f"SN-{tag}", **extra)
    db.session.add(row)
    db.session.flush()
    return row


def _line(number: str, carrier: str, cost: int | None, ends_in: int | None,
          window: int | None = None, status: str = "in_stock", **extra) -> Line:
    row = Line(number=number, carrier=carrier, plan=f"{carrier} plan", monthly_cost=cost,
               contract_start=date(2024, 4, 1), status=status, renewal_window_days=window,
               contract_end=TODAY + timedelta(days=ends_in) if ends_in is not None else None,
               **extra)
    db.session.add(row)
    db.session.flush()
    return row


def _loan(user_id: int, *, device: Device | None = None, line: Line | None = None,
          since: date, due: date | None = None, confirmed: bool = False,
          returned: bool = False) -> Allocation:
    row = Allocation(user_id=user_id, device_id=device.id if device else None,
                     line_id=line.id if line else None, allocated_at=at(since), due_date=due,
                     confirmed_at=at(since, 15) if confirmed else None,
                     returned_at=at(since + timedelta(days=2)) if returned else None,
                     return_condition="good" if returned else None)
    db.session.add(row)
    db.session.flush()
    return row


def build_inventory(people: dict) -> Inventory:
    """The devices, lines and loans of the module docstring (inside an app context)."""
    ids = {name: info.id for name, info in people.items()}
    m = {
        "sv": _model("laptop", "Panasonic", "Let's note SV"),
        "g83": _model("laptop", "Dynabook", "G83"),
        "ipad": _model("tablet", "Apple", "iPad"),
        "unused": _model("tablet", "Apple", "iPad mini"),
        "se": _model("smartphone", "Apple", "iPhone SE"),
        "aterm": _model("router", "NEC", "Aterm MR10LN"),
    }
    d = {
        "PC-1": _device("PC-1", m["sv"], "allocated"),
        "PC-2": _device("PC-2", m["sv"], location="本庁舎 3F 倉庫"),
        "PC-3": _device("PC-3", m["g83"], "in_repair"),
        "PC-4": _device("PC-4", m["g83"], "retired"),
        "TB-1": _device("TB-1", m["ipad"], "allocated"),
        "SP-1": _device("SP-1", m["se"], "allocated"),
        "SP-2": _device("SP-2", m["se"], "lost"),
        "RT-1": _device("RT-1", m["aterm"], "allocated"),
    }
    lines = {
        "L1": _line("09000000001", "docomo", 3000, 30, 60, "allocated"),
        "L2": _line("09000000002", "au", 2000, 120, 150, device_id=d["RT-1"].id),
        "L3": _line("09000000003", "SoftBank", 1500, 200, 30),
        "L4": _line("09000000004", "docomo", 9999, 10, status="cancelled"),
        "L5": _line("09000000005", "docomo", 1000, -5, status="allocated"),
        "L6": _line(None, "au", None, 90, data_line_id="DATA-6"),
    }
    loans = {
        "returned": _loan(ids["emp2"], device=d["PC-2"], since=date(2026, 1, 5),
                          confirmed=True, returned=True),
        "a_laptop": _loan(ids["emp1"], device=d["PC-1"], since=date(2026, 4, 4),
                          due=date(2026, 4, 11)),
        "a_line": _loan(ids["emp1"], line=lines["L1"], since=date(2026, 4, 4), confirmed=True),
        "a_router": _loan(ids["emp2"], device=d["RT-1"], since=date(2026, 4, 13),
                          due=date(2026, 4, 24)),
        "a_tablet": _loan(ids["emp3"], device=d["TB-1"], since=date(2026, 3, 1),
                          due=date(2026, 4, 13), confirmed=True),
        "a_nodept": _loan(ids["nodept"], line=lines["L5"], since=date(2026, 4, 9)),
        "a_leaver": _loan(ids["leaver"], device=d["SP-1"], since=date(2026, 2, 1),
                          due=date(2026, 3, 25), confirmed=True),
    }
    db.session.commit()
    return Inventory({k: v.id for k, v in m.items()}, {k: v.id for k, v in d.items()},
                     {k: v.id for k, v in lines.items()}, {k: v.id for k, v in loans.items()})



def build_office(app, make_department, make_user) -> tuple[dict, Inventory]:
    """The people (UserInfo by name) and the inventory (ids) of the module docstring."""
    people = build_people(make_department, make_user)
    with app.app_context():
        return people, build_inventory(people)


def signed_in(app, user):
    """A new client signed in as ``user`` (so several people can be used in one test)."""
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


# Fixtures for the test modules, which bind them with ``office = data.office``.
@pytest.fixture
def office(app, make_department, make_user) -> tuple[dict, Inventory]:
    return build_office(app, make_department, make_user)


@pytest.fixture
def as_user(app, office):
    return lambda name: signed_in(app, office[0][name])
