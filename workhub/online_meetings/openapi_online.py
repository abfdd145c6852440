"""OpenAPI description of the licence inventory and a meeting's licences, merged by
workhub.api.openapi."""

from __future__ import annotations

from workhub.api.openapi_parts import DAY, error_ref, json_body, json_ref
from workhub.online_meetings.models import LICENCE_KINDS, LICENCE_TOOLS, MAX_CAPACITY, USE_MODES

_REF = "#/components/schemas/"
_TEXT = {"type": "string", "nullable": True}
_LICENCE_FIELDS = {
    "name": {"type": "string", "maxLength": 120},
    "kind": {"type": "string", "enum": list(LICENCE_KINDS)},
    "tool": {"type": "string", "enum": list(LICENCE_TOOLS)},
    "capacity": {"type": "integer", "minimum": 1, "maximum": MAX_CAPACITY},
    "account": {**_TEXT, "maxLength": 200},
    "contract_ref": {**_TEXT, "maxLength": 100},
    "contract_start": {**DAY, "nullable": True},
    "contract_end": {**DAY, "nullable": True},
    "monthly_cost_yen": {"type": "integer", "minimum": 0, "nullable": True},
    "paying_department": {**_TEXT, "description": "Department code"},
    "mode": {"type": "string", "enum": list(USE_MODES)},
    "assigned_user": {**_TEXT, "description": "Login ID (mode assigned)"},
    "assigned_department": {**_TEXT, "description": "Department code (mode assigned)"},
    "active": {"type": "boolean"},
    "notes": {**_TEXT, "maxLength": 2000},
}
_WHEN = {"type": "string", "format": "date-time"}

SCHEMAS: dict = {
    "Licence": {"type": "object", "required": ["id", "name", "kind", "tool", "capacity", "mode",
                                               "active"],
                "properties": {"id": {"type": "integer"}, **_LICENCE_FIELDS}},
    "LicenceList": {"type": "object", "required": ["items"],
                    "properties": {"items": {"type": "array",
                                             "items": {"$ref": _REF + "Licence"}}}},
    "LicenceCreated": {"type": "object", "required": ["id"],
                       "properties": {"id": {"type": "integer"}}},
    "LicenceBooking": {"type": "object", "required": ["licence", "starts_at", "ends_at"],
                       "properties": {"licence": {"$ref": _REF + "Licence"},
                                      "starts_at": _WHEN, "ends_at": _WHEN}},
    "InvitationSent": {"type": "object", "required": ["sequence", "recipients"],
                       "properties": {"sequence": {"type": "integer", "minimum": 0,
                                                   "description": "iCalendar SEQUENCE"},
                                      "recipients": {"type": "integer", "minimum": 0}}},
    "Rating": {"type": "object", "required": ["tool", "sound", "picture", "trouble"],
               "properties": {"tool": {"type": "string", "enum": list(LICENCE_TOOLS)},
                              "sound": {"type": "integer", "minimum": 1, "maximum": 5},
                              "picture": {"type": "integer", "minimum": 1, "maximum": 5},
                              "trouble": {"type": "boolean"},
                              "comment": {**_TEXT, "maxLength": 500}}},
    "ToolComparison": {
        "type": "object", "required": ["by_tool", "by_department"],
        "properties": {name: {"type": "array", "items": {"type": "object", "properties": {
            "tool": {"type": "string", "enum": list(LICENCE_TOOLS)},
            "department": {**_TEXT, "description": "Japanese name (by_department only)"},
            "meetings": {"type": "integer"}, "sound": {"type": "number"},
            "picture": {"type": "number"},
            "trouble_share": {"type": "number", "minimum": 0, "maximum": 1}}}}
            for name in ("by_tool", "by_department")},
    },
    "MeetingLicences": {
        "type": "object", "required": ["held", "free"],
        "properties": {
            "held": {"type": "array", "items": {"$ref": _REF + "LicenceBooking"}},
            "free": {"type": "array", "description": "Free for the meeting's time (only for "
                     "whoever manages it)", "items": {"type": "object", "properties": {
                         "id": {"type": "integer"}, "name": {"type": "string"},
                         "kind": {"type": "string", "enum": list(LICENCE_KINDS)},
                         "tool": {"type": "string", "enum": list(LICENCE_TOOLS)},
                         "capacity": {"type": "integer"}}}},
        },
    },
}


def _id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


_AUTH = {"401": error_ref("Missing, unknown or revoked token")}
_IT = {**_AUTH, "403": error_ref("Only IT and administrators keep the licence inventory")}
_WRITE = {"400": error_ref("Malformed body, wrong types or unknown fields"),
          "409": error_ref("Another licence has this name"),
          "422": error_ref("A rule refused it; `field` names the field")}


def paths() -> dict:
    licence_id, meeting_id = _id("licence_id"), _id("meeting_id")
    return {
        "/licences": {
            "get": {"summary": "The licence inventory (IT, administrators)",
                    "responses": {"200": json_ref("LicenceList", "Every licence"), **_IT}},
            "post": {"summary": "Add a licence (IT, administrators)",
                     "requestBody": json_body(_LICENCE_FIELDS, ["name", "tool", "capacity"]),
                     "responses": {"201": json_ref("LicenceCreated", "Added"), **_IT, **_WRITE}},
        },
        "/licences/{licence_id}": {
            "get": {"summary": "One licence", "parameters": [licence_id],
                    "responses": {"200": json_ref("Licence", "The licence"), **_IT,
                                  "404": error_ref("No such licence")}},
            "patch": {"summary": "Change a licence: the fields given, the others kept",
                      "parameters": [licence_id], "requestBody": json_body(_LICENCE_FIELDS),
                      "responses": {"200": json_ref("Licence", "Saved"), **_IT, **_WRITE,
                                    "404": error_ref("No such licence")}},
            "delete": {"summary": "Delete a licence no meeting booked",
                       "parameters": [licence_id],
                       "responses": {"204": {"description": "Deleted"}, **_IT,
                                     "404": error_ref("No such licence"),
                                     "409": error_ref("Booked by meetings: set it out of use "
                                                      "instead")}},
        },
        "/meetings/{meeting_id}/licences": {
            "get": {"summary": "The licences a meeting holds and those free for its time",
                    "parameters": [meeting_id],
                    "responses": {"200": json_ref("MeetingLicences", "Held and free"),
                                  **_AUTH, "403": error_ref("May not see this meeting"),
                                  "404": error_ref("No such meeting")}},
            "post": {"summary": "Book a licence for the meeting's time",
                     "parameters": [meeting_id],
                     "requestBody": json_body({"licence_id": {"type": "integer"}},
                                              ["licence_id"]),
                     "responses": {"201": json_ref("LicenceBooking", "Booked"), **_AUTH,
                                   "400": error_ref("Malformed body"),
                                   "403": error_ref("May not manage this meeting"),
                                   "404": error_ref("No such meeting or licence"),
                                   "409": error_ref("Booked by another meeting at that time, "
                                                    "or the meeting holds a host licence"),
                                   "422": error_ref("The licence does not fit the meeting "
                                                    "(tool, end time, capacity, contract, "
                                                    "assignment)")}},
        },
        "/meetings/{meeting_id}/rating": {"put": {
            "summary": "Rate an online meeting held: sound and picture 1-5, connection trouble "
                       "(a second rating replaces the first)",
            "parameters": [meeting_id],
            "requestBody": json_body({
                "sound": {"type": "integer", "minimum": 1, "maximum": 5},
                "picture": {"type": "integer", "minimum": 1, "maximum": 5},
                "trouble": {"type": "boolean"},
                "comment": {**_TEXT, "maxLength": 500}}, ["sound", "picture"]),
            "responses": {"200": json_ref("Rating", "Saved"), **_AUTH,
                          "400": error_ref("Malformed body"),
                          "403": error_ref("May not manage this meeting"),
                          "404": error_ref("No such meeting"),
                          "422": error_ref("Not an online meeting, not held yet, or a score "
                                           "outside 1-5")}}},
        "/meetings/tool-comparison": {"get": {
            "summary": "The ratings per online tool and per department (HR, IT, administrators)",
            "responses": {"200": json_ref("ToolComparison", "The comparison"), **_AUTH,
                          "403": error_ref("Only HR, IT and administrators")}}},
        "/meetings/{meeting_id}/invitations": {
            "post": {"summary": "Mail the iCalendar invitation (or, after the first, the "
                                "update) to the meeting's staff participants",
                     "parameters": [meeting_id],
                     "responses": {"201": json_ref("InvitationSent", "Queued for mailing"),
                                   **_AUTH, "400": error_ref("A body was sent"),
                                   "403": error_ref("May not manage this meeting"),
                                   "404": error_ref("No such meeting"),
                                   "422": error_ref("No end time, over, or no staff "
                                                    "participant with an address")}},
            "delete": {"summary": "Mail the cancellation (METHOD:CANCEL)",
                       "parameters": [meeting_id],
                       "responses": {"200": json_ref("InvitationSent", "Queued for mailing"),
                                     **_AUTH, "403": error_ref("May not manage this meeting"),
                                     "404": error_ref("No such meeting"),
                                     "422": error_ref("No invitation out to cancel")}},
        },
        "/meetings/{meeting_id}/licences/{licence_id}": {"delete": {
            "summary": "Release a licence the meeting holds", "parameters": [meeting_id,
                                                                             licence_id],
            "responses": {"204": {"description": "Released (also when it was not held)"},
                          **_AUTH, "403": error_ref("May not manage this meeting"),
                          "404": error_ref("No such meeting")}}},
    }
