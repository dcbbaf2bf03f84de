"""Tables in the house style: real HTML tables with Dutch numbers.

A `Table` keeps its figures in `frame` and renders itself as HTML in the notebook,
in the HTML book and in the PDF alike. `frame` is what the reader sees: in an
edition that hides small numbers, a hidden count is a `Suppressed` cell in
`frame` too, so no copy of the report (the executed notebooks included) holds it.

Besides the tables themselves, the kinds every chapter has: top-N lists per
gemeente (`ranked`, `ranked_for`) and a count per gemeente with its top-N list
(`count_and_top`). A chapter wraps its table function in `compare.for_edition`
to add last year's figures and hide small numbers.

How a table reads on a narrow screen depends on its kind (`Table.narrow`; see
docs/tabellen.md): a short list stays a table ("fit"), a table of records (a row per
gemeente with its measures and lists) reflows into a labelled block per row
("blocks", each cell labelled by its column heading), and a cross table of counts keeps its
first column in place and scrolls sideways with a cue ("scroll"). A table compared with
last year shows the change under this year's figure, in the same cell.

`figures()` gives the figures as shown, for the downloads (CSV and a workbook); each
table's notebook output carries them in its metadata (`TABLE_META`).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

import pandas as pd

from ...data.contract import by_name
from ...edition import Edition
from ...style import RANK_CLASS, TABLE_CLASS, UNKNOWN, fmt_eur, fmt_int, is_missing
from .suppress import Suppressed

#: The key of a table's figures in the metadata of its notebook output (`Figures.as_json`).
TABLE_META = "jaarverslag-table"
#: How a narrow screen shows a table (see the module's docstring).
NARROW_KINDS = ("fit", "blocks", "scroll")
MINUS = "\u2212"  # the true minus sign of a change


def minus(text: str) -> str:
    """A signed figure with a true minus sign (U+2212) instead of a hyphen.

    >>> minus("-1.380 (-4,0%)")
    '\u22121.380 (\u22124,0%)'
    """
    return text.replace("-", MINUS)


@dataclass(frozen=True)
class Figures:
    """A table's figures as the reader sees them, for a download: the caption, the column
    headings and the rows. A cell is a whole number, a percentage (a float, in `percent`
    columns, e.g. 10.1 for 10,1%) or text as shown (a hidden count as "<5" or "x", a list as
    "1. a 2. b", unknown as "onbekend")."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[int | float | str, ...], ...]
    percent: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"caption": self.caption, "columns": list(self.columns),
                "rows": [list(r) for r in self.rows], "percent": list(self.percent)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Figures:
        return cls(str(data["caption"]), tuple(map(str, data["columns"])),
                   tuple(tuple(r) for r in data["rows"]), tuple(map(str, data.get("percent", ()))))


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


@dataclass(frozen=True)
class Comparison:
    """How a table was compared with the year before: per compared column (its heading
    before comparing) the headings of this year's figure, last year's and the change."""

    year: int
    previous_year: int
    columns: Mapping[str, tuple[str, str, str]]


@dataclass
class Table:
    """A table as the reader sees it (see the module's docstring); `rows` leaves out the total row."""

    frame: pd.DataFrame
    caption: str
    total: bool = False  # the last row is a total
    notes: list[str] = field(default_factory=list)
    row_header: bool = True  # the first column names the row
    # How a column's figures are written (default: whole numbers the Dutch way).
    formats: Mapping[str, Callable[[Any], str]] = field(default_factory=dict)
    # Columns aligned as figures; default: the columns with a numeric dtype.
    numeric: tuple[str, ...] | None = None
    # Columns that count people, hidden when small; default: the whole-number columns.
    # Counts of meetings, rounds or euros are no counts of people: name the others.
    counts: tuple[str, ...] | None = None
    # Columns computed from other columns of the same row (a change): hidden with them.
    derived: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # The column sums are published elsewhere (in a sentence), though the table has no total row.
    sums_published: bool = False
    # A column that sums the other counts of its row (e.g. all gemeenten together).
    total_column: str | None = None
    comparison: Comparison | None = None
    # How a narrow screen shows it: "fit", "blocks" or "scroll"; default: from its shape.
    narrow: str | None = None

    def __post_init__(self) -> None:
        if self.narrow is not None and self.narrow not in NARROW_KINDS:
            raise ValueError(f"narrow moet een van {', '.join(NARROW_KINDS)} zijn, niet {self.narrow!r}")
        if self.numeric is None:
            self.numeric = tuple(c for c in self.frame.columns if _is_numeric(self.frame[c]))
        if self.counts is None:
            self.counts = tuple(c for c in self.frame.columns
                                if pd.api.types.is_integer_dtype(self.frame[c]))

    @property
    def rows(self) -> pd.DataFrame:
        """The rows without the total row."""
        return self.frame.iloc[:-1] if self.total else self.frame

    def _shown(self) -> list[tuple[str, str | None]]:
        """The columns as shown: (column, its change column or None). A compared column shows
        this year's figure with the change under it; last year's figure is not shown."""
        changes: dict[str, str] = {}
        hidden: set[str] = set()
        for now, old, diff in (self.comparison.columns.values() if self.comparison else ()):
            changes[now] = diff
            hidden |= {old, diff}
        return [(c, changes.get(c)) for c in self.frame.columns if c not in hidden]

    def narrow_kind(self) -> str:
        """How a narrow screen shows the table (`narrow`, or from its shape): two columns, or
        three without lists, fit; a cross table (five or more columns after the first, all
        counts with one-word headings, such as gemeenten) scrolls with its first column fixed;
        any other table reflows into a block per row."""
        if self.narrow is not None:
            return self.narrow
        shown = [c for c, _ in self._shown()]
        numeric = set(self.numeric or ())
        rest = shown[1:]
        lists = sum(any(isinstance(v, Ranked | Fact) for v in self.frame[c]) for c in rest)
        if len(shown) <= 2 or (len(shown) == 3 and not lists):
            return "fit"
        if (len(rest) >= 5 and self.comparison is None and all(c in numeric for c in rest)
                and all(" " not in str(c).strip() for c in rest)):
            return "scroll"
        return "blocks"

    def _heading(self, column: str, change: str | None) -> str:
        """A column's heading; a compared one says what the line under each figure is."""
        if change is None or self.comparison is None:
            return escape(str(column))
        return f'{escape(str(column))}<br><span class="jv-change">verschil met {self.comparison.previous_year}</span>'

    def _repr_html_(self) -> str:
        numeric = set(self.numeric or ())
        shown = self._shown()
        head = "".join(f'<th scope="col"{_num(c in numeric)}>{self._heading(c, change)}</th>' for c, change in shown)
        rows = []
        last = len(self.frame) - 1
        for i, (_, row) in enumerate(self.frame.iterrows()):
            cells = []
            for j, (column, change) in enumerate(shown):
                tag = "th" if j == 0 and self.row_header else "td"
                scope = ' scope="row"' if tag == "th" else ""
                text = cell_html(row[column], self.formats.get(column))
                if change is not None:
                    text += f'<br><span class="jv-change">{change_html(row[change])}</span>'
                cells.append(f"<{tag}{scope}{_num(column in numeric)}>{text}</{tag}>")
            total = ' class="total"' if self.total and i == last else ""
            rows.append(f"<tr{total}>{''.join(cells)}</tr>")
        notes = "".join(f'<p class="jv-note">{escape(n)}</p>' for n in self.notes)
        kind = self.narrow_kind()
        # A cross table's caption stays in view (and wraps) while the table scrolls under it.
        caption = f'<span class="jv-caption">{escape(self.caption)}</span>' if kind == "scroll" \
            else escape(self.caption)
        return (
            f'<div class="jv-table-wrap {_kind_classes(kind, len(shown))}" role="region" tabindex="0" '
            f'aria-label="{escape(self.caption)}"><table class="{TABLE_CLASS}"><caption>{caption}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{notes}</div>"
        )

    def figures(self) -> Figures:
        """The figures as shown (see `Figures`): a compared column gives this year's figure and
        the change, as a number and in percent; a hidden cell stays hidden."""
        columns: list[str] = []
        percent: list[str] = []
        for column, change in self._shown():
            columns.append(str(column))
            if change is not None and self.comparison is not None:
                name = f"{column}: verschil met {self.comparison.previous_year}"
                columns += [name, f"{name} (%)"]
                percent.append(f"{name} (%)")
        rows = []
        for _, row in self.frame.iterrows():
            cells: list[int | float | str] = []
            for column, change in self._shown():
                cells.append(cell_figure(row[column], self.formats.get(column)))
                if change is not None:
                    cells += change_figures(row[change])
            rows.append(tuple(cells))
        return Figures(self.caption, tuple(columns), tuple(rows), tuple(percent))

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict[str, str], dict[str, Any]]:
        """The HTML, with the figures for the downloads in the output's metadata."""
        return {"text/html": self._repr_html_()}, {TABLE_META: self.figures().as_json()}

    def __repr__(self) -> str:
        return f"{self.caption}\n{self.frame.to_string(index=False)}"


def cell_html(value: Any, fmt: Callable[[Any], str] | None = None) -> str:
    """One cell as HTML: a hidden count, a top-N list, a statement, unknown, or a figure the Dutch way."""
    if isinstance(value, Suppressed):
        title = "klein aantal" if value.primary else "verborgen"
        return f'<span class="jv-suppressed" title="{title}">{escape(str(value))}</span>'
    if fmt is not None:
        return escape(fmt(value))
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


def change_html(value: Any) -> str:
    """The change under a compared figure: "+12 (+4,0%)" with a true minus, a hidden one, or "–"
    where last year has no figure."""
    if isinstance(value, Suppressed):
        return cell_html(value)
    if is_missing(value):
        return "\u2013"
    return escape(minus(str(value)))


def cell_figure(value: Any, fmt: Callable[[Any], str] | None = None) -> int | str:
    """One cell for a download: a whole number as a number, anything else as the text shown.

    >>> cell_figure(6421), cell_figure(Suppressed(5)), cell_figure(Ranked(("a", "b"))), cell_figure(None)
    (6421, '<5', '1. a 2. b', 'onbekend')
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and fmt in (None, fmt_int, fmt_eur):
        return int(value)
    if isinstance(value, Suppressed | Ranked | Fact):
        return str(value)
    if fmt is not None:
        return fmt(value)
    if is_missing(value):
        return UNKNOWN
    return str(value)


def change_figures(value: Any) -> list[int | float | str]:
    """A change for a download: the difference and the change in percent (one decimal, as
    shown); hidden ("x") or "–" (no figure last year) in both."""
    if isinstance(value, Suppressed):
        return [str(value), str(value)]
    if is_missing(value):
        return ["\u2013", "\u2013"]
    diff, fraction = getattr(value, "diff", None), getattr(value, "fraction", None)
    if diff is None:
        return [str(value), ""]
    return [int(diff), "" if fraction is None else round(float(fraction) * 100, 1)]


def _kind_classes(kind: str, columns: int) -> str:
    """The classes of a table's region that the screen's CSS reads: the narrow kind and the
    number of columns shown. (Each cell's label, `data-label`, is added where the page is made:
    `render/downloads.py`.)"""
    return f"jv-{kind} jv-cols-{min(columns, 8)}"


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_integer_dtype(series) or pd.api.types.is_float_dtype(series)


def _num(numeric: bool) -> str:
    """A figure's cell: right-aligned by our CSS (`.num`) and, for Quarto, inline: Pandoc's HTML
    reader, which turns these tables into Typst and LaTeX tables, reads a cell's alignment from
    its `align` or `text-align` style only (Text/Pandoc/Readers/HTML/Table.hs in jgm/pandoc)."""
    return ' class="num" style="text-align:right"' if numeric else ""


def ranked(df: pd.DataFrame, item: str, by: list[str] | str = "gemeente") -> pd.Series:
    """Top-N lists per group, in rank order: one `Ranked` per group, groups in data order."""
    by = [by] if isinstance(by, str) else by
    ordered = df.sort_values("rang", kind="stable")
    lists = ordered.groupby(by, sort=False)[item].agg(_ranked)
    first_seen = df.drop_duplicates(by).set_index(by).index
    return lists.reindex(first_seen)


def _ranked(items: pd.Series) -> Any:  # Any: pandas-stubs expect a scalar, a Ranked is one here
    return Ranked(tuple(items))


def with_total(frame: pd.DataFrame, label_column: str, label: str = "Totaal") -> pd.DataFrame:
    """The frame with a total row under it, summing every numeric column. An empty frame
    stays empty: a total of nothing is no figure."""
    if frame.empty:
        return frame
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

    def _group_row(self, value: Any, level: int) -> str:
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

    def narrow_kind(self) -> str:
        """A grouped list of up to three columns fits; a wider one reflows into blocks."""
        return "fit" if len(self.columns) <= 3 else "blocks"

    def figures(self) -> Figures:
        """The figures as shown, a row per row with its groups in the first columns."""
        columns = [*self.groups, *self.columns]
        rows = [tuple("" if is_missing(row[g]) else cell_figure(row[g]) for g in self.groups)
                + tuple(cell_figure(row[c]) for c in self.columns) for _, row in self.frame.iterrows()]
        return Figures(self.caption, tuple(map(str, columns)), tuple(rows))

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict[str, str], dict[str, Any]]:
        return {"text/html": self._repr_html_()}, {TABLE_META: self.figures().as_json()}

    def _repr_html_(self) -> str:
        numeric = self._numeric()
        head = "".join(f'<th scope="col"{_num(c in numeric)}>{escape(str(c))}</th>'
                       for c in self.columns)
        bodies: list[list[str]] = []
        previous: tuple[Any, ...] | None = None
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
            f'<div class="jv-table-wrap {_kind_classes(self.narrow_kind(), len(self.columns))}" role="region" '
            f'tabindex="0" aria-label="{escape(self.caption)}">'
            f'<table class="{TABLE_CLASS}"><caption>{escape(self.caption)}</caption>'
            f"<thead><tr>{head}</tr></thead>{body}</table>{notes}</div>"
        )

    def __repr__(self) -> str:
        return f"{self.caption}\n{self.frame.to_string(index=False)}"


def _same(a: Any, b: Any) -> bool:
    if is_missing(a) or is_missing(b):
        return is_missing(a) and is_missing(b)
    return a == b


def _first_change(previous: tuple[Any, ...] | None, path: tuple[Any, ...]) -> int:
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
    seen: dict[tuple[Any, ...], list[Any]] = {}
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


def ranked_for(df: pd.DataFrame, item: str, keys: Iterable[str] | Iterable[tuple[str, ...]],
               by: list[str] | str = "gemeente") -> list[Any]:
    """The top-N list for each key in `keys` (values of the `by` column(s), e.g. the gemeenten
    of a count table, or (gemeente, doelgroep) pairs), in the order of `keys`; missing (shown
    as unknown) where a key has no list."""
    by = [by] if isinstance(by, str) else list(by)
    index: pd.Index
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


def missing_note(gemeenten: Sequence[str], present: Sequence[str]) -> list[str]:
    """A note naming the gemeenten of the year that have no figures in a table that covers
    every gemeente; nothing when all are there.

    >>> missing_note(["Borne", "Losser"], ["Borne"])
    ['Geen gegevens voor: Losser.']
    >>> missing_note(["Borne"], ["Borne"])
    []
    """
    absent = [g for g in gemeenten if g not in set(present)]
    return [f"Geen gegevens voor: {', '.join(absent)}."] if absent and len(absent) < len(gemeenten) else []


def count_and_top(ed: Edition, dataset: str, lists: str, *, item: str, noun: str, caption: str,
                  counts: tuple[str, ...] | None = None) -> Table:
    """The table of a service per gemeente: its counts (`dataset`, under the schema's Dutch
    headings) and then each gemeente's top-N list from `lists` (its `item` column), headed
    "Top N <noun>".

    The chapter gives the totals of these counts in the sentence above the table (its
    kerncijfers), so they count as published. `counts`: the columns that count people,
    when not every count does (spreekuren are meetings).
    """
    titles = by_name(dataset).titles
    frame = ed.load(dataset).rename(columns=titles)
    top = ed.load(lists)
    frame[top_title(top, noun)] = ranked_for(top, item, frame[titles["gemeente"]])
    return Table(frame, caption, counts=counts, sums_published=True)
