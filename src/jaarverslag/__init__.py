"""jaarverslag: Wijkkracht's annual report, reproducible from data."""

from importlib.metadata import PackageNotFoundError, version

from .edition import Edition
from .sections import chapter, section
from .style import fmt_date, fmt_eur, fmt_int, fmt_pct

try:
    __version__ = version("jaarverslag")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["Edition", "chapter", "fmt_date", "fmt_eur", "fmt_int", "fmt_pct", "section", "__version__"]
