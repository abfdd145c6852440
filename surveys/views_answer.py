"""Pages of the surveys package (surveys): "My surveys", the answer page (save a draft,
submit, change identified answers), the thank-you page and one's own identified answers.

Thin views: load the survey (404 / 403 through ``permissions.get_survey``), call one
service, commit, redirect; the rules are in ``surveys.answering``.

The key that seals a draft of an anonymous survey lives in a cookie of the person's browser
(``workhub_draft_<id>``, HttpOnly, limited to the survey's pages); the server never stores
it, so the draft in the database cannot be read without that browser.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from surveys import answering as svc
from surveys import drafts
from surveys import forms_answer as forms
from surveys.layout import LARGEST_ANSWER_BYTES
from surveys.mine import my_surveys as list_my_surveys
from surveys.models import Survey
from surveys.permissions import get_survey
from surveys.validation import AnswerErrors, Problem, localized
from workhub.database import utcnow
from workhub.errors import DomainError
from workhub.extensions import db
from workhub.request_limits import body_limit
from workhub.view_helpers import acting_user
from workhub.web import select_locale

bp = Blueprint("surveys", __name__, url_prefix="/surveys")


@bp.context_processor
def _helpers():
    return {"loc": localized, "answer_forms": forms, "likert_labels": forms.LIKERT_LABELS}


@bp.get("/my")
@login_required
def my_surveys():
    return render_template("surveys/my_surveys.html", mine=list_my_surveys(acting_user()))


DRAFT_COOKIE = "workhub_draft_{id}"
DRAFT_KEEP = timedelta(days=180)  # a survey without a closing time


def _draft_key(survey: Survey) -> str | None:
    return request.cookies.get(DRAFT_COOKIE.format(id=survey.id))


def _keep_draft_key(response, survey: Survey, key: str | None):
    """Hand the draft's key to the browser (or forget it when ``key`` is None)."""
    name, path = DRAFT_COOKIE.format(id=survey.id), f"/surveys/{survey.id}/"
    if key is None:
        response.delete_cookie(name, path=path)
        return response
    expires = survey.closes_at or utcnow() + DRAFT_KEEP
    response.set_cookie(name, key, expires=expires, path=path, httponly=True,
                        samesite="Strict",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response


def _render_form(survey: Survey, *, values=None, problems=(), status: int = 200,
                 editing: bool = False, has_draft: bool = False, draft_sealed: bool = False):
    language = select_locale()
    return render_template(
        "surveys/answer.html", survey=survey, groups=forms.groups(survey),
        values=forms.form_values(values or {}), problems=list(problems),
        errors={p.key: p.message for p in problems}, editing=editing, has_draft=has_draft,
        draft_sealed=draft_sealed, promise=svc.promise_of(survey), language=language,
    ), status


def _render_unavailable(survey: Survey, message: str, status: int):
    actor = acting_user()
    return render_template(
        "surveys/answer_unavailable.html", survey=survey, message=message,
        answered=svc.has_answered(survey, actor),
        can_view=not survey.anonymous and svc.has_answered(survey, actor),
    ), status


@bp.get("/<int:survey_id>/answer")
@login_required
def answer(survey_id: int):
    actor = acting_user()
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
    try:
        draft = drafts.draft_of(survey, actor, _draft_key(survey))
    except drafts.DraftSealed:
        return _render_form(survey, draft_sealed=True)
    return _render_form(survey, values=draft, has_draft=draft is not None)


@bp.post("/<int:survey_id>/answer")
@body_limit(lambda _config: LARGEST_ANSWER_BYTES["form"])
@login_required
def answer_post(survey_id: int):
    actor = acting_user()
    survey = get_survey(survey_id, actor)
    answers = forms.answers_from_form(survey, request.form)
    action = request.form.get("action")
    promise = request.form.get("promise") or None
    editing = not survey.anonymous and svc.has_answered(survey, actor)
    try:
        if action not in forms.ACTIONS:
            raise DomainError(_("Choose “Save draft” or “Submit answers”."), field="action")
        if action == "draft":
            if editing:
                raise DomainError(_("Your answers are already submitted: change them and "
                                    "choose “Save changes”."), field="action")
            saved = drafts.save_draft(survey, actor, answers, key=_draft_key(survey),
                                   promise=promise)
            db.session.commit()
            if saved.key:
                flash(_("Your draft is saved, sealed with a key kept only in this browser. "
                        "Come back here to finish it until the survey closes."), "success")
            else:
                flash(_("Your draft is saved. You can come back and finish it until the "
                        "survey closes."), "success")
            return _keep_draft_key(redirect(url_for("surveys.answer", survey_id=survey.id),
                                            303), survey, saved.key)
        if editing:
            svc.update_response(survey, actor, answers)
            db.session.commit()
            flash(_("Your answers are changed."), "success")
            return redirect(url_for("surveys.my_answers", survey_id=survey.id), 303)
        svc.submit(survey, actor, answers, promise=promise)
        db.session.commit()
        return _keep_draft_key(redirect(url_for("surveys.thanks", survey_id=survey.id), 303),
                               survey, None)
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
    actor = acting_user()
    survey = svc.answered_survey(survey_id, actor)
    if not svc.has_answered(survey, actor):
        return redirect(url_for("surveys.answer", survey_id=survey.id))
    return render_template("surveys/answer_thanks.html", survey=survey,
                           can_edit=svc.can_edit_response(survey, actor))


@bp.get("/<int:survey_id>/my-answers")
@login_required
def my_answers(survey_id: int):
    actor = acting_user()
    survey = svc.answered_survey(survey_id, actor)
    response = svc.own_response(survey, actor)  # 404 for anonymous surveys
    language = select_locale()
    values = svc.answers_of(survey, response)
    rows = [(group.section, [(q, forms.answer_text(q, values.get(q.key), language))
                             for q in group.questions]) for group in forms.groups(survey)]
    return render_template("surveys/answer_mine.html", survey=survey, response=response,
                           rows=rows, can_edit=svc.can_edit_response(survey, actor))
