"""The inventory as CSV (UTF-8 with BOM) and XLSX: devices and lines with their current
holder. PIN and PUK are never exported. Headers follow the request's language; formula-like
text is neutralised (``workhub.exports_common``)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, select

from workhub.devices import inventory, lines
from workhub.devices.fields import KIND_LABELS, SIM_LABELS
from workhub.devices.models import Line
from workhub.exports_common import csv_bytes, xlsx_bytes
from workhub.extensions import db

MAX_EXPORT_ROWS = 50_000


def _holder(allocation) -> list[object]:
    if allocation is None:
        return [None, None, None, None]
    return [allocation.user.login, allocation.user.display_name,
            allocation.allocated_at.date(), allocation.due_date]


def device_table(stmt: Select) -> tuple[list[str], list[list[object]]]:
    """Headers and rows of the devices ``stmt`` selects (``inventory.device_query``)."""
    devices = list(db.session.scalars(stmt.limit(MAX_EXPORT_ROWS)).unique())
    held = inventory.holders(device_ids=[d.id for d in devices])
    installed: dict[int, list[str]] = {}
    ids = [d.id for d in devices]
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for line in db.session.scalars(select(Line).where(Line.device_id.in_(chunk))
                                       .order_by(Line.id)):
            installed.setdefault(line.device_id, []).append(line.label)
    headers = [_("Asset tag"), _("Kind"), _("Maker"), _("Model"), _("Serial number"), _("OS"),
               _("Purchase date"), _("Warranty end"), _("Location"), _("Status"),
               _("Holder (login ID)"), _("Holder"), _("On loan since"), _("Due back"),
               _("Installed lines"), _("Notes")]
    rows = [[d.asset_tag, str(KIND_LABELS[d.model.kind]), d.maker, d.model.name, d.serial, d.os,
             d.purchase_date, d.warranty_end, d.location, str(inventory.STATUS_LABELS[d.status]),
             *_holder(held.get(("device", d.id))), " ".join(installed.get(d.id, [])) or None,
             d.notes] for d in devices]
    return headers, rows


def line_table(stmt: Select) -> tuple[list[str], list[list[object]]]:
    """Headers and rows of the lines ``stmt`` selects (``lines.line_query``); no secrets."""
    items = list(db.session.scalars(stmt.limit(MAX_EXPORT_ROWS)).unique())
    held = inventory.holders(line_ids=[x.id for x in items])
    headers = [_("Phone number"), _("Data-line id"), _("ICCID"), _("SIM type"), _("Carrier"),
               _("Plan"), _("Data cap (GB/month)"), _("Monthly cost (yen)"),
               _("Contract start"), _("Contract end"), _("Renewal notice (days)"), _("Status"),
               _("Installed in"), _("Holder (login ID)"), _("Holder"), _("On loan since"),
               _("Due back"), _("Notes")]
    rows = [[x.number, x.data_line_id, x.iccid, str(SIM_LABELS[x.sim_type]), x.carrier, x.plan,
             x.data_cap_gb, x.monthly_cost, x.contract_start, x.contract_end,
             x.renewal_window_days, str(lines.STATUS_LABELS[x.status]),
             x.device.asset_tag if x.device else None, *_holder(held.get(("line", x.id))),
             x.notes] for x in items]
    return headers, rows


def as_csv(table: tuple[list[str], list[list[object]]]) -> bytes:
    return csv_bytes(*table)


def as_xlsx(title: str, table: tuple[list[str], list[list[object]]]) -> bytes:
    return xlsx_bytes([(title, *table)])
