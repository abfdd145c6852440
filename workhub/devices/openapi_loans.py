"""OpenAPI description of the devices API (loans and requests), merged by
workhub.api.openapi."""

from __future__ import annotations

from workhub.api.openapi_parts import DAY, error_ref, json_body, json_ref

_ID = {"type": "integer", "minimum": 1}
_IDS = {"type": "array", "items": _ID, "maxItems": 10}
_STAMP = {"type": "string", "format": "date-time", "nullable": True}
_PERSON = {"type": "object", "nullable": True, "properties": {
    "login": {"type": "string"}, "display_name": {"type": "string"}}}
_KINDS = ["laptop", "tablet", "smartphone", "router", "line"]
_STATUSES = ["pending", "approved", "waitlisted", "fulfilled", "rejected", "cancelled"]
_PAGE = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                   "maximum": 100, "default": 50}},
]


def _list(item: str) -> dict:
    return {"type": "object", "required": ["items", "page", "per_page", "total"], "properties": {
        "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
        "page": {"type": "integer"}, "per_page": {"type": "integer"},
        "total": {"type": "integer"}}}


SCHEMAS: dict = {
    "Allocation": {
        "type": "object",
        "required": ["id", "kind", "user", "allocated_at", "due_date"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string", "enum": _KINDS},
            "device": {"type": "object", "nullable": True, "properties": {
                "id": {"type": "integer"}, "asset_tag": {"type": "string"}}},
            "line": {"type": "object", "nullable": True, "properties": {
                "id": {"type": "integer"}, "label": {"type": "string"}}},
            "user": _PERSON,
            "kit_id": {"type": "string", "nullable": True,
                       "description": "Shared by the items lent together"},
            "request_id": {"type": "integer", "nullable": True},
            "allocated_at": {"type": "string", "format": "date-time"},
            "allocated_by": _PERSON,
            "due_date": {**DAY, "nullable": True},
            "handover_notes": {"type": "string", "nullable": True},
            "overdue": {"type": "boolean"},
            "confirmed_at": _STAMP,
            "terms_version": {"type": "integer", "nullable": True},
            "returned_at": _STAMP,
            "return_condition": {"type": "string", "nullable": True,
                                 "enum": ["good", "damaged", "faulty", "lost", None]},
            "return_notes": {"type": "string", "nullable": True},
            "terms": {"type": "object", "description": "Only for the holder of an open, "
                      "unconfirmed loan: the loan terms to accept", "properties": {
                          "version": {"type": "integer", "nullable": True},
                          "text": {"type": "string"}}},
        },
    },
    "AllocationList": _list("Allocation"),
    "AllocationCreated": {
        "type": "object", "required": ["id", "ids"],
        "properties": {
            "id": {"type": "integer", "description": "The first (or only) loan"},
            "ids": {"type": "array", "items": {"type": "integer"}},
            "kit_id": {"type": "string", "nullable": True},
            "allocations": {"type": "array",
                            "items": {"$ref": "#/components/schemas/Allocation"}},
        },
    },
    "DeviceRequest": {
        "type": "object",
        "required": ["id", "user", "kind", "start_date", "status"],
        "properties": {
            "id": {"type": "integer"},
            "user": _PERSON,
            "kind": {"type": "string", "enum": _KINDS},
            "start_date": DAY,
            "end_date": {**DAY, "nullable": True},
            "purpose": {"type": "string"},
            "status": {"type": "string", "enum": _STATUSES},
            "needs_approval": {"type": "boolean"},
            "waitlist_position": {"type": "integer", "nullable": True},
            "decided_by": _PERSON,
            "decided_at": _STAMP,
            "decision_comment": {"type": "string", "nullable": True},
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
    "DeviceRequestList": _list("DeviceRequest"),
}

_ITEMS = {
    "device_id": _ID, "line_id": _ID, "device_ids": _IDS, "line_ids": _IDS,
    "include_installed_lines": {"type": "boolean", "default": False,
                                "description": "Also lend the lines installed in the devices"},
    "due_date": DAY,
    "notes": {"type": "string", "maxLength": 2000, "description": "Handover notes"},
}


def paths() -> dict:
    unauthorized = error_ref("Missing, unknown or revoked token")
    loan = json_ref("Allocation", "The loan")
    request_ = json_ref("DeviceRequest", "The request")
    hidden = error_ref("No such loan, or not one the caller may see")
    hidden_request = error_ref("No such request, or not one the caller may see")
    allocation_id = [{"name": "allocation_id", "in": "path", "required": True,
                      "schema": {"type": "integer"}}]
    request_id = [{"name": "request_id", "in": "path", "required": True,
                   "schema": {"type": "integer"}}]
    refused = error_ref("A lending rule refuses it; `code` names the rule: item_unavailable, "
                     "holder_inactive, due_in_past, due_too_far, request_mismatch")

    def step(summary: str, field: str, forbidden: str, conflict: str) -> dict:
        return {"post": {
            "summary": summary, "parameters": request_id,
            "requestBody": json_body({field: {"type": "string", "maxLength": 500}}),
            "responses": {"200": request_, "400": error_ref(f"Malformed JSON, a bad {field} "
                                                          "(required to reject, and for IT "
                                                          "to cancel)"),
                          "401": unauthorized, "403": error_ref(forbidden), "404": hidden_request,
                          "409": error_ref(conflict)}}}

    return {
        "/allocations": {
            "get": {
                "summary": "Loans the caller may see",
                "description": "IT and administrators see all, managers their departments' "
                "people, everyone their own. `state` (default all), or the flags `open` "
                "(true: open, false: returned) and `overdue=true`.",
                "parameters": [
                    {"name": "state", "in": "query", "schema": {"type": "string", "enum": [
                        "open", "overdue", "unconfirmed", "returned", "all"]}},
                    {"name": "open", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "overdue", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "user", "in": "query", "schema": {"type": "string"},
                     "description": "Login ID of the holder"},
                    {"name": "device_id", "in": "query", "schema": {"type": "integer"}},
                    {"name": "line_id", "in": "query", "schema": {"type": "integer"}},
                    {"name": "kind", "in": "query", "schema": {"type": "string",
                                                               "enum": _KINDS}},
                    *_PAGE,
                ],
                "responses": {"200": json_ref("AllocationList", "One page of loans"),
                              "400": error_ref("A malformed filter"), "401": unauthorized},
            },
            "post": {
                "summary": "Lend a device, a line or a kit to a person (IT)",
                "description": "`device_id` or `line_id` lends one item; `device_ids` and "
                "`line_ids` (with `include_installed_lines`) lend a kit, all or nothing. "
                "`request_id` fulfils the person's approved or waitlisted request.",
                "requestBody": json_body({**_ITEMS, "user": {"type": "string",
                                                         "description": "Login ID"},
                                      "request_id": _ID}, ["user", "due_date"]),
                "responses": {
                    "201": json_ref("AllocationCreated", "The loans made"),
                    "400": error_ref("Malformed JSON, wrong types, unknown fields, an unknown "
                                  "user or item, no due date"),
                    "401": unauthorized,
                    "403": error_ref("Only IT staff and administrators lend items"),
                    "409": error_ref("An item is already lent (code already_allocated), or the "
                                  "request is no longer open"),
                    "422": refused,
                },
            },
        },
        "/allocations/{allocation_id}": {"get": {
            "summary": "One loan", "parameters": allocation_id,
            "responses": {"200": loan, "401": unauthorized, "404": hidden}}},
        "/allocations/{allocation_id}/return": {"post": {
            "summary": "Record the return of a loan (IT)",
            "description": "`condition` good puts the item back in stock; damaged or faulty "
            "sends a device to repair; lost marks it lost (lines: suspended). `whole_kit` "
            "returns every open loan of the kit.",
            "parameters": allocation_id,
            "requestBody": json_body({
                "condition": {"type": "string", "enum": ["good", "damaged", "faulty", "lost"]},
                "notes": {"type": "string", "maxLength": 2000,
                          "description": "Required unless the condition is good"},
                "whole_kit": {"type": "boolean", "default": False}}, ["condition"]),
            "responses": {"200": {"description": "The loans returned", "content": {
                "application/json": {"schema": {"type": "object", "properties": {
                    "returned": {"type": "array",
                                 "items": {"$ref": "#/components/schemas/Allocation"}}}}}}},
                          "400": error_ref("Malformed JSON, an unknown condition, notes missing"),
                          "401": unauthorized, "403": error_ref("Only IT staff record returns"),
                          "404": hidden, "409": error_ref("Already returned")}}},
        "/allocations/{allocation_id}/confirm": {"post": {
            "summary": "Confirm receipt and accept the loan terms (the holder)",
            "parameters": allocation_id,
            "requestBody": json_body({"terms_version": {
                "type": "integer", "nullable": True,
                "description": "The version of the terms shown (see `terms` of the loan)"}},
                ["terms_version"]),
            "responses": {"200": loan, "400": error_ref("Malformed JSON, terms_version missing"),
                          "401": unauthorized, "403": error_ref("Not the holder"),
                          "404": hidden,
                          "409": error_ref("Already confirmed or returned, or the terms changed "
                                        "(code terms_changed)")}}},
        "/device-requests": {
            "get": {
                "summary": "Device requests the caller may see",
                "parameters": [
                    {"name": "status", "in": "query", "schema": {
                        "type": "string", "enum": [*_STATUSES, "open"]}},
                    {"name": "mine", "in": "query", "schema": {"type": "boolean"}},
                    *_PAGE,
                ],
                "responses": {"200": json_ref("DeviceRequestList", "One page of requests"),
                              "400": error_ref("A malformed filter"), "401": unauthorized},
            },
            "post": {
                "summary": "Request a device or a line for telework (for oneself)",
                "requestBody": json_body({
                    "kind": {"type": "string", "enum": _KINDS}, "start_date": DAY,
                    "end_date": DAY, "purpose": {"type": "string", "maxLength": 500}},
                    ["kind", "start_date", "purpose"]),
                "responses": {
                    "201": request_,
                    "400": error_ref("Malformed JSON, wrong types, unknown fields, no purpose"),
                    "401": unauthorized,
                    "409": error_ref("An open request for this kind exists (request_open)"),
                    "422": error_ref("A rule refuses it: start_in_past, start_too_far, "
                                  "end_before_start, end_too_far"),
                },
            },
        },
        "/device-requests/{request_id}": {"get": {
            "summary": "One device request", "parameters": request_id,
            "responses": {"200": request_, "401": unauthorized, "404": hidden_request}}},
        "/device-requests/{request_id}/approve": step(
            "Approve a pending request (a manager of the requester)", "comment",
            "Not a manager of the requester (or their own request)", "Not pending"),
        "/device-requests/{request_id}/reject": step(
            "Reject a pending request (a comment is required)", "comment",
            "Not a manager of the requester (or their own request)", "Not pending"),
        "/device-requests/{request_id}/waitlist": step(
            "Put an approved request on the waitlist (IT)", "comment",
            "Only IT staff", "Not approved"),
        "/device-requests/{request_id}/cancel": step(
            "Cancel an open request (the requester; IT with a reason)", "reason",
            "Neither the requester nor IT", "No longer open"),
        "/device-requests/{request_id}/fulfil": {"post": {
            "summary": "Lend items for an approved or waitlisted request (IT)",
            "description": "As POST /allocations, for the requester; `due_date` defaults to "
            "the request's last day.",
            "parameters": request_id,
            "requestBody": json_body(_ITEMS),
            "responses": {
                "200": {"description": "The request (fulfilled) and the loans made",
                        "content": {"application/json": {"schema": {
                            "type": "object", "properties": {
                                "request": {"$ref": "#/components/schemas/DeviceRequest"},
                                "allocation_ids": {"type": "array",
                                                   "items": {"type": "integer"}}}}}}},
                "400": error_ref("Malformed JSON, an unknown item, no due date"),
                "401": unauthorized, "403": error_ref("Only IT staff"), "404": hidden_request,
                "409": error_ref("An item is already lent, or the request is not open"),
                "422": refused,
            },
        }},
    }
