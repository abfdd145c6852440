"""Pages of online meetings: the licence inventory (IT and administrators) and a meeting's
licences, with the free ones for its time to book in one click."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select
from werkzeug.routing import BuildError

from workhub import charts
from workhub.auth.permissions import roles_required
from workhub.businessdays import month_bounds, month_of
from workhub.errors import DomainError
from workhub.exports_common import csv_bytes, download, xlsx_bytes
from workhub.extensions import db
from workhub.meetings import services as meetings
from workhub.meetings.permissions import can_manage_meeting
from workhub.online_meetings import bookings, invitations, licences, ratings, stats
from workhub.online_meetings.forms import (
    KIND_LABELS,
    MODE_LABELS,
    TOOL_LABELS,
    ActionForm,
    BookForm,
    LicenceForm,
    RatingForm,
)
from workhub.online_meetings.models import Licence
from workhub.org.tree import path_choices
from workhub.validation import fits_id
from workhub.view_helpers import acting_user, attach_error, client_ip, get_or_404
from workhub.web import select_locale

bp = Blueprint("online_meetings", __name__, url_prefix="/online-meetings")
IT = licences.MANAGE_ROLES
LABELS = {"kinds": KIND_LABELS, "tools": TOOL_LABELS, "modes": MODE_LABELS}


@bp.get("/licences")
@roles_required(*IT)
def licence_list():
    rows = db.session.scalars(select(Licence).order_by(Licence.active.desc(), Licence.tool,
                                                       Licence.name)).all()
    return render_template("online_meetings/licences.html", licences=rows,
                           action_form=ActionForm(formdata=None), **LABELS)


def _choices(form: LicenceForm) -> LicenceForm:
    departments = [("", _("None"))] + path_choices(select_locale())
    form.paying_department.choices = departments
    form.assigned_department.choices = departments
    return form


def _data(form: LicenceForm) -> licences.LicenceData:
    return licences.LicenceData(
        name=form.name.data, tool=form.tool.data, kind=form.kind.data,
        capacity=form.capacity.data, account=form.account.data,
        contract_ref=form.contract_ref.data, contract_start=form.contract_start.data,
        contract_end=form.contract_end.data, monthly_cost_yen=form.monthly_cost_yen.data,
        paying_department=form.paying_department.data or None, mode=form.mode.data,
        assigned_user=form.assigned_user.data or None,
        assigned_department=form.assigned_department.data or None,
        active=bool(form.active.data), notes=form.notes.data)


def _form_page(form: LicenceForm, licence: Licence | None, errors=(), status: int = 200):
    return render_template("online_meetings/licence_form.html", form=_choices(form),
                           licence=licence, errors=list(errors)), status


def _save(form: LicenceForm, licence: Licence | None, save):
    if not form.validate():
        return _form_page(form, licence, (), 400)
    try:
        saved = save(_data(form))
    except DomainError as exc:
        db.session.rollback()
        return _form_page(form, licence and db.session.get(Licence, licence.id),
                          attach_error(form, exc), exc.status)
    db.session.commit()
    flash(_("The licence %(name)s has been saved.", name=saved.name), "success")
    return redirect(url_for("online_meetings.licence_list"), 303)


@bp.route("/licences/new", methods=["GET", "POST"])
@roles_required(*IT)
def licence_new():
    form = _choices(LicenceForm())
    if not form.is_submitted():
        return _form_page(form, None)
    return _save(form, None, lambda data: licences.create_licence(acting_user(), data,
                                                                  ip=client_ip()))


@bp.route("/licences/<int:licence_id>/edit", methods=["GET", "POST"])
@roles_required(*IT)
def licence_edit(licence_id: int):
    licence = get_or_404(Licence, licence_id)
    if request.method == "GET":
        form = LicenceForm(obj=licence, formdata=None)
        form.paying_department.data = licence.paying_department and licence.paying_department.code
        form.assigned_department.data = (licence.assigned_department
                                         and licence.assigned_department.code)
        form.assigned_user.data = licence.assigned_user and licence.assigned_user.login
        return _form_page(form, licence)
    form = _choices(LicenceForm())
    return _save(form, licence, lambda data: licences.update_licence(
        acting_user(), licence.id, data, ip=client_ip()))


@bp.post("/licences/<int:licence_id>/delete")
@roles_required(*IT)
def licence_delete(licence_id: int):
    licence = get_or_404(Licence, licence_id)
    name = licence.name
    if not ActionForm().validate():
        abort(400)
    try:
        licences.delete_licence(acting_user(), licence.id, ip=client_ip())
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("online_meetings.licence_list"), 303)
    db.session.commit()
    flash(_("The licence %(name)s has been deleted.", name=name), "success")
    return redirect(url_for("online_meetings.licence_list"), 303)


def _rating_data(given) -> dict:
    if given is None:
        return {}
    return {"sound": str(given.sound), "picture": str(given.picture), "trouble": given.trouble,
            "comment": given.comment}


def _meeting_page(meeting_id: int, errors=(), status: int = 200, rating_form=None):
    user = acting_user()
    meeting = meetings.get_meeting(meeting_id, user)
    return render_template(
        "online_meetings/meeting_licences.html", meeting=meeting,
        held=bookings.held_by(meeting), free=bookings.suggestions(meeting, user),
        bookable=bookings.bookable(meeting), may_manage=can_manage_meeting(user, meeting),
        invitation=(sent := invitations.state(meeting)),
        invitation_outdated=invitations.outdated(meeting, sent),
        rateable=ratings.rateable(meeting), rating=(given := ratings.rating_of(meeting)),
        rating_form=rating_form or RatingForm(formdata=None, data=_rating_data(given)),
        book_form=BookForm(formdata=None), action_form=ActionForm(formdata=None),
        errors=list(errors), **LABELS), status


@bp.get("/meetings/<int:meeting_id>/licences")
@login_required
def meeting_licences(meeting_id: int):
    return _meeting_page(meeting_id)


@bp.post("/meetings/<int:meeting_id>/licences")
@login_required
def meeting_book(meeting_id: int):
    meeting = meetings.get_meeting(meeting_id, acting_user(), manage=True)
    form = BookForm()
    raw = form.licence_id.data or ""
    if not form.validate() or not raw.isascii() or not raw.isdigit() \
            or not fits_id(int(raw)):
        return _meeting_page(meeting.id, [_("Choose a licence from the list.")], 400)
    try:
        booking = bookings.book_licence(acting_user(), meeting, int(raw))
    except DomainError as exc:
        db.session.rollback()
        return _meeting_page(meeting_id, [exc.message], exc.status)
    db.session.commit()
    flash(_("%(name)s is booked for this meeting.", name=booking.licence.name), "success")
    return redirect(url_for("online_meetings.meeting_licences", meeting_id=meeting_id), 303)


@bp.post("/meetings/<int:meeting_id>/licences/<int:licence_id>/release")
@login_required
def meeting_release(meeting_id: int, licence_id: int):
    meeting = meetings.get_meeting(meeting_id, acting_user(), manage=True)
    if not ActionForm().validate():
        return _meeting_page(meeting.id, [_("The form has expired. Reload the page and try "
                                            "again.")], 400)
    bookings.release_licence(acting_user(), meeting, licence_id if fits_id(licence_id) else 0)
    db.session.commit()
    flash(_("The licence has been released."), "success")
    return redirect(url_for("online_meetings.meeting_licences", meeting_id=meeting_id), 303)


def meeting_url(meeting_id: int) -> str | None:
    """The meeting's own page, for the invitation (it lives in another package's pages)."""
    try:
        return url_for("meetings.meeting_page", meeting_id=meeting_id, _external=True)
    except BuildError:
        return None


@bp.post("/meetings/<int:meeting_id>/invitations")
@login_required
def meeting_invite(meeting_id: int):
    meeting = meetings.get_meeting(meeting_id, acting_user(), manage=True)
    if not ActionForm().validate():
        return _meeting_page(meeting.id, [_("The form has expired. Reload the page and try "
                                            "again.")], 400)
    try:
        sent = invitations.send(acting_user(), meeting, meeting_url=meeting_url(meeting.id))
    except DomainError as exc:
        db.session.rollback()
        return _meeting_page(meeting_id, [exc.message], exc.status)
    db.session.commit()
    flash(_("The invitation has been sent to %(n)d people.", n=sent.recipients), "success")
    return redirect(url_for("online_meetings.meeting_licences", meeting_id=meeting_id), 303)


@bp.post("/meetings/<int:meeting_id>/invitations/cancel")
@login_required
def meeting_uninvite(meeting_id: int):
    meeting = meetings.get_meeting(meeting_id, acting_user(), manage=True)
    if not ActionForm().validate():
        return _meeting_page(meeting.id, [_("The form has expired. Reload the page and try "
                                            "again.")], 400)
    try:
        invitations.cancel(acting_user(), meeting)
    except DomainError as exc:
        db.session.rollback()
        return _meeting_page(meeting_id, [exc.message], exc.status)
    db.session.commit()
    flash(_("The cancellation has been sent."), "success")
    return redirect(url_for("online_meetings.meeting_licences", meeting_id=meeting_id), 303)


@bp.post("/meetings/<int:meeting_id>/rating")
@login_required
def meeting_rate(meeting_id: int):
    meeting = meetings.get_meeting(meeting_id, acting_user(), manage=True)
    form = RatingForm()
    if not form.validate():
        return _meeting_page(meeting.id, [], 400, rating_form=form)
    try:
        ratings.rate(acting_user(), meeting, sound=_whole(form.sound.data),
                     picture=_whole(form.picture.data), trouble=bool(form.trouble.data),
                     comment=form.comment.data)
    except DomainError as exc:
        db.session.rollback()
        errors = attach_error(form, exc)
        return _meeting_page(meeting_id, errors, exc.status, rating_form=form)
    db.session.commit()
    flash(_("Thank you: the rating has been saved."), "success")
    return redirect(url_for("online_meetings.meeting_licences", meeting_id=meeting_id), 303)


def _whole(raw):
    """A radio button's value as a number (anything else stays as it is and is refused)."""
    return int(raw) if isinstance(raw, str) and raw.isascii() and raw.isdigit() \
        and len(raw) < 3 else raw


@bp.get("/comparison")
@roles_required(*ratings.VIEW_ROLES)
def comparison():
    return render_template("online_meetings/comparison.html",
                           by_tool=ratings.comparison(),
                           by_department=ratings.comparison(by_department=True), **LABELS)


# --- the monthly figure ----------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _figures_month() -> str:
    """The ``month`` asked for (this month by default); 400 for anything else."""
    month = request.args.get("month") or stats.current_month()
    try:
        first, _last = month_bounds(month)
    except ValueError:
        abort(400, _("Give the month as YYYY-MM, for example 2026-11."))
    return month_of(first)


def _export_labels() -> dict:
    return {"meetings": _("Online meetings"), "hours": _("Hours"),
            "participants": _("Participants"), "months": _("Online meetings per month"),
            "month": _("Month"), "departments": _("By department"),
            "department": _("Department"), "tools": _("By tool"), "tool": _("Online tool")}


@bp.get("/figures")
@roles_required(*stats.VIEW_ROLES)
def figures():
    month = _figures_month()
    year = stats.figures(stats.months_back(month, 12))
    chosen = year[month]
    return render_template(
        "online_meetings/figures.html", month=month, year=year, chosen=chosen,
        month_rows=[(m, f.total) for m, f in year.items()],
        dept_rows=[(f.key, f) for f in chosen.by_department],
        tool_rows=[(f.key, f) for f in chosen.by_tool], **LABELS)


@bp.get("/figures/chart.svg")
@roles_required(*stats.VIEW_ROLES)
def figures_chart():
    month = _figures_month()
    year = stats.figures(stats.months_back(month, 12))
    return charts.svg_response(charts.bar_chart(
        _("Online meetings per month"), list(year),
        [(_("Online meetings"), [f.total.meetings for f in year.values()])]))


@bp.get("/figures/export.csv")
@roles_required(*stats.VIEW_ROLES)
def figures_csv():
    month = _figures_month()
    year = stats.figures(stats.months_back(month, 12))
    [months, *_rest] = stats.tables(month, year, TOOL_LABELS, _export_labels())
    return download(csv_bytes(months.headers, months.rows), "text/csv",
                    f"online-meetings-{month}.csv")


@bp.get("/figures/export.xlsx")
@roles_required(*stats.VIEW_ROLES)
def figures_xlsx():
    month = _figures_month()
    year = stats.figures(stats.months_back(month, 12))
    sheets = [(t.title, t.headers, t.rows)
              for t in stats.tables(month, year, TOOL_LABELS, _export_labels())]
    return download(xlsx_bytes(sheets), XLSX, f"online-meetings-{month}.xlsx")
