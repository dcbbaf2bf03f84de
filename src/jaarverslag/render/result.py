"""What every renderer makes: the HTML book, the PDF, and which renderer and version made them.

Both routes return a `Rendered`: the embedded one (nbconvert and WeasyPrint,
`render.render_embedded`) and Quarto's (`quarto.render_quarto`). The build does
not need to know which ran: it publishes `html` and `pdf` and records the rest in
the manifest (`manifest_fields`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

EMBEDDED = "embedded"
QUARTO = "quarto"
RENDERERS = (EMBEDDED, QUARTO)

# How the PDF was made: WeasyPrint (embedded), or Quarto through Typst or LaTeX.
WEASYPRINT = "weasyprint"
TYPST = "typst"
LATEX = "latex"


@dataclass(frozen=True)
class Rendered:
    """One rendered edition.

    `html` is the book's `index.html`; `pdf` is None when Quarto made no PDF (the
    HTML book is still published). `version` names the renderer's version, e.g.
    "jaarverslag 1.4.0, WeasyPrint 66.0" or "Quarto 1.9.2". `pdf_route` says how
    the PDF was made ("weasyprint", "typst" or "latex"), None without a PDF.
    """

    html: Path
    pdf: Path | None
    renderer: str
    version: str
    pdf_route: str | None

    def manifest_fields(self, published: Callable[[Path], str]) -> dict[str, str | None]:
        """The manifest's fields for this render; `published` says where a file will be, as
        the manifest names it."""
        return {
            "renderer": self.renderer,
            "renderer_version": self.version,
            "pdf_route": self.pdf_route,
            "html": published(self.html),
            "pdf": published(self.pdf) if self.pdf is not None else None,
        }
