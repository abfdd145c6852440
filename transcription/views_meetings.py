"""Meeting pages: list (mine / my department), new, edit, and the meeting page with its
recordings: upload (or record in the browser), transcription progress, cancel, retry, and the
audio itself, served only through a permission check with HTTP range requests.

The rules are in ``workhub.meetings.services``, ``transcription.recordings`` and
``workhub.meetings.permissions``; these views read forms and show results.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_required

from transcription import recordings as rec
from transcription.forms_meetings import ONLINE_TOOL_LABELS, ActionForm, MeetingForm
from workhub.auth.permissions import roles_required
from workhub.database import utcnow
from workhub.errors import DomainError
from workhub.extensions import db
from workhub.jobs.models import Job
from workhub.meetings import services as svc
from workhub.meetings.permissions import CREATE_ROLES, can_create_meeting, can_manage_meeting
from workhub.pagination import paginate, parse_page
from workhub.request_limits import body_limit
from workhub.view_helpers import accepts_json, acting_user

bp = Blueprint("meetings", __name__, url_prefix="/meetings")


@bp.get("/")
@login_required
def meeting_list():
    scope = request.args.get("scope", "mine")
    if scope not in svc.SCOPES:
        scope = "mine"
    page = paginate(svc.meetings_query(acting_user(), scope), parse_page(request.args.get("page")))
    return render_template("meetings/meeting_list.html", page=page, scope=scope,
                           may_create=can_create_meeting(acting_user()))


def _form_page(form: MeetingForm, meeting=None, status: int = 200, errors=()):
    return render_template("meetings/meeting_form.html", form=form, meeting=meeting,
                           errors=list(errors)), status


def _save(form: MeetingForm, meeting=None):
    if not form.validate_on_submit():
        return _form_page(form, meeting, 400)
    try:
        data = form.data_for_service()
        if meeting is None:
            meeting = svc.create_meeting(acting_user(), data)
        else:
            svc.update_meeting(meeting, acting_user(), data)
    except DomainError as exc:
        db.session.rollback()
        target = form._fields.get({"starts_at": "start", "ends_at": "end"}.get(
            exc.field or "", exc.field or ""))
        if target is None:
            return _form_page(form, meeting, exc.status, [exc.message])
        target.errors = [*target.errors, exc.message]
        return _form_page(form, meeting, exc.status)
    db.session.commit()
    flash(_("The meeting was saved."), "success")
    return redirect(url_for("meetings.meeting_page", meeting_id=meeting.id), 303)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*CREATE_ROLES)
def new_meeting():
    form = MeetingForm()
    if request.method == "GET":
        return _form_page(form)
    return _save(form)


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit_meeting(meeting_id: int):
    meeting = svc.get_meeting(meeting_id, acting_user(), manage=True)
    form = MeetingForm()
    if request.method == "GET":
        form.fill(svc.meeting_data(meeting))
        return _form_page(form, meeting)
    return _save(form, meeting)


def eta_seconds(job: Job | None) -> int | None:
    """Time left of a running job, from the time it took so far for the share done."""
    if job is None or job.status != "running" or not job.started_at or not 0 < job.progress < 100:
        return None
    elapsed = (utcnow() - job.started_at).total_seconds()
    return max(0, int(elapsed * (100 - job.progress) / job.progress))


def _meeting_page(meeting, status: int = 200, errors=()):
    recordings = rec.meeting_recordings(meeting)
    return render_template(
        "meetings/meeting.html", meeting=meeting, recordings=recordings,
        jobs=rec.recording_jobs(recordings), eta=eta_seconds,
        may_manage=can_manage_meeting(acting_user(), meeting), tool_labels=ONLINE_TOOL_LABELS,
        errors=list(errors),
        max_mb=rec.max_bytes() // (1024 * 1024), extensions=", ".join(rec.CONTENT_TYPES),
    ), status


@bp.get("/<int:meeting_id>")
@login_required
def meeting_page(meeting_id: int):
    return _meeting_page(svc.get_meeting(meeting_id, acting_user()))


@bp.post("/<int:meeting_id>/recordings")
@body_limit(rec.upload_body_limit)
@login_required
def upload(meeting_id: int):
    meeting = svc.get_meeting(meeting_id, acting_user(), manage=True)
    try:
        if not ActionForm().validate_on_submit():
            abort(400)
        file = request.files.get("file")
        recording = rec.upload_recording(meeting, acting_user(), file and file.stream,
                                         file and file.filename)
    except rec.UploadError as exc:
        db.session.rollback()
        request.close()  # the parser's temporary file, at once
        if accepts_json():
            return jsonify({"error": {"code": exc.code, "message": exc.message}}), exc.status
        return _meeting_page(meeting, exc.status, [exc.message])
    request.close()
    db.session.commit()
    target = url_for("meetings.meeting_page", meeting_id=meeting.id,
                     _anchor=f"recording-{recording.id}")
    if accepts_json():
        return jsonify({"recording_id": recording.id, "job_id": recording.job_id,
                        "url": target}), 202
    flash(_("The recording was uploaded; its transcription has been queued."), "success")
    return redirect(target, 303)


def _recording(meeting_id: int, recording_id: int, *, manage: bool = False):
    meeting = svc.get_meeting(meeting_id, acting_user(), manage=manage)
    return meeting, rec.get_recording(meeting, recording_id)


@bp.get("/<int:meeting_id>/recordings/<int:recording_id>/audio")
@login_required
def audio(meeting_id: int, recording_id: int):
    _meeting, recording = _recording(meeting_id, recording_id)
    response = send_file(rec.recording_file(recording), mimetype=recording.content_type,
                         conditional=True, etag=recording.sha256, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


def job_status(job: Job | None) -> dict:
    if job is None:
        return {"status": "none", "progress": 0, "message": None, "error": None,
                "eta_seconds": None, "finished": True}
    return {"status": job.status, "progress": job.progress, "message": job.progress_message,
            "error": job.error, "eta_seconds": eta_seconds(job), "finished": job.finished}


@bp.get("/<int:meeting_id>/recordings/<int:recording_id>/status")
@login_required
def status(meeting_id: int, recording_id: int):
    _meeting, recording = _recording(meeting_id, recording_id)
    job = rec.recording_job(recording)
    return jsonify(job_status(job))


@bp.post("/<int:meeting_id>/recordings/<int:recording_id>/cancel")
@login_required
def cancel(meeting_id: int, recording_id: int):
    meeting, recording = _recording(meeting_id, recording_id, manage=True)
    if not ActionForm().validate_on_submit():
        abort(400)
    rec.cancel_transcription(recording, acting_user())
    db.session.commit()
    flash(_("The transcription is being cancelled."), "success")
    return redirect(url_for("meetings.meeting_page", meeting_id=meeting.id,
                            _anchor=f"recording-{recording.id}"), 303)


@bp.post("/<int:meeting_id>/recordings/<int:recording_id>/retry")
@login_required
def retry(meeting_id: int, recording_id: int):
    meeting, recording = _recording(meeting_id, recording_id, manage=True)
    if not ActionForm().validate_on_submit():
        abort(400)
    rec.retry_transcription(recording, acting_user())
    db.session.commit()
    flash(_("The transcription has been queued again."), "success")
    return redirect(url_for("meetings.meeting_page", meeting_id=meeting.id,
                            _anchor=f"recording-{recording.id}"), 303)
