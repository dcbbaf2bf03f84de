"""Charts in the house style, as SVG and PNG with alt text and caption, for every renderer.

A chart next to a table draws the table as shown (`bars_from_table`), so a count
the edition hides stays hidden in the chart too.

A `Chart` is an ordinary Jupyter display (`_repr_mimebundle_`): `image/svg+xml` for
screens and Typst, `image/png` (drawn at 2x, `PNG_DPI`) for formats that take no SVG, a
one-line `text/plain`, and no `text/html`, because Quarto prefers `text/html` over an
image for HTML and would then make no figure of it. Its caption and alt text are in
the output's metadata under Quarto's own option names, `fig-cap` and `fig-alt`
(`FIGURE_OPTIONS`). The embedded renderer reads them there (the nbconvert template's
`data_svg` block). Quarto reads a caption and alt text only as cell options, not from an
output (`resolveCaptions` in src/core/jupyter/labels.ts and the figure options in
`mdImageOutput`, src/core/jupyter/jupyter.ts, of quarto-dev/quarto-cli; options come
from `#|` lines or the cell's metadata: https://quarto.org/docs/reference/cells/cells-jupyter),
so the Quarto staging lifts them into the cell's metadata (`render.quarto.lift_figure_options`).
"""

from __future__ import annotations

import base64
import contextlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no screen: charts are files
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.container import BarContainer  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from ...style import INK, MUTED, PALETTE, SERIES, chart_style, fmt_int, is_missing
from .suppress import Suppressed
from .tables import Table

# Last year's bars: the same hue, lighter, so this year stands out.
PREVIOUS = PALETTE["hemelsblauw"]


#: A PNG at twice the figure's 96 dpi: sharp on a high-density screen and on paper.
PNG_DPI = 192
#: Where a chart's output keeps its caption and alt text: Quarto's names for them.
FIGURE_OPTIONS = ("fig-cap", "fig-alt")


@dataclass(frozen=True, repr=False)
class Chart:
    svg: bytes
    alt: str
    caption: str
    png: bytes

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict[str, str], dict[str, str]]:
        data = {
            "image/svg+xml": self.svg.decode("utf-8"),
            "image/png": base64.b64encode(self.png).decode("ascii"),
            "text/plain": self.caption,
        }
        return data, {"fig-cap": self.caption, "fig-alt": self.alt}

    def __repr__(self) -> str:
        """Short, for a log or a debugger: never the picture itself."""
        return f"Chart(caption={self.caption!r})"


@contextlib.contextmanager
def _style() -> Iterator[None]:
    """The house style, and labels as plain text: a '$' in a name is no mathtext markup."""
    with chart_style(), plt.rc_context({"text.parse_math": False}):
        yield


def _chart(fig: Figure, alt: str, caption: str) -> Chart:
    """The figure as SVG and PNG, without dates or versions: the same chart gives the same bytes."""
    svg, png = io.BytesIO(), io.BytesIO()
    fig.savefig(svg, format="svg", bbox_inches="tight", metadata={"Date": None})
    fig.savefig(png, format="png", bbox_inches="tight", dpi=PNG_DPI, metadata={"Software": None})
    plt.close(fig)
    return Chart(svg.getvalue(), alt, caption, png.getvalue())


def _label_bars(ax: Axes, bars: BarContainer, values: Iterable[Any], fontsize: float = 9) -> None:
    for bar, value in zip(bars, values, strict=True):
        ax.annotate(_label(value), (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                    xytext=(4, 0), textcoords="offset points", va="center", fontsize=fontsize, color=INK)


def _label(value: Any) -> str:
    """A bar's figure; a hidden count as the table shows it ("<5", "x")."""
    return str(value) if isinstance(value, Suppressed) else fmt_int(value)


def _length(value: Any) -> int:
    """How long a bar is: a hidden or missing count draws no bar (its label says why)."""
    return 0 if isinstance(value, Suppressed) or is_missing(value) else int(value)


def _known(values: pd.Series) -> pd.Series:
    return values[[not isinstance(v, Suppressed) and not is_missing(v) for v in values]]


def bars(values: pd.Series, *, caption: str, subject: str, xlabel: str,
         previous: pd.Series | None = None, years: tuple[int, int] | None = None) -> Chart:
    """Horizontal bars, one per label, largest on top, each with its figure.

    With `previous` (last year's figures, same labels) and `years` (this year, last
    year), each label gets two bars: this year's and, lighter, last year's.
    A hidden count (`Suppressed`) draws no bar and is labelled as in the table.
    """
    if previous is not None:
        return _bars_two_years(values, previous, years, caption=caption, subject=subject, xlabel=xlabel)
    return _bars_one_year(values, caption=caption, subject=subject, xlabel=xlabel)


def _order(values: pd.Series) -> pd.Series:
    """Smallest first (drawn at the bottom), hidden counts as 0."""
    return values.loc[sorted(values.index, key=lambda i: _length(values[i]))]


def _extremes(values: pd.Series, previous: pd.Series | None = None, year: int | str | None = None) -> str:
    known = _known(values)
    if known.empty:
        return "De cijfers staan in de tabel."

    def said(label: str) -> str:
        text = _label(values[label])
        if previous is not None and not is_missing(previous.get(label)):
            text += f"; in {year}: {_label(previous[label])}"
        return f"{label} ({text})"

    ordered = known.astype(int).sort_values()
    hidden = len(values) - len(known)
    rest = f" {hidden} {'aantal is' if hidden == 1 else 'aantallen zijn'} verborgen." if hidden else ""
    return (f"Het meest: {said(ordered.index[-1])}; het minst: {said(ordered.index[0])}.{rest} "
            "De cijfers staan in de tabel.")


def _bars_one_year(values: pd.Series, *, caption: str, subject: str, xlabel: str) -> Chart:
    values = _order(values)
    alt = f"Staafdiagram van {subject}. {_extremes(values)}"
    with _style():
        fig, ax = plt.subplots(figsize=(7, 0.45 * len(values) + 1.0))
        drawn = ax.barh([str(i) for i in values.index], [_length(v) for v in values], color=SERIES[0])
        _label_bars(ax, drawn, values)
        ax.set_xlabel(xlabel)
        ax.xaxis.set_major_formatter(lambda x, _: fmt_int(x))
        ax.margins(x=0.12)
        ax.tick_params(axis="y", length=0)
        return _chart(fig, alt, caption)


def _bars_two_years(values: pd.Series, previous: pd.Series, years: tuple[int, int] | None, *,
                    caption: str, subject: str, xlabel: str) -> Chart:
    year, last = years or ("dit jaar", "vorig jaar")
    values = _order(values)
    previous = previous.reindex(values.index)
    alt = (f"Staafdiagram van {subject}, {year} naast {last}. "
           f"{_extremes(values, previous, last)}")
    labels = [str(i) for i in values.index]
    positions = list(range(len(values)))
    height = 0.38
    with _style():
        fig, ax = plt.subplots(figsize=(7, 0.75 * len(values) + 1.2))
        old = ax.barh([p - height / 2 for p in positions], [_length(v) for v in previous], height,
                      color=PREVIOUS, label=str(last))
        new = ax.barh([p + height / 2 for p in positions], [_length(v) for v in values], height,
                      color=SERIES[0], label=str(year))
        _label_bars(ax, new, values, fontsize=8.5)
        _label_bars(ax, old, [NO_BAR if is_missing(v) else v for v in previous], fontsize=8.5)
        ax.set_yticks(positions, labels)
        ax.set_xlabel(xlabel)
        ax.xaxis.set_major_formatter(lambda x, _: fmt_int(x))
        ax.margins(x=0.14)
        ax.tick_params(axis="y", length=0)
        handles, names = ax.get_legend_handles_labels()
        ax.legend(handles[::-1], names[::-1], loc="lower right", fontsize=9)
        return _chart(fig, alt, caption)


def bars_from_table(table: Table, column: str, *, year: int, caption: str, subject: str, xlabel: str,
                    fewest: int = 2) -> Chart | None:
    """One bar per row of the table as shown (named in its first column) for its `column`;
    this year's and last year's when the table compares that column.

    `caption` holds `{years}` for the year ("2022", or "2022 en 2021" compared);
    `subject` (of the alt text) gets " in <year>" for one year. None without rows, or
    with fewer than `fewest` and no other year: such a chart says nothing the table doesn't.
    """
    rows = table.rows.set_index(table.frame.columns[0])
    if rows.empty:
        return None
    if table.comparison:
        c = table.comparison
        now, before, _ = c.columns[column]
        return bars(rows[now], previous=rows[before], years=(c.year, c.previous_year),
                    caption=caption.format(years=f"{c.year} en {c.previous_year}"), subject=subject,
                    xlabel=xlabel)
    if len(rows) < fewest:
        return None
    return bars(rows[column], caption=caption.format(years=year), subject=f"{subject} in {year}", xlabel=xlabel)


class _NoBar(Suppressed):
    def __str__(self) -> str:
        return "–"


NO_BAR = _NoBar(0)  # a label without a figure: no count for that year


def small_multiples(frame: pd.DataFrame, *, caption: str, subject: str, xlabel: str,
                    previous: pd.DataFrame | None = None, years: tuple[int, int] | None = None) -> Chart:
    """One panel of horizontal bars per column, sharing the row labels (e.g. age groups).

    With `previous` (same shape: last year's figures) each row gets two bars, this
    year's and, lighter, last year's. Hidden counts draw no bar.
    """
    columns = list(frame.columns)
    year, last = years or ("dit jaar", "vorig jaar")
    largest = []
    for c in columns:
        known = _known(frame[c])
        if len(known):
            top = known.astype(int).idxmax()
            largest.append(f"{c}: {top} ({_label(frame.at[top, c])})")
    when = f" in {year}, naast {last}" if previous is not None else ""
    alt = (f"{len(columns)} staafdiagrammen van {subject}{when}, één per "
           f"{frame.columns.name or 'kolom'}. Grootste groep: {'; '.join(largest) or 'verborgen'}. "
           "De cijfers staan in de tabel.")
    ncols = min(len(columns), 3)
    nrows = -(-len(columns) // ncols)
    rows = list(frame.index)[::-1]
    positions = list(range(len(rows)))
    two = previous is not None
    height = 0.4 if two else 0.8
    with _style():
        fig, axes = plt.subplots(nrows, ncols, figsize=(7.5, (3.4 if two else 2.4) * nrows),
                                 sharey=True, squeeze=False)
        for ax, column in zip(axes.flat, columns, strict=False):
            values = [frame.at[r, column] for r in rows]
            offset = height / 2 if two else 0
            drawn = ax.barh([p + offset for p in positions], [_length(v) for v in values], height,
                            color=SERIES[0], label=str(year))
            _label_bars(ax, drawn, values, fontsize=8 if two else 9)
            if previous is not None:
                olds = [previous.at[r, column] if (r in previous.index and column in previous.columns)
                        else pd.NA for r in rows]
                old = ax.barh([p - offset for p in positions], [_length(v) for v in olds], height,
                              color=PREVIOUS, label=str(last))
                _label_bars(ax, old, [NO_BAR if is_missing(v) else v for v in olds], fontsize=8)
            ax.set_yticks(positions, [str(r) for r in rows])
            ax.set_title(str(column), fontsize=11)
            ax.margins(x=0.3)
            ax.set_xticks([])
            ax.spines["bottom"].set_visible(False)
            ax.tick_params(axis="y", length=0)
            ax.grid(False)
        for ax in list(axes.flat)[len(columns):]:
            ax.set_visible(False)
        if two:
            handles, names = axes.flat[0].get_legend_handles_labels()
            fig.legend(handles, names, loc="upper right", ncols=2, fontsize=9)  # this year first
        fig.supxlabel(xlabel, color=MUTED, fontsize=9)
        fig.tight_layout(rect=(0, 0, 1, 0.95) if two else None)
        return _chart(fig, alt, caption)
