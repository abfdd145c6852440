"""The OpenAPI 3 document of /api/v1, kept beside the code it describes.

A test compares the paths here with the routes the app really serves.
"""

from __future__ import annotations

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}


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
                "400": _error("The month is not written YYYY-MM"),
                "401": _error("Missing, unknown or revoked token"),
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


def _json(schema: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def _body(properties: dict, required: list[str] | None = None) -> dict:
    schema = {"type": "object", "additionalProperties": False, "properties": properties}
    if required:
        schema["required"] = required
    return {"required": bool(required),
            "content": {"application/json": {"schema": schema}}}


def _telework_sessions_paths() -> dict:
    session = _json("TeleworkSession", "The session")
    unauthorized = _error("Missing, unknown or revoked token")
    rule = _error("A rule refuses it; `code` names the rule: future, end_before_start, "
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
                    "200": _json("TeleworkSessionList", "The sessions, oldest first"),
                    "400": _error("A malformed month, limit or offset"),
                    "401": unauthorized,
                },
            },
            "post": {
                "summary": "Enter a finished session after the fact",
                "description": "Times are Japan time on `date`. Linked to the approved "
                "booking of that day (or `booking_id`); without one it is flagged unplanned, "
                "or refused when the department's policy requires a booking.",
                "requestBody": _body({
                    "date": {"type": "string", "format": "date"},
                    "start": _HHMM, "end": _HHMM,
                    "place": {"type": "string", "enum": ["home", "satellite", "other"]},
                    "booking_id": {"type": "integer", "nullable": True},
                    "report": {"type": "string", "nullable": True, "maxLength": 2000},
                }, ["date", "start", "end", "place"]),
                "responses": {
                    "201": session,
                    "400": _error("Malformed JSON, wrong types, missing fields, a bad date "
                                  "or time, an unknown place, a report too long"),
                    "401": unauthorized,
                    "422": rule,
                },
            },
        },
        "/telework/sessions/start": {
            "post": {
                "summary": "Start a session now",
                "requestBody": _body({
                    "place": {"type": "string", "enum": ["home", "satellite", "other"],
                              "default": "home"},
                    "booking_id": {"type": "integer", "nullable": True},
                }),
                "responses": {
                    "201": session,
                    "400": _error("Malformed JSON or wrong types"),
                    "401": unauthorized,
                    "409": _error("A session is already running (code session_running)"),
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
                "requestBody": _body({"report": {"type": "string", "nullable": True,
                                                 "maxLength": 2000}}),
                "responses": {
                    "200": session,
                    "400": _error("Malformed JSON, wrong types, a report too long"),
                    "401": unauthorized,
                    "403": _error("A manager may see the session but not change it"),
                    "404": _error("No such session, or not one the caller may see"),
                    "409": _error("Already stopped (code already_stopped)"),
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
                "requestBody": _body({
                    "target": {"type": "integer", "nullable": True, "minimum": 0},
                    "departments": {"type": "object",
                                    "additionalProperties": {"type": "integer", "minimum": 0}},
                }),
                "responses": {
                    "200": _json("TeleworkTargets", "The month's targets now"),
                    "400": _error("A bad month, malformed JSON, wrong types, a negative or "
                                  "too large target, an unknown department code"),
                    "401": unauthorized,
                    "403": _error("Only HR may set targets"),
                },
            },
        },
    }


_DAY = {"type": "string", "format": "date", "example": "2026-11-16"}
_DATED = {"type": "object", "required": ["code", "message"], "properties": {
    "code": {"type": "string"}, "message": {"type": "string"},
    "date": {**_DAY, "nullable": True}}}

TELEWORK_BOOKING_SCHEMAS = {
    "Booking": {
        "type": "object",
        "required": ["id", "date", "slot", "place", "status", "user"],
        "description": "`note`, `purpose`, `decided_by`, `decision_comment`, "
        "`override_reason` and `history` only for the owner, the approvers, HR and "
        "administrators.",
        "properties": {
            "id": {"type": "integer"},
            "date": _DAY,
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
                "date": _DAY, "kind": {"type": "string", "enum": ["weekend", "holiday"]},
                "reason": {"type": "string", "description": "Holiday name or Weekend"}}}},
            "warnings": {"type": "array", "items": _DATED,
                         "description": "`share`: many of the department remote that day; "
                         "`no_approver`"},
            "overridden": {"type": "array", "items": _DATED},
        },
    },
}


def _telework_bookings_paths() -> dict:
    unauthorized = _error("Missing, unknown or revoked token")
    booking = _json("Booking", "The booking")
    booking_id = [{"name": "booking_id", "in": "path", "required": True,
                   "schema": {"type": "integer"}}]
    hidden = _error("No such booking, or not one the caller may see")

    def decision(summary: str, field: str, required: bool, forbidden: str) -> dict:
        return {"post": {
            "summary": summary, "parameters": booking_id,
            "requestBody": _body({field: {"type": "string", "maxLength": 500}},
                                 [field] if required else None),
            "responses": {"200": booking, "400": _error("Malformed JSON or a bad "
                          f"{field}"), "401": unauthorized, "403": _error(forbidden),
                          "404": hidden, "409": _error("No longer pending / live")}}}

    return {
        "/telework/bookings": {
            "get": {
                "summary": "Bookings the caller may see",
                "description": "Their own, their department's and those they approve; HR "
                "and administrators all. Oldest day first.",
                "parameters": [
                    {"name": "from", "in": "query", "schema": _DAY},
                    {"name": "to", "in": "query", "schema": _DAY},
                    {"name": "status", "in": "query", "schema": {"type": "string", "enum": [
                        "pending", "approved", "rejected", "cancelled"]}},
                    {"name": "page", "in": "query", "schema": {"type": "integer",
                                                                "minimum": 1}},
                    {"name": "per_page", "in": "query", "schema": {
                        "type": "integer", "minimum": 1, "maximum": 100, "default": 50}},
                ],
                "responses": {"200": _json("BookingList", "One page of bookings"),
                              "400": _error("A malformed filter"), "401": unauthorized},
            },
            "post": {
                "summary": "Book remote work: one day, a range or a weekly pattern",
                "description": "`end_date` makes a range (at most 31 days); `weeks` repeats "
                "`date`..`end_date` (or, with `weekdays` and no `end_date`, the week from "
                "`date`) for 1-26 weeks; `weekdays` (0 = Monday) keeps only those days. "
                "Weekends and holidays of a range are skipped and listed. HR and "
                "administrators may book for `login` and override rules with "
                "`override_reason`.",
                "requestBody": _body({
                    "date": _DAY, "end_date": _DAY,
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
                    "201": _json("BookingCreated", "The bookings made"),
                    "400": _error("Malformed JSON, wrong types, unknown fields or values"),
                    "401": unauthorized,
                    "403": _error("Booking for someone else or overriding without the role"),
                    "422": _error("A rule refuses it; `code` names the rule: deadline, "
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


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


# Packages that describe their own API paths: a module with ``SCHEMAS`` (dict) and
# ``paths()`` (dict), merged into the document below.
PACKAGE_DOCS = (
    "workhub.devices.openapi_inventory",
    "workhub.devices.openapi_loans",
    "surveys.openapi_build",
    "surveys.openapi_answer",
    "surveys.openapi_results",
    "transcription.openapi_meetings",
    "transcription.openapi_transcripts",
)


def _package_docs() -> tuple[dict, dict]:
    import importlib

    schemas: dict = {}
    paths: dict = {}
    for name in PACKAGE_DOCS:
        module = importlib.import_module(name)
        schemas.update(module.SCHEMAS)
        paths.update(module.paths())
    return schemas, paths


def build_openapi() -> dict:
    """Return the OpenAPI document as a dict."""
    package_schemas, package_paths = _package_docs()
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "WorkHub API",
            "version": "1",
            "description": "Authenticate with `Authorization: Bearer <personal token>`; "
            "create a token on your profile page or with `workhub token create LOGIN`. "
            "A token may read, or read and write, each feature it was given (telework: "
            "`/telework/…`; devices: `/devices`, `/lines`, `/allocations`, "
            "`/device-requests`; surveys: `/surveys/…`; meetings: `/meetings/…`, "
            "`/segments/…`); any other call answers 403 `insufficient_scope`. `/me`, "
            "`/jobs/<id>` and this document are open to every token. Tokens expire "
            "(90 days by default, a year at most): an expired one answers 401.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                **package_schemas,
                "Error": ERROR_SCHEMA,
                "Department": {
                    "type": "object",
                    "nullable": True,
                    "properties": {
                        "code": {"type": "string"},
                        "name_ja": {"type": "string"},
                        "name_en": {"type": "string", "nullable": True},
                    },
                },
                "Job": {
                    "type": "object",
                    "required": ["id", "kind", "status", "progress"],
                    "properties": {
                        "id": {"type": "integer"},
                        "kind": {"type": "string"},
                        "status": {
                            "type": "string",
                            "enum": ["queued", "running", "succeeded", "failed", "cancelled"],
                        },
                        "progress": {"type": "integer", "minimum": 0, "maximum": 100},
                        "message": {"type": "string", "nullable": True},
                        "error": {"type": "string", "nullable": True},
                        "attempts": {"type": "integer"},
                        "max_attempts": {"type": "integer"},
                        "created_at": {"type": "string", "format": "date-time"},
                        "started_at": {"type": "string", "format": "date-time",
                                       "nullable": True},
                        "finished_at": {"type": "string", "format": "date-time",
                                        "nullable": True},
                        "result": {"type": "object", "nullable": True},
                    },
                },
                "TeleworkStats": TELEWORK_STATS_SCHEMA,
                **TELEWORK_SESSION_SCHEMAS,
                **TELEWORK_BOOKING_SCHEMAS,
                "Me": {
                    "type": "object",
                    "required": ["login", "display_name", "roles"],
                    "properties": {
                        "login": {"type": "string"},
                        "display_name": {"type": "string"},
                        "kana": {"type": "string", "nullable": True},
                        "email": {"type": "string", "nullable": True},
                        "department": {"$ref": "#/components/schemas/Department"},
                        "roles": {
                            "type": "array",
                            "items": {
                                "type": "string",
                                "enum": ["employee", "manager", "hr", "it_admin",
                                         "secretary", "admin"],
                            },
                        },
                    },
                },
            },
        },
        "paths": {
            "/me": {
                "get": {
                    "summary": "The signed-in user",
                    "responses": {
                        "200": {
                            "description": "The user the token belongs to",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Me"}
                                }
                            },
                        },
                        "401": _error("Missing, unknown or revoked token"),
                    },
                }
            },
            "/jobs/{job_id}": {
                "get": {
                    "summary": "Status and progress of a background job",
                    "description": "Readable by the person who started the job and by "
                    "administrators; anyone else gets 404.",
                    "parameters": [
                        {"name": "job_id", "in": "path", "required": True,
                         "schema": {"type": "integer"}}
                    ],
                    "responses": {
                        "200": {
                            "description": "The job",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Job"}
                                }
                            },
                        },
                        "401": _error("Missing, unknown or revoked token"),
                        "404": _error("No such job, or not yours"),
                    },
                }
            },
            "/telework/stats": _telework_stats_path(),
            **_telework_sessions_paths(),
            **_telework_bookings_paths(),
            **package_paths,
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "The OpenAPI document"}},
                }
            },
        },
    }
