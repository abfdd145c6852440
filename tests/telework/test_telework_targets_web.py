"""Targets page: the organisation and department targets of a month, CSV import with its
row-by-row report (all or nothing), and the CSV template."""

from __future__ import annotations

import html
import io
import re

import pytest
from sqlalchemy import select

from tests.dbstate import snapshot
from tests.office import csrf_token, sign_in
from workhub.auth.models import AuditEvent
from workhub.extensions import db
from workhub.org.models import Department
from workhub.telework.models import MonthlyTarget

pytestmark = pytest.mark.usefixtures("fast_hashing")

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def clock(office_clock):
    """Frozen at Tuesday 14 April 2026, 09:00 office time; returns the mover."""
    office_clock("2026-04-14 09:00")
    return office_clock


@pytest.fixture
def org(make_department, make_user, clock):
    make_department("GEN", "総務局", name_en="General Affairs Bureau")
    make_department("IT", "情報政策課", parent="GEN", name_en="IT Policy Division")
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


def token(client) -> str:
    return csrf_token(client, "/telework/targets")


def dept_ids(app) -> dict[str, int]:
    with app.app_context():
        return {d.code: d.id for d in db.session.scalars(select(Department))}


def targets_in_db(app) -> dict:
    with app.app_context():
        rows = db.session.execute(
            select(MonthlyTarget.month, Department.code, MonthlyTarget.target)
            .outerjoin(Department, Department.id == MonthlyTarget.department_id)
        ).all()
        return {(month, code): target for month, code, target in rows}


def save(client, app, month="2026-05", org_target="15000", **departments):
    ids = dept_ids(app)
    data = {"month": month, "org_target": org_target, "csrf_token": token(client)}
    for code in ("GEN", "IT", "FIN"):
        data[f"dept_{ids[code]}"] = departments.get(code, "")
    return client.post("/telework/targets", data=data)


def test_page_has_a_labelled_input_per_department(app, client, org):
    sign_in(client, org["hr"])
    response = client.get("/telework/targets?month=2026-05")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    ids = dept_ids(app)
    for code in ("GEN", "IT", "FIN"):
        field = f"dept_{ids[code]}"
        assert re.search(rf'<label for="{field}">', body), code
        assert re.search(rf'<input[^>]*id="{field}"[^>]*type="number"', body) or re.search(
            rf'<input[^>]*type="number"[^>]*id="{field}"', body), code
    assert "General Affairs Bureau › IT Policy Division" in html.unescape(body)
    assert '<label class="form-label" for="org_target">' in body
    assert 'href="/telework/targets/template.csv?month=2026-05"' in body
    assert "Targets for 2026-05" in body
    assert_unique_ids(body)


def test_hr_saves_and_changes_targets(app, client, org):
    sign_in(client, org["hr"])
    response = save(client, app, IT="800", FIN="３００")  # full-width digits are fine
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/telework/targets?month=2026-05")
    assert targets_in_db(app) == {("2026-05", None): 15000, ("2026-05", "IT"): 800,
                                  ("2026-05", "FIN"): 300}
    page = client.get("/telework/targets?month=2026-05").get_data(as_text=True)
    assert 'value="15000"' in page and 'value="800"' in page and 'value="300"' in page
    # Emptying a field removes that target.
    assert save(client, app, org_target="", IT="900").status_code == 303
    assert targets_in_db(app) == {("2026-05", "IT"): 900}
    with app.app_context():
        events = db.session.scalars(select(AuditEvent.event)).all()
    assert events.count("telework.targets_set") == 2


@pytest.mark.parametrize(("overrides", "message"), [
    ({"org_target": "abc"}, "Enter a whole number, or leave it empty."),
    ({"org_target": "-5"}, "Enter a whole number, or leave it empty."),
    ({"org_target": "1.5"}, "Enter a whole number, or leave it empty."),
    ({"org_target": SCRIPT}, "Enter a whole number, or leave it empty."),
    ({"org_target": "99999999999"}, "a target is a whole number from 0 to 10000000"),
    ({"IT": "1e3"}, "Enter a whole number, or leave it empty."),
    ({"month": "2026-13"}, "A month is written YYYY-MM"),
    ({"month": SCRIPT}, "A month is written YYYY-MM"),
    ({"month": ""}, "A month is written YYYY-MM"),
])
def test_bad_targets_are_400_and_write_nothing(app, client, org, overrides, message):
    sign_in(client, org["hr"])
    before = snapshot(app)
    response = save(client, app, **overrides)
    assert response.status_code == 400
    assert message in text_of(response)
    assert SCRIPT not in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_bad_month_in_the_address_is_400(client, org):
    sign_in(client, org["hr"])
    for month in ("2026-13", SCRIPT):
        assert client.get("/telework/targets", query_string={"month": month}).status_code == 400
        assert client.get("/telework/targets/template.csv",
                          query_string={"month": month}).status_code == 400


def test_admin_sees_targets_but_only_hr_sets_them(app, client, org):
    with app.app_context():
        db.session.add(MonthlyTarget(month="2026-05", department_id=None, target=15000))
        db.session.commit()
    sign_in(client, org["admin"])
    body = text_of(client.get("/telework/targets?month=2026-05"))
    assert "Only HR may set telework targets." in body and "15000" in body
    assert 'method="post" action="/telework/targets"' not in body
    before = snapshot(app)
    assert save(client, app).status_code == 403
    assert snapshot(app) == before


# --- CSV -------------------------------------------------------------------------------------


def upload(client, content: bytes, name="targets.csv"):
    return client.post("/telework/targets/import", data={
        "file": (io.BytesIO(content), name), "csrf_token": token(client)},
        content_type="multipart/form-data")


def test_csv_import(app, client, org):
    sign_in(client, org["hr"])
    content = "month,department,target\n2026-05,,15000\n2026-05,IT,800\n2026-06,FIN,３００\n"
    response = upload(client, content.encode("cp932"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/telework/targets?month=2026-05")
    assert targets_in_db(app) == {("2026-05", None): 15000, ("2026-05", "IT"): 800,
                                  ("2026-06", "FIN"): 300}
    assert "3 targets have been imported." in text_of(client.get("/telework/targets"))


def test_csv_with_a_bad_row_imports_nothing_and_reports_each_row(app, client, org):
    sign_in(client, org["hr"])
    before = snapshot(app)
    content = ("month,department,target\r\n2026-05,,15000\r\n2026-05,NOPE,800\r\n"
               f"2026-5,IT,1\r\n2026-05,FIN,{SCRIPT}\r\n").encode("utf-8-sig")
    response = upload(client, content)
    assert response.status_code == 400
    body = text_of(response)
    assert "Nothing was imported" in body
    report = re.search(r'<table[^>]*id="import-report".*?</table>', body, re.S).group(0)
    assert "Unknown department code: NOPE" in report
    assert "A month is written YYYY-MM" in report
    assert "A target is a whole number" in report
    assert report.count("OK") == 1
    assert SCRIPT not in response.get_data(as_text=True)
    assert snapshot(app) == before


@pytest.mark.parametrize(("content", "message"), [
    (b"", "Choose a CSV file."),
    # Shift_JIS decodes nearly any bytes: a binary file fails on its first line.
    (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "The first line must be"),
    (b"mon,dept,target\n2026-05,,1\n", "The first line must be: month,department,target"),
    (b"month,department,target\n", "The file has no targets."),
    (b"month,department,target\n" + b"2026-05,,1\n" * 300, "The file is too large"),
])
def test_csv_file_problems_are_400(app, client, org, monkeypatch, content, message):
    # A small limit: a real 1 MB upload would leave the test client's spooled file open.
    monkeypatch.setattr("workhub.telework.targets.MAX_CSV_BYTES", 2048)
    sign_in(client, org["hr"])
    before = snapshot(app)
    response = upload(client, content) if content else client.post(
        "/telework/targets/import", data={"csrf_token": token(client)},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert message in text_of(response)
    assert snapshot(app) == before


def test_csv_template(app, client, org):
    with app.app_context():
        it = db.session.scalar(select(Department).where(Department.code == "IT"))
        db.session.add_all([MonthlyTarget(month="2026-05", department_id=None, target=15000),
                            MonthlyTarget(month="2026-05", department_id=it.id, target=800)])
        db.session.commit()
    sign_in(client, org["hr"])
    response = client.get("/telework/targets/template.csv?month=2026-05")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "telework-targets-2026-05.csv" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "month,department,target"
    assert "2026-05,,15000" in lines and "2026-05,IT,800" in lines
    assert "2026-05,FIN," in lines and "2026-05,GEN," in lines
    # Filled in, the template imports.
    filled = raw.replace(b"2026-05,FIN,\r\n", b"2026-05,FIN,300\r\n").replace(
        b"2026-05,GEN,\r\n", b"")
    assert upload(client, filled).status_code == 303
    assert targets_in_db(app)[("2026-05", "FIN")] == 300
