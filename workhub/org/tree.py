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
