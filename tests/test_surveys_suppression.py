"""The k rule on its own (surveys/suppression.py): primary suppression at k-1 and k, zero
kept apart from "< k", complementary suppression against subtraction in rows, columns and
totals, the audit against chains of sums, locked totals, and random tables checked by an
independent rank test (numpy) that no hidden number can be worked out."""

from __future__ import annotations

import random

import numpy as np
import pytest

from surveys.suppression import Locks, Table, protect, protect_line, protect_sums

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


def recoverable(t: Table, mask, known=frozenset()) -> list[tuple[int, int]]:
    """Hidden entries a reader can work out from what is shown: by linear algebra over the
    published sums (numpy's rank, independent of the module's own elimination) or because
    a line's hidden part sums to zero."""
    value = {pos: v for pos, v, _ in entries(t, mask)}
    shown = {pos for pos, _, h in entries(t, mask) if not h} | set(known)
    # A cell of a line whose published total is 0 is publicly 0: nothing to recover.
    public = {p for cells, total in lines(t) if total in shown and value[total] == 0
              for p in cells}
    unknown = sorted(pos for pos, _, h in entries(t, mask)
                     if h and pos not in known and pos not in public)
    index = {pos: i for i, pos in enumerate(unknown)}
    rows = []
    found = set()
    for cells, total in lines(t):
        row = np.zeros(len(unknown))
        for pos, sign in [(p, 1) for p in cells] + [(total, -1)]:
            if pos in index:
                row[index[pos]] += sign
        if row.any():
            rows.append(row)
        hidden = [p for p in cells if p in index]
        if hidden and total not in index and value[total] > 0 and value[total] == sum(
                value[p] for p in cells if p not in index):
            found.update(hidden)
    if rows:
        matrix = np.array(rows)
        rank = np.linalg.matrix_rank(matrix)
        for pos, i in index.items():
            unit = np.zeros(len(unknown))
            unit[i] = 1
            if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
                found.add(pos)
    return sorted(found)


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
    assert mask.cells[1][0] is False  # 0 stays 0
    assert mask.cells[0][0]
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
