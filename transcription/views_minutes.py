"""Minutes pages (議事録) on the ``transcripts`` blueprint: the page (each section its own
form with the version), generate a draft from the transcript at a level, final/reopen,
downloads and the print view. Drafts are for the organiser and the secretaries."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from transcription import editing, exports
from transcription import minutes as svc
from transcription.views_editor import LEVEL_LABELS, bp, load_meeting
from workhub.errors import DomainError
from workhub.extensions import db
from workhub.meetings.permissions import can_manage_meeting
from workhub.view_helpers import acting_user


def _readable(meeting):
    minutes = svc.get_minutes(meeting)
    if not svc.can_view_minutes(acting_user(), meeting, minutes):
        abort(404)  # a draft is not shown to, nor admitted to, those who may not read it
    return minutes


def minutes_page(meeting, *, status: int = 200, problem: dict | None = None):
    minutes = _readable(meeting)
    may_manage = can_manage_meeting(acting_user(), meeting)
    doc = svc.document(meeting, minutes)
    return render_template(
        "meetings/minutes.html", meeting=meeting, minutes=minutes,
        doc=doc, headings=svc.HEADINGS,
        sections=svc.section_names(meeting), may_manage=may_manage,
        may_edit=may_manage and minutes is not None and minutes.status == "draft",
        has_transcript=editing.current_transcript(meeting) is not None,
        levels=LEVEL_LABELS, problem=problem or {}, formats=exports.MINUTES_FORMATS,
        rows=exports.minutes_sections(doc)), status


@bp.get("/<int:meeting_id>/minutes")
@login_required
def minutes(meeting_id: int):
    return minutes_page(load_meeting(meeting_id))


def _refused(meeting, exc: DomainError, **problem):
    db.session.rollback()
    return minutes_page(meeting, status=exc.status,
                        problem={"message": exc.message} | problem)


def _done(meeting, message: str, anchor: str | None = None):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".minutes", meeting_id=meeting.id, _anchor=anchor), 303)


@bp.post("/<int:meeting_id>/minutes/generate")
@login_required
def generate_minutes(meeting_id: int):
    meeting = load_meeting(meeting_id, manage=True)
    try:
        svc.generate_draft(meeting, acting_user(), level=request.form.get("level"),
                           version=request.form.get("version"))
    except DomainError as exc:
        return _refused(meeting, exc, section="generate")
    return _done(meeting, _("The draft was written from the transcript."))


@bp.post("/<int:meeting_id>/minutes/sections/<section>")
@login_required
def save_section(meeting_id: int, section: str):
    meeting = load_meeting(meeting_id, manage=True)
    minutes = svc.get_minutes(meeting)
    if minutes is None:
        abort(404)
    try:
        svc.edit_section(meeting, minutes, acting_user(), section=section,
                         text=request.form.get("text"), version=request.form.get("version"))
    except editing.StaleEdit as exc:
        return _refused(meeting, exc, section=section, kept=exc.kept)
    except DomainError as exc:
        if exc.status == 404:
            abort(404)
        return _refused(meeting, exc, section=section, kept=request.form.get("text"))
    return _done(meeting, _("Saved"), f"section-{section.replace(':', '-')}")


@bp.post("/<int:meeting_id>/minutes/status")
@login_required
def minutes_status(meeting_id: int):
    meeting = load_meeting(meeting_id, manage=True)
    minutes = svc.get_minutes(meeting)
    if minutes is None:
        abort(404)
    status = request.form.get("status")
    try:
        svc.set_status(minutes, acting_user(), status=status, version=request.form.get("version"))
    except DomainError as exc:
        return _refused(meeting, exc, section="status")
    return _done(meeting, _("The minutes are final.") if status == "final"
                 else _("The minutes are a draft again."))


@bp.get("/<int:meeting_id>/minutes/export.<fmt>")
@login_required
def export_minutes(meeting_id: int, fmt: str):
    meeting = load_meeting(meeting_id)
    minutes = _readable(meeting)
    if minutes is None:
        abort(404)
    if fmt not in exports.MINUTES_FORMATS:
        abort(404)
    return exports.file_response(exports.export_minutes(svc.document(meeting, minutes), fmt),
                                 fmt, f"minutes-{meeting.id}")


@bp.get("/<int:meeting_id>/minutes/print")
@login_required
def print_minutes(meeting_id: int):
    meeting = load_meeting(meeting_id)
    minutes = _readable(meeting)
    if minutes is None:
        abort(404)
    return render_template("meetings/print.html", meeting=meeting, lines=None,
                           sections=exports.minutes_sections(svc.document(meeting, minutes)),
                           status=minutes.status)
