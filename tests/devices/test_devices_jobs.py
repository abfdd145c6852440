"""The daily device jobs through the real worker, with the clock frozen: overdue reminders,
unconfirmed receipt reminders, contract-end alerts; once a day, opt-out, holidays, and one
path to a real SMTP relay (the data set is described in devices_reports_data.py)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tests.devices.devices_reports_data import TODAY, build_office
from tests.jobs import mails, notes, run
from workhub.devices import jobs as device_jobs
from workhub.devices.models import Allocation, InventoryEvent, Line
from workhub.extensions import db
from workhub.jobs import services as queue
from workhub.jobs.models import Job
from workhub.jobs.worker import Worker
from workhub.notify.models import Notification
from workhub.org.models import User

pytestmark = pytest.mark.usefixtures("fast_hashing", "english")


@pytest.fixture
def office(app, make_department, make_user):
    """The office of devices_reports_data, everyone reading English."""
    office = build_office(app, make_department, make_user)
    with app.app_context():
        for user in db.session.scalars(select(User)):
            user.language = "en"
        db.session.commit()
    return office


def reminded_events() -> list[tuple[int, str]]:
    rows = db.session.execute(select(InventoryEvent.allocation_id, InventoryEvent.detail)
                              .where(InventoryEvent.action == "reminded")
                              .order_by(InventoryEvent.id))
    return [(alloc, json.loads(detail)["reason"]) for alloc, detail in rows]


# --- overdue returns ------------------------------------------------------------------------


def test_overdue_reminders_to_holders_and_it_once_a_day(app, app_ctx, office, office_clock):
    loans = office[1].loans
    office_clock("2026-04-14 09:00")
    assert run(app, "devices.overdue_reminder") == {"overdue": 3, "holders": 2, "it": 1}
    # The leaver's account is closed: only IT hears about that phone.
    assert notes(device_jobs.OVERDUE_EVENT) == {"emp1": 1, "emp3": 1}
    assert notes(device_jobs.OVERDUE_IT_EVENT) == {"it": 1}
    sent = mails("devices_reminder_overdue")
    assert set(sent) == {"emp1", "emp3"}
    assert "PC-1 (Panasonic Let's note SV) — due 2026-04-11, 3 days overdue" in sent["emp1"]
    assert "TB-1" not in sent["emp1"]
    it_mail = mails("devices_reminder_overdue_it")["it"]
    assert "3 loans are past their due date" in it_mail
    assert "SP-1 — 退職 五郎 (leaver) [account closed] — due 2026-03-25, 20 days overdue" in it_mail
    assert sorted(reminded_events()) == sorted([(loans["a_laptop"], "overdue"),
                                                (loans["a_tablet"], "overdue")])
    note = db.session.scalar(select(Notification).where(
        Notification.event == device_jobs.OVERDUE_IT_EVENT))
    assert note.url == "/devices/reports"
    note = db.session.scalar(select(Notification).where(
        Notification.event == device_jobs.OVERDUE_EVENT))
    assert note.url == "/devices/my-items"

    office_clock("2026-04-14 15:00")
    assert run(app, "devices.overdue_reminder") == {"overdue": 3, "holders": 0, "it": 0}
    office_clock("2026-04-15 09:00")
    assert run(app, "devices.overdue_reminder") == {"overdue": 3, "holders": 2, "it": 1}
    assert notes(device_jobs.OVERDUE_EVENT) == {"emp1": 2, "emp3": 2}


def test_overdue_reminder_respects_opt_out_and_holidays(app, app_ctx, office, office_clock):
    db.session.scalar(select(User).where(User.login == "emp3")).mail_opt_out = True
    db.session.commit()
    office_clock("2026-04-29 09:00")  # 昭和の日
    assert run(app, "devices.overdue_reminder") == {"skipped": "not a business day"}
    assert notes(device_jobs.OVERDUE_EVENT) == {}
    office_clock("2026-04-30 09:00")
    run(app, "devices.overdue_reminder")  # emp2's router was due on 04-24
    assert notes(device_jobs.OVERDUE_EVENT) == {"emp1": 1, "emp2": 1, "emp3": 1}
    assert set(mails("devices_reminder_overdue")) == {"emp1", "emp2"}


# --- unconfirmed receipts -------------------------------------------------------------------


def test_unconfirmed_reminders_once_a_day(app, app_ctx, office, office_clock):
    loans = office[1].loans
    office_clock("2026-04-14 09:15")
    assert run(app, "devices.unconfirmed_reminder", {"days": 3}) == {
        "unconfirmed": 2, "holders": 2, "it": 1}
    assert notes(device_jobs.UNCONFIRMED_EVENT) == {"emp1": 1, "nodept": 1}
    assert "2 loans have waited 3 days or more" in mails("devices_reminder_unconfirmed_it")["it"]
    body = mails("devices_reminder_unconfirmed")["emp1"]
    assert "PC-1 (Panasonic Let's note SV) — lent on 2026-04-04" in body
    reminded = db.session.get(Allocation, loans["a_laptop"]).last_reminded_at
    assert reminded == datetime.fromisoformat("2026-04-14T09:15+09:00")
    assert db.session.get(Allocation, loans["a_router"]).last_reminded_at is None

    office_clock("2026-04-14 17:00")
    assert run(app, "devices.unconfirmed_reminder", {"days": 3}) == {
        "unconfirmed": 2, "holders": 0, "it": 0}
    # A shorter wait brings in emp2's router, allocated yesterday; the others were told today.
    assert run(app, "devices.unconfirmed_reminder", {"days": 0}) == {
        "unconfirmed": 3, "holders": 1, "it": 0}
    assert notes(device_jobs.UNCONFIRMED_EVENT) == {"emp1": 1, "emp2": 1, "nodept": 1}
    # Confirmed loans are never reminded again.
    db.session.get(Allocation, loans["a_laptop"]).confirmed_at = datetime.now().astimezone()
    db.session.commit()
    office_clock("2026-04-15 09:15")
    assert run(app, "devices.unconfirmed_reminder") == {"unconfirmed": 1, "holders": 1, "it": 1}
    assert notes(device_jobs.UNCONFIRMED_EVENT) == {"emp1": 1, "emp2": 1, "nodept": 2}
    assert reminded_events().count((loans["a_nodept"], "unconfirmed")) == 2


@pytest.mark.parametrize("days", ["3", -1, 400, True, None])
def test_a_bad_payload_fails_the_job_and_writes_nothing(app, app_ctx, office_clock, days):
    office_clock("2026-04-14 09:15")
    job_id = queue.enqueue("devices.unconfirmed_reminder", {"days": days}).id
    db.session.commit()
    Worker(app, scheduler=False).run_pending()
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert job.status == "failed" and "payload days" in job.error
    assert notes(device_jobs.UNCONFIRMED_EVENT) == {}


# --- contracts ------------------------------------------------------------------------------


def contract_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("・")]


def test_contract_alerts_once_per_line_stage_and_end_date(app, app_ctx, office, office_clock):
    office_clock("2026-04-14 08:30")
    assert run(app, "devices.contract_alert") == {"lines": 4, "it": 1}
    assert notes(device_jobs.CONTRACT_EVENT) == {"it": 1}
    body = mails("devices_contract_end")["it"]
    assert contract_lines(body) == [
        "・09000000005 docomo docomo plan — ended on 2026-04-09",
        "・09000000001 docomo docomo plan — ends on 2026-05-14 (in 30 days); "
        "renewal window open since 2026-03-15",
        "・DATA-6 au au plan — ends on 2026-07-13 (in 90 days)",
        "・09000000002 au au plan — ends on 2026-08-12 (in 120 days); "
        "renewal window open since 2026-03-15",
    ]
    office_clock("2026-04-15 08:30")
    assert run(app, "devices.contract_alert") == {"lines": 0, "it": 0}
    # L2 now comes within 90 days: a new stage, announced once.
    office_clock("2026-05-14 08:30")
    assert run(app, "devices.contract_alert") == {"lines": 1, "it": 1}
    # L1 renewed with a new end date inside the horizon: announced again.
    line = db.session.get(Line, office[1].lines["L1"])
    line.contract_end = TODAY + timedelta(days=60)
    db.session.commit()
    assert run(app, "devices.contract_alert") == {"lines": 1, "it": 1}
    assert notes(device_jobs.CONTRACT_EVENT) == {"it": 3}


def test_contract_alerts_go_to_admins_when_there_is_no_it_staff(app, app_ctx, office, office_clock):
    db.session.scalar(select(User).where(User.login == "it")).set_roles({"employee"})
    db.session.commit()
    office_clock("2026-04-14 08:30")
    assert run(app, "devices.contract_alert", {"days": 30}) == {"lines": 3, "it": 1}
    assert notes(device_jobs.CONTRACT_EVENT) == {"admin": 1}
    for person in db.session.scalars(select(User).where(User.login == "admin")):
        person.active = False
    db.session.commit()
    line = db.session.get(Line, office[1].lines["L3"])
    line.contract_end = TODAY + timedelta(days=20)
    db.session.commit()
    # Nobody to tell: nothing is remembered, so the alert comes when someone is there.
    assert run(app, "devices.contract_alert", {"days": 30}) == {"lines": 1, "it": 0}
    assert db.session.scalar(select(InventoryEvent.id).where(
        InventoryEvent.line_id == line.id, InventoryEvent.action == "contract_alert")) is None


# --- through a real relay -------------------------------------------------------------------


def test_overdue_reminder_reaches_the_relay_in_the_holders_language(
        smtp_app, smtp_relay, app_ctx, office, office_clock):
    for login in ("emp1", "emp3", "it"):
        db.session.scalar(select(User).where(User.login == login)).language = "ja"
    db.session.commit()
    office_clock("2026-04-14 09:00")
    run(smtp_app, "devices.overdue_reminder")  # the worker also sends the queued mails
    received = {mail.rcpt_tos[0]: mail for mail in smtp_relay.wait_for(3)}
    assert set(received) == {"emp1@city.example.jp", "emp3@city.example.jp",
                             "it@city.example.jp"}
    note = db.session.scalar(select(Notification).join(User).where(
        User.login == "emp1", Notification.event == device_jobs.OVERDUE_EVENT))
    mail = received["emp1@city.example.jp"].message
    assert mail["Subject"] == note.title
    assert mail.get_content().replace("\r\n", "\n") == note.body
    assert "社員 一郎" in note.body and "PC-1" in note.body
