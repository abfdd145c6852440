"""JSON API of the licence inventory and of a meeting's licences (routes on the ``api``
blueprint, /api/v1; token scope ``meetings``).

* ``GET /licences`` (IT and administrators) the inventory; ``POST /licences`` adds one → 201
  ``{"id"}``; ``GET``/``PATCH``/``DELETE /licences/<id>``. ``PATCH`` takes any of the fields
  and keeps the others.
* ``GET /meetings/<id>/licences`` what the meeting holds and, for whoever manages it, the
  licences free for its time; ``POST`` ``{"licence_id"}`` books one → 201;
  ``DELETE /meetings/<id>/licences/<licence_id>`` releases it → 204.

Bad JSON, wrong types or unknown fields → 400; a broken rule → 422 naming the field;
a licence booked by another meeting or a name taken → 409.
"""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _
from sqlalchemy import select

from workhub.api import bp
from workhub.api.common import (
    BadRequest,
    json_body,
    json_errors,
    optional_date,
    rules_as_422,
    text_value,
    whole_number,
)
from workhub.errors import Forbidden, NotFound
from workhub.extensions import db
from workhub.meetings import services as meetings
from workhub.online_meetings import bookings, invitations, licences, ratings
from workhub.online_meetings.models import Licence, LicenceBooking
from workhub.online_meetings.views import meeting_url
from workhub.validation import fits_id
from workhub.view_helpers import acting_user, client_ip

FIELDS = {"name", "tool", "kind", "capacity", "account", "contract_ref", "contract_start",
          "contract_end", "monthly_cost_yen", "paying_department", "mode", "assigned_user",
          "assigned_department", "active", "notes"}


def licence_json(licence: Licence) -> dict:
    return {
        "id": licence.id, "name": licence.name, "kind": licence.kind, "tool": licence.tool,
        "capacity": licence.capacity, "account": licence.account,
        "contract_ref": licence.contract_ref,
        "contract_start": licence.contract_start.isoformat() if licence.contract_start else None,
        "contract_end": licence.contract_end.isoformat() if licence.contract_end else None,
        "monthly_cost_yen": licence.monthly_cost_yen,
        "paying_department": licence.paying_department.code if licence.paying_department
        else None,
        "mode": licence.mode,
        "assigned_user": licence.assigned_user.login if licence.assigned_user else None,
        "assigned_department": licence.assigned_department.code
        if licence.assigned_department else None,
        "active": licence.active, "notes": licence.notes,
    }


def _data(body: dict, current: dict | None = None) -> licences.LicenceData:
    values = dict(current or {})
    values.update(body)
    for name in ("name", "tool", "kind", "mode", "account", "contract_ref",
                 "paying_department", "assigned_user", "assigned_department", "notes"):
        text_value(values, name)
    if values.get("capacity") is not None:
        whole_number(values["capacity"], "capacity")
    if values.get("monthly_cost_yen") is not None:
        whole_number(values["monthly_cost_yen"], "monthly_cost_yen")
    if not isinstance(values.get("active", True), bool):
        raise BadRequest(_("%(name)s must be true or false.", name="active"), field="active")
    if values.get("name") is None:
        raise BadRequest(_("%(name)s is required.", name="name"), field="name")
    return licences.LicenceData(
        name=values["name"], tool=values.get("tool"), capacity=values.get("capacity"),
        kind=values.get("kind") or "host", account=values.get("account"),
        contract_ref=values.get("contract_ref"),
        contract_start=optional_date(values, "contract_start"),
        contract_end=optional_date(values, "contract_end"),
        monthly_cost_yen=values.get("monthly_cost_yen"),
        paying_department=values.get("paying_department"), mode=values.get("mode") or "pooled",
        assigned_user=values.get("assigned_user"),
        assigned_department=values.get("assigned_department"),
        active=values.get("active", True), notes=values.get("notes"))


def _managed_licence(licence_id: int) -> Licence:
    if not licences.can_manage_licences(acting_user()):
        raise Forbidden(_("Only IT and administrators keep the licence inventory."))
    licence = db.session.get(Licence, licence_id) if fits_id(licence_id) else None
    if licence is None:
        raise NotFound(_("No such licence."))
    return licence


@bp.get("/licences")
@json_errors
def list_licences_api():
    if not licences.can_manage_licences(acting_user()):
        raise Forbidden(_("Only IT and administrators keep the licence inventory."))
    rows = db.session.scalars(select(Licence).order_by(Licence.tool, Licence.name))
    return jsonify({"items": [licence_json(row) for row in rows]})


@bp.post("/licences")
@json_errors
def create_licence_api():
    if not licences.can_manage_licences(acting_user()):
        raise Forbidden(_("Only IT and administrators keep the licence inventory."))
    data = _data(json_body(FIELDS))
    licence = rules_as_422(lambda: licences.create_licence(acting_user(), data, ip=client_ip()))
    db.session.commit()
    return jsonify({"id": licence.id}), 201


@bp.get("/licences/<int:licence_id>")
@json_errors
def get_licence_api(licence_id: int):
    return jsonify(licence_json(_managed_licence(licence_id)))


@bp.patch("/licences/<int:licence_id>")
@json_errors
def update_licence_api(licence_id: int):
    licence = _managed_licence(licence_id)
    data = _data(json_body(FIELDS), licence_json(licence))
    rules_as_422(lambda: licences.update_licence(acting_user(), licence.id, data, ip=client_ip()))
    db.session.commit()
    return jsonify(licence_json(licence))


@bp.delete("/licences/<int:licence_id>")
@json_errors
def delete_licence_api(licence_id: int):
    licence = _managed_licence(licence_id)
    licences.delete_licence(acting_user(), licence.id, ip=client_ip())
    db.session.commit()
    return "", 204


def booking_json(booking: LicenceBooking) -> dict:
    return {"licence": licence_json(booking.licence) | {"account": None, "notes": None},
            "starts_at": booking.starts_at.isoformat(), "ends_at": booking.ends_at.isoformat()}


@bp.get("/meetings/<int:meeting_id>/licences")
@json_errors
def meeting_licences_api(meeting_id: int):
    meeting = meetings.get_meeting(meeting_id, acting_user())
    held = bookings.held_by(meeting)
    free = bookings.suggestions(meeting, acting_user())
    return jsonify({"held": [booking_json(b) for b in held],
                    "free": [{"id": lic.id, "name": lic.name, "kind": lic.kind,
                              "tool": lic.tool, "capacity": lic.capacity} for lic in free]})


@bp.post("/meetings/<int:meeting_id>/licences")
@json_errors
def book_licence_api(meeting_id: int):
    meeting = meetings.get_meeting(meeting_id, acting_user(), manage=True)
    body = json_body({"licence_id"})
    if "licence_id" not in body:
        raise BadRequest(_("%(name)s is required.", name="licence_id"), field="licence_id")
    licence_id = whole_number(body["licence_id"], "licence_id")
    if not fits_id(licence_id):
        raise NotFound(_("No such licence."))
    booking = rules_as_422(lambda: bookings.book_licence(acting_user(), meeting, licence_id))
    db.session.commit()
    return jsonify(booking_json(booking)), 201


@bp.delete("/meetings/<int:meeting_id>/licences/<int:licence_id>")
@json_errors
def release_licence_api(meeting_id: int, licence_id: int):
    meeting = meetings.get_meeting(meeting_id, acting_user(), manage=True)
    bookings.release_licence(acting_user(), meeting, licence_id if fits_id(licence_id) else 0)
    db.session.commit()
    return "", 204


@bp.post("/meetings/<int:meeting_id>/invitations")
@json_errors
def invite_api(meeting_id: int):
    meeting = meetings.get_meeting(meeting_id, acting_user(), manage=True)
    json_body(set())
    sent = rules_as_422(lambda: invitations.send(acting_user(), meeting,
                                                 meeting_url=meeting_url(meeting.id)))
    db.session.commit()
    return jsonify({"sequence": sent.sequence, "recipients": sent.recipients}), 201


@bp.delete("/meetings/<int:meeting_id>/invitations")
@json_errors
def uninvite_api(meeting_id: int):
    meeting = meetings.get_meeting(meeting_id, acting_user(), manage=True)
    cancelled = rules_as_422(lambda: invitations.cancel(acting_user(), meeting))
    db.session.commit()
    return jsonify({"sequence": cancelled.sequence, "recipients": cancelled.recipients})


@bp.put("/meetings/<int:meeting_id>/rating")
@json_errors
def rate_api(meeting_id: int):
    meeting = meetings.get_meeting(meeting_id, acting_user(), manage=True)
    body = json_body({"sound", "picture", "trouble", "comment"})
    for name in ("sound", "picture"):
        if name not in body:
            raise BadRequest(_("%(name)s is required.", name=name), field=name)
        whole_number(body[name], name)
    if not isinstance(body.get("trouble", False), bool):
        raise BadRequest(_("%(name)s must be true or false.", name="trouble"), field="trouble")
    rating = rules_as_422(lambda: ratings.rate(
        acting_user(), meeting, sound=body["sound"], picture=body["picture"],
        trouble=body.get("trouble", False), comment=text_value(body, "comment")))
    db.session.commit()
    return jsonify({"tool": rating.tool, "sound": rating.sound, "picture": rating.picture,
                    "trouble": rating.trouble, "comment": rating.comment})


@bp.get("/meetings/tool-comparison")
@json_errors
def comparison_api():
    if not ratings.can_see_comparison(acting_user()):
        raise Forbidden(_("Only HR, IT and administrators compare the online tools."))

    def rows(by_department: bool) -> list[dict]:
        return [{"tool": r.tool, "department": r.department, "meetings": r.meetings,
                 "sound": r.sound, "picture": r.picture, "trouble_share": r.trouble_share}
                for r in ratings.comparison(by_department=by_department)]

    return jsonify({"by_tool": rows(False), "by_department": rows(True)})
