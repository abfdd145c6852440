"""Survey exports: the aggregated results and the responses, as CSV (UTF-8 with BOM, for
Excel) and XLSX, both safe against formula injection (workhub/exports_common.py).

* **Aggregated results** are the page's numbers, hidden ones written as ``< k`` (never a
  count, a percentage or a mean of a hidden group), with the survey, k, the cross-tab or
  filter on a summary sheet and the frequent words of the texts on their own sheet.
* **Responses** (one column per question or grid row) only when the survey has at least
  k respondents.
  - *Anonymous* survey: no person, department, time or response id, and **no row is a
    person**: every column is shuffled on its own. One person's answers side by side would
    let anyone cross two columns (bureau × satisfaction, say) into groups far below k, the
    very numbers the results page hides; a column alone is the question's answers in a
    random order. Dates are months; in each column a value given by fewer than k
    respondents (a rare option or combination, a unique number, a month few chose, "no
    answer" when few left it empty; all of a text question's answers when fewer than k
    wrote one) is written ``< k``, with partners as in the results, so that counting the
    ``< k`` cells gives nothing away.
  - *Identified* survey: login, name and department first, every answer as given, rows
    by department and login.
"""

from __future__ import annotations

import random
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from surveys.layout import ordered_questions
from surveys.models import Survey, SurveyResponse
from surveys.results import Count, Results, Row, Stats
from surveys.results_items import Spec, load, specs
from surveys.suppression import protect_line
from surveys.validation import localized
from workhub.errors import Conflict
from workhub.exports_common import csv_bytes, xlsx_bytes
from workhub.extensions import db
from workhub.org.models import Department, User

HIDDEN = "< k"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- aggregated results ------------------------------------------------------------------------


def _value(count: Count) -> object:
    return HIDDEN if count.hidden else count.value


def _percent(count: Count) -> object:
    return "" if count.percent is None else count.percent


def _stat_rows(stats: Stats | None) -> list[tuple[str, object]]:
    if stats is None:
        return []
    return [(_("Answered (n)"), HIDDEN if stats.n is None else stats.n),
            (_("Mean"), HIDDEN if stats.mean is None else stats.mean),
            (_("Median"), HIDDEN if stats.median is None else stats.median)]


def result_headers() -> list[str]:
    return [_("Question key"), _("Question"), _("Grid row"), _("Group"), _("Group size"),
            _("Answer"), _("Count"), _("Percent (%)")]


def _population(results: Results) -> tuple[str, object]:
    if results.filter_group is not None:
        return results.filter_group.label, results.filter_group.size
    return _("All respondents"), results.respondents


def result_rows(results: Results) -> list[list[object]]:
    """One line per number: question, grid row, group, answer, count and percentage."""
    label, size = _population(results)
    out: list[list[object]] = []
    for question in results.questions:
        for item in question.items:
            rows: list[tuple[str, object, Row]] = [(label, size, item.overall)]
            rows += [(row.group.label, HIDDEN if row.group.hidden else row.group.size, row)
                     for row in item.groups]
            for group, group_size, row in rows:
                start = [question.question.key, question.text, item.label or "", group,
                         group_size]
                out += [start + [c.label, _value(c), _percent(c)] for c in row.counts]
                out += [start + [name, value, ""] for name, value in _stat_rows(row.stats)]
    return out


def summary_rows(results: Results, language: str) -> list[list[object]]:
    survey = results.survey
    selection = results.selection
    return [
        [_("Survey"), localized(survey, "title", language)],
        [_("Anonymous"), _("Yes") if survey.anonymous else _("No")],
        [_("Minimum group size (k)"), results.k],
        [_("Respondents"), HIDDEN if results.hidden else results.respondents],
        [_("Cross-tab"), selection.by or ""],
        [_("Filter"), results.filter_group.label if results.filter_group else (
            HIDDEN if results.filter_hidden else "")],
        [_("Exported on"), date.today().isoformat()],
        [_("Note"), _("“< k”: hidden, because a group of fewer than k respondents is behind "
                      "it or because it would let such a number be worked out.")],
    ]


def _term_rows(results: Results) -> list[list[object]]:
    out = []
    for question in results.questions:
        for item in question.items:
            if item.analysis is None:
                continue
            out += [[question.question.key, question.text, _("Word"), t.text, t.count]
                    for t in item.analysis.words]
            out += [[question.question.key, question.text, _("Phrase"), t.text, t.count]
                    for t in item.analysis.phrases]
    return out


def results_csv(results: Results) -> bytes:
    return csv_bytes(result_headers(), result_rows(results))


def results_xlsx(results: Results, language: str) -> bytes:
    return xlsx_bytes([
        (_("Summary"), [_("Item"), _("Value")], summary_rows(results, language)),
        (_("Results"), result_headers(), result_rows(results)),
        (_("Frequent words"), [_("Question key"), _("Question"), _("Kind"), _("Term"),
                               _("Answers")], _term_rows(results)),
    ])


# --- responses ---------------------------------------------------------------------------------


def _columns(survey: Survey, language: str) -> list[tuple[str, Spec]]:
    answers = load(survey)
    columns = []
    for question in ordered_questions(survey):
        text = localized(question, "text", language)
        for spec in specs(question, answers.rows.get(question.id, {}), language):
            title = f"{text} — {spec.label}" if spec.label else text
            columns.append((f"{title} [{spec.key}]", spec))
    return columns


def _plain(spec: Spec, rid: str) -> object:
    """The answer of response ``rid`` as written in the file."""
    chosen = spec.chosen.get(rid)
    if not chosen:
        return ""
    if spec.kind == "text":
        return spec.texts[rid]
    if spec.kind in ("numeric", "choice") and rid in spec.numbers:
        number = spec.numbers[rid]
        return int(number) if float(number).is_integer() else number
    labels = dict(spec.categories)
    return "; ".join(labels[key] for key, _label in spec.categories if key in chosen)


def _masked_column(spec: Spec, ids: list[str], k: int) -> dict[str, object]:
    """The column of an anonymous survey: a value is written only when its class (the
    answer, the month of a date, "answered" for a text, "no answer") is not hidden by the
    k rule applied to the column's class counts, partners included, so that counting the
    ``< k`` cells gives nothing away either."""
    def class_of(rid: str) -> object:
        if spec.kind == "text":
            return "answered" if rid in spec.texts else ""
        if spec.kind == "date":
            return next(iter(spec.chosen.get(rid) or [""]))
        return _plain(spec, rid)

    classes = {rid: class_of(rid) for rid in ids}
    names = sorted(set(classes.values()), key=str)
    counts = [sum(1 for c in classes.values() if c == name) for name in names]
    hidden, _total = protect_line(counts, len(ids), k)
    secret = {name for name, h in zip(names, hidden, strict=True) if h}
    return {rid: HIDDEN if classes[rid] in secret else (
        classes[rid] if spec.kind == "date" else _plain(spec, rid)) for rid in ids}


def responses_table(survey: Survey, language: str) -> tuple[list[str], list[list[object]]]:
    """Headers and rows of the responses export; Conflict when the survey has fewer than
    k respondents."""
    k = survey.min_group_size
    responses = list(db.session.execute(
        select(SurveyResponse.id, SurveyResponse.user_id, SurveyResponse.department_id)
        .where(SurveyResponse.survey_id == survey.id)).all())
    if len(responses) < k:
        raise Conflict(_("Responses can be exported once at least %(k)d people have "
                         "answered.", k=k), code="below_k")
    columns = _columns(survey, language)
    ids = [r.id for r in responses]
    headers = [title for title, _spec in columns]
    if survey.anonymous:
        shuffle = random.SystemRandom().shuffle
        values = []
        for _title, spec in columns:
            column = list(_masked_column(spec, ids, k).values())
            shuffle(column)  # each on its own: no order of submission, no person per row
            values.append(column)
        return headers, [list(row) for row in zip(*values, strict=True)]
    users = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_([r.user_id for r in responses if r.user_id])))}
    departments = {d.id: d for d in db.session.scalars(select(Department))}
    rows = []
    for response in responses:
        user = users.get(response.user_id)
        department = departments.get(response.department_id)
        person = [user.login if user else "", user.display_name if user else "",
                  department.code if department else "",
                  department.name(language) if department else ""]
        rows.append(person + [_plain(spec, response.id) for _title, spec in columns])
    rows.sort(key=lambda row: (row[2], row[0]))
    return [_("Login"), _("Name"), _("Department code"), _("Department")] + headers, rows


def responses_csv(survey: Survey, language: str) -> bytes:
    return csv_bytes(*responses_table(survey, language))


def responses_xlsx(survey: Survey, language: str) -> bytes:
    headers, rows = responses_table(survey, language)
    return xlsx_bytes([(_("Responses"), headers, rows)])
