"""The comparison with the year before, and the decorator that makes a table edition-aware.

A chapter's table function builds the table of one year with every figure. Wrapped
in `for_edition`, it adds last year's figures and the change where the data has a
previous year (`compare`), and then hides small numbers where the edition asks for
it (`suppress.suppress_table`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from ...data.read import DataError
from ...style import fmt_int, fmt_pct, fmt_signed, is_missing
from .suppress import suppress_table
from .tables import MINUS, Comparison, Table, minus

if TYPE_CHECKING:
    from ...edition import Edition

NO_FIGURE = "–"  # no figure for the previous year (a new gemeente or activity)

# The columns a table compares: a list of headings, a mapping of heading to a short name,
# or a function of the table giving either.
CompareColumns = Sequence[str] | Mapping[str, str]


def _or_dash(fmt: Callable[[Any], str]) -> Callable[[object], str]:
    return lambda value: NO_FIGURE if is_missing(value) else fmt(value)


@dataclass(frozen=True)
class Change:
    """This year's figure against last year's: the difference, and the difference as a fraction
    of last year's figure (None when that was 0). Shown as "+12 (+4,0%)", a decrease with a
    true minus sign (U+2212), as typesetting writes it: "−4 (−4,0%)".

    >>> str(Change(12, 0.04)), str(Change(-4, -0.04)), str(Change(5, None))
    ('+12 (+4,0%)', '−4 (−4,0%)', '+5')
    """

    diff: int
    fraction: float | None

    def __str__(self) -> str:
        text = fmt_signed(self.diff)
        text = text if self.fraction is None else f"{text} ({fmt_pct(self.fraction, signed=True)})"
        return minus(text)


def change(now: Any, before: Any) -> Change | None:
    """The change from `before` to `now`; None when either is missing.

    >>> change(112, 100), change(7, 0), change(3, None)
    (Change(diff=12, fraction=0.12), Change(diff=7, fraction=None), None)
    """
    if is_missing(now) or is_missing(before):
        return None
    diff = int(now) - int(before)
    return Change(diff, diff / int(before) if int(before) else None)


def compare(table: Table, previous: Table, *, key: str, columns: CompareColumns,
            year: int, previous_year: int) -> Table:
    """The table with, after each compared column, last year's figure and the change (a `Change`:
    absolute and in percent); rows are matched on `key` (the total row on its label). The
    frame keeps all three; the table shows this year's figure with the change under it, in
    one cell, so it fits a narrow column (`tables.Table`).

    `columns` is a list of headings, or a mapping of heading to a short name that tells
    the change columns apart when more than one column is compared. The compared
    column is headed with its year. A row without a figure last year shows "–" there.
    """
    labels = dict(columns) if isinstance(columns, Mapping) else {c: c for c in columns}
    several = len(labels) > 1
    old = previous.frame.drop_duplicates(key).set_index(key)
    frame = table.frame.copy()
    formats = dict(table.formats)
    counts = list(table.counts or ())
    derived = dict(table.derived)
    numeric = list(table.numeric or ())
    total_column = table.total_column
    made: dict[str, tuple[str, str, str]] = {}
    for column, short in labels.items():
        now_name, old_name = f"{column} {year}", f"{column} {previous_year}"
        diff_name = f"Verschil {short}" if several else "Verschil"
        matched = frame[key].map(old[column]) if column in old.columns else pd.Series(pd.NA, index=frame.index)
        before = pd.Series([None if is_missing(b) else int(b) for b in matched], index=frame.index, dtype="Int64")
        changes = pd.Series([change(n, b) for n, b in zip(frame[column], before, strict=True)],
                            index=frame.index, dtype=object)
        at = list(frame.columns).index(column)
        frame = frame.rename(columns={column: now_name})
        frame.insert(at + 1, old_name, before)
        frame.insert(at + 2, diff_name, changes.where(changes.notna(), pd.NA))
        formats[old_name] = _or_dash(fmt_int)
        formats[diff_name] = _or_dash(str)
        if column in counts:
            counts[counts.index(column)] = now_name
            counts.append(old_name)
        if total_column == column:
            total_column = now_name
        derived[diff_name] = (now_name, old_name)
        numeric = [now_name if c == column else c for c in numeric] + [old_name, diff_name]
        made[column] = (now_name, old_name, diff_name)
    notes = list(table.notes)
    notes.append(f"Verschil (onder elk cijfer van {year}): hoeveel meer (+) of minder ({MINUS}) dan in "
                 f"{previous_year}, met tussen haakjes de verandering in procenten.")
    if any(pd.isna(frame[names[1]]).any() for names in made.values()):
        notes.append(f"{NO_FIGURE}: geen cijfer voor {previous_year}.")
    gone = [k for k in old.index if k not in set(frame[key])]
    if gone:
        counted = " Het totaal van dat jaar telt ze mee." if table.total else ""
        notes.append(f"Alleen in {previous_year}: {', '.join(map(str, gone))}.{counted}")
    return replace(table, frame=frame, caption=f"{table.caption}, vergeleken met {previous_year}",
                   notes=notes, formats=formats, counts=tuple(counts), derived=derived,
                   numeric=tuple(numeric), total_column=total_column,
                   comparison=Comparison(year, previous_year, made))


def for_edition(*, key: str | None = None, compare_columns: CompareColumns | Callable[[Table], CompareColumns] = ()
                ) -> Callable[[Callable[..., Table]], Callable[..., Table]]:
    """Make a chapter's table function edition-aware.

    The wrapped function builds the table of one year with every figure. The result
    adds last year's figures and the change in `compare_columns` (rows matched on
    `key`; or a function of the table giving them) when the data has the year before
    and that year has rows for this table, and then hides small numbers when the
    edition asks for it. The plain function stays available as `__wrapped__`.
    """
    def decorate(build: Callable[..., Table]) -> Callable[..., Table]:
        @functools.wraps(build)
        def table(ed: Edition, *args: Any, **kwargs: Any) -> Table:
            current = build(ed, *args, **kwargs)
            columns = compare_columns(current) if callable(compare_columns) else compare_columns
            if columns and key and len(current.frame):
                before = previous_table(build, ed, *args, **kwargs)
                if before is not None and len(before.frame):
                    current = compare(current, before, key=key, columns=columns,
                                      year=ed.year, previous_year=ed.year - 1)
            return suppress_table(current, ed.suppress_below)

        return table

    return decorate


def previous_table(build: Callable[..., Table], ed: Edition, *args: Any, **kwargs: Any) -> Table | None:
    """The same table for the year before, or None when there is no such year or file."""
    before = ed.previous()
    if before is None:
        return None
    try:
        return build(before, *args, **kwargs)
    except DataError as err:
        if all(p.missing for p in err.problems):
            return None  # a dataset that is new this year: nothing to compare with
        raise
