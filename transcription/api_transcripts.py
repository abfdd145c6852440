"""JSON API of the transcript editor and the minutes: routes on workhub.api.bp.

* ``GET /meetings/<id>/transcript[?level=verbatim|clean|edited]`` (whoever may see the
  meeting): language, duration and the segments with id, times, speaker, text at the level
  (素起こし by default: the text an edit replaces), version and the doubtful flag.
* ``PATCH /segments/<id>`` ``{"text"?, "speaker"? (a speaker id or null), "version"}``
  (organiser, the department's secretaries, administrators): 200 with the segment, 409
  ``stale`` with the person's text back in ``kept`` and the segment as it is now in
  ``current`` when the version is not the current one.
* ``GET /meetings/<id>/minutes[?format=json|txt|md|docx]``: the minutes (a draft only for
  those who manage the meeting; 404 otherwise).
"""

from __future__ import annotations

from flask import Response, jsonify, request
from flask_babel import gettext as _

from transcription import editing, exports
from transcription import minutes as minutes_svc
from transcription.models import Transcript
from workhub.api import bp
from workhub.api.common import json_body, json_errors
from workhub.errors import DomainError, NotFound
from workhub.extensions import db
from workhub.meetings import services as svc
from workhub.view_helpers import acting_user


def segment_json(segment, level: str) -> dict:
    state = editing.segment_state(segment, level)
    return {key: state[key] for key in ("id", "start", "end", "speaker", "speaker_id", "text",
                                        "version", "doubtful", "edited")}


@bp.get("/meetings/<int:meeting_id>/transcript")
@json_errors
def transcript_api(meeting_id: int):
    meeting = svc.get_meeting(meeting_id, acting_user())
    level = editing.check_level(request.args.get("level"), default="verbatim")
    transcript = editing.current_transcript(meeting)
    if transcript is None:
        raise NotFound(_("There is no transcript yet."), code="no_transcript")
    return jsonify({"meeting_id": meeting.id, "language": transcript.language,
                    "duration": transcript.duration, "level": level,
                    "speakers": [{"id": s.id, "label": s.label, "name": s.name}
                                 for s in transcript.speakers],
                    "segments": [segment_json(s, level) for s in transcript.segments]})


def _speaker_value(data: dict):
    value = data.get("speaker")
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise DomainError(_("speaker is a speaker id of this transcript, or null."),
                          field="speaker", code="invalid_speaker")
    return value


@bp.patch("/segments/<int:segment_id>")
@json_errors
def segment_api(segment_id: int):
    segment = editing.get_segment(segment_id)
    transcript = db.session.get(Transcript, segment.transcript_id)
    meeting = svc.get_meeting(
        transcript.meeting_id, acting_user(), manage=True,
        refusal=_("Only the organiser, the department's secretaries and "
                  "administrators edit the transcript."))
    if editing.current_transcript(meeting).id != transcript.id:
        raise NotFound(_("No such segment."))
    data = json_body({"text", "speaker", "version", "checked"})
    text = data.get("text")
    checked = data.get("checked", False)
    if not isinstance(checked, bool):
        raise DomainError(_("checked is true or false."), field="checked")
    if text is not None and not isinstance(text, str):
        raise DomainError(_("text is a string."), field="text")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise DomainError(_("version is the integer the segment was loaded at."),
                          field="version", code="invalid_version")
    try:
        editing.edit_segment(segment, acting_user(), version=version, text=text,
                             speaker_id=_speaker_value(data), set_speaker="speaker" in data,
                             checked=checked)
    except editing.StaleEdit as exc:
        db.session.rollback()
        return jsonify({"error": {"code": exc.code, "message": exc.message},
                        "kept": exc.kept, "current": exc.current}), 409
    db.session.commit()
    return jsonify(segment_json(segment, "verbatim"))


@bp.get("/meetings/<int:meeting_id>/minutes")
@json_errors
def minutes_api(meeting_id: int):
    meeting = svc.get_meeting(meeting_id, acting_user())
    minutes = minutes_svc.get_minutes(meeting)
    if minutes is None or not minutes_svc.can_view_minutes(acting_user(), meeting, minutes):
        raise NotFound(_("There are no minutes of this meeting yet."), code="no_minutes")
    fmt = exports.check_format(request.args.get("format", "json"), exports.MINUTES_FORMATS)
    data = exports.export_minutes(minutes_svc.document(meeting, minutes), fmt)
    if fmt == "json":
        return Response(data, mimetype="application/json")
    return exports.file_response(data, fmt, f"minutes-{meeting.id}")
