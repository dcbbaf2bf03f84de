"""Small numbers in public editions: which counts a reader must not see.

An edition with `suppress_below = N` shows a count from 1 to N-1 as "<N" (primary
suppression). Where a table, or a sentence, gives the total of a row or column,
one hidden cell could be worked back from that total; so in every line with a
total and exactly one hidden cell, the next-smallest positive cell is hidden too
(or, when there is none, the total), until nothing changes (complementary or
secondary suppression; shown as "x"). A 0 stays 0: it says nobody, and hiding it
would protect nothing. Cells computed from hidden cells (a change on last year)
are hidden with them.

`hidden_cells` and `apply` work on plain frames; `suppress_table` applies them to
a `tables.Table`, which then shows what an edition may show.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeGuard

if TYPE_CHECKING:
    import pandas as pd

    from .tables import Table  # only a type here: tables imports this module

SECONDARY = "x"

Cell = tuple[object, str]  # (row index, column)


@dataclass(frozen=True)
class Suppressed:
    """A hidden count. `primary`: the count itself is small ("<N"); otherwise it is hidden so
    that a small count cannot be worked back from a total ("x")."""

    below: int
    primary: bool = True

    def __str__(self) -> str:
        return f"<{self.below}" if self.primary else SECONDARY


def is_small(value: object, below: int | None) -> bool:
    """A count from 1 to below-1.

    >>> is_small(3, 5), is_small(0, 5), is_small(5, 5), is_small(None, 5), is_small(3, None)
    (True, False, False, False, False)
    """
    if not below or not _is_count(value):
        return False
    return 1 <= int(value) < below


def shown(value: object, below: int | None) -> object:
    """One count as an edition with this rule shows it: the count, or "<N".

    >>> shown(3, 5), shown(12, 5), shown(0, 5)
    (Suppressed(below=5, primary=True), 12, 0)
    """
    return Suppressed(below) if below and is_small(value, below) else value


def rule(below: int, secondary: bool = True) -> str:
    """The rule in words, for a note under a table or a line in a chapter.

    >>> rule(5, secondary=False)
    'Kleine aantallen (1 tot en met 4) staan als <5.'
    """
    text = f"Kleine aantallen (1 tot en met {below - 1}) staan als <{below}."
    if secondary:
        text += (f" Met {SECONDARY} is een aantal verborgen dat anders uit een totaal terug te "
                 "rekenen zou zijn.")
    return text


def hidden_cells(frame: pd.DataFrame, below: int, *, counts: Sequence[str], total_row: bool = False,
                 total_column: str | None = None, sums_published: bool = False,
                 derived: Mapping[str, Sequence[str]] | None = None,
                 also: set[Cell] | None = None) -> tuple[set[Cell], set[Cell]]:
    """The cells to hide: (primary, all hidden). Pure: the frame is not changed.

    `counts` are the columns that count people. A column has a total when the last
    row is a total (`total_row`) or when its sum is published elsewhere, e.g. in a
    sentence (`sums_published`: then the total itself can never be hidden). A row
    has a total in `total_column`. `derived` columns are computed from other
    columns of the same row and are hidden with any of them. `also` are cells hidden
    already for another reason (another table hid them); they are secondary.
    """
    counts = [c for c in counts if c in frame.columns]
    rows = list(frame.index)
    data_rows = rows[:-1] if total_row else rows

    def value(cell: Cell) -> Any:
        return frame.at[cell]

    primary = {(i, c) for c in counts for i in rows if is_small(frame.at[i, c], below)}

    lines: list[tuple[list[Cell], Cell | None]] = []
    if total_row or sums_published:
        for c in counts:
            if c == total_column:
                continue
            lines.append(([(i, c) for i in data_rows], (rows[-1], c) if total_row else None))
    if total_column in counts:
        parts = [c for c in counts if c != total_column]
        lines += [([(i, c) for c in parts], (i, total_column)) for i in rows]

    hidden = set(primary) | set(also or ())
    changed = True
    while changed:
        changed = False
        for cells, total in lines:
            line = cells + ([total] if total is not None else [])
            if sum(cell in hidden for cell in line) != 1:
                continue
            open_cells = [c for c in cells if c not in hidden and _is_count(value(c)) and value(c) > 0]
            if open_cells:
                hidden.add(min(open_cells, key=value))  # the first of equals: stable
            elif total is not None and total not in hidden:
                hidden.add(total)
            else:
                continue
            changed = True

    for column, sources in (derived or {}).items():
        if column in frame.columns:
            hidden |= {(i, column) for i in rows if any((i, s) in hidden for s in sources)}
    return primary, hidden


def apply(frame: pd.DataFrame, below: int, primary: set[Cell], hidden: set[Cell]) -> pd.DataFrame:
    """The frame as shown: hidden cells become `Suppressed`, other cells stay as they are."""
    import pandas as pd  # here: the rule in words (a build's colofon) needs no pandas

    if not hidden:
        return frame
    out = frame.copy()
    for column in {c for _, c in hidden}:
        out[column] = pd.Series([Suppressed(below, primary=(i, column) in primary) if (i, column) in hidden else v
                                 for i, v in frame[column].astype(object).items()], index=frame.index, dtype=object)
    return out


def _is_count(value: object) -> TypeGuard[numbers.Integral]:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def suppress_table(table: Table, below: int | None, *, also: set[Cell] | None = None) -> Table:
    """The table as an edition that hides counts under `below` shows it; unchanged when `below`
    is None. Adds a note with the rule when it hid anything. `also`: cells (row number, column)
    to hide besides, because another table hid them."""
    if not below or table.frame.empty:
        return table
    frame = table.frame.reset_index(drop=True)
    primary, hidden = hidden_cells(
        frame, below, counts=table.counts or (), total_row=table.total, total_column=table.total_column,
        sums_published=table.sums_published, derived=table.derived, also=also)
    if not hidden:
        return table
    notes = [*table.notes, rule(below, secondary=bool(hidden - primary))]
    return replace(table, frame=apply(frame, below, primary, hidden), notes=notes)
