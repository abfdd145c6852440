"""Mail through the job queue to a real SMTP relay (aiosmtpd, tests/fixtures_smtp.py).

The queue is worked by the real ``Worker`` running in a thread of the test process, against the
same database; its settings (poll, back-off) are shortened for the test.
"""

from __future__ import annotations

import logging
import threading

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from tests.core.workerproc import job_row, jobs_of, wait_job
from workhub.extensions import db
from workhub.jobs import services
from workhub.jobs.worker import Worker
from workhub.notify.jobs import REJECTED, RELAY_DOWN
from workhub.notify.models import Notification
from workhub.notify.services import notify, render_mail
from workhub.org.models import User

HANAKO = "山田 花子"
SECTION = "テレワーク"
LINE = "4月2日（木）の在宅勤務が承認されました。"


@pytest.fixture
def run_worker(app, monkeypatch):
    """Start the real worker loop in a thread; it is stopped (and must stop) at teardown."""
    monkeypatch.setitem(app.config, "JOB_POLL_SECONDS", 0.05)
    monkeypatch.setitem(app.config, "JOB_BACKOFF_SECONDS", 1)
    monkeypatch.setitem(app.config, "JOB_LEASE_SECONDS", 10)
    monkeypatch.setitem(app.config, "JOB_SHUTDOWN_GRACE_SECONDS", 5)
    started: list[tuple[Worker, threading.Thread]] = []

    def start(kinds=("mail.send",)) -> Worker:
        worker = Worker(app, concurrency=1, kinds=list(kinds), scheduler=False)
        thread = threading.Thread(target=worker.run, name="test-worker", daemon=True)
        thread.start()
        started.append((worker, thread))
        return worker

    yield start
    for worker, _thread in started:
        worker.stopping.set()
    for _worker, thread in started:
        thread.join(20)
        assert not thread.is_alive(), "the worker did not stop"


def _user(make_user, **kwargs) -> User:
    info = make_user(**kwargs)
    return db.session.get(User, info.id)


def _mail_jobs() -> list:
    return jobs_of("mail.send")


def _text(mail) -> str:
    """The body as text; a 7-bit body keeps the wire's CRLF line ends, so fold them."""
    return mail.message.get_content().replace("\r\n", "\n")


def _is_7bit(raw: bytes) -> bool:
    return all(byte < 128 for byte in raw)


def _assert_header_encoding(mail, name: str, expected: str) -> None:
    """The header decodes to exactly ``expected``; non-ASCII travels as UTF-8 RFC 2047 words."""
    assert mail.message[name] == expected
    raw = mail.raw_header(name)
    assert raw.isascii()
    if not expected.isascii():
        assert "=?utf-8?" in raw.lower(), raw


# --- workhub mail test -------------------------------------------------------------------


def test_mail_test_command_queues_and_the_relay_receives_it(smtp_app, smtp_relay, run_worker,
                                                           app_ctx):
    address = "it-kanri@city.example.jp"
    result = smtp_app.test_cli_runner().invoke(args=["mail", "test", address,
                                                     "--language", "ja"])
    assert result.exit_code == 0, result.output
    (job,) = _mail_jobs()
    assert f"job {job.id}" in result.output
    assert (job.status, job.payload["to"], job.payload["template"]) == ("queued", address, "test")
    assert smtp_relay.messages == []  # queued, not sent by the command itself

    run_worker()
    done = wait_job(job.id, lambda j: j.finished, 20, "the test mail was not sent")
    assert (done.status, done.result) == ("succeeded", {"delivery": "sent", "to": address})
    (mail,) = smtp_relay.wait_for(1)
    assert mail.rcpt_tos == [address]
    assert mail.mail_from == "workhub@city.example.jp"
    assert _is_7bit(mail.raw)

    msg = mail.message
    with force_locale("ja"):
        subject = gettext("WorkHub test mail")
    _assert_header_encoding(mail, "Subject", subject)
    assert msg["To"] == address
    assert msg["Date"] is not None and msg["Message-ID"] is not None
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content_charset() == "utf-8"
    body = _text(mail)
    assert body == done.payload["body"]
    assert f"{smtp_relay.host}:{smtp_relay.port}" in body  # names the relay it came through


def test_mail_test_command_refuses_a_bad_address(smtp_app, app_ctx):
    result = smtp_app.test_cli_runner().invoke(args=["mail", "test", "not an address"])
    assert result.exit_code != 0
    assert "Error:" in result.output and "Traceback" not in result.output
    assert _mail_jobs() == []


# --- Japanese mail -----------------------------------------------------------------------


def test_japanese_subject_and_body_round_trip_through_the_relay(smtp_app, smtp_relay,
                                                                run_worker, app_ctx):
    subject = f"【WorkHub】{HANAKO}様：{LINE}" * 2  # long enough to be folded
    body = f"{HANAKO}様\n\n{LINE}\n半角ｶﾅ、全角英数ＡＢＣ、①、〜、𠮷野家\n"
    job = services.enqueue("mail.send", {"to": "hanako@city.example.jp", "subject": subject,
                                         "body": body})
    db.session.commit()
    run_worker()
    wait_job(job.id, lambda j: j.status == "succeeded", 20, "the mail was not sent")
    (mail,) = smtp_relay.wait_for(1)
    assert _is_7bit(mail.raw), "the mail must pass relays without 8BITMIME"
    _assert_header_encoding(mail, "Subject", subject)
    assert _text(mail) == body
    assert mail.message["Content-Transfer-Encoding"] == "base64"


def test_notify_mails_the_rendered_template_with_the_japanese_name(smtp_app, smtp_relay,
                                                                   run_worker, make_user,
                                                                   app_ctx):
    user = _user(make_user, login="hanako", display_name=HANAKO,
                 email="hanako.yamada@city.example.jp")
    note = notify(user, "digest.test", "digest", url="/telework",
                  sections=[(SECTION, [LINE])])
    db.session.commit()
    (job,) = _mail_jobs()
    run_worker()
    wait_job(job.id, lambda j: j.status == "succeeded", 20, "the mail was not sent")
    (mail,) = smtp_relay.wait_for(1)
    subject, body = render_mail("digest", "ja", recipient=user, url="/telework",
                                sections=[(SECTION, [LINE])])
    _assert_header_encoding(mail, "Subject", subject)
    text = _text(mail)
    assert text == body
    assert HANAKO in text and f"■ {SECTION}" in text and f"・{LINE}" in text
    assert mail.rcpt_tos == ["hanako.yamada@city.example.jp"]
    # The bell shows the same thing.
    assert (note.title, note.body, note.url) == (subject, body, "/telework")


# --- a relay that is down, or refuses ----------------------------------------------------


def test_relay_down_retries_with_backoff_and_delivers_once_when_back(smtp_app, smtp_relay,
                                                                     run_worker, app_ctx):
    smtp_relay.stop()
    result = smtp_app.test_cli_runner().invoke(args=["mail", "test", "soumu@city.example.jp"])
    assert result.exit_code == 0, result.output
    (job,) = _mail_jobs()
    run_worker()
    failed = wait_job(job.id, lambda j: j.attempts >= 1 and j.status == "queued", 20,
                      "the failed attempt was not put back in the queue")
    assert failed.error == str(RELAY_DOWN)
    assert "WORKHUB_SMTP_" in failed.error  # says what to check
    assert "Connection refused" in failed.error_detail
    assert failed.run_after > failed.started_at  # backing off, not hammering the relay
    assert failed.finished_at is None and failed.worker_id is None

    smtp_relay.start()
    done = wait_job(job.id, lambda j: j.finished, 30, "the mail was not sent after the relay "
                    "came back")
    assert done.status == "succeeded"
    assert done.attempts >= 2
    assert len(smtp_relay.wait_for(1)) == 1
    assert smtp_relay.messages[0].rcpt_tos == ["soumu@city.example.jp"]


def test_permanent_refusal_fails_without_retry(smtp_app, smtp_relay, run_worker, app_ctx):
    smtp_relay.refuse("nobody@city.example.jp", 550)
    result = smtp_app.test_cli_runner().invoke(args=["mail", "test", "nobody@city.example.jp"])
    assert result.exit_code == 0, result.output
    (job,) = _mail_jobs()
    run_worker()
    done = wait_job(job.id, lambda j: j.finished, 20, "the refused mail did not fail")
    assert (done.status, done.attempts) == ("failed", 1)
    assert done.error == str(REJECTED)
    assert "550" in done.error_detail and "nobody@city.example.jp" in done.error_detail
    assert smtp_relay.messages == []


def test_passing_refusal_is_retried(smtp_app, smtp_relay, run_worker, app_ctx):
    smtp_relay.refuse("busy@city.example.jp", 450)
    smtp_app.test_cli_runner().invoke(args=["mail", "test", "busy@city.example.jp"])
    (job,) = _mail_jobs()
    run_worker()
    failed = wait_job(job.id, lambda j: j.attempts >= 1 and j.status == "queued", 20,
                      "a 4xx answer should be retried")
    assert "450" in failed.error_detail
    smtp_relay.accept("busy@city.example.jp")
    done = wait_job(job.id, lambda j: j.finished, 30, "the mail was not sent on retry")
    assert done.status == "succeeded"
    assert len(smtp_relay.wait_for(1)) == 1


# --- no relay configured -----------------------------------------------------------------


def test_without_a_relay_the_mail_is_written_to_the_log(app, run_worker, monkeypatch, caplog,
                                                        make_user, app_ctx):
    monkeypatch.setitem(app.config, "SMTP_HOST", "")
    caplog.set_level(logging.INFO, logger="workhub.mail")
    user = _user(make_user, login="hanako", display_name=HANAKO, email="hanako@city.example.jp")
    notify(user, "digest.test", "digest", sections=[(SECTION, [LINE])])
    db.session.commit()
    (job,) = _mail_jobs()
    run_worker()
    done = wait_job(job.id, lambda j: j.finished, 20, "the mail job did not run")
    assert done.result == {"delivery": "logged", "to": "hanako@city.example.jp"}
    logged = [r.getMessage() for r in caplog.records if r.name == "workhub.mail"]
    assert len(logged) == 1
    assert "To: hanako@city.example.jp" in logged[0]
    assert HANAKO in logged[0] and LINE in logged[0]


# --- notify(): the bell always, mail unless opted out -----------------------------------


def _notes(user: User) -> int:
    return db.session.scalar(select(func.count(Notification.id))
                             .where(Notification.user_id == user.id))


@pytest.mark.parametrize(
    ("opted_out", "essential", "mailed"),
    [(False, False, True), (True, False, False), (True, True, True), (False, True, True)],
)
def test_notify_respects_the_opt_out_for_non_essential_mail(make_user, app_ctx, opted_out,
                                                            essential, mailed):
    user = _user(make_user, login="taro", display_name="佐藤 太郎",
                 email="taro@city.example.jp")
    user.mail_opt_out = opted_out
    db.session.commit()
    notify(user, "digest.test", "digest", essential=essential, sections=[(SECTION, [LINE])])
    db.session.commit()
    assert _notes(user) == 1
    jobs = _mail_jobs()
    assert len(jobs) == (1 if mailed else 0)
    if mailed:
        assert jobs[0].payload["to"] == "taro@city.example.jp"
        assert jobs[0].max_attempts > 1  # a relay outage is ridden out


def test_notify_without_address_or_for_an_inactive_user_sends_no_mail(make_user, app_ctx):
    inactive = _user(make_user, login="gone", email="gone@city.example.jp", active=False)
    no_mail = _user(make_user, login="nomail")
    no_mail.email = None
    db.session.commit()
    for user in (inactive, no_mail):
        notify(user, "digest.test", "digest", essential=True, sections=[(SECTION, [LINE])])
    db.session.commit()
    assert _notes(inactive) == 1 and _notes(no_mail) == 1
    assert _mail_jobs() == []


def test_a_cancelled_mail_is_not_sent(smtp_app, smtp_relay, run_worker, app_ctx):
    job = services.enqueue("mail.send", {"to": "a@city.example.jp", "subject": "件名",
                                         "body": "本文\n"})
    db.session.commit()
    services.cancel(job_row(job.id))
    db.session.commit()
    other = services.enqueue("mail.send", {"to": "b@city.example.jp", "subject": "件名",
                                           "body": "本文\n"})
    db.session.commit()
    run_worker()
    wait_job(other.id, lambda j: j.status == "succeeded", 20, "the second mail was not sent")
    assert [m.rcpt_tos for m in smtp_relay.messages] == [["b@city.example.jp"]]
    assert job_row(job.id).status == "cancelled"
