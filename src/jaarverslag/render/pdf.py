"""The PDF: every chapter in ONE HTML document, laid out by WeasyPrint.

The chapters are the same bodies as in the HTML book (`html.load_chapter`), with
ids prefixed by the chapter (`clienten--aantal-clienten`) so they stay unique in
one document. `templates/page/print.html.j2` adds the cover, the contents with
page numbers and the colophon; `templates/css/print.css` does A4, the running
footer, chapter page breaks and the PDF outline (bookmarks).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jaarverslag.book import Book
from jaarverslag.publish.provenance import build_time
from jaarverslag.render.html import (
    CSS_DIR,
    TEMPLATES,
    Chapter,
    RenderError,
    Site,
    jinja_env,
    load_chapter,
    load_intro,
    present_chapters,
    stylesheet,
)

if TYPE_CHECKING:
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

log = logging.getLogger(__name__)

INTRO_SLUG = "inleiding"
PDF_VARIANT = "pdf/ua-1"


def _css_string(text: str) -> str:
    """A CSS string literal.

    >>> _css_string('Jaarverslag "2022"')
    '"Jaarverslag \\\\"2022\\\\""'
    """
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def document_html(book: Book, chapters: list[Path], *, meta: Mapping[str, Any]) -> str:
    """The single HTML document that becomes the PDF (handy for debugging the print CSS)."""
    site = Site.from_meta(book, meta)
    chapters = present_chapters(chapters)  # a chapter without data for this edition is left out
    slugs = [Path(c).stem for c in chapters]
    if INTRO_SLUG in slugs or "colofon" in slugs or "inhoud" in slugs:
        raise RenderError(
            f"een hoofdstuk mag niet 'inleiding', 'inhoud' of 'colofon' heten: {slugs}"
        )
    parts: list[Chapter] = []
    intro = load_intro(
        book, chapter_slugs=slugs, id_prefix=f"{INTRO_SLUG}--", link_style="document"
    )
    if intro.body.strip():
        parts.append(
            Chapter(
                slug=INTRO_SLUG,
                title=intro.title,
                body=intro.body,
                sections=intro.sections,
                source=intro.source,
            )
        )
    for path in chapters:
        slug = Path(path).stem
        parts.append(
            load_chapter(
                Path(path), chapter_slugs=slugs, id_prefix=f"{slug}--", link_style="document"
            )
        )
    return jinja_env().get_template("print.html.j2").render(
        site=site, parts=parts, built_at=build_time().isoformat(timespec="seconds"))


@functools.lru_cache(maxsize=1)
def _font_config() -> FontConfiguration:
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def render_pdf(book: Book, chapters: list[Path], out_pdf: Path, *, meta: Mapping[str, Any]) -> Path:
    """Render the whole report as one A4 PDF at `out_pdf`; returns `out_pdf`.

    Cover (title, subtitle, organisation, year), contents with page numbers,
    the intro from `index.qmd`, one chapter per executed notebook (each on a new
    page), and the colophon from `meta["colophon"]` as the last page. The footer
    reads "<title> — <organisation>" and "pagina N van M". Title, author and
    language (`nl`) are set in the PDF's metadata; the outline has every
    chapter and section. The PDF is tagged (PDF/UA-1) for screen readers.
    """
    from weasyprint import CSS, HTML

    out_pdf = Path(out_pdf)
    out_pdf.parent.mkdir(parents=True, exist_ok=True)
    site = Site.from_meta(book, meta)
    doc = document_html(book, chapters, meta=meta)

    font_config = _font_config()
    base_url = str(CSS_DIR) + "/"
    css = CSS(string=stylesheet("print"), base_url=base_url, font_config=font_config, url_fetcher=_own_files_only())
    footer = CSS(
        string=f"@page {{ @bottom-left {{ content: {_css_string(site.running_title)}; }} }}",
        font_config=font_config,
    )
    # No base address: a relative link (the workbook beside the PDF) stays relative to the PDF,
    # wherever it is published or downloaded, and never points into this package.
    document = HTML(string=doc, base_url=None, url_fetcher=_own_files_only())
    options = dict(stylesheets=[css, footer], font_config=font_config)
    try:
        # PDF/UA-1: a tagged PDF that screen readers can follow (headings, tables, alt text).
        document.write_pdf(out_pdf, pdf_variant=PDF_VARIANT, finisher=_header_scopes, **options)
    except Exception as exc:  # noqa: BLE001 - the untagged PDF is still a good PDF
        log.warning("PDF/UA lukte niet (%s); PDF zonder tags geschreven", exc)
        document.write_pdf(out_pdf, **options)
    log.info("PDF geschreven: %s", out_pdf)
    return out_pdf


def _header_scopes(document: Any, pdf: Any) -> None:
    """Give every table header cell of the tagged PDF its /Scope, from the cell's `scope`.

    WeasyPrint tags a `th` as /TH and lists it in the /Headers of the data cells, but
    writes no /Scope: PDF/UA checkers then cannot tell a column header from a row
    header (pdfua's UA-15-003). `scope="row"` (or rowgroup) is /Row; any other header
    cell heads its column, as WeasyPrint's own /Headers take it. A WeasyPrint finisher:
    it runs after the structure tree is made and before the file is written.
    """
    for page in document.pages:
        for box in page._page_box.descendants():
            mark = getattr(box, "mark", None)
            if mark is None or getattr(box, "element_tag", None) != "th" or "A" not in mark:
                continue
            scope = (box.element.get("scope") or "").lower()
            mark["A"]["Scope"] = "/Row" if scope in ("row", "rowgroup") else "/Column"


def _own_files_only() -> URLFetcher:
    """A WeasyPrint fetcher for data: URIs and the package's own templates and fonts only:
    no network, and no file elsewhere on disk that a relative address in a text points at."""
    from urllib.parse import unquote, urlparse

    from weasyprint.urls import URLFetcher

    class OwnFilesOnly(URLFetcher):
        def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
            parsed = urlparse(url)
            if parsed.scheme == "file" and not Path(unquote(parsed.path)).resolve().is_relative_to(
                    TEMPLATES.resolve()):
                raise ValueError(f"niet toegestaan in het verslag: {url[:80]}")
            return super().fetch(url, headers)

    return OwnFilesOnly(allowed_protocols={"data", "file"})
