"""The results page, its charts and exports in the browser's place (the test client): HR
sees the numbers with "< k" for hidden ones, cross-tabs and filters from the form, bad
selections answered 400 next to the form; drafts have no results; exports follow the k
rule and anonymity."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
from openpyxl import load_workbook

from tests.office import login
from tests.surveys.surveys_results_data import add_many, add_response, make_survey
from workhub.extensions import db

pytestmark = pytest.mark.usefixtures("fast_hashing")

K = 5


@pytest.fixture
def hr(logged_in, make_department):
    make_department("GEN", "総務局")
    return logged_in(roles=("employee", "hr"), department="GEN")


@pytest.fixture
def within(app):
    """Run a set-up function in its own app context (the requests get theirs: a shared one
    would keep the signed-in user and the language in ``g`` across clients)."""

    def run(function, *args, **kwargs):
        with app.app_context():
            result = function(*args, **kwargs)
            db.session.commit()
            return result

    return run


def seeded(**kwargs):
    survey = make_survey(k=K, **kwargs)
    add_many(survey, 6, {"bureau": "a", "sat": 4, "wishes": "自宅のネットワークが遅い"},
             department="GEN")
    add_many(survey, 2, {"bureau": "b", "sat": 2, "wishes": "会議が多い"}, department="GEN")
    add_many(survey, 7, {"bureau": "c", "sat": 5, "wishes": "Web会議の音声が途切れる"})
    return survey.id


def small_survey():
    survey = make_survey(k=K)
    add_many(survey, K - 1, {"bureau": "a"})
    return survey.id


def page(client, survey_id, **args):
    response = client.get(f"/surveys/{survey_id}/results", query_string=args)
    return response, response.get_data(as_text=True)


def cell_text(html: str, table_id: str) -> str:
    match = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)
    assert match, table_id
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", match.group(0))))


def test_hr_sees_counts_with_hidden_ones_marked(within, client, hr, english):
    survey_id = within(seeded)
    response, html = page(client, survey_id)
    assert response.status_code == 200
    assert 'id="respondents">15<' in html.replace("\n", "")
    bureau = cell_text(html, "counts-1-1")
    # b (2) is hidden, and a (6) is its partner; c (7) and "no answer" (0) are shown.
    assert "C 7 46.7%" in bureau
    assert bureau.count("< k") == 5  # two counts, their percentages, the caption's note
    assert "“< k”: hidden, because fewer than k respondents are behind it" in bureau
    assert "No answer 0 0.0%" in bureau
    # Texts listed (15 answered), sorted, with their frequent words.
    assert "自宅のネットワークが遅い" in html
    assert "ネットワーク" in cell_text(html, "words-7-1")
    assert re.search(r'src="/surveys/\d+/results/charts/bureau.svg"', html)


def test_a_survey_below_k_shows_no_number(within, client, hr, english):
    survey_id = within(small_survey)
    response, html = page(client, survey_id)
    assert response.status_code == 200
    assert 'id="below-k"' in html and 'id="counts-' not in html
    assert 'id="respondents"><span aria-hidden="true">&lt; k' in html.replace("\n", "")


def test_cross_tab_by_question_and_department(within, client, hr, english):
    survey_id = within(seeded, anonymous=False)
    _response, html = page(client, survey_id, by="question:bureau")
    sat = cell_text(html, "crosstab-2-1")
    assert "C 7" in sat
    response, html = page(client, survey_id, by="department", level="1")
    assert response.status_code == 200
    assert "総務局" in cell_text(html, "crosstab-2-1")


def test_a_filter_below_k_shows_nothing(within, client, hr, english):
    survey_id = within(seeded)
    response, html = page(client, survey_id, filter="bureau:b")
    assert response.status_code == 200 and 'id="filter-below-k"' in html
    assert 'id="counts-' not in html
    _response, html = page(client, survey_id, filter="bureau:c")
    assert 'id="filter-group"' in html
    assert "C 7 100.0%" in cell_text(html, "counts-1-1")
    assert "Wishes" in html and "Web会議の音声が途切れる" in html


@pytest.mark.parametrize("args, field", [
    ({"by": "department"}, "by"),  # anonymous survey
    ({"by": "question:nope"}, "by"),
    ({"filter": "bureau:zzz"}, "filter"),
    ({"by": "question:bureau", "filter": "sat:4"}, "by"),
    ({"by": "<script>alert(1)</script>"}, "by"),
])
def test_bad_selections_are_400_next_to_the_form(within, client, hr, english, args, field):
    survey_id = within(seeded)
    response, html = page(client, survey_id, **args)
    assert response.status_code == 400
    assert f'id="{field}-error"' in html
    assert "<script>alert" not in html
    assert 'id="counts-' not in html


def test_drafts_have_no_results_and_staff_are_turned_away(app, within, client, hr,
                                                          make_user):
    draft_id = within(lambda: make_survey(k=K, status="draft").id)
    survey_id = within(seeded)
    assert client.get(f"/surveys/{draft_id}/results").status_code == 404
    assert client.get(f"/surveys/{draft_id}/results/export.csv").status_code == 404
    assert client.get("/surveys/999999/results").status_code == 404
    staff = app.test_client()
    login(staff, make_user("manager1", roles=("employee", "manager")))
    for path in ("results", "results/export.xlsx", "responses/export.csv",
                 "results/charts/bureau.svg"):
        assert staff.get(f"/surveys/{survey_id}/{path}").status_code == 403


def test_chart_is_an_svg_without_script(within, client, hr):
    survey_id = within(seeded)
    response = client.get(f"/surveys/{survey_id}/results/charts/bureau.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    body = response.get_data(as_text=True)
    assert "<script" not in body and "<svg" in body
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert client.get(f"/surveys/{survey_id}/results/charts/wishes.svg").status_code == 404
    assert client.get(f"/surveys/{survey_id}/results/charts/nope.svg").status_code == 404
    assert client.get(f"/surveys/{survey_id}/results/charts/bureau.svg",
                      query_string={"filter": "x:y"}).status_code == 400


def rows_of_csv(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_results_csv_and_xlsx_keep_hidden_numbers_hidden(within, client, hr, english):
    survey_id = within(seeded)
    response = client.get(f"/surveys/{survey_id}/results/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = rows_of_csv(response.data)
    bureau = {r[5]: r[6:] for r in rows[1:] if r[0] == "bureau"}
    assert bureau["B"] == ["< k", ""] and bureau["A"] == ["< k", ""]
    assert bureau["C"] == ["7", "46.7"]
    sat_mean = [r for r in rows if r[0] == "sat" and r[5] == "Mean"]
    assert sat_mean[0][6] == "< k"  # a count of the scale is hidden: the mean would give it
    book = load_workbook(io.BytesIO(client.get(
        f"/surveys/{survey_id}/results/export.xlsx").data))
    assert book.sheetnames == ["Summary", "Results", "Frequent words"]
    words = [row[3] for row in book["Frequent words"].iter_rows(min_row=2, values_only=True)]
    assert "ネットワーク" in words
    filtered = rows_of_csv(client.get(f"/surveys/{survey_id}/results/export.csv",
                                      query_string={"filter": "bureau:b"}).data)
    assert len(filtered) == 1  # the filter's group is below k: the header only


def test_anonymous_responses_export_has_no_person_and_masks_rare_values(within, client, hr,
                                                                        english):
    survey_id = within(seeded)
    rows = rows_of_csv(client.get(f"/surveys/{survey_id}/responses/export.csv").data)
    header, body = rows[0], rows[1:]
    assert len(body) == 15
    assert not {"Login", "Name", "Department", "Department code"} & set(header)
    assert not any("2026-W" in cell for row in rows for cell in row)
    bureau = [row[0] for row in body]
    assert sorted(bureau).count("< k") == 8 and bureau.count("C") == 7
    wishes = [row[header.index("Wishes [wishes]")] for row in body]
    assert sorted(set(wishes)) == ["Web会議の音声が途切れる", "会議が多い",
                                   "自宅のネットワークが遅い"]


def test_responses_come_in_a_random_order(within, client, hr, english):
    def twelve():
        survey = make_survey(k=3)
        for value in range(12):
            add_response(survey, {"days": value % 4, "bureau": "abc"[value % 3]})
        return survey.id

    survey_id = within(twelve)
    orders = {tuple(tuple(r) for r in rows_of_csv(client.get(
        f"/surveys/{survey_id}/responses/export.csv").data)[1:]) for _ in range(6)}
    assert len(orders) > 1


def test_identified_responses_export_names_people(within, client, hr, make_user, english):
    people = [make_user(f"staff{n}", department="GEN") for n in (2, 0, 1)]

    def identified():
        survey = make_survey(k=3, anonymous=False)
        for person in people:
            add_response(survey, {"bureau": "a"}, department="GEN", user_id=person.id)
        return survey.id

    response = client.get(f"/surveys/{within(identified)}/responses/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Login", "Name", "Department code", "Department")
    assert [r[0] for r in rows[1:]] == ["staff0", "staff1", "staff2"]
    assert [r[2] for r in rows[1:]] == ["GEN"] * 3


def test_responses_export_waits_for_k_respondents(within, client, hr, english):
    survey_id = within(small_survey)
    response = client.get(f"/surveys/{survey_id}/responses/export.csv")
    assert response.status_code == 409
    assert "at least 5 people" in response.get_data(as_text=True)
