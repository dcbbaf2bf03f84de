"""House style: one palette, one chart style, one table style, Dutch formatting.

Every chapter goes through this module, so the report looks and reads the same
everywhere.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, SupportsInt, TypeAlias, cast

from . import paths

if TYPE_CHECKING:  # pandas and matplotlib are loaded only where they are used (see is_missing)
    from matplotlib.typing import RcKeyType
    from pandas._typing import ScalarOrNA
    from pandas.api.typing import NAType
    from typing_extensions import TypeIs

    # A figure as a table cell holds it: a whole number, or missing (None, pd.NA, NaN).
    Figure: TypeAlias = SupportsInt | NAType | None
    # A fraction or a change, or missing.
    Fraction: TypeAlias = float | NAType | None

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
PALETTE = {
    "blauw": "#0072B2",
    "oranje": "#E69F00",
    "groen": "#009E73",
    "hemelsblauw": "#56B4E9",
    "vermiljoen": "#D55E00",
    "paars": "#CC79A7",
    "geel": "#F0E442",
    "zwart": "#000000",
}
SERIES = [PALETTE[k] for k in ("blauw", "oranje", "groen", "vermiljoen", "hemelsblauw", "paars")]
INK = "#1f2933"
MUTED = "#52606d"

TABLE_CLASS = "jv-table"
RANK_CLASS = "jv-rank"
UNKNOWN = "onbekend"

MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)


def is_missing(value: object) -> TypeIs[NAType | None]:
    """None, pd.NA or NaN. Typed as pandas-stubs types `pd.isna` of a scalar: what is not
    missing is a value; NaN, a float, is missing too but stays a float to the type checker."""
    import pandas as pd  # loaded here: the CLI imports this module before it knows it needs pandas

    # is_scalar does not narrow for the type checker; what it accepts, isna takes one by one.
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(cast("ScalarOrNA", value))))


def fmt_int(value: Figure) -> str:
    """A whole number the Dutch way; a missing value is shown as unknown, never as 0.

    >>> fmt_int(6421)
    '6.421'
    >>> fmt_int(-1380)
    '-1.380'
    >>> fmt_int(None)
    'onbekend'
    """
    if is_missing(value):
        return UNKNOWN
    return f"{int(value):,}".replace(",", ".")


def fmt_signed(value: Fraction) -> str:
    """A change with its sign: +12, -1.380, 0.

    >>> fmt_signed(12), fmt_signed(-1380), fmt_signed(0)
    ('+12', '-1.380', '0')
    """
    if is_missing(value):
        return UNKNOWN
    return ("+" if value > 0 else "") + fmt_int(value)


def fmt_eur(value: Figure) -> str:
    """An amount in whole euros the Dutch way, as in the gemeente's letter.

    >>> fmt_eur(140000)
    '€ 140.000'
    >>> fmt_eur(104978)
    '€ 104.978'
    >>> fmt_eur(None)
    'onbekend'
    """
    if is_missing(value):
        return UNKNOWN
    return f"€ {fmt_int(value)}"


def fmt_pct(fraction: Fraction, digits: int = 1, signed: bool = False) -> str:
    """A fraction as a Dutch percentage.

    >>> fmt_pct(0.125)
    '12,5%'
    >>> fmt_pct(-0.04, signed=True)
    '-4,0%'
    """
    if is_missing(fraction) or (isinstance(fraction, float) and math.isinf(fraction)):
        return UNKNOWN
    text = f"{fraction * 100:.{digits}f}".replace(".", ",")
    return ("+" if signed and fraction > 0 else "") + text + "%"


def fmt_date(value: dt.date | str) -> str:
    """A date the Dutch way. A year-month (`2022-04`) gives month and year.

    >>> fmt_date(dt.date(2022, 3, 1))
    '1 maart 2022'
    >>> fmt_date("2022-04")
    'april 2022'
    """
    if isinstance(value, str):
        parts = [int(p) for p in value.split("-")]
        if len(parts) == 2:
            return f"{MONTHS[parts[1] - 1]} {parts[0]}"
        value = dt.date(*parts)
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


FONTS_DIR = paths.FONTS


def font_files() -> list[Path]:
    """The house font, shipped with the package, so charts and PDF match."""
    return sorted(FONTS_DIR.glob("*.ttf"))


@contextmanager
def chart_style() -> Iterator[None]:
    """Matplotlib settings for every chart: house font, palette, quiet axes."""
    import matplotlib as mpl
    from matplotlib import font_manager
    from matplotlib.rcsetup import cycler  # the one matplotlib exports as mpl.cycler

    rc: dict[RcKeyType, object] = {
        "axes.prop_cycle": cycler(color=SERIES),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": MUTED,
        "axes.labelcolor": INK,
        "axes.titlesize": 12,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.grid": True,
        "axes.grid.axis": "x",
        "grid.color": "#d9dee3",
        "grid.linewidth": 0.8,
        "xtick.color": INK,
        "ytick.color": INK,
        "font.size": 10,
        "text.color": INK,
        "legend.frameon": False,
        "svg.fonttype": "path",  # text as outlines: the SVG needs no font to display
        "svg.hashsalt": "jaarverslag",  # stable ids, so reruns give identical output
        "figure.dpi": 100,
    }
    fonts = font_files()
    for font in fonts:
        font_manager.fontManager.addfont(str(font))
    if fonts:
        rc["font.family"] = font_manager.FontProperties(fname=str(fonts[0])).get_name()
    with mpl.rc_context(rc):
        yield
