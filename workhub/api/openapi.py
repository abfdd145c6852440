"""The OpenAPI 3 document of /api/v1, kept beside the code it describes.

A test compares the paths here with the routes the app really serves.
"""

from __future__ import annotations

from workhub.api.openapi_parts import ERROR_SCHEMA, error_ref

# Packages that describe their own API paths: a module with ``SCHEMAS`` (dict) and
# ``paths()`` (dict), merged into the document below.
PACKAGE_DOCS = (
    "workhub.telework.openapi_telework",
    "workhub.devices.openapi_inventory",
    "workhub.devices.openapi_loans",
    "surveys.openapi_build",
    "surveys.openapi_answer",
    "surveys.openapi_results",
    "transcription.openapi_meetings",
    "transcription.openapi_transcripts",
    "workhub.online_meetings.openapi_online",
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
                        "401": error_ref("Missing, unknown or revoked token"),
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
                        "401": error_ref("Missing, unknown or revoked token"),
                        "404": error_ref("No such job, or not yours"),
                    },
                }
            },
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
