"""Stage 3, rendering: executed chapter notebooks become the jaarverslag, an HTML book and a PDF.

    from jaarverslag.render import render
    rendered = render("embedded", book, notebooks, edition_dir, pdf_name=..., meta=...)

- `html`: the HTML book, one page per chapter, and what both outputs share (a chapter's
  cleaned body, the site's title and colophon);
- `downloads`: the figures to download, a CSV under each table and one workbook per edition
  (and each table cell's label for narrow screens);
- `pdf`: the PDF, every chapter in one HTML document laid out by WeasyPrint;
- `quarto`: the same with Quarto, where `quarto` is installed;
- `result`: what every renderer makes (`Rendered`): the HTML book, the PDF, which renderer,
  its version and how the PDF was made.

The embedded route (`render_embedded`: `render_html` plus `render_pdf`) is pure
Python and offline. Both routes return a `Rendered`, so the build does not branch
on the renderer. The modules `html`, `pdf` and `quarto` (and nbformat, nbconvert,
Jinja, WeasyPrint behind them) load when first used, or when `warm` loads them ahead:
a build with nothing to render imports only `result`.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jaarverslag import paths
from jaarverslag.errors import JaarverslagError, Kind
from jaarverslag.render.result import EMBEDDED, QUARTO, RENDERERS, WEASYPRINT, Rendered

if TYPE_CHECKING:
    from jaarverslag.book import Book
    from jaarverslag.render.html import HOUSE_FONT, RenderError, render_html
    from jaarverslag.render.pdf import render_pdf
    from jaarverslag.render.quarto import QuartoFailed, QuartoNotFound, render_quarto, stage_quarto

# Loaded on first use: name -> module of this package.
_LAZY = {"HOUSE_FONT": "html", "RenderError": "html", "render_html": "html", "render_pdf": "pdf",
         "QuartoFailed": "quarto", "QuartoNotFound": "quarto", "render_quarto": "quarto",
         "stage_quarto": "quarto"}

__all__ = [
    "HOUSE_FONT",
    "RENDERERS",
    "QuartoFailed",
    "QuartoNotFound",
    "RenderError",
    "Rendered",
    "render",
    "render_embedded",
    "render_html",
    "render_pdf",
    "render_quarto",
    "stage_quarto",
    "warm",
]


def render(renderer: str, book: Book, chapters: list[Path], out_dir: Path, *, pdf_name: str,
           meta: Mapping[str, Any], pdf: bool = True) -> Rendered:
    """Render the executed `chapters` of `book` into the edition folder `out_dir` with `renderer`
    ("embedded" or "quarto"). The embedded PDF is `out_dir/<pdf_name>`; Quarto names its own.
    `pdf=False`: the HTML book alone."""
    if renderer == EMBEDDED:
        return render_embedded(book, chapters, out_dir, pdf_name=pdf_name, meta=meta, pdf=pdf)
    if renderer == QUARTO:
        return _package.render_quarto(book, chapters, paths.quarto_dir(out_dir), meta=meta, pdf=pdf)
    raise JaarverslagError(f"Onbekende renderer {renderer!r}; kies uit {', '.join(RENDERERS)}.", Kind.USAGE)


def render_embedded(book: Book, chapters: list[Path], out_dir: Path, *, pdf_name: str,
                    meta: Mapping[str, Any], pdf: bool = True) -> Rendered:
    """The HTML book in `out_dir/html/` and the PDF beside it (unless `pdf` is False), with
    nbconvert and WeasyPrint."""
    html = _package.render_html(book, chapters, paths.html_dir(out_dir), meta=meta)
    if not pdf:
        return Rendered(html=html, pdf=None, renderer=EMBEDDED, pdf_route=None,
                        version=f"jaarverslag {_version('jaarverslag')}")
    made = _package.render_pdf(book, chapters, Path(out_dir) / pdf_name, meta=meta)
    return Rendered(html=html, pdf=made, renderer=EMBEDDED, pdf_route=WEASYPRINT,
                    version=f"jaarverslag {_version('jaarverslag')}, WeasyPrint {_version('weasyprint')}")


def warm(renderer: str) -> None:
    """Import what `renderer` will need, e.g. in a thread while the chapters run."""
    import nbformat  # noqa: F401

    if renderer == EMBEDDED:
        import bs4  # noqa: F401
        import jinja2  # noqa: F401
        import nbconvert  # noqa: F401
        import weasyprint  # noqa: F401

        import_module(".pdf", __name__)  # and .html with it
    else:
        import_module(".quarto", __name__)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value  # once loaded, a plain attribute
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


# The routes call the renderers through the package, so they load on first use.
_package: Any = sys.modules[__name__]


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:  # a source tree without install
        return "onbekend"
