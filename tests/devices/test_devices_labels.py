"""Printable asset labels: who may print, choosing devices, the sheet layout, bad input, and
QR codes that really encode the device page's absolute URL (read back from the SVG)."""

from __future__ import annotations

import re

import pytest
import segno

from tests.devices import devices_reports_data as data
from tests.office import TEST_PASSWORD
from workhub.devices import labels
from workhub.devices.models import Device, DeviceModel
from workhub.extensions import db

pytestmark = pytest.mark.usefixtures("fast_hashing", "english")
office = data.office
as_user = data.as_user


def svg_matrix(svg: str) -> list[list[int]]:
    """Read a segno SVG path back into modules (1 = dark), quiet zone included: "M x y" and
    "m dx dy" move, "h n" paints n modules to the right on the row at y - 0.5."""
    width = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    grid = [[0] * width for _ in range(width)]
    x = y = 0.0
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?",
                               re.search(r' d="([^"]+)"', svg).group(1)):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            for col in range(int(x), int(x + float(a))):
                grid[int(y - 0.5)][col] = 1
            x += float(a)
    return grid


def with_border(matrix, border: int) -> list[list[int]]:
    size = len(matrix) + 2 * border
    rows = [[0] * size for _ in range(border)]
    rows += [[0] * border + [int(bool(v)) for v in row] + [0] * border for row in matrix]
    return rows + [[0] * size for _ in range(border)]


def sheet_svgs(html: str) -> list[str]:
    return re.findall(r"<svg[^>]*class=\"qr\".*?</svg>", html, flags=re.S)


def test_the_qr_code_encodes_exactly_the_url():
    url = "https://workhub.city.example.jp/devices/42"
    svg = labels.qr_svg(url)
    expected = with_border(segno.make(url, micro=False).matrix, labels.QR_BORDER)
    assert svg_matrix(svg) == expected
    assert svg_matrix(svg) != with_border(
        segno.make(url.replace("42", "43"), micro=False).matrix, labels.QR_BORDER)
    # Nothing the page's Content-Security-Policy would block, nothing for screen readers.
    assert "style=" not in svg and "<script" not in svg and "href" not in svg
    assert svg.startswith('<svg aria-hidden="true" focusable="false" viewBox=')


def test_only_it_prints_labels(as_user, office):
    device = office[1].devices["PC-2"]
    for name in ("boss", "emp1", "hr"):
        client = as_user(name)
        assert client.get("/devices/labels").status_code == 403
        assert client.get(f"/devices/labels/sheet?device={device}").status_code == 403
    for name in ("it", "admin"):
        assert as_user(name).get(f"/devices/labels/sheet?device={device}").status_code == 200


def test_the_list_filters_devices(as_user, office):
    client = as_user("it")
    html = client.get("/devices/labels").get_data(as_text=True)
    assert len(re.findall(r'name="device" value="\d+"', html)) == 8
    html = client.get("/devices/labels?kind=laptop&status=in_repair").get_data(as_text=True)
    assert re.findall(r"<code>([^<]+)</code>", html) == ["PC-3"]
    model = office[1].models["se"]
    html = client.get(f"/devices/labels?model={model}").get_data(as_text=True)
    assert re.findall(r"<code>([^<]+)</code>", html) == ["SP-1", "SP-2"]
    html = client.get("/devices/labels?text=rt-").get_data(as_text=True)
    assert re.findall(r"<code>([^<]+)</code>", html) == ["RT-1"]
    assert 'name="text" type="hidden" value="rt-"' in html or 'value="rt-"' in html
    html = client.get("/devices/labels?text=nothing-like-this").get_data(as_text=True)
    assert 'id="no-devices"' in html


@pytest.mark.parametrize(("query", "message"), [
    ("kind=fax", "Choose a kind from the list."),
    ("status=stolen", "Choose a status from the list."),
    ("model=abc", "Choose a model from the list."),
    ("model=99999999999", "Choose a model from the list."),
    ("text=" + "x" * 101, "Search for 100 characters at most."),
])
def test_bad_list_filters(logged_in, client, query, message):
    logged_in(("employee", "it_admin"))
    response = client.get(f"/devices/labels?{query}")
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_a_sheet_of_the_chosen_devices(app, as_user, office):
    devices = office[1].devices
    # The QR codes hold the address people reached WorkHub at.
    client, host = app.test_client(), "http://workhub.city.example.jp"
    form = client.get("/login", base_url=host).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    client.post("/login", base_url=host, data={"login": "it", "password": TEST_PASSWORD,
                                               "csrf_token": token})
    response = client.get(
        f"/devices/labels/sheet?device={devices['SP-1']}&device={devices['PC-2']}&skip=2",
        base_url=host)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "devices-labels.css" in html
    cells = re.findall(r'<li class="asset-label( asset-blank)?"', html)
    assert len(cells) == labels.PER_SHEET  # one sheet, filled up with blank cells
    assert [bool(blank) for blank in cells[:4]] == [True, True, False, False]
    assert re.findall(r'class="asset-tag">([^<]+)<', html) == ["PC-2", "SP-1"]
    assert "Panasonic Let&#39;s note SV" in html and "S/N SN-PC-2" in html
    with app.test_request_context(base_url="http://workhub.city.example.jp"):
        from flask import url_for

        expected = [url_for("devices.device", device_id=devices[tag], _external=True)
                    for tag in ("PC-2", "SP-1")]
    assert expected[0] == f"http://workhub.city.example.jp/devices/{devices['PC-2']}"
    assert [svg_matrix(svg) for svg in sheet_svgs(html)] == [
        with_border(segno.make(url, micro=False).matrix, labels.QR_BORDER) for url in expected]


def test_all_listed_devices_on_several_sheets(app, as_user, office):
    with app.app_context():
        model = db.session.get(DeviceModel, office[1].models["g83"])
        db.session.add_all(Device(asset_tag=f"BULK-{n:03d}", model_id=model.id,
                                  maker=model.maker) for n in range(30))
        db.session.commit()
    client = as_user("it")
    html = client.get("/devices/labels/sheet?all=1&text=BULK").get_data(as_text=True)
    assert html.count('class="label-sheet"') == 2
    assert len(re.findall(r'class="asset-tag"', html)) == 30
    assert len(sheet_svgs(html)) == 30


def test_at_most_a_batch_of_labels(app, as_user, office):
    with app.app_context():
        model = db.session.get(DeviceModel, office[1].models["g83"])
        db.session.add_all(Device(asset_tag=f"MANY-{n:03d}", model_id=model.id,
                                  maker=model.maker) for n in range(labels.MAX_LABELS + 1))
        db.session.commit()
        ids = [str(i) for i in db.session.scalars(db.select(Device.id))]
    client = as_user("it")
    html = client.get("/devices/labels?text=MANY").get_data(as_text=True)
    assert "Only the first 240 devices are listed" in html and 'name="all"' not in html
    response = client.get("/devices/labels/sheet?all=1&text=MANY")
    assert response.status_code == 400
    assert "Print 240 labels at most at a time." in response.get_data(as_text=True)
    query = "&".join(f"device={i}" for i in ids)
    assert client.get(f"/devices/labels/sheet?{query}").status_code == 400


@pytest.mark.parametrize(("query", "message"), [
    ("", "Choose at least one device."),
    ("device=", "Choose the devices from the list."),
    ("device=abc", "Choose the devices from the list."),
    ("device=-1", "Choose the devices from the list."),
    ("device=99999999999", "Choose the devices from the list."),
    ("device=424242", "Some of the chosen devices no longer exist."),
    ("all=1&text=nothing-like-this", "Choose at least one device."),
    ("all=1&kind=fax", "Choose a kind from the list."),
    ("skip=24&device=1", "Labels already used: enter a number from 0 to 23."),
    ("skip=x&device=1", "Labels already used: enter a number from 0 to 23."),
])
def test_bad_sheet_requests(logged_in, client, query, message):
    logged_in(("employee", "it_admin"))
    response = client.get(f"/devices/labels/sheet?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
