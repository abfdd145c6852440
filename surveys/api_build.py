"""JSON API of the survey builder (routes on the ``api`` blueprint, under /api/v1).

* ``POST /surveys`` (HR, administrators) creates a draft with its questions in one go →
  201 ``{"id"}``. Malformed JSON, wrong types or unknown fields → 400; a broken rule (an
  empty title, an unknown question type, a closing time before the opening) → 422; either
  way nothing is written. ``{"error": {"code", "message"[, "field"]}}``.
* ``GET /surveys``: HR and administrators every survey (``status`` filter, pages); everyone
  else the surveys open to them now, with whether they answered.
* ``GET /surveys/<id>``: the definition (audience and settings for HR/administrators).
  A draft is 404 for others, a survey not addressed to them 403.
* ``POST /surveys/<id>/publish`` and ``/close`` (HR, administrators) → 200 the survey.
"""

from __future__ import annotations

from functools import wraps

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from surveys import building, questions
from surveys.answering import has_answered
from surveys.audience import set_audience
from surveys.definition import survey_json, survey_summary
from surveys.models import SURVEY_STATUSES, Survey
from surveys.permissions import MANAGER_ROLES, can_answer, get_survey
from surveys.rules import parse_moment
from workhub.api import bp
from workhub.api.common import BadRequest, json_body, json_errors, page_args
from workhub.auth.permissions import roles_required
from workhub.errors import DomainError
from workhub.extensions import db
from workhub.pagination import paginate
from workhub.view_helpers import acting_user

MAX_BODY = 1024 * 1024
CREATE_FIELDS = {"title", "title_en", "description", "description_en", "anonymous",
                 "audience", "opens_at", "closes_at", "min_group_size", "reminder_days",
                 "editable_until_close", "questions"}
QUESTION_FIELDS = {"key", "type", "text", "text_en", "help", "help_en", "options",
                   "required", "min", "max", "max_length", "show_if"}
AUDIENCE_FIELDS = {"departments", "include_subtree", "roles"}


def _errors(view):
    """The API's error answers (``json_errors``); a rule a service refuses is 422 (not 400)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except DomainError as exc:
            if type(exc) is DomainError:
                exc.status = 422
            raise

    return json_errors(wrapped)


def _expect(value, kinds, name: str, what: str):
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    if value is None:
        return None
    if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
        raise BadRequest(_("%(name)s must be %(what)s.", name=name, what=what),
                         code="invalid_type", field=name)
    return value


def _object(value, allowed: set[str], name: str) -> dict:
    if not isinstance(value, dict):
        raise BadRequest(_("%(name)s must be an object.", name=name), code="invalid_type",
                         field=name)
    unknown = sorted(str(k) for k in set(value) - allowed)
    if unknown:
        raise BadRequest(_("Unknown fields in %(name)s: %(names)s.", name=name,
                           names=", ".join(unknown)[:200]), code="unknown_field", field=name)
    return value


def _moment(data: dict, name: str, *, closing: bool):
    raw = data.get(name)
    if raw is None:
        return None
    try:
        return parse_moment(raw, closing=closing)
    except (ValueError, TypeError):
        raise BadRequest(_("%(name)s must be a date (YYYY-MM-DD) or a date and time (ISO "
                           "8601, e.g. 2026-12-01T17:00+09:00).", name=name),
                         field=name) from None


def _audience(value) -> dict:
    if value in (None, "all"):
        return {"everyone": True}
    audience = _object(value, AUDIENCE_FIELDS, "audience")
    for name in ("departments", "roles"):
        items = _expect(audience.get(name), list, f"audience.{name}", _("a list of strings"))
        if items is not None and not all(isinstance(i, str) for i in items):
            raise BadRequest(_("%(name)s must be a list of strings.", name=f"audience.{name}"),
                             code="invalid_type", field=f"audience.{name}")
    subtree = _expect(audience.get("include_subtree", True), bool, "audience.include_subtree",
                      _("true or false"))
    return {"everyone": False, "department_codes": audience.get("departments") or [],
            "roles": audience.get("roles") or [], "include_subtree": subtree}


def _options(value, name: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadRequest(_("%(name)s must be a list.", name=name), code="invalid_type",
                         field=name)
    out = []
    for i, item in enumerate(value):
        if isinstance(item, str):
            out.append(item)
            continue
        item = _object(item, {"key", "label", "label_en"}, f"{name}[{i}]")
        for field in ("key", "label", "label_en"):
            _expect(item.get(field), str, f"{name}[{i}].{field}", _("a string"))
        out.append({"key": item.get("key"), "label_ja": item.get("label"),
                    "label_en": item.get("label_en")})
    return out


def _question(value, i: int) -> dict:
    name = f"questions[{i}]"
    q = _object(value, QUESTION_FIELDS, name)
    for field in ("key", "type", "text", "text_en", "help", "help_en"):
        _expect(q.get(field), str, f"{name}.{field}", _("a string"))
    for field in ("min", "max"):
        _expect(q.get(field), (int, float), f"{name}.{field}", _("a number"))
    _expect(q.get("max_length"), int, f"{name}.max_length", _("a whole number"))
    _expect(q.get("required"), bool, f"{name}.required", _("true or false"))
    show_if = q.get("show_if")
    if show_if is not None:
        show_if = _object(show_if, {"question", "option"}, f"{name}.show_if")
        for field in ("question", "option"):
            _expect(show_if.get(field), str, f"{name}.show_if.{field}", _("a string"))
    return {
        "type": q.get("type"), "key": q.get("key"), "text_ja": q.get("text"),
        "text_en": q.get("text_en"), "help_ja": q.get("help"), "help_en": q.get("help_en"),
        "required": bool(q.get("required", False)), "min_value": q.get("min"),
        "max_value": q.get("max"), "max_length": q.get("max_length"),
        "options": _options(q.get("options"), f"{name}.options"),
        "show_if_question": (show_if or {}).get("question"),
        "show_if_option_key": (show_if or {}).get("option"),
    }


def _create_survey(data: dict):
    for name in ("title", "title_en", "description", "description_en"):
        _expect(data.get(name), str, name, _("a string"))
    for name in ("anonymous", "editable_until_close"):
        _expect(data.get(name), bool, name, _("true or false"))
    for name in ("min_group_size", "reminder_days"):
        _expect(data.get(name), int, name, _("a whole number"))
    items = _expect(data.get("questions"), list, "questions", _("a list"))
    if not items:
        raise BadRequest(_("questions must list at least one question."), field="questions")
    parsed = [_question(item, i) for i, item in enumerate(items)]
    audience = _audience(data.get("audience"))
    fields = {"title_ja": data.get("title"), "title_en": data.get("title_en"),
              "description_ja": data.get("description"),
              "description_en": data.get("description_en"),
              "opens_at": _moment(data, "opens_at", closing=False),
              "closes_at": _moment(data, "closes_at", closing=True)}
    for name in ("anonymous", "editable_until_close", "min_group_size", "reminder_days"):
        if data.get(name) is not None:
            fields[name] = data[name]
    survey = building.create_survey(current_user, **fields)
    set_audience(survey, **audience)
    for i, question in enumerate(parsed):
        try:
            questions.add_question(survey, **question)
        except DomainError as exc:
            exc.message = f"questions[{i}]: {exc.message}"
            exc.field = f"questions[{i}].{exc.field}" if exc.field else f"questions[{i}]"
            raise
    return survey


@bp.post("/surveys")
@roles_required(*MANAGER_ROLES)
@_errors
def surveys_create():
    if (request.content_length or 0) > MAX_BODY:
        raise BadRequest(_("The request is too large (1 MB at most)."), code="too_large")
    survey = _create_survey(json_body(CREATE_FIELDS))
    db.session.commit()
    response = jsonify({"id": survey.id})
    response.headers["Location"] = url_for("api.surveys_get", survey_id=survey.id)
    return response, 201


@bp.get("/surveys")
@_errors
def surveys_list():
    page, per_page = page_args()
    user = acting_user()
    if user.has_role(*MANAGER_ROLES):
        status = request.args.get("status") or None
        if status is not None and status not in SURVEY_STATUSES:
            raise BadRequest(_("status must be one of: %(names)s.",
                               names=", ".join(SURVEY_STATUSES)), field="status")
        stmt = select(Survey).order_by(Survey.created_at.desc(), Survey.id.desc())
        if status:
            stmt = stmt.where(Survey.status == status)
        result = paginate(stmt, page, per_page)
        items = [survey_summary(s) for s in result.items]
        total = result.total
    else:
        published = db.session.scalars(select(Survey).where(Survey.status == "published")
                                       .order_by(Survey.closes_at.is_(None), Survey.closes_at,
                                                 Survey.id))
        open_to_me = [s for s in published if can_answer(user, s)]
        total = len(open_to_me)
        items = [{**survey_summary(s), "answered": has_answered(s, user)}
                 for s in open_to_me[(page - 1) * per_page:page * per_page]]
    return jsonify({"items": items, "page": page, "per_page": per_page, "total": total})


@bp.get("/surveys/<int:survey_id>")
@_errors
def surveys_get(survey_id: int):
    user = acting_user()
    survey = get_survey(survey_id, user)
    return jsonify(survey_json(survey, manage=user.has_role(*MANAGER_ROLES)))


@bp.post("/surveys/<int:survey_id>/publish")
@roles_required(*MANAGER_ROLES)
@_errors
def surveys_publish(survey_id: int):
    user = acting_user()
    survey = get_survey(survey_id, user, for_manage=True)
    json_body(set())
    building.publish(survey, user, ip=request.remote_addr)
    db.session.commit()
    return jsonify(survey_json(survey, manage=True))


@bp.post("/surveys/<int:survey_id>/close")
@roles_required(*MANAGER_ROLES)
@_errors
def surveys_close(survey_id: int):
    user = acting_user()
    survey = get_survey(survey_id, user, for_manage=True)
    json_body(set())
    building.close(survey, user, ip=request.remote_addr)
    db.session.commit()
    return jsonify(survey_json(survey, manage=True))
