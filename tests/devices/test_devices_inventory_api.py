"""The inventory JSON API: create devices and lines, lists with filters and paging, one item;
IT only; wrong, hostile and oversized input answered with a JSON error and nothing written."""

from __future__ import annotations

import pytest
from openapi_schema_validator import OAS30Validator

from tests.dbstate import snapshot as full_snapshot
from tests.devices.devices_inventory_data import iccid
from workhub.api.openapi import build_openapi
from workhub.auth.services import create_token
from workhub.extensions import db
from workhub.org.models import User

pytestmark = pytest.mark.usefixtures("fast_hashing", "english")

DEVICE = {"asset_tag": "PC-2026-0001", "kind": "laptop", "maker": "Dynabook",
          "model": "G83", "serial": "4F012345"}
LINE = {"number": "090-1234-5678", "iccid": iccid(9), "carrier": "docomo", "plan": "20GB",
        "monthly_cost": 2980}


def snapshot(app) -> dict:
    """Every table but the tokens (a token notes when it was last used)."""
    return {k: v for k, v in full_snapshot(app).items() if k != "api_tokens"}


def bearer(app, info) -> dict:
    with app.app_context():
        _row, secret = create_token(db.session.get(User, info.id), "api")
        db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def it(app, make_user):
    return bearer(app, make_user("it-staff", roles=("it_admin",)))


def schema(name: str) -> OAS30Validator:
    spec = build_openapi()
    return OAS30Validator({"$ref": f"#/components/schemas/{name}",
                           "components": spec["components"]})


def test_create_and_read_a_device(client, it):
    created = client.post("/api/v1/devices", json={**DEVICE, "purchase_date": "2026-04-01",
                                                   "warranty_end": None}, headers=it)
    assert created.status_code == 201
    body = created.json
    schema("Device").validate(body)
    assert body["asset_tag"] == "PC-2026-0001" and body["status"] == "in_stock"
    assert body["holder"] is None and body["purchase_date"] == "2026-04-01"
    one = client.get(f"/api/v1/devices/{body['id']}", headers=it).json
    assert one["model"] == "G83" and one["lines"] == []
    duplicate = client.post("/api/v1/devices", json={**DEVICE, "serial": "other"}, headers=it)
    assert duplicate.status_code == 409
    assert duplicate.json["error"]["code"] == "duplicate_asset_tag"
    schema("Error").validate(duplicate.json)


def test_create_and_read_a_line_without_secrets(client, it):
    created = client.post("/api/v1/lines", json={**LINE, "sim_type": "esim"}, headers=it)
    assert created.status_code == 201, created.json
    schema("Line").validate(created.json)
    assert created.json["number"] == "09012345678" and created.json["monthly_cost"] == 2980
    again = client.post("/api/v1/lines", json={**LINE, "number": "080-0000-0000"}, headers=it)
    assert again.status_code == 409 and again.json["error"]["field"] == "iccid"
    one = client.get(f"/api/v1/lines/{created.json['id']}", headers=it).json
    assert not {"pin", "puk"} & set(one)
    refused = client.post("/api/v1/lines", json={**LINE, "number": "080-1", "pin": "1234"},
                          headers=it)
    assert refused.status_code == 400 and refused.json["error"]["code"] == "unknown_field"


@pytest.mark.parametrize(("body", "status", "code"), [
    ({**DEVICE, "kind": "toaster"}, 422, "invalid"),
    ({**DEVICE, "asset_tag": "x" * 41}, 422, "invalid"),
    ({**DEVICE, "warranty_end": "2020-01-01", "purchase_date": "2021-01-01"}, 422, "invalid"),
    ({**DEVICE, "maker": ["a"]}, 400, "invalid_type"),
    ({**DEVICE, "maker": True}, 400, "invalid_type"),
    ({**DEVICE, "owner": "x"}, 400, "unknown_field"),
    (["not", "an", "object"], 400, "invalid_json"),
    ({k: v for k, v in DEVICE.items() if k != "maker"}, 422, "invalid"),
])
def test_bad_device_input(client, app, it, body, status, code):
    before = snapshot(app)
    response = client.post("/api/v1/devices", json=body, headers=it)
    assert response.status_code == status and response.json["error"]["code"] == code
    assert snapshot(app) == before


def test_not_json_and_oversized(client, app, it):
    before = snapshot(app)
    text = client.post("/api/v1/devices", data="asset_tag=PC-1", headers=it,
                       content_type="application/x-www-form-urlencoded")
    broken = client.post("/api/v1/devices", data="{", headers=it,
                         content_type="application/json")
    huge = client.post("/api/v1/devices", json={**DEVICE, "notes": "x" * 100_000}, headers=it)
    assert (text.status_code, broken.status_code, huge.status_code) == (400, 400, 422)
    assert huge.json["error"]["field"] == "notes"
    assert snapshot(app) == before


def test_lists_filter_and_page(client, it):
    for n, kind in enumerate(("laptop", "laptop", "router")):
        client.post("/api/v1/devices", json={**DEVICE, "asset_tag": f"D-{n}", "kind": kind,
                                             "serial": f"S{n}"}, headers=it)
    client.post("/api/v1/lines", json=LINE, headers=it)
    page = client.get("/api/v1/devices?kind=laptop&per_page=1&page=2", headers=it).json
    assert page["total"] == 2 and [d["asset_tag"] for d in page["items"]] == ["D-1"]
    assert client.get("/api/v1/devices?q=d-2", headers=it).json["total"] == 1
    assert client.get("/api/v1/lines?status=in_stock&q=1234", headers=it).json["total"] == 1
    for url in ("/api/v1/devices?kind=toaster", "/api/v1/devices?per_page=1000",
                "/api/v1/devices?model_id=x", "/api/v1/lines?status=lost"):
        response = client.get(url, headers=it)
        assert response.status_code == 400 and "error" in response.json, url
    assert client.get("/api/v1/devices/999", headers=it).status_code == 404


def test_only_it_and_administrators(client, app, make_user, it):
    employee = bearer(app, make_user("staff"))
    before = snapshot(app)
    for method, url in (("post", "/api/v1/devices"), ("get", "/api/v1/devices"),
                        ("post", "/api/v1/lines"), ("get", "/api/v1/lines")):
        response = getattr(client, method)(url, json=DEVICE if method == "post" else None,
                                           headers=employee)
        assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"
    assert snapshot(app) == before
    admin = bearer(app, make_user("boss", roles=("admin",)))
    assert client.post("/api/v1/devices", json=DEVICE, headers=admin).status_code == 201
