"""CSV import of devices and lines: encodings, header mapping, the row report, all or nothing
unless only the valid rows are wanted, the upload kept safely between preview and import, and
hostile files."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from tests.dbstate import snapshot
from tests.devices.devices_inventory_data import iccid
from tests.office import csrf_token, login
from workhub.auth.models import AuditEvent
from workhub.devices import importing, inventory
from workhub.devices import secrets as line_secrets
from workhub.devices.models import Device, InventoryEvent, Line
from workhub.errors import DomainError, NotFound
from workhub.extensions import db
from workhub.org.models import User

pytestmark = pytest.mark.usefixtures("fast_hashing", "english")

DEVICES_JA = ("資産番号,種別,メーカー,機種,シリアル番号,購入日,備考\r\n"
              "PC-0001,ノートPC,富士通,LIFEBOOK U9,SN1,2025/4/1,\r\n"
              "PC-0002,タブレット,Apple,iPad,SN2,2025-04-02,会議室用\r\n"
              "RT-0001,ルーター,NEC,Aterm MR10,SN3,,\r\n")


@pytest.fixture
def it(app, make_user):
    return make_user("it-staff", roles=("it_admin",))


def actor(info) -> User:
    return db.session.get(User, info.id)


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def stored(app, info, text: str | bytes, kind: str = "devices") -> importing.Upload:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with app.app_context():
        return importing.store(kind, "file.csv", data, actor(info))


# --- reading files ----------------------------------------------------------------------------


@pytest.mark.parametrize("encode", [
    lambda t: t.encode("utf-8"), lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"),
    lambda t: t.encode("cp932"),
], ids=["utf-8", "utf-8-bom", "shift_jis"])
def test_japanese_headers_in_every_encoding_are_mapped(app, it, encode):
    upload = stored(app, it, encode(DEVICES_JA))
    with app.app_context():
        report = importing.check(upload)
    assert report.ok and len(report.valid_rows) == 3
    assert report.mapping == {0: "asset_tag", 1: "kind", 2: "maker", 3: "model", 4: "serial",
                              5: "purchase_date", 6: "notes"}
    assert report.rows[1].data["kind"] == "tablet" and report.rows[1].data["notes"] == "会議室用"


@pytest.mark.parametrize(("data", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("資産番号,種別\nPC-1,laptop\n".encode("euc_jp")[:-1] + b"\xff\xfe", "neither UTF-8"),
    (b"", "empty"),
    (b"asset_tag,kind\n", "no rows"),
    (b'asset_tag,kind\n"PC-1,laptop\n', "not valid CSV"),
])
def test_unreadable_files_get_a_clear_message(app_ctx, it, data, message):
    with pytest.raises(DomainError) as caught:
        importing.store("devices", "x.csv", data, actor(it))
    assert message in caught.value.message and caught.value.field == "file"


def test_size_and_row_limits(app_ctx, it, monkeypatch):
    with pytest.raises(importing.TooLarge) as caught:
        importing.parse(b"a" * (importing.MAX_IMPORT_BYTES + 1))
    assert caught.value.status == 413
    monkeypatch.setattr(importing, "MAX_IMPORT_ROWS", 50)
    rows = "".join(f"PC-{n},laptop,M,X\n" for n in range(51))
    with pytest.raises(DomainError) as caught:
        importing.parse(("asset_tag,kind,maker,model\n" + rows).encode())
    assert "too many rows" in caught.value.message


# --- checking rows ----------------------------------------------------------------------------


def test_row_report_names_line_column_and_problem(app, it):
    with app.app_context():
        inventory.create_device({"asset_tag": "PC-0009", "kind": "laptop", "maker": "M",
                                 "model": "X"}, actor(it))
        db.session.commit()
    text = ("asset_tag,kind,maker,model,warranty_end,purchase_date\n"
            "PC-1,laptop,M,X,,\n"
            "PC 2,toaster,M,X,,\n"              # line 3: tag and kind wrong
            "PC-1,laptop,M,X,,\n"               # line 4: same tag as line 2
            "pc-0009,laptop,M,X,,\n"            # line 5: already in WorkHub
            "PC-5,laptop,M,X,2025-01-01,2026-01-01\n")  # line 6: warranty before purchase
    upload = stored(app, it, text)
    with app.app_context():
        report = importing.check(upload)
    found = {(row.line, column): message for row in report.error_rows
             for column, message in row.problems}
    assert set(found) == {(3, "asset_tag"), (3, "kind"), (4, "asset_tag"), (5, "asset_tag"),
                          (6, "warranty_end")}
    assert "line 2" in found[(4, "asset_tag")]
    assert "Already recorded" in found[(5, "asset_tag")]
    assert [r.line for r in report.valid_rows] == [2]


def test_duplicate_serials_per_maker_inside_the_file(app, it):
    text = ("asset_tag,kind,maker,model,serial\nPC-1,laptop,Dell,A,S1\n"
            "PC-2,laptop,DELL,B,S1\nPC-3,laptop,HP,C,S1\n")
    with app.app_context():
        report = importing.check(stored(app, it, text))
    assert [r.line for r in report.error_rows] == [3]


def test_mapping_can_be_changed_and_must_cover_required_fields(app, it):
    text = "tag no.,what,made by,name,x\nPC-1,laptop,M,X,ignored\n"
    upload = stored(app, it, text)
    with app.app_context():
        auto = importing.check(upload)
        assert not auto.ok and any("Asset tag" in p for p in auto.mapping_problems)
        twice = importing.check(upload, {0: "asset_tag", 1: "kind", 2: "maker", 3: "maker"})
        assert any("more than one column" in p for p in twice.mapping_problems)
        chosen = importing.check(upload, {0: "asset_tag", 1: "kind", 2: "maker", 3: "model",
                                          9: "notes", 4: "bogus"})
        assert chosen.ok and chosen.mapping == {0: "asset_tag", 1: "kind", 2: "maker",
                                                3: "model"}


# --- importing --------------------------------------------------------------------------------


def test_nothing_is_imported_when_a_row_is_wrong_unless_asked(app, it):
    text = "asset_tag,kind,maker,model\nPC-1,laptop,M,X\nPC-2,toaster,M,X\nPC-3,tablet,M,Y\n"
    upload = stored(app, it, text)
    with app.app_context():
        report = importing.check(upload)
        with pytest.raises(DomainError) as caught:
            importing.run_import(upload, report.mapping, actor(it), valid_only=False)
        assert "Nothing was imported" in caught.value.message
        db.session.rollback()
        assert count(Device) == 0
        _report, added = importing.run_import(upload, report.mapping, actor(it),
                                              valid_only=True)
        db.session.commit()
        assert added == 2 and count(Device) == 2
        assert {e.action for e in db.session.scalars(select(InventoryEvent))} == {"imported"}
        audit = db.session.scalar(select(AuditEvent).where(
            AuditEvent.event == "devices.devices_imported"))
        assert audit.detail["rows"] == 2 and audit.detail["skipped"] == 1


def test_lines_import_with_costs_statuses_and_encrypted_pins(app, it):
    text = ("電話番号,ICCID,通信事業者,プラン,月額,契約終了日,状態,PIN\n"
            f"090-1111-2222,{iccid(1)},docomo,20GB,\"￥3,300\",2027/3/31,在庫,1234\n"
            f"090-1111-3333,{iccid(2)},au,無制限,4500円,,休止,\n")
    upload = stored(app, it, text.encode("cp932"), kind="lines")
    with app.app_context():
        report = importing.check(upload)
        assert report.ok, report.error_rows and report.error_rows[0].problems
        importing.run_import(upload, report.mapping, actor(it), valid_only=False)
        db.session.commit()
        first, second = db.session.scalars(select(Line).order_by(Line.number)).all()
        assert (first.monthly_cost, first.status, first.contract_end.isoformat()) == (
            3300, "in_stock", "2027-03-31")
        assert second.status == "suspended" and second.pin_encrypted is None
        assert line_secrets.decrypt(first.pin_encrypted) == "1234"


def test_formula_like_cells_are_stored_as_text_and_exported_harmless(app, it, client):
    hostile = "=cmd|' /C calc'!A0"
    text = f'asset_tag,kind,maker,model,notes,location\nPC-1,laptop,M,X,"{hostile}",@SUM(1)\n'
    upload = stored(app, it, text)
    with app.app_context():
        importing.run_import(upload, importing.check(upload).mapping, actor(it),
                             valid_only=False)
        db.session.commit()
        device = db.session.scalar(select(Device))
        assert device.notes == hostile and device.location == "@SUM(1)"
    login(client, it)
    exported = client.get("/devices/export.csv").get_data().decode("utf-8-sig")
    assert "'=cmd|" in exported and "'@SUM(1)" in exported


# --- the stored upload ------------------------------------------------------------------------


def test_upload_is_encrypted_private_and_expires(app, it, make_user, time_machine):
    time_machine.move_to(datetime.now(UTC), tick=False)
    other = make_user("other-it", roles=("it_admin",))
    upload = stored(app, it, "asset_tag,kind,maker,model\nPC-SECRET,laptop,M,X\n")
    with app.app_context():
        path = importing._folder() / f"{upload.token}.import"
        assert b"PC-SECRET" not in path.read_bytes()
        assert importing.load(upload.token, actor(it)).data == upload.data
        for token, who in ((upload.token, other), ("../../etc/passwd", it),
                           ("x" * 30, it)):
            with pytest.raises(NotFound):
                importing.load(token, actor(who))
        time_machine.shift(importing.UPLOAD_TTL_SECONDS + 60)
        with pytest.raises(NotFound):
            importing.load(upload.token, actor(it))


# --- the pages --------------------------------------------------------------------------------


def _upload(client, data: bytes, kind: str = "devices"):
    import io

    token = csrf_token(client, "/devices/import")
    return client.post("/devices/import", data={
        "kind": kind, "csrf_token": token, "file": (io.BytesIO(data), "list.csv")},
        content_type="multipart/form-data")


def test_upload_preview_and_import_through_the_pages(client, app, it):
    login(client, it)
    response = _upload(client, DEVICES_JA.encode("cp932"))
    assert response.status_code == 303
    preview_url = response.headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    assert "3 rows are ready to import" in page and "cp932" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    mapping = {f"map_{i}": name for i, name in enumerate(
        ["asset_tag", "kind", "maker", "model", "serial", "purchase_date", "notes"])}
    done = client.post(preview_url, data={**mapping, "action": "import", "csrf_token": token})
    assert done.status_code == 303 and done.headers["Location"].endswith("/devices/")
    with app.app_context():
        assert count(Device) == 3
    assert client.get(preview_url).status_code == 404  # the stored file is gone


def test_preview_with_bad_rows_imports_nothing_without_the_choice(client, app, it):
    login(client, it)
    text = "asset_tag,kind,maker,model\nPC-1,laptop,M,X\nPC-2,toaster,M,X\n"
    preview_url = _upload(client, text.encode()).headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    assert "1 row has problems" in page and "Unknown kind" in page
    token = csrf_token(client, preview_url)
    mapping = {"map_0": "asset_tag", "map_1": "kind", "map_2": "maker", "map_3": "model"}
    before = snapshot(app)
    refused = client.post(preview_url, data={**mapping, "action": "import", "csrf_token": token})
    assert refused.status_code == 400 and "Nothing was imported" in refused.get_data(as_text=True)
    assert snapshot(app) == before
    done = client.post(preview_url, data={**mapping, "action": "import", "valid_only": "y",
                                          "csrf_token": token})
    assert done.status_code == 303
    with app.app_context():
        assert [d.asset_tag for d in db.session.scalars(select(Device))] == ["PC-1"]


def test_too_large_and_wrong_encoding_uploads_through_the_page(client, it, monkeypatch):
    login(client, it)
    monkeypatch.setattr(importing, "MAX_IMPORT_BYTES", 100)
    large = _upload(client, b"asset_tag,kind\n" + b"PC-1,laptop\n" * 20)
    assert large.status_code == 413 and "too large" in large.get_data(as_text=True)
    latin = _upload(client, "asset_tag,maker\nPC-1,Société\n".encode("utf-16"))
    assert latin.status_code == 400 and "binary" in latin.get_data(as_text=True)


def test_pins_are_not_shown_on_the_preview(client, it):
    login(client, it)
    text = f"number,carrier,iccid,pin\n09011112222,docomo,{iccid(3)},98765\n"
    page = client.get(_upload(client, text.encode(), "lines").headers["Location"])
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "98765" not in body and "••••" in body


def test_template_download(client, it):
    login(client, it)
    body = client.get("/devices/import/templates/lines.csv").get_data().decode("utf-8-sig")
    assert body.startswith("Phone number,Data-line id,ICCID")
    assert client.get("/devices/import/templates/people.csv").status_code == 404
