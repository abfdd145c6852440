"""OpenAPI description of the surveys API (answer), merged by workhub.api.openapi."""

from __future__ import annotations

from workhub.api.openapi_parts import DAY, error_ref, json_ref

_ANSWERS = {
    "type": "object",
    "description": "Question key → answer: single: an option key; multiple: a list of option "
    "keys (no duplicates); likert: 1–5; rating: a whole number 0–10; number: within the "
    "question's bounds; date: YYYY-MM-DD; text/longtext: a string (control characters are "
    "removed; 200 / 4000 characters unless the question says otherwise); likert_matrix: "
    "an object of row key → 1–5. Answers to questions hidden by their condition are "
    "dropped; unknown keys are refused.",
    "additionalProperties": True,
}

SCHEMAS: dict = {
    "SurveyAnswers": _ANSWERS,
    "SurveySubmitted": {
        "type": "object", "required": ["status"],
        "properties": {"status": {"type": "string", "enum": ["submitted"]}},
        "description": "No response id is ever returned: in an anonymous survey nothing may "
        "lead back from the person to their answers.",
    },
    "SurveyDraft": {
        "type": "object", "required": ["answers", "saved_on"],
        "properties": {"answers": {"$ref": "#/components/schemas/SurveyAnswers"},
                       "saved_on": DAY,
                       "draft_key": {
                           "type": "string", "nullable": True,
                           "description": "Anonymous surveys only: the key that seals the "
                           "draft. The server does not keep it; send it as X-Draft-Key to "
                           "read the draft or to save it again under the same key."}},
    },
    "SurveyOwnResponse": {
        "type": "object", "required": ["answers", "editable"],
        "properties": {
            "answers": {"$ref": "#/components/schemas/SurveyAnswers"},
            "updated_at": {"type": "string", "format": "date-time", "nullable": True},
            "editable": {"type": "boolean",
                         "description": "Whether the answers may still be changed"},
        },
    },
    "SurveyAnswerError": {
        "type": "object", "required": ["error"],
        "properties": {"error": {
            "type": "object", "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "enum": ["invalid_answers"]},
                "message": {"type": "string", "description": "Every problem, in one text"},
                "field": {"type": "string", "description": "The first question concerned"},
                "details": {"type": "array", "items": {
                    "type": "object", "required": ["field", "message"],
                    "properties": {"field": {"type": "string",
                                             "description": "The question's key"},
                                   "message": {"type": "string"}}}},
            }}},
    },
}


def _answers_body() -> dict:
    return {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "additionalProperties": False, "required": ["answers"],
        "properties": {
            "answers": {"$ref": "#/components/schemas/SurveyAnswers"},
            "promise": {"type": "string", "enum": ["anonymous", "identified"],
                        "description": "The anonymity the client showed its user; another "
                        "than the survey's is refused (409 `promise_changed`)"}}}}}}


_DRAFT_KEY = {"name": "X-Draft-Key", "in": "header", "required": False,
              "schema": {"type": "string"},
              "description": "The `draft_key` a previous save of an anonymous survey's draft "
              "answered"}


def paths() -> dict:
    survey_id = [{"name": "survey_id", "in": "path", "required": True,
                  "schema": {"type": "integer"}}]
    unauthorized = error_ref("Missing, unknown or revoked token")
    malformed = error_ref("Malformed JSON, unknown fields or no `answers`")
    invalid = json_ref("SurveyAnswerError", "Wrong answers: every problem is listed in `details`")
    refused = error_ref("An inactive account, or not asked by this survey (`not_in_audience`)")
    hidden = error_ref("No such survey (or a draft the caller may not manage)")
    not_open = ("The survey is not published (`survey_not_published`), not open yet "
                "(`survey_not_open`) or closed (`survey_closed`)")
    too_large = error_ref("The body is larger than 4 MB")
    return {
        "/surveys/{survey_id}/responses": {"post": {
            "summary": "Answer a survey (once per person)", "parameters": survey_id,
            "requestBody": _answers_body(),
            "responses": {
                "201": json_ref("SurveySubmitted", "The answers are recorded"),
                "400": malformed, "401": unauthorized, "403": refused, "404": hidden,
                "409": error_ref(f"Already answered (`already_answered`), another promise "
                              f"(`promise_changed`), or: {not_open}"),
                "413": too_large, "422": invalid,
            },
        }},
        "/surveys/{survey_id}/draft": {
            "get": {
                "summary": "The caller's saved draft", "parameters": [*survey_id, _DRAFT_KEY],
                "responses": {"200": json_ref("SurveyDraft", "The draft"),
                              "401": unauthorized, "403": refused,
                              "404": error_ref("No such survey, or no draft (`no_draft`)"),
                              "409": error_ref("A sealed draft and no or the wrong key "
                                            "(`draft_sealed`)")},
            },
            "put": {
                "summary": "Save a draft (required questions may still be empty)",
                "parameters": [*survey_id, _DRAFT_KEY], "requestBody": _answers_body(),
                "responses": {
                    "200": json_ref("SurveyDraft", "The draft as saved"), "400": malformed,
                    "401": unauthorized, "403": refused, "404": hidden,
                    "409": error_ref(f"Already answered, another promise, or: {not_open}"),
                    "413": too_large,
                    "422": invalid,
                },
            },
        },
        "/surveys/{survey_id}/my-response": {
            "get": {
                "summary": "The caller's answers to an identified survey",
                "parameters": survey_id,
                "responses": {
                    "200": json_ref("SurveyOwnResponse", "The answers"), "401": unauthorized,
                    "403": refused,
                    "404": error_ref("No such survey, not answered yet (`not_answered`), or an "
                                  "anonymous survey (`anonymous`): its answers are linked "
                                  "to nobody"),
                },
            },
            "put": {
                "summary": "Change the caller's answers to an identified survey until it "
                "closes", "parameters": survey_id, "requestBody": _answers_body(),
                "responses": {
                    "200": json_ref("SurveyOwnResponse", "The answers as changed"),
                    "400": malformed, "401": unauthorized, "403": refused,
                    "404": error_ref("No such survey, or not answered yet"),
                    "409": error_ref(f"An anonymous survey (`anonymous`), one that does not "
                                  f"allow changes (`not_editable`), or: {not_open}"),
                    "413": too_large, "422": invalid,
                },
            },
        },
    }
