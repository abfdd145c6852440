"""Pages of the surveys package (surveys): "My surveys", the answer page (save a draft,
submit, change identified answers), the thank-you page and one's own identified answers.

Thin views: load the survey (404 / 403 through ``permissions.get_survey``), call one
service, commit, redirect; the rules are in ``surveys.answering``.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from surveys import answering as svc
from surveys import forms_answer as forms
from surveys.mine import my_surveys as list_my_surveys
from surveys.models import Survey
from surveys.permissions import get_survey
from surveys.validation import AnswerErrors, Problem, localized
from workhub.errors import DomainError
from workhub.extensions import db
from workhub.org.models import User
from workhub.web import select_locale

bp = Blueprint("surveys", __name__, url_prefix="/surveys")


@bp.context_processor
def _helpers():
    return {"loc": localized, "answer_forms": forms, "likert_labels": forms.LIKERT_LABELS}


def _actor() -> User:
    return current_user._get_current_object()


@bp.get("/my")
@login_required
def my_surveys():
    return render_template("surveys/my_surveys.html", mine=list_my_surveys(_actor()))


def _render_form(survey: Survey, *, values=None, problems=(), status: int = 200,
                 editing: bool = False, has_draft: bool = False):
    language = select_locale()
    return render_template(
        "surveys/answer.html", survey=survey, groups=forms.groups(survey),
        values=forms.form_values(values or {}), problems=list(problems),
        errors={p.key: p.message for p in problems}, editing=editing, has_draft=has_draft,
        language=language,
    ), status


def _render_unavailable(survey: Survey, message: str, status: int):
    actor = _actor()
    return render_template(
        "surveys/answer_unavailable.html", survey=survey, message=message,
        answered=svc.has_answered(survey, actor),
        can_view=not survey.anonymous and svc.has_answered(survey, actor),
    ), status


@bp.get("/<int:survey_id>/answer")
@login_required
def answer(survey_id: int):
    actor = _actor()
    survey = get_survey(survey_id, actor)
    if svc.has_answered(survey, actor):
        if svc.can_edit_response(survey, actor):
            values = svc.answers_of(survey, svc.own_response(survey, actor))
            return _render_form(survey, values=values, editing=True)
        return redirect(url_for("surveys.thanks", survey_id=survey.id))
    refusal = svc.answer_refusal(survey, actor)
    if refusal is not None:
        if refusal.status == 403:
            raise refusal
        return _render_unavailable(survey, refusal.message, refusal.status)
    draft = svc.draft_of(survey, actor)
    return _render_form(survey, values=draft, has_draft=draft is not None)


@bp.post("/<int:survey_id>/answer")
@login_required
def answer_post(survey_id: int):
    actor = _actor()
    survey = get_survey(survey_id, actor)
    answers = forms.answers_from_form(survey, request.form)
    action = request.form.get("action")
    editing = not survey.anonymous and svc.has_answered(survey, actor)
    try:
        if action not in forms.ACTIONS:
            raise DomainError(_("Choose “Save draft” or “Submit answers”."), field="action")
        if action == "draft":
            if editing:
                raise DomainError(_("Your answers are already submitted: change them and "
                                    "choose “Save changes”."), field="action")
            svc.save_draft(survey, actor, answers)
            db.session.commit()
            flash(_("Your draft is saved. You can come back and finish it until the survey "
                    "closes."), "success")
            return redirect(url_for("surveys.answer", survey_id=survey.id), 303)
        if editing:
            svc.update_response(survey, actor, answers)
            db.session.commit()
            flash(_("Your answers are changed."), "success")
            return redirect(url_for("surveys.my_answers", survey_id=survey.id), 303)
        svc.submit(survey, actor, answers)
        db.session.commit()
        return redirect(url_for("surveys.thanks", survey_id=survey.id), 303)
    except AnswerErrors as exc:
        db.session.rollback()
        return _render_form(survey, values=answers, problems=exc.problems, status=400,
                            editing=editing)
    except DomainError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            raise
        if exc.status == 400:
            problem = Problem("action", exc.message)
            return _render_form(survey, values=answers, problems=[problem], status=400,
                                editing=editing)
        return _render_unavailable(survey, exc.message, exc.status)


@bp.get("/<int:survey_id>/thanks")
@login_required
def thanks(survey_id: int):
    actor = _actor()
    survey = svc.answered_survey(survey_id, actor)
    if not svc.has_answered(survey, actor):
        return redirect(url_for("surveys.answer", survey_id=survey.id))
    return render_template("surveys/answer_thanks.html", survey=survey,
                           can_edit=svc.can_edit_response(survey, actor))


@bp.get("/<int:survey_id>/my-answers")
@login_required
def my_answers(survey_id: int):
    actor = _actor()
    survey = svc.answered_survey(survey_id, actor)
    response = svc.own_response(survey, actor)  # 404 for anonymous surveys
    language = select_locale()
    values = svc.answers_of(survey, response)
    rows = [(group.section, [(q, forms.answer_text(q, values.get(q.key), language))
                             for q in group.questions]) for group in forms.groups(survey)]
    return render_template("surveys/answer_mine.html", survey=survey, response=response,
                           rows=rows, can_edit=svc.can_edit_response(survey, actor))
