"""Many processes lend the same device at the same moment: exactly one succeeds, every other
gets a 409, and the database holds one open loan, one "allocated" event and the device marked
allocated.

Each contender is a separate process with its own ``create_app`` and its own connections to
the session's test database, released together by a barrier; the rule is the database's
partial unique index, not a check before the insert. The processes come from
multiprocessing's fork server: a fresh interpreter like spawn's (nothing inherited from the
test process, no open connection), which imports the application once and forks each
contender from there, so eight contenders cost seconds instead of eight full start-ups.

It runs on both backends: on PostgreSQL the losers wait on the index until the winner
commits, on SQLite on the write lock. The PostgreSQL pass uses the same fixtures as every
other test: without a server it fails, it does not skip.
"""

from __future__ import annotations

import multiprocessing
import queue
import sys

from sqlalchemy import func, select

from tests.devices.devices_loans_helpers import DUE, inventory, org, person
from tests.devices.devices_loans_race import contend
from workhub.auth.services import create_token
from workhub.devices.models import Allocation, Device, InventoryEvent
from workhub.extensions import db

CONTENDERS = 8


def test_one_device_lent_by_eight_processes_at_once(app, database_url):
    with app.app_context():
        staff, items = org(), inventory()
        holders = [person(f"holder{i}", department="JINJI") for i in range(CONTENDERS)]
        it_staff = [person(f"it{i}", "it_admin") for i in range(CONTENDERS)]
        secrets = [create_token(u, "race")[1] for u in it_staff]
        db.session.commit()
        device_id = items.pc1.id
        logins = [h.login for h in holders]

    ctx = multiprocessing.get_context("forkserver")
    # Modules only, imported in the fork server before any contender exists.
    ctx.set_forkserver_preload(["devices_loans_race", *sorted(
        name for name in sys.modules if name == "workhub" or name.startswith("workhub."))])
    barrier, results = ctx.Barrier(CONTENDERS), ctx.Queue()
    processes = [
        ctx.Process(target=contend, name=f"contender-{i}", args=(
            database_url, app.config["INSTANCE_PATH"], barrier, results, secrets[i],
            {"device_id": device_id, "user": logins[i], "due_date": DUE.isoformat()}))
        for i in range(CONTENDERS)]
    for process in processes:
        process.start()
    answers = []
    try:
        for _ in processes:
            answers.append(results.get(timeout=180))
    except queue.Empty:
        raise AssertionError(f"only {len(answers)} contenders answered: {answers}") from None
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():  # pragma: no cover - a hung contender
                process.kill()
                process.join()

    crashes = [a for a in answers if a[1] == 0]
    assert crashes == [], crashes[0][3] if crashes else None
    statuses = sorted(status for _pid, status, _code, _message in answers)
    assert statuses == [201] + [409] * (CONTENDERS - 1), answers
    losers = [a for a in answers if a[1] == 409]
    assert {code for _pid, _status, code, _message in losers} == {"already_allocated"}
    with app.app_context():
        (loan,) = db.session.scalars(select(Allocation).where(Allocation.device_id == device_id))
        assert loan.returned_at is None and loan.user.login in logins
        # Every loser was told who holds it.
        assert all(f"({loan.user.login})" in message for *_rest, message in losers)
        assert db.session.get(Device, device_id).status == "allocated"
        assert db.session.scalar(select(func.count(InventoryEvent.id)).where(
            InventoryEvent.action == "allocated", InventoryEvent.device_id == device_id)) == 1
        assert staff.emp is not None  # the rest of the organisation is untouched
