"""JSON API for answering surveys (routes on ``workhub.api.bp``, under /api/v1).

* ``POST /surveys/<id>/responses`` ``{"answers": {"<key>": value}, "promise":
  "anonymous"|"identified"}`` → 201 ``{"status": "submitted"}`` (never a response id: in
  an anonymous survey there must be nothing to look it up by). ``promise`` (optional) is
  the anonymity the client showed its user: another than the survey's → 409
  ``promise_changed``. A second response → 409 ``already_answered``; outside the
  audience or an inactive account → 403; not published, not open yet or closed → 409;
  wrong answers → 422 ``invalid_answers`` with every problem in ``details``
  (``[{"field": "<key>", "message"}]``); malformed JSON or unknown fields → 400.
* ``GET`` / ``PUT /surveys/<id>/draft``: the caller's saved draft (404 when none) / save it
  (checked loosely: required questions may be empty) → 200 ``{"answers", "saved_on"}``.
  A draft of an anonymous survey is sealed: the PUT answers ``draft_key`` too, which the
  server does not keep; send it back as the ``X-Draft-Key`` header to read the draft (409
  ``draft_sealed`` without the right key) or to keep sealing under the same key.
* ``GET`` / ``PUT /surveys/<id>/my-response``: the caller's answers to an identified survey
  / change them while it is open and allows it → 200 ``{"answers", "updated_at",
  "editable"}``. An anonymous survey answers 404: nothing links its answers to anyone.
"""

from __future__ import annotations

from functools import wraps

from flask import jsonify, request
from flask_babel import gettext as _

from surveys import answering as svc
from surveys import drafts
from surveys.layout import LARGEST_ANSWER_BYTES
from surveys.permissions import get_survey
from surveys.validation import AnswerErrors
from workhub.api import bp
from workhub.api.common import BadRequest, json_body, json_errors
from workhub.errors import NotFound
from workhub.extensions import db
from workhub.request_limits import body_limit
from workhub.view_helpers import acting_user

# Answers are text at most a few thousand characters per question: anything bigger than the
# largest answer a survey can have is refused before it is read.
answer_body = body_limit(lambda _config: LARGEST_ANSWER_BYTES["json"])
ANSWER_FIELDS = {"answers", "promise"}
DRAFT_KEY_HEADER = "X-Draft-Key"


def _answer_errors(view):
    """Answer ``AnswerErrors`` with 422 and the list of problems (other errors are left to
    ``json_errors``)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except AnswerErrors as exc:
            db.session.rollback()
            return jsonify({"error": {
                "code": exc.code, "message": exc.message, "field": exc.field,
                "details": [{"field": p.key, "message": p.message} for p in exc.problems],
            }}), exc.status

    return wrapped


def _body() -> dict:
    data = json_body(ANSWER_FIELDS)
    if "answers" not in data:
        raise BadRequest(_("Send the answers as {\"answers\": {\"<question key>\": value}}."),
                         code="missing_field", field="answers")
    if data.get("promise") is not None and not isinstance(data["promise"], str):
        raise BadRequest(_("The promise must be “anonymous” or “identified”."),
                         code="invalid_promise", field="promise")
    return data


def _answers() -> dict:
    return _body()["answers"]


def _write(survey_id: int, action, reply, status: int = 200):
    """Load the survey, apply ``action(survey, actor, answers)``, commit, answer
    ``reply(survey, actor)``."""
    actor = acting_user()
    survey = get_survey(survey_id, actor)
    action(survey, actor, _answers())
    db.session.commit()
    return jsonify(reply(survey, actor)), status


@bp.post("/surveys/<int:survey_id>/responses")
@answer_body
@json_errors
@_answer_errors
def survey_submit_response(survey_id: int):
    actor = acting_user()
    survey = get_survey(survey_id, actor)
    data = _body()
    svc.submit(survey, actor, data["answers"], promise=data.get("promise"))
    db.session.commit()
    return jsonify({"status": "submitted"}), 201


def _draft_json(survey, actor, key: str | None) -> dict:
    row = drafts.draft_row(survey, actor)
    if row is None:
        raise NotFound(_("You have no saved draft of this survey."), code="no_draft")
    out = {"answers": drafts.draft_of(survey, actor, key), "saved_on": row.saved_on.isoformat()}
    if row.sealed:
        out["draft_key"] = key
    return out


@bp.get("/surveys/<int:survey_id>/draft")
@json_errors
def survey_get_draft(survey_id: int):
    actor = acting_user()
    return jsonify(_draft_json(get_survey(survey_id, actor), actor,
                               request.headers.get(DRAFT_KEY_HEADER)))


@bp.put("/surveys/<int:survey_id>/draft")
@answer_body
@json_errors
@_answer_errors
def survey_save_draft(survey_id: int):
    actor = acting_user()
    survey = get_survey(survey_id, actor)
    data = _body()
    saved = drafts.save_draft(survey, actor, data["answers"], promise=data.get("promise"),
                           key=request.headers.get(DRAFT_KEY_HEADER))
    db.session.commit()
    return jsonify(_draft_json(survey, actor, saved.key))


def _response_json(survey, actor) -> dict:
    response = svc.own_response(survey, actor)  # 404 when anonymous or not answered
    return {"answers": svc.answers_of(survey, response),
            "updated_at": response.updated_at.isoformat() if response.updated_at else None,
            "editable": svc.can_edit_response(survey, actor)}


@bp.get("/surveys/<int:survey_id>/my-response")
@json_errors
def survey_my_response(survey_id: int):
    actor = acting_user()
    return jsonify(_response_json(svc.answered_survey(survey_id, actor), actor))


@bp.put("/surveys/<int:survey_id>/my-response")
@answer_body
@json_errors
@_answer_errors
def survey_change_response(survey_id: int):
    return _write(survey_id, svc.update_response, _response_json)
