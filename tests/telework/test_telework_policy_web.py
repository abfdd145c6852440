"""Policy pages: the effective policy of the organisation and each department with where it
comes from; editing through policy.set_policy, clearing a department's own policy."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import delete, select

from tests.dbstate import snapshot
from tests.office import csrf_token, sign_in
from workhub.auth.models import AuditEvent
from workhub.extensions import db
from workhub.org.models import Department
from workhub.telework.models import TeleworkPolicy

pytestmark = pytest.mark.usefixtures("fast_hashing")

SCRIPT = "<script>alert(1)</script>"
GOOD = {"max_days_per_week": "2", "max_days_per_month": "8", "deadline_business_days": "1",
        "deadline_time": "17:00", "approval_required": "y", "warn_share_percent": "50",
        "allow_unplanned_sessions": "y"}


@pytest.fixture
def org(app, make_department, make_user):
    """総務局 › 情報政策課 › 基盤係, and 財政課; no policy rows at all (a fresh database has
    the organisation row from the migration, later tests find it deleted: start alike)."""
    with app.app_context():
        db.session.execute(delete(TeleworkPolicy))
        db.session.commit()
    make_department("GEN", "総務局", name_en="General Affairs Bureau")
    make_department("IT", "情報政策課", parent="GEN", name_en="IT Policy Division")
    make_department("INFRA", "基盤係", parent="IT", name_en="Infrastructure Unit")
    make_department("FIN", "財政課", name_en="Finance Division")
    return {
        "hr": make_user("hr", roles=("employee", "hr"), department="FIN"),
        "admin": make_user("admin", roles=("admin",)),
    }


def assert_unique_ids(body: str) -> None:
    """Every id once: a label must point at exactly one control."""
    ids = re.findall(r'\sid="([^"]+)"', body)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})

def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def dept_id(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Department.id).where(Department.code == code))


def policies(app) -> dict:
    with app.app_context():
        rows = db.session.execute(
            select(Department.code, TeleworkPolicy)
            .outerjoin(Department, Department.id == TeleworkPolicy.department_id)
        ).all()
        return {code: row for code, row in rows}


def row_of(body: str, code: str | None) -> str:
    """The table row of a department (or of the organisation, for None)."""
    rows = re.findall(r"<tr>.*?</tr>", body, re.S)
    if code is None:
        return next(r for r in rows if "Whole organisation (default)" in r)
    return next(r for r in rows if f"<code>{code}</code>" in r)


def post(client, path: str, **overrides):
    data = {**GOOD, **overrides, "csrf_token": csrf_token(client, "/telework/policies")}
    return client.post(path, data={k: v for k, v in data.items() if v is not None})


def test_list_shows_values_and_where_they_come_from(app, client, org):
    with app.app_context():
        gen = db.session.scalar(select(Department).where(Department.code == "GEN"))
        db.session.add(TeleworkPolicy(department_id=gen.id, max_days_per_week=2,
                                      allow_unplanned_sessions=False))
        db.session.commit()
    sign_in(client, org["admin"])
    response = client.get("/telework/policies")
    assert response.status_code == 200
    body = text_of(response)
    assert "Built-in default" in row_of(body, None)  # the fixture emptied the table
    assert_unique_ids(body)
    assert "Own policy" in row_of(body, "GEN") and "Not allowed" in row_of(body, "GEN")
    assert "From General Affairs Bureau" in row_of(body, "IT")
    assert "From General Affairs Bureau" in row_of(body, "INFRA")
    assert "Built-in default" in row_of(body, "FIN") and "No limit" in row_of(body, "FIN")
    assert "1 business day before, by 17:00" in row_of(body, "FIN")
    assert f"/telework/policies/{dept_id(app, 'GEN')}/clear" in row_of(body, "GEN")
    assert "/clear" not in row_of(body, "IT")


def test_edit_the_organisation_default(app, client, org):
    sign_in(client, org["hr"])
    page = client.get("/telework/policies/organisation")
    assert page.status_code == 200
    assert 'value="17:00"' in page.get_data(as_text=True)
    response = post(client, "/telework/policies/organisation", max_days_per_week="3",
                    deadline_time="12:30", approval_required=None, warn_share_percent="")
    assert response.status_code == 303
    row = policies(app)[None]
    assert row.is_org_default and row.max_days_per_week == 3 and row.deadline_minutes == 750
    assert row.approval_required is False and row.warn_share_percent is None
    body = text_of(client.get("/telework/policies"))
    assert "The policy has been saved." in body
    assert "Organisation default" in row_of(body, "FIN")
    with app.app_context():
        (event,) = db.session.scalars(select(AuditEvent).where(
            AuditEvent.event == "telework.policy_changed")).all()
        assert event.actor_login == "hr" and event.target == "organisation"


def test_department_policy_is_created_inherited_and_cleared(app, client, org):
    sign_in(client, org["hr"])
    it = dept_id(app, "IT")
    page = text_of(client.get(f"/telework/policies/{it}"))
    assert "Now: Built-in default." in page
    assert "Saving creates this department's own policy" in page
    response = post(client, f"/telework/policies/{it}", max_days_per_week="1",
                    allow_unplanned_sessions=None)
    assert response.status_code == 303
    assert policies(app)["IT"].allow_unplanned_sessions is False
    body = text_of(client.get("/telework/policies"))
    assert "Own policy" in row_of(body, "IT")
    assert "From IT Policy Division" in row_of(body, "INFRA")
    page = text_of(client.get(f"/telework/policies/{it}"))
    assert "Now: Own policy." in page
    assert_unique_ids(page)

    token = csrf_token(client, "/telework/policies")
    response = client.post(f"/telework/policies/{it}/clear", data={"csrf_token": token})
    assert response.status_code == 303
    assert "IT" not in policies(app)
    assert "IT Policy Division follows the policy above it again." in text_of(
        client.get("/telework/policies"))
    response = client.post(f"/telework/policies/{it}/clear", data={"csrf_token": token})
    assert response.status_code == 303
    assert "had no policy of its own" in text_of(client.get("/telework/policies"))


@pytest.mark.parametrize(("overrides", "message"), [
    ({"max_days_per_week": "8"}, "Maximum remote days per week must be between 0 and 7."),
    ({"max_days_per_week": "two"}, "Enter a whole number, or leave it empty."),
    ({"max_days_per_month": "-1"}, "Enter a whole number, or leave it empty."),
    ({"max_days_per_month": "32"}, "between 0 and 31"),
    ({"deadline_business_days": ""}, "Business days before the day is required."),
    ({"deadline_business_days": "31"}, "between 0 and 30"),
    ({"deadline_time": "25:00"}, "Give the time as HH:MM between 00:00 and 23:59."),
    ({"deadline_time": ""}, "Enter the time (HH:MM)."),
    ({"deadline_time": SCRIPT}, "Give the time as HH:MM"),
    ({"warn_share_percent": "0"}, "between 1 and 100"),
    ({"warn_share_percent": "1" * 5000}, "Enter a whole number, or leave it empty."),
    ({"warn_share_percent": SCRIPT}, "Enter a whole number, or leave it empty."),
])
def test_bad_policy_input_is_400_and_writes_nothing(app, client, org, overrides, message):
    sign_in(client, org["admin"])
    before = snapshot(app)
    for path in ("/telework/policies/organisation", f"/telework/policies/{dept_id(app, 'IT')}"):
        response = post(client, path, **overrides)
        assert response.status_code == 400, path
        assert message in text_of(response)
        assert SCRIPT not in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_unknown_department_and_missing_csrf(app, client, org):
    sign_in(client, org["hr"])
    assert client.get("/telework/policies/999999").status_code == 404
    token = csrf_token(client, "/telework/policies")
    assert client.post("/telework/policies/999999/clear",
                       data={"csrf_token": token}).status_code == 404
    before = snapshot(app)
    it = dept_id(app, "IT")
    assert client.post(f"/telework/policies/{it}", data=GOOD).status_code == 400
    assert client.post(f"/telework/policies/{it}/clear").status_code == 400
    assert snapshot(app) == before
