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


# ---------------------------------------------------------------- the Quarto theme

FONT_FAMILY = "Source Sans 3"
HEADING = "#0b4f6c"  # headings, links and the cover (render/templates/css/base.css uses the same)
ACCENT = PALETTE["oranje"]  # decoration only, never text
NUMBER_CLASS = "num"  # a table cell with a number: right-aligned (chapters/toolkit/tables.py)
# The weight and style of each shipped font file, by the part of its name after the dash.
_FACES = {"Regular": (400, "normal"), "Italic": (400, "italic"), "SemiBold": (600, "normal"),
          "Bold": (700, "normal"), "BoldItalic": (700, "italic")}


def font_faces(url_prefix: str) -> str:
    """CSS @font-face rules for the shipped house font, each file at `url_prefix` + its name."""
    rules = []
    for font in font_files():
        weight, italic = _FACES.get(font.stem.rpartition("-")[2], (400, "normal"))
        rules.append(
            f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{url_prefix}{font.name}") '
            f'format("truetype"); font-weight: {weight}; font-style: {italic}; font-display: swap; }}'
        )
    return "\n".join(rules)


def quarto_theme(house_rules: str, *, font_url_prefix: str) -> str:
    """The SCSS theme for Quarto's HTML book: Bootstrap's variables set from this module's
    palette and font (`scss:defaults`), then the house font's faces, the shared house rules
    (`house_rules`, the embedded renderer's base.css) and what Quarto's pages need on top:
    the colours from here, numbers right-aligned, charts no wider than the text column."""
    accents = "\n".join(f"  --jv-{name}: {colour};" for name, colour in PALETTE.items())
    return f"""/*-- scss:defaults --*/
// Generated by jaarverslag.style.quarto_theme: edit style.py, not this file.
$font-family-sans-serif: "{FONT_FAMILY}", system-ui, sans-serif !default;
$body-color: {INK} !default;
$text-muted: {MUTED} !default;
$headings-color: {HEADING} !default;
$link-color: {HEADING} !default;
$primary: {HEADING} !default;
$secondary: {MUTED} !default;

/*-- scss:rules --*/
{font_faces(font_url_prefix)}

{house_rules}

:root {{
  --ink: {INK};
  --muted: {MUTED};
  --heading: {HEADING};
  --link: {HEADING};
  --accent: {ACCENT};
  --font: "{FONT_FAMILY}", sans-serif;
{accents}
}}
body {{ font-family: var(--font); color: var(--ink); }}
table.{TABLE_CLASS} .{NUMBER_CLASS}, table.{TABLE_CLASS} td.{NUMBER_CLASS}, table.{TABLE_CLASS} th.{NUMBER_CLASS} {{
  text-align: right;
  white-space: nowrap;
}}
ol.{RANK_CLASS} {{ margin: 0; padding-left: 1.4em; }}
// A chart scales to the text column at every width, never beyond it.
.cell-output-display img, .cell-output-display svg, .quarto-figure img, figure img {{
  max-width: 100%;
  height: auto;
}}
"""
