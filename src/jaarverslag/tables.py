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
