"""Charts in the house style, as SVG with alt text, ready for HTML and PDF."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from html import escape

import matplotlib

matplotlib.use("Agg")  # no screen: charts are files
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from .style import INK, MUTED, SERIES, chart_style, fmt_int  # noqa: E402


@dataclass(frozen=True)
class Chart:
    svg: bytes
    alt: str
    caption: str

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.svg).decode("ascii")
        return (
            f'<figure class="jv-chart"><img src="data:image/svg+xml;base64,{data}" '
            f'alt="{escape(self.alt)}"><figcaption>{escape(self.caption)}</figcaption></figure>'
        )


def _to_svg(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return buffer.getvalue()


def _label_bars(ax, bars, values):
    for bar, value in zip(bars, values):
        ax.annotate(fmt_int(value), (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                    xytext=(4, 0), textcoords="offset points", va="center", fontsize=9, color=INK)


def bars(values: pd.Series, *, caption: str, subject: str, xlabel: str) -> Chart:
    """Horizontal bars, one per label, largest on top, each with its figure."""
    values = values.sort_values()
    alt = (f"Staafdiagram van {subject}. Het meest: {values.index[-1]} ({fmt_int(values.iloc[-1])}); "
           f"het minst: {values.index[0]} ({fmt_int(values.iloc[0])}). De cijfers staan in de tabel.")
    with chart_style():
        fig, ax = plt.subplots(figsize=(7, 0.45 * len(values) + 1.0))
        drawn = ax.barh([str(i) for i in values.index], values.astype(int), color=SERIES[0])
        _label_bars(ax, drawn, values)
        ax.set_xlabel(xlabel)
        ax.xaxis.set_major_formatter(lambda x, _: fmt_int(x))
        ax.margins(x=0.12)
        ax.tick_params(axis="y", length=0)
        return Chart(_to_svg(fig), alt, caption)


def small_multiples(frame: pd.DataFrame, *, caption: str, subject: str, xlabel: str) -> Chart:
    """One panel of horizontal bars per column, sharing the row labels (e.g. age groups)."""
    columns = list(frame.columns)
    largest = "; ".join(f"{c}: {frame[c].idxmax()} ({fmt_int(frame[c].max())})" for c in columns)
    alt = (f"{len(columns)} staafdiagrammen van {subject}, één per {frame.columns.name or 'kolom'}. "
           f"Grootste groep: {largest}. De cijfers staan in de tabel.")
    ncols = min(len(columns), 3)
    nrows = -(-len(columns) // ncols)
    with chart_style():
        # Drawn at about the width it is shown (7.5 in), so its text reads at body size.
        fig, axes = plt.subplots(nrows, ncols, figsize=(7.5, 2.4 * nrows), sharey=True, squeeze=False)
        labels = [str(i) for i in frame.index][::-1]
        for ax, column in zip(axes.flat, columns):
            values = frame[column][::-1].astype(int)
            drawn = ax.barh(labels, values, color=SERIES[0])
            _label_bars(ax, drawn, values)
            ax.set_title(str(column), fontsize=11)
            ax.margins(x=0.3)
            ax.set_xticks([])
            ax.spines["bottom"].set_visible(False)
            ax.tick_params(axis="y", length=0)
            ax.grid(False)
        for ax in list(axes.flat)[len(columns):]:
            ax.set_visible(False)
        fig.supxlabel(xlabel, color=MUTED, fontsize=9)
        fig.tight_layout()
        return Chart(_to_svg(fig), alt, caption)
