"""Inventory services: devices and models, lines, the manual status rules, installing lines
in devices, the list queries; every change in the history."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.devices.devices_inventory_data import device_data, iccid, line_data
from workhub.devices import fields, inventory, lines
from workhub.devices.fields import Invalid
from workhub.devices.models import Allocation, Device, DeviceModel, InventoryEvent
from workhub.errors import Conflict, DomainError
from workhub.extensions import db
from workhub.org.models import User
from workhub.pagination import paginate

pytestmark = pytest.mark.usefixtures("fast_hashing", "english")


@pytest.fixture
def it(app_ctx, make_user):
    info = make_user("it-staff", roles=("it_admin",))
    return db.session.get(User, info.id)


def events(**where) -> list[InventoryEvent]:
    stmt = select(InventoryEvent).order_by(InventoryEvent.id)
    for name, value in where.items():
        stmt = stmt.where(getattr(InventoryEvent, name) == value)
    return list(db.session.scalars(stmt))


def problems(exc_info) -> dict[str, str]:
    return dict(exc_info.value.problems)


# --- fields -------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [
    ("090-1234-5678", "09012345678"), ("０９０ １２３４ ５６７８", "09012345678"),
    ("+81 90-1234-5678", "09012345678"), ("(03)1234-5678", "0312345678"),
    ("020-1234-5678-901", "020123456789 01".replace(" ", "")),
])
def test_phone_numbers_are_kept_as_digits(raw, expected):
    assert fields.phone_number(raw) == expected


@pytest.mark.parametrize("raw", ["090-1234", "090-abcd-5678", "1" * 16, "090１２３４５６７８x"])
def test_bad_phone_numbers_are_refused(raw):
    with pytest.raises(Invalid):
        fields.phone_number(raw)


def test_iccid_needs_19_or_20_digits_and_a_right_check_digit():
    good = iccid(1)
    assert fields.iccid(good[:4] + " " + good[4:]) == good
    assert fields.iccid(iccid(2, length=20)) == iccid(2, length=20)
    wrong = good[:-1] + str((int(good[-1]) + 1) % 10)
    for bad, word in ((wrong, "check digit"), (good[:-2], "19 or 20"), ("8981x" + good[5:],
                                                                      "19 or 20")):
        with pytest.raises(Invalid) as caught:
            fields.iccid(bad)
        assert word in caught.value.message


@pytest.mark.parametrize(("raw", "expected"), [
    ("2026-04-01", date(2026, 4, 1)), ("2026/4/1", date(2026, 4, 1)),
    ("2026年4月1日", date(2026, 4, 1)), ("", None),
])
def test_dates_in_usual_spellings(raw, expected):
    assert fields.day(raw, "d") == expected


@pytest.mark.parametrize("raw", ["2026-02-30", "01/04/2026", "1800-01-01", "tomorrow"])
def test_bad_dates_are_refused(raw):
    with pytest.raises(Invalid):
        fields.day(raw, "d")


# --- devices ------------------------------------------------------------------------------


def test_create_device_normalises_and_records(it):
    device = inventory.create_device(
        device_data("ｐｃ-0001", kind="ノートPC", maker="ＦＵＪＩＴＳＵ", serial=" SN1 ",
                    purchase_date="2025/4/1", warranty_end="2028-03-31"), it)
    assert (device.asset_tag, device.kind, device.maker, device.serial) == (
        "PC-0001", "laptop", "FUJITSU", "SN1")
    assert device.status == "in_stock" and device.purchase_date == date(2025, 4, 1)
    [event] = events(device_id=device.id)
    assert event.action == "created" and event.actor_id == it.id
    assert json.loads(event.detail)["fields"]["asset_tag"] == "PC-0001"


def test_devices_of_one_model_share_it_whatever_the_case(it):
    first = inventory.create_device(device_data("PC-1"), it)
    second = inventory.create_device(device_data("PC-2", maker="fujitsu",
                                                 model="lifebook u9"), it)
    other_kind = inventory.create_device(device_data("TB-1", kind="tablet"), it)
    assert first.model_id == second.model_id != other_kind.model_id
    assert second.maker == "Fujitsu"  # the model's spelling, so serials compare per maker
    assert db.session.scalar(select(func.count(DeviceModel.id))) == 2


def test_a_model_named_in_capitals_beyond_ascii_is_found_again(it):
    # The fuzz's second device of maker "ø…", model "*Ê…" was a 500: SQLite's lower() leaves
    # Ê as it is while Python's gives ê, the look-up missed the model and inserting it again
    # broke the unique constraint.
    first = inventory.create_device(device_data("PC-1", maker="Électronique",
                                                 model="ÜBER Ê1"), it)
    second = inventory.create_device(device_data("PC-2", maker="Électronique",
                                                 model="ÜBER Ê1"), it)
    assert first.model_id == second.model_id
    assert inventory.find_or_create_model("laptop", "Électronique", "ÜBER Ê1").id == \
        first.model_id
    assert db.session.scalar(select(func.count(DeviceModel.id))) == 1


def test_asset_tag_is_unique(it):
    inventory.create_device(device_data("PC-1"), it)
    with pytest.raises(Conflict) as caught:
        inventory.create_device(device_data("pc-1", serial="OTHER"), it)
    assert caught.value.status == 409 and caught.value.field == "asset_tag"
    assert "PC-1 is already used" in caught.value.message


def test_serial_is_unique_per_maker(it):
    inventory.create_device(device_data("PC-1", serial="X1"), it)
    with pytest.raises(Conflict) as caught:
        inventory.create_device(device_data("PC-2", serial="X1", model="Other model"), it)
    assert caught.value.field == "serial" and "PC-1" in caught.value.message
    # Another maker may use the same serial.
    inventory.create_device(device_data("PC-3", serial="X1", maker="NEC"), it)


def test_bad_device_values_are_all_reported(it):
    with pytest.raises(Invalid) as caught:
        inventory.create_device({"asset_tag": "PC 1", "kind": "toaster", "maker": "",
                                 "model": "x" * 101, "purchase_date": "2026-05-01",
                                 "warranty_end": "2026-04-30", "location": "a\x00b"}, it)
    found = problems(caught)
    assert set(found) == {"asset_tag", "kind", "maker", "model", "warranty_end", "location"}
    assert "before the purchase date" in found["warranty_end"]
    assert db.session.scalar(select(func.count(Device.id))) == 0


def test_edit_records_only_what_changed(it):
    device = inventory.create_device(device_data("PC-1"), it)
    values = inventory.device_values(device)
    assert inventory.edit_device(device, values, it) == {}
    changes = inventory.edit_device(device, {**values, "location": "3F", "model": "U10"}, it)
    assert changes == {"location": [None, "3F"], "model": ["LIFEBOOK U9", "U10"]}
    assert device.model.name == "U10"
    assert [e.action for e in events(device_id=device.id)] == ["created", "edited"]


def test_edit_cannot_take_another_devices_tag(it):
    inventory.create_device(device_data("PC-1"), it)
    second = inventory.create_device(device_data("PC-2"), it)
    with pytest.raises(Conflict):
        inventory.edit_device(second, {**inventory.device_values(second), "asset_tag": "PC-1"},
                              it)


# --- status -------------------------------------------------------------------------------


def test_manual_status_changes_follow_the_rules(it):
    device = inventory.create_device(device_data("PC-1"), it)
    inventory.set_device_status(device, "in_repair", it, "screen")
    inventory.set_device_status(device, "in_stock", it)
    inventory.set_device_status(device, "lost", it)
    inventory.set_device_status(device, "retired", it)
    for wanted in ("in_stock", "lost"):
        with pytest.raises(Conflict) as caught:
            inventory.set_device_status(device, wanted, it)
        assert caught.value.code == "transition"
    statuses = [json.loads(e.detail)["changes"]["status"] for e in events(device_id=device.id)
                if e.action == "status"]
    assert statuses == [["in_stock", "in_repair"], ["in_repair", "in_stock"],
                        ["in_stock", "lost"], ["lost", "retired"]]


@pytest.mark.parametrize(("wanted", "code"), [("allocated", "allocated_by_loans"),
                                              ("in_stock", "unchanged"), ("broken", "invalid")])
def test_refused_status_values(it, wanted, code):
    device = inventory.create_device(device_data("PC-1"), it)
    with pytest.raises(DomainError) as caught:
        inventory.set_device_status(device, wanted, it)
    assert caught.value.code == code and device.status == "in_stock"


def test_a_device_on_loan_keeps_its_status(it, make_user):
    holder = make_user("holder")
    device = inventory.create_device(device_data("PC-1"), it)
    db.session.add(Allocation(device_id=device.id, user_id=holder.id))
    db.session.flush()
    with pytest.raises(Conflict) as caught:
        inventory.set_device_status(device, "lost", it)
    assert caught.value.code == "on_loan" and "record its return" in caught.value.message
    assert inventory.holders(device_ids=[device.id])[("device", device.id)].user_id == holder.id


def test_retiring_needs_the_lines_removed_first(it):
    device = inventory.create_device(device_data("RT-1", kind="router"), it)
    line = lines.create_line(line_data(), it)
    lines.install_line(line, device, it)
    with pytest.raises(Conflict) as caught:
        inventory.set_device_status(device, "retired", it)
    assert caught.value.code == "lines_installed"
    lines.remove_line(line, it)
    inventory.set_device_status(device, "retired", it)


# --- lines --------------------------------------------------------------------------------


def test_create_line_and_uniqueness(it):
    line = lines.create_line(line_data(iccid=iccid(7), sim_type="eSIM",
                                       contract_start="2025-04-01", contract_end="2027-03-31"),
                             it)
    assert (line.number, line.monthly_cost, line.sim_type) == ("09011110001", 2980, "esim")
    for data, name in ((line_data("09011110001"), "number"),
                       (line_data("090-2222-0000", iccid=iccid(7)), "iccid")):
        with pytest.raises(Conflict) as caught:
            lines.create_line(data, it)
        assert caught.value.field == name and caught.value.code == f"duplicate_{name}"
    data_only = lines.create_line({"data_line_id": "D-1", "carrier": "KDDI"}, it)
    assert data_only.label == "D-1"
    with pytest.raises(Conflict):
        lines.create_line({"data_line_id": "D-1", "carrier": "KDDI"}, it)


def test_bad_line_values(it):
    with pytest.raises(Invalid) as caught:
        lines.create_line({"carrier": "", "monthly_cost": "-5", "data_cap_gb": "many",
                           "contract_start": "2026-04-01", "contract_end": "2026-03-01",
                           "renewal_window_days": "400"}, it)
    found = problems(caught)
    assert set(found) == {"carrier", "monthly_cost", "data_cap_gb", "contract_end",
                          "renewal_window_days", "number"}
    assert "negative" in found["monthly_cost"]
    assert "phone number or the data-line id" in found["number"]


def test_line_status_rules(it):
    line = lines.create_line(line_data(), it)
    lines.set_line_status(line, "suspended", it)
    lines.set_line_status(line, "cancelled", it)
    with pytest.raises(Conflict):
        lines.set_line_status(line, "in_stock", it)
    with pytest.raises(DomainError) as caught:
        lines.set_line_status(line, "allocated", it)
    assert caught.value.code == "allocated_by_loans"


def test_install_and_remove_are_in_both_histories(it):
    router = inventory.create_device(device_data("RT-1", kind="router"), it)
    phone = inventory.create_device(device_data("SP-1", kind="smartphone"), it)
    line = lines.create_line(line_data(), it)
    lines.install_line(line, router, it)
    assert line.device_id == router.id and inventory.installed_lines(router) == [line]
    with pytest.raises(Conflict) as caught:
        lines.install_line(line, phone, it)
    assert caught.value.code == "installed_elsewhere" and "RT-1" in caught.value.message
    with pytest.raises(DomainError):
        lines.install_line(line, router, it)
    assert lines.remove_line(line, it) == router and line.device_id is None
    with pytest.raises(DomainError):
        lines.remove_line(line, it)
    assert [e.action for e in events(device_id=router.id)] == ["created", "installed",
                                                                "removed"]
    assert [e.action for e in events(line_id=line.id)] == ["created", "installed", "removed"]


def test_no_install_in_a_lost_device_nor_of_a_cancelled_line(it):
    device = inventory.create_device(device_data("RT-1", kind="router"), it)
    line = lines.create_line(line_data(), it)
    inventory.set_device_status(device, "lost", it)
    with pytest.raises(Conflict):
        lines.install_line(line, device, it)
    other = inventory.create_device(device_data("RT-2", kind="router"), it)
    lines.set_line_status(line, "cancelled", it)
    with pytest.raises(Conflict):
        lines.install_line(line, other, it)


def test_finding_lines_and_devices_as_people_type_them(it):
    device = inventory.create_device(device_data("PC-77"), it)
    line = lines.create_line(line_data("090-1234-5678", iccid=iccid(5), data_line_id="DL-9"),
                             it)
    for typed in ("090-1234-5678", "+81 90 1234 5678", iccid(5), "DL-9"):
        assert lines.find_line(typed) == line, typed
    assert lines.find_line("080") is None and lines.find_line("") is None
    assert lines.find_device(" ｐｃ-77 ") == device and lines.find_device("PC-7") is None


# --- lists --------------------------------------------------------------------------------


def test_device_query_filters_and_search(it):
    laptop = inventory.create_device(device_data("PC-1", serial="ABC-123"), it)
    router = inventory.create_device(device_data("RT-1", kind="router", model="Aterm"), it)
    inventory.create_device(device_data("PC_2"), it)
    line = lines.create_line(line_data("090-5555-0001"), it)
    lines.install_line(line, router, it)
    inventory.set_device_status(laptop, "in_repair", it)

    def tags(**kw):
        return [d.asset_tag for d in db.session.scalars(inventory.device_query(**kw))]

    assert tags() == ["PC-1", "PC_2", "RT-1"]
    assert tags(kind="router") == ["RT-1"] and tags(status="in_repair") == ["PC-1"]
    assert tags(model_id=router.model_id) == ["RT-1"]
    assert tags(q="abc-1") == ["PC-1"]  # serial, any case
    assert tags(q="5555") == ["RT-1"]  # the number of an installed line
    assert tags(q="_") == ["PC_2"]  # wildcards are literal
    page = paginate(inventory.device_query(), 2, per_page=2)
    assert [d.asset_tag for d in page.items] == ["RT-1"] and page.total == 3


def test_model_counts(it):
    for n in range(3):
        inventory.create_device(device_data(f"PC-{n}"), it)
    repaired = inventory.create_device(device_data("PC-9"), it)
    inventory.set_device_status(repaired, "in_repair", it)
    inventory.create_device(device_data("RT-1", kind="router", model="Aterm"), it)
    counts = {row.model.name: row for row in inventory.model_counts()}
    assert counts["LIFEBOOK U9"].in_stock == 3 and counts["LIFEBOOK U9"].total == 4
    assert counts["LIFEBOOK U9"].counts == {"in_stock": 3, "in_repair": 1}
    assert [row.model.name for row in inventory.model_counts("router")] == ["Aterm"]


def test_line_query(it):
    lines.create_line(line_data("090-1111-0001", carrier="docomo"), it)
    suspended = lines.create_line(line_data("090-2222-0002", carrier="au",
                                            iccid=iccid(44)), it)
    lines.set_line_status(suspended, "suspended", it)

    def labels(**kw):
        return [x.label for x in db.session.scalars(lines.line_query(**kw))]

    assert labels() == ["09011110001", "09022220002"]
    assert labels(status="suspended") == labels(carrier="au") == ["09022220002"]
    assert labels(q="2222") == labels(q=iccid(44)[-6:]) == ["09022220002"]
    assert lines.carriers() == ["au", "docomo"]
