"""Inventory pages: lists with filters and counts, forms that refuse bad input and change
nothing, status changes, installing lines, exports, loan terms."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.dbstate import snapshot
from tests.devices.devices_inventory_data import device_data, iccid, line_data
from tests.office import csrf_token, login
from workhub.devices import inventory, lines
from workhub.devices import secrets as line_secrets
from workhub.devices.models import Allocation, Device, Line, LoanTerms
from workhub.extensions import db
from workhub.org.models import User

pytestmark = pytest.mark.usefixtures("fast_hashing", "english")
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def it(make_user):
    return make_user("it-staff", roles=("it_admin",))


@pytest.fixture
def stock(app, it, make_user):
    """Two laptops (one lent to ``holder``), a router with a line installed, a free line."""
    holder = make_user("holder", display_name="山田 花子")
    with app.app_context():
        me = db.session.get(User, it.id)
        lent = inventory.create_device(device_data("PC-0001"), me)
        inventory.create_device(device_data("PC-0002", notes=SCRIPT), me)
        router = inventory.create_device(device_data("RT-0001", kind="router", model="Aterm"),
                                         me)
        installed = lines.create_line(line_data("090-1111-0001", iccid=iccid(1)), me)
        lines.install_line(installed, router, me)
        free = lines.create_line(line_data("090-1111-0002", carrier="au"), me)
        line_secrets.set_secrets(free, me, pin="2468")
        db.session.add(Allocation(device_id=lent.id, user_id=holder.id))
        lent.status = "allocated"
        db.session.commit()
        return {"lent": lent.id, "router": router.id, "installed": installed.id,
                "free": free.id}


def text(response) -> str:
    return response.get_data(as_text=True)


def test_device_list_filters_counts_and_holders(client, it, stock):
    login(client, it)
    page = text(client.get("/devices/"))
    assert "PC-0001" in page and "RT-0001" in page and "山田 花子" in page
    assert "1 in stock" in page  # Fujitsu LIFEBOOK U9: one on loan, one in stock
    routers = text(client.get("/devices/?kind=router"))
    assert "RT-0001" in routers and "PC-0002" not in routers
    assert "PC-0001" not in text(client.get("/devices/?status=in_stock&q=PC"))
    assert "RT-0001" in text(client.get("/devices/?q=1111-0001"))
    # Nonsense filters are ignored, not an error.
    assert client.get("/devices/?kind=toaster&status=x&model=abc&page=-1").status_code == 200


def test_device_page_shows_holder_history_and_escapes(client, it, stock):
    login(client, it)
    page = text(client.get(f"/devices/{stock['lent']}"))
    assert "山田 花子" in page and "This device is on loan" in page
    assert "Change status" not in page  # on loan: the return decides
    router = text(client.get(f"/devices/{stock['router']}"))
    assert "09011110001" in router and "Line installed" in router and "Created" in router
    other = text(client.get("/devices/?q=PC-0002"))
    assert SCRIPT not in other
    assert client.get("/devices/99999").status_code == 404


def test_new_device_and_errors_beside_the_fields(client, app, it, stock):
    login(client, it)
    token = csrf_token(client, "/devices/new")
    before = snapshot(app)
    bad = client.post("/devices/new", data={"asset_tag": "PC-0001", "kind": "laptop",
                                            "maker": "M", "model": "X", "csrf_token": token})
    assert bad.status_code == 409 and "already used" in text(bad)
    invalid = client.post("/devices/new", data={"asset_tag": "", "kind": "toaster",
                                                "maker": "M" * 101, "model": "X",
                                                "warranty_end": "31/12/2026",
                                                "csrf_token": token})
    body = text(invalid)
    assert invalid.status_code == 422 and 'aria-invalid="true"' in body
    for message in ("This field is required", "Unknown kind", "At most 100", "YYYY-MM-DD"):
        assert message in body
    assert client.post("/devices/new", data={**device_data("PC-9")}).status_code == 400
    assert snapshot(app) == before
    ok = client.post("/devices/new", data={**device_data("pc-9"), "csrf_token": token})
    assert ok.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Device).where(Device.asset_tag == "PC-9")) is not None


def test_edit_and_status_change(client, app, it, stock):
    login(client, it)
    url = f"/devices/{stock['router']}"
    form = text(client.get(url + "/edit"))
    assert 'value="RT-0001"' in form
    assert 'name="status"' in text(client.get(url))
    token = csrf_token(client, url + "/edit")
    data = {**device_data("RT-0001", kind="router", model="Aterm"), "location": "倉庫"}
    assert client.post(url + "/edit", data={**data, "csrf_token": token}).status_code == 303
    retire = client.post(url + "/status", data={"status": "retired", "csrf_token": token})
    assert retire.status_code == 409 and "Remove the lines" in text(retire)
    repair = client.post(url + "/status", data={"status": "in_repair", "note": "壊れた",
                                                "csrf_token": token})
    assert repair.status_code == 303
    page = text(client.get(url))
    assert "倉庫" in page and "In repair" in page and "壊れた" in page
    lent = client.post(f"/devices/{stock['lent']}/status",
                       data={"status": "lost", "csrf_token": token})
    assert lent.status_code == 409 and "return" in text(lent)


def test_install_and_remove_from_both_pages(client, app, it, stock):
    login(client, it)
    device_url = f"/devices/{stock['lent']}"
    token = csrf_token(client, device_url)
    unknown = client.post(device_url + "/install", data={"line": "0000", "csrf_token": token})
    assert unknown.status_code == 404 and "No line has" in text(unknown)
    taken = client.post(device_url + "/install", data={"line": "090-1111-0001",
                                                       "csrf_token": token})
    assert taken.status_code == 409 and "RT-0001" in text(taken)
    ok = client.post(device_url + "/install", data={"line": "090-1111-0002",
                                                    "csrf_token": token})
    assert ok.status_code == 303
    removed = client.post(f"/devices/lines/{stock['free']}/remove",
                          data={"back": "device", "csrf_token": token})
    assert removed.headers["Location"].endswith(device_url)
    line_url = f"/devices/lines/{stock['free']}"
    nothing = client.post(line_url + "/install", data={"asset_tag": "NOPE", "csrf_token": token})
    assert nothing.status_code == 404
    assert client.post(line_url + "/install", data={"asset_tag": "rt-0001",
                                                    "csrf_token": token}).status_code == 303
    with app.app_context():
        assert db.session.get(Line, stock["free"]).device_id == stock["router"]


def test_line_pages(client, app, it, stock):
    login(client, it)
    page = text(client.get("/devices/lines?carrier=au"))
    assert "09011110002" in page and "09011110001" not in page
    token = csrf_token(client, "/devices/lines/new")
    before = snapshot(app)
    bad = client.post("/devices/lines/new", data={"iccid": "1234", "monthly_cost": "-1",
                                                  "carrier": "", "csrf_token": token})
    assert bad.status_code == 422 and "19 or 20 digits" in text(bad)
    dup = client.post("/devices/lines/new", data={**line_data("09011110002"),
                                                  "csrf_token": token})
    assert dup.status_code == 409 and snapshot(app) == before
    made = client.post("/devices/lines/new", data={**line_data("080-3333-4444"), "pin": "1357",
                                                   "csrf_token": token})
    assert made.status_code == 303
    line_page = text(client.get(made.headers["Location"]))
    assert "08033334444" in line_page and "PIN stored" in line_page and "1357" not in line_page
    status = client.post(f"/devices/lines/{stock['free']}/status",
                         data={"status": "allocated", "csrf_token": token})
    assert status.status_code == 400 and "allocating" in text(status)


def test_exports_have_holders_and_no_secrets(client, it, stock):
    login(client, it)
    csv_text = client.get("/devices/export.csv?kind=laptop").get_data()
    assert csv_text.startswith(b"\xef\xbb\xbf")
    rows = csv_text.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("Asset tag,Kind") and len(rows) == 3
    assert any("holder" in r and "山田 花子" in r for r in rows)
    book = load_workbook(io.BytesIO(client.get("/devices/lines/export.xlsx").get_data()))
    sheet = book.active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Phone number" and len(values) == 3
    assert not any("PIN" in str(h) or "PUK" in str(h) for h in values[0])
    assert "2468" not in str(values)
    assert [r[12] for r in values[1:]] == ["RT-0001", None]


def test_loan_terms_versions(client, app, it):
    login(client, it)
    assert "No terms written yet" in text(client.get("/devices/terms"))
    token = csrf_token(client, "/devices/terms/router")
    data = {"text_ja": "ルーターは大切に扱うこと。", "text_en": "Handle with care.",
            "csrf_token": token}
    assert client.post("/devices/terms/router", data=data).status_code == 303
    assert client.post("/devices/terms/router", data=data).status_code == 303  # unchanged
    assert client.post("/devices/terms/router",
                       data={**data, "text_en": "Handle with great care."}).status_code == 303
    with app.app_context():
        row = db.session.get(LoanTerms, "router")
        assert row.version == 2 and row.text_en == "Handle with great care."
    assert "version 2" in text(client.get("/devices/terms"))
    before = snapshot(app)
    empty = client.post("/devices/terms/router", data={**data, "text_ja": " "})
    assert empty.status_code == 422 and snapshot(app) == before
    assert client.get("/devices/terms/toaster").status_code == 404


def test_employees_and_hr_are_turned_away(client, make_user, stock):
    login(client, make_user("hr-person", roles=("hr",)))
    for url in ("/devices/", "/devices/lines", "/devices/export.csv", "/devices/import",
                "/devices/terms", f"/devices/{stock['lent']}"):
        assert client.get(url).status_code == 403, url
