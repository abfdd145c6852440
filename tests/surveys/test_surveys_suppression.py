"""The k rule on its own (surveys/suppression.py): primary suppression at k-1 and k, zero
kept apart from "< k", complementary suppression against subtraction in rows, columns and
totals, the audit against chains of sums, locked totals, and random tables checked by an
independent rank test (numpy) that no hidden number can be worked out."""

from __future__ import annotations

import random

import numpy as np
import pytest

from surveys.suppression import Locks, Subtotal, Table, protect, protect_line, protect_sums

K = 5


def table(cells, *, rows_add_up=True, cols_add_up=True) -> Table:
    """A table with its true totals."""
    return Table(
        cells=[list(row) for row in cells],
        row_totals=[sum(row) for row in cells],
        col_totals=[sum(col) for col in zip(*cells, strict=True)],
        total=sum(map(sum, cells)),
        rows_add_up=rows_add_up,
        cols_add_up=cols_add_up,
    )


def hidden_cells(mask) -> set[tuple[int, int]]:
    return {(r, c) for r, row in enumerate(mask.cells) for c, h in enumerate(row) if h}


def entries(t: Table, mask):
    """Every entry as (position, value, hidden) on the (R+1) × (C+1) grid."""
    rows, cols = len(t.cells), len(t.col_totals)
    for r in range(rows):
        for c in range(cols):
            yield (r, c), t.cells[r][c], mask.cells[r][c]
        yield (r, cols), t.row_totals[r], mask.row_totals[r]
    for c in range(cols):
        yield (rows, c), t.col_totals[c], mask.col_totals[c]
    yield (rows, cols), t.total, mask.total


def lines(t: Table):
    rows, cols = len(t.cells), len(t.col_totals)
    found = []
    if t.rows_add_up:
        found += [([(r, c) for c in range(cols)], (r, cols)) for r in range(rows + 1)]
    if t.cols_add_up:
        found += [([(r, c) for r in range(rows)], (rows, c)) for c in range(cols + 1)]
    return found


def solvable(value: dict, hidden: set, equations: list) -> list:
    """Hidden entries a reader can work out from the published ones: by linear algebra over
    the sums ``equations`` ((cells, total) pairs; numpy's rank, independent of the module's
    own elimination) or because a line's hidden part sums to zero. Cells of a line whose
    published total is 0 are publicly 0 and not counted."""
    public = {p for cells, total in equations if total not in hidden and value[total] == 0
              for p in cells}
    unknown = sorted(p for p in hidden if p not in public)
    index = {pos: i for i, pos in enumerate(unknown)}
    rows = []
    found = set()
    for cells, total in equations:
        row = np.zeros(len(unknown))
        for pos, sign in [(p, 1) for p in cells] + [(total, -1)]:
            if pos in index:
                row[index[pos]] += sign
        if row.any():
            rows.append(row)
        inside = [p for p in cells if p in index]
        if inside and total not in index and value[total] > 0 and value[total] == sum(
                value[p] for p in cells if p not in index):
            found.update(inside)
    if rows:
        matrix = np.array(rows)
        rank = np.linalg.matrix_rank(matrix)
        for pos, i in index.items():
            unit = np.zeros(len(unknown))
            unit[i] = 1
            if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
                found.add(pos)
    return sorted(found)


def recoverable(t: Table, mask, known=frozenset()) -> list[tuple[int, int]]:
    """``solvable`` for one table and its mask; ``known``: entries published elsewhere."""
    value = {pos: v for pos, v, _ in entries(t, mask)}
    hidden = {pos for pos, _, h in entries(t, mask) if h and pos not in known}
    return solvable(value, hidden, lines(t))


# --- primary suppression ------------------------------------------------------------------


def test_a_count_of_k_minus_1_is_hidden_and_k_is_shown():
    hidden, total_hidden = protect_line([K - 1, K, K - 1, 20], 2 * K + 2 * (K - 1) + 12, K,
                                        adds_up=False)
    assert hidden == [True, False, True, False]
    assert not total_hidden


def test_zero_is_shown_not_hidden():
    hidden, _ = protect_line([0, 7, 0, 9], 16, K)
    assert hidden == [False, False, False, False]


@pytest.mark.parametrize("k", [3, 5, 10])
def test_the_limit_follows_k(k):
    hidden, _ = protect_line([k - 1, k, k + 1], 3 * k, k, adds_up=False)
    assert hidden == [True, False, False]


def test_a_small_group_hides_its_whole_row_even_zeros_and_large_counts():
    # A department of 4 people (k=5): "0 of them chose B" is about fewer than k people too.
    t = table([[4, 0, 0], [6, 9, 7], [5, 8, 6]])
    mask = protect(t, K)
    assert mask.cells[0] == [True, True, True]
    assert mask.row_totals[0]
    assert not mask.total


def test_row_groups_count_people_when_a_row_does_not_add_up():
    # Multiple choice: 4 people ticked 8 boxes; the row's group is 4, not 8, so even its 0
    # is hidden. Columns still add up: another row is hidden with it.
    t = table([[4, 4, 0], [9, 8, 7], [7, 6, 5]], rows_add_up=False)
    people = [4, 12, 11]
    t.row_totals, t.total = people, sum(people)
    mask = protect(t, K, row_groups=people)
    assert mask.cells[0] == [True, True, True] and mask.row_totals[0]
    assert recoverable(t, mask) == []
    without = protect(t, K)  # the row total (4) is the group here as well
    assert without.cells[0] == [True, True, True]


# --- complementary suppression --------------------------------------------------------------


def test_a_lone_hidden_count_gets_the_smallest_shown_non_zero_count_as_partner():
    # 20 respondents: 2 + 0 + 6 + 12. Hiding 2 alone gives it away (20 - 0 - 6 - 12).
    hidden, total_hidden = protect_line([2, 0, 6, 12], 20, K)
    assert hidden == [True, False, True, False]
    assert not total_hidden


def test_a_department_below_k_next_to_a_shown_total():
    # Department sizes: 3 (hidden), 10, 8, 9 with the grand total 30 shown.
    t = Table([[3], [10], [8], [9]], [3, 10, 8, 9], [30], 30, rows_add_up=False)
    mask = protect(t, K)
    assert [row[0] for row in mask.cells] == [True, False, True, False]
    assert not mask.total
    assert recoverable(t, mask) == []


def test_two_hidden_counts_in_a_line_need_no_partner():
    hidden, _ = protect_line([2, 3, 8, 12], 25, K)
    assert hidden == [True, True, False, False]


def test_a_total_below_k_hides_itself_and_its_whole_line():
    hidden, total_hidden = protect_line([2, 0], 2, K)
    assert hidden == [True, True]
    assert total_hidden


def test_a_partner_in_the_row_creates_a_lone_hidden_count_in_its_column():
    # Row 0 hides 2 (primary) and its partner 6; column 1 then has 6 alone hidden and gets a
    # partner in row 1, which in turn needs one in row 1, and so on to a fixed point.
    t = table([[2, 6, 12], [9, 7, 10], [8, 11, 13]])
    mask = protect(t, K)
    assert {(0, 0), (0, 1)} <= hidden_cells(mask)
    for row in mask.cells:
        assert sum(row) != 1
    for c in range(3):
        assert sum(row[c] for row in mask.cells) != 1
    assert recoverable(t, mask) == []
    assert not any(mask.col_totals) and not any(mask.row_totals)


def test_hidden_zero_of_a_small_group_cannot_be_read_from_its_column():
    # Department 0 has 3 people, none chose B: the 0 is hidden with its row. Column B is
    # 0 + 9 + 8 = 17: the hidden part must not be seen to sum to 0.
    t = table([[3, 0], [6, 9], [7, 8]])
    mask = protect(t, K)
    assert mask.cells[0] == [True, True]
    assert recoverable(t, mask) == []


def test_a_column_everyone_left_at_zero_needs_no_partner():
    # Nobody chose C: its total 0 is shown, so every cell of it is publicly 0. The small
    # department's 0 is hidden with its row, but no other 0 is hidden to "protect" it.
    t = table([[2, 1, 0], [9, 8, 0], [6, 5, 0]])
    mask = protect(t, K)
    assert mask.cells[0] == [True, True, True]
    assert [row[2] for row in mask.cells[1:]] == [False, False]
    assert recoverable(t, mask) == []


def test_the_audit_catches_a_cell_that_joins_two_protected_blocks():
    # Hidden cells forming two 2×2 blocks joined by one cell: every line holds two or more
    # hidden cells, yet the joining cell follows from the sums. The audit hides one more.
    t = table([
        [2, 2, 20, 20, 20],
        [2, 2, 1, 20, 20],
        [20, 20, 2, 2, 20],
        [20, 20, 2, 2, 20],
        [20, 20, 20, 20, 20],
    ])
    mask = protect(t, K)
    assert {(0, 0), (0, 1), (1, 0), (1, 1), (1, 2), (2, 2), (2, 3), (3, 2), (3, 3)} <= (
        hidden_cells(mask))
    assert recoverable(t, mask) == []


# --- locks: tables that are shown together ------------------------------------------------


def test_locked_totals_keep_their_state_and_partners_are_found_inside():
    # Cross-tab whose column totals are the overall distribution (shown, locked) and whose
    # row totals are department sizes (shown, locked).
    t = table([[2, 7, 9], [8, 6, 10]])
    locks = Locks(row_totals=[False, False], col_totals=[False, False, False], total=False)
    mask = protect(t, K, locks=locks)
    assert not any(mask.row_totals) and not any(mask.col_totals) and not mask.total
    assert mask.cells == [[True, True, False], [True, True, False]]
    assert recoverable(t, mask) == []


def test_a_locked_hidden_total_stays_hidden_and_is_not_recoverable():
    # The overall count of A (3) is hidden on the overall table: the cross-tab must not
    # reveal it through its cells.
    t = table([[3, 10, 9], [0, 8, 7]])
    locks = Locks(row_totals=[False, False], col_totals=[True, True, False], total=False)
    mask = protect(t, K, locks=locks)
    assert mask.col_totals == [True, True, False]
    # The 3 who chose A are a group below k: their 0 in row 1 is about them, hidden too.
    assert mask.cells[0][0] and mask.cells[1][0]
    assert recoverable(t, mask) == []


def test_known_row_totals_are_treated_as_published():
    # Sizes of departments are public (response rates): a small department's row is hidden,
    # yet its total is known; the audit must still find nothing recoverable.
    t = table([[2, 1, 0], [9, 8, 7], [6, 5, 9]])
    locks = Locks(row_totals=[True, False, False], known_row_totals=True)
    mask = protect(t, K, locks=locks)
    assert mask.cells[0] == [True, True, True]
    known = {(r, 3) for r in range(4)}
    assert recoverable(t, mask, known=known) == []


# --- a tree: departments one level down ------------------------------------------------------


def two_levels(children: list[list[int]], parent_of: list[int], k: int):
    """Protect the overall row, the parents' table, then the children's table under the
    parents' as results do; return the masks and every published sum as one system."""
    cols = len(children[0])
    parents = [[sum(children[i][c] for i in range(len(children)) if parent_of[i] == p)
                for c in range(cols)] for p in range(max(parent_of) + 1)]
    total_row = [sum(col) for col in zip(*children, strict=True)]
    n = sum(total_row)
    overall, _ = protect_line(total_row, n, k)
    masks = []
    for level, rows in enumerate((parents, children)):
        sizes = [sum(r) for r in rows]
        subtotals = () if level == 0 else [
            Subtotal(tuple(i for i in range(len(children)) if parent_of[i] == p),
                     tuple(parents[p]), tuple(masks[0].cells[p]), sum(parents[p]))
            for p in range(len(parents))]
        masks.append(protect(table(rows), k, locks=Locks(
            row_totals=protect_line(sizes, n, k)[0], col_totals=overall, total=False,
            known_row_totals=True, subtotals=subtotals)))
    value, hidden, equations = {}, set(), []
    for name, rows, mask in (("P", parents, masks[0]), ("C", children, masks[1])):
        t = table(rows)
        for pos, v, h in entries(t, mask):
            key = (name, *pos) if pos[0] < len(rows) else ("T", pos[1])
            value[key] = v
            if h and not (pos[0] < len(rows) and pos[1] == cols):  # sizes are public
                hidden.add(key)
        equations += [([(name, *p) if p[0] < len(rows) else ("T", p[1]) for p in cells],
                       (name, *total) if total[0] < len(rows) else ("T", total[1]))
                      for cells, total in lines(t)]
    for p in range(len(parents)):
        kids = [i for i in range(len(children)) if parent_of[i] == p]
        equations += [([("C", i, c) for i in kids], ("P", p, c)) for c in range(cols)]
    return masks, solvable(value, hidden, equations)


def test_a_child_department_cannot_be_read_off_its_parent():
    # Parent 0 = children 0 (6 people) and 1 (2 people: hidden). Shown alone, the parent's
    # row minus child 0's would give child 1 away.
    children = [[4, 2, 0], [1, 1, 0], [3, 4, 5], [5, 6, 4]]
    masks, leaks = two_levels(children, [0, 0, 1, 1], K)
    assert masks[1].cells[1] == [True, True, True]
    assert any(masks[1].cells[0])
    assert leaks == []


def test_a_child_alone_under_its_parent_takes_the_parent_state():
    children = [[6, 2, 7], [5, 6, 4], [3, 4, 5]]
    masks, leaks = two_levels(children, [0, 1, 1], K)
    assert masks[1].cells[0] == masks[0].cells[0]
    assert leaks == []


@pytest.mark.parametrize("seed", range(25))
def test_random_trees_leak_nothing_across_levels(seed):
    rng = random.Random(seed)  # noqa: S311 (reproducible tables, not secrets)
    rows, cols = rng.randint(2, 7), rng.randint(2, 5)
    children = [[rng.choice([0, 0, 1, 2, 3, 5, 6, 9]) for _ in range(cols)]
                for _ in range(rows)]
    parent_of = sorted(rng.randrange(max(1, rows // 2)) for _ in range(rows))
    parent_of = [sorted(set(parent_of)).index(p) for p in parent_of]
    _masks, leaks = two_levels(children, parent_of, rng.choice([3, 5]))
    assert leaks == []


# --- random tables ----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(40))
def test_random_tables_hide_every_small_group_and_leak_none(seed):
    rng = random.Random(seed)  # noqa: S311 (reproducible tables, not secrets)
    rows, cols = rng.randint(1, 6), rng.randint(2, 6)
    cells = [[rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 14]) for _ in range(cols)]
             for _ in range(rows)]
    k = rng.choice([3, 5])
    t = table(cells, rows_add_up=rng.random() < 0.8)
    mask = protect(t, k)
    for pos, value, hidden in entries(t, mask):
        if 0 < value < k:
            assert hidden, (pos, value)
    for r, total in enumerate(t.row_totals):
        if 0 < total < k:
            assert all(mask.cells[r]), r
    assert recoverable(t, mask) == []


def test_the_same_table_gives_the_same_mask():
    t = table([[2, 6, 12, 7], [9, 7, 1, 8], [8, 11, 13, 3]])
    assert protect(t, K) == protect(t, K)


# --- bad input and means ------------------------------------------------------------------------


def test_shapes_and_negative_counts_are_refused():
    with pytest.raises(ValueError):
        protect(Table([[1, 2]], [3], [1], 3), K)
    with pytest.raises(ValueError):
        protect(Table([[-1, 2]], [1], [-1, 2], 1), K)


def test_means_of_hidden_groups_together_need_k_people():
    # Overall mean shown; groups of 6, 2 and 2 people: the last two are hidden, and together
    # (4) they are still below k, so the smallest shown mean goes too.
    assert protect_sums([6, 2, 2], [True, False, False], K) == [False, False, False]
    assert protect_sums([6, 7, 2, 3], [True, True, False, False], K) == [True, True, False,
                                                                           False]
    assert protect_sums([6, 7, 2], [True, True, False], K) == [False, True, False]
    assert protect_sums([6, 7, 0], [True, True, False], K) == [True, True, False]
