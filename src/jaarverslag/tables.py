"""Tables in the house style: real HTML tables with Dutch numbers.

A `Table` keeps its figures in `frame` (for tests and for the analyst) and renders
itself as HTML in the notebook, in the HTML book and in the PDF alike.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from html import escape

import pandas as pd

from .style import RANK_CLASS, TABLE_CLASS, UNKNOWN, fmt_int, is_missing


@dataclass(frozen=True)
class Ranked:
    """A top-N list in one cell, optionally under a label that says what kind of list it is."""

    items: tuple[str, ...]
    label: str | None = None

    def __str__(self) -> str:
        text = " ".join(f"{i}. {item}" for i, item in enumerate(self.items, 1))
        return f"{self.label}: {text}" if self.label else text


@dataclass(frozen=True)
class Fact:
    """A statement in place of a figure, e.g. 'Wordt niet geregistreerd.'"""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass
class Table:
    frame: pd.DataFrame
    caption: str
    total: bool = False  # the last row is a total
    notes: list[str] = field(default_factory=list)
    row_header: bool = True  # the first column names the row

    def _repr_html_(self) -> str:
        numeric = {c for c in self.frame.columns if _is_numeric(self.frame[c])}
        head = "".join(f'<th scope="col"{_num(c in numeric)}>{escape(str(c))}</th>'
                       for c in self.frame.columns)
        rows = []
        last = len(self.frame) - 1
        for i, (_, row) in enumerate(self.frame.iterrows()):
            cells = []
            for j, column in enumerate(self.frame.columns):
                tag = "th" if j == 0 and self.row_header else "td"
                scope = ' scope="row"' if tag == "th" else ""
                cells.append(f"<{tag}{scope}{_num(column in numeric)}>{cell_html(row[column])}</{tag}>")
            total = ' class="total"' if self.total and i == last else ""
            rows.append(f"<tr{total}>{''.join(cells)}</tr>")
        notes = "".join(f'<p class="jv-note">{escape(n)}</p>' for n in self.notes)
        return (
            f'<div class="jv-table-wrap" role="region" tabindex="0" aria-label="{escape(self.caption)}">'
            f'<table class="{TABLE_CLASS}"><caption>{escape(self.caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{notes}</div>"
        )

    def __repr__(self) -> str:
        return f"{self.caption}\n{self.frame.to_string(index=False)}"


def cell_html(value) -> str:
    if isinstance(value, Ranked):
        label = f'<span class="jv-label">{escape(value.label)}</span>' if value.label else ""
        items = "".join(f"<li>{escape(item)}</li>" for item in value.items)
        return f'{label}<ol class="{RANK_CLASS}">{items}</ol>'
    if isinstance(value, Fact):
        return f'<span class="jv-fact">{escape(value.text)}</span>'
    if is_missing(value):
        return f'<span class="jv-unknown">{UNKNOWN}</span>'
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return fmt_int(value)
    return escape(str(value))


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_integer_dtype(series) or pd.api.types.is_float_dtype(series)


def _num(numeric: bool) -> str:
    return ' class="num"' if numeric else ""


def ranked(df: pd.DataFrame, item: str, by: list[str] | str = "gemeente") -> pd.Series:
    """Top-N lists per group, in rank order: one `Ranked` per group, groups in data order."""
    by = [by] if isinstance(by, str) else by
    ordered = df.sort_values("rang", kind="stable")
    lists = ordered.groupby(by, sort=False)[item].agg(lambda s: Ranked(tuple(s)))
    first_seen = df.drop_duplicates(by).set_index(by).index
    return lists.reindex(first_seen)


def with_total(frame: pd.DataFrame, label_column: str, label: str = "Totaal") -> pd.DataFrame:
    """The frame with a total row under it, summing every numeric column."""
    totals = {c: (frame[c].sum() if _is_numeric(frame[c]) else "") for c in frame.columns}
    totals[label_column] = label
    total = pd.DataFrame([totals]).astype({c: frame[c].dtype for c in frame.columns if _is_numeric(frame[c])})
    return pd.concat([frame, total], ignore_index=True)


@dataclass
class GroupedTable:
    """A table whose rows sit under header rows of their groups, e.g. gemeente > group > activity.

    `groups` are columns of `frame`, outermost first. Each new value of a group
    column starts a header row across the table (`tr.group`, nested levels also
    `.subgroup`); each outermost group gets its own `<tbody>`. An empty group
    value means the rows sit under no header at that level; such rows come first
    within their parent, or a reader would take them for part of the group above.
    The other columns are shown; `numeric` names those aligned as figures
    (default: the columns with a numeric dtype).
    """

    frame: pd.DataFrame
    groups: list[str]
    caption: str
    numeric: tuple[str, ...] | None = None
    notes: list[str] = field(default_factory=list)
    row_header: bool = True

    def __post_init__(self) -> None:
        for level in range(len(self.groups)):
            _check_grouping(self.frame, self.groups[:level], self.groups[level])

    @property
    def columns(self) -> list[str]:
        return [c for c in self.frame.columns if c not in self.groups]

    def _numeric(self) -> set[str]:
        if self.numeric is not None:
            return set(self.numeric)
        return {c for c in self.columns if _is_numeric(self.frame[c])}

    def _group_row(self, value, level: int) -> str:
        kind = "group" if level == 0 else "group subgroup"
        return (f'<tr class="{kind}"><th colspan="{len(self.columns)}" scope="rowgroup">'
                f"{cell_html(value)}</th></tr>")

    def _row(self, row: pd.Series, numeric: set[str]) -> str:
        cells = []
        for j, column in enumerate(self.columns):
            tag = "th" if j == 0 and self.row_header else "td"
            scope = ' scope="row"' if tag == "th" else ""
            cells.append(f"<{tag}{scope}{_num(column in numeric)}>"
                         f"{cell_html(row[column])}</{tag}>")
        return f"<tr>{''.join(cells)}</tr>"

    def _repr_html_(self) -> str:
        numeric = self._numeric()
        head = "".join(f'<th scope="col"{_num(c in numeric)}>{escape(str(c))}</th>'
                       for c in self.columns)
        bodies: list[list[str]] = []
        previous = None
        for _, row in self.frame.iterrows():
            path = tuple(row[g] for g in self.groups)
            first = _first_change(previous, path)
            if not bodies or (self.groups and first == 0):
                bodies.append([])
            bodies[-1].extend(self._group_row(path[level], level)
                              for level in range(first, len(path)) if not is_missing(path[level]))
            bodies[-1].append(self._row(row, numeric))
            previous = path
        body = "".join(f"<tbody>{''.join(rows)}</tbody>" for rows in bodies)
        notes = "".join(f'<p class="jv-note">{escape(n)}</p>' for n in self.notes)
        return (
            f'<div class="jv-table-wrap" role="region" tabindex="0" '
            f'aria-label="{escape(self.caption)}">'
            f'<table class="{TABLE_CLASS}"><caption>{escape(self.caption)}</caption>'
            f"<thead><tr>{head}</tr></thead>{body}</table>{notes}</div>"
        )

    def __repr__(self) -> str:
        return f"{self.caption}\n{self.frame.to_string(index=False)}"


def _same(a, b) -> bool:
    if is_missing(a) or is_missing(b):
        return is_missing(a) and is_missing(b)
    return a == b


def _first_change(previous: tuple | None, path: tuple) -> int:
    """The outermost group level at which a row's groups differ from the row before."""
    if previous is None:
        return 0
    for level, (a, b) in enumerate(zip(previous, path, strict=True)):
        if not _same(a, b):
            return level
    return len(path)


def _check_grouping(frame: pd.DataFrame, parents: list[str], column: str) -> None:
    """Within each parent, a group's rows are together, and rows without a group come first."""
    keys = [tuple(r) for r in frame[parents].itertuples(index=False)] if parents else None
    seen: dict[tuple, list] = {}
    for key, value in zip(keys or [()] * len(frame), frame[column], strict=True):
        values = seen.setdefault(key, [])
        if values and _same(values[-1], value):
            continue
        if is_missing(value) and values:
            raise ValueError(f"rijen zonder {column} staan na een groep ({values[-1]}) in "
                             f"{', '.join(map(str, key)) or 'de tabel'}; zet ze vooraan, anders "
                             "lijken ze bij die groep te horen")
        if any(_same(v, value) for v in values):
            raise ValueError(f"de rijen van {column} '{value}' staan niet bij elkaar")
        values.append(value)


def ranked_for(df: pd.DataFrame, item: str, keys, by: list[str] | str = "gemeente") -> list:
    """The top-N list for each key in `keys` (values of the `by` column(s), e.g. the gemeenten
    of a count table, or (gemeente, doelgroep) pairs), in the order of `keys`; missing (shown
    as unknown) where a key has no list."""
    by = [by] if isinstance(by, str) else list(by)
    if len(by) > 1:
        index = pd.MultiIndex.from_tuples([tuple(k) for k in keys], names=by)
    else:
        index = pd.Index(keys)
    if df.empty:
        return [pd.NA] * len(index)
    return list(ranked(df, item, by if len(by) > 1 else by[0]).reindex(index).values)


def top_title(df: pd.DataFrame, noun: str) -> str:
    """A column heading like 'Top 3 hulpvragen', N being the longest list in the data."""
    return f"Top {int(df['rang'].max())} {noun}" if len(df) else f"Top {noun}"
