"""The minimum group size k: which numbers of a results table may be shown.

Pure functions, no database. A table is groups × categories of respondent counts with its
row totals, column totals and grand total (``Table``); ``protect`` says which entries are
suppressed (``Mask``).

1. **Primary suppression.** A number whose group has fewer than k respondents is hidden: a
   count between 1 and k-1 (the count *is* its group: the people behind it), and every entry
   of a row whose group (a department, the people who chose an option) has 1 to k-1 people.
   Zero is not hidden for itself: "nobody" is shown as 0, distinct from "< k". Columns
   likewise: the cells of a column whose total is 1 to k-1 are hidden, zeros included.
2. **Complementary suppression.** Where a row or column adds up to a known total, one hidden
   entry could be recovered by subtraction; so a line with exactly one hidden entry gets a
   second: its smallest shown non-zero entry (a hidden 0 next to a hidden count would just
   give the count away), else a zero, else the line's total. Repeated to a fixed point.
3. **Audit.** A line-by-line rule is not enough on its own (two blocks of hidden cells joined
   by one hidden cell give that cell away through a chain of sums), so every hidden entry
   is checked against the whole system of published sums (and against a line whose hidden
   part must sum to 0): one that they determine exactly gets another suppression beside
   it, and the rule runs again.

Entries may be *locked*: decided by an earlier table that is also shown (the overall
distribution is the totals row of a cross-tab; a department's size is the same in every
question). Locked entries keep their state, so two tables never contradict each other.
Row totals may also be *known* to a reader from elsewhere (response rates by department):
they are then treated as published in the audit even when hidden here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

Pos = tuple[int, int]


@dataclass
class Table:
    """Counts of respondents: ``cells[r][c]`` for group r and category c, with totals.

    ``rows_add_up``: each person is counted once per row (one answer each), so a row's cells
    sum to its total. ``cols_add_up``: the groups split the respondents, so a column's cells
    sum to its total. A multiple-choice question's rows do not add up.
    """

    cells: list[list[int]]
    row_totals: list[int]
    col_totals: list[int]
    total: int
    rows_add_up: bool = True
    cols_add_up: bool = True


@dataclass
class Mask:
    """True where an entry is suppressed."""

    cells: list[list[bool]]
    row_totals: list[bool]
    col_totals: list[bool]
    total: bool

    def any(self) -> bool:
        return (self.total or any(self.row_totals) or any(self.col_totals)
                or any(any(row) for row in self.cells))


@dataclass(frozen=True)
class Subtotal:
    """Rows of this table that add up to a row published with another table (a department
    one level up in the tree): that row's counts, which of them are hidden there, and its
    size (taken as published)."""

    rows: tuple[int, ...]
    cells: tuple[int, ...]
    hidden: tuple[bool, ...]
    size: int


@dataclass
class Locks:
    """States decided elsewhere (None: free). ``known_row_totals``: see the module doc.
    ``subtotals``: rows published one level up; a row that is alone under its subtotal is
    the same group and simply takes its state."""

    row_totals: Sequence[bool | None] | None = None
    col_totals: Sequence[bool | None] | None = None
    total: bool | None = None
    known_row_totals: bool = False
    subtotals: Sequence[Subtotal] = ()


@dataclass
class _Grid:
    """The table as one (R+1) × (C+1) grid: row R holds the column totals, column C the row
    totals, (R, C) the grand total."""

    rows: int
    cols: int
    value: dict[Pos, int]
    hidden: dict[Pos, bool]
    locked: set[Pos] = field(default_factory=set)
    known: set[Pos] = field(default_factory=set)  # published elsewhere, hidden or not
    lines: list[tuple[list[Pos], Pos]] = field(default_factory=list)
    totals_of: dict[Pos, list[Pos]] = field(default_factory=dict)  # cell → its lines' totals

    def public_zero(self, pos: Pos) -> bool:
        """A cell of a line whose published total is 0: everyone knows it is 0, so hiding
        it protects nothing and it is no use as a partner."""
        return any(self.value[t] == 0 and (not self.hidden[t] or t in self.known)
                   for t in self.totals_of.get(pos, ()))

    def revealed(self, pos: Pos) -> bool:
        return not self.hidden[pos] or pos in self.known or self.public_zero(pos)

    def free_shown(self, pos: Pos) -> bool:
        return not self.hidden[pos] and pos not in self.locked and not self.public_zero(pos)


def _grid(table: Table, k: int, row_groups: Sequence[int] | None, locks: Locks) -> _Grid:
    rows, cols = len(table.cells), len(table.col_totals)
    if any(len(row) != cols for row in table.cells) or len(table.row_totals) != rows:
        raise ValueError("cells, row totals and column totals do not match")
    if k < 1:
        raise ValueError("k must be positive")
    value: dict[Pos, int] = {}
    for r in range(rows):
        for c in range(cols):
            value[r, c] = table.cells[r][c]
        value[r, cols] = table.row_totals[r]
    for c in range(cols):
        value[rows, c] = table.col_totals[c]
    value[rows, cols] = table.total
    if any(v < 0 for v in value.values()):
        raise ValueError("counts cannot be negative")

    def small(n: int) -> bool:
        return 0 < n < k

    groups = list(row_groups) if row_groups is not None else table.row_totals
    hidden = {pos: small(v) for pos, v in value.items()}
    for r in range(rows):
        if small(groups[r]):
            for c in range(cols + 1):
                hidden[r, c] = True
    # A column's people are a group too (those who gave one answer): when they are fewer
    # than k, even a 0 of theirs in some row is about them. Rows and columns alike, so a
    # table and its transpose are protected the same way.
    for c in range(cols):
        if small(table.col_totals[c]):
            for r in range(rows):
                hidden[r, c] = True
    grid = _Grid(rows, cols, value, hidden)
    for locked, positions in (
        (locks.row_totals, [(r, cols) for r in range(rows)]),
        (locks.col_totals, [(rows, c) for c in range(cols)]),
        ([locks.total], [(rows, cols)]),
    ):
        for state, pos in zip(locked or [None] * len(positions), positions, strict=True):
            if state is not None:
                grid.hidden[pos] = bool(state)
                grid.locked.add(pos)
    if locks.known_row_totals:
        grid.known.update((r, cols) for r in range(rows + 1))
    if table.rows_add_up:
        grid.lines += [([(r, c) for c in range(cols)], (r, cols)) for r in range(rows + 1)]
    if table.cols_add_up:
        grid.lines += [([(r, c) for r in range(rows)], (rows, c)) for c in range(cols + 1)]
    _add_subtotals(grid, locks.subtotals, table.rows_add_up)
    for cells, total in grid.lines:
        for pos in cells:
            grid.totals_of.setdefault(pos, []).append(total)
    return grid


def _add_subtotals(grid: _Grid, subtotals: Sequence[Subtotal], rows_add_up: bool) -> None:
    """Subtotal rows go below the totals row, locked, with a line per column summing their
    rows to them."""
    rows, cols = grid.rows, grid.cols
    for index, sub in enumerate(subtotals):
        if len(sub.cells) != cols or len(sub.hidden) != cols or not sub.rows:
            raise ValueError("a subtotal does not match the table")
        if len(sub.rows) == 1:
            for c in range(cols):
                grid.hidden[sub.rows[0], c] = bool(sub.hidden[c])
                grid.locked.add((sub.rows[0], c))
            continue
        r = rows + 1 + index
        for c in range(cols):
            grid.value[r, c], grid.hidden[r, c] = sub.cells[c], bool(sub.hidden[c])
            grid.locked.add((r, c))
        grid.value[r, cols], grid.hidden[r, cols] = sub.size, False
        grid.locked.add((r, cols))
        grid.known.add((r, cols))
        grid.lines += [([(child, c) for child in sub.rows], (r, c)) for c in range(cols + 1)]
        if rows_add_up:
            grid.lines.append(([(r, c) for c in range(cols)], (r, cols)))


def _order(grid: _Grid, pos: Pos) -> tuple:
    """Smallest non-zero first, then zeros; position breaks ties (the result is stable)."""
    v = grid.value[pos]
    return (v == 0, v, pos)


def _protectable(grid: _Grid, pos: Pos, line_index: int) -> bool:
    """Whether hiding ``pos`` leaves no other line through it with a lone hidden entry that
    nothing else could pair with."""
    for index, (cells, total) in enumerate(grid.lines):
        if index == line_index or pos not in cells or not grid.revealed(total):
            continue
        if any(not grid.revealed(p) for p in cells):
            continue  # it would be the second hidden entry there
        others = [p for p in cells if p != pos and grid.free_shown(p)]
        if not others and not grid.free_shown(total):
            return False
    return True


def _pick(grid: _Grid, candidates: list[Pos], line_index: int | None) -> Pos | None:
    if not candidates:
        return None
    return min(candidates, key=lambda p: (
        line_index is not None and not _protectable(grid, p, line_index), _order(grid, p)))


def _pair_lone_hidden(grid: _Grid) -> bool:
    """One pass of step 2; True when something more was hidden."""
    changed = False
    for index, (cells, total) in enumerate(grid.lines):
        if not grid.revealed(total):
            continue
        if sum(not grid.revealed(p) for p in cells) != 1:
            continue
        choice = _pick(grid, [p for p in cells if grid.free_shown(p)], index)
        if choice is None and grid.free_shown(total):
            choice = total
        if choice is not None:
            grid.hidden[choice] = True
            changed = True
    return changed


# Elimination runs modulo a large prime: exact integer arithmetic, ~20x faster than
# fractions. A rank found modulo p can only be lower than over the rationals when p divides
# one of the table's minors, which for a 61-bit prime does not happen by chance; and a lower
# rank would hide *more*, never less.
PRIME = 2**61 - 1


def _determined(grid: _Grid) -> list[Pos]:
    """Hidden entries whose value the published sums fix exactly (step 3)."""
    unknowns = sorted(p for p in grid.value if not grid.revealed(p))
    if not unknowns:
        return []
    column = {p: i for i, p in enumerate(unknowns)}
    matrix: list[list[int]] = []
    for cells, total in grid.lines:
        row = [0] * len(unknowns)
        for p, coefficient in [(p, 1) for p in cells] + [(total, -1)]:
            if p in column:
                row[column[p]] += coefficient
        if any(row):
            matrix.append([x % PRIME for x in row])
    # Reduced row echelon form: an unknown is fixed by the sums exactly when some reduced
    # equation mentions it alone.
    pivots: list[int] = []
    lead = 0
    for j in range(len(unknowns)):
        pivot = next((i for i in range(lead, len(matrix)) if matrix[i][j]), None)
        if pivot is None:
            continue
        matrix[lead], matrix[pivot] = matrix[pivot], matrix[lead]
        inverse = pow(matrix[lead][j], PRIME - 2, PRIME)
        top = matrix[lead] = [x * inverse % PRIME for x in matrix[lead]]
        for i, row in enumerate(matrix):
            scale = row[j]
            if i != lead and scale:
                matrix[i] = [(a - scale * b) % PRIME for a, b in zip(row, top, strict=True)]
        pivots.append(j)
        lead += 1
        if lead == len(matrix):
            break
    return [unknowns[j] for i, j in enumerate(pivots) if sum(1 for x in matrix[i] if x) == 1]


def _fix_zero_line(grid: _Grid) -> bool:
    """Counts are never negative: hidden entries of a line whose hidden part sums to 0 are
    all 0. Hide a shown non-zero entry of such a line; True when one was hidden."""
    for index, (cells, total) in enumerate(grid.lines):
        hidden = [p for p in cells if not grid.revealed(p)]
        if not hidden or not grid.revealed(total) or grid.value[total] == 0:
            continue
        if grid.value[total] != sum(grid.value[p] for p in cells if grid.revealed(p)):
            continue
        choice = _pick(grid, [p for p in cells if grid.free_shown(p) and grid.value[p]], index)
        if choice is not None:
            grid.hidden[choice] = True
            return True
    return False


def _hide_beside(grid: _Grid, pos: Pos) -> bool:
    """Hide one more entry next to ``pos`` (on a line through it, else anywhere)."""
    near = [(index, [p for p in cells + [total] if grid.free_shown(p)])
            for index, (cells, total) in enumerate(grid.lines) if pos in cells + [total]]
    for index, candidates in near:
        cells = [p for p in candidates if p != grid.lines[index][1]]
        choice = _pick(grid, cells, index) or _pick(grid, candidates, None)
        if choice is not None:
            grid.hidden[choice] = True
            return True
    anywhere = [p for p in grid.value if grid.free_shown(p)
                and p[0] < grid.rows and p[1] < grid.cols]
    choice = _pick(grid, anywhere, None)
    if choice is None:
        return False
    grid.hidden[choice] = True
    return True


def protect(table: Table, k: int, *, row_groups: Sequence[int] | None = None,
            locks: Locks | None = None) -> Mask:
    """Return which entries of ``table`` to suppress so that no group of fewer than ``k``
    respondents is shown or can be worked out from what is shown.

    Args:
        table: the counts and their totals.
        k: the minimum group size.
        row_groups: the number of respondents behind each row when the row total is not
            that (a multiple-choice row); defaults to the row totals.
        locks: entries whose state is decided by another published table.
    """
    grid = _grid(table, k, row_groups, locks or Locks())
    while True:
        while _pair_lone_hidden(grid):
            pass
        if _fix_zero_line(grid):
            continue
        leaks = _determined(grid)
        if not leaks or not _hide_beside(grid, leaks[0]):
            break
    rows, cols = grid.rows, grid.cols
    return Mask(
        cells=[[grid.hidden[r, c] for c in range(cols)] for r in range(rows)],
        row_totals=[grid.hidden[r, cols] for r in range(rows)],
        col_totals=[grid.hidden[rows, c] for c in range(cols)],
        total=grid.hidden[rows, cols],
    )


def protect_line(counts: Sequence[int], total: int, k: int, *, adds_up: bool = True,
                 total_locked: bool | None = None) -> tuple[list[bool], bool]:
    """``protect`` for one row of counts and its total: (hidden counts, hidden total)."""
    mask = protect(Table([list(counts)], [total], list(counts), total, rows_add_up=adds_up,
                         cols_add_up=False),
                   k, locks=Locks(row_totals=[total_locked], total=total_locked))
    return mask.cells[0], mask.row_totals[0]


def protect_sums(sizes: Sequence[int], shown: Sequence[bool], k: int) -> list[bool]:
    """Which group statistics (means) may be shown next to the statistic of all groups
    together: hide the smallest shown ones until the groups hidden together hold no one or
    at least ``k`` people (else their mean follows from the others and the overall one)."""
    shown = list(shown)
    while True:
        hidden = sum(n for n, s in zip(sizes, shown, strict=True) if not s)
        if not 0 < hidden < k:
            return shown
        visible = [i for i, s in enumerate(shown) if s]
        if not visible:
            return shown
        shown[min(visible, key=lambda i: (sizes[i], i))] = False
