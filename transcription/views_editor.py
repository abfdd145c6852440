"""Transcript pages (blueprint ``transcripts`` under /meetings): the editor, speakers,
downloads, print view, glossary and search. The minutes pages are in ``views_minutes``
(same blueprint).

The editor lists the segments with their times; a time plays the recording from there (the
audio comes through the meetings blueprint's permission-checked view). At 素起こし each
segment is a small form of its own (text, speaker, the version it was loaded at);
transcript-editor.js posts it with fetch and shows "saved" or the 409 message, Ctrl+Enter
saves. A segment the hallucination guard flagged says why, and its form has a "checked" box
that clears the flag with the save. The other levels are computed views of the same text, so
switching is reversible.
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
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from werkzeug.routing import BuildError

from transcription import editing, exports, glossary
from transcription import search as finder
from transcription.models import TEXT_LEVELS, Recording, Segment, Speaker
from workhub.auth.permissions import roles_required
from workhub.errors import DomainError
from workhub.extensions import db
from workhub.meetings import services as meetings
from workhub.meetings.models import Meeting
from workhub.meetings.permissions import can_manage_meeting
from workhub.view_helpers import accepts_json, acting_user

bp = Blueprint("transcripts", __name__, url_prefix="/meetings")

# The README's English names; Japanese shows 素起こし, ケバ取り and 整文.
LEVEL_LABELS = {"verbatim": _l("Verbatim"), "clean": _l("Fillers removed"),
                "edited": _l("Light clean-up")}
SPEEDS = ("0.75", "1", "1.25", "1.5", "2")
GLOSSARY_ROLES = ("secretary", "admin")


def load_meeting(meeting_id: int, *, manage: bool = False) -> Meeting:
    """The meeting (404), if the signed-in user may see it, or manage it (403)."""
    try:
        return meetings.get_meeting(meeting_id, acting_user(), manage=manage)
    except DomainError as exc:
        # The editor's pages answer with the plain 404 / 403 page, without the service's words.
        abort(exc.status)


def load_transcript(meeting: Meeting):
    transcript = editing.current_transcript(meeting)
    if transcript is None:
        abort(404)
    return transcript


@bp.app_template_filter("clock")
def _clock_filter(seconds: float) -> str:
    return exports.clock(seconds)


def audio_url(meeting: Meeting, transcript) -> str | None:
    """The permission-checked audio of the transcript's recording, while it is kept."""
    recording = db.session.get(Recording, transcript.recording_id) \
        if transcript.recording_id else None
    if recording is None or recording.deleted_at is not None:
        return None
    try:
        return url_for("meetings.audio", meeting_id=meeting.id, recording_id=recording.id)
    except BuildError:  # the meetings blueprint is not registered (an app without it)
        return None


def editor_page(meeting: Meeting, *, status: int = 200, problem: dict | None = None):
    transcript = load_transcript(meeting)
    try:
        level = editing.check_level(request.args.get("level"), default="verbatim")
    except DomainError:
        level, status = "verbatim", 400
    return render_template(
        "meetings/transcript.html", meeting=meeting, transcript=transcript, level=level,
        levels=TEXT_LEVELS, level_labels=LEVEL_LABELS, speeds=SPEEDS,
        may_edit=can_manage_meeting(acting_user(), meeting) and level == "verbatim",
        may_manage=can_manage_meeting(acting_user(), meeting), audio=audio_url(meeting, transcript),
        text_of=editing.level_text, speaker_name=editing.speaker_name,
        doubt_note=editing.doubt_note,
        problem=problem or {}, formats=exports.TRANSCRIPT_FORMATS), status


@bp.get("/<int:meeting_id>/transcript")
@login_required
def transcript(meeting_id: int):
    return editor_page(load_meeting(meeting_id))


def _segment(meeting: Meeting, segment_id: int) -> Segment:
    segment = db.session.get(Segment, segment_id)
    transcript = editing.current_transcript(meeting)
    if segment is None or transcript is None or segment.transcript_id != transcript.id:
        abort(404)
    return segment


@bp.post("/<int:meeting_id>/transcript/segments/<int:segment_id>")
@login_required
def save_segment(meeting_id: int, segment_id: int):
    meeting = load_meeting(meeting_id, manage=True)
    segment = _segment(meeting, segment_id)
    form = request.form
    checked = form.get("checked") == "1"
    clears = checked and segment.doubtful  # worth saying so when the save goes through
    try:
        editing.edit_segment(segment, acting_user(), version=form.get("version"),
                             text=form.get("text"), speaker_id=form.get("speaker"),
                             set_speaker="speaker" in form, checked=checked)
    except editing.StaleEdit as exc:
        db.session.rollback()
        if accepts_json():
            return jsonify({"error": {"code": exc.code, "message": exc.message},
                            "kept": exc.kept, "current": exc.current}), 409
        return editor_page(meeting, status=409, problem={
            "segment": segment_id, "message": exc.message, "kept": exc.kept,
            "current": exc.current, "checked": checked})
    except DomainError as exc:
        db.session.rollback()
        if accepts_json():
            return jsonify({"error": {"code": exc.code, "message": exc.message}}), exc.status
        return editor_page(meeting, status=exc.status, problem={
            "segment": segment_id, "message": exc.message, "kept": form.get("text"),
            "checked": checked})
    db.session.commit()
    message = _("Saved; the segment is no longer marked for checking.") if clears else _("Saved")
    if accepts_json():
        return jsonify({"segment": editing.segment_state(segment, "verbatim")
                        | {"text": editing.base_text(segment)}, "message": message})
    flash(message, "success")
    return redirect(url_for(".transcript", meeting_id=meeting.id, _anchor=f"seg-{segment.id}"),
                    303)


def _back(meeting: Meeting, message: str | None = None, anchor: str | None = None):
    if message:
        flash(message, "success")
    return redirect(url_for(".transcript", meeting_id=meeting.id, _anchor=anchor), 303)


def _refused(meeting: Meeting, exc: DomainError, anchor: str):
    db.session.rollback()
    return editor_page(meeting, status=exc.status,
                       problem={"anchor": anchor, "message": exc.message})


@bp.post("/<int:meeting_id>/transcript/segments/<int:segment_id>/following")
@login_required
def reassign_following(meeting_id: int, segment_id: int):
    meeting = load_meeting(meeting_id, manage=True)
    segment = _segment(meeting, segment_id)
    try:
        count = editing.reassign_following(segment, acting_user(), request.form.get("speaker"))
    except DomainError as exc:
        return _refused(meeting, exc, f"seg-{segment_id}")
    db.session.commit()
    return _back(meeting, _("%(count)d segments now have this speaker.", count=count),
                 f"seg-{segment_id}")


@bp.post("/<int:meeting_id>/transcript/speakers")
@login_required
def add_speaker(meeting_id: int):
    meeting = load_meeting(meeting_id, manage=True)
    try:
        editing.add_speaker(load_transcript(meeting), request.form.get("name"))
    except DomainError as exc:
        return _refused(meeting, exc, "speakers")
    db.session.commit()
    return _back(meeting, _("Speaker added."), "speakers")


@bp.post("/<int:meeting_id>/transcript/speakers/<int:speaker_id>")
@login_required
def rename_speaker(meeting_id: int, speaker_id: int):
    meeting = load_meeting(meeting_id, manage=True)
    speaker = db.session.get(Speaker, speaker_id)
    if speaker is None or speaker.transcript_id != load_transcript(meeting).id:
        abort(404)
    try:
        editing.rename_speaker(speaker, request.form.get("name"))
    except DomainError as exc:
        return _refused(meeting, exc, "speakers")
    db.session.commit()
    return _back(meeting, _("Speaker renamed."), "speakers")


@bp.get("/<int:meeting_id>/transcript/export.<fmt>")
@login_required
def export_transcript(meeting_id: int, fmt: str):
    meeting = load_meeting(meeting_id)
    transcript = load_transcript(meeting)
    try:
        data = exports.export_transcript(meeting.title, transcript, fmt,
                                         request.args.get("level", "edited"))
    except DomainError as exc:
        abort(404 if exc.field == "format" else 400)
    return exports.file_response(data, fmt, f"transcript-{meeting.id}")


@bp.get("/<int:meeting_id>/transcript/print")
@login_required
def print_transcript(meeting_id: int):
    meeting = load_meeting(meeting_id)
    transcript = load_transcript(meeting)
    try:
        level = editing.check_level(request.args.get("level"))
    except DomainError:
        abort(400)
    lines = [(exports.clock(s.start_s), editing.speaker_name(s.speaker),
              editing.level_text(s, level)) for s in transcript.segments]
    return render_template("meetings/print.html", meeting=meeting, lines=lines, sections=None,
                           level_label=LEVEL_LABELS[level])


@bp.route("/glossary", methods=["GET", "POST"])
@roles_required(*GLOSSARY_ROLES)
def glossary_page():
    errors: dict = {}
    status = 200
    user = acting_user()
    if request.method == "POST":
        try:
            glossary.add_term(user, request.form.get("term"),
                              department_id=glossary.department_choice(request.form.get("department")),
                              note=request.form.get("note"))
            db.session.commit()
            flash(_("Term added."), "success")
            return redirect(url_for(".glossary_page"), 303)
        except DomainError as exc:
            db.session.rollback()
            errors, status = {exc.field or "term": exc.message}, exc.status
    departments = glossary.department_options(user)
    # The terms shown are everyone's and those of these departments: their names suffice.
    names = {d.id: d.name_ja for d in departments}
    return render_template("meetings/glossary.html", terms=glossary.terms_visible_to(user),
                           departments=departments, departments_by_id=names, errors=errors,
                           form=request.form, may_edit=glossary.can_edit_glossary), status


@bp.post("/glossary/<int:term_id>/delete")
@roles_required(*GLOSSARY_ROLES)
def delete_term(term_id: int):
    try:
        glossary.delete_term(acting_user(), term_id)
    except DomainError as exc:
        abort(exc.status)
    db.session.commit()
    flash(_("Term removed."), "success")
    return redirect(url_for(".glossary_page"), 303)


@bp.get("/search")
@login_required
def search_page():
    query = request.args.get("q")
    hits, error, status = [], None, 200
    if query is not None:
        try:
            hits = finder.search(acting_user(), query)
        except DomainError as exc:
            error, status = exc.message, 400
    return render_template("meetings/search.html", query=query or "", hits=hits, error=error,
                           min_length=finder.MIN_QUERY), status
