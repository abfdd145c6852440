"""OpenAPI description of the surveys API (results), merged by workhub.api.openapi."""

from __future__ import annotations

from workhub.api.openapi_parts import error_ref, json_ref

_SUPPRESSED = {"type": "boolean", "enum": [True],
               "description": "Hidden by the minimum group size rule: no number comes with it"}
_REF = "#/components/schemas/"


def _ref(name: str) -> dict:
    return {"$ref": _REF + name}


SCHEMAS: dict = {
    "SurveyResultCount": {
        "type": "object", "required": ["key", "label"],
        "description": "Respondents who gave one answer (an option key, a scale point, a "
        "month YYYY-MM, `answered`, or `none` for no answer). Hidden: `suppressed` and no "
        "`count` or `percent`; 0 is a count, never hidden for itself.",
        "properties": {
            "key": {"type": "string"}, "label": {"type": "string"},
            "count": {"type": "integer", "minimum": 0},
            "percent": {"type": "number", "description": "Of the group's respondents"},
            "suppressed": _SUPPRESSED,
        },
    },
    "SurveyResultStats": {
        "type": "object",
        "description": "Of those who answered (agreement, rating, number, grid rows). "
        "Hidden: only `suppressed`. `n` is left out (`n_suppressed`) when it would reveal a "
        "hidden count.",
        "properties": {
            "n": {"type": "integer"}, "mean": {"type": "number"},
            "median": {"type": "number"}, "n_suppressed": {"type": "boolean"},
            "suppressed": _SUPPRESSED,
        },
    },
    "SurveyResultGroupRow": {
        "type": "object", "required": ["group"],
        "description": "One cross-tab group's answers; a hidden group carries `suppressed` "
        "and nothing else.",
        "properties": {
            "group": {"type": "string", "description": "The key of a group in `groups`"},
            "counts": {"type": "array", "items": _ref("SurveyResultCount")},
            "stats": _ref("SurveyResultStats"),
            "suppressed": _SUPPRESSED,
        },
    },
    "SurveyResultItem": {
        "type": "object", "required": ["key", "kind", "counts"],
        "properties": {
            "key": {"type": "string",
                    "description": "The question's key, or `question.row` for a grid row"},
            "label": {"type": "string", "nullable": True, "description": "The grid row"},
            "kind": {"type": "string",
                     "enum": ["choice", "multiple", "numeric", "date", "text"]},
            "counts": {"type": "array", "items": _ref("SurveyResultCount")},
            "stats": _ref("SurveyResultStats"),
            "groups": {"type": "array", "items": _ref("SurveyResultGroupRow")},
            "texts": {"description": "Text questions: the answers, sorted (never in the "
                      "order given), or `{\"suppressed\": true}` below k",
                      "oneOf": [{"type": "array", "items": {"type": "string"}},
                                {"type": "object", "properties": {
                                    "suppressed": _SUPPRESSED}}]},
            "words": {"type": "array", "items": _ref("SurveyResultTerm")},
            "phrases": {"type": "array", "items": _ref("SurveyResultTerm")},
        },
    },
    "SurveyResultTerm": {
        "type": "object", "required": ["text", "answers"],
        "properties": {"text": {"type": "string"},
                       "answers": {"type": "integer", "description": "Answers containing it"}},
    },
    "SurveyResults": {
        "type": "object", "required": ["survey", "suppressed", "questions"],
        "properties": {
            "survey": {"type": "object", "properties": {
                "id": {"type": "integer"}, "title": {"type": "string"},
                "anonymous": {"type": "boolean"}, "status": {"type": "string"},
                "min_group_size": {"type": "integer", "minimum": 3}}},
            "suppressed": {"type": "boolean", "description": "Fewer than k respondents: no "
                           "number at all, not even `respondents`"},
            "respondents": {"type": "integer", "description": "Responses in the released "
                            "snapshot (anonymous surveys move in steps of at least k)"},
            "pending": {"type": "integer", "description": "Anonymous surveys: responses "
                        "submitted and waiting for a batch of at least k (or the close) to "
                        "reach the results"},
            "by": {"type": "string", "nullable": True},
            "level": {"type": "integer"},
            "filter": {"type": "string", "nullable": True},
            "filter_group": {"type": "object", "properties": {
                "label": {"type": "string"}, "respondents": {"type": "integer"},
                "suppressed": _SUPPRESSED}},
            "groups": {"type": "array", "items": {"type": "object", "required": ["key"],
                                                   "properties": {
                "key": {"type": "string"}, "label": {"type": "string"},
                "respondents": {"type": "integer"}, "suppressed": _SUPPRESSED}}},
            "questions": {"type": "array", "items": {"type": "object", "properties": {
                "key": {"type": "string"}, "type": {"type": "string"},
                "text": {"type": "string"},
                "items": {"type": "array", "items": _ref("SurveyResultItem")}}}},
        },
    },
}


def paths() -> dict:
    query = [
        {"name": "survey_id", "in": "path", "required": True, "schema": {"type": "integer"}},
        {"name": "by", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "`department` (identified surveys) or `question:<key>` of a "
         "single-choice or agreement question"},
        {"name": "level", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 1, "maximum": 6},
         "description": "With by=department: the level of the tree to roll up to (1: top)"},
        {"name": "filter", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "`<key>:<answer>` of a single-choice or agreement question: only "
         "the respondents who gave that answer; shown only when they and the rest each "
         "number at least k (or the rest is empty)"},
    ]
    return {
        "/surveys/{survey_id}/results": {"get": {
            "summary": "A survey's results, every group below k suppressed",
            "parameters": query,
            "responses": {
                "200": json_ref("SurveyResults", "Counts, percentages and statistics"),
                "400": error_ref("A cross-tab or filter this survey does not allow "
                              "(`invalid_by`, `invalid_level`, `invalid_filter`, "
                              "`invalid_selection`, `unknown_parameter`)"),
                "401": error_ref("Missing, unknown or revoked token"),
                "403": error_ref("Not HR or an administrator"),
                "404": error_ref("No such survey, or a draft (`no_results`)"),
            },
        }},
    }
