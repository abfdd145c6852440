"""Pages of the surveys package (survey_results), for HR and administrators: the results of
a published or closed survey with response rates, cross-tab and filter, charts (SVG, next
to their tables), the aggregated results as CSV/XLSX and the responses export.

Thin views: load the survey (404 for a draft: it has no results), check the cross-tab or
filter (400 with the reason next to the form), call ``results.survey_results``; every
number there has passed the k rule already.
"""

from __future__ import annotations

import math
import unicodedata

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField

from surveys import exports
from surveys.models import Survey
from surveys.permissions import MANAGER_ROLES, can_see_results, get_survey
from surveys.rates import response_rates
from surveys.release import pending_count
from surveys.results import survey_results
from surveys.results_select import (
    MAX_LEVEL,
    Selection,
    filter_choices,
    group_questions,
    parse_selection,
)
from surveys.validation import localized
from workhub import charts
from workhub.auth.permissions import roles_required
from workhub.auth.services import audit
from workhub.errors import DomainError
from workhub.exports_common import download
from workhub.extensions import db
from workhub.org.models import Department
from workhub.view_helpers import acting_user
from workhub.web import select_locale

bp = Blueprint("survey_results", __name__, url_prefix="/surveys")

CHART_KINDS = ("choice", "multiple", "date")


@bp.context_processor
def _helpers():
    return {"loc": localized, "hidden_mark": exports.HIDDEN}


def load(survey_id: int) -> Survey:
    """The survey whose results the signed-in HR person asks for (404 for a draft)."""
    try:
        survey = get_survey(survey_id, current_user, for_manage=True)
    except DomainError as exc:
        abort(exc.status)
    if not can_see_results(current_user, survey):
        abort(404)
    return survey


def _selection(survey: Survey) -> Selection:
    args = request.args
    return parse_selection(survey, by=args.get("by"), level=args.get("level"),
                           filter=args.get("filter"))


class ResultsForm(FlaskForm):
    class Meta:
        csrf = False  # a GET view changes nothing

    by = SelectField(_l("Cross-tab by"), validate_choice=False)
    level = SelectField(_l("Department level"), validate_choice=False,
                        description=_l("1 is the top of the organisation (局); larger "
                                       "numbers are smaller units."))
    filter = SelectField(_l("Only respondents who answered"), validate_choice=False)


def _depth() -> int:
    parents = dict(db.session.execute(select(Department.id, Department.parent_id)).all())
    deepest = 1
    for department_id in parents:
        depth, node, seen = 1, parents[department_id], set()
        while node is not None and node not in seen:
            seen.add(node)
            depth, node = depth + 1, parents.get(node)
        deepest = max(deepest, depth)
    return min(deepest, MAX_LEVEL)


def _form(survey: Survey, language: str) -> ResultsForm:
    form = ResultsForm(request.args)
    by = [("", _("No cross-tab"))]
    if not survey.anonymous:
        by.append(("department", _("Department")))
    by += [(f"question:{q.key}", localized(q, "text", language))
           for q in group_questions(survey)]
    form.by.choices = by
    form.level.choices = [(str(n), str(n)) for n in range(1, _depth() + 1)]
    form.filter.choices = {"": [("", _("Everyone"))]} | {
        localized(q, "text", language): [(f"{q.key}:{value}", label) for value, label in pairs]
        for q, pairs in filter_choices(survey, language)}
    return form


@bp.get("/<int:survey_id>/results")
@roles_required(*MANAGER_ROLES)
def results(survey_id: int):
    survey = load(survey_id)
    language = select_locale()
    form = _form(survey, language)
    try:
        selection = _selection(survey)
    except DomainError as exc:
        getattr(form, exc.field if exc.field in ("by", "level", "filter") else "by").errors = [
            exc.message]
        return render_template("surveys/results.html", survey=survey, form=form,
                               results=None, rates=response_rates(survey), args={},
                               chart_kinds=CHART_KINDS, pending=_pending(survey)), 400
    return render_template(
        "surveys/results.html", survey=survey, form=form, rates=response_rates(survey),
        results=survey_results(survey, selection, language), args=selection.args(),
        chart_kinds=CHART_KINDS, pending=_pending(survey))


def _pending(survey: Survey) -> int | None:
    """How many anonymous responses wait for their batch (None: an identified survey)."""
    return pending_count(survey) if survey.anonymous else None


@bp.get("/<int:survey_id>/results/charts/<key>.svg")
@roles_required(*MANAGER_ROLES)
def chart(survey_id: int, key: str):
    """The bar chart of one item (a question, or a grid row ``question.row``) for the
    population shown (everyone, or the filter's group)."""
    survey = load(survey_id)
    selection = _selection(survey)
    found = survey_results(survey, Selection(filter=selection.filter), select_locale(),
                           texts=False, keys={key.split(".", 1)[0]})
    item = next((i for q in found.questions for i in q.items if i.key == key), None)
    if item is None or item.kind not in CHART_KINDS:
        abort(404)
    counts = item.overall.counts
    svg = charts.bar_chart(
        item.label or found.questions[0].text, [_chart_label(c.label) for c in counts],
        [(_("Respondents"), [c.value for c in counts])],
        horizontal=True, no_data_text=_("Nothing to show"))
    return charts.svg_response(svg)


def _chart_label(text: str) -> str:
    """``text`` padded so that pygal, which reckons every character 0.6 em wide, leaves room
    for Japanese (1 em): the spaces take room in its reckoning and none on the drawing."""
    wide = sum(1 for c in text if unicodedata.east_asian_width(c) in "WF")
    return text + " " * math.ceil(wide * 0.7)


@bp.get("/<int:survey_id>/results/export.csv")
@roles_required(*MANAGER_ROLES)
def export_results_csv(survey_id: int):
    survey = load(survey_id)
    data = survey_results(survey, _selection(survey), select_locale(), texts=False)
    return download(exports.results_csv(data), "text/csv",
                    f"survey-{survey.id}-results.csv", audit_as="survey.results")


@bp.get("/<int:survey_id>/results/export.xlsx")
@roles_required(*MANAGER_ROLES)
def export_results_xlsx(survey_id: int):
    survey = load(survey_id)
    language = select_locale()
    data = survey_results(survey, _selection(survey), language)
    return download(exports.results_xlsx(data, language), exports.XLSX_MIMETYPE,
                    f"survey-{survey.id}-results.xlsx", audit_as="survey.results")


def _responses(survey_id: int, kind: str):
    survey = load(survey_id)
    language = select_locale()
    body = (exports.responses_csv if kind == "csv" else exports.responses_xlsx)(
        survey, language)
    # Who took the rows out, and when: the survey only, nothing about any response.
    audit("survey.responses_exported", actor=acting_user(),
          target=f"survey:{survey.id}", ip=request.remote_addr, format=kind)
    db.session.commit()
    return body


@bp.get("/<int:survey_id>/responses/export.csv")
@roles_required(*MANAGER_ROLES)
def export_responses_csv(survey_id: int):
    return download(_responses(survey_id, "csv"), "text/csv",
                    f"survey-{survey_id}-responses.csv")


@bp.get("/<int:survey_id>/responses/export.xlsx")
@roles_required(*MANAGER_ROLES)
def export_responses_xlsx(survey_id: int):
    return download(_responses(survey_id, "xlsx"), exports.XLSX_MIMETYPE,
                    f"survey-{survey_id}-responses.xlsx")
