"""Device report pages, charts and exports: what each role gets, bad filters, CSV for Excel,
XLSX, formula injection (the data set is described in devices_reports_data.py)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.devices import devices_reports_data as data
from tests.devices.devices_reports_data import NOW
from tests.office import login
from workhub import charts
from workhub.devices.models import DeviceModel
from workhub.extensions import db

pytestmark = pytest.mark.usefixtures("fast_hashing", "english")
office = data.office
as_user = data.as_user


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def read_csv(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf") and b"\r\n" in body
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_it_sees_every_report(as_user):
    page = as_user("it").get("/devices/reports")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for name in ("stock", "lines", "departments", "overdue", "unconfirmed", "contracts", "cost"):
        assert f'id="table-{name}"' in html, name
    for name in ("stock", "departments", "cost"):
        assert f"/devices/reports/charts/{name}.svg?" in html
    assert 'id="total-cost">¥7,500<' in html
    assert 'id="total-overdue">3<' in html and 'id="total-in-stock">1<' in html
    assert "退職 五郎 (account closed)" in html
    assert "IT stock / unassigned" in html


def test_items_link_to_their_pages(as_user, office):
    devices, lines, loans = office[1].devices, office[1].lines, office[1].loans
    html = as_user("it").get("/devices/reports").get_data(as_text=True)
    assert f'<a href="/devices/{devices["PC-1"]}">PC-1</a>' in html
    assert f'<a href="/devices/allocations/{loans["a_laptop"]}">' in html
    assert f'<a href="/devices/lines/{lines["L5"]}">09000000005</a>' in html  # unconfirmed
    assert f'<a href="/devices/lines/{lines["L6"]}">DATA-6</a>' in html  # contracts


def test_a_manager_sees_their_departments_only(as_user):
    html = as_user("boss").get("/devices/reports").get_data(as_text=True)
    for name in ("stock", "lines", "contracts"):
        assert f'id="table-{name}"' not in html
    assert 'id="total-cost">¥5,000<' in html and 'id="total-overdue">2<' in html
    assert "SP-1" in html and "PC-1" in html
    assert "TB-1" not in html and "Finance Division" not in html
    assert "IT stock / unassigned" not in html and "無所属" not in html
    assert "/devices/labels" not in html


def test_the_page_is_japanese_by_default(client, office, monkeypatch, app):
    monkeypatch.setitem(app.config, "DEFAULT_LANGUAGE", "ja")
    monkeypatch.setitem(app.config, "BABEL_DEFAULT_LOCALE", "ja")
    login(client, office[0]["it"])
    html = client.get("/devices/reports").get_data(as_text=True)
    assert '<html lang="ja">' in html and "情報政策課" in html


@pytest.mark.parametrize(("query", "message"), [
    ("days=0", "Contracts ending within: enter a number of days from 1 to 3650."),
    ("unconfirmed_days=abc", "Unconfirmed for at least: enter a number of days from 0 to 365."),
    ("department=NOPE", "There is no department with code NOPE."),
])
def test_a_bad_filter_is_a_400_with_the_reason(as_user, query, message):
    client = as_user("it")
    page = client.get(f"/devices/reports?{query}")
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert message in html and 'aria-invalid="true"' in html
    for url in ("/devices/reports/export.csv", "/devices/reports/export.xlsx",
                "/devices/reports/charts/cost.svg"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_a_manager_cannot_look_at_another_department_or_the_inventory(as_user):
    client = as_user("boss")
    assert client.get("/devices/reports?department=FIN").status_code == 403
    assert client.get("/devices/reports/export.csv?report=stock").status_code == 403
    assert client.get("/devices/reports/export.csv?report=contracts").status_code == 403
    assert client.get("/devices/reports/charts/stock.svg").status_code == 403
    assert client.get("/devices/reports/export.csv?report=overdue&department=FIN"
                      ).status_code == 403


def test_csv_exports(as_user):
    client = as_user("it")
    rows = read_csv(client.get("/devices/reports/export.csv?report=overdue"))
    assert rows[0][:4] == ["Item", "Kind", "Description", "Holder"]
    assert [(r[0], r[-2], r[-1]) for r in rows[1:]] == [
        ("SP-1", "2026-03-25", "20"), ("PC-1", "2026-04-11", "3"), ("TB-1", "2026-04-13", "1")]
    response = client.get("/devices/reports/export.csv?report=cost")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="devices-cost-2026-04-14.csv"')
    cost = {r[1]: r[4:] for r in read_csv(response)[1:]}
    assert cost["General Affairs Bureau"] == ["0", "5000"]
    assert cost["IT stock / unassigned"] == ["1500", "1500"]
    # The default report is the one every permitted caller may see.
    default = read_csv(client.get("/devices/reports/export.csv"))
    assert default[0][-1] == "Open loans (with sub-departments)"
    manager = read_csv(as_user("boss").get("/devices/reports/export.csv?report=overdue"))
    assert [r[0] for r in manager[1:]] == ["SP-1", "PC-1"]


def test_an_unknown_report_or_chart(as_user):
    client = as_user("it")
    response = client.get("/devices/reports/export.csv?report=secrets")
    assert response.status_code == 400
    assert "Choose a report to export" in response.get_data(as_text=True)
    assert client.get("/devices/reports/charts/secrets.svg").status_code == 404


def test_exports_neutralise_formulas(app, as_user):
    with app.app_context():
        model = db.session.scalar(db.select(DeviceModel).where(DeviceModel.name == "G83"))
        model.maker = '=HYPERLINK("http://evil.example/","x")'
        db.session.commit()
    client = as_user("it")
    rows = read_csv(client.get("/devices/reports/export.csv?report=stock"))
    assert rows[1][1] == "'" + '=HYPERLINK("http://evil.example/","x")'
    book = load_workbook(io.BytesIO(client.get("/devices/reports/export.xlsx").get_data()))
    cell = book["Devices by model and status"]["B2"]
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"


def test_xlsx_has_a_sheet_per_visible_report(as_user):
    book = load_workbook(io.BytesIO(as_user("it").get(
        "/devices/reports/export.xlsx?days=30").get_data()))
    assert book.sheetnames == [
        "Summary", "Devices by model and status", "Lines by carrier and status",
        "Open loans by department", "Monthly line cost by department", "Overdue returns",
        "Receipts not confirmed", "Contracts ending"]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True)}
    assert summary["Contracts ending within (days)"] == 30
    assert summary["Monthly line cost (yen)"] == 7500
    assert book["Contracts ending"].max_row == 4  # header and three lines
    response = as_user("boss").get("/devices/reports/export.xlsx?department=SOMU")
    book = load_workbook(io.BytesIO(response.get_data()))
    assert "Devices by model and status" not in book.sheetnames
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True)}
    assert summary["Department"] == "General Affairs Division (SOMU)"
    assert summary["Monthly line cost (yen)"] == 2000


def test_charts_are_inert_svg_with_their_own_policy(as_user):
    client = as_user("it")
    for name in ("stock", "departments", "cost"):
        response = client.get(f"/devices/reports/charts/{name}.svg")
        assert response.status_code == 200 and response.mimetype == charts.SVG_MIMETYPE
        assert response.headers["Content-Security-Policy"] == charts.SVG_CSP
        svg = response.get_data(as_text=True)
        assert "<script" not in svg and "<!--" not in svg
    svg = client.get("/devices/reports/charts/departments.svg").get_data(as_text=True)
    assert "General Affairs Bureau" in svg and "Finance Division" in svg
    svg = as_user("boss").get("/devices/reports/charts/cost.svg").get_data(as_text=True)
    assert "General Affairs Bureau" in svg and "Finance Division" not in svg
    assert "unassigned" not in svg
