"""Builder pages for the parts of a survey (routes on the surveys_build blueprint):
sections (add, rename, move, delete), questions (a page to add or edit one; move, delete)
and options (add, correct, move, delete). Plain forms, no script needed: the small forms
post to the part's own URL with the button pressed as ``action`` (up, down, delete).

Thin views as in views_build.py; the rules are in surveys/questions.py, sections.py and
options.py.
"""

from __future__ import annotations

from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from surveys import forms_build as forms
from surveys import options as opt
from surveys import questions as qs
from surveys import sections as sec
from surveys.layout import OPTION_TYPES, TYPE_LABELS, ordered_questions
from surveys.models import CHOICE_TYPES, Survey, SurveyOption, SurveyQuestion, SurveySection
from surveys.permissions import MANAGER_ROLES
from surveys.validation import localized
from surveys.views_build import back_to_edit, bp, edit_page, load, save_with
from workhub.auth.permissions import roles_required
from workhub.errors import DomainError
from workhub.extensions import db
from workhub.view_helpers import attach_error


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


def _move_or_delete(action: str, move, delete):
    """The service call a small form asks for: ``delete()``, or ``move(-1)`` / ``move(1)``
    for up and down."""
    return delete if action == "delete" else partial(move, MOVES[action])


def _commit(change, refused):
    """Call ``change`` (one service call) and commit; None when it was saved, else the answer
    ``refused(exc)`` gives (the page with the reason; nothing is written)."""
    try:
        change()
    except DomainError as exc:
        return refused(exc)
    db.session.commit()
    return None


def _refused(survey_id: int, exc: DomainError):
    db.session.rollback()
    return edit_page(db.session.get(Survey, survey_id), errors=[exc.message],
                     status=exc.status)


def _change_part(survey: Survey, action: str, change, anchor: str, deleted: str):
    """Commit ``change`` to a section or question and go back to the edit page: at the
    structure after a delete (saying ``deleted``), else at ``anchor``. A refusal shows the
    edit page with the reason."""
    refusal = _commit(change, partial(_refused, survey.id))
    if refusal is not None:
        return refusal
    if action == "delete":
        flash(deleted, "success")
        return back_to_edit(survey, "structure")
    return back_to_edit(survey, anchor)


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
    if action == "rename":
        change = partial(sec.update_section, section, title_ja=form.title_ja.data,
                         title_en=form.title_en.data)
    else:
        change = _move_or_delete(action, partial(sec.move_section, section),
                                 partial(sec.delete_section, section))
    return _change_part(survey, action, change, f"section-{section_id}",
                        _("The section was deleted."))


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


# Where the question page shows a refusal the services name by their own field.
SHOW_IF_FIELDS = {"show_if_option_key": "show_if", "show_if_question": "show_if"}
OPTION_FIELDS = {"options": "options_ja", "label_ja": "options_ja", "option_key": "options_ja",
                 "label_en": "options_en"}


def _question_refused(survey: Survey, question: SurveyQuestion | None, form, exc: DomainError,
                      fields: dict[str, str]):
    """The question page again, the refusal next to its field (``fields`` maps the services'
    field names to the form's)."""
    exc.field = fields.get(exc.field or "", exc.field)
    errors = attach_error(form, exc)
    return _question_page(survey, question, form, errors=errors, status=exc.status)


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
        return _question_refused(survey, None, form, exc, {**OPTION_FIELDS, **SHOW_IF_FIELDS})
    db.session.commit()
    flash(_("The question was added."), "success")
    return back_to_edit(survey, f"question-{question.id}")


def _load_question(survey_id: int, question_id: int) -> tuple[Survey, SurveyQuestion]:
    """The survey to manage and its question (404 for either)."""
    survey = load(survey_id)
    return survey, _question(survey, question_id)


@bp.get("/<int:survey_id>/questions/<int:question_id>")
@roles_required(*MANAGER_ROLES)
def question(survey_id: int, question_id: int):
    survey, item = _load_question(survey_id, question_id)
    return _question_page(survey, item, _question_form(survey, item, from_request=False))


@bp.post("/<int:survey_id>/questions/<int:question_id>")
@roles_required(*MANAGER_ROLES)
def save_question(survey_id: int, question_id: int):
    """Save the question page (the default), or move a question up or down, or delete it
    (the small forms of the edit page)."""
    survey, item = _load_question(survey_id, question_id)
    action = _action("save")
    if action != "save":
        return _change_part(survey, action,
                            _move_or_delete(action, partial(qs.move_question, item),
                                            partial(qs.delete_question, item)),
                            f"question-{question_id}", _("The question was deleted."))
    form = _question_form(survey, item, from_request=True)
    if not form.validate_on_submit():
        return _question_page(survey, item, form, status=400)
    try:
        qs.update_question(item, **_changes(form))
    except DomainError as exc:
        return _question_refused(survey, item, form, exc, SHOW_IF_FIELDS)
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


def _change_option(survey: Survey, item: SurveyQuestion, change):
    """Commit ``change`` to an option of ``item`` and go back to the question's options; a
    refusal shows the question page with the reason."""
    refusal = _commit(change, partial(_option_refused, survey.id, item.id))
    if refusal is not None:
        return refusal
    return redirect(url_for("surveys_build.question", survey_id=survey.id,
                            question_id=item.id, _anchor="options"), 303)


@bp.post("/<int:survey_id>/questions/<int:question_id>/options")
@roles_required(*MANAGER_ROLES)
def add_option(survey_id: int, question_id: int):
    survey, item = _load_question(survey_id, question_id)
    form = forms.OptionForm()
    if not form.validate_on_submit():
        abort(400)
    return _change_option(survey, item, partial(
        opt.add_option, item, label_ja=form.label_ja.data, label_en=form.label_en.data,
        key=form.key.data or None))


@bp.post("/<int:survey_id>/questions/<int:question_id>/options/<int:option_id>")
@roles_required(*MANAGER_ROLES)
def option_action(survey_id: int, question_id: int, option_id: int):
    """Save an option's labels and key (the default), move it up or down, or delete it."""
    survey, item = _load_question(survey_id, question_id)
    option = _option(item, option_id)
    action = _action("save")
    form = forms.OptionForm()
    if action == "save" and not form.validate_on_submit():
        abort(400)
    if action == "save":
        change = partial(opt.update_option, option, item, label_ja=form.label_ja.data,
                         label_en=form.label_en.data, key=form.key.data or None)
    else:
        change = _move_or_delete(action, partial(opt.move_option, option, item),
                                 partial(opt.delete_option, option, item))
    return _change_option(survey, item, change)
