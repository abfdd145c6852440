"""The department tree as features show it: the departments someone may see, in tree order."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select

from workhub.extensions import db
from workhub.org.models import Department


@dataclass(frozen=True)
class TreeRow:
    id: int
    code: str
    name: str  # in the page's language (Japanese where no English name is set)
    parent_code: str | None  # None at the top, or when the parent is not among the rows
    depth: int


def tree_rows(department_ids: Collection[int] | None, language: str) -> list[TreeRow]:
    """Every department (``department_ids`` None), or only those, in tree order: parents
    before children, siblings by code. A department whose parent is left out starts a tree
    of its own at depth 0."""
    stmt = select(Department.id, Department.code, Department.name_ja, Department.name_en,
                  Department.parent_id)
    if department_ids is not None:
        if not department_ids:
            return []
        stmt = stmt.where(Department.id.in_(sorted(department_ids)))
    depts = db.session.execute(stmt).all()
    by_id = {d.id: d for d in depts}
    children: dict[int | None, list] = {}
    for d in depts:
        children.setdefault(d.parent_id if d.parent_id in by_id else None, []).append(d)
    out: list[TreeRow] = []

    def walk(parent_id: int | None, parent_code: str | None, depth: int) -> None:
        for d in sorted(children.get(parent_id, []), key=lambda d: d.code):
            name = d.name_en if language == "en" and d.name_en else d.name_ja
            out.append(TreeRow(d.id, d.code, name, parent_code, depth))
            walk(d.id, d.code, depth + 1)

    walk(None, None, 0)
    return out


def indented_choices(department_ids: Collection[int] | None,
                     language: str) -> list[tuple[str, str]]:
    """(code, name and code indented by depth) of the departments, in tree order: the
    choices of a filter that keeps the tree's shape (statistics, device reports)."""
    return [(row.code, "\u3000" * row.depth + f"{row.name} ({row.code})")
            for row in tree_rows(department_ids, language)]


def path_choices(language: str, *, department_ids: Collection[int] | None = None,
                 exclude: Collection[int] = ()) -> list[tuple[str, str]]:
    """(code, "局 › 部 › 課") of every department, or only of ``department_ids``, in tree
    order; each label is the whole path from the top even when a parent is left out.
    ``exclude`` leaves those departments and everything under them out (a department
    cannot move under itself)."""
    wanted = set(department_ids) if department_ids is not None else None
    out: list[tuple[str, str]] = []
    trail: list[str] = []
    skip_below: int | None = None  # depth of an excluded department whose subtree is skipped
    for row in tree_rows(None, language):
        if skip_below is not None and row.depth > skip_below:
            continue
        skip_below = None
        del trail[row.depth:]
        trail.append(row.name)
        if row.id in exclude:
            skip_below = row.depth
            continue
        if wanted is None or row.id in wanted:
            out.append((row.code, " › ".join(trail)))
    return out


def path_label(department: Department, language: str) -> str:
    """"局 › 部 › 課": the department's whole path from the top, as ``path_choices`` shows it."""
    return " › ".join(d.name(language) for d in department.path())
