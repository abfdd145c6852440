"""Exports (CSV for Excel, XLSX) and SVG charts of the telework statistics, on the data set of
test_telework_stats: numbers, language, formula injection, scoping, headers of the SVG."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import load_workbook

from tests.office import login
from tests.telework.telework_stats_data import NOW, add_session, build_world
from workhub import charts
from workhub.extensions import db
from workhub.org.models import Department, User

PERIOD = "from=2026-08&to=2026-11"


# Six accounts a test: the cheap password hash of conftest.
pytestmark = pytest.mark.usefixtures("fast_hashing")


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def world(app, make_department, make_user):
    return build_world(app, make_department, make_user)


@pytest.fixture(autouse=True)
def english(app, world):
    """The assertions below read English; the site's default language is Japanese."""
    with app.app_context():
        for user in db.session.query(User):
            user.language = "en"
        db.session.commit()


def norm(value):
    """A cell as CSV or XLSX gives it back: numbers as floats, empty as ""."""
    if value is None or value == "":
        return ""
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_csv_is_excel_friendly_with_the_numbers(client, frozen, world):
    login(client, world.hr)
    response = client.get(f"/telework/stats/export.csv?table=month&{PERIOD}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "telework-month-2026-08-2026-11.csv" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel then reads UTF-8
    assert raw.count(b"\r\n") == 5 and b"\n" not in raw.replace(b"\r\n", b"")
    assert read_csv(response) == [
        ["Month", "Sessions", "Hours", "Target (sessions)", "Achievement (%)"],
        ["2026-08", "1", "8.0", "", ""],
        ["2026-09", "0", "0.0", "", ""],
        ["2026-10", "2", "14.0", "10", "20.0"],
        ["2026-11", "8", "38.5", "20", "40.0"],
    ]


def test_csv_weekday_place_department(client, frozen, world):
    login(client, world.hr)
    rows = read_csv(client.get(f"/telework/stats/export.csv?table=weekday&{PERIOD}"))
    assert rows[1] == ["Monday", "3", "24.0"]
    assert [r[1] for r in rows[1:]] == ["3", "1", "3", "3", "1", "0", "0"]
    rows = read_csv(client.get(f"/telework/stats/export.csv?table=place&{PERIOD}"))
    assert rows[1:] == [["At home", "9", "48.5"], ["Satellite office", "1", "4.0"],
                        ["Other", "1", "8.0"]]
    rows = read_csv(client.get(f"/telework/stats/export.csv?table=department&{PERIOD}"))
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code["DIV"][1:] == ["Planning", "HQ", "2", "1", "8", "45.5", "6", "133.3"]
    assert by_code[""][1] == "No department"


def test_csv_neutralises_formulas(app, client, frozen, world, make_department):
    names = {"EVIL1": "=HYPERLINK(\"http://evil.example\",\"x\")", "EVIL2": "+1+1",
             "EVIL3": "-2+3", "EVIL4": "@SUM(A1)"}
    for code, name in names.items():
        make_department(code, name, parent="HQ")
    with app.app_context():
        for code in names:
            dept = db.session.query(Department).filter_by(code=code).one()
            add_session(world.emp1.id, date(2026, 11, 6), 1, dept_id=dept.id)
        db.session.commit()
    login(client, world.hr)
    rows = read_csv(client.get("/telework/stats/export.csv?table=department"))
    cells = {r[0]: r[1] for r in rows[1:]}
    for code, name in names.items():
        assert cells[code] == "'" + name
    # No cell of any row starts with a formula character.
    assert not any(c.startswith(("=", "+", "-", "@")) for r in rows for c in r)
    book = load_workbook(io.BytesIO(client.get("/telework/stats/export.xlsx").get_data()))
    sheet = book["By department"]
    found = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    for code, name in names.items():
        assert found[code].value == name and found[code].data_type == "s"


def test_xlsx_has_the_same_numbers(client, frozen, world):
    login(client, world.hr)
    response = client.get(f"/telework/stats/export.xlsx?{PERIOD}")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["Summary", "By month", "By weekday", "By place", "By department"]
    months = [[c.value for c in row] for row in book["By month"].iter_rows()]
    assert months == [
        ["Month", "Sessions", "Hours", "Target (sessions)", "Achievement (%)"],
        ["2026-08", 1, 8.0, None, None],
        ["2026-09", 0, 0.0, None, None],
        ["2026-10", 2, 14.0, 10, 20.0],
        ["2026-11", 8, 38.5, 20, 40.0],
    ]
    summary = {row[0].value: row[1].value for row in book["Summary"].iter_rows(min_row=2)}
    assert (summary["Sessions"], summary["Hours"], summary["Target (sessions)"]) == (11, 60.5, 30)
    assert summary["From (month)"] == "2026-08"
    for name in ("weekday", "place", "department"):
        csv_rows = read_csv(client.get(f"/telework/stats/export.csv?table={name}&{PERIOD}"))
        title = {"weekday": "By weekday", "place": "By place", "department": "By department"}
        sheet_rows = [[norm(c.value) for c in row] for row in book[title[name]].iter_rows()]
        assert sheet_rows == [[norm(v) for v in row] for row in csv_rows]


def test_exports_speak_japanese(app, client, frozen, world):
    with app.app_context():
        db.session.get(User, world.hr.id).language = "ja"
        db.session.commit()
    login(client, world.hr)
    rows = read_csv(client.get(f"/telework/stats/export.csv?table=weekday&{PERIOD}"))
    assert rows[1][0] == "月曜日"  # weekday names come from the CLDR data
    with app.test_request_context(), force_locale("ja"):
        expected = [_("Weekday"), _("Sessions"), _("Hours")]
    assert rows[0] == expected
    book = load_workbook(io.BytesIO(client.get(f"/telework/stats/export.xlsx?{PERIOD}")
                                    .get_data()))
    assert book.worksheets[2]["A2"].value == "月曜日"


def test_exports_are_scoped(app, client, frozen, world):
    login(client, world.manager)
    rows = read_csv(client.get("/telework/stats/export.csv?table=department"))
    assert [r[0] for r in rows[1:]] == ["DIV", "SEC1", "SEC2"]
    book = load_workbook(io.BytesIO(client.get("/telework/stats/export.xlsx").get_data()))
    summary = {row[0].value: row[1].value for row in book["Summary"].iter_rows(min_row=2)}
    assert summary["Sessions"] == 8
    assert client.get("/telework/stats/export.csv?department=OTHER").status_code == 403
    employee = app.test_client()
    login(employee, world.emp1)
    for path in ("/telework/stats/export.csv", "/telework/stats/export.xlsx",
                 "/telework/stats/charts/month.svg"):
        assert employee.get(path).status_code == 403


# --- SVG charts -------------------------------------------------------------------------


def assert_safe_svg(response):
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Content-Security-Policy"] == charts.SVG_CSP
    assert "script-src" not in response.headers["Content-Security-Policy"]
    svg = response.get_data(as_text=True)
    assert svg.startswith("<svg")
    assert "<script" not in svg and "<!--" not in svg
    assert "href" not in svg and "url(" not in svg and "@import" not in svg
    assert re.findall(r"https?://[^\"' <]+", svg) == ["http://www.w3.org/2000/svg"]
    return svg


def test_trend_chart(client, frozen, world):
    login(client, world.hr)
    svg = assert_safe_svg(client.get("/telework/charts/trend.svg"))
    assert "2024-12" in svg and "2026-11" in svg
    assert "Baseline" in svg and "Target (sessions)" in svg


def test_department_chart_and_the_html_keeps_its_policy(client, frozen, world):
    login(client, world.hr)
    svg = assert_safe_svg(client.get("/telework/charts/departments.svg"))
    # The top level only; the table beside it has every department.
    assert "Head office" in svg and "Other bureau" in svg and "Planning" not in svg
    page = client.get("/telework/")
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]


def test_chart_of_a_manager_shows_their_department_and_the_level_below(client, frozen, world):
    login(client, world.manager)
    svg = assert_safe_svg(client.get("/telework/charts/departments.svg"))
    assert "Planning" in svg and "Section 1" in svg and "Section 2" in svg
    assert "Head office" not in svg and "Other bureau" not in svg
    svg = assert_safe_svg(client.get("/telework/stats/charts/department.svg"))
    assert "Section 2" in svg and "Other bureau" not in svg


def test_charts_of_an_employee_show_only_their_own(app, client, frozen, world):
    login(client, world.emp1)
    svg = assert_safe_svg(client.get("/telework/charts/departments.svg"))
    assert "企画部" not in svg and "Planning" not in svg
    svg = assert_safe_svg(client.get("/telework/charts/trend.svg"))
    assert "Baseline" not in svg


@pytest.mark.parametrize("kind", ["month", "weekday", "place", "department"])
def test_statistics_charts(client, frozen, world, kind):
    login(client, world.hr)
    assert_safe_svg(client.get(f"/telework/stats/charts/{kind}.svg?{PERIOD}"))


def test_stats_page_charts_have_tables(client, frozen, world):
    login(client, world.hr)
    html = client.get(f"/telework/stats?{PERIOD}").get_data(as_text=True)
    assert html.count('<img class="img-fluid chart') == 4
    assert html.count("<caption>") == 4
    for img in re.findall(r"<img [^>]+>", html):
        assert re.search(r'alt="[^"]{10,}"', img), img
