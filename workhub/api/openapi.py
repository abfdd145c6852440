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


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def build_openapi() -> dict:
    """Return the OpenAPI document as a dict."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "WorkHub API",
            "version": "1",
            "description": "Authenticate with `Authorization: Bearer <personal token>`; "
            "create a token on your profile page or with `workhub token create LOGIN`.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
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
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "The OpenAPI document"}},
                }
            },
        },
    }
