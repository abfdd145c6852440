"""Access-matrix entries for the devices package (inventory): see tests/core/test_access_matrix.py.

``ROUTES`` maps (method, rule) to a ``Call``; ``build`` creates the objects the URL
parameters point at and returns them as ``World.extra`` (use ``lambda w: w.extra["key"]``).
``me`` is the signed-in user (None when anonymous), ``other`` a colleague in the same
section, ``ids`` department codes → ids. Called inside an app context; commit at the end.

The inventory is IT's (it_admin) and the administrators'. The PIN/PUK reveal also needs the
``line_secrets`` permission: ``build`` gives it to the signed-in IT user, so IT gets the page
and an administrator without the permission a 403. The permission page is administrators'.
"""

from __future__ import annotations

from tests.core.access_common import Call, extra

TAG = "MTX-INV-1"
DEVICE = {"asset_tag": TAG, "kind": "laptop", "maker": "Matrix", "model": "M1",
          "serial": "SN-MTX-1", "purchase_date": "2025-04-01", "warranty_end": "2028-03-31"}
LINE = {"number": "070-0000-0001", "carrier": "MatrixTel", "sim_type": "sim",
        "monthly_cost": "1,500"}
TERMS = {"text_ja": "貸与規程", "text_en": "Loan terms"}


def _device(key: str = "device"):
    return {"device_id": extra(key)}


def _line(key: str):
    return {"line_id": extra(key)}


ROUTES: dict[tuple[str, str], Call] = {
    # Devices.
    ("GET", "/devices/"): Call(),
    ("GET", "/devices/export.csv"): Call(),
    ("GET", "/devices/export.xlsx"): Call(),
    ("GET", "/devices/new"): Call(),
    ("POST", "/devices/new"): Call(data={**DEVICE, "asset_tag": "MTX-INV-NEW",
                                         "serial": "SN-NEW"}, ok=303),
    ("GET", "/devices/<int:device_id>"): Call(params=_device()),
    ("GET", "/devices/<int:device_id>/edit"): Call(params=_device()),
    ("POST", "/devices/<int:device_id>/edit"): Call(
        params=_device(), data={**DEVICE, "location": "Matrix room"}, ok=303),
    ("POST", "/devices/<int:device_id>/status"): Call(
        params=_device(), data={"status": "in_repair", "note": "matrix"}, ok=303),
    ("POST", "/devices/<int:device_id>/install"): Call(
        params=_device(), data={"line": "07000000002"}, ok=303),
    # Lines.
    ("GET", "/devices/lines"): Call(),
    ("GET", "/devices/lines/export.csv"): Call(),
    ("GET", "/devices/lines/export.xlsx"): Call(),
    ("GET", "/devices/lines/new"): Call(),
    ("POST", "/devices/lines/new"): Call(data={**LINE, "number": "070-0000-0099"}, ok=303),
    ("GET", "/devices/lines/<int:line_id>"): Call(params=_line("line")),
    ("GET", "/devices/lines/<int:line_id>/edit"): Call(params=_line("line")),
    ("POST", "/devices/lines/<int:line_id>/edit"): Call(
        params=_line("line"), data={**LINE, "plan": "Matrix plan"}, ok=303),
    ("POST", "/devices/lines/<int:line_id>/status"): Call(
        params=_line("line"), data={"status": "suspended"}, ok=303),
    ("POST", "/devices/lines/<int:line_id>/install"): Call(
        params=_line("line"), data={"asset_tag": TAG}, ok=303),
    ("POST", "/devices/lines/<int:line_id>/remove"): Call(params=_line("installed_line"),
                                                         ok=303),
    ("POST", "/devices/lines/<int:line_id>/secrets"): Call(
        params=_line("secret_line"), by_role={"admin": 403}),
    # Import, terms, the PIN/PUK permission.
    ("GET", "/devices/import"): Call(),
    # No file in a form-encoded post: the form comes back asking for one.
    ("POST", "/devices/import"): Call(ok=400),
    ("GET", "/devices/import/<token>"): Call(params={"token": extra("upload")}),
    ("POST", "/devices/import/<token>"): Call(params={"token": extra("upload")},
                                              data={"action": "check", "map_0": "asset_tag"}),
    ("GET", "/devices/import/templates/<kind>.csv"): Call(params={"kind": lambda w: "lines"}),
    ("GET", "/devices/terms"): Call(),
    ("GET", "/devices/terms/<kind>"): Call(params={"kind": lambda w: "router"}),
    ("POST", "/devices/terms/<kind>"): Call(params={"kind": lambda w: "router"}, data=TERMS,
                                            ok=303),
    ("GET", "/devices/permissions"): Call(),
    ("POST", "/devices/permissions"): Call(data={"login": "matrix-it"}, ok=303),
    ("POST", "/devices/permissions/<int:permission_id>/revoke"): Call(
        params={"permission_id": extra("permission")}, ok=303),
    # JSON API: a form-encoded POST is bad input (400) once the caller is let in; the JSON
    # answers are tested in test_devices_inventory_api.py.
    ("POST", "/api/v1/devices"): Call(ok=400),
    ("GET", "/api/v1/devices"): Call(),
    ("GET", "/api/v1/devices/<int:device_id>"): Call(params=_device()),
    ("POST", "/api/v1/lines"): Call(ok=400),
    ("GET", "/api/v1/lines"): Call(),
    ("GET", "/api/v1/lines/<int:line_id>"): Call(params=_line("line")),
}


def build(app, me, other, ids) -> dict:
    from workhub.devices import importing, inventory, lines
    from workhub.devices import secrets as line_secrets
    from workhub.devices.models import UserPermission
    from workhub.extensions import db
    from workhub.org.models import User
    from workhub.org.services import create_user

    owner = db.session.get(User, (me or other).id)
    device = inventory.create_device(DEVICE, owner)
    line = lines.create_line(LINE, owner)
    lines.create_line({**LINE, "number": "070-0000-0002"}, owner)
    installed = lines.create_line({**LINE, "number": "070-0000-0003"}, owner)
    host = inventory.create_device({**DEVICE, "asset_tag": "MTX-INV-HOST", "serial": "SN-H"},
                                   owner)
    lines.install_line(installed, host, owner)
    secret = lines.create_line({**LINE, "number": "070-0000-0004"}, owner)
    line_secrets.set_secrets(secret, owner, pin="1234", puk="12345678")
    if me is not None and "it_admin" in me.roles:
        db.session.add(UserPermission(user_id=me.id, name="line_secrets"))
    create_user("matrix-it", display_name="情報 政策", roles=("it_admin",), auth_source="ldap")
    holder = create_user("matrix-holder", display_name="保持 者", roles=("it_admin",),
                         auth_source="ldap")
    db.session.flush()
    permission = UserPermission(user_id=holder.id, name="line_secrets")
    db.session.add(permission)
    upload = importing.store("devices", "matrix.csv",
                             "資産番号,種別,メーカー,機種\nMTX-IMP-1,laptop,M,X\n".encode(), owner)
    db.session.commit()
    return {"device": device.id, "line": line.id, "installed_line": installed.id,
            "secret_line": secret.id, "upload": upload.token, "permission": permission.id}
