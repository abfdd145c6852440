"""JSON API of meetings and their recordings (routes on the ``api`` blueprint, /api/v1).

* ``POST /meetings`` creates a meeting (secretaries, managers, administrators) → 201
  ``{"id"}``; bad JSON, wrong types or unknown fields → 400, a broken rule → 422 naming the
  field.
* ``GET /meetings`` lists the meetings the caller may see (``scope`` mine|department,
  ``page``, ``per_page``); ``GET /meetings/<id>`` one meeting with its recordings.
* ``POST /meetings/<id>/recordings`` (multipart field ``file``) stores a recording and queues
  its transcription → 202 ``{"recording_id", "job_id"}``; no file 400, too large 413, a type
  not accepted 415, a file that is not a usable recording 422 (``code`` says why).
"""

from __future__ import annotations

from datetime import datetime

from flask import jsonify, request
from flask_babel import gettext as _

from transcription import recordings as rec
from transcription.models import Recording
from transcription.views_meetings import job_status
from workhub.api import bp
from workhub.api.common import (
    MAX_PER_PAGE,
    BadRequest,
    json_body,
    json_errors,
    page_args,
    rules_as_422,
    text_value,
)
from workhub.clock import office_zone
from workhub.extensions import db
from workhub.meetings import services as svc
from workhub.meetings.models import Meeting
from workhub.pagination import paginate
from workhub.request_limits import body_limit
from workhub.view_helpers import acting_user

CREATE_FIELDS = {"title", "starts_at", "ends_at", "place", "online_tool", "language", "join_url",
                 "notes", "participants", "externals", "agenda"}


def _when(data: dict, name: str, *, required: bool) -> datetime | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise BadRequest(_("%(name)s must be a date and time written YYYY-MM-DDTHH:MM.",
                           name=name), field=name)
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise BadRequest(_("%(name)s must be a date and time written YYYY-MM-DDTHH:MM.",
                           name=name), field=name) from None
    return when if when.tzinfo else when.replace(tzinfo=office_zone())


def _strings(data: dict, name: str) -> list[str]:
    value = data.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadRequest(_("%(name)s must be a list of strings.", name=name), field=name)
    return value


def _externals(data: dict) -> list[str]:
    value = data.get("externals", [])
    if not isinstance(value, list):
        raise BadRequest(_("%(name)s must be a list.", name="externals"), field="externals")
    out = []
    for item in value:
        if isinstance(item, dict) and set(item) <= {"name", "affiliation"}:
            name, affiliation = item.get("name"), item.get("affiliation")
            if not isinstance(name, str) or not isinstance(affiliation, str | None) \
                    or "/" in name:
                raise BadRequest(_("Each external participant needs a name (without '/') "
                                   "and may have an affiliation."), field="externals")
            out.append(f"{name} / {affiliation}" if affiliation else name)
        else:
            raise BadRequest(_("Each external participant needs a name (without '/') "
                               "and may have an affiliation."), field="externals")
    return out


def meeting_json(meeting: Meeting, recordings: list[Recording] | None = None) -> dict:
    body = {
        "id": meeting.id, "title": meeting.title,
        "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat() if meeting.ends_at else None,
        "place": meeting.place, "online_tool": meeting.online_tool,
        "join_url": meeting.join_url,
        "language": meeting.language,
        "organiser": meeting.organiser.login if meeting.organiser else None,
    }
    if recordings is not None:
        jobs = rec.recording_jobs(recordings)
        body.update({
            "participants": [
                {"login": p.user.login, "name": p.user.display_name} if p.user else
                {"login": None, "name": p.name, "affiliation": p.affiliation}
                for p in meeting.participants],
            "agenda": [a.title for a in meeting.agenda],
            "notes": meeting.notes,
            "recordings": [{
                "id": r.id, "name": r.original_name, "duration": r.duration,
                "size": r.size, "uploaded_at": r.uploaded_at.isoformat(),
                "deleted_at": r.deleted_at.isoformat() if r.deleted_at else None,
                "job_id": r.job_id,
                "transcription": job_status(jobs.get(r.job_id)),
            } for r in recordings],
        })
    return body


@bp.post("/meetings")
@json_errors
def create_meeting_api():
    data = json_body(CREATE_FIELDS)
    title = text_value(data, "title")
    if title is None:
        raise BadRequest(_("%(name)s is required.", name="title"), field="title")
    tool, language = text_value(data, "online_tool", "none"), text_value(data, "language", "ja")
    meeting_data = svc.MeetingData(
        title=title, starts_at=_when(data, "starts_at", required=True),
        ends_at=_when(data, "ends_at", required=False), place=text_value(data, "place"),
        join_url=text_value(data, "join_url"), notes=text_value(data, "notes"),
        online_tool=tool, language=language, logins=_strings(data, "participants"),
        externals=_externals(data), agenda=_strings(data, "agenda"))
    meeting = rules_as_422(lambda: svc.create_meeting(acting_user(), meeting_data))
    db.session.commit()
    return jsonify({"id": meeting.id}), 201


@bp.get("/meetings")
@json_errors
def list_meetings_api():
    unknown = sorted(set(request.args) - {"scope", "page", "per_page"})
    if unknown:
        raise BadRequest(_("Unknown parameters: %(names)s.", names=", ".join(unknown)[:200]),
                         code="unknown_parameter", field=unknown[0][:64])
    scope = request.args.get("scope", "mine")
    if scope not in svc.SCOPES:
        raise BadRequest(_("scope must be mine or department."), field="scope")
    page, per_page = page_args()
    result = paginate(svc.meetings_query(acting_user(), scope), page, min(per_page, MAX_PER_PAGE))
    return jsonify({"items": [meeting_json(m) for m in result.items], "page": result.page,
                    "pages": result.pages, "total": result.total})


@bp.get("/meetings/<int:meeting_id>")
@json_errors
def get_meeting_api(meeting_id: int):
    meeting = svc.get_meeting(meeting_id, acting_user())
    return jsonify(meeting_json(meeting, rec.meeting_recordings(meeting)))


@bp.post("/meetings/<int:meeting_id>/recordings")
@body_limit(rec.upload_body_limit)
@json_errors
def upload_recording_api(meeting_id: int):
    meeting = svc.get_meeting(meeting_id, acting_user(), manage=True)
    file = request.files.get("file")
    try:
        recording = rec.upload_recording(meeting, acting_user(), file and file.stream,
                                         file and file.filename)
    finally:
        request.close()  # the parser's temporary file, at once
    db.session.commit()
    return jsonify({"recording_id": recording.id, "job_id": recording.job_id}), 202
