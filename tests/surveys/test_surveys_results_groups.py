"""Cross-tabs and filters of survey results under the k rule: departments rolled up to a
level (identified surveys only), answers of another question, filters whose group or rest
is below k, and subtraction between the tables shown together."""

from __future__ import annotations

import pytest

from surveys.results import survey_results
from surveys.results_select import parse_selection
from surveys.suppression import Mask, Table
from tests.surveys.surveys_results_data import add_many, make_survey
from tests.surveys.test_surveys_suppression import recoverable
from workhub.errors import DomainError
from workhub.extensions import db

K = 5


@pytest.fixture
def org(app_ctx, make_department):
    make_department("GEN", "総務局")
    make_department("IT", "情報政策課", parent="GEN")
    make_department("FIN", "財政局")
    make_department("HEA", "健康福祉局")


def item(results, key):
    return next(i for q in results.questions for i in q.items if i.key == key)


def values(row) -> list[int | None]:
    return [c.value for c in row.counts]


def groups(results) -> dict[str, int | None]:
    return {g.key: g.size for g in results.groups}


def identified(**sizes) -> object:
    """An identified survey: per department code, (count, answers) pairs."""
    survey = make_survey(k=K, anonymous=False)
    for code, batches in sizes.items():
        for count, answers in batches:
            add_many(survey, count, answers, department=None if code == "none" else code)
    db.session.commit()
    return survey


def test_departments_roll_up_and_a_department_below_k_is_hidden_with_a_partner(org):
    survey = identified(
        IT=[(6, {"bureau": "a"})], GEN=[(2, {"bureau": "a"})], FIN=[(4, {"bureau": "b"})],
        HEA=[(7, {"bureau": "c"})], none=[(5, {"bureau": "c"})])
    results = survey_results(survey, parse_selection(survey, by="department"))
    # GEN holds IT at level 1: 8. FIN (4) is hidden, and so is the smallest other size (5)
    # because the sizes add up to the 24 respondents shown.
    assert groups(results) == {"FIN": None, "GEN": 8, "HEA": 7, "none": None}
    bureau = {row.group.key: row for row in item(results, "bureau").groups}
    assert bureau["FIN"].hidden and values(bureau["FIN"]) == [None] * 4
    # The 4 who chose b are a small group too: HEA's 0 for b is hidden (with a partner).
    assert values(bureau["HEA"])[1] is None
    truth = {"GEN": [8, 0, 0, 0], "HEA": [0, 0, 7, 0], "none": [0, 0, 5, 0]}
    for key, true in truth.items():
        assert all(v in (None, t) for v, t in zip(values(bureau[key]), true, strict=True))
    level2 = survey_results(survey, parse_selection(survey, by="department", level="2"))
    assert set(groups(level2)) == {"FIN", "GEN", "HEA", "IT", "none"}
    assert groups(level2)["GEN"] is None  # 2 people in GEN itself


def test_a_department_next_to_shown_totals_cannot_be_worked_out(org):
    # Each department large enough, but FIN has 2 people who chose "b": hiding that cell
    # alone would leave it recoverable from FIN's size and the column of "b".
    survey = identified(
        GEN=[(6, {"bureau": "a"}), (5, {"bureau": "b"})],
        FIN=[(2, {"bureau": "b"}), (6, {"bureau": "c"})],
        HEA=[(7, {"bureau": "a"}), (6, {"bureau": "c"})])
    results = survey_results(survey, parse_selection(survey, by="department"))
    bureau = item(results, "bureau")
    rows = {row.group.key: row for row in bureau.groups}
    cells = [[6, 5, 0, 0], [0, 2, 6, 0], [7, 0, 6, 0]]
    order = ["GEN", "FIN", "HEA"]
    mask = Mask(cells=[[c.hidden for c in rows[key].counts] for key in order],
                row_totals=[False] * 3, col_totals=[c.hidden for c in bureau.overall.counts],
                total=False)
    assert mask.cells[1][1]  # FIN × b = 2
    table = Table(cells, [11, 8, 13], [13, 7, 12, 0], 32)
    assert recoverable(table, mask, known={(r, 4) for r in range(4)}) == []
    # The shown cells agree with the overall counts (the same table, not a second one).
    for c, overall in enumerate(bureau.overall.counts):
        if not overall.hidden and all(not rows[key].counts[c].hidden for key in order):
            assert sum(rows[key].counts[c].value for key in order) == overall.value


def test_a_level_cannot_be_subtracted_from_the_level_above(org, make_department):
    # GEN = IT (6 people) + its own section HR (2 people). Level 1 shows GEN (8), level 2
    # shows IT: GEN minus IT must not give HR, neither its counts nor its mean.
    make_department("HR", "人事課", parent="GEN")
    survey = identified(
        IT=[(3, {"bureau": "a", "days": 1}), (3, {"bureau": "b", "days": 2})],
        HR=[(1, {"bureau": "a", "days": 5}), (1, {"bureau": "c", "days": 5})],
        FIN=[(4, {"bureau": "a", "days": 3}), (3, {"bureau": "c", "days": 2})],
        HEA=[(5, {"bureau": "b", "days": 4})])
    top = survey_results(survey, parse_selection(survey, by="department", level="1"))
    down = survey_results(survey, parse_selection(survey, by="department", level="2"))
    assert groups(top)["GEN"] == 8 and groups(down)["IT"] == 6
    assert groups(down)["HR"] is None
    gen = {r.group.key: r for r in item(top, "bureau").groups}["GEN"]
    below = {r.group.key: r for r in item(down, "bureau").groups}
    assert values(below["HR"]) == [None] * 4
    overall = item(top, "bureau").overall.counts
    for parent, child, everyone in zip(gen.counts, below["IT"].counts, overall, strict=True):
        # (nobody at all left it empty: that 0 is public)
        assert parent.hidden or child.hidden or everyone.value == 0, parent.key
    gen_days = {r.group.key: r for r in item(top, "days").groups}["GEN"].stats
    it_days = {r.group.key: r for r in item(down, "days").groups}["IT"].stats
    assert gen_days.hidden or it_days.hidden
    # FIN and HEA have no sections: the same group at both levels, shown the same way.
    for key in ("FIN", "HEA"):
        assert values({r.group.key: r for r in item(top, "bureau").groups}[key]) == values(
            below[key])


def test_anonymous_surveys_have_no_department_cross_tab(app_ctx):
    survey = make_survey(k=K, anonymous=True)
    with pytest.raises(DomainError) as caught:
        parse_selection(survey, by="department")
    assert caught.value.code == "invalid_by" and caught.value.field == "by"


def test_cross_tab_by_another_question_hides_a_group_below_k(app_ctx):
    survey = make_survey(k=K)
    add_many(survey, 6, {"bureau": "a", "sat": 4})
    add_many(survey, 4, {"bureau": "b", "sat": 5})
    add_many(survey, 7, {"bureau": "c", "sat": 4})
    db.session.commit()
    results = survey_results(survey, parse_selection(survey, by="question:bureau"))
    # Sizes are the bureau question's own counts, with its own hidden cells (b and its
    # partner a); nobody left it empty, so there is no "no answer" group.
    assert groups(results) == {"a": None, "b": None, "c": 7}
    sat = {row.group.key: row for row in item(results, "sat").groups}
    assert values(sat["b"]) == [None] * 6
    truth = {"a": [0, 0, 0, 6, 0, 0], "c": [0, 0, 0, 7, 0, 0]}
    for key, true in truth.items():
        assert all(v in (None, t) for v, t in zip(values(sat[key]), true, strict=True))
    # Only the 4 of b chose 5: c's 0 there is about them, hidden, and its 7 as the partner;
    # the mean of c would give them back.
    assert values(sat["c"])[3:5] == [None, None] and sat["c"].stats.hidden
    # The grouping question itself has no cross-tab.
    assert item(results, "bureau").groups == []


def test_two_questions_crossed_show_the_same_numbers_whichever_way(app_ctx):
    # bureau × sat appears as "sat by bureau" and as "bureau by sat", and each filter is a
    # row of them: one protection, so that no view shows what another hides.
    survey = make_survey(k=3)
    for bureau, sat, count in (("a", 4, 5), ("a", 2, 2), ("b", 4, 3), ("b", 5, 4),
                               ("c", 2, 6), ("c", 5, 1), ("c", 1, 3)):
        add_many(survey, count, {"bureau": bureau, "sat": sat})
    db.session.commit()
    by_bureau = survey_results(survey, parse_selection(survey, by="question:bureau"))
    by_sat = survey_results(survey, parse_selection(survey, by="question:sat"))
    sat_rows = {r.group.key: r for r in item(by_bureau, "sat").groups}
    bureau_rows = {r.group.key: r for r in item(by_sat, "bureau").groups}
    for b, row in sat_rows.items():
        for count in row.counts:
            if count.key in bureau_rows:
                other = next(c for c in bureau_rows[count.key].counts if c.key == b)
                assert (count.value, count.hidden) == (other.value, other.hidden), (b, count)
    for b, row in sat_rows.items():
        if b == "none":
            continue
        filtered = survey_results(survey, parse_selection(survey, filter=f"bureau:{b}"))
        if not filtered.filter_hidden:
            assert values(item(filtered, "sat").overall) == values(row)


def test_means_of_hidden_groups_cannot_be_derived_from_the_overall_mean(app_ctx):
    survey = make_survey(k=K)
    add_many(survey, 9, {"bureau": "a", "days": 1})
    add_many(survey, 6, {"bureau": "b", "days": 2})
    add_many(survey, 3, {"bureau": "c", "days": 5})
    db.session.commit()
    results = survey_results(survey, parse_selection(survey, by="question:bureau"))
    days = {row.group.key: row.stats for row in item(results, "days").groups}
    assert item(results, "days").overall.stats.mean == 2.0
    assert days["c"].hidden
    # a and b shown would give c's mean: (2.0 * 18 - 9 - 12) / 3 = 5.
    assert days["a"].hidden or days["b"].hidden


def test_a_filter_below_k_shows_nothing_and_at_k_shows_its_group(app_ctx):
    survey = make_survey(k=K)
    add_many(survey, K - 1, {"bureau": "a", "sat": 2})
    add_many(survey, K + 1, {"bureau": "b", "sat": 4})
    add_many(survey, K, {"bureau": "c", "sat": 5})
    db.session.commit()
    small = survey_results(survey, parse_selection(survey, filter="bureau:a"))
    assert small.filter_hidden and small.questions == [] and small.filter_group is None
    shown = survey_results(survey, parse_selection(survey, filter="sat:4"))
    assert not shown.filter_hidden
    assert shown.filter_group.size == K + 1
    assert values(item(shown, "sat").overall) == [0, 0, 0, K + 1, 0, 0]
    assert item(shown, "sat").overall.stats.mean == 4.0
    # Bureau a has 4 people: even their 0 here is about them, hidden with a partner.
    bureau = values(item(shown, "bureau").overall)
    assert bureau[0] is None and all(v in (None, t) for v, t in zip(bureau, [0, K + 1, 0, 0],
                                                                    strict=True))


def test_a_filter_whose_rest_is_below_k_shows_nothing(app_ctx):
    # Everyone but 3 chose bureau a: all minus the filter would show those 3.
    survey = make_survey(k=K)
    add_many(survey, 8, {"bureau": "a", "sat": 4, "wishes": "会議が多い"})
    add_many(survey, 3, {"bureau": "b", "sat": 1, "wishes": "紙が多い"})
    db.session.commit()
    assert survey_results(survey, parse_selection(survey, filter="bureau:a")).filter_hidden
    # A filter that holds everyone has no rest: it shows what no filter shows.
    whole = make_survey(k=K)
    add_many(whole, 6, {"bureau": "c", "sat": 4, "wishes": "会議が多い"})
    db.session.commit()
    everyone = survey_results(whole, parse_selection(whole, filter="bureau:c"))
    assert not everyone.filter_hidden and everyone.filter_group.size == 6
    plain = survey_results(whole)
    for key in ("bureau", "sat", "wishes"):
        assert values(item(everyone, key).overall) == values(item(plain, key).overall)
    assert item(everyone, "wishes").texts == ["会議が多い"] * 6


def test_a_filter_never_reveals_a_count_hidden_as_a_partner(app_ctx):
    # bureau: a=7 hidden as the partner of b=2; a filter on a would show 7 and so b.
    survey = make_survey(k=K)
    add_many(survey, 7, {"bureau": "a"})
    add_many(survey, 2, {"bureau": "b"})
    add_many(survey, 11, {"bureau": "c"})
    db.session.commit()
    overall = survey_results(survey)
    assert values(item(overall, "bureau").overall) == [None, None, 11, 0]
    assert survey_results(survey, parse_selection(survey, filter="bureau:a")).filter_hidden


def test_filtered_counts_cannot_be_subtracted_from_the_overall_ones(app_ctx):
    survey = make_survey(k=K)
    add_many(survey, 6, {"bureau": "a", "sat": 4})
    add_many(survey, 2, {"bureau": "a", "sat": 2})  # within the filter, 2 chose "2"
    add_many(survey, 5, {"bureau": "b", "sat": 4})
    add_many(survey, 3, {"bureau": "b", "sat": 2})  # outside it, 3 chose "2"
    add_many(survey, 6, {"bureau": "c", "sat": 5})
    db.session.commit()
    overall = values(item(survey_results(survey), "sat").overall)
    filtered = survey_results(survey, parse_selection(survey, filter="bureau:a"))
    inside = values(item(filtered, "sat").overall)
    # The rest chose 2 three times: overall("2") - inside("2") must not be computable.
    assert overall[1] is None or inside[1] is None
    # And no other hidden number follows: check the two rows with the overall as totals.
    cells = [[0, 2, 0, 6, 0, 0], [0, 3, 0, 5, 6, 0]]
    table = Table(cells, [8, 14], [0, 5, 0, 11, 6, 0], 22)
    mask = Mask(cells=[[v is None for v in inside], [True] * 6], row_totals=[False, False],
                col_totals=[v is None for v in overall], total=False)
    leaks = recoverable(table, mask)
    assert not [pos for pos in leaks if 0 < (cells[pos[0]][pos[1]] if pos[1] < 6 else 0) < K]


@pytest.mark.parametrize("args, code, name", [
    ({"by": "dept"}, "invalid_by", "by"),
    ({"by": "question:nope"}, "invalid_by", "by"),
    ({"by": "question:obstacles"}, "invalid_by", "by"),  # multiple choice overlaps
    ({"by": "question:wishes"}, "invalid_by", "by"),
    ({"by": "question:" + "x" * 5000}, "invalid_by", "by"),
    ({"by": "department", "level": "0"}, "invalid_level", "level"),
    ({"by": "department", "level": "abc"}, "invalid_level", "level"),
    ({"by": "department", "level": "99"}, "invalid_level", "level"),
    ({"filter": "bureau"}, "invalid_filter", "filter"),
    ({"filter": "bureau:zzz"}, "invalid_filter", "filter"),
    ({"filter": "wishes:x"}, "invalid_filter", "filter"),
    ({"filter": "obstacles:network"}, "invalid_filter", "filter"),  # not a split
    ({"filter": "nope:a"}, "invalid_filter", "filter"),
    ({"filter": "sat:6"}, "invalid_filter", "filter"),
    ({"filter": "<script>:a"}, "invalid_filter", "filter"),
    ({"by": "question:bureau", "filter": "sat:4"}, "invalid_selection", "by"),
])
def test_bad_selections_are_refused_with_the_parameter_named(app_ctx, args, code, name):
    survey = make_survey(k=K, anonymous=False)
    with pytest.raises(DomainError) as caught:
        parse_selection(survey, **args)
    assert (caught.value.code, caught.value.field, caught.value.status) == (code, name, 400)
