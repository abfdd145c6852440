"""The audit log's hash chain (issue 14), attacked with plain SQL: an edited, deleted or
forged entry is named by ``workhub audit verify``; and what the audit log now records
(exports, job cancel/retry) and refuses to record (what was typed as a login)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text

from tests.office import csrf_token, login
from workhub.auth.audit_chain import AuditChain, verify
from workhub.auth.models import AuditEvent
from workhub.auth.services import audit
from workhub.extensions import db

pytestmark = pytest.mark.usefixtures("english", "fast_hashing")


def write(app, count: int) -> None:
    with app.app_context():
        for n in range(count):
            audit("test.event", actor_login="kanri", target=f"thing:{n}", ip="192.0.2.1",
                  detail_no=n, note="監査")
            db.session.commit()


def run_verify(app, *args):
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


def sql(app, statement: str, **params) -> None:
    with app.app_context():
        db.session.execute(text(statement), params)
        db.session.commit()


def test_an_untouched_chain_verifies(app):
    write(app, 5)
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
        assert rows[0].prev_hash == "" and rows[1].prev_hash == rows[0].hash
        head = db.session.get(AuditChain, 1)
        assert (head.seq, head.last_hash) == (5, rows[-1].hash)
        verdict = verify()
        assert verdict.problems == [] and verdict.sealed == 5 and verdict.unsealed == 0
    result = run_verify(app)
    assert result.exit_code == 0 and "the chain is intact" in result.output
    assert "5 entries checked" in result.output


@pytest.mark.parametrize("attack,found", [
    ("UPDATE audit_events SET target = 'thing:99' WHERE seq = 3", "entry 3 "),
    ("UPDATE audit_events SET ip = NULL WHERE seq = 1", "entry 1 "),
    ("DELETE FROM audit_events WHERE seq = 2", "entries 2–2 are missing"),
    ("DELETE FROM audit_events WHERE seq >= 4", "newest entries 4–5 are missing"),
    ("UPDATE audit_events SET seq = seq + 10 WHERE seq = 5", "missing"),
])
def test_plain_sql_tampering_is_named(app, attack, found):
    write(app, 5)
    sql(app, attack)
    result = run_verify(app, "--no-seal")
    assert result.exit_code == 1, result.output
    assert "BROKEN" in result.output and found in result.output, result.output


def test_an_edited_detail_is_found(app):
    write(app, 3)
    with app.app_context():
        row = db.session.scalar(select(AuditEvent).where(AuditEvent.seq == 2))
        row.detail = {**row.detail, "note": "改ざん"}
        db.session.commit()
        assert any("entry 2 " in p and "changed" in p for p in verify().problems)


def test_a_forged_entry_is_found_sealed_or_not(app):
    write(app, 2)
    sql(app, "INSERT INTO audit_events (at, event, actor_login, detail) "
             "VALUES (CURRENT_TIMESTAMP, 'login.ok', 'ghost', '{}')")
    with app.app_context():
        assert verify().unsealed == 1  # written behind the application's back
    sql(app, "INSERT INTO audit_events (at, event, actor_login, detail, seq, prev_hash, hash) "
             "VALUES (CURRENT_TIMESTAMP, 'login.ok', 'ghost2', '{}', 3, 'x', 'y')")
    assert run_verify(app, "--no-seal").exit_code == 1


def test_concurrent_writers_keep_one_unbroken_chain(app):
    errors = []

    def writer(n: int) -> None:
        try:
            with app.app_context():
                for i in range(5):
                    audit("test.concurrent", actor_login=f"w{n}", target=str(i))
                    db.session.commit()
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with app.app_context():
        verdict = verify()
        assert verdict.problems == [] and verdict.sealed == 30 and verdict.unsealed == 0


def test_what_was_typed_as_a_login_is_never_stored(app, client, make_user):
    make_user("hanako")
    typed = "Kasumi-Pass-9999"  # a password typed into the login field
    for _ in range(2):
        client.post("/login", data={"login": typed, "password": "x" * 12,
                                    "csrf_token": csrf_token(client)})
    client.post("/login", data={"login": typed + "\x00", "password": "",
                                "csrf_token": csrf_token(client)})
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(
            AuditEvent.event == "login.failed").order_by(AuditEvent.id)).all()
        assert len(rows) == 3
        for row in rows:
            stored = " ".join(str(v) for v in (row.actor_login, row.target, row.detail))
            assert typed.lower() not in stored.lower()
        digests = [r.detail.get("login_digest") for r in rows]
        assert digests[0] == digests[1] and len(digests[0]) == 16
    # A known account's failures still name it.
    client.post("/login", data={"login": "hanako", "password": "wrong-password-1",
                                "csrf_token": csrf_token(client)})
    with app.app_context():
        last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (last.event, last.actor_login) == ("login.failed", "hanako")


def test_job_cancel_and_retry_are_audited(app, client, make_user):
    from workhub.jobs import services

    make_user("kanri", roles=("employee", "admin"))
    with app.app_context():
        job_id = services.enqueue("jobs.purge", {}).id
        db.session.commit()
    login(client, "kanri")
    for action in ("cancel", "retry"):
        response = client.post(f"/admin/jobs/{job_id}/{action}",
                               data={"csrf_token": csrf_token(client, "/profile")})
        assert response.status_code in (302, 303), action
    with app.app_context():
        events = [(e.event, e.target, e.actor_login) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.event.like("job.%")).order_by(AuditEvent.id))]
        assert events == [("job.cancelled", f"job:{job_id}", "kanri"),
                          ("job.retried", f"job:{job_id}", "kanri")]


def test_exports_of_personal_data_are_audited(app, client, make_user):
    make_user("it", roles=("employee", "it_admin"))
    login(client, "it")
    response = client.get("/devices/lines/export.csv?q=docomo")
    assert response.status_code == 200
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "data.exported"))
        assert (event.actor_login, event.detail["what"], event.detail["filename"]) == (
            "it", "devices.lines", "lines.csv")
        assert event.target == "/devices/lines/export.csv?q=docomo"
        assert verify().problems == []
