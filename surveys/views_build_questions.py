"""Builder pages for the parts of a survey (routes on the surveys_build blueprint):
sections (add, rename, move, delete), questions (a page to add or edit one; move, delete)
and options (add, correct, move, delete). Plain forms, no script needed: the small forms
post to the part's own URL with the button pressed as ``action`` (up, down, delete).

Thin views as in views_build.py; the rules are in surveys/questions.py, sections.py and
options.py.
"""

from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_babel import gettext as _

from surveys import forms_build as forms
from surveys import options as opt
from surveys import questions as qs
from surveys import sections as sec
from surveys.layout import OPTION_TYPES, TYPE_LABELS, ordered_questions
from surveys.models import CHOICE_TYPES, Survey, SurveyOption, SurveyQuestion, SurveySection
from surveys.permissions import MANAGER_ROLES
from surveys.validation import localized
from surveys.views_build import back_to_edit, bp, edit_page, load, place_error, save_with
from workhub.auth.permissions import roles_required
from workhub.errors import DomainError
from workhub.extensions import db


def _part(items, part_id: int):
    for item in items:
        if item.id == part_id:
            return item
    abort(404)


def _section(survey: Survey, section_id: int) -> SurveySection:
    return _part(survey.sections, section_id)


def _question(survey: Survey, question_id: int) -> SurveyQuestion:
    return _part(survey.questions, question_id)


def _option(question: SurveyQuestion, option_id: int) -> SurveyOption:
    return _part(question.options, option_id)


MOVES = {"up": -1, "down": 1}


def _action(default: str) -> str:
    """The button pressed (``action``: ``default``, up, down or delete), after the CSRF check
    of the small forms (the save forms check theirs); 400 for anything else."""
    action = request.form.get("action", default)
    if action not in (default, "up", "down", "delete"):
        abort(400)
    if action != default and not forms.ActionForm().validate_on_submit():
        abort(400)
    return action


def _refused(survey_id: int, exc: DomainError):
    db.session.rollback()
    return edit_page(db.session.get(Survey, survey_id), errors=[exc.message],
                     status=exc.status)


# --- sections ------------------------------------------------------------------------------

@bp.post("/<int:survey_id>/sections")
@roles_required(*MANAGER_ROLES)
def add_section(survey_id: int):
    survey = load(survey_id)
    form = forms.SectionForm()
    if not form.validate_on_submit():
        return edit_page(survey, section=form, status=400)
    return save_with(survey_id, form, "section", lambda: sec.add_section(
        survey, title_ja=form.title_ja.data, title_en=form.title_en.data), None,
        lambda section: f"section-{section.id}")


@bp.post("/<int:survey_id>/sections/<int:section_id>")
@roles_required(*MANAGER_ROLES)
def section_action(survey_id: int, section_id: int):
    """Rename (the default), move up or down, or delete a section."""
    survey = load(survey_id)
    section = _section(survey, section_id)
    action = _action("rename")
    form = forms.SectionForm()
    if action == "rename" and not form.validate_on_submit():
        abort(400)
    try:
        if action == "rename":
            sec.update_section(section, title_ja=form.title_ja.data,
                               title_en=form.title_en.data)
        elif action == "delete":
            sec.delete_section(section)
        else:
            sec.move_section(section, MOVES[action])
    except DomainError as exc:
        return _refused(survey_id, exc)
    db.session.commit()
    if action == "delete":
        flash(_("The section was deleted."), "success")
        return back_to_edit(survey, "structure")
    return back_to_edit(survey, f"section-{section_id}")


# --- questions -----------------------------------------------------------------------------

def _question_form(survey: Survey, question: SurveyQuestion | None, *,
                   from_request: bool) -> forms.QuestionForm:
    if from_request:
        form = forms.QuestionForm()
    elif question is None:
        form = forms.QuestionForm(formdata=None, type=request.args.get("type", "single"))
    else:
        form = forms.QuestionForm(formdata=None, obj=question)
        form.section_id.data = str(question.section_id or "")
        form.min_value.data = "" if question.min_value is None else f"{question.min_value:g}"
        form.max_value.data = "" if question.max_value is None else f"{question.max_value:g}"
        form.max_length.data = str(question.max_length or "")
        target = next((q for q in survey.questions if q.id == question.show_if_question_id),
                      None)
        form.show_if.data = f"{target.key}:{question.show_if_option_key}" if target else ""
    form.section_id.choices = [("", _("(No section)"))] + [
        (str(s.id), localized(s, "title")) for s in sorted(survey.sections,
                                                           key=lambda s: s.position)]
    form.show_if.choices = [("", _("(Always show)"))] + [
        (f"{q.key}:{o.key}", f"{localized(q, 'text')[:60]} = {localized(o, 'label')[:40]}")
        for q in ordered_questions(survey) if q.type in CHOICE_TYPES and q is not question
        for o in q.options]
    return form


def _question_page(survey: Survey, question: SurveyQuestion | None, form, *, errors=(),
                   status: int = 200):
    return render_template(
        "surveys/edit_question.html", survey=survey, question=question, form=form,
        errors=list(errors), option_types=OPTION_TYPES, action=forms.ActionForm(formdata=None),
        option_form=forms.OptionForm(formdata=None),
        locked=survey.status != "draft"), status


def _changes(form: forms.QuestionForm) -> dict:
    """The form's values as the services take them."""
    changes = {name: getattr(form, name).data for name in (
        "text_ja", "text_en", "help_ja", "help_en", "required")}
    changes.update(
        section_id=forms.whole(form.section_id.data, "section_id"),
        min_value=forms.decimal(form.min_value.data, "min_value"),
        max_value=forms.decimal(form.max_value.data, "max_value"),
        max_length=forms.whole(form.max_length.data, "max_length"))
    for name in ("type", "key"):
        if name in request.form:
            changes[name] = getattr(form, name).data or None
    if "show_if" in request.form:
        target, _sep, option = (form.show_if.data or "").partition(":")
        changes["show_if_question"] = target or None
        changes["show_if_option_key"] = option or None
    return changes


@bp.get("/<int:survey_id>/questions/new")
@roles_required(*MANAGER_ROLES)
def new_question(survey_id: int):
    survey = load(survey_id)
    if request.args.get("type", "single") not in TYPE_LABELS:
        abort(404)
    return _question_page(survey, None, _question_form(survey, None, from_request=False))


@bp.post("/<int:survey_id>/questions/new")
@roles_required(*MANAGER_ROLES)
def add_question(survey_id: int):
    survey = load(survey_id)
    form = _question_form(survey, None, from_request=True)
    if not form.validate_on_submit():
        return _question_page(survey, None, form, status=400)
    try:
        changes = _changes(form)
        labels_ja = forms.lines(form.options_ja.data)
        labels_en = forms.lines(form.options_en.data)
        if labels_en and len(labels_en) != len(labels_ja):
            raise DomainError(_("Give as many English options as Japanese ones, or none."),
                              field="options_en")
        if labels_ja and changes.get("type") not in OPTION_TYPES:
            raise DomainError(_("This type of question has no options."), field="options_ja")
        options = [{"label_ja": ja, "label_en": labels_en[i] if labels_en else None}
                   for i, ja in enumerate(labels_ja)]
        question = qs.add_question(survey, options=options, **changes)
    except DomainError as exc:
        if exc.field in ("options", "label_ja", "option_key"):
            exc.field = "options_ja"
        elif exc.field == "label_en":
            exc.field = "options_en"
        elif exc.field == "show_if_option_key" or exc.field == "show_if_question":
            exc.field = "show_if"
        errors = place_error(form, exc)
        return _question_page(survey, None, form, errors=errors, status=exc.status)
    db.session.commit()
    flash(_("The question was added."), "success")
    return back_to_edit(survey, f"question-{question.id}")


@bp.get("/<int:survey_id>/questions/<int:question_id>")
@roles_required(*MANAGER_ROLES)
def question(survey_id: int, question_id: int):
    survey = load(survey_id)
    item = _question(survey, question_id)
    return _question_page(survey, item, _question_form(survey, item, from_request=False))


@bp.post("/<int:survey_id>/questions/<int:question_id>")
@roles_required(*MANAGER_ROLES)
def save_question(survey_id: int, question_id: int):
    """Save the question page (the default), or move a question up or down, or delete it
    (the small forms of the edit page)."""
    survey = load(survey_id)
    item = _question(survey, question_id)
    action = _action("save")
    if action != "save":
        try:
            if action == "delete":
                qs.delete_question(item)
            else:
                qs.move_question(item, MOVES[action])
        except DomainError as exc:
            return _refused(survey_id, exc)
        db.session.commit()
        if action == "delete":
            flash(_("The question was deleted."), "success")
            return back_to_edit(survey, "structure")
        return back_to_edit(survey, f"question-{question_id}")
    form = _question_form(survey, item, from_request=True)
    if not form.validate_on_submit():
        return _question_page(survey, item, form, status=400)
    try:
        qs.update_question(item, **_changes(form))
    except DomainError as exc:
        if exc.field in ("show_if_option_key", "show_if_question"):
            exc.field = "show_if"
        errors = place_error(form, exc)
        return _question_page(survey, item, form, errors=errors, status=exc.status)
    db.session.commit()
    flash(_("The question was saved."), "success")
    return back_to_edit(survey, f"question-{item.id}")


# --- options -------------------------------------------------------------------------------

def _option_refused(survey_id: int, question_id: int, exc: DomainError):
    db.session.rollback()
    survey = db.session.get(Survey, survey_id)
    item = _question(survey, question_id)
    return _question_page(survey, item, _question_form(survey, item, from_request=False),
                          errors=[exc.message], status=exc.status)


def _back_to_question(survey: Survey, item: SurveyQuestion):
    from flask import redirect, url_for

    return redirect(url_for("surveys_build.question", survey_id=survey.id,
                            question_id=item.id, _anchor="options"), 303)


@bp.post("/<int:survey_id>/questions/<int:question_id>/options")
@roles_required(*MANAGER_ROLES)
def add_option(survey_id: int, question_id: int):
    survey = load(survey_id)
    item = _question(survey, question_id)
    form = forms.OptionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        opt.add_option(item, label_ja=form.label_ja.data, label_en=form.label_en.data,
                       key=form.key.data or None)
    except DomainError as exc:
        return _option_refused(survey_id, question_id, exc)
    db.session.commit()
    return _back_to_question(survey, item)


@bp.post("/<int:survey_id>/questions/<int:question_id>/options/<int:option_id>")
@roles_required(*MANAGER_ROLES)
def option_action(survey_id: int, question_id: int, option_id: int):
    """Save an option's labels and key (the default), move it up or down, or delete it."""
    survey = load(survey_id)
    item = _question(survey, question_id)
    option = _option(item, option_id)
    action = _action("save")
    form = forms.OptionForm()
    if action == "save" and not form.validate_on_submit():
        abort(400)
    try:
        if action == "save":
            opt.update_option(option, item, label_ja=form.label_ja.data,
                              label_en=form.label_en.data, key=form.key.data or None)
        elif action == "delete":
            opt.delete_option(option, item)
        else:
            opt.move_option(option, item, MOVES[action])
    except DomainError as exc:
        return _option_refused(survey_id, question_id, exc)
    db.session.commit()
    return _back_to_question(survey, item)
