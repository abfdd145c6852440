"""Who is asked a survey (everyone, departments with or without subtrees, roles) and who
may manage, view and answer it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from surveys import permissions as perm
from surveys.audience import (
    audience_query,
    audience_size,
    describe_audience,
    in_audience,
    set_audience,
)
from surveys.models import Survey, SurveyAudience
from workhub.errors import Conflict, DomainError, Forbidden, NotFound
from workhub.extensions import db
from workhub.org.services import create_department, create_user

NOW = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)


def _user(login, *roles, department=None):
    return create_user(login, display_name=login, roles=roles or ("employee",),
                       department_code=department, password_hash="!unusable")


@pytest.fixture
def org(app_ctx, time_machine):
    """CITY > SOUMU > (JINJI, KIKAKU); CITY > ZAISEI."""
    time_machine.move_to(NOW, tick=False)
    create_department("CITY", "市")
    create_department("SOUMU", "総務部", parent_code="CITY")
    create_department("JINJI", "人事課", parent_code="SOUMU")
    create_department("KIKAKU", "企画課", parent_code="SOUMU")
    create_department("ZAISEI", "財政課", parent_code="CITY")
    people = SimpleNamespace(
        head=_user("head", "manager", department="SOUMU"),
        jinji=_user("jinji", department="JINJI"),
        kikaku=_user("kikaku", department="KIKAKU"),
        zaisei=_user("zaisei", department="ZAISEI"),
        it=_user("it", "it_admin", department="ZAISEI"),
        nodept=_user("nodept"),
        hr=_user("hr", "hr"),
        admin=_user("admin", "admin"),
        gone=_user("gone", department="JINJI"),
    )
    people.gone.active = False
    survey = Survey(title_ja="調査", status="published", opens_at=NOW - timedelta(days=1),
                    closes_at=NOW + timedelta(days=7), min_group_size=5)
    db.session.add(survey)
    db.session.flush()
    people.survey = survey
    return people


def _asked(survey) -> set[str]:
    from workhub.org.models import User

    ids = set(db.session.scalars(audience_query(survey)))
    return {u.login for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def _logins(org, survey) -> set[str]:
    return {name for name, u in vars(org).items()
            if name != "survey" and in_audience(u, survey)}


def test_everyone_means_every_active_account(org):
    s = org.survey
    assert _asked(s) == {"head", "jinji", "kikaku", "zaisei", "it", "nodept", "hr", "admin"}
    assert _logins(org, s) == _asked(s)
    assert audience_size(s) == 8
    assert not in_audience(None, s)


@pytest.mark.parametrize(("codes", "subtree", "roles", "expected"), [
    (["SOUMU"], True, [], {"head", "jinji", "kikaku"}),
    (["SOUMU"], False, [], {"head"}),
    (["JINJI", "ZAISEI"], True, [], {"jinji", "zaisei", "it"}),
    ([], True, ["it_admin"], {"it"}),
    (["JINJI"], True, ["hr", "manager"], {"jinji", "hr", "head"}),
    (["CITY"], True, [], {"head", "jinji", "kikaku", "zaisei", "it"}),
])
def test_departments_subtrees_and_roles(org, codes, subtree, roles, expected):
    s = org.survey
    set_audience(s, everyone=False, department_codes=codes, include_subtree=subtree,
                 roles=roles)
    assert _asked(s) == expected
    assert _logins(org, s) == expected  # one rule for one person and for the query
    described = describe_audience(s)
    assert described["everyone"] is False
    assert described["departments"] == codes
    assert described["roles"] == sorted(roles)


def test_setting_everyone_again_drops_the_rows(org):
    s = org.survey
    set_audience(s, everyone=False, department_codes="JINJI, KIKAKU", roles=None)
    assert db.session.scalar(select(SurveyAudience.id).where(
        SurveyAudience.survey_id == s.id)) is not None
    set_audience(s, everyone=True)
    assert s.audience_all and s.audience == []
    assert db.session.scalars(select(SurveyAudience).where(
        SurveyAudience.survey_id == s.id)).all() == []


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"department_codes": [], "roles": []}, "departments"),
    ({"department_codes": ["NOPE"]}, "departments"),
    ({"department_codes": [1, 2]}, "departments"),
    ({"department_codes": {"a": 1}}, "departments"),
    ({"department_codes": [f"D{i}" for i in range(300)]}, "departments"),
    ({"roles": ["root"]}, "roles"),
    ({"roles": [None]}, "roles"),
    ({"roles": 7}, "roles"),
])
def test_bad_audiences_are_refused_and_change_nothing(org, kwargs, field):
    s = org.survey
    set_audience(s, everyone=False, department_codes=["JINJI"])
    with pytest.raises(DomainError) as err:
        set_audience(s, everyone=False, **kwargs)
    assert err.value.field == field
    assert describe_audience(s)["departments"] == ["JINJI"]


def test_closed_survey_audience_is_fixed(org):
    org.survey.status = "closed"
    with pytest.raises(Conflict):
        set_audience(org.survey, everyone=False, department_codes=["JINJI"])


def test_manage_and_results_are_for_hr_and_admin(org):
    s = org.survey
    assert [perm.can_manage(u) for u in (org.hr, org.admin, org.head, org.it, None)] == [
        True, True, False, False, False]
    org.hr.active = False
    assert not perm.can_manage(org.hr)
    assert perm.can_see_results(org.admin, s)
    assert not perm.can_see_results(org.head, s)
    s.status = "draft"
    assert not perm.can_see_results(org.admin, s)


def test_answering_needs_audience_publication_and_the_open_window(org, time_machine):
    s = org.survey
    set_audience(s, everyone=False, department_codes=["JINJI"])
    assert perm.can_answer(org.jinji, s)
    assert not perm.can_answer(org.zaisei, s)  # not asked
    assert not perm.can_answer(org.gone, s)  # inactive
    s.opens_at = NOW + timedelta(hours=1)
    assert not perm.can_answer(org.jinji, s)  # not yet open
    s.opens_at = None
    s.closes_at = NOW
    assert not perm.can_answer(org.jinji, s)  # closing time reached
    s.closes_at = None
    assert perm.can_answer(org.jinji, s)
    for status in ("draft", "closed"):
        s.status = status
        assert not perm.can_answer(org.jinji, s)


def test_get_survey(org):
    s = org.survey
    set_audience(s, everyone=False, department_codes=["JINJI"])
    assert perm.get_survey(s.id, org.jinji) is s
    assert perm.get_survey(str(s.id), org.hr, for_manage=True) is s
    with pytest.raises(Forbidden):
        perm.get_survey(s.id, org.jinji, for_manage=True)
    with pytest.raises(Forbidden):
        perm.get_survey(s.id, org.zaisei)
    for bad in (s.id + 1000, "x", None, -1, 2**40, "1e3"):
        with pytest.raises(NotFound):
            perm.get_survey(bad, org.hr)
    s.status = "draft"  # a draft is not revealed to those who may not manage it
    with pytest.raises(NotFound):
        perm.get_survey(s.id, org.jinji)
    assert perm.get_survey(s.id, org.admin) is s
