"""JSON API of the surveys package (api_results): routes on workhub.api.bp.

``GET /surveys/<id>/results[?by=department[&level=N]|question:<key>|filter=<key>:<answer>]``
(HR and administrators; 403 otherwise, 404 for an unknown survey or a draft): per question
and item the counts, percentages and statistics of the results page. Every hidden number is
an object ``{"key", "label", "suppressed": true}`` with no count, percentage or mean; a
hidden group is ``{"group", "suppressed": true}`` with nothing else; a survey below k is
``{"suppressed": true}`` with no respondent count and no question. A cross-tab or filter
that makes no sense for the survey is 400 naming the parameter.
"""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from surveys.permissions import MANAGER_ROLES, can_see_results, get_survey
from surveys.release import pending_count
from surveys.results import Count, Group, Item, Results, Row, Stats, survey_results
from surveys.results_select import parse_selection
from surveys.validation import localized
from workhub.api import bp
from workhub.auth.permissions import roles_required
from workhub.errors import DomainError, NotFound
from workhub.web import json_error, select_locale

HIDDEN = {"suppressed": True}


def _count(count: Count) -> dict:
    out: dict = {"key": count.key, "label": count.label}
    if count.hidden:
        return out | HIDDEN
    out["count"] = count.value
    if count.percent is not None:
        out["percent"] = count.percent
    return out


def _stats(stats: Stats) -> dict:
    if stats.hidden:
        return dict(HIDDEN)
    out: dict = {"mean": stats.mean, "median": stats.median}
    if stats.n is None:
        out["n_suppressed"] = True
    else:
        out["n"] = stats.n
    return out


def _row(row: Row) -> dict:
    out: dict = {"counts": [_count(c) for c in row.counts]}
    if row.stats is not None:
        out["stats"] = _stats(row.stats)
    return out


def _group(group: Group) -> dict:
    if group.hidden:
        return {"key": group.key, "label": group.label} | HIDDEN
    return {"key": group.key, "label": group.label, "respondents": group.size}


def _item(item: Item) -> dict:
    out: dict = {"key": item.key, "label": item.label, "kind": item.kind} | _row(item.overall)
    if item.groups:
        out["groups"] = [{"group": row.group.key} | HIDDEN if row.hidden
                         else {"group": row.group.key} | _row(row) for row in item.groups]
    if item.kind == "text":
        if item.texts is None:
            out["texts"] = dict(HIDDEN)
        else:
            out["texts"] = item.texts
            if item.analysis is not None:
                out["words"] = [{"text": t.text, "answers": t.count}
                                for t in item.analysis.words]
                out["phrases"] = [{"text": t.text, "answers": t.count}
                                  for t in item.analysis.phrases]
    return out


def results_json(results: Results, language: str) -> dict:
    """The results as the API answers them (see the module's docstring)."""
    survey, selection = results.survey, results.selection
    body: dict = {
        "survey": {"id": survey.id, "title": localized(survey, "title", language),
                   "anonymous": bool(survey.anonymous), "status": survey.status,
                   "min_group_size": results.k},
        "by": selection.by, "filter": selection.filter,
    }
    if survey.anonymous:
        body["pending"] = pending_count(survey)
    if selection.by == "department":
        body["level"] = selection.level
    if results.hidden:
        return body | {"suppressed": True, "questions": []}
    body |= {"suppressed": False, "respondents": results.respondents}
    if selection.filter:
        body["filter_group"] = (dict(HIDDEN) if results.filter_hidden else
                                {"label": results.filter_group.label,
                                 "respondents": results.filter_group.size})
    if results.groups:
        body["groups"] = [_group(g) for g in results.groups]
    body["questions"] = [{"key": q.question.key, "type": q.question.type, "text": q.text,
                          "items": [_item(i) for i in q.items]} for q in results.questions]
    return body


@bp.get("/surveys/<int:survey_id>/results")
@roles_required(*MANAGER_ROLES)
def survey_results_api(survey_id: int):
    survey = get_survey(survey_id, current_user, for_manage=True)
    if not can_see_results(current_user, survey):
        raise NotFound(_("A draft survey has no results."), code="no_results")
    args = request.args
    unknown = sorted(set(args) - {"by", "level", "filter"})
    if unknown:
        return json_error(400, "unknown_parameter",
                          _("Unknown parameter: use by, level or filter."))
    try:
        selection = parse_selection(survey, by=args.get("by"), level=args.get("level"),
                                    filter=args.get("filter"))
    except DomainError as exc:
        response = jsonify({"error": {"code": exc.code, "message": exc.message,
                                      "field": exc.field}})
        return response, exc.status
    language = select_locale()
    return jsonify(results_json(survey_results(survey, selection, language), language))
