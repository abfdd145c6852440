"""Printable asset labels: which devices, and a QR code per device pointing at its page.

A sheet is A4 with 3 × 8 labels of 70 × 37 mm (the common 24-label sheet); ``skip`` leaves
the first labels of the first sheet blank, so a sheet already partly used can go through
the printer again. The QR code is inline SVG made by ``segno``: paths only, no script and no
style attribute, so the page's Content-Security-Policy needs nothing extra.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import segno
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from workhub.devices import inventory
from workhub.devices.models import DEVICE_KINDS, DEVICE_STATUSES, Device, DeviceModel
from workhub.devices.reports import FilterError
from workhub.extensions import db

COLUMNS, ROWS = 3, 8
PER_SHEET = COLUMNS * ROWS
MAX_LABELS = 240  # ten sheets in one go
QR_BORDER = 4  # the quiet zone the QR standard asks for, in modules


@dataclass(frozen=True)
class LabelFilter:
    """Which devices to list: all filters optional."""

    kind: str | None = None
    status: str | None = None
    model_id: int | None = None
    text: str | None = None  # part of the asset tag, the serial or an installed line's number

    def args(self) -> dict[str, str]:
        out = {"kind": self.kind, "status": self.status, "text": self.text,
               "model": str(self.model_id) if self.model_id else None}
        return {key: value for key, value in out.items() if value}


def _choice(raw: str | None, allowed: Iterable[str], message, field_name: str) -> str | None:
    value = (raw or "").strip() or None
    if value is not None and value not in allowed:
        raise FilterError(str(message), field=field_name)
    return value


def parse_filter(*, kind: str | None = None, status: str | None = None,
                 model: str | None = None, text: str | None = None) -> LabelFilter:
    """Check the list filters; FilterError (400) names the bad one."""
    kind = _choice(kind, DEVICE_KINDS, _l("Choose a kind from the list."), "kind")
    status = _choice(status, DEVICE_STATUSES, _l("Choose a status from the list."), "status")
    raw_model = (model or "").strip()
    model_id = None
    if raw_model:
        if not raw_model.isascii() or not raw_model.isdigit() or int(raw_model) > 2**31 - 1:
            raise FilterError(str(_l("Choose a model from the list.")), field="model")
        model_id = int(raw_model)
    text = (text or "").strip() or None
    if text is not None and len(text) > 100:
        raise FilterError(str(_l("Search for 100 characters at most.")), field="text")
    return LabelFilter(kind, status, model_id, text)


def devices_matching(flt: LabelFilter, limit: int = MAX_LABELS + 1) -> list[Device]:
    """The devices the filter lists, by asset tag (one more than asked: "too many" shows)."""
    stmt = inventory.device_query(kind=flt.kind, status=flt.status, model_id=flt.model_id,
                                  q=flt.text)
    return list(db.session.scalars(stmt.limit(limit)))


def model_choices() -> list[tuple[str, str]]:
    """(id, "maker model") of every device model, for the filter."""
    models = db.session.scalars(select(DeviceModel).order_by(DeviceModel.maker,
                                                             DeviceModel.name))
    return [(str(m.id), f"{m.maker} {m.name}") for m in models]


def devices_by_ids(raw_ids: list[str]) -> list[Device]:
    """The chosen devices in asset-tag order; FilterError for a bad, unknown or excessive
    choice (nothing is printed then)."""
    ids: set[int] = set()
    for raw in raw_ids:
        text = (raw or "").strip()
        if not text.isascii() or not text.isdigit() or int(text) > 2**31 - 1:
            raise FilterError(str(_l("Choose the devices from the list.")), field="device")
        ids.add(int(text))
    if not ids:
        raise FilterError(str(_l("Choose at least one device.")), field="device")
    if len(ids) > MAX_LABELS:
        raise FilterError(str(_l("Print %(n)d labels at most at a time.", n=MAX_LABELS)),
                          field="device")
    devices = list(db.session.scalars(select(Device).where(Device.id.in_(sorted(ids)))
                                      .order_by(Device.asset_tag)))
    if len(devices) != len(ids):
        raise FilterError(str(_l("Some of the chosen devices no longer exist. Reload the list "
                                 "and choose again.")), field="device")
    return devices


def parse_skip(raw: str | None) -> int:
    """How many labels of the first sheet are already used (0 to PER_SHEET - 1)."""
    text = (raw or "").strip()
    if not text:
        return 0
    if not text.isascii() or not text.isdigit() or int(text) >= PER_SHEET:
        raise FilterError(str(_l("Labels already used: enter a number from 0 to %(max)d.",
                                 max=PER_SHEET - 1)), field="skip")
    return int(text)


def qr_code(url: str) -> segno.QRCode:
    """The QR code of ``url``: the highest error correction that fits the smallest version
    (segno's default), never a Micro QR (phone cameras do not all read those)."""
    return segno.make(url, micro=False)


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG sized by CSS (a viewBox, no width/height), hidden
    from screen readers: the label's text says the same."""
    svg = qr_code(url).svg_inline(scale=1, border=QR_BORDER, omitsize=True, svgclass="qr",
                                  lineclass=None, dark="#000")
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


@dataclass
class Label:
    device: Device
    url: str  # the device's page
    svg: str  # its QR code


def sheets(devices: list[Device], url_for_device: Callable[[Device], str],
           skip: int = 0) -> list[list[Label | None]]:
    """The labels laid out on sheets of PER_SHEET cells; None is a blank cell."""
    cells: list[Label | None] = [None] * skip
    for device in devices:
        url = url_for_device(device)
        cells.append(Label(device, url, qr_svg(url)))
    return [cells[i:i + PER_SHEET] + [None] * max(0, i + PER_SHEET - len(cells))
            for i in range(0, len(cells), PER_SHEET)]
