"""Access-matrix entries for online meetings (the licence inventory and a meeting's
licences): see tests/core/test_access_matrix.py.

``build`` makes a pooled Zoom licence and a Zoom meeting of the section, still to come,
organised by the other user. The inventory is IT's and the administrators'; the meeting's
licences are for whoever may manage the meeting (the section's secretaries, administrators);
everyone else gets 403.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tests.core.access_common import Call, extra
from workhub.extensions import db
from workhub.meetings.models import Meeting
from workhub.online_meetings.models import Licence

NOT_IT = {"employee": 403, "manager": 403, "hr": 403, "secretary": 403}
OTHERS = {"employee": 403, "manager": 403, "hr": 403, "it_admin": 403}
LICENCE = {"licence_id": extra("licence")}
MEETING = {"meeting_id": extra("online_meeting")}
BOTH = {**MEETING, **LICENCE}
FORM = {"name": "行列ライセンス", "kind": "host", "tool": "webex", "capacity": "50",
        "mode": "pooled", "active": "y"}

ROUTES: dict[tuple[str, str], Call] = {
    ("GET", "/online-meetings/licences"): Call(),
    ("GET", "/online-meetings/licences/new"): Call(),
    ("POST", "/online-meetings/licences/new"): Call(data=FORM, ok=303),
    ("GET", "/online-meetings/licences/<int:licence_id>/edit"): Call(params=LICENCE),
    ("POST", "/online-meetings/licences/<int:licence_id>/edit"): Call(params=LICENCE, data=FORM,
                                                                      ok=303),
    ("POST", "/online-meetings/licences/<int:licence_id>/delete"): Call(params=LICENCE, ok=303),
    ("GET", "/online-meetings/meetings/<int:meeting_id>/licences"): Call(params=MEETING,
                                                                         by_role=OTHERS),
    # No licence chosen in the matrix's form: a manager of the meeting gets the page again.
    ("POST", "/online-meetings/meetings/<int:meeting_id>/licences"): Call(
        params=MEETING, ok=400, by_role=OTHERS),
    ("POST", "/online-meetings/meetings/<int:meeting_id>/licences/<int:licence_id>/release"):
        Call(params=BOTH, ok=303, by_role=OTHERS),
    # The matrix's meeting has no staff participant to invite: 400 on the page, 422 in the API.
    ("POST", "/online-meetings/meetings/<int:meeting_id>/invitations"): Call(
        params=MEETING, ok=400, by_role=OTHERS),
    ("POST", "/online-meetings/meetings/<int:meeting_id>/invitations/cancel"): Call(
        params=MEETING, ok=400, by_role=OTHERS),
    ("POST", "/api/v1/meetings/<int:meeting_id>/invitations"): Call(params=MEETING, ok=400,
                                                                    by_role=OTHERS),
    ("DELETE", "/api/v1/meetings/<int:meeting_id>/invitations"): Call(params=MEETING, ok=422,
                                                                      by_role=OTHERS),
    # The matrix's meeting is still to come: a rating is refused (400 page, 422 API).
    ("POST", "/online-meetings/meetings/<int:meeting_id>/rating"): Call(
        params=MEETING, ok=400, by_role=OTHERS),
    ("PUT", "/api/v1/meetings/<int:meeting_id>/rating"): Call(params=MEETING, ok=400,
                                                              by_role=OTHERS),
    ("GET", "/online-meetings/comparison"): Call(),
    ("GET", "/online-meetings/figures"): Call(),
    ("GET", "/online-meetings/figures/chart.svg"): Call(),
    ("GET", "/online-meetings/figures/export.csv"): Call(),
    ("GET", "/online-meetings/figures/export.xlsx"): Call(),
    ("GET", "/api/v1/meetings/tool-comparison"): Call(by_role={"employee": 403,
                                                               "manager": 403,
                                                               "secretary": 403}),
    ("GET", "/api/v1/licences"): Call(by_role=NOT_IT),
    ("POST", "/api/v1/licences"): Call(ok=400, by_role=NOT_IT),  # a form, not JSON
    ("GET", "/api/v1/licences/<int:licence_id>"): Call(params=LICENCE, by_role=NOT_IT),
    ("PATCH", "/api/v1/licences/<int:licence_id>"): Call(params=LICENCE, ok=400,
                                                         by_role=NOT_IT),
    ("DELETE", "/api/v1/licences/<int:licence_id>"): Call(params=LICENCE, ok=204,
                                                          by_role=NOT_IT),
    ("GET", "/api/v1/meetings/<int:meeting_id>/licences"): Call(params=MEETING, by_role=OTHERS),
    ("POST", "/api/v1/meetings/<int:meeting_id>/licences"): Call(params=MEETING, ok=400,
                                                                 by_role=OTHERS),
    ("DELETE", "/api/v1/meetings/<int:meeting_id>/licences/<int:licence_id>"): Call(
        params=BOTH, ok=204, by_role=OTHERS),
}


def build(app, me, other, ids) -> dict:
    licence = Licence(name="行列 Zoom", kind="host", tool="zoom", capacity=100, mode="pooled",
                      active=True)
    # Far enough ahead that it is still to come whenever the suite runs.
    meeting = Meeting(title="行列のオンライン会議", online_tool="zoom",
                      starts_at=datetime(2035, 6, 4, 1, 0, tzinfo=UTC),
                      ends_at=datetime(2035, 6, 4, 2, 0, tzinfo=UTC),
                      organiser_id=other.id, department_id=ids["MTX-SEC"])
    db.session.add_all([licence, meeting])
    db.session.commit()
    return {"licence": licence.id, "online_meeting": meeting.id}
