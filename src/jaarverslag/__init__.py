"""jaarverslag: Wijkkracht's annual report, reproducible from data."""

from importlib.metadata import PackageNotFoundError, version

from .edition import Edition
from .style import fmt_date, fmt_int, fmt_pct

try:
    __version__ = version("jaarverslag")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["Edition", "fmt_date", "fmt_int", "fmt_pct", "__version__"]
