"""jaarverslag: Wijkkracht's annual report, reproducible from data."""

from importlib.metadata import PackageNotFoundError, version

from .edition import Edition
from .errors import JaarverslagError, in_kernel
from .sections import chapter, section
from .style import fmt_date, fmt_eur, fmt_int, fmt_pct

try:
    __version__ = version("jaarverslag")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"

in_kernel()  # in a notebook, a JaarverslagError shows as its sentence

__all__ = ["Edition", "JaarverslagError", "chapter", "fmt_date", "fmt_eur", "fmt_int", "fmt_pct", "section",
           "__version__"]
