"""The columns a CSV import understands: the fields of devices and of lines, their labels,
the header names mapped automatically (English and Japanese) and the status words."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l

COLUMNS = {
    "devices": {
        "asset_tag": _l("Asset tag"),
        "kind": _l("Kind"),
        "maker": _l("Maker"),
        "model": _l("Model"),
        "serial": _l("Serial number"),
        "os": _l("OS"),
        "purchase_date": _l("Purchase date"),
        "warranty_end": _l("Warranty end"),
        "location": _l("Location"),
        "status": _l("Status"),
        "notes": _l("Notes"),
    },
    "lines": {
        "number": _l("Phone number"),
        "data_line_id": _l("Data-line id"),
        "iccid": _l("ICCID"),
        "sim_type": _l("SIM type"),
        "carrier": _l("Carrier"),
        "plan": _l("Plan"),
        "data_cap_gb": _l("Data cap (GB/month)"),
        "monthly_cost": _l("Monthly cost (yen)"),
        "contract_start": _l("Contract start"),
        "contract_end": _l("Contract end"),
        "renewal_window_days": _l("Renewal notice (days)"),
        "status": _l("Status"),
        "pin": _l("PIN"),
        "puk": _l("PUK"),
        "notes": _l("Notes"),
    },
}
# Each inner tuple: at least one of these fields must be mapped.
REQUIRED = {
    "devices": (("asset_tag",), ("kind",), ("maker",), ("model",)),
    "lines": (("carrier",), ("number", "data_line_id")),
}
# Values never shown back on the preview page.
SECRET_COLUMNS = {"pin", "puk"}

_ALIASES = {
    "devices": {
        "asset_tag": ("assettag", "asset", "tag", "資産番号", "資産管理番号", "管理番号",
                      "備品番号", "資産タグ"),
        "kind": ("kind", "type", "devicetype", "種別", "種類", "機器種別", "端末種別"),
        "maker": ("maker", "manufacturer", "vendor", "メーカー", "メーカ", "製造元"),
        "model": ("model", "modelname", "機種", "機種名", "型番", "モデル", "型式"),
        "serial": ("serial", "serialnumber", "serialno", "sn", "シリアル番号", "シリアル",
                   "製造番号", "シリアルno"),
        "os": ("os", "operatingsystem", "オーエス"),
        "purchase_date": ("purchasedate", "purchased", "購入日", "取得日", "導入日"),
        "warranty_end": ("warrantyend", "warranty", "保証期限", "保証終了日", "保証期間終了"),
        "location": ("location", "place", "保管場所", "設置場所", "場所", "所在"),
        "status": ("status", "state", "状態", "ステータス"),
        "notes": ("notes", "note", "remarks", "comment", "備考", "メモ"),
    },
    "lines": {
        "number": ("number", "phonenumber", "phone", "tel", "msisdn", "電話番号", "番号",
                   "携帯番号"),
        "data_line_id": ("datalineid", "lineid", "回線id", "回線番号", "データ回線id",
                         "データ回線番号"),
        "iccid": ("iccid", "simno", "sim番号", "製造番号(iccid)"),
        "sim_type": ("simtype", "sim", "sim種別", "simタイプ", "sim形状"),
        "carrier": ("carrier", "operator", "通信事業者", "キャリア", "事業者", "通信会社"),
        "plan": ("plan", "プラン", "料金プラン", "契約プラン"),
        "data_cap_gb": ("datacapgb", "datacap", "データ容量", "データ容量(gb)",
                        "月間データ容量", "容量(gb)"),
        "monthly_cost": ("monthlycost", "cost", "月額", "月額料金", "月額(円)", "月額費用",
                         "料金"),
        "contract_start": ("contractstart", "契約開始日", "契約日", "開始日"),
        "contract_end": ("contractend", "契約終了日", "契約満了日", "満了日", "終了日"),
        "renewal_window_days": ("renewalwindowdays", "renewalwindow", "更新通知日数",
                                "更新期間", "通知日数"),
        "status": ("status", "state", "状態", "ステータス"),
        "pin": ("pin", "simpin", "pinコード"),
        "puk": ("puk", "pukコード"),
        "notes": ("notes", "note", "remarks", "comment", "備考", "メモ"),
    },
}
_BY_HEADER = {kind: {alias: name for name, aliases in table.items() for alias in aliases}
              for kind, table in _ALIASES.items()}

STATUS_ALIASES = {
    "devices": {
        "in_stock": "in_stock", "in stock": "in_stock", "stock": "in_stock", "在庫": "in_stock",
        "在庫中": "in_stock", "保管中": "in_stock",
        "in_repair": "in_repair", "in repair": "in_repair", "repair": "in_repair",
        "修理中": "in_repair", "修理": "in_repair",
        "lost": "lost", "紛失": "lost",
        "retired": "retired", "廃棄": "retired", "廃棄済": "retired", "廃止": "retired",
    },
    "lines": {
        "in_stock": "in_stock", "in stock": "in_stock", "stock": "in_stock", "在庫": "in_stock",
        "未使用": "in_stock", "active": "in_stock", "利用可": "in_stock",
        "suspended": "suspended", "休止": "suspended", "休止中": "suspended",
        "一時停止": "suspended",
        "cancelled": "cancelled", "canceled": "cancelled", "解約": "cancelled",
        "解約済": "cancelled",
    },
}


def normalise_header(text: str) -> str:
    """A header as compared: NFKC, lower case, without spaces, ``_``, ``-`` and ``.``."""
    return re.sub(r"[\s_\-.・]", "", unicodedata.normalize("NFKC", text).lower())


def auto_mapping(kind: str, header: list[str]) -> dict[int, str]:
    """Column index → field for the header names known for ``kind`` (first column wins)."""
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for index, text in enumerate(header):
        name = _BY_HEADER[kind].get(normalise_header(text))
        if name and name not in taken:
            mapping[index] = name
            taken.add(name)
    return mapping


def field_label(kind: str, name: str) -> str:
    return str(COLUMNS[kind][name])
