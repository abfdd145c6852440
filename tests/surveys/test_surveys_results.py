"""Survey results (surveys/results.py) with the k rule: a survey below k shows nothing; per
question counts, percentages, means, months, grids and texts; groups of k-1 hidden and of
k shown, with the partner cells that stop subtraction."""

from __future__ import annotations

import pytest

from surveys.results import Selection, survey_results
from tests.surveys.surveys_results_data import add_many, add_response, make_survey
from workhub.extensions import db

K = 5
FULL = {"bureau": "a", "sat": 4, "obstacles": ["network"], "recommend": 8, "days": 2,
        "since": "2026-04-01", "wishes": "自宅のネットワークが遅い", "tools": {"chat": 5}}


def question(results, key):
    return next(q for q in results.questions if q.question.key == key)


def item(results, key):
    found = [i for q in results.questions for i in q.items if i.key == key]
    assert found, key
    return found[0]


def counts(row) -> dict[str, int | None]:
    return {c.key: c.value for c in row.counts}


def test_a_survey_below_k_shows_nothing(app_ctx):
    survey = make_survey(k=K)
    add_many(survey, K - 1, FULL)
    db.session.commit()
    results = survey_results(survey)
    assert results.hidden and results.respondents is None
    assert results.questions == []


def test_a_survey_of_k_shows_its_counts(app_ctx):
    survey = make_survey(k=K)
    add_many(survey, K, FULL)
    db.session.commit()
    results = survey_results(survey)
    assert results.respondents == K
    assert counts(item(results, "bureau").overall) == {"a": K, "b": 0, "c": 0, "none": 0}
    assert [c.percent for c in item(results, "bureau").overall.counts] == [100.0, 0, 0, 0]


def test_counts_percentages_and_no_answer(app_ctx):
    survey = make_survey(k=K)
    add_many(survey, 6, {"bureau": "a"})
    add_many(survey, 5, {"bureau": "b"})
    add_many(survey, 5, {})  # no answer
    db.session.commit()
    row = item(survey_results(survey), "bureau").overall
    assert counts(row) == {"a": 6, "b": 5, "c": 0, "none": 5}
    assert [c.percent for c in row.counts] == [37.5, 31.2, 0.0, 31.2]


def test_k_minus_1_is_hidden_with_a_partner_and_zero_stays_zero(app_ctx):
    survey = make_survey(k=K)
    add_many(survey, K - 1, {"bureau": "a"})
    add_many(survey, 7, {"bureau": "b"})
    add_many(survey, 9, {"bureau": "c"})
    db.session.commit()
    row = item(survey_results(survey), "bureau").overall
    # 4 hidden; without a partner 20 - 7 - 9 - 0 would give it away: 7 goes too.
    assert counts(row) == {"a": None, "b": None, "c": 9, "none": 0}
    hidden = next(c for c in row.counts if c.key == "a")
    assert hidden.hidden and hidden.percent is None


def test_multiple_choice_counts_people_per_option(app_ctx):
    survey = make_survey(k=K)
    add_many(survey, 6, {"obstacles": ["network", "devices"]})
    add_many(survey, 2, {"obstacles": ["network", "comm"]})
    add_many(survey, 2, {})
    db.session.commit()
    row = item(survey_results(survey), "obstacles").overall
    # Ticks do not add up to people: no partner is needed for the hidden 2.
    assert counts(row) == {"network": 8, "devices": 6, "comm": None, "none": None}
    assert [c.percent for c in row.counts][:2] == [80.0, 60.0]


def test_means_and_medians_of_those_who_answered(app_ctx):
    survey = make_survey(k=K)
    for value in (1, 2, 3, 4, 4, 5):
        add_response(survey, {"days": value - 1})
    add_many(survey, 5, {"sat": 4, "recommend": 8})
    add_many(survey, 6, {"sat": 2, "recommend": 3})
    db.session.commit()
    results = survey_results(survey)
    sat = item(results, "sat").overall
    assert (sat.stats.n, sat.stats.mean, sat.stats.median) == (11, 2.91, 2.0)
    assert counts(sat) == {"1": 0, "2": 6, "3": 0, "4": 5, "5": 0, "none": 6}
    days = item(results, "days").overall
    assert (days.stats.n, days.stats.mean, days.stats.median) == (6, 2.17, 2.5)
    assert counts(days) == {"answered": 6, "none": 11}
    recommend = item(results, "recommend").overall
    assert [c.key for c in recommend.counts] == [str(p) for p in range(11)] + ["none"]
    assert recommend.stats.mean == 5.27


def test_a_scale_mean_is_hidden_when_one_of_its_counts_is(app_ctx):
    # 1 × "2", 5 × "4", 1 × "5": with the mean (3.86) and n (7), the two hidden counts
    # would follow (2x + 5y = 7, x + y = 2): the mean goes with them.
    survey = make_survey(k=K)
    add_response(survey, {"sat": 2})
    add_many(survey, 5, {"sat": 4})
    add_response(survey, {"sat": 5})
    add_many(survey, 5, {})
    db.session.commit()
    sat = item(survey_results(survey), "sat").overall
    assert counts(sat)["2"] is None and counts(sat)["4"] == 5
    assert sat.stats.hidden and sat.stats.median is None
    assert sat.stats.n == 7  # the number who answered is shown: 12 - 5


def test_a_mean_of_fewer_than_k_answers_is_hidden(app_ctx):
    survey = make_survey(k=K)
    add_many(survey, K - 1, {"days": 3})
    add_many(survey, 8, {})
    db.session.commit()
    days = item(survey_results(survey), "days").overall
    assert days.stats.hidden and days.stats.median is None
    assert days.stats.n is None  # 4 answered: a hidden count
    assert counts(days) == {"answered": None, "none": None}


def test_dates_by_month_with_empty_months(app_ctx):
    survey = make_survey(k=3)
    add_many(survey, 3, {"since": "2026-01-15"})
    add_many(survey, 4, {"since": "2026-03-02"})
    db.session.commit()
    row = item(survey_results(survey), "since").overall
    assert counts(row) == {"2026-01": 3, "2026-02": 0, "2026-03": 4, "none": 0}


def test_a_grid_gives_each_row_its_distribution_and_mean(app_ctx):
    survey = make_survey(k=K)
    add_many(survey, 5, {"tools": {"chat": 5, "video": 2}})
    add_many(survey, 5, {"tools": {"chat": 4}})
    db.session.commit()
    results = survey_results(survey)
    assert [i.key for i in question(results, "tools").items] == ["tools.chat", "tools.video"]
    chat, video = item(results, "tools.chat"), item(results, "tools.video")
    assert chat.label == "chat（選択肢）"
    assert counts(chat.overall) == {"1": 0, "2": 0, "3": 0, "4": 5, "5": 5, "none": 0}
    assert chat.overall.stats.mean == 4.5
    assert counts(video.overall) == {"1": 0, "2": 5, "3": 0, "4": 0, "5": 0, "none": 5}


def test_texts_need_k_answers_and_never_come_in_the_order_given(app_ctx):
    survey = make_survey(k=K)
    given = ["通信環境が不安定で会議が途切れる", "自宅のネットワークが遅い", "印鑑をなくしてほしい",
             "Web会議の音声が聞き取りにくい", "会議が多い"]
    for text in given[:4]:
        add_response(survey, {"wishes": text})
    add_many(survey, 5, {})
    db.session.commit()
    wishes = item(survey_results(survey), "wishes")
    assert wishes.texts is None and wishes.analysis is None and wishes.texts_hidden
    add_response(survey, {"wishes": given[4]})
    db.session.commit()
    wishes = item(survey_results(survey), "wishes")
    assert sorted(wishes.texts) == sorted(given)
    assert wishes.texts == sorted(given, key=lambda t: (t.casefold(), t))
    words = {t.text: t.count for t in wishes.analysis.words}
    assert words["会議"] == 3 and "ネットワーク" in words and "が" not in words
    assert survey_results(survey, texts=False).questions[6].items[0].analysis is None


def test_texts_are_hidden_when_their_number_is(app_ctx):
    # 5 answered, 3 did not: "no answer" (3) is hidden, so "answered" is hidden as its
    # partner, and listing 5 texts would give both away.
    survey = make_survey(k=K)
    add_many(survey, 5, {"wishes": "会議が多い"})
    add_many(survey, 3, {})
    db.session.commit()
    wishes = item(survey_results(survey), "wishes")
    assert counts(wishes.overall) == {"answered": None, "none": None}
    assert wishes.texts is None


@pytest.mark.parametrize("k", [3, 5, 10])
def test_k_comes_from_the_survey(app_ctx, k):
    survey = make_survey(k=k)
    add_many(survey, k - 1, {"bureau": "a"})
    add_many(survey, k, {"bureau": "b"})
    add_many(survey, k, {"bureau": "c"})
    db.session.commit()
    results = survey_results(survey, Selection())
    assert results.k == k
    row = counts(item(results, "bureau").overall)
    assert row["a"] is None and row["none"] == 0
