"""Pages of the session log (everyone) and of HR's month close.

Start/stop and entry after the fact, a person's sessions of a month, edit and delete; HR
closes and reopens months. The rules are in ``workhub.telework.sessions`` and ``months``;
the targets and policy pages (``views_targets``) share this blueprint.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from workhub import view_helpers
from workhub.auth.models import AuditEvent
from workhub.auth.permissions import roles_required
from workhub.businessdays import month_bounds, month_of
from workhub.clock import office_today, office_zone
from workhub.errors import Conflict, DomainError
from workhub.extensions import db
from workhub.org.models import User
from workhub.telework import months as month_close
from workhub.telework import sessions as svc
from workhub.telework.bookings import PLACE_LABELS, SLOT_LABELS
from workhub.telework.forms_sessions import (
    CloseMonthForm,
    EmptyForm,
    EntryForm,
    ReopenMonthForm,
    SessionEditForm,
    StartForm,
    StopForm,
)
from workhub.telework.models import Booking, MonthClose, TeleworkSession
from workhub.telework.permissions import can_view_session, is_hr, is_office
from workhub.view_helpers import acting_user
from workhub.web import render_error

bp = Blueprint("telework_sessions", __name__, url_prefix="/telework")

# Service field names → form field names (the others are called alike).
SERVICE_FIELDS = {"date": "day", "booking_id": "booking", "deadline_minutes": "deadline_time"}
MONTH_EVENTS = ("telework.month_closed", "telework.month_reopened")


# --- helpers ---------------------------------------------------------------------------------


def client_ip() -> str | None:
    return request.remote_addr


def error_status(exc: DomainError) -> int:
    """Pages answer 400 for anything the person must correct, 409 for a state conflict."""
    return 409 if isinstance(exc, Conflict) else 400


def attach_error(form, exc: DomainError) -> list[str]:
    """`workhub.view_helpers.attach_error` with the session services' field names."""
    return view_helpers.attach_error(form, exc, fields=SERVICE_FIELDS)

def month_arg() -> str | None:
    """``?month=`` if valid, this month (Japan time) when absent, None when malformed."""
    raw = request.args.get("month")
    if raw is None or raw == "":
        return month_of(office_today())
    return raw if month_close.valid_month(raw) else None


def bad_month():
    return render_error(400, _("A month is written YYYY-MM, e.g. 2026-04."), "invalid_month")


def neighbour_months(month: str) -> tuple[str, str]:
    first, last = month_bounds(month)
    return month_of(first - timedelta(days=1)), month_of(last + timedelta(days=1))


def local_clock(moment) -> str:
    return moment.astimezone(office_zone()).strftime("%H:%M") if moment else ""


@bp.app_template_filter("office_time")
def office_time(moment, fmt: str = "%H:%M") -> str:
    """A UTC moment in office time (Japan), e.g. ``{{ s.started_at|office_time }}``."""
    return moment.astimezone(office_zone()).strftime(fmt) if moment else ""


@bp.context_processor
def _labels():
    return {"place_labels": PLACE_LABELS, "slot_labels": SLOT_LABELS}


# --- the session log -------------------------------------------------------------------------


def _owner_from_args(me: User) -> User:
    """Whose sessions the page shows: mine, or (HR/admin) ``?user=<login>``."""
    login = (request.args.get("user") or "").strip().lower()[:64]
    if not login or login == me.login:
        return me
    if not is_office(me):
        abort(403)
    owner = db.session.scalar(select(User).where(User.login == login))
    if owner is None:
        abort(404)
    return owner


def _booking_choices(user: User, month: str) -> list[SelectChoice]:
    """The user's approved bookings of ``month`` up to today, for the entry form."""
    first, last = month_bounds(month)
    last = min(last, office_today())
    rows = db.session.scalars(
        select(Booking).where(Booking.user_id == user.id, Booking.status == "approved",
                              Booking.day.between(first, last))
        .order_by(Booking.day, Booking.slot)
    ).all() if first <= last else []
    return [SelectChoice("", _("Automatic"))] + [
        SelectChoice(str(b.id), f"{b.day.isoformat()} {SLOT_LABELS[b.slot]} · "
                                f"{PLACE_LABELS[b.place]}")
        for b in rows
    ]


def _sessions_page(owner: User, month: str, *, start_form=None, stop_form=None,
                   entry_form=None, errors=(), status: int = 200):
    today = office_today()
    own = owner.id == current_user.id
    rows = svc.user_sessions(owner, month)
    if entry_form is None:
        day = today if month == month_of(today) else month_bounds(month)[0]
        entry_form = EntryForm(formdata=None, data={"day": day.isoformat()})
    entry_form.booking.choices = _booking_choices(owner, month)
    previous, following = neighbour_months(month)
    return render_template(
        "telework/sessions.html",
        owner=owner, own=own, month=month, today=today,
        previous_month=previous, next_month=following,
        this_month=month_of(today),
        running=svc.running_session(owner) if own else None,
        sessions=rows,
        total_minutes=sum(s.minutes or 0 for s in rows),
        closed=month_close.is_closed(month),
        start_form=start_form or StartForm(formdata=None),
        stop_form=stop_form or StopForm(formdata=None),
        entry_form=entry_form,
        delete_form=EmptyForm(formdata=None),
        errors=list(errors),
    ), status


def _back_to(session_or_month, owner: User | None = None):
    month = (session_or_month if isinstance(session_or_month, str)
             else month_of(session_or_month.day))
    args = {"month": month}
    if owner is not None and owner.id != current_user.id:
        args["user"] = owner.login
    return redirect(url_for("telework_sessions.sessions", **args), 303)


def _load(session_id: int, *, edit: bool) -> TeleworkSession:
    """The session, if the signed-in user may see it (404 otherwise) and, with ``edit``,
    change it (403 otherwise)."""
    me = acting_user()
    session = db.session.get(TeleworkSession, session_id)
    if session is None or not can_view_session(me, session):
        abort(404)
    if edit and not svc.can_edit_session(me, session):
        abort(403)
    return session


@bp.get("/sessions")
@login_required
def sessions():
    month = month_arg()
    if month is None:
        return bad_month()
    return _sessions_page(_owner_from_args(acting_user()), month)


@bp.post("/sessions/start")
@login_required
def start():
    me = acting_user()
    form = StartForm()
    errors: list[str] = []
    status = 400
    if form.validate_on_submit():
        try:
            session = svc.start_session(me, place=form.place.data)
        except DomainError as exc:
            errors, status = attach_error(form, exc), error_status(exc)
        else:
            db.session.commit()
            flash(_("Telework started at %(time)s.", time=local_clock(session.started_at)),
                  "success")
            return _back_to(session)
    return _sessions_page(me, month_of(office_today()), start_form=form, errors=errors,
                          status=status)


@bp.post("/sessions/<int:session_id>/stop")
@login_required
def stop(session_id: int):
    session = _load(session_id, edit=True)
    owner = session.user
    form = StopForm()
    errors: list[str] = []
    status = 400
    if form.validate_on_submit():
        try:
            svc.stop_session(session, acting_user(), form.report.data, ip=client_ip())
        except DomainError as exc:
            errors, status = attach_error(form, exc), error_status(exc)
        else:
            db.session.commit()
            minutes = session.minutes or 0
            flash(_("Telework stopped: %(hours)d h %(minutes)02d min.",
                    hours=minutes // 60, minutes=minutes % 60), "success")
            return _back_to(session, owner)
    return _sessions_page(owner, month_of(session.day), stop_form=form, errors=errors,
                          status=status)


@bp.post("/sessions")
@login_required
def record():
    me = acting_user()
    form = EntryForm()
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            session = svc.record_session(
                me, day=form.day.data, start=form.start.data, end=form.end.data,
                place=form.place.data, report=form.report.data,
                booking_id=int(form.booking.data) if form.booking.data else None,
                actor=me, ip=client_ip(),
            )
        except DomainError as exc:
            errors = attach_error(form, exc)
        else:
            db.session.commit()
            flash(_("The session of %(day)s has been recorded.", day=session.day.isoformat()),
                  "success")
            return _back_to(session)
    month = form.day.data[:7] if month_close.valid_month((form.day.data or "")[:7]) else None
    return _sessions_page(me, month or month_of(office_today()), entry_form=form,
                          errors=errors, status=400)


def _edit_form(session: TeleworkSession) -> SessionEditForm:
    return SessionEditForm(formdata=None, data={
        "day": session.day.isoformat(),
        "start": local_clock(session.started_at),
        "end": local_clock(session.ended_at),
        "place": session.place,
        "report": session.report or "",
    })


def _edit_page(session: TeleworkSession, form=None, errors=(), status: int = 200):
    return render_template(
        "telework/sessions_edit.html", session=session, owner=session.user,
        form=form or _edit_form(session), delete_form=EmptyForm(formdata=None),
        closed=month_close.is_closed(month_of(session.day)), errors=list(errors),
    ), status


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit(session_id: int):
    session = _load(session_id, edit=True)
    if request.method == "GET":
        return _edit_page(session)
    form = SessionEditForm()
    errors: list[str] = []
    status = 400
    if form.validate_on_submit():
        end = form.end.data or None
        if end is None and session.ended_at is not None:
            form.end.errors = [_("Enter the time (HH:MM).")]
        else:
            if end == local_clock(session.ended_at) and form.day.data == session.day.isoformat():
                # Unchanged: keep the stored end (which may be after midnight).
                end = None
            owner = session.user
            try:
                svc.update_session(session, acting_user(), day=form.day.data, start=form.start.data,
                                   end=end, place=form.place.data,
                                   report=form.report.data or "", ip=client_ip())
            except DomainError as exc:
                errors, status = attach_error(form, exc), error_status(exc)
                session = db.session.get(TeleworkSession, session_id)
            else:
                db.session.commit()
                flash(_("The session has been saved."), "success")
                return _back_to(session, owner)
    return _edit_page(session, form, errors, status)


@bp.post("/sessions/<int:session_id>/delete")
@login_required
def delete(session_id: int):
    session = _load(session_id, edit=True)
    owner, month = session.user, month_of(session.day)
    form = EmptyForm()
    errors: list[str] = []
    status = 400
    if form.validate_on_submit():
        try:
            svc.delete_session(session, acting_user(), ip=client_ip())
        except DomainError as exc:
            errors, status = attach_error(form, exc), error_status(exc)
        else:
            db.session.commit()
            flash(_("The session has been deleted."), "success")
            return _back_to(month, owner)
    else:
        errors = [_("The form has expired or was sent from elsewhere. Reload the page and "
                    "try again.")]
    return _sessions_page(db.session.get(User, owner.id), month, errors=errors, status=status)


# --- month close (HR) ------------------------------------------------------------------------


def _months_page(close_form=None, reopen_form=None, errors=(), status: int = 200):
    closed = db.session.scalars(select(MonthClose).order_by(MonthClose.month.desc())).all()
    closer_ids = {row.closed_by_id for row in closed if row.closed_by_id is not None}
    closers = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(closer_ids)))}
    history = db.session.scalars(
        select(AuditEvent).where(AuditEvent.event.in_(MONTH_EVENTS))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(20)
    ).all()
    if close_form is None:
        previous = month_of(office_today().replace(day=1) - timedelta(days=1))
        close_form = CloseMonthForm(formdata=None, data={"month": previous})
    reopen_form = reopen_form or ReopenMonthForm(formdata=None)
    reopen_form.month.choices = [SelectChoice(row.month, row.month) for row in closed]
    return render_template(
        "telework/month_close.html", closed=closed, closers=closers, history=history,
        close_form=close_form, reopen_form=reopen_form, may_change=is_hr(acting_user()),
        errors=list(errors),
    ), status


@bp.get("/months")
@roles_required("hr", "admin")
def months():
    return _months_page()


@bp.post("/months/close")
@roles_required("hr")
def close_month():
    form = CloseMonthForm()
    errors: list[str] = []
    status = 400
    if form.validate_on_submit():
        try:
            row = month_close.close_month(form.month.data, acting_user(), ip=client_ip())
        except DomainError as exc:
            errors, status = attach_error(form, exc), error_status(exc)
        else:
            db.session.commit()
            flash(_("%(month)s has been closed.", month=row.month), "success")
            return redirect(url_for("telework_sessions.months"), 303)
    return _months_page(close_form=form, errors=errors, status=status)


@bp.post("/months/reopen")
@roles_required("hr")
def reopen_month():
    form = ReopenMonthForm()
    errors: list[str] = []
    status = 400
    if form.validate_on_submit():
        try:
            month_close.reopen_month(form.month.data, acting_user(), form.reason.data,
                                     ip=client_ip())
        except DomainError as exc:
            errors, status = attach_error(form, exc), error_status(exc)
        else:
            db.session.commit()
            flash(_("%(month)s has been reopened.", month=form.month.data), "success")
            return redirect(url_for("telework_sessions.months"), 303)
    return _months_page(reopen_form=form, errors=errors, status=status)
