"""OpenAPI description of the surveys API (build), merged by workhub.api.openapi."""

from __future__ import annotations

from surveys.models import QUESTION_TYPES, SURVEY_STATUSES
from workhub.api.openapi_parts import error_ref, json_body, json_ref

_STAMP = {"type": "string", "format": "date-time", "nullable": True}
_TEXT = {"type": "string", "nullable": True}
_KEY = {"type": "string", "pattern": "^[a-z0-9_]{1,40}$"}
_MOMENT = {"type": "string", "description": "ISO 8601 date and time (no offset: Japan "
           "time), or a date alone: for opens_at the start of that day, for closes_at its end"}
_AUDIENCE = {
    "description": "`all`, or departments (codes; with their sub-departments unless "
    "include_subtree is false) and/or roles: whoever matches any of them is asked",
    "oneOf": [
        {"type": "string", "enum": ["all"]},
        {"type": "object", "additionalProperties": False, "properties": {
            "departments": {"type": "array", "items": {"type": "string"}, "maxItems": 200},
            "include_subtree": {"type": "boolean", "default": True},
            "roles": {"type": "array", "items": {"type": "string", "enum": [
                "employee", "manager", "hr", "it_admin", "secretary", "admin"]}}}},
    ],
}
_OPTION_IN = {"oneOf": [
    {"type": "string", "description": "The Japanese label (key generated: o1, o2 …)"},
    {"type": "object", "additionalProperties": False, "required": ["label"], "properties": {
        "key": _KEY, "label": {"type": "string", "maxLength": 300},
        "label_en": {"type": "string", "maxLength": 300}}},
]}
_QUESTION_IN = {
    "type": "object", "additionalProperties": False, "required": ["type", "text"],
    "properties": {
        "key": {**_KEY, "description": "Unique in the survey; generated (q1, q2 …) if absent"},
        "type": {"type": "string", "enum": list(QUESTION_TYPES)},
        "text": {"type": "string", "maxLength": 500, "description": "Japanese"},
        "text_en": {"type": "string", "maxLength": 500},
        "help": {"type": "string", "maxLength": 500},
        "help_en": {"type": "string", "maxLength": 500},
        "options": {"type": "array", "items": _OPTION_IN, "maxItems": 50,
                    "description": "Choices (single, multiple) or rows (likert_matrix)"},
        "required": {"type": "boolean", "default": False},
        "min": {"type": "number", "description": "number only (rating is always 0–10)"},
        "max": {"type": "number"},
        "max_length": {"type": "integer", "description": "text (≤ 500), longtext (≤ 10000)"},
        "show_if": {"type": "object", "additionalProperties": False,
                    "required": ["question", "option"],
                    "description": "Shown only when an earlier single/multiple question has "
                    "this option", "properties": {"question": _KEY, "option": _KEY}},
    },
}

SCHEMAS: dict = {
    "SurveySummary": {
        "type": "object", "required": ["id", "title", "status", "anonymous"],
        "properties": {
            "id": {"type": "integer"}, "title": {"type": "string"}, "title_en": _TEXT,
            "status": {"type": "string", "enum": list(SURVEY_STATUSES)},
            "anonymous": {"type": "boolean"}, "opens_at": _STAMP, "closes_at": _STAMP,
            "answered": {"type": "boolean",
                         "description": "Only in the list of a person who is not HR"},
        },
    },
    "SurveyList": {
        "type": "object", "required": ["items", "page", "per_page", "total"], "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/SurveySummary"}},
            "page": {"type": "integer"}, "per_page": {"type": "integer"},
            "total": {"type": "integer"}},
    },
    "Survey": {
        "type": "object", "required": ["id", "title", "status", "questions"],
        "properties": {
            "id": {"type": "integer"}, "title": {"type": "string"}, "title_en": _TEXT,
            "description": _TEXT, "description_en": _TEXT,
            "status": {"type": "string", "enum": list(SURVEY_STATUSES)},
            "anonymous": {"type": "boolean"}, "opens_at": _STAMP, "closes_at": _STAMP,
            "sections": {"type": "array", "items": {"type": "object", "properties": {
                "title": {"type": "string"}, "title_en": _TEXT,
                "questions": {"type": "array", "items": _KEY}}}},
            "questions": {"type": "array", "items": {"type": "object", "properties": {
                "key": _KEY, "type": {"type": "string", "enum": list(QUESTION_TYPES)},
                "required": {"type": "boolean"}, "text": {"type": "string"},
                "text_en": _TEXT, "help": _TEXT, "help_en": _TEXT,
                "options": {"type": "array", "items": {"type": "object", "properties": {
                    "key": _KEY, "label": {"type": "string"}, "label_en": _TEXT}}},
                "scale": {"type": "array", "items": {"type": "integer"},
                          "description": "likert, likert_matrix: 1 (strongly disagree) … 5"},
                "min": {"type": "number", "nullable": True},
                "max": {"type": "number", "nullable": True},
                "max_length": {"type": "integer"},
                "show_if": {"type": "object", "nullable": True, "properties": {
                    "question": _KEY, "option": _KEY}}}}},
            "audience": {**_AUDIENCE, "description": "HR and administrators only"},
            "min_group_size": {"type": "integer", "description": "HR and administrators only"},
            "reminder_days": {"type": "integer", "nullable": True},
            "editable_until_close": {"type": "boolean"},
            "published_at": _STAMP, "closed_at": _STAMP,
            "copied_from": {"type": "integer", "nullable": True},
            "template": _TEXT,
        },
    },
    "SurveyCreated": {"type": "object", "required": ["id"],
                      "properties": {"id": {"type": "integer"}}},
}


def paths() -> dict:
    unauthorized = error_ref("Missing, unknown or revoked token")
    not_manager = error_ref("Not HR or an administrator")
    hidden = error_ref("No such survey (drafts are hidden from those who may not manage them)")
    survey_id = [{"name": "survey_id", "in": "path", "required": True,
                  "schema": {"type": "integer"}}]

    def step(summary: str, conflict: str, rule: str | None = None) -> dict:
        responses = {"200": json_ref("Survey", "The survey"),
                     "400": error_ref("A body that is not empty JSON"),
                     "401": unauthorized, "403": not_manager, "404": hidden,
                     "409": error_ref(conflict)}
        if rule:
            responses["422"] = error_ref(rule)
        return {"post": {"summary": summary, "parameters": survey_id,
                         "responses": responses}}

    return {
        "/surveys": {
            "get": {
                "summary": "Surveys: all for HR and administrators, else those open to you",
                "parameters": [
                    {"name": "status", "in": "query", "description": "HR only",
                     "schema": {"type": "string", "enum": list(SURVEY_STATUSES)}},
                    {"name": "page", "in": "query", "schema": {"type": "integer",
                                                               "minimum": 1}},
                    {"name": "per_page", "in": "query", "schema": {
                        "type": "integer", "minimum": 1, "maximum": 100, "default": 50}},
                ],
                "responses": {"200": json_ref("SurveyList", "One page of surveys"),
                              "400": error_ref("A bad status or page"),
                              "401": unauthorized},
            },
            "post": {
                "summary": "Create a draft survey with its questions (HR, administrators)",
                "requestBody": json_body({
                    "title": {"type": "string", "maxLength": 200, "description": "Japanese"},
                    "title_en": {"type": "string", "maxLength": 200},
                    "description": {"type": "string", "maxLength": 5000},
                    "description_en": {"type": "string", "maxLength": 5000},
                    "anonymous": {"type": "boolean", "default": True},
                    "audience": _AUDIENCE,
                    "opens_at": _MOMENT, "closes_at": _MOMENT,
                    "min_group_size": {"type": "integer", "minimum": 3, "maximum": 1000},
                    "reminder_days": {"type": "integer", "minimum": 1, "maximum": 60},
                    "editable_until_close": {"type": "boolean", "default": True},
                    "questions": {"type": "array", "items": _QUESTION_IN, "minItems": 1,
                                  "maxItems": 200},
                }, ["title", "questions"]),
                "responses": {
                    "201": json_ref("SurveyCreated", "Created as a draft"),
                    "400": error_ref("Malformed JSON, a wrong type, an unknown field or a body "
                                  "over 1 MB"),
                    "401": unauthorized, "403": not_manager,
                    "422": error_ref("A rule refuses it (e.g. an empty title, an unknown type, "
                                  "a duplicate key, a condition on a later question); "
                                  "`field` names the place, e.g. questions[2].text"),
                },
            },
        },
        "/surveys/{survey_id}": {"get": {
            "summary": "A survey's definition (audience and settings for HR only)",
            "parameters": survey_id,
            "responses": {"200": json_ref("Survey", "The survey"), "401": unauthorized,
                          "403": error_ref("Not addressed to you"), "404": hidden}}},
        "/surveys/{survey_id}/publish": step(
            "Publish a draft", "Not a draft",
            "Not ready: no question, a choice with fewer than two options, a closing time "
            "passed, nobody asked"),
        "/surveys/{survey_id}/close": step("Close a published survey", "Not published"),
    }
