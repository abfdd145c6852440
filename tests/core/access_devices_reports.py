"""Access-matrix entries for the devices package (reports): see tests/core/test_access_matrix.py.

``ROUTES`` maps (method, rule) to a ``Call``; ``build`` creates the objects the URL
parameters point at and returns them as ``World.extra`` (use ``lambda w: w.extra["key"]``).
``me`` is the signed-in user (None when anonymous), ``other`` a colleague in the same
section, ``ids`` department codes → ids. Called inside an app context; commit at the end.

Reports are for IT, administrators and managers (managers: their departments' figures; the
stock chart is inventory, so 403 for them); labels are for IT and administrators.
"""

from __future__ import annotations

from tests.core.access_common import Call

ROUTES: dict[tuple[str, str], Call] = {
    ("GET", "/devices/reports"): Call(),
    ("GET", "/devices/reports/charts/<name>.svg"): Call(
        params={"name": lambda w: "stock"}, by_role={"manager": 403}),
    ("GET", "/devices/reports/export.csv"): Call(),
    ("GET", "/devices/reports/export.xlsx"): Call(),
    ("GET", "/devices/labels"): Call(),
    ("GET", "/devices/labels/sheet"): Call(params={"device": lambda w: w.extra["label_device"]}),
}


def build(app, me, other, ids) -> dict:
    from workhub.devices.models import Device, DeviceModel
    from workhub.extensions import db

    model = DeviceModel(kind="laptop", maker="MatrixMaker", name="Report model")
    db.session.add(model)
    db.session.flush()
    device = Device(asset_tag="MTX-RPT-0001", model_id=model.id, maker=model.maker,
                    serial="MTX-RPT-SERIAL-1")
    db.session.add(device)
    db.session.commit()
    return {"label_device": device.id}
