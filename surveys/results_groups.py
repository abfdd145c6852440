"""The groups a cross-tab or a filter splits the respondents into: departments rolled up to
a level of the tree (with the levels above, for their subtotals), or the answers of a
single-choice or agreement question."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from surveys.results_items import Answers, Spec
from surveys.suppression import protect_line
from workhub.extensions import db
from workhub.org.models import Department

NONE = "none"  # the category of "no answer" (and the group of "no department")


@dataclass
class Groups:
    """The groups a cross-tab or a filter splits the respondents into."""

    keys: list[tuple[str, str]]
    members: list[list[str]]
    hidden: list[bool]
    known: bool = False  # sizes published elsewhere (response rates by department)
    shown: int | None = None  # a filter: only the first group is shown
    upper: Groups | None = None  # departments: the level above, shown too
    parent_of: list[int] | None = None  # each group's index in ``upper``
    ids: list = field(default_factory=list)  # department ids (to find parents)
    question: Spec | None = None  # groups by the answers of this question…
    rows: list[int] = field(default_factory=list)  # …its answers (indices) given by anyone

    @property
    def sizes(self) -> list[int]:
        return [len(m) for m in self.members]


def department_groups(answers: Answers, level: int, language: str, k: int
                       ) -> Groups:
    """Responses per department rolled up to ``level`` (1: the top of the tree), with the
    levels above: a level's table is shown with the one above it, so it is protected with
    the upper rows as subtotals (a parent minus its shown children is no way in)."""
    departments = {d.id: d for d in db.session.scalars(select(Department))}
    chains = {rid: (departments[answers.departments[rid]].path()
                    if answers.departments[rid] in departments else [])
              for rid in answers.responses}

    def at(chain: list[Department], depth: int) -> Department | None:
        return chain[min(depth, len(chain)) - 1] if chain and depth else None

    upper: Groups | None = None
    total = len(answers.responses)
    for depth in range(1, level + 1):
        members: dict[int | None, list[str]] = {}
        parents: dict[int | None, int | None] = {}
        for rid, chain in chains.items():
            department = at(chain, depth)
            key = department.id if department else None
            members.setdefault(key, []).append(rid)
            parent = at(chain, depth - 1)
            parents[key] = parent.id if parent else None
        order = sorted((i for i in members if i is not None),
                       key=lambda i: departments[i].code) + ([None] if None in members else [])
        keys = [(departments[i].code, departments[i].name(language)) if i is not None
                else (NONE, _("No department")) for i in order]
        sizes = [len(members[i]) for i in order]
        hidden, _total = protect_line(sizes, total, k, total_locked=False)
        parent_of = None
        if upper is not None:
            index = {key: n for n, key in enumerate(upper.ids)}
            parent_of = [index[parents[i] if i is not None else None] for i in order]
        upper = Groups(keys, [members[i] for i in order], hidden, known=True, upper=upper,
                        parent_of=parent_of, ids=order)
    assert upper is not None
    return upper


def answer_groups(spec: Spec, answers: Answers) -> list[tuple[str, str, list[str]]]:
    """Responses per answer of a one-answer question, "no answer" last."""
    out = [(key, label, [r for r in answers.responses if spec.chosen.get(r) == {key}])
           for key, label in spec.categories]
    return out + [(NONE, _("No answer"), [r for r in answers.responses
                                          if not spec.chosen.get(r)])]
