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

**Readable at every size.** A chart is drawn twice, from the same figures: `WIDE` for a
desktop column and for print, and `NARROW` for a phone. Text in an SVG scales with the
picture: text of `s` points in a figure `w` points wide, shown `d` CSS px wide, is
`s * d / w` px high. The wide chart (at most 504 pt wide, no text under 10 pt) keeps
its text at 11 px or more in a column of 555 px or wider, and in the PDF, whose column
is 164 mm (465 pt) wide, at 9 pt (12 CSS px) or more, also where print.css caps a tall
chart's height. A phone's column is narrower: up to `NARROW_MEDIA` the page shows the
narrow chart instead (about 252 pt wide, no text under 11 pt, panels one under the other,
long labels wrapped): 13 px or more in the 335 px column of a 375 px screen, 11 px at 320 px.
tests/test_chart_readability.py measures it in Chromium (375, 768, 1280 px) and in WeasyPrint.
The narrow SVG travels in the same display, as an extra mime type (`NARROW_MIME`)
that Quarto and Jupyter leave alone (they show the first type they know); its metadata
holds the media query, and the embedded renderer makes a `<picture>` of the two (the
nbconvert template's `figure` macro). The PDF (WeasyPrint) shows the `<img>`: the wide one.
Small multiples share one scale. Axis ticks are Dutch numbers by babel (`fmt_tick`).
"""

from __future__ import annotations

import base64
import contextlib
import io
import textwrap
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no screen: charts are files
import pandas as pd  # noqa: E402
from babel.numbers import format_decimal  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.container import BarContainer  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from ...style import INK, MUTED, PALETTE, SERIES, chart_style, fmt_int, is_missing
from .drawn import remembered
from .suppress import Suppressed
from .tables import Table

# Last year's bars: the same hue, lighter, so this year stands out.
PREVIOUS = PALETTE["hemelsblauw"]


#: A PNG at twice the figure's 96 dpi: sharp on a high-density screen and on paper.
PNG_DPI = 192
#: Where a chart's output keeps its caption and alt text: Quarto's names for them.
FIGURE_OPTIONS = ("fig-cap", "fig-alt")
#: The narrow chart's mime type in the display: no renderer but ours knows it.
NARROW_MIME = "application/vnd.jaarverslag.narrow-chart+xml"
#: Where the narrow chart replaces the wide one: a column under 555 px (see above).
NARROW_MEDIA = "(max-width: 600px)"


@dataclass(frozen=True)
class Layout:
    """How a chart is drawn: `width` in inches, its smallest text (`text`) and titles in
    points, the height per bar (`bar`, inches) and the panels side by side (`columns`)."""

    width: float
    text: float
    title: float
    bar: float
    columns: int


WIDE = Layout(width=7.0, text=10.0, title=12.0, bar=0.42, columns=3)
NARROW = Layout(width=3.5, text=11.0, title=12.0, bar=0.38, columns=1)


@dataclass(frozen=True, repr=False)
class Chart:
    svg: bytes
    alt: str
    caption: str
    png: bytes
    narrow: bytes = b""  # the same chart drawn for a phone (`NARROW`), SVG

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict[str, str], dict[str, Any]]:
        data = {
            "image/svg+xml": self.svg.decode("utf-8"),
            "image/png": base64.b64encode(self.png).decode("ascii"),
            "text/plain": self.caption,
        }
        metadata: dict[str, Any] = {"fig-cap": self.caption, "fig-alt": self.alt}
        if self.narrow:
            data[NARROW_MIME] = self.narrow.decode("utf-8")
            metadata[NARROW_MIME] = {"media": NARROW_MEDIA}
        return data, metadata

    def __repr__(self) -> str:
        """Short, for a log or a debugger: never the picture itself."""
        return f"Chart(caption={self.caption!r})"


def fmt_tick(value: float) -> str:
    """An axis tick as the tables write numbers: Dutch, by babel; a fraction keeps its decimals.

    >>> fmt_tick(6421), fmt_tick(0.5), fmt_tick(0.30000000000000004), fmt_tick(-0.0)
    ('6.421', '0,5', '0,3', '0')
    """
    return format_decimal(round(value, 6) + 0.0, locale="nl_NL")  # + 0.0: no "-0"


def _count_axis(axis: Any, bins: int) -> None:
    """Ticks on a count axis: whole numbers where the counts are large enough, Dutch."""
    axis.set_major_locator(MaxNLocator(nbins=bins, steps=[1, 2, 2.5, 5, 10], integer=True, min_n_ticks=2))
    axis.set_major_formatter(FuncFormatter(lambda x, _: fmt_tick(x)))


@contextlib.contextmanager
def _style() -> Iterator[None]:
    """The house style, and labels as plain text: a '$' in a name is no mathtext markup."""
    with chart_style(), matplotlib.rc_context({"text.parse_math": False}):
        yield


def _save(fig: Figure, fmt: str, **options: Any) -> bytes:
    """The figure as `fmt`, without dates or versions: the same chart gives the same bytes."""
    out = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    fig.savefig(out, format=fmt, bbox_inches="tight", metadata=metadata, **options)
    return out.getvalue()


def _chart(draw: Callable[[Layout], Figure], alt: str, caption: str) -> Chart:
    """The chart drawn `WIDE` (SVG and PNG) and `NARROW` (SVG)."""
    with _style():
        fig = draw(WIDE)
        svg, png = _save(fig, "svg"), _save(fig, "png", dpi=PNG_DPI)
        narrow = _save(draw(NARROW), "svg")
    return Chart(svg, alt, caption, png, narrow)


def _wrap(label: object, layout: Layout, width: int = 16) -> str:
    """A label; on a phone a long one over more lines (of `width` characters), so the bars
    keep their room and the chart its width."""
    text = str(label)
    return text if layout is WIDE else "\n".join(textwrap.wrap(text, width) or [text])


def _label_bars(ax: Axes, bars: BarContainer, values: Iterable[Any], fontsize: float) -> None:
    for bar, value in zip(bars, values, strict=True):
        ax.annotate(_label(value), (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                    xytext=(3, 0), textcoords="offset points", va="center", fontsize=fontsize, color=INK)


def _label(value: Any) -> str:
    """A bar's figure; a hidden count as the table shows it ("<5", "x")."""
    return str(value) if isinstance(value, Suppressed) else fmt_int(value)


def _length(value: Any) -> int:
    """How long a bar is: a hidden or missing count draws no bar (its label says why)."""
    return 0 if isinstance(value, Suppressed) or is_missing(value) else int(value)


def _known(values: pd.Series) -> pd.Series:
    return values[[not isinstance(v, Suppressed) and not is_missing(v) for v in values]]


def _room(ax: Axes, largest: int, layout: Layout) -> None:
    """The count axis from 0 to past the largest bar, with room for its label."""
    ax.set_xlim(0, max(largest, 1) * (1.18 if layout is WIDE else 1.3))


@remembered
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
    lengths = [_length(v) for v in values]

    def draw(layout: Layout) -> Figure:
        fig = Figure(figsize=(layout.width, layout.bar * len(values) + 0.9))
        ax = fig.subplots()
        drawn = ax.barh([_wrap(i, layout) for i in values.index], lengths, color=SERIES[0])
        _label_bars(ax, drawn, values, layout.text)
        ax.set_xlabel(_wrap(xlabel, layout, 40), fontsize=layout.text)
        _count_axis(ax.xaxis, 6 if layout is WIDE else 3)
        _room(ax, max(lengths, default=0), layout)
        ax.tick_params(axis="both", labelsize=layout.text)
        ax.tick_params(axis="y", length=0)
        ax.set_axisbelow(True)
        return fig

    return _chart(draw, alt, caption)


def _bars_two_years(values: pd.Series, previous: pd.Series, years: tuple[int, int] | None, *,
                    caption: str, subject: str, xlabel: str) -> Chart:
    year, last = years or ("dit jaar", "vorig jaar")
    values = _order(values)
    previous = previous.reindex(values.index)
    alt = (f"Staafdiagram van {subject}, {year} naast {last}. "
           f"{_extremes(values, previous, last)}")
    positions = list(range(len(values)))
    height = 0.38
    news = [_length(v) for v in values]
    olds = [_length(v) for v in previous]

    def draw(layout: Layout) -> Figure:
        fig = Figure(figsize=(layout.width, 1.6 * layout.bar * len(values) + 1.2))
        ax = fig.subplots()
        old = ax.barh([p - height / 2 for p in positions], olds, height, color=PREVIOUS, label=str(last))
        new = ax.barh([p + height / 2 for p in positions], news, height, color=SERIES[0], label=str(year))
        _label_bars(ax, new, values, layout.text)
        _label_bars(ax, old, [NO_BAR if is_missing(v) else v for v in previous], layout.text)
        ax.set_yticks(positions, [_wrap(i, layout) for i in values.index])
        ax.set_xlabel(_wrap(xlabel, layout, 40), fontsize=layout.text)
        _count_axis(ax.xaxis, 6 if layout is WIDE else 3)
        _room(ax, max(news + olds, default=0), layout)
        ax.tick_params(axis="both", labelsize=layout.text)
        ax.tick_params(axis="y", length=0)
        ax.set_axisbelow(True)
        handles, names = ax.get_legend_handles_labels()
        # This year first, above the bars: on a phone there is no corner to spare.
        ax.legend(handles[::-1], names[::-1], loc="lower left", bbox_to_anchor=(0, 1), ncols=2,
                  fontsize=layout.text, borderaxespad=0.2)
        return fig

    return _chart(draw, alt, caption)


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


@remembered
def small_multiples(frame: pd.DataFrame, *, caption: str, subject: str, xlabel: str,
                    previous: pd.DataFrame | None = None, years: tuple[int, int] | None = None) -> Chart:
    """One panel of horizontal bars per column, sharing the row labels (e.g. age groups)
    and one scale: a bar as long as another is as many, in every panel.

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
    scale = " op dezelfde schaal" if len(columns) > 1 else ""
    alt = (f"{len(columns)} staafdiagrammen van {subject}{when}, één per "
           f"{frame.columns.name or 'kolom'}{scale}. Grootste groep: {'; '.join(largest) or 'verborgen'}. "
           "De cijfers staan in de tabel.")
    rows = list(frame.index)[::-1]
    positions = list(range(len(rows)))
    two = previous is not None
    height = 0.4 if two else 0.8
    values = {c: [frame.at[r, c] for r in rows] for c in columns}
    olds: dict[Any, list[Any]] = {}
    if previous is not None:
        olds = {c: [previous.at[r, c] if (r in previous.index and c in previous.columns) else pd.NA for r in rows]
                for c in columns}
    largest_bar = max([_length(v) for vs in [*values.values(), *olds.values()] for v in vs], default=0)

    def draw(layout: Layout) -> Figure:
        ncols = min(len(columns), layout.columns)
        nrows = -(-len(columns) // ncols)
        panel = layout.bar * (1.1 if two else 0.58) * len(rows) + 0.75
        fig = Figure(figsize=(layout.width, panel * nrows + (0.5 if two else 0.3)))
        axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
        for ax, column in zip(axes.flat, columns, strict=False):
            offset = height / 2 if two else 0
            drawn = ax.barh([p + offset for p in positions], [_length(v) for v in values[column]], height,
                            color=SERIES[0], label=str(year))
            _label_bars(ax, drawn, values[column], layout.text)
            if two:
                old = ax.barh([p - offset for p in positions], [_length(v) for v in olds[column]], height,
                              color=PREVIOUS, label=str(last))
                _label_bars(ax, old, [NO_BAR if is_missing(v) else v for v in olds[column]], layout.text)
            ax.set_yticks(positions, [str(r) for r in rows])
            ax.set_title(str(column), fontsize=layout.title)
            ax.tick_params(axis="both", labelsize=layout.text)
            ax.tick_params(axis="y", length=0)
            ax.tick_params(axis="x", labelbottom=True)  # every panel its own ticks: one scale, seen in each
            ax.set_axisbelow(True)
        _count_axis(axes.flat[0].xaxis, 3)
        _room(axes.flat[0], largest_bar, layout)
        for ax in list(axes.flat)[len(columns):]:
            ax.set_visible(False)
        if two:
            handles, names = axes.flat[0].get_legend_handles_labels()
            fig.legend(handles, names, loc="upper right", ncols=2, fontsize=layout.text)  # this year first
        fig.supxlabel(_wrap(xlabel, layout, 40), color=MUTED, fontsize=layout.text)
        fig.tight_layout(rect=(0, 0, 1, 0.95 if layout is WIDE else 0.97) if two else None)
        return fig

    return _chart(draw, alt, caption)
