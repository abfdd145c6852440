"""OpenAPI description of the devices API (inventory), merged by workhub.api.openapi."""

from __future__ import annotations

from workhub.devices.models import DEVICE_KINDS, DEVICE_STATUSES, LINE_STATUSES, SIM_TYPES

_DATE = {"type": "string", "format": "date", "nullable": True}
_TEXT = {"type": "string", "nullable": True}
_HOLDER = {
    "type": "object",
    "nullable": True,
    "description": "The person holding the item now (its open allocation)",
    "properties": {
        "login": {"type": "string"},
        "display_name": {"type": "string"},
        "allocation_id": {"type": "integer"},
        "since": {"type": "string", "format": "date-time"},
        "due_date": _DATE,
    },
}
_DEVICE_INPUT = {
    "asset_tag": {"type": "string", "maxLength": 40, "example": "PC-2026-0001",
                  "description": "Letters, digits and . _ / -; stored in capitals; unique"},
    "kind": {"type": "string", "enum": list(DEVICE_KINDS)},
    "maker": {"type": "string", "maxLength": 100},
    "model": {"type": "string", "maxLength": 100},
    "serial": {**_TEXT, "maxLength": 100, "description": "Unique per maker"},
    "os": {**_TEXT, "maxLength": 100},
    "purchase_date": _DATE,
    "warranty_end": {**_DATE, "description": "Not before purchase_date"},
    "location": {**_TEXT, "maxLength": 200},
    "notes": {**_TEXT, "maxLength": 2000},
}
_INT = {"type": "integer", "nullable": True, "minimum": 0}
_LINE_INPUT = {
    "number": {**_TEXT, "example": "090-1234-5678",
               "description": "Phone number; kept as 10-15 digits. number or data_line_id "
               "is required; unique"},
    "data_line_id": {**_TEXT, "maxLength": 40, "description": "Unique"},
    "iccid": {**_TEXT, "description": "19 or 20 digits with a valid Luhn check digit; unique"},
    "sim_type": {"type": "string", "enum": list(SIM_TYPES), "default": "sim"},
    "carrier": {"type": "string", "maxLength": 100},
    "plan": {**_TEXT, "maxLength": 100},
    "data_cap_gb": {**_INT, "maximum": 100000},
    "monthly_cost": {**_INT, "maximum": 10000000, "description": "Yen a month, tax included"},
    "contract_start": _DATE,
    "contract_end": {**_DATE, "description": "Not before contract_start"},
    "renewal_window_days": {**_INT, "maximum": 366},
    "notes": {**_TEXT, "maxLength": 2000},
}

SCHEMAS: dict = {
    "DeviceInput": {"type": "object", "additionalProperties": False,
                    "required": ["asset_tag", "kind", "maker", "model"],
                    "properties": _DEVICE_INPUT},
    "Device": {
        "type": "object",
        "required": ["id", "asset_tag", "kind", "maker", "model", "status"],
        "properties": {
            "id": {"type": "integer"},
            **{k: v for k, v in _DEVICE_INPUT.items() if k != "kind"},
            "kind": {"type": "string", "enum": list(DEVICE_KINDS)},
            "model_id": {"type": "integer"},
            "status": {"type": "string", "enum": list(DEVICE_STATUSES)},
            "holder": _HOLDER,
            "lines": {"type": "array", "description": "Lines installed (one device only)",
                      "items": {"type": "object", "properties": {
                          "id": {"type": "integer"}, "label": {"type": "string"}}}},
        },
    },
    "LineInput": {"type": "object", "additionalProperties": False, "required": ["carrier"],
                  "properties": _LINE_INPUT},
    "Line": {
        "type": "object",
        "description": "A communication line. PIN and PUK are never part of the API.",
        "required": ["id", "carrier", "sim_type", "status"],
        "properties": {
            "id": {"type": "integer"},
            **_LINE_INPUT,
            "status": {"type": "string", "enum": list(LINE_STATUSES)},
            "device": {"type": "object", "nullable": True,
                       "description": "The device the SIM is installed in",
                       "properties": {"id": {"type": "integer"},
                                      "asset_tag": {"type": "string"}}},
            "holder": _HOLDER,
        },
    },
}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def json_ref(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error_ref(description: str) -> dict:
    return json_ref(_ref("Error"), description)


def _page_of(name: str) -> dict:
    return {"type": "object", "required": ["items", "page", "per_page", "total"],
            "properties": {"items": {"type": "array", "items": _ref(name)},
                           "page": {"type": "integer"}, "per_page": {"type": "integer"},
                           "total": {"type": "integer"}}}


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


_PAGING = [_query("page", "Page number, from 1", {"type": "integer", "minimum": 1}),
           _query("per_page", "Items a page (1-100, default 50)",
                  {"type": "integer", "minimum": 1, "maximum": 100})]
_COMMON = {"401": error_ref("Missing, unknown or revoked token"),
           "403": error_ref("Not IT staff or an administrator")}


def _create(summary: str, schema: str) -> dict:
    return {"post": {
        "summary": summary,
        "requestBody": {"required": True,
                        "content": {"application/json": {"schema": _ref(f"{schema}Input")}}},
        "responses": {
            "201": json_ref(_ref(schema), "Created"),
            "400": error_ref("Not a JSON object, a value of the wrong type or an unknown field"),
            **_COMMON,
            "409": error_ref("The asset tag, serial, number, data-line id or ICCID is already "
                          "recorded (code duplicate_<field>)"),
            "422": error_ref("A value is refused; `field` names it and `problems` lists every "
                          "problem"),
        }}}


def _one(summary: str, schema: str, param: str) -> dict:
    return {"get": {
        "summary": summary,
        "parameters": [{"name": param, "in": "path", "required": True,
                        "schema": {"type": "integer"}}],
        "responses": {"200": json_ref(_ref(schema), summary), **_COMMON,
                      "404": error_ref("No such item")}}}


def paths() -> dict:
    return {
        "/devices": {
            **_create("Add a device (in stock)", "Device"),
            "get": {
                "summary": "Devices, by asset tag",
                "parameters": [
                    _query("kind", "Device kind", {"type": "string",
                                                   "enum": list(DEVICE_KINDS)}),
                    _query("status", "Status", {"type": "string",
                                                "enum": list(DEVICE_STATUSES)}),
                    _query("model_id", "Device model id", {"type": "integer"}),
                    _query("q", "Part of the asset tag, serial or installed line number"),
                    *_PAGING,
                ],
                "responses": {"200": json_ref(_page_of("Device"), "One page of devices"),
                              "400": error_ref("A filter or page value is wrong"), **_COMMON},
            },
        },
        "/devices/{device_id}": _one("One device with its holder and installed lines",
                                     "Device", "device_id"),
        "/lines": {
            **_create("Add a line (in stock)", "Line"),
            "get": {
                "summary": "Lines, by number",
                "parameters": [
                    _query("status", "Status", {"type": "string",
                                                "enum": list(LINE_STATUSES)}),
                    _query("carrier", "Carrier, exactly"),
                    _query("q", "Part of the number, data-line id or ICCID"),
                    *_PAGING,
                ],
                "responses": {"200": json_ref(_page_of("Line"), "One page of lines"),
                              "400": error_ref("A filter or page value is wrong"), **_COMMON},
            },
        },
        "/lines/{line_id}": _one("One line with its holder and device", "Line", "line_id"),
    }
