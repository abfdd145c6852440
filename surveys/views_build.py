"""Pages of the survey builder (surveys_build), for HR and administrators: the list, a new
survey (blank or from a template), the edit page (settings, audience, structure), the
preview, and publish, close, copy, delete. Sections, questions and options:
views_build_questions.py (same blueprint).

Thin views: load the survey (404), check the form's CSRF token, call one service, commit,
redirect; a refused change re-renders the page with the message and a 4xx, nothing
written. The rules are in surveys/building.py and its neighbours.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from surveys import building
from surveys import forms_build as forms
from surveys.audience import audience_size, describe_audience
from surveys.forms_answer import LIKERT_LABELS
from surveys.forms_answer import groups as answer_groups
from surveys.layout import TYPE_LABELS, layout
from surveys.models import Survey, SurveyParticipation
from surveys.permissions import MANAGER_ROLES, get_survey
from surveys.rules import has_responses
from surveys.template import create_from_template, template_titles
from surveys.validation import localized
from workhub.admin.forms import role_choices
from workhub.auth.permissions import roles_required
from workhub.errors import DomainError
from workhub.extensions import db
from workhub.org.tree import path_choices
from workhub.view_helpers import acting_user, attach_error
from workhub.web import select_locale

bp = Blueprint("surveys_build", __name__, url_prefix="/surveys")


@bp.context_processor
def _helpers():
    return {"loc": localized, "type_labels": TYPE_LABELS,
            "status_labels": building.STATUS_LABELS}


def load(survey_id: int) -> Survey:
    """The survey (404 when there is none); the roles were checked by the decorator."""
    try:
        return get_survey(survey_id, acting_user(), for_manage=True)
    except DomainError as exc:
        abort(exc.status)


def _meta_form(survey: Survey, *, from_request: bool) -> forms.SurveyForm:
    form = forms.SurveyForm() if from_request else forms.SurveyForm(formdata=None, obj=survey)
    if survey.status != "draft":
        # Fixed at publishing: shown, not editable (the page posts the value as it is).
        form.anonymous.render_kw = {"disabled": True}
    if from_request:
        return form
    form.opens_at.data = forms.local_input(survey.opens_at)
    form.closes_at.data = forms.local_input(survey.closes_at)
    form.min_group_size.data = str(survey.min_group_size)
    form.reminder_days.data = str(survey.reminder_days or "")
    return form


def _audience_form(survey: Survey, *, from_request: bool) -> forms.AudienceForm:
    if from_request:
        form = forms.AudienceForm()
    else:
        audience = describe_audience(survey)
        form = forms.AudienceForm(formdata=None, mode="all" if audience["everyone"] else "some",
                                  departments=audience["departments"],
                                  include_subtree=audience["include_subtree"],
                                  roles=audience["roles"])
    form.departments.choices = path_choices(select_locale())
    form.roles.choices = role_choices()
    return form


def edit_page(survey: Survey, *, errors=(), status: int = 200, meta=None, audience=None,
              section=None):
    """The edit page, with the forms given (kept with their errors) or fresh ones."""
    return render_template(
        "surveys/edit.html", survey=survey, groups=layout(survey), errors=list(errors),
        meta=meta or _meta_form(survey, from_request=False),
        audience=audience or _audience_form(survey, from_request=False),
        section_form=section or forms.SectionForm(formdata=None),
        action=forms.ActionForm(formdata=None),
        problems=building.publish_problems(survey) if survey.status == "draft" else [],
        answered=has_responses(survey), asked=audience_size(survey),
    ), status


def back_to_edit(survey: Survey, anchor: str | None = None):
    return redirect(url_for("surveys_build.edit", survey_id=survey.id, _anchor=anchor), 303)


def save_with(survey_id: int, form, slot: str, action, done: str | None, anchor):
    """Run ``action()``; commit and go back to the edit page (at ``anchor``, or the anchor
    ``anchor(result)`` gives), or show the page again with ``form`` in ``slot`` and the
    refusal next to its field."""
    try:
        result = action()
    except DomainError as exc:
        errors = attach_error(form, exc)
        return edit_page(db.session.get(Survey, survey_id), errors=errors, status=exc.status,
                         **{slot: form})
    db.session.commit()
    if done:
        flash(done, "success")
    return back_to_edit(db.session.get(Survey, survey_id),
                        anchor(result) if callable(anchor) else anchor)


@bp.get("/build")
@roles_required(*MANAGER_ROLES)
def survey_list():
    counts = dict(db.session.execute(
        select(SurveyParticipation.survey_id, func.count())
        .where(SurveyParticipation.status == "submitted", SurveyParticipation.released)
        .group_by(SurveyParticipation.survey_id)).all())
    return render_template("surveys/list.html", surveys=building.surveys_for_management(),
                           counts=counts)


def _new_form(*, from_request: bool) -> forms.NewSurveyForm:
    form = forms.NewSurveyForm() if from_request else forms.NewSurveyForm(formdata=None)
    language = select_locale()
    form.source.choices = [("blank", _("A blank survey"))] + [
        (key, en if language == "en" else ja) for key, ja, en in template_titles()]
    return form


@bp.get("/build/new")
@roles_required(*MANAGER_ROLES)
def new():
    return render_template("surveys/build_new.html", form=_new_form(from_request=False),
                           errors=[])


@bp.post("/build/new")
@roles_required(*MANAGER_ROLES)
def create():
    form = _new_form(from_request=True)
    if not form.validate_on_submit():
        return render_template("surveys/build_new.html", form=form, errors=[]), 400
    try:
        if form.source.data == "blank":
            survey = building.create_survey(acting_user(), title_ja=form.title_ja.data)
        else:
            survey = create_from_template(acting_user(), form.source.data)
    except DomainError as exc:
        if exc.field == "template":
            exc.field = "source"
        errors = attach_error(form, exc)
        return render_template("surveys/build_new.html", form=form, errors=errors), 400
    db.session.commit()
    flash(_("The survey was created as a draft."), "success")
    return back_to_edit(survey)


@bp.get("/<int:survey_id>/edit")
@roles_required(*MANAGER_ROLES)
def edit(survey_id: int):
    return edit_page(load(survey_id))


@bp.post("/<int:survey_id>/edit")
@roles_required(*MANAGER_ROLES)
def save_settings(survey_id: int):
    survey = load(survey_id)
    form = _meta_form(survey, from_request=True)
    if not form.validate_on_submit():
        return edit_page(survey, meta=form, status=400)
    def save():
        changes = {name: getattr(form, name).data for name in (
            "title_ja", "title_en", "description_ja", "description_en", "anonymous",
            "editable_until_close")}
        changes.update(
            opens_at=forms.moment(form.opens_at.data, "opens_at", closing=False),
            closes_at=forms.moment(form.closes_at.data, "closes_at", closing=True),
            min_group_size=forms.whole(form.min_group_size.data, "min_group_size"),
            reminder_days=forms.whole(form.reminder_days.data, "reminder_days"))
        if changes["min_group_size"] is None:
            raise DomainError(_("Enter the minimum group size."), field="min_group_size")
        building.update_survey(survey, acting_user(), ip=request.remote_addr, **changes)

    return save_with(survey_id, form, "meta", save, _("The settings were saved."), "settings")


@bp.post("/<int:survey_id>/audience")
@roles_required(*MANAGER_ROLES)
def save_audience(survey_id: int):
    survey = load(survey_id)
    form = _audience_form(survey, from_request=True)
    chosen = form.mode.raw_data and form.mode.data in ("all", "some")
    if not form.validate_on_submit() or not chosen:
        if not chosen:
            form.mode.errors = [_("Choose everyone, or departments and roles.")]
        return edit_page(survey, audience=form, status=400)
    return save_with(survey_id, form, "audience", lambda: building.change_audience(
        survey, acting_user(), ip=request.remote_addr, everyone=form.mode.data == "all",
        department_codes=form.departments.data, include_subtree=form.include_subtree.data,
        roles=form.roles.data),
        _("The audience was saved."), "audience")


@bp.get("/<int:survey_id>/preview")
@roles_required(*MANAGER_ROLES)
def preview(survey_id: int):
    survey = load(survey_id)
    from surveys import forms_answer

    return render_template("surveys/preview.html", survey=survey,
                           groups=answer_groups(survey), values={}, errors={},
                           language=select_locale(), answer_forms=forms_answer,
                           likert_labels=LIKERT_LABELS)


def _step(survey_id: int, action, done: str, anchor: str | None = None):
    """Run ``action(survey, actor, ip=…)`` after the CSRF check; the page with the refusal
    (and its status) when a rule says no."""
    survey = load(survey_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    try:
        result = action(survey, acting_user(), ip=request.remote_addr)
    except DomainError as exc:
        db.session.rollback()
        return edit_page(db.session.get(Survey, survey_id), errors=[exc.message],
                         status=exc.status)
    db.session.commit()
    flash(done, "success")
    return back_to_edit(result if isinstance(result, Survey) else survey, anchor)


@bp.post("/<int:survey_id>/publish")
@roles_required(*MANAGER_ROLES)
def publish(survey_id: int):
    return _step(survey_id, building.publish, _("The survey was published."))


@bp.post("/<int:survey_id>/close")
@roles_required(*MANAGER_ROLES)
def close(survey_id: int):
    return _step(survey_id, building.close, _("The survey was closed."))


@bp.post("/<int:survey_id>/copy")
@roles_required(*MANAGER_ROLES)
def copy(survey_id: int):
    return _step(survey_id, building.copy_survey,
                 _("This is the copy, a new draft. Check its times and publish it when ready."))


@bp.post("/<int:survey_id>/delete")
@roles_required(*MANAGER_ROLES)
def delete(survey_id: int):
    survey = load(survey_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    try:
        building.delete_survey(survey, acting_user(), ip=request.remote_addr)
    except DomainError as exc:
        db.session.rollback()
        return edit_page(db.session.get(Survey, survey_id), errors=[exc.message],
                         status=exc.status)
    db.session.commit()
    flash(_("The draft was deleted."), "success")
    return redirect(url_for("surveys_build.survey_list"), 303)
