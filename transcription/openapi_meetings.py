"""OpenAPI description of the meetings API, merged by workhub.api.openapi."""

from __future__ import annotations

from workhub.api.openapi_parts import error_ref, json_body, json_ref

_REF = "#/components/schemas/"
_MEETING_PROPS = {
    "id": {"type": "integer"}, "title": {"type": "string"},
    "starts_at": {"type": "string", "format": "date-time"},
    "ends_at": {"type": "string", "format": "date-time", "nullable": True},
    "place": {"type": "string", "nullable": True},
    "online_tool": {"type": "string", "enum": ["none", "teams", "zoom", "webex", "other"]},
    "language": {"type": "string", "enum": ["ja", "en", "auto"]},
    "organiser": {"type": "string", "nullable": True, "description": "Login ID"},
    "join_url": {"type": "string", "nullable": True, "description": "https:// link to join"},
}

SCHEMAS: dict = {
    "Meeting": {"type": "object", "required": ["id", "title", "starts_at"],
                "properties": _MEETING_PROPS},
    "MeetingPage": {"type": "object", "required": ["items", "page", "pages", "total"],
                    "properties": {"items": {"type": "array", "items": {"$ref": _REF + "Meeting"}},
                                   "page": {"type": "integer"}, "pages": {"type": "integer"},
                                   "total": {"type": "integer"}}},
    "TranscriptionStatus": {
        "type": "object",
        "properties": {
            "status": {"type": "string",
                       "enum": ["none", "queued", "running", "succeeded", "failed",
                                "cancelled"]},
            "progress": {"type": "integer", "minimum": 0, "maximum": 100,
                         "description": "Percentage of the audio done"},
            "message": {"type": "string", "nullable": True},
            "error": {"type": "string", "nullable": True},
            "eta_seconds": {"type": "integer", "nullable": True,
                            "description": "Estimated time left while running"},
            "finished": {"type": "boolean"},
        },
    },
    "MeetingDetail": {
        "type": "object", "required": ["id", "title", "starts_at", "recordings"],
        "properties": {
            **_MEETING_PROPS,
            "participants": {"type": "array", "items": {"type": "object", "properties": {
                "login": {"type": "string", "nullable": True}, "name": {"type": "string"},
                "affiliation": {"type": "string", "nullable": True}}}},
            "agenda": {"type": "array", "items": {"type": "string"}},
            "notes": {"type": "string", "nullable": True},
            "recordings": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "integer"}, "name": {"type": "string"},
                "duration": {"type": "number"}, "size": {"type": "integer"},
                "uploaded_at": {"type": "string", "format": "date-time"},
                "deleted_at": {"type": "string", "format": "date-time", "nullable": True,
                               "description": "When retention deleted the audio file"},
                "job_id": {"type": "integer", "nullable": True},
                "transcription": {"$ref": _REF + "TranscriptionStatus"}}}},
        },
    },
    "MeetingCreated": {"type": "object", "required": ["id"],
                       "properties": {"id": {"type": "integer"}}},
    "RecordingAccepted": {"type": "object", "required": ["recording_id", "job_id"],
                          "properties": {"recording_id": {"type": "integer"},
                                         "job_id": {"type": "integer",
                                                    "description": "GET /jobs/{id}"}}},
}


def paths() -> dict:
    meeting_id = {"name": "meeting_id", "in": "path", "required": True,
                  "schema": {"type": "integer"}}
    strings = {"type": "array", "items": {"type": "string"}}
    create = json_body({
        "title": {"type": "string", "maxLength": 200},
        "starts_at": {"type": "string", "description": "ISO 8601; without an offset: Japan "
                      "time"},
        "ends_at": {"type": "string", "nullable": True},
        "place": {"type": "string", "nullable": True, "maxLength": 200},
        "online_tool": {"type": "string", "enum": ["none", "teams", "zoom", "webex", "other"]},
        "language": {"type": "string", "enum": ["ja", "en", "auto"]},
        "join_url": {"type": "string", "nullable": True, "maxLength": 500,
                     "description": "https:// link of the online meeting"},
        "notes": {"type": "string", "nullable": True, "maxLength": 4000,
                  "description": "For the participants (the invitation)"},
        "participants": {**strings, "description": "Login IDs of staff participants"},
        "externals": {"type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "affiliation": {"type": "string", "nullable": True}}}},
        "agenda": {**strings, "description": "Agenda items in order"},
    }, ["title", "starts_at"])
    upload = {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary",
                                "description": "wav, mp3, m4a, mp4, mov, webm, ogg or flac"}}}}}}
    return {
        "/meetings": {
            "post": {
                "summary": "Create a meeting (secretaries, managers, administrators)",
                "requestBody": create,
                "responses": {
                    "201": json_ref("MeetingCreated", "Created"),
                    "400": error_ref("Malformed body, wrong types or unknown fields"),
                    "401": error_ref("Missing, unknown or revoked token"),
                    "403": error_ref("May not create meetings"),
                    "422": error_ref("A rule refused it; `field` names the field"),
                },
            },
            "get": {
                "summary": "Meetings the caller may see, newest first",
                "parameters": [
                    {"name": "scope", "in": "query", "required": False,
                     "schema": {"type": "string", "enum": ["mine", "department"]}},
                    {"name": "page", "in": "query", "required": False,
                     "schema": {"type": "integer", "minimum": 1}},
                    {"name": "per_page", "in": "query", "required": False,
                     "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                ],
                "responses": {"200": json_ref("MeetingPage", "One page"),
                              "400": error_ref("A bad parameter"),
                              "401": error_ref("Missing, unknown or revoked token")},
            },
        },
        "/meetings/{meeting_id}": {"get": {
            "summary": "A meeting with its participants, agenda and recordings",
            "parameters": [meeting_id],
            "responses": {"200": json_ref("MeetingDetail", "The meeting"),
                          "401": error_ref("Missing, unknown or revoked token"),
                          "403": error_ref("Not the organiser, a participant, a secretary of "
                                        "its department or an administrator"),
                          "404": error_ref("No such meeting")},
        }},
        "/meetings/{meeting_id}/recordings": {"post": {
            "summary": "Upload a recording and queue its transcription",
            "parameters": [meeting_id], "requestBody": upload,
            "responses": {
                "202": json_ref("RecordingAccepted", "Stored; transcription queued (the same "
                             "content again answers the recording already there)"),
                "400": error_ref("No file (`no_file`)"),
                "401": error_ref("Missing, unknown or revoked token"),
                "403": error_ref("May not manage this meeting"),
                "404": error_ref("No such meeting"),
                "413": error_ref("Larger than WORKHUB_MAX_RECORDING_MB (`too_large`)"),
                "415": error_ref("Not one of the accepted types (`unsupported_type`)"),
                "422": error_ref("Not a usable recording: `empty`, `not_media`, `no_audio`, "
                              "`truncated`, `silent`, `too_long` (longer than "
                              "WORKHUB_MAX_RECORDING_HOURS) or `limits` (its decoding "
                              "exceeded the memory or time allowed)"),
            },
        }},
    }
