"""Turn executed chapter notebooks into the jaarverslag: an HTML book, a PDF, or a Quarto book.

    from jaarverslag.render import render_html, render_pdf, render_quarto

`render_html` and `render_pdf` are pure Python and offline (nbconvert, Jinja,
WeasyPrint). `render_quarto` hands the same notebooks to Quarto where it is
installed.
"""

from jaarverslag.render.html import HOUSE_FONT, RenderError, render_html
from jaarverslag.render.pdf import render_pdf
from jaarverslag.render.quarto import QuartoFailed, QuartoNotFound, render_quarto, stage_quarto

__all__ = [
    "HOUSE_FONT",
    "QuartoFailed",
    "QuartoNotFound",
    "RenderError",
    "render_html",
    "render_pdf",
    "render_quarto",
    "stage_quarto",
]
