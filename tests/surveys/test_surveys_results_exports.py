"""Survey exports at the service level (surveys/exports.py): the responses of an anonymous
survey mask what fewer than k people gave (with partners, so that counting the masks tells
nothing), dates become months, spreadsheets never run an answer as a formula, and the
aggregated rows carry no number of a hidden group."""

from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
from openpyxl import load_workbook

from surveys import exports
from surveys.results import survey_results
from surveys.results_select import parse_selection
from tests.surveys.surveys_results_data import add_many, add_response, make_survey
from workhub.errors import Conflict
from workhub.extensions import db

K = 3


def column(table, key: str) -> list:
    headers, rows = table
    index = next(i for i, h in enumerate(headers) if h.endswith(f"[{key}]"))
    return [row[index] for row in rows]


def test_unique_numbers_and_rare_combinations_are_masked(app_ctx):
    survey = make_survey(k=K)
    add_many(survey, 4, {"days": 2, "obstacles": ["network", "devices"]})
    add_many(survey, 3, {"days": 3, "obstacles": ["network"]})
    add_response(survey, {"days": 5, "obstacles": ["comm"]})  # unique on both
    db.session.commit()
    table = exports.responses_table(survey, "en")
    days = Counter(column(table, "days"))
    # 5 is given once: hidden, and "3" (the smallest other) goes with it.
    assert days == {2: 4, "< k": 4}
    obstacles = Counter(column(table, "obstacles"))
    assert obstacles["Network; Devices"] == 4 and obstacles["< k"] == 4


def test_no_row_of_an_anonymous_export_is_a_person(app_ctx):
    # Bureau and satisfaction go together perfectly; a row per person would show it (and
    # let anyone cross them into small groups). Each column is shuffled on its own.
    survey = make_survey(k=K)
    add_many(survey, 10, {"bureau": "a", "sat": 4})
    add_many(survey, 10, {"bureau": "c", "sat": 5})
    db.session.commit()
    exports_seen = []
    for _ in range(3):
        table = exports.responses_table(survey, "en")
        bureau, sat = column(table, "bureau"), column(table, "sat")
        assert Counter(bureau) == {"A": 10, "C": 10} and Counter(sat) == {4: 10, 5: 10}
        exports_seen.append(Counter(zip(bureau, sat, strict=True)))
    assert any(pairs != {("A", 4): 10, ("C", 5): 10} for pairs in exports_seen)


def test_dates_become_months_and_no_answer_is_a_value_too(app_ctx):
    survey = make_survey(k=K)
    add_many(survey, 3, {"since": "2026-04-01"})
    add_many(survey, 3, {"since": "2026-04-20"})
    add_many(survey, 3, {})
    db.session.commit()
    since = Counter(column(exports.responses_table(survey, "en"), "since"))
    assert since == {"2026-04": 6, "": 3}


def test_texts_are_listed_only_from_k_writers(app_ctx):
    survey = make_survey(k=K)
    add_many(survey, 2, {"wishes": "会議が多い", "bureau": "a"})
    add_many(survey, 4, {"bureau": "a"})
    db.session.commit()
    assert Counter(column(exports.responses_table(survey, "en"), "wishes")) == {"< k": 6}


def test_answers_never_run_as_formulas(app_ctx):
    survey = make_survey(k=K)
    hostile = "=HYPERLINK(\"http://example.com\",\"x\")"
    add_many(survey, 3, {"wishes": hostile, "bureau": "a"})
    db.session.commit()
    text = exports.responses_csv(survey, "en").decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    cells = [row for row in csv.reader(io.StringIO(text))][1:]
    assert all(cell.startswith("'=") for row in cells for cell in row if "HYPERLINK" in cell)
    sheet = load_workbook(io.BytesIO(exports.responses_xlsx(survey, "en"))).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert hostile in values  # stored as text, not a formula
    assert all(cell.data_type == "s" for row in sheet.iter_rows() for cell in row
               if cell.value == hostile)


def test_below_k_nothing_is_exported(app_ctx):
    survey = make_survey(k=K)
    add_many(survey, K - 1, {"bureau": "a"})
    db.session.commit()
    with pytest.raises(Conflict) as caught:
        exports.responses_table(survey, "en")
    assert caught.value.code == "below_k"
    headers, *rows = list(csv.reader(io.StringIO(
        exports.results_csv(survey_results(survey)).decode("utf-8-sig"))))
    assert rows == []


def test_aggregated_rows_of_a_cross_tab_hide_small_groups(app_ctx, make_department, english):
    make_department("GEN", "総務局")
    make_department("FIN", "財政局")
    survey = make_survey(k=K, anonymous=False)
    add_many(survey, 5, {"bureau": "a", "days": 2}, department="GEN")
    add_many(survey, 2, {"bureau": "b", "days": 4}, department="FIN")
    add_many(survey, 4, {"bureau": "c", "days": 1})
    db.session.commit()
    results = survey_results(survey, parse_selection(survey, by="department"))
    rows = exports.result_rows(results)
    fin = [row for row in rows if row[3] == "財政局"]
    assert fin and all(row[4] == "< k" and row[6] in ("< k", "") for row in fin)
    assert not [row for row in fin if isinstance(row[6], int | float)]
    summary = dict(exports.summary_rows(results, "en"))
    assert summary["Respondents"] == 11 and summary["Minimum group size (k)"] == K
