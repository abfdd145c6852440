"""Survey reminders through the real worker with a frozen Japan clock: every N days to the
people asked who have not answered, a last one before closing, once a day, business days
only, opt-out honoured, counts only; drafts of closed surveys dropped; one mail through a
real SMTP relay."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from surveys import answering, drafts
from surveys import jobs as survey_jobs
from surveys.models import Survey, SurveyDraft
from tests.jobs import mails, notes, run
from tests.surveys.surveys_answer_data import GOOD, count, full_survey, person
from workhub.extensions import db
from workhub.jobs.models import Job
from workhub.notify.models import Notification
from workhub.org.models import User

pytestmark = pytest.mark.usefixtures("fast_hashing", "english")


def jst(text: str) -> datetime:
    return datetime.fromisoformat(text.replace(" ", "T") + "+09:00")


@pytest.fixture
def office(app_ctx, make_department, make_user, office_clock):
    office_clock("2026-04-06 08:00")  # a Monday
    make_department("IT", "情報政策課")
    make_department("FIN", "財政課")
    for login, dept in (("emp", "IT"), ("mate", "IT"), ("quiet", "IT"), ("gone", "IT"),
                        ("fin", "FIN")):
        make_user(login, department=dept, active=login != "gone")
    for user in db.session.scalars(select(User)):
        user.language = "en"
        user.mail_opt_out = user.login == "quiet"
    db.session.commit()
    survey = full_survey(audience_all=False, departments=["IT"], reminder_days=3,
                         opens_at=jst("2026-04-06 09:00"), closes_at=jst("2026-04-24 17:00"))
    return survey.id


@pytest.fixture
def day(app, office_clock):
    """Run the reminder job at a Japan time: ``day("2026-04-09 09:00")``; its result."""

    def at(when: str) -> dict:
        office_clock(when)
        return run(app, "surveys.reminders")

    return at


def test_reminders_every_n_days_to_those_who_have_not_answered(day, office):
    assert day("2026-04-07 09:00") == {"surveys": 0, "reminded": 0, "drafts_deleted": 0}
    answering.submit(db.session.get(Survey, office), person("emp"), GOOD)
    db.session.commit()
    assert day("2026-04-09 09:00") == {"surveys": 1, "reminded": 2, "drafts_deleted": 0}
    assert notes(survey_jobs.REMINDER_EVENT) == {"mate": 1, "quiet": 1}
    sent = mails("surveys_reminder")
    assert set(sent) == {"mate"}  # quiet refused reminder mails: in-app only
    assert "please answer the survey “Work-style survey”" in sent["mate"]
    assert "It closes on 2026-04-24 17:00 (Japan time)." in sent["mate"]
    assert "anonymous" in sent["mate"] and "last reminder" not in sent["mate"]
    note = db.session.scalar(select(Notification).where(
        Notification.event == survey_jobs.REMINDER_EVENT))
    assert note.url == f"/surveys/{office}/answer"
    # Once a day, and only every three days, on business days.
    assert day("2026-04-09 15:00")["surveys"] == 0
    assert day("2026-04-10 09:00")["surveys"] == 0
    assert day("2026-04-11 09:00") == {"skipped": "not a business day",
                                            "drafts_deleted": 0}
    assert day("2026-04-13 09:00")["reminded"] == 2
    assert day("2026-04-14 09:00")["surveys"] == 0
    assert day("2026-04-16 09:00")["reminded"] == 2
    assert day("2026-04-20 09:00")["reminded"] == 2
    assert day("2026-04-22 09:00")["surveys"] == 0
    assert notes(survey_jobs.REMINDER_EVENT) == {"mate": 4, "quiet": 4}


def test_a_last_reminder_on_the_last_business_day_before_closing(day, office):
    db.session.get(Survey, office).reminder_days = 30
    db.session.commit()
    assert day("2026-04-22 09:00")["surveys"] == 0
    assert day("2026-04-23 09:00")["reminded"] == 3
    last = mails("surveys_reminder")["mate"]
    assert "last reminder to answer" in last and "This is the last reminder." in last
    assert day("2026-04-24 09:00")["surveys"] == 0  # the closing day itself: no more
    assert db.session.get(Survey, office).last_reminded_on.isoformat() == "2026-04-23"


def test_closed_drafts_and_unpublished_surveys(day, office, office_clock):
    office_clock("2026-04-08 12:00")
    survey = db.session.get(Survey, office)
    drafts.save_draft(survey, person("mate"), {"days": 2})
    other = full_survey(status="draft", reminder_days=1, opens_at=jst("2026-04-01 09:00"),
                        closes_at=jst("2026-05-01 09:00"))
    still_open = full_survey(reminder_days=1, opens_at=jst("2026-04-08 09:00"),
                             closes_at=jst("2026-05-15 17:00"))
    drafts.save_draft(still_open, person("fin"), {"days": 1})
    db.session.commit()
    assert count(SurveyDraft) == 2
    result = day("2026-04-27 09:00")  # the survey closed on Friday
    assert result == {"surveys": 1, "reminded": 4, "drafts_deleted": 1}  # the open one
    assert count(SurveyDraft) == 1
    assert db.session.get(Survey, other.id).last_reminded_on is None


def test_job_rows_hold_counts_only(day, office, office_clock):
    office_clock("2026-04-08 12:00")
    answering.submit(db.session.get(Survey, office), person("emp"), GOOD)
    db.session.commit()
    day("2026-04-09 09:00")
    jobs = db.session.scalars(select(Job).where(Job.kind == "surveys.reminders")).all()
    assert [job.payload for job in jobs] == [{}]
    assert all(isinstance(v, int) for v in jobs[0].result.values())
    mail_jobs = db.session.scalars(select(Job).where(Job.kind == "mail.send")).all()
    assert {job.payload["to"] for job in mail_jobs} == {"mate@city.example.jp"}
    for job in mail_jobs:
        assert "emp" not in job.payload["body"] and "VPN" not in job.payload["body"]


def test_a_reminder_reaches_the_relay_in_japanese(smtp_app, smtp_relay, office, office_clock):
    for login in ("mate", "quiet"):
        person(login).language = "ja"
    person("quiet").mail_opt_out = False
    db.session.commit()
    office_clock("2026-04-08 12:00")
    answering.submit(db.session.get(Survey, office), person("emp"), GOOD)
    person("emp").mail_opt_out = True  # answered anyway: not reminded, opted out or not
    db.session.commit()
    office_clock("2026-04-09 09:00")
    assert run(smtp_app, "surveys.reminders")["reminded"] == 2
    received = {mail.rcpt_tos[0]: mail for mail in smtp_relay.wait_for(2)}
    assert set(received) == {"mate@city.example.jp", "quiet@city.example.jp"}
    note = db.session.scalar(select(Notification).join(User).where(
        User.login == "mate", Notification.event == survey_jobs.REMINDER_EVENT))
    mail = received["mate@city.example.jp"].message
    assert mail["Subject"] == note.title and "働き方アンケート" in note.title
    assert mail.get_content().replace("\r\n", "\n") == note.body
