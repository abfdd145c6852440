"""Response rates by department: people asked, people who answered (counts only)."""

from __future__ import annotations

import pytest

from surveys import answering
from surveys.rates import response_rates
from tests.surveys.surveys_answer_data import GOOD, full_survey, person, release_all
from workhub.extensions import db
from workhub.org.models import Department

pytestmark = pytest.mark.usefixtures("fast_hashing")


@pytest.fixture
def org(app_ctx, make_department, make_user):
    make_department("GEN", "総務局")
    make_department("IT", "情報政策課", parent="GEN")
    make_department("FIN", "財政課")
    for login, dept in (("it1", "IT"), ("it2", "IT"), ("it3", "IT"), ("gen1", "GEN"),
                        ("fin1", "FIN"), ("fin2", "FIN")):
        make_user(login, department=dept)
    make_user("nodept")
    make_user("left", department="IT", active=False)


def table(rates) -> dict:
    return {(row.department.code if row.department else None): (row.audience, row.answered)
            for row in rates.departments}


def test_rates_per_department_and_in_total(org):
    survey = full_survey()
    for login in ("it1", "it2", "fin1", "nodept"):
        answering.submit(survey, person(login), GOOD)
    db.session.commit()
    release_all(survey)
    rates = response_rates(survey)
    assert table(rates) == {"GEN": (1, 0), "IT": (3, 2), "FIN": (2, 1), None: (1, 1)}
    assert [r.department.code if r.department else None for r in rates.departments] == [
        "FIN", "GEN", "IT", None]
    assert (rates.audience, rates.answered) == (7, 4)
    assert rates.rate == pytest.approx(4 / 7)
    it = next(r for r in rates.departments if r.department and r.department.code == "IT")
    assert it.rate == pytest.approx(2 / 3)


def test_the_audience_limits_the_departments(org):
    survey = full_survey(audience_all=False, departments=["GEN"])  # GEN with its subtree
    answering.submit(survey, person("it3"), GOOD)
    db.session.commit()
    release_all(survey)
    assert table(response_rates(survey)) == {"GEN": (1, 0), "IT": (3, 1)}


def test_people_who_moved_count_where_they_answered(org):
    survey = full_survey()
    it1 = person("it1")
    answering.submit(survey, it1, GOOD)
    it1.department_id = db.session.scalar(
        db.select(Department.id).where(Department.code == "FIN"))
    it1.active = False  # and left: they were asked all the same
    db.session.commit()
    release_all(survey)
    rates = response_rates(survey)
    assert table(rates)["IT"] == (3, 1)
    assert table(rates)["FIN"] == (2, 0)
    assert all(r.answered <= r.audience for r in rates.departments)


def test_no_audience_no_rate(app_ctx):
    survey = full_survey(audience_all=False, roles=["secretary"])
    rates = response_rates(survey)
    assert rates.departments == [] and rates.rate is None and rates.audience == 0


def test_rates_move_only_with_a_released_batch(org):
    """Someone whose anonymous answer waits in the pool still counts as not answered: the
    department rates cannot tell which department the next answer came from."""
    survey = full_survey(min_group_size=3)
    before = table(response_rates(survey))
    for login in ("it1", "fin1"):
        answering.submit(survey, person(login), GOOD)
        db.session.commit()
        assert table(response_rates(survey)) == before
    from surveys.release import release

    assert release(survey) == 0  # two waiting, k = 3
    answering.submit(survey, person("gen1"), GOOD)
    db.session.commit()
    assert table(response_rates(survey)) == before
    assert release(survey) == 3
    db.session.commit()
    assert table(response_rates(survey)) == {"GEN": (1, 1), "IT": (3, 1), "FIN": (2, 1),
                                             None: (1, 0)}
