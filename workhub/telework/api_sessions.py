"""JSON API of the session log and the monthly targets (routes on ``workhub.api.bp``).

* ``POST /telework/sessions`` enters a finished session, ``POST /telework/sessions/start``
  starts one now, ``POST /telework/sessions/<id>/stop`` stops it;
* ``GET /telework/sessions?month=YYYY-MM`` lists the sessions the caller may see;
* ``PUT /telework/targets/<YYYY-MM>`` sets a month's targets (HR only).

Malformed JSON or wrong types answer 400; a broken rule 422 with the rule's code; a
conflict (a session already running) 409. The request readers and the services raise; the
app's DomainError handler turns their errors into ``{"error": {"code", "message"}}`` (no
``field``, no ``violations``: hence no ``json_errors`` here) and rolls back.
"""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from sqlalchemy import func, select

from workhub.api import bp
from workhub.api.common import BadRequest, json_body, text_value, whole_number
from workhub.businessdays import month_bounds, month_of
from workhub.clock import office_today, office_zone
from workhub.extensions import db
from workhub.org.models import User
from workhub.telework import months
from workhub.telework import sessions as svc
from workhub.telework import targets as targets_svc
from workhub.telework.models import TeleworkSession
from workhub.telework.permissions import can_view_session, is_hr, sessions_visible_to
from workhub.view_helpers import acting_user
from workhub.web import json_error

DEFAULT_LIMIT = 1000
MAX_LIMIT = 5000


def _text(data: dict, name: str, *, required: bool = False) -> str | None:
    if required and data.get(name) is None:
        raise BadRequest(_("%(name)s is required.", name=name), code="missing_field")
    return text_value(data, name, code="invalid_type")


def _integer(value, name: str) -> int | None:
    return None if value is None else whole_number(value, name, code="invalid_type")


def session_json(session: TeleworkSession) -> dict:
    """A session as the API shows it; times also as Japan-time HH:MM."""
    zone = office_zone()
    minutes = session.minutes
    return {
        "id": session.id,
        "user": session.user.login,
        "display_name": session.user.display_name,
        "date": session.day.isoformat(),
        "start": session.started_at.astimezone(zone).strftime("%H:%M"),
        "end": session.ended_at.astimezone(zone).strftime("%H:%M") if session.ended_at
        else None,
        "started_at": session.started_at.isoformat(),
        "ended_at": session.ended_at.isoformat() if session.ended_at else None,
        "running": session.ended_at is None,
        "minutes": minutes,
        "hours": round(minutes / 60, 2) if minutes is not None else None,
        "place": session.place,
        "report": session.report,
        "booking_id": session.booking_id,
        "unplanned": session.unplanned,
    }


@bp.post("/telework/sessions")
def telework_record_session():
    data = json_body({"date", "start", "end", "place", "booking_id", "report"}, strict_type=False)
    fields = {name: _text(data, name, required=True) for name in ("date", "start", "end", "place")}
    report = _text(data, "report")
    booking_id = _integer(data.get("booking_id"), "booking_id")
    me = acting_user()
    session = svc.record_session(me, day=fields["date"], start=fields["start"],
                                 end=fields["end"], place=fields["place"], report=report,
                                 booking_id=booking_id, actor=me, ip=request.remote_addr)
    db.session.commit()
    return jsonify(session_json(session)), 201


@bp.post("/telework/sessions/start")
def telework_start_session():
    data = json_body({"place", "booking_id"}, strict_type=False)
    place = _text(data, "place") or "home"
    booking_id = _integer(data.get("booking_id"), "booking_id")
    session = svc.start_session(acting_user(), place=place,
                                booking_id=booking_id)
    db.session.commit()
    return jsonify(session_json(session)), 201


@bp.post("/telework/sessions/<int:session_id>/stop")
def telework_stop_session(session_id: int):
    me = acting_user()
    session = db.session.get(TeleworkSession, session_id)
    # Someone who may not see the session is not told it exists.
    if session is None or not can_view_session(me, session):
        return json_error(404, "not_found", _("No such telework session."))
    if not svc.can_edit_session(me, session):
        return json_error(403, "forbidden", _("You may not change this telework session."))
    report = _text(json_body({"report"}, strict_type=False), "report")
    svc.stop_session(session, me, report, ip=request.remote_addr)
    db.session.commit()
    return jsonify(session_json(session))


@bp.get("/telework/sessions")
def telework_list_sessions():
    raw = (request.args.get("month") or "").strip()
    if raw and not months.valid_month(raw):
        return json_error(400, "invalid_month",
                          _("month must be a month written YYYY-MM, for example 2026-04."))
    month = raw or month_of(office_today())
    limit = _query_int("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _query_int("offset", 0, 0, 10**9)
    first, last = month_bounds(month)
    stmt = sessions_visible_to(acting_user()).where(
        TeleworkSession.day.between(first, last))
    login = (request.args.get("user") or "").strip()
    if login:
        stmt = stmt.where(TeleworkSession.user_id.in_(
            select(User.id).where(User.login == login[:64])))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(
        stmt.order_by(TeleworkSession.started_at, TeleworkSession.id).limit(limit).offset(offset)
    ).all()
    return jsonify({"month": month, "total": total, "limit": limit, "offset": offset,
                    "sessions": [session_json(row) for row in rows]})


def _query_int(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise BadRequest(_("%(name)s must be a whole number from %(low)d to %(high)d.",
                           name=name, low=low, high=high), code="invalid_" + name)
    return int(raw)


@bp.put("/telework/targets/<month>")
def telework_set_targets(month: str):
    if not is_hr(acting_user()):
        return json_error(403, "forbidden", _("Only HR may set telework targets."))
    data = json_body({"target", "departments"}, strict_type=False)
    org = _integer(data.get("target"), "target")
    departments = data.get("departments") or {}
    if not isinstance(departments, dict):
        raise BadRequest(_("departments must be an object of department code to target."),
                         code="invalid_type")
    wanted = {code: _integer(value, f"departments.{str(code)[:40]}")
              for code, value in departments.items()}
    if any(value is None for value in wanted.values()):
        raise BadRequest(_("A department target must be a whole number."), code="invalid_type")
    result = targets_svc.set_targets(month, org, wanted, acting_user(),
                                     ip=request.remote_addr)
    db.session.commit()
    return jsonify({"month": result.month, "target": result.org_target,
                    "departments": result.departments})
