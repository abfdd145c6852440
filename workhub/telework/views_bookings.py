"""Booking pages: my remote days and the booking form, one booking's details, approvals, the
team calendar with its feed URLs, and the iCalendar feeds themselves.

Thin views: load (404), check permission (403), validate the form, call one service of
``bookings`` or ``calendar``, commit, redirect or render. The notification links of
``bookings`` (APPROVALS_URL, MY_BOOKINGS_URL, BOOKING_URL) point at these pages.
"""

from __future__ import annotations

from babel.dates import format_skeleton, get_day_names
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from workhub.auth.passwords import normalise_login
from workhub.clock import office_today
from workhub.errors import DomainError
from workhub.extensions import db, limiter
from workhub.org.models import Department, User
from workhub.pagination import paginate, parse_page
from workhub.telework import bookings as bk
from workhub.telework import calendar as cal
from workhub.telework import decisions
from workhub.telework import permissions as perm
from workhub.telework.errors import RuleViolation
from workhub.telework.forms_bookings import (
    BookingForm,
    BulkApproveForm,
    CancelForm,
    DecisionForm,
    EmptyForm,
    FeedForm,
)
from workhub.telework.models import Booking, BookingEvent
from workhub.view_helpers import acting_user, attach_error
from workhub.web import render_error, select_locale

bp = Blueprint("telework_bookings", __name__, url_prefix="/telework")

PAST_PER_PAGE = 20
APPROVALS_PER_PAGE = 100


@bp.context_processor
def _helpers():
    return {
        "fmt_day": lambda day: format_date(day, "yyyy-MM-dd (EEE)"),
        "slot_labels": bk.SLOT_LABELS,
        "place_labels": bk.PLACE_LABELS,
        "status_labels": bk.STATUS_LABELS,
    }


def _load(booking_id: int, *, details: bool = False) -> Booking:
    """The booking, or 404 when it does not exist or the user may not see it (or its
    details): a booking number must not reveal other people's plans."""
    booking = db.session.get(Booking, booking_id)
    check = perm.can_view_booking_details if details else perm.can_view_booking
    if booking is None or not check(current_user, booking):
        abort(404)
    return booking


# --- my bookings and the booking form ------------------------------------------------------


def _booking_form(**kwargs) -> BookingForm:
    form = BookingForm(**kwargs)
    if not perm.is_office(current_user):
        # Booking for someone else, and overriding rules, are for HR and administrators.
        del form.for_login
        del form.override_reason
    return form


def _render_bookings(form: BookingForm, *, status: int = 200, result=None, owner=None,
                     violations=None, errors=None):
    today = office_today()
    mine = select(Booking).where(Booking.user_id == current_user.id)
    upcoming = list(db.session.scalars(
        mine.where(Booking.day >= today).order_by(Booking.day, Booking.slot, Booking.id)))
    past = paginate(mine.where(Booking.day < today).order_by(Booking.day.desc(), Booking.id),
                    parse_page(request.args.get("page")), PAST_PER_PAGE)
    cancellable = {b.id for b in [*upcoming, *past.items]
                   if perm.can_cancel_booking(current_user, b, today)}
    return render_template(
        "telework/bookings.html", form=form, upcoming=upcoming, past=past,
        cancellable=cancellable, result=result, owner=owner, violations=violations or [],
        errors=errors or [], cancel_form=EmptyForm(),
    ), status


def _owner_for(form: BookingForm) -> User | None:
    """Whom the booking is for: the signed-in user, or (HR, admins) the login given."""
    login = getattr(form, "for_login", None)
    if login is None or not login.data:
        return acting_user()
    owner = db.session.scalar(select(User).where(User.login == normalise_login(login.data)))
    if owner is None or not owner.active:
        login.errors = [*login.errors, _("No active account has this login ID.")]
        return None
    return owner


@bp.route("/bookings", methods=["GET", "POST"])
@login_required
def bookings():
    form = _booking_form()
    if request.method == "GET":
        return _render_bookings(form)
    if not form.validate_on_submit():
        return _render_bookings(form, status=400)
    owner = _owner_for(form)
    if owner is None:
        return _render_bookings(form, status=400)
    override = getattr(form, "override_reason", None)
    try:
        result = bk.create_bookings(
            owner, **form.request(), slot=form.slot.data, place=form.place.data,
            place_note=form.place_note.data, purpose=form.purpose.data, actor=acting_user(),
            override_reason=(override.data or None) if override is not None else None,
            language=select_locale(),
        )
    except RuleViolation as exc:
        db.session.rollback()
        return _render_bookings(form, violations=exc.violations, status=400)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _render_bookings(form, errors=attach_error(form, exc), status=400)
    db.session.commit()
    return _render_bookings(_booking_form(formdata=None), result=result, owner=owner)


# --- one booking ----------------------------------------------------------------------------


def _render_booking(booking: Booking, *, status: int = 200, errors=None, cancel_form=None,
                    decision_form=None):
    history = db.session.scalars(
        select(BookingEvent).where(BookingEvent.booking_id == booking.id)
        .options(joinedload(BookingEvent.actor)).order_by(BookingEvent.at, BookingEvent.id))
    return render_template(
        "telework/booking.html", booking=booking, history=list(history), errors=errors or [],
        can_cancel=perm.can_cancel_booking(current_user, booking),
        can_decide=booking.status == "pending" and perm.can_approve(current_user, booking),
        cancel_form=cancel_form or CancelForm(formdata=None),
        decision_form=decision_form or DecisionForm(formdata=None, back="booking"),
    ), status


@bp.get("/bookings/<int:booking_id>")
@login_required
def booking(booking_id: int):
    return _render_booking(_load(booking_id, details=True))


@bp.post("/bookings/<int:booking_id>/cancel")
@login_required
def cancel(booking_id: int):
    booking = _load(booking_id)
    if perm.cancel_role(current_user, booking) is None:
        abort(403)
    form = CancelForm()
    if not form.validate_on_submit():
        return _render_booking(booking, cancel_form=form, status=400)
    try:
        decisions.cancel(booking, acting_user(), form.reason.data)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        errors = attach_error(form, exc)
        return _render_booking(db.session.get(Booking, booking_id), cancel_form=form,
                               errors=errors, status=exc.status)
    db.session.commit()
    flash(_("The remote day of %(day)s has been cancelled.", day=booking.day.isoformat()),
          "success")
    if booking.user_id == current_user.id and request.form.get("back") == "bookings":
        return redirect(url_for(".bookings"), 303)
    return redirect(url_for(".booking", booking_id=booking.id), 303)


def _decide(booking_id: int, action: str):
    booking = _load(booking_id)
    if not perm.can_approve(current_user, booking):
        abort(403)
    form = DecisionForm()
    back = form.back.data if form.back.data in ("approvals", "booking") else "approvals"
    if form.validate_on_submit():
        try:
            if action == "approve":
                decisions.approve(booking, acting_user(), form.comment.data)
            else:
                decisions.reject(booking, acting_user(), form.comment.data)
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            db.session.rollback()
            status = exc.status
            errors = [] if exc.field == "comment" else [exc.message]
            if exc.field == "comment":
                form.comment.errors = [exc.message]
        else:
            db.session.commit()
            who, day = booking.user.display_name, booking.day.isoformat()
            flash(_("Approved: %(name)s, %(day)s.", name=who, day=day) if action == "approve"
                  else _("Rejected: %(name)s, %(day)s.", name=who, day=day), "success")
            if back == "booking":
                return redirect(url_for(".booking", booking_id=booking.id), 303)
            return redirect(url_for(".approvals"), 303)
    else:
        status, errors = 400, []
    booking = db.session.get(Booking, booking_id)
    if back == "booking":
        return _render_booking(booking, decision_form=form, errors=errors, status=status)
    row_errors = {booking.id: " ".join(form.comment.errors)} if form.comment.errors else {}
    return _render_approvals(errors=errors, row_errors=row_errors,
                             row_comments={booking.id: form.comment.data}, status=status)


@bp.post("/bookings/<int:booking_id>/approve")
@login_required
def approve(booking_id: int):
    return _decide(booking_id, "approve")


@bp.post("/bookings/<int:booking_id>/reject")
@login_required
def reject(booking_id: int):
    return _decide(booking_id, "reject")


# --- approvals ------------------------------------------------------------------------------


def _render_approvals(*, status: int = 200, form=None, errors=None, row_errors=None,
                      row_comments=None):
    stmt = (perm.bookings_to_approve(current_user)
            .join(User, User.id == Booking.user_id)
            .options(joinedload(Booking.user).joinedload(User.department))
            .order_by(Booking.day, User.kana, User.display_name, Booking.id))
    page = paginate(stmt, parse_page(request.args.get("page")), APPROVALS_PER_PAGE)
    return render_template(
        "telework/approvals.html", page=page, form=form or BulkApproveForm(formdata=None),
        errors=errors or [], row_errors=row_errors or {}, row_comments=row_comments or {},
        language=select_locale(),
    ), status


@bp.get("/approvals")
@login_required
def approvals():
    if not perm.may_approve_any(current_user):
        abort(403)
    return _render_approvals()


@bp.post("/approvals")
@login_required
def approve_selected():
    if not perm.may_approve_any(current_user):
        abort(403)
    form = BulkApproveForm()
    if not form.validate_on_submit():
        return _render_approvals(form=form, status=400)
    try:
        approved, refused = decisions.approve_many(request.form.getlist("ids"), acting_user(),
                                            form.comment.data)
    except DomainError as exc:
        return _render_approvals(form=form, errors=attach_error(form, exc), status=400)
    db.session.commit()
    if approved:
        flash(_("Approved %(n)d bookings.", n=len(approved)), "success")
    for booking_id, reason in refused:
        flash(_("Booking %(id)d was not approved: %(reason)s", id=booking_id, reason=reason),
              "warning")
    return redirect(url_for(".approvals"), 303)


# --- the team calendar and its feeds ----------------------------------------------------------


def _render_calendar(*, status: int = 200, new_feed_url=None, feed_form=None, errors=None):
    language = select_locale()
    today = office_today()
    month = cal.parse_month(request.args.get("month"), today)
    grid = cal.month_grid(acting_user(), month, request.args.get("department") or None,
                          today=today, language=language)
    feed_departments = cal.feed_departments(acting_user(), today)
    feed_form = feed_form or FeedForm(formdata=None)
    feed_form.department.choices = [(d.code, d.name(language)) for d in feed_departments]
    locale = get_locale()
    days = get_day_names("abbreviated", locale=locale)
    return render_template(
        "telework/calendar.html", grid=grid, language=language,
        weekday_names=[days[i] for i in range(7)],
        month_title=format_skeleton("yMMMM", grid.first, locale=locale),
        feeds=cal.active_feeds(acting_user()), feed_departments=feed_departments,
        feed_form=feed_form, new_feed_url=new_feed_url, errors=errors or [],
    ), status


@bp.get("/calendar")
@login_required
def calendar():
    return _render_calendar()


@bp.post("/calendar/feeds")
@login_required
def create_feed():
    form = FeedForm()
    if not form.validate_on_submit():
        return _render_calendar(feed_form=form, status=400)
    department = None
    if form.scope.data == "department":
        department = db.session.scalar(
            select(Department).where(Department.code == (form.department.data or "")))
        if department is None:
            form.department.errors = [_("Choose a department.")]
            return _render_calendar(feed_form=form, status=400)
    try:
        _row, secret = cal.create_feed(acting_user(), scope=form.scope.data, department=department,
                                       actor=acting_user(), ip=request.remote_addr)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        # The scope is a hidden field: its message goes above the forms.
        errors = attach_error(form, exc) if exc.field == "department" else [exc.message]
        db.session.rollback()
        return _render_calendar(feed_form=form, errors=errors, status=400)
    db.session.commit()
    # The URL is shown on this response only: just its hash is stored.
    url = url_for(".feed", token=secret, _external=True)
    return _render_calendar(new_feed_url=url)


@bp.post("/calendar/feeds/<int:feed_id>/revoke")
@login_required
def revoke_feed(feed_id: int):
    if not EmptyForm().validate_on_submit():
        return render_error(400)
    cal.revoke_feed(feed_id, owner=acting_user(), actor=acting_user(), ip=request.remote_addr)
    db.session.commit()
    flash(_("The calendar feed URL has been revoked: it no longer works."), "success")
    return redirect(url_for(".calendar"), 303)


@bp.get("/feeds/<token>.ics")
@limiter.limit(lambda: current_app.config["RATELIMIT_FEED"])
def feed(token: str):
    """No sign-in: calendar programs cannot log in; the secret URL is the credential."""
    row = cal.feed_for_token(token)
    if row is None:
        abort(404)
    body = cal.build_ics(row, booking_url=url_for(".bookings", _external=True) + "/{id}")
    db.session.rollback()  # a read: nothing to keep
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
