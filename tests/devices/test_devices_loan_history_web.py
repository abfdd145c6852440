"""The loan page's history is the inventory's history table (templates/devices/_history.html)
in the loan's words: lent, due, receipt with the terms version, return with its condition."""

from __future__ import annotations

import pytest

from tests.devices.devices_loans_helpers import DUE, NOW, web_site
from workhub.devices import allocations as svc
from workhub.devices.models import Device, LoanTerms
from workhub.extensions import db
from workhub.org.models import User


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def _history(page: str) -> str:
    """The history section of a page, tags and all."""
    return page.split('id="h-history"', 1)[1].split("</section>", 1)[0]


def test_the_loan_history_reads_as_the_loan(app, english):
    site = web_site(app)
    with app.app_context():
        db.session.add(LoanTerms(kind="laptop", text_ja="丁寧に扱うこと。", version=2,
                                 text_en="Handle with care."))
        it, emp = db.session.get(User, site.ids.it), db.session.get(User, site.ids.emp)
        loan = svc.allocate(it, user=emp, device=db.session.get(Device, site.ids.pc1),
                            due_date=DUE)
        svc.confirm_receipt(loan, emp, terms_version=2)
        svc.return_items(loan, it, condition="damaged", notes="Cracked <b>screen</b>")
        db.session.commit()
        loan_id = loan.id

    page = site.client("it").get(f"/devices/allocations/{loan_id}").get_data(as_text=True)
    history = _history(page)
    assert "Every change of this loan, oldest first" in history
    rows = history.split("<tr>")[2:]  # after the header row
    assert ["Lent" in rows[0], "Receipt confirmed" in rows[1], "Returned" in rows[2]] == [
        True, True, True]
    assert f"Due {DUE.isoformat()}" in rows[0] and "Terms version 2" in rows[1]
    assert "Condition: Damaged" in rows[2] and "Cracked &lt;b&gt;screen&lt;/b&gt;" in rows[2]
    assert "kit_id" not in history and "condition:" not in history
    assert "試験 it" in rows[0] and "試験 emp" in rows[1]

    # The device page shows the same events with the inventory's words, newest first.
    device = _history(site.client("it").get(f"/devices/{site.ids.pc1}").get_data(as_text=True))
    assert device.index("Returned") < device.index("Allocated")
    assert f"Due {DUE.isoformat()}" in device and "Terms version 2" in device
