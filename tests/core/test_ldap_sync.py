"""Directory sync against a real OpenLDAP slapd: the service and ``workhub ldap-sync``."""

from __future__ import annotations

import socket

import pytest

from tests.fixtures_ldap import (
    LDAP_PASSWORD,
    PEOPLE_BASE,
    ROLE_GROUPS,
    audit_rows,
    person_dn,
    user_row,
)
from workhub.auth.ldap import directory_from_config
from workhub.auth.services import DirectoryUnavailable
from workhub.errors import DomainError
from workhub.extensions import db
from workhub.org.sync import SyncResult, sync_directory

pytestmark = pytest.mark.ldap

# Everyone in tests/ldap/directory.ldif.in; "kato" is in the directory twice (ambiguous).
PEOPLE = {
    "tanaka": ({"employee", "manager"}, "SOMU"),
    "sato": ({"employee", "hr"}, "JINJI"),
    "suzuki": ({"employee", "it_admin"}, "JOHO"),
    "takahashi": ({"employee", "secretary"}, "HISHO"),
    "watanabe": ({"employee", "admin"}, "JOHO"),
    "ito": ({"employee"}, None),
    "yamamoto": ({"employee"}, "SOMU"),
    "kobayashi": ({"employee"}, "SOMU"),
}


@pytest.fixture
def departments(make_department):
    for code, name in (("SOMU", "総務課"), ("JINJI", "人事課"), ("JOHO", "情報政策課"),
                       ("HISHO", "秘書課")):
        make_department(code, name)


def sync(app) -> SyncResult:
    with app.app_context():
        result = sync_directory(directory_from_config(app.config), ip="test")
        db.session.commit()
        return result


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_sync_creates_everyone_with_roles_and_departments(ldap_app, departments, slapd,
                                                         monkeypatch):
    # Small pages, so the paged search really needs several round trips.
    monkeypatch.setattr("workhub.auth.ldap.PAGE_SIZE", 3)
    offset = slapd.log_size()
    result = sync(ldap_app)
    assert slapd.log_since(offset).count(f'SRCH base="{PEOPLE_BASE}"') >= 4
    assert result == SyncResult(created=len(PEOPLE), updated=0, deactivated=0, unchanged=0,
                                skipped=1)
    for login, (roles, department) in PEOPLE.items():
        user = user_row(ldap_app, login)
        assert (user["roles"], user["department"], user["auth_source"], user["active"]) == (
            roles, department, "ldap", True), login
    assert user_row(ldap_app, "sato")["display_name"] == "佐藤 花子"
    assert user_row(ldap_app, "kato") is None  # two entries share the login: not guessed
    assert audit_rows(ldap_app, "ldap.sync")[-1] == {
        "actor": None, "target": None, "ip": "test",
        "created": len(PEOPLE), "updated": 0, "deactivated": 0, "unchanged": 0, "skipped": 1,
    }


def test_second_sync_updates_only_what_changed(ldap_app, departments, ldap_edit):
    sync(ldap_app)
    assert sync(ldap_app) == SyncResult(unchanged=len(PEOPLE), skipped=1)

    dn = person_dn("yamamoto")
    ldap_edit.replace(dn, displayName="山本 翔太郎", departmentNumber="JOHO")
    ldap_edit.add_value(ROLE_GROUPS["it_admin"], "member", dn)
    result = sync(ldap_app)
    assert result == SyncResult(updated=1, unchanged=len(PEOPLE) - 1, skipped=1)
    user = user_row(ldap_app, "yamamoto")
    assert (user["display_name"], user["department"], user["roles"]) == (
        "山本 翔太郎", "JOHO", {"employee", "it_admin"})
    change = [c for c in audit_rows(ldap_app, "roles.changed") if c["target"] == "yamamoto"]
    assert change[-1]["before"] == ["employee"] and change[-1]["after"] == ["employee", "it_admin"]


def test_sync_deactivates_a_person_removed_from_the_directory(ldap_app, departments,
                                                             ldap_edit):
    sync(ldap_app)
    ldap_edit.delete(person_dn("yamamoto"))
    result = sync(ldap_app)
    assert result == SyncResult(deactivated=1, unchanged=len(PEOPLE) - 1, skipped=1)
    assert user_row(ldap_app, "yamamoto")["active"] is False
    assert user_row(ldap_app, "tanaka")["active"] is True
    gone = audit_rows(ldap_app, "user.deactivated")
    assert [(g["target"], g["reason"]) for g in gone] == [("yamamoto", "not_in_directory")]
    # Already off: the next sync has nothing more to do.
    assert sync(ldap_app).deactivated == 0


def test_sync_leaves_local_accounts_alone(ldap_app, departments, make_user):
    namesake = make_user("kobayashi", display_name="小林 ローカル", department="SOMU")
    admin = make_user("localadmin", roles=("admin",))
    result = sync(ldap_app)
    assert result.created == len(PEOPLE) - 1
    assert result.skipped == 2  # kato (ambiguous) and the local kobayashi
    assert result.deactivated == 0
    local = user_row(ldap_app, "kobayashi")
    assert (local["auth_source"], local["display_name"], local["ldap_dn"], local["active"]) == (
        "local", "小林 ローカル", None, True)
    assert user_row(ldap_app, admin.login)["active"] is True
    assert user_row(ldap_app, namesake.login)["roles"] == {"employee"}


def test_sync_does_not_switch_a_deactivated_account_back_on(ldap_app, departments):
    from workhub.org.services import get_user

    sync(ldap_app)
    with ldap_app.app_context():
        get_user("ito").active = False
        db.session.commit()
    assert sync(ldap_app).unchanged == len(PEOPLE)
    assert user_row(ldap_app, "ito")["active"] is False


def test_unreachable_directory_changes_nothing(ldap_app, set_ldap, departments):
    sync(ldap_app)
    set_ldap(LDAP_URL=f"ldap://127.0.0.1:{closed_port()}/")
    with ldap_app.app_context(), pytest.raises(DirectoryUnavailable):
        sync_directory(directory_from_config(ldap_app.config))
    assert all(user_row(ldap_app, login)["active"] for login in PEOPLE)
    assert len(audit_rows(ldap_app, "ldap.sync")) == 1


def test_an_empty_answer_deactivates_nobody(ldap_app, set_ldap, departments):
    sync(ldap_app)
    set_ldap(LDAP_USER_FILTER="(uid=nobody-by-this-name)")
    with ldap_app.app_context(), pytest.raises(DomainError) as failure:
        sync_directory(directory_from_config(ldap_app.config))
    assert "WORKHUB_LDAP_USER_FILTER" in failure.value.message
    assert all(user_row(ldap_app, login)["active"] for login in PEOPLE)


def test_a_synced_person_signs_in_with_the_directory_password(ldap_app, departments, client):
    from tests.office import csrf_token

    sync(ldap_app)
    response = client.post("/login", data={"login": "sato", "password": LDAP_PASSWORD,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302


# -- workhub ldap-sync ---------------------------------------------------------------------


def test_cli_sync_prints_counts_and_deactivates(ldap_app, departments, ldap_edit, make_user):
    make_user("localadmin", roles=("admin",))
    runner = ldap_app.test_cli_runner()
    first = runner.invoke(args=["ldap-sync"])
    assert first.exit_code == 0, first.output
    assert f"created {len(PEOPLE)}, updated 0, deactivated 0, unchanged 0" in first.output

    ldap_edit.delete(person_dn("ito"))
    second = runner.invoke(args=["ldap-sync"])
    assert second.exit_code == 0, second.output
    assert f"deactivated 1, unchanged {len(PEOPLE) - 1}" in second.output
    assert user_row(ldap_app, "ito")["active"] is False
    assert user_row(ldap_app, "localadmin")["active"] is True
    assert audit_rows(ldap_app, "ldap.sync")[-1]["ip"] == "cli"


def test_cli_sync_reports_an_unreachable_directory(ldap_app, set_ldap, departments):
    runner = ldap_app.test_cli_runner()
    assert runner.invoke(args=["ldap-sync"]).exit_code == 0
    set_ldap(LDAP_URL=f"ldap://127.0.0.1:{closed_port()}/")
    result = runner.invoke(args=["ldap-sync"])
    assert result.exit_code != 0
    assert "接続できません" in result.output
    assert "Nothing was changed" in result.output
    assert all(user_row(ldap_app, login)["active"] for login in PEOPLE)


def test_cli_sync_without_ldap_says_how_to_configure_it(app):
    result = app.test_cli_runner().invoke(args=["ldap-sync"])
    assert result.exit_code != 0
    assert "LDAP is not configured" in result.output
    assert "WORKHUB_LDAP_URL" in result.output


# -- the guard against deactivating many at once (issue 14) ---------------------------------


def test_a_sync_that_would_deactivate_too_many_changes_nothing(ldap_app, departments,
                                                                ldap_edit):
    """8 directory accounts, 10 %: one may go in a sync, two may not (a wrong base or
    filter, a directory being rebuilt); the refusal names the numbers and is audited."""
    from tests.dbstate import snapshot
    from workhub.org.sync import SyncRefused, refused_sync_audited

    sync(ldap_app)
    ldap_edit.delete(person_dn("yamamoto"))
    ldap_edit.delete(person_dn("kobayashi"))
    before = snapshot(ldap_app)
    with ldap_app.app_context():
        with pytest.raises(SyncRefused) as err:
            sync_directory(directory_from_config(ldap_app.config), max_deactivate_percent=10)
        assert (err.value.leaving, err.value.active, err.value.status) == (2, 8, 409)
        # Said in the site's language (Japanese here): the numbers and the way out are in it.
        assert all(part in err.value.message for part in ("2", "8", "10 %", "--force"))
        db.session.rollback()
    assert snapshot(ldap_app) == before
    with ldap_app.app_context():
        refused_sync_audited(err.value, actor=None, ip="test")
    assert audit_rows(ldap_app, "ldap.sync_refused")[-1]["leaving"] == 2
    # A higher share, or force, lets the same sync through.
    with ldap_app.app_context():
        result = sync_directory(directory_from_config(ldap_app.config),
                                max_deactivate_percent=30)
        db.session.rollback()
        assert result.deactivated == 2
        forced = sync_directory(directory_from_config(ldap_app.config), force=True,
                                max_deactivate_percent=0)
        db.session.commit()
        assert forced.deactivated == 2
    assert user_row(ldap_app, "kobayashi")["active"] is False


def test_cli_and_job_refuse_a_mass_deactivation_and_say_why(ldap_app, departments, ldap_edit,
                                                            monkeypatch):
    from workhub.jobs import services
    from workhub.jobs.models import Job
    from workhub.jobs.worker import Worker

    runner = ldap_app.test_cli_runner()
    assert runner.invoke(args=["ldap-sync"]).exit_code == 0
    for login in ("yamamoto", "kobayashi", "ito"):
        ldap_edit.delete(person_dn(login))
    refused = runner.invoke(args=["ldap-sync"])
    assert refused.exit_code == 1
    assert all(part in refused.output for part in ("3", "8", "--force"))
    assert user_row(ldap_app, "ito")["active"] is True
    with ldap_app.app_context():
        job_id = services.enqueue("org.ldap_sync", {}).id
        db.session.commit()
    Worker(ldap_app, scheduler=False).run_pending()
    with ldap_app.app_context():
        job = db.session.get(Job, job_id)
        assert job.status == "failed" and "--force" in job.error
    assert len(audit_rows(ldap_app, "ldap.sync_refused")) == 2
    monkeypatch.setitem(ldap_app.config, "LDAP_SYNC_MAX_DEACTIVATE_PERCENT", 50)
    assert runner.invoke(args=["ldap-sync"]).exit_code == 0
    assert user_row(ldap_app, "ito")["active"] is False


def test_cli_force_deactivates_all_who_left(ldap_app, departments, ldap_edit):
    runner = ldap_app.test_cli_runner()
    runner.invoke(args=["ldap-sync"])
    for login in ("yamamoto", "kobayashi"):
        ldap_edit.delete(person_dn(login))
    forced = runner.invoke(args=["ldap-sync", "--force"])
    assert forced.exit_code == 0 and "deactivated 2" in forced.output
