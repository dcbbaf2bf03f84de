"""jaarverslag: Wijkkracht's annual report, reproducible from data.

What a notebook uses (`jv.Edition`, `jv.section`, `jv.fmt_int`, ...) is loaded when
first asked for: the command line (`jaarverslag --help`, a build with nothing to
do) then starts without importing pandas.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from .errors import JaarverslagError, in_kernel

if TYPE_CHECKING:  # what the lazy names below are, for the type checker (never imported here at run time)
    from .chapters.toolkit.sections import chapter, section
    from .edition import Edition
    from .style import fmt_date, fmt_eur, fmt_int, fmt_pct

try:
    __version__ = version("jaarverslag")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"

in_kernel()  # in a notebook, a JaarverslagError shows as its sentence

_LAZY = {"Edition": "edition", "chapter": "chapters.toolkit.sections", "section": "chapters.toolkit.sections",
         "fmt_date": "style", "fmt_eur": "style", "fmt_int": "style", "fmt_pct": "style"}

__all__ = ["Edition", "JaarverslagError", "chapter", "fmt_date", "fmt_eur", "fmt_int", "fmt_pct", "section",
           "__version__"]


def __getattr__(name: str) -> object:
    if name in _LAZY:
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value  # once loaded, a plain attribute
        return value
    raise AttributeError(f"module 'jaarverslag' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
