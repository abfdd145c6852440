"""OpenAPI description of the telework API (statistics, sessions, targets, bookings),
merged by workhub.api.openapi."""

from __future__ import annotations

from workhub.api.openapi_parts import DAY, error_ref, json_body, json_ref

TELEWORK_STATS_SCHEMA = {
    "type": "object",
    "required": ["month", "scope", "target", "actual", "hours"],
    "properties": {
        "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
        "scope": {"type": "string", "enum": ["organisation", "departments", "self"]},
        "target": {"type": "integer", "nullable": True},
        "actual": {"type": "integer", "description": "Sessions (remote-work occurrences)"},
        "hours": {"type": "number"},
        "business_days": {"type": "integer"},
        "business_days_left": {"type": "integer"},
        "pace_needed": {"type": "number", "nullable": True},
        "projection": {"type": "integer", "nullable": True},
        "departments": {
            "type": "array",
            "description": "Absent for callers who see only their own sessions. Figures "
            "include sub-departments; `own` counts the department itself only.",
            "items": {
                "type": "object",
                "required": ["code", "name", "target", "actual"],
                "properties": {
                    "code": {"type": "string"},
                    "name": {"type": "string"},
                    "parent": {"type": "string", "nullable": True},
                    "target": {"type": "integer", "nullable": True},
                    "actual": {"type": "integer"},
                    "own": {"type": "integer"},
                    "hours": {"type": "number"},
                },
            },
        },
    },
}


def _telework_stats_path() -> dict:
    return {
        "get": {
            "summary": "A month's remote-work sessions against the target",
            "description": "Scoped to the caller: HR and administrators see the "
            "organisation, managers their departments, everyone else their own sessions.",
            "parameters": [
                {"name": "month", "in": "query", "required": False,
                 "description": "YYYY-MM; this month (Japan time) when left out",
                 "schema": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}}
            ],
            "responses": {
                "200": {
                    "description": "The month's figures",
                    "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/TeleworkStats"}}},
                },
                "400": error_ref("The month is not written YYYY-MM"),
                "401": error_ref("Missing, unknown or revoked token"),
            },
        }
    }


_HHMM = {"type": "string", "pattern": "^[0-9]{1,2}:[0-9]{2}$", "example": "09:00"}
_MONTH_PARAM = {"name": "month", "in": "path", "required": True,
                "schema": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}}

TELEWORK_SESSION_SCHEMAS = {
    "TeleworkSession": {
        "type": "object",
        "required": ["id", "user", "date", "start", "end", "running", "place", "unplanned"],
        "properties": {
            "id": {"type": "integer"},
            "user": {"type": "string", "description": "Login of the person"},
            "display_name": {"type": "string"},
            "date": {"type": "string", "format": "date",
                     "description": "The Japan-time day the session counts for"},
            "start": _HHMM,
            "end": {**_HHMM, "nullable": True, "description": "null while running"},
            "started_at": {"type": "string", "format": "date-time"},
            "ended_at": {"type": "string", "format": "date-time", "nullable": True},
            "running": {"type": "boolean"},
            "minutes": {"type": "integer", "nullable": True},
            "hours": {"type": "number", "nullable": True},
            "place": {"type": "string", "enum": ["home", "satellite", "other"]},
            "report": {"type": "string", "nullable": True},
            "booking_id": {"type": "integer", "nullable": True},
            "unplanned": {"type": "boolean", "description": "Recorded without a booking"},
        },
    },
    "TeleworkSessionList": {
        "type": "object",
        "required": ["month", "total", "sessions"],
        "properties": {
            "month": {"type": "string"},
            "total": {"type": "integer"},
            "limit": {"type": "integer"},
            "offset": {"type": "integer"},
            "sessions": {"type": "array",
                         "items": {"$ref": "#/components/schemas/TeleworkSession"}},
        },
    },
    "TeleworkTargets": {
        "type": "object",
        "required": ["month", "target", "departments"],
        "properties": {
            "month": {"type": "string"},
            "target": {"type": "integer", "nullable": True, "minimum": 0},
            "departments": {"type": "object",
                            "additionalProperties": {"type": "integer", "minimum": 0}},
        },
    },
}


def _telework_sessions_paths() -> dict:
    session = json_ref("TeleworkSession", "The session")
    unauthorized = error_ref("Missing, unknown or revoked token")
    rule = error_ref("A rule refuses it; `code` names the rule: future, end_before_start, "
                  "too_long, overlap, month_closed, booking_required, booking_invalid")
    return {
        "/telework/sessions": {
            "get": {
                "summary": "Sessions of a month the caller may see",
                "description": "Everyone sees their own sessions; managers also those of "
                "their departments; HR and administrators all.",
                "parameters": [
                    {"name": "month", "in": "query", "required": False,
                     "description": "YYYY-MM; this month (Japan time) when left out",
                     "schema": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}},
                    {"name": "user", "in": "query", "required": False,
                     "description": "Only this person's sessions (login)",
                     "schema": {"type": "string"}},
                    {"name": "limit", "in": "query", "required": False,
                     "schema": {"type": "integer", "minimum": 1, "maximum": 5000,
                                "default": 1000}},
                    {"name": "offset", "in": "query", "required": False,
                     "schema": {"type": "integer", "minimum": 0, "default": 0}},
                ],
                "responses": {
                    "200": json_ref("TeleworkSessionList", "The sessions, oldest first"),
                    "400": error_ref("A malformed month, limit or offset"),
                    "401": unauthorized,
                },
            },
            "post": {
                "summary": "Enter a finished session after the fact",
                "description": "Times are Japan time on `date`. Linked to the approved "
                "booking of that day (or `booking_id`); without one it is flagged unplanned, "
                "or refused when the department's policy requires a booking.",
                "requestBody": json_body({
                    "date": {"type": "string", "format": "date"},
                    "start": _HHMM, "end": _HHMM,
                    "place": {"type": "string", "enum": ["home", "satellite", "other"]},
                    "booking_id": {"type": "integer", "nullable": True},
                    "report": {"type": "string", "nullable": True, "maxLength": 2000},
                }, ["date", "start", "end", "place"]),
                "responses": {
                    "201": session,
                    "400": error_ref("Malformed JSON, wrong types, missing fields, a bad date "
                                  "or time, an unknown place, a report too long"),
                    "401": unauthorized,
                    "422": rule,
                },
            },
        },
        "/telework/sessions/start": {
            "post": {
                "summary": "Start a session now",
                "requestBody": json_body({
                    "place": {"type": "string", "enum": ["home", "satellite", "other"],
                              "default": "home"},
                    "booking_id": {"type": "integer", "nullable": True},
                }),
                "responses": {
                    "201": session,
                    "400": error_ref("Malformed JSON or wrong types"),
                    "401": unauthorized,
                    "409": error_ref("A session is already running (code session_running)"),
                    "422": rule,
                },
            },
        },
        "/telework/sessions/{session_id}/stop": {
            "post": {
                "summary": "Stop a running session now, with an optional work report",
                "description": "The owner, or HR/an administrator (audited as a correction).",
                "parameters": [{"name": "session_id", "in": "path", "required": True,
                                "schema": {"type": "integer"}}],
                "requestBody": json_body({"report": {"type": "string", "nullable": True,
                                                 "maxLength": 2000}}),
                "responses": {
                    "200": session,
                    "400": error_ref("Malformed JSON, wrong types, a report too long"),
                    "401": unauthorized,
                    "403": error_ref("A manager may see the session but not change it"),
                    "404": error_ref("No such session, or not one the caller may see"),
                    "409": error_ref("Already stopped (code already_stopped)"),
                    "422": rule,
                },
            },
        },
        "/telework/targets/{month}": {
            "put": {
                "summary": "Set a month's targets (HR only)",
                "description": "Replaces the month's targets: `target` is the organisation's "
                "(null removes it), `departments` maps department codes to targets (departments "
                "left out have none).",
                "parameters": [_MONTH_PARAM],
                "requestBody": json_body({
                    "target": {"type": "integer", "nullable": True, "minimum": 0},
                    "departments": {"type": "object",
                                    "additionalProperties": {"type": "integer", "minimum": 0}},
                }),
                "responses": {
                    "200": json_ref("TeleworkTargets", "The month's targets now"),
                    "400": error_ref("A bad month, malformed JSON, wrong types, a negative or "
                                  "too large target, an unknown department code"),
                    "401": unauthorized,
                    "403": error_ref("Only HR may set targets"),
                },
            },
        },
    }


_DATED = {"type": "object", "required": ["code", "message"], "properties": {
    "code": {"type": "string"}, "message": {"type": "string"},
    "date": {**DAY, "nullable": True}}}

TELEWORK_BOOKING_SCHEMAS = {
    "Booking": {
        "type": "object",
        "required": ["id", "date", "slot", "place", "status", "user"],
        "description": "`note`, `purpose`, `decided_by`, `decision_comment`, "
        "`override_reason` and `history` only for the owner, the approvers, HR and "
        "administrators.",
        "properties": {
            "id": {"type": "integer"},
            "date": DAY,
            "slot": {"type": "string", "enum": ["full", "am", "pm"]},
            "place": {"type": "string", "enum": ["home", "satellite", "other"]},
            "status": {"type": "string",
                       "enum": ["pending", "approved", "rejected", "cancelled"]},
            "user": {"type": "object", "properties": {
                "login": {"type": "string"}, "display_name": {"type": "string"}}},
            "series_id": {"type": "string", "nullable": True},
            "created_at": {"type": "string", "format": "date-time"},
            "decided_at": {"type": "string", "format": "date-time", "nullable": True},
            "note": {"type": "string", "nullable": True},
            "purpose": {"type": "string", "nullable": True},
            "decided_by": {"type": "string", "nullable": True},
            "decision_comment": {"type": "string", "nullable": True},
            "override_reason": {"type": "string", "nullable": True},
            "history": {"type": "array", "items": {"type": "object", "properties": {
                "at": {"type": "string", "format": "date-time"},
                "actor": {"type": "string", "nullable": True},
                "from": {"type": "string", "nullable": True},
                "to": {"type": "string"},
                "comment": {"type": "string", "nullable": True}}}},
        },
    },
    "BookingList": {
        "type": "object",
        "required": ["items", "page", "per_page", "total"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/Booking"}},
            "page": {"type": "integer"}, "per_page": {"type": "integer"},
            "total": {"type": "integer"},
        },
    },
    "BookingCreated": {
        "type": "object",
        "required": ["id", "ids", "status", "created", "skipped", "warnings"],
        "properties": {
            "id": {"type": "integer", "description": "The first booking made"},
            "ids": {"type": "array", "items": {"type": "integer"}},
            "status": {"type": "string", "enum": ["pending", "approved"]},
            "created": {"type": "array", "items": {"$ref": "#/components/schemas/Booking"}},
            "skipped": {"type": "array", "items": {"type": "object", "properties": {
                "date": DAY, "kind": {"type": "string", "enum": ["weekend", "holiday"]},
                "reason": {"type": "string", "description": "Holiday name or Weekend"}}}},
            "warnings": {"type": "array", "items": _DATED,
                         "description": "`share`: many of the department remote that day; "
                         "`no_approver`"},
            "overridden": {"type": "array", "items": _DATED},
        },
    },
}


def _telework_bookings_paths() -> dict:
    unauthorized = error_ref("Missing, unknown or revoked token")
    booking = json_ref("Booking", "The booking")
    booking_id = [{"name": "booking_id", "in": "path", "required": True,
                   "schema": {"type": "integer"}}]
    hidden = error_ref("No such booking, or not one the caller may see")

    def decision(summary: str, field: str, required: bool, forbidden: str) -> dict:
        return {"post": {
            "summary": summary, "parameters": booking_id,
            "requestBody": json_body({field: {"type": "string", "maxLength": 500}},
                                 [field] if required else None),
            "responses": {"200": booking, "400": error_ref("Malformed JSON or a bad "
                          f"{field}"), "401": unauthorized, "403": error_ref(forbidden),
                          "404": hidden, "409": error_ref("No longer pending / live")}}}

    return {
        "/telework/bookings": {
            "get": {
                "summary": "Bookings the caller may see",
                "description": "Their own, their department's and those they approve; HR "
                "and administrators all. Oldest day first.",
                "parameters": [
                    {"name": "from", "in": "query", "schema": DAY},
                    {"name": "to", "in": "query", "schema": DAY},
                    {"name": "status", "in": "query", "schema": {"type": "string", "enum": [
                        "pending", "approved", "rejected", "cancelled"]}},
                    {"name": "page", "in": "query", "schema": {"type": "integer",
                                                                "minimum": 1}},
                    {"name": "per_page", "in": "query", "schema": {
                        "type": "integer", "minimum": 1, "maximum": 100, "default": 50}},
                ],
                "responses": {"200": json_ref("BookingList", "One page of bookings"),
                              "400": error_ref("A malformed filter"), "401": unauthorized},
            },
            "post": {
                "summary": "Book remote work: one day, a range or a weekly pattern",
                "description": "`end_date` makes a range (at most 31 days); `weeks` repeats "
                "`date`..`end_date` (or, with `weekdays` and no `end_date`, the week from "
                "`date`) for 1-26 weeks; `weekdays` (0 = Monday) keeps only those days. "
                "Weekends and holidays of a range are skipped and listed. HR and "
                "administrators may book for `login` and override rules with "
                "`override_reason`.",
                "requestBody": json_body({
                    "date": DAY, "end_date": DAY,
                    "weeks": {"type": "integer", "minimum": 1, "maximum": 26},
                    "weekdays": {"type": "array", "items": {"type": "integer", "minimum": 0,
                                                            "maximum": 6}},
                    "slot": {"type": "string", "enum": ["full", "am", "pm"],
                             "default": "full"},
                    "place": {"type": "string", "enum": ["home", "satellite", "other"],
                              "default": "home"},
                    "note": {"type": "string", "maxLength": 200,
                             "description": "Where, for place `other`"},
                    "purpose": {"type": "string", "maxLength": 500},
                    "login": {"type": "string"},
                    "override_reason": {"type": "string", "maxLength": 500},
                }, ["date"]),
                "responses": {
                    "201": json_ref("BookingCreated", "The bookings made"),
                    "400": error_ref("Malformed JSON, wrong types, unknown fields or values"),
                    "401": unauthorized,
                    "403": error_ref("Booking for someone else or overriding without the role"),
                    "422": error_ref("A rule refuses it; `code` names the rule: deadline, "
                                  "weekend, holiday, no_business_day, max_days_per_week, "
                                  "max_days_per_month, overlap; `violations` lists all"),
                },
            },
        },
        "/telework/bookings/{booking_id}": {"get": {
            "summary": "One booking (with its history when the caller may see details)",
            "parameters": booking_id,
            "responses": {"200": booking, "401": unauthorized, "404": hidden}}},
        "/telework/bookings/{booking_id}/approve": decision(
            "Approve a pending booking", "comment", False,
            "Not an approver of this person (or their own booking)"),
        "/telework/bookings/{booking_id}/reject": decision(
            "Reject a pending booking (a comment is required)", "comment", True,
            "Not an approver of this person (or their own booking)"),
        "/telework/bookings/{booking_id}/cancel": decision(
            "Cancel a booking (others than the owner give a reason)", "reason", False,
            "Neither the owner, an approver, HR nor an administrator"),
    }


SCHEMAS: dict = {"TeleworkStats": TELEWORK_STATS_SCHEMA, **TELEWORK_SESSION_SCHEMAS,
                 **TELEWORK_BOOKING_SCHEMAS}


def paths() -> dict:
    return {"/telework/stats": _telework_stats_path(), **_telework_sessions_paths(),
            **_telework_bookings_paths()}
