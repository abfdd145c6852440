"""Survey results: per question counts, percentages and means, cross-tabs and filters, every
number passed through the minimum group size k (surveys/suppression.py).

Decisions recorded here (the page, the exports and the API rely on them):

* **Who is counted.** Every submitted response. A respondent who left a question empty is
  counted under "no answer", so a question's counts add up to its respondents (except
  multiple choice, where a person may tick several boxes). Percentages are of the group's
  respondents; means and medians are of those who answered.
* **The whole survey below k** shows nothing at all, not even the exact number of
  respondents.
* **Tables shown together agree.** The overall distribution of a question is protected on
  its own; a cross-tab or a filter then treats those totals (and the groups' sizes, which
  are the same in every question) as fixed, so that no two views can be subtracted from
  each other. Department sizes are known anyway from the response rates: the audit treats
  them as published.
* **Cross-tabs** by department (identified surveys only: anonymous responses carry no
  department) rolled up to a level of the tree, or by the answers of a single-choice or
  agreement question; groups include "no department" / "no answer", so they split the
  respondents exactly. Every level of departments can be shown, so a level is protected
  with the level above as subtotals (a parent minus its shown children gives nothing).
* **Means.** A mean of a scale (agreement, rating, grid row) follows from its counts and
  would give a hidden count away: it is shown only when all the counts are. A mean of
  numbers is shown for at least k answers, and so that the groups hidden under one parent
  (everyone, a department one level up, a filter's rest) hold nobody or at least k.
* **A filter** (the respondents who gave one answer to a single-choice or agreement
  question) is one row of the cross-tab by that question, protected the same way; it is
  shown only when its group has at least k people *and* the rest is empty or has at least
  k too (else the rest's texts follow from "all minus the filter").
* **Two questions crossed** are the same numbers whichever is the axis (and in each of
  their filters): protected once, in one orientation, and turned round for the other.
* **Texts** are listed only for all respondents or a filter group, only when at least k
  people answered the question, sorted (never in the order they were given).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from flask_babel import gettext as _

from surveys import textmine
from surveys.layout import ordered_questions
from surveys.models import Survey, SurveyQuestion
from surveys.results_groups import NONE, Groups, answer_groups, department_groups
from surveys.results_items import Answers, Spec, load, specs
from surveys.results_select import Selection, question_by_key
from surveys.suppression import Locks, Mask, Subtotal, Table, protect, protect_line, protect_sums
from surveys.validation import localized

# --- what the results are made of ------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """A group of respondents: a department, the people who gave one answer, a filter."""

    key: str
    label: str
    size: int | None  # None when hidden
    hidden: bool


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    value: int | None  # None when hidden
    percent: float | None  # of the group's respondents; None when hidden or unknown

    @property
    def hidden(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Stats:
    """Of those who answered: ``n`` is None when it would reveal a hidden count."""

    n: int | None
    mean: float | None
    median: float | None

    @property
    def hidden(self) -> bool:
        return self.mean is None


@dataclass(frozen=True)
class Row:
    """One group's answers to one item (``group`` None: the population shown)."""

    group: Group | None
    counts: list[Count]
    stats: Stats | None

    @property
    def hidden(self) -> bool:
        return self.group is not None and self.group.hidden


@dataclass
class Item:
    """A question, or one row of an agreement grid."""

    key: str
    label: str | None  # the grid row's label
    kind: str  # choice, multiple, numeric (numbers only), date, text
    overall: Row
    groups: list[Row] = field(default_factory=list)
    texts: list[str] | None = None  # text questions, when shown
    analysis: textmine.Analysis | None = None

    @property
    def texts_hidden(self) -> bool:
        return self.kind == "text" and self.texts is None


@dataclass
class QuestionResult:
    question: SurveyQuestion
    text: str
    items: list[Item]


@dataclass
class Results:
    survey: Survey
    k: int
    respondents: int | None  # None when below k
    selection: Selection
    groups: list[Group] = field(default_factory=list)
    filter_group: Group | None = None  # shown for a filter that passes the rule
    filter_hidden: bool = False  # the filter's group (or the rest) is below k
    questions: list[QuestionResult] = field(default_factory=list)

    @property
    def hidden(self) -> bool:
        return self.respondents is None



# --- counting -------------------------------------------------------------------------------------


class _Counter:
    """Counts, protects and assembles the items of one survey."""

    def __init__(self, survey: Survey, answers: Answers, language: str, texts: bool):
        self.k = survey.min_group_size
        self.answers = answers
        self.total = len(answers.responses)
        self.language = language
        self.want_texts = texts
        self._overall: dict[str, tuple[list[int], list[bool]]] = {}
        self._masks: dict[tuple, tuple[list[list[int]], Mask]] = {}

    def overall(self, spec: Spec) -> tuple[list[int], list[bool]]:
        """Counts of every respondent and which are hidden (the fixed totals of the rest)."""
        if spec.key not in self._overall:
            counts = spec.counts(self.answers.responses)
            hidden, _total = protect_line(counts, self.total, self.k, adds_up=spec.additive,
                                          total_locked=False)
            self._overall[spec.key] = (counts, hidden)
        return self._overall[spec.key]

    def labels(self, spec: Spec) -> list[tuple[str, str]]:
        return spec.categories + [(NONE, _("No answer"))]

    def row(self, spec: Spec, group: Group | None, counts: list[int], hidden: list[bool],
            size: int | None, stats: Stats | None) -> Row:
        out = []
        for (key, label), value, secret in zip(self.labels(spec), counts, hidden, strict=True):
            if secret:
                out.append(Count(key, label, None, None))
            else:
                percent = round(100.0 * value / size, 1) if size else None
                out.append(Count(key, label, value, percent))
        return Row(group, out, stats)

    def stats(self, spec: Spec, members: list[str], shown: bool, n_shown: bool
              ) -> Stats | None:
        if not spec.has_stats:
            return None
        values = [spec.numbers[r] for r in members if r in spec.numbers]
        if not shown or not values:
            return Stats(len(values) if n_shown else None, None, None)
        return Stats(len(values) if n_shown else None, round(statistics.fmean(values), 2),
                     round(float(statistics.median(values)), 2))

    def n_shown(self, spec: Spec, hidden: list[bool], size_hidden: bool) -> bool:
        """Whether the number who answered is shown (or follows from what is)."""
        if spec.kind == "numeric":
            return not hidden[0]
        return not hidden[-1] and not size_hidden

    def item(self, spec: Spec, groups: Groups | None) -> Item:
        counts, hidden = self.overall(spec)
        everyone = self.answers.responses
        answered = len(spec.numbers)
        stats = self.stats(spec, everyone,
                           self.stats_shown(spec, hidden, answered, answered >= self.k),
                           self.n_shown(spec, hidden, False))
        item = Item(spec.key, spec.label, spec.kind,
                    self.row(spec, None, counts, hidden, self.total, stats))
        texts_shown = spec.kind == "text" and not hidden[0] and len(spec.texts) >= self.k
        members: set[str] | None = None
        if groups is not None:
            rows, filter_texts = self.crosstab(spec, groups)
            if groups.shown is None:
                item.groups = rows
            else:  # a filter: its group is the population shown
                item.overall = rows[groups.shown]
                texts_shown = filter_texts
                members = set(groups.members[groups.shown])
        if texts_shown:
            texts = [t for r, t in spec.texts.items() if members is None or r in members]
            item.texts = sorted(texts, key=lambda t: (t.casefold(), t))
            if self.want_texts:
                item.analysis = textmine.analyse(item.texts)
        return item

    def mask(self, spec: Spec, groups: Groups) -> tuple[list[list[int]], Mask]:
        """The groups' counts and what to hide, protected together with the overall counts
        and group sizes (fixed) and, for departments, the level above as subtotals."""
        if groups.question is spec:  # a filter's own question: each group on its answer
            cells = [spec.counts(m) for m in groups.members]
            return cells, Mask(
                cells=[[groups.hidden[g] and c == groups.rows[g] for c in range(len(row))]
                       for g, row in enumerate(cells)],
                row_totals=list(groups.hidden), col_totals=self.overall(spec)[1], total=False)
        if groups.question is not None and spec.groupable:
            cells, mask = self.pair(groups.question, spec)
            return [cells[i] for i in groups.rows], Mask(
                cells=[mask.cells[i] for i in groups.rows],
                row_totals=[mask.row_totals[i] for i in groups.rows],
                col_totals=mask.col_totals, total=mask.total)
        key = (spec.key, id(groups))
        if key not in self._masks:
            counts, hidden = self.overall(spec)
            cells = [spec.counts(m) for m in groups.members]
            subtotals: list[Subtotal] = []
            if groups.upper is not None and groups.parent_of is not None:
                upper_cells, upper_mask = self.mask(spec, groups.upper)
                subtotals = [Subtotal(
                    tuple(i for i, p in enumerate(groups.parent_of) if p == parent),
                    tuple(upper_cells[parent]), tuple(upper_mask.cells[parent]),
                    len(groups.upper.members[parent]))
                    for parent in range(len(groups.upper.members))]
            sizes = groups.sizes
            mask = protect(
                Table(cells, sizes, counts, self.total, rows_add_up=spec.additive),
                self.k, row_groups=sizes,
                locks=Locks(row_totals=groups.hidden, col_totals=hidden, total=False,
                            known_row_totals=groups.known, subtotals=subtotals))
            self._masks[key] = (cells, mask)
        return self._masks[key]

    def pair(self, rows: Spec, cols: Spec) -> tuple[list[list[int]], Mask]:
        """Two questions that both split the respondents, crossed: the same numbers whichever
        is the cross-tab's axis (or the filter), so they are protected once, in one
        orientation (by key), and turned round for the other."""
        if rows.key > cols.key:
            cells, mask = self.pair(cols, rows)
            return [list(c) for c in zip(*cells, strict=True)], Mask(
                cells=[list(c) for c in zip(*mask.cells, strict=True)],
                row_totals=mask.col_totals, col_totals=mask.row_totals, total=mask.total)
        key = (rows.key, cols.key, "pair")
        if key not in self._masks:
            row_counts, row_hidden = self.overall(rows)
            col_counts, col_hidden = self.overall(cols)
            cells = [cols.counts(m) for _key, _label, m in answer_groups(rows, self.answers)]
            self._masks[key] = (cells, protect(
                Table(cells, row_counts, col_counts, self.total), self.k,
                locks=Locks(row_totals=row_hidden, col_totals=col_hidden, total=False)))
        return self._masks[key]

    def shown_sums(self, groups: Groups, answered: list[int]) -> list[bool]:
        """Which groups' means (or text lists) may be shown: each group with at least k
        answers, and under each parent (everyone, or the department one level up) the
        hidden ones together hold nobody or at least k."""
        shown = [n >= self.k and not h for n, h in zip(answered, groups.hidden, strict=True)]
        parent_of = groups.parent_of or [0] * len(answered)
        for parent in set(parent_of):
            children = [i for i, p in enumerate(parent_of) if p == parent]
            flags = protect_sums([answered[i] for i in children], [shown[i] for i in children],
                                 self.k)
            for i, flag in zip(children, flags, strict=True):
                shown[i] = flag
        return shown

    def crosstab(self, spec: Spec, groups: Groups) -> tuple[list[Row], bool]:
        """One row per group; and whether the texts of the shown group (a filter) may be
        listed."""
        cells, mask = self.mask(spec, groups)
        sizes = groups.sizes
        answered = [sum(1 for r in m if r in spec.numbers or r in spec.texts)
                    for m in groups.members]
        sums = self.shown_sums(groups, answered)
        rows = []
        for index, (key, label) in enumerate(groups.keys):
            size_hidden = groups.hidden[index]
            group = Group(key, label, None if size_hidden else sizes[index], size_hidden)
            hidden = mask.cells[index]
            stats = self.stats(spec, groups.members[index],
                               self.stats_shown(spec, hidden, answered[index], sums[index]),
                               self.n_shown(spec, hidden, size_hidden))
            rows.append(self.row(spec, group, cells[index], hidden,
                                 None if size_hidden else sizes[index], stats))
        first = groups.shown or 0
        texts = spec.kind == "text" and sums[first] and not mask.cells[first][0]
        return rows, texts

    def stats_shown(self, spec: Spec, hidden: list[bool], answered: int, sums: bool) -> bool:
        """A mean of answers on a scale (agreement, rating) follows from the counts, and with
        one count hidden it would give that count away: shown only when every point's count
        is. A mean of numbers: shown when ``sums`` allows (``shown_sums``)."""
        if spec.kind == "numeric":
            return sums
        return answered > 0 and not any(hidden[:len(spec.categories)])


def _question_groups(spec: Spec, counter: _Counter) -> Groups:
    """Respondents by their answer to ``spec``; answers nobody gave are left out (rows of
    zeros that tell nothing), the sizes hidden as in the question's own results."""
    found = answer_groups(spec, counter.answers)
    hidden = counter.overall(spec)[1]
    rows = [i for i, (_key, _label, members) in enumerate(found) if members]
    return Groups([found[i][:2] for i in rows], [found[i][2] for i in rows],
                   [hidden[i] for i in rows], question=spec, rows=rows)


def _selected_groups(selection: Selection, counter: _Counter,
                     all_specs: dict[str, Spec]) -> Groups | None:
    if selection.by == "department":
        return department_groups(counter.answers, selection.level, counter.language,
                                  counter.k)
    if selection.by:
        return _question_groups(all_specs[selection.by.removeprefix("question:")], counter)
    return None


def _filter_groups(survey: Survey, selection: Selection, counter: _Counter,
                   all_specs: dict[str, Spec]) -> tuple[Groups | None, Group | None]:
    """The cross-tab by the filter's question, of which only the filter's group is shown;
    (None, None) when that group or the rest is below k, or when the group's size is
    hidden in its question's own results (it would give that away)."""
    key, _sep, value = (selection.filter or "").partition(":")
    spec = all_specs[key]
    index = [k for k, _label in spec.categories].index(value)
    groups = _question_groups(spec, counter)
    size = len(groups.members[groups.rows.index(index)]) if index in groups.rows else 0
    k = counter.k
    if size < k or 0 < counter.total - size < k or counter.overall(spec)[1][index]:
        return None, None
    groups.shown = groups.rows.index(index)
    question = question_by_key(survey, key)
    label = f"{localized(question, 'text', counter.language)}: {spec.categories[index][1]}"
    return groups, Group("filter", label, size, False)


def survey_results(survey: Survey, selection: Selection | None = None, language: str = "ja",
                   *, texts: bool = True, keys: set[str] | None = None) -> Results:
    """The results of ``survey`` as ``selection`` asks (checked by ``parse_selection``),
    every number protected by the survey's minimum group size. ``texts``: also analyse the
    free texts (the API and the exports of counts do without); ``keys``: only these
    questions (a chart)."""
    selection = selection or Selection()
    # A chart needs its question and those its filter or cross-tab is made of.
    wanted = None if keys is None else keys | {
        (selection.filter or "").partition(":")[0], (selection.by or "").removeprefix(
            "question:")}
    questions = [q for q in ordered_questions(survey) if wanted is None or q.key in wanted]
    answers = load(survey, None if wanted is None else {q.id for q in questions})
    counter = _Counter(survey, answers, language, texts)
    results = Results(survey, counter.k,
                      counter.total if counter.total >= counter.k else None, selection)
    if results.hidden:
        return results
    per_question = [(q, specs(q, answers.rows.get(q.id, {}), language)) for q in questions]
    all_specs = {spec.key: spec for _q, found in per_question for spec in found}
    if selection.filter:
        groups, results.filter_group = _filter_groups(survey, selection, counter, all_specs)
        if groups is None:
            results.filter_hidden = True
            return results
    else:
        groups = _selected_groups(selection, counter, all_specs)
        if groups is not None:
            results.groups = [Group(key, label, None if hidden else len(members), hidden)
                              for (key, label), members, hidden
                              in zip(groups.keys, groups.members, groups.hidden, strict=True)]
    grouping = (selection.by or "").removeprefix("question:")
    for question, found in per_question:
        if keys is not None and question.key not in keys:
            continue
        items = [counter.item(spec, None if spec.key == grouping else groups)
                 for spec in found]
        results.questions.append(
            QuestionResult(question, localized(question, "text", language), items))
    return results
