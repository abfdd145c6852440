"""One page of a list query: used by every paginated page and API list."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from workhub.extensions import db

PER_PAGE = 50


@dataclass
class Page:
    """One page of results."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.page * self.per_page, self.total)

    def window(self, around: int = 2) -> list[int | None]:
        """Page numbers to link: the first, the last and a few around this one; None is a gap."""
        wanted = {1, self.pages, *range(self.page - around, self.page + around + 1)}
        numbers = sorted(n for n in wanted if 1 <= n <= self.pages)
        out: list[int | None] = []
        for n in numbers:
            if out and n - (out[-1] or 0) > 1:
                out.append(None)
            out.append(n)
        return out


def parse_page(raw: str | None) -> int:
    """Return a page number from a query argument; anything odd means the first page."""
    raw = (raw or "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        return 1
    return max(1, int(raw))


def paginate(stmt: Select, page: int, per_page: int = PER_PAGE) -> Page:
    """Run ``stmt`` for one page; a page past the end shows the last page."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    pages = max(1, math.ceil((total or 0) / per_page))
    page = min(max(1, page), pages)
    items = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).unique())
    return Page(items=items, page=page, per_page=per_page, total=total or 0)
