"""OpenAPI description of the transcript editor and minutes API, merged by
workhub.api.openapi."""

from __future__ import annotations

from workhub.api.openapi_parts import error_ref, json_body, json_ref

_REF = "#/components/schemas/"
_MEETING = {"name": "meeting_id", "in": "path", "required": True, "schema": {"type": "integer"}}

SCHEMAS: dict = {
    "TranscriptSegment": {
        "type": "object",
        "required": ["id", "start", "end", "speaker", "text", "version", "doubtful"],
        "properties": {
            "id": {"type": "integer"},
            "start": {"type": "number", "description": "Seconds from the start"},
            "end": {"type": "number"},
            "speaker": {"type": "string", "nullable": True,
                        "description": "The name given, else 「Speaker <label>」"},
            "speaker_id": {"type": "integer", "nullable": True},
            "text": {"type": "string", "description": "At the level asked for"},
            "version": {"type": "integer", "description": "Send it back with a PATCH"},
            "doubtful": {"type": "boolean",
                         "description": "Flagged by the hallucination guard: check it"},
            "edited": {"type": "boolean", "description": "A person changed the text"},
        },
    },
    "Transcript": {
        "type": "object", "required": ["language", "duration", "segments"],
        "properties": {
            "meeting_id": {"type": "integer"},
            "language": {"type": "string"}, "duration": {"type": "number"},
            "level": {"type": "string", "enum": ["verbatim", "clean", "edited"]},
            "speakers": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "integer"}, "label": {"type": "string"},
                "name": {"type": "string", "nullable": True}}}},
            "segments": {"type": "array", "items": {"$ref": _REF + "TranscriptSegment"}},
        },
    },
    "SegmentStale": {
        "type": "object", "required": ["error", "kept", "current"],
        "description": "The segment changed since the version sent: nothing was saved; "
        "`kept` is the text sent, `current` the segment now (text before any level).",
        "properties": {
            "error": {"type": "object", "required": ["code", "message"], "properties": {
                "code": {"type": "string", "enum": ["stale"]}, "message": {"type": "string"}}},
            "kept": {"type": "string", "nullable": True},
            "current": {"$ref": _REF + "TranscriptSegment"},
        },
    },
    "Minutes": {
        "type": "object",
        "required": ["title", "when", "place", "attendees", "absentees", "agenda", "items",
                     "decisions", "actions", "next_meeting", "recorder", "status"],
        "description": "議事録: 会議名 (title), 日時 (when), 場所 (place), 出席者, 欠席者, "
        "議題, 議事内容 per agenda item, 決定事項, 今後の予定・宿題, 次回予定, 記録者; `headings` "
        "gives the Japanese heading of each key.",
        "properties": {
            "title": {"type": "string"}, "when": {"type": "string"},
            "place": {"type": "string"},
            "attendees": {"type": "array", "items": {"type": "string"}},
            "absentees": {"type": "array", "items": {"type": "string"}},
            "agenda": {"type": "array", "items": {"type": "string"}},
            "items": {"type": "array", "items": {"type": "object", "properties": {
                "agenda": {"type": "string"}, "discussion": {"type": "string"}}}},
            "decisions": {"type": "string"}, "actions": {"type": "string"},
            "next_meeting": {"type": "string"}, "recorder": {"type": "string"},
            "status": {"type": "string", "enum": ["draft", "final"]},
            "headings": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
}


def paths() -> dict:
    not_yours = error_ref("You may not see this meeting")
    return {
        "/meetings/{meeting_id}/transcript": {"get": {
            "summary": "A meeting's transcript at a text level",
            "parameters": [_MEETING, {
                "name": "level", "in": "query", "required": False,
                "schema": {"type": "string", "enum": ["verbatim", "clean", "edited"]},
                "description": "素起こし (default: the text an edit replaces), ケバ取り or "
                "整文; computed, so any level can be asked for at any time"}],
            "responses": {
                "200": json_ref("Transcript", "The segments in order"),
                "400": error_ref("Unknown level (`invalid_level`)"),
                "401": error_ref("Missing, unknown or revoked token"),
                "403": not_yours,
                "404": error_ref("No such meeting, or no transcript yet (`no_transcript`)"),
            },
        }},
        "/segments/{segment_id}": {"patch": {
            "summary": ("Save a segment's text and/or speaker, or mark it checked, with the "
                        "version it was loaded at"),
            "parameters": [{"name": "segment_id", "in": "path", "required": True,
                            "schema": {"type": "integer"}}],
            "requestBody": json_body({
                "text": {"type": "string", "maxLength": 4000,
                         "description": "The verbatim text again clears the edit"},
                "speaker": {"type": "integer", "nullable": True,
                            "description": "A speaker id of this transcript, or null"},
                "checked": {"type": "boolean",
                            "description": "true: someone listened to the segment; clears "
                                           "`doubtful`"},
                "version": {"type": "integer", "minimum": 1}}, ["version"]),
            "responses": {
                "200": json_ref("TranscriptSegment", "Saved; `version` is the new one"),
                "400": error_ref("Bad text, speaker or version, or nothing to save"),
                "401": error_ref("Missing, unknown or revoked token"),
                "403": error_ref("Not the organiser, a secretary of the department or an "
                              "administrator"),
                "404": error_ref("No such segment"),
                "409": {"description": "Stale: someone saved the segment since (`stale`)",
                        "content": {"application/json": {
                            "schema": {"$ref": _REF + "SegmentStale"}}}},
            },
        }},
        "/meetings/{meeting_id}/minutes": {"get": {
            "summary": "A meeting's minutes (議事録)",
            "parameters": [_MEETING, {
                "name": "format", "in": "query", "required": False,
                "schema": {"type": "string", "enum": ["json", "txt", "md", "docx"]}}],
            "responses": {
                "200": {"description": "The minutes: JSON, or a file in the format asked for",
                        "content": {
                            "application/json": {"schema": {"$ref": _REF + "Minutes"}},
                            "text/plain": {"schema": {"type": "string"}},
                            "text/markdown": {"schema": {"type": "string"}},
                            "application/vnd.openxmlformats-officedocument."
                            "wordprocessingml.document": {
                                "schema": {"type": "string", "format": "binary"}}}},
                "400": error_ref("Unknown format (`invalid_format`)"),
                "401": error_ref("Missing, unknown or revoked token"),
                "403": not_yours,
                "404": error_ref("No such meeting, or no minutes you may read (`no_minutes`: a "
                              "draft is for the organiser and the secretaries)"),
            },
        }},
    }
