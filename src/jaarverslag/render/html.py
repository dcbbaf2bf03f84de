"""The HTML book: one page per chapter, a home page with cover, contents and colophon.

Each executed notebook goes through nbconvert's `HTMLExporter` with the project's
own template (`templates/nbconvert/jaarverslag`, extending `basic`): no code, no
prompts, no stream output. The resulting body is cleaned by nh3 with an allow-list
of our own markup (`markup.clean_body`; `index.qmd` with `markup.clean_prose`), so
no script, event handler or javascript: link reaches a page. It is then tidied once (`tidy_body`:
heading ids, scrollable table regions, chapter links) and placed in the Jinja
page layout (`templates/page/*.html.j2`). The PDF renderer (`pdf.py`) reuses
`load_chapter`, `load_intro` and `Site`, so both outputs show the same text.

Everything is offline: CSS and the house font are copied into `out_dir/assets/`,
charts are data URIs, and there is no JavaScript. A chart is read from the output Quarto
reads too: its `image/svg+xml`, with the alt text and caption of its metadata.

Rendering is incremental: a file is written only when its content differs from what is
in `out_dir` already (and then replaced, never written through, so a page hard-linked
from a published edition stays as it is). An unchanged chapter's page therefore keeps
its file, while the shared parts (navigation on every page, the home page, the CSS) are
redone exactly when the chapter list, a title or the style changed: each page is still
made from the same inputs, so the result is always byte for byte that of a full render.
A caller that renders again and again (`jaarverslag preview`) passes a `Pages` to skip
converting the chapters whose executed notebook did not change.

nbformat, nbconvert, BeautifulSoup and Jinja are imported where they are used, so
importing the package (a build with nothing to do) does not load them.
"""

from __future__ import annotations

import functools
import hashlib
import html as htmllib
import logging
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jaarverslag import markup, paths
from jaarverslag.book import Book
from jaarverslag.errors import JaarverslagError, Kind

if TYPE_CHECKING:
    import jinja2
    from bs4 import Tag
    from nbconvert import HTMLExporter
    from nbformat import NotebookNode

log = logging.getLogger(__name__)

TEMPLATES = paths.TEMPLATES
NBCONVERT_TEMPLATES = TEMPLATES / "nbconvert"
PAGE_TEMPLATES = TEMPLATES / "page"
CSS_DIR = TEMPLATES / "css"
FONTS_DIR = paths.FONTS
#: The house font. Charts use the same file through matplotlib (see `style.font_file`).
HOUSE_FONT = FONTS_DIR / "SourceSans3-Regular.ttf"
HOUSE_FONT_FAMILY = "Source Sans 3"

# Cells with these tags never reach the report. papermill adds `injected-parameters`;
# the `remove-*` tags are Quarto's and Jupyter Book's.
DROP_CELL_TAGS = {"parameters", "injected-parameters", "remove-cell", "remove_cell"}
DROP_OUTPUT_TAGS = {"remove-output", "remove_output"}


class RenderError(JaarverslagError):
    """A chapter cannot be rendered as it is; the message says which and why."""

    kind = Kind.RENDER


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Heading:
    """An h2 or h3 of a chapter, as the page's contents and the PDF's outline list it."""

    id: str
    title: str
    level: int


@dataclass(frozen=True)
class Chapter:
    """One chapter, ready to place in a page or in the PDF document."""

    slug: str  # file stem: `clienten` -> clienten.html, #clienten in the PDF
    title: str
    body: str  # HTML, the first <h1> included
    sections: tuple[Heading, ...] = ()
    source: Path | None = None


@dataclass(frozen=True)
class Site:
    """What every page shows about the report, taken from the build's `meta`."""

    title: str
    subtitle: str
    organisation: str
    year: int | None
    colophon: tuple[tuple[str, str], ...]
    pdf_href: str | None
    lang: str = "nl"
    file_stem: str = ""  # what the edition's files are called after (`jaarverslag-2022-hengelo`)
    verantwoording: tuple[tuple[str, str], ...] = ()  # the technical provenance, after the colofon
    font_family: str = HOUSE_FONT_FAMILY

    @property
    def pdf_downloads(self) -> list[tuple[str, str]]:
        """The figures to download as the PDF's edition page links them: (text, address from the
        PDF, which sits beside html/). See `downloads.pdf_links`."""
        from jaarverslag.render.downloads import pdf_links

        return pdf_links(self)

    @property
    def running_title(self) -> str:
        """`Jaarverslag 2022 — Wijkkracht`: footer text and document title."""
        if self.organisation and self.organisation not in self.title:
            return f"{self.title} — {self.organisation}"
        return self.title

    @property
    def show_year(self) -> bool:
        """The cover shows the year separately only when the title lacks it."""
        return self.year is not None and str(self.year) not in self.title

    @classmethod
    def from_meta(cls, book: Book, meta: Mapping[str, Any]) -> Site:
        year = meta.get("year")
        title = meta.get("title") or (f"{book.title} {year}" if year else book.title)
        colophon = meta.get("colophon") or {}
        if "pdf_href" in meta:
            pdf_href = meta["pdf_href"] or None
        else:
            pdf_href = f"../{slugify(title)}.pdf"
        return cls(
            title=str(title),
            subtitle=str(meta.get("subtitle") or book.author or ""),
            organisation=str(meta.get("organisation") or ""),
            year=int(year) if year is not None else None,
            colophon=tuple((str(k), str(v)) for k, v in colophon.items()),
            pdf_href=pdf_href,
            lang=book.lang or "nl",
            file_stem=str(meta.get("file_stem") or ""),
            verantwoording=tuple((str(k), str(v)) for k, v in (meta.get("verantwoording") or {}).items()),
        )


@dataclass
class _Page:
    href: str
    title: str
    sections: tuple[Heading, ...] = field(default_factory=tuple)


# ------------------------------------------------------------------- conversions


def slugify(text: str) -> str:
    """An ASCII id for a heading or file.

    >>> slugify("Cliënten per gemeente, 2022")
    'clienten-per-gemeente-2022'
    >>> slugify("Jaarverslag 2022")
    'jaarverslag-2022'
    """
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "sectie"


@functools.lru_cache(maxsize=1)
def _exporter() -> HTMLExporter:
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="jaarverslag",
        extra_template_basedirs=[str(NBCONVERT_TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
    )


_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
_HEADING_ATTRS = re.compile(r"^(#{1,6}\s.*?)\s*\{[^}\n]*\}\s*$", re.M)
_FENCED_DIV = re.compile(r"^:::.*$", re.M)


def markdown_to_html(source: str) -> str:
    """Quarto-flavoured Markdown (a `.qmd` page) to HTML.

    The YAML front matter, Pandoc heading attributes (`{.unnumbered}`) and
    fenced-div markers (`:::`) are dropped; the rest is CommonMark, rendered as the
    notebooks' Markdown is and cleaned to what Markdown itself produces (`markup.clean_prose`).
    """
    source = _FRONT_MATTER.sub("", source, count=1)
    source = _HEADING_ATTRS.sub(r"\1", source)
    source = _FENCED_DIV.sub("", source)
    html = markup.markdown_html(source)
    refused = markup.refused(html, prose=True)
    if refused:
        log.warning("inleiding: weggelaten, want niet toegestaan in het verslag: %s", ", ".join(refused))
    return markup.clean_prose(html)


def front_matter(source: str) -> dict[str, Any]:
    import yaml

    m = _FRONT_MATTER.match(source)
    return (yaml.safe_load(m.group(1)) or {}) if m else {}


def strip_notebook(nb: NotebookNode, name: str) -> NotebookNode:
    """The executed chapter `name` without what must never reach a reader: the parameters
    cells, `remove-*` cells and outputs, streams (prints, warnings) and bare text outputs.

    A cell that ended in an error is a `RenderError`: a report never shows a traceback.
    Both renderers show a chapter through here (the embedded one and `quarto.stage_quarto`).
    """
    cells: list[NotebookNode] = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & DROP_CELL_TAGS:
            continue
        if cell.cell_type == "code":
            if tags & DROP_OUTPUT_TAGS:
                cell.outputs = []
            kept = []
            for out in cell.get("outputs", []):
                if out.output_type == "error":
                    raise RenderError(
                        f"hoofdstuk {name}: cel {len(cells) + 1} eindigde met een fout "
                        f"({out.get('ename', '?')}: {out.get('evalue', '')}); "
                        "los die eerst op in het notebook"
                    )
                if out.output_type == "stream":
                    continue
                if out.output_type in ("display_data", "execute_result"):
                    data = out.get("data", {})
                    if set(data) <= {"text/plain"}:
                        log.info("hoofdstuk %s: uitvoer met alleen text/plain weggelaten", name)
                        continue
                kept.append(out)
            cell.outputs = kept
        cells.append(cell)
    nb.cells = cells
    return nb


def lift_figure_options(nb: NotebookNode) -> NotebookNode:
    """A chart's caption and alt text as the cell options Quarto reads (`fig-cap`, `fig-alt`).

    A chart keeps them in its output's metadata (`charts.Chart`); Quarto reads them only as
    cell options, from `#|` lines or the cell's metadata, and gives the n-th display output of
    the cell the n-th entry of a list (`resolveCaptions` in quarto-cli's
    src/core/jupyter/labels.ts; `fig-alt` by output index in src/core/jupyter/jupyter.ts).
    So each cell with a chart gets both as lists, one entry per output and "" for an output
    that is no chart. Run it after `strip_notebook`, which leaves only display outputs, so
    the entries line up. The caption is Markdown-escaped: Quarto writes it as `![caption](…)`.
    """
    from jaarverslag.chapters.toolkit.charts import FIGURE_OPTIONS

    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs = cell.get("outputs", [])
        lifted = {key: [str(out.get("metadata", {}).get(key) or "") for out in outputs] for key in FIGURE_OPTIONS}
        if not any(any(values) for values in lifted.values()):
            continue
        lifted["fig-cap"] = [markup.md_text(caption) if caption else "" for caption in lifted["fig-cap"]]
        cell.metadata.update(lifted)
    return nb


def _text(tag: Tag) -> str:
    return " ".join(tag.get_text(" ", strip=True).split())


def _attr(tag: Tag, name: str) -> str:
    """An attribute's text, '' when it is absent; a multi-valued one (`class`) joined by spaces."""
    value = tag.get(name)
    if value is None:
        return ""
    return value if isinstance(value, str) else " ".join(value)


def _chapter_link(href: str, chapter_slugs: Iterable[str]) -> tuple[str, str] | None:
    """`clienten.ipynb#aantal` -> ("clienten", "aantal") for a link to another chapter."""
    m = re.match(r"^(?:\.{1,2}/)*(?:[\w.-]+/)*([\w.-]+)\.(?:ipynb|qmd)(?:#(.*))?$", href)
    if not m:
        return None
    stem, frag = m.group(1), m.group(2) or ""
    if stem == "index" or stem in set(chapter_slugs):
        return stem, frag
    return None


def tidy_body(
    body: str,
    *,
    name: str,
    chapter_slugs: Iterable[str] = (),
    id_prefix: str = "",
    link_style: str = "pages",
    heading_shift: int = 0,
) -> tuple[str, str | None, tuple[Heading, ...]]:
    """Make a rendered body fit for the book.

    - headings get short unique ASCII ids (`id_prefix` keeps them unique in the PDF);
    - every table sits in a focusable, labelled scroll region (`div.jv-table-wrap`);
    - images without alt text borrow their figure caption (and we log it);
      images from the internet and scripts are refused: the book is offline;
    - links to `other.ipynb` become `other.html` (`link_style="pages"`) or
      `#other` (`link_style="document"`, for the single PDF document);
    - `heading_shift` demotes headings (1: h1 -> h2), for the intro on the home page.

    Returns the HTML, the first h1's text (None if there is none) and the sections (h2/h3).
    """
    from bs4 import BeautifulSoup, NavigableString, Tag

    slugs = list(chapter_slugs)
    soup = BeautifulSoup(body, "html.parser")

    for bad in soup.find_all(["script", "iframe", "object", "embed"]):
        log.warning("hoofdstuk %s: <%s> weggelaten (geen scripts in het verslag)", name, bad.name)
        bad.decompose()
    for link in soup.find_all("link"):
        link.decompose()

    # Headings.
    used: set[str] = set()
    old_to_new: dict[str, str] = {}
    title: str | None = None
    sections: list[Heading] = []
    for h in soup.find_all(re.compile(r"^h[1-6]$")):
        level = int(h.name[1])
        text = _text(h)
        base = slugify(text)
        new_id, n = base, 2
        while new_id in used:
            new_id, n = f"{base}-{n}", n + 1
        used.add(new_id)
        if _attr(h, "id"):
            old_to_new[_attr(h, "id")] = new_id
        old_to_new.setdefault(base, new_id)
        h["id"] = id_prefix + new_id
        if level == 1 and title is None:
            title = text
        elif level in (2, 3):
            sections.append(Heading(id=id_prefix + new_id, title=text, level=level))
        if heading_shift:
            h.name = f"h{min(6, level + heading_shift)}"

    # Other ids must be unique in the single PDF document too.
    if id_prefix:
        for el in soup.find_all(id=True):
            if el.name and not re.match(r"^h[1-6]$", el.name):
                old_id = _attr(el, "id")
                old_to_new.setdefault(old_id, old_id)
                el["id"] = id_prefix + old_id

    # Links.
    for a in soup.find_all("a", href=True):
        href = _attr(a, "href")
        if href.startswith("#"):
            frag = href[1:]
            a["href"] = "#" + id_prefix + old_to_new.get(frag, slugify(frag))
            continue
        if _text(a) and _text(a) in href:
            a["class"] = " ".join([*_attr(a, "class").split(), "jv-url"])  # the text is the address already
        target = _chapter_link(href, slugs)
        if target is None:
            continue
        stem, frag = target
        if link_style == "pages":
            a["href"] = f"{stem}.html" + (f"#{slugify(frag)}" if frag else "")
        else:
            doc_id = "inleiding" if stem == "index" else stem
            a["href"] = f"#{doc_id}--{slugify(frag)}" if frag else f"#{doc_id}"

    # Images.
    for img in soup.find_all("img"):
        src = _attr(img, "src")
        if re.match(r"^(https?:)?//", src):
            raise RenderError(
                f"hoofdstuk {name}: afbeelding van internet ({src[:60]}); "
                "het verslag moet zonder internet werken, neem de afbeelding op als data"
            )
        if not _attr(img, "alt").strip():
            fig = img.find_parent("figure")
            cap = fig.find("figcaption") if fig else None
            if cap is not None and _text(cap):
                img["alt"] = _text(cap)
                log.warning("hoofdstuk %s: afbeelding zonder alt-tekst; bijschrift gebruikt", name)
            else:
                log.warning("hoofdstuk %s: afbeelding zonder alt-tekst", name)
                img["alt"] = ""

    # Tables: a labelled region that scrolls sideways on a narrow screen.
    for table in soup.find_all("table"):
        if table.find_parent("table") is not None:
            continue
        parent = table.parent
        if isinstance(parent, Tag) and "jv-table-wrap" in (parent.get("class") or []):
            wrap = parent
        else:
            wrap = soup.new_tag("div", attrs={"class": "jv-table-wrap"})
            table.wrap(wrap)
        caption = table.find("caption")
        label = _text(caption) if caption is not None else ""
        wrap["role"] = "region"
        wrap["tabindex"] = "0"
        wrap["aria-label"] = f"Tabel: {label}" if label else "Tabel"

    # Empty paragraphs left by outputs without content.
    for p in soup.find_all("p"):
        blank = all(isinstance(c, NavigableString) and not c.strip() for c in p.contents)
        if not p.contents or blank:
            p.decompose()

    return str(soup).strip(), title, tuple(sections)


def omitted_reason(path: Path) -> str | None:
    """Why an executed chapter is left out of the book (it has no data for this edition),
    or None when it is in. The chapter says so with an `OMITTED_MIME` output (`jv.chapter`)."""
    import nbformat

    from jaarverslag.chapters.toolkit.sections import OMITTED_MIME

    nb = nbformat.read(Path(path), as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            marker = out.get("data", {}).get(OMITTED_MIME)
            if marker is not None:
                return str(marker.get("reden", "geen gegevens")) if isinstance(marker, dict) else "geen gegevens"
    return None


def present_chapters(chapters: Iterable[Path], pages: Pages | None = None) -> list[Path]:
    """The chapters that are in the book: those without data for this edition are left out,
    from the pages, the navigation and the contents alike."""
    kept = []
    for path in chapters:
        reason = pages.omitted(path) if pages is not None else omitted_reason(path)
        if reason is None:
            kept.append(Path(path))
        else:
            log.info("hoofdstuk %s weggelaten: %s", Path(path).stem, reason)
    return kept


def notebook_body(nb: NotebookNode, name: str) -> str:
    """A stripped notebook's outputs as our own markup: through the nbconvert template (a chart's
    `image/svg+xml` becomes a `figure.jv-chart` with its alt text and caption) and then nh3."""
    body, _ = _exporter().from_notebook_node(nb)
    refused = markup.refused(body)
    if refused:
        log.warning("hoofdstuk %s: weggelaten, want niet toegestaan in het verslag: %s", name, ", ".join(refused))
    return markup.clean_body(body)  # the one fence for every output: only our own markup


@functools.lru_cache(maxsize=32)
def _converted(notebook: bytes, slug: str) -> str:
    """An executed notebook's body, converted once for the same bytes: the pages and the PDF of
    an edition show the same chapters, and nbconvert is most of loading one."""
    import nbformat

    return notebook_body(strip_notebook(nbformat.reads(notebook.decode("utf-8"), as_version=4), slug), slug)


def load_chapter(
    path: Path,
    *,
    chapter_slugs: Iterable[str] = (),
    id_prefix: str = "",
    link_style: str = "pages",
) -> Chapter:
    """An executed notebook as a `Chapter`. Adds an <h1> from the file name if it has none."""
    path = Path(path)
    slug = path.stem
    body = _converted(path.read_bytes(), slug)
    body, title, sections = tidy_body(
        body, name=slug, chapter_slugs=chapter_slugs, id_prefix=id_prefix, link_style=link_style
    )
    if title is None:
        title = slug.replace("_", " ").capitalize()
        log.warning("hoofdstuk %s heeft geen kop '# ...'; titel %r gebruikt", slug, title)
        body = f'<h1 id="{id_prefix}{slugify(title)}">{htmllib.escape(title)}</h1>\n{body}'
    return Chapter(slug=slug, title=title, body=body, sections=sections, source=path)


def load_intro(
    book: Book,
    *,
    chapter_slugs: Iterable[str] = (),
    id_prefix: str = "",
    link_style: str = "pages",
    heading_shift: int = 0,
) -> Chapter:
    """The home page text (`index.qmd`) as a `Chapter` with slug `index`."""
    path = book.index
    source = path.read_text(encoding="utf-8") if path.exists() else ""
    if not path.exists():
        log.warning("%s ontbreekt; de voorpagina krijgt geen inleiding", path)
    body, title, sections = tidy_body(
        markdown_to_html(source),
        name=path.name,
        chapter_slugs=chapter_slugs,
        id_prefix=id_prefix,
        link_style=link_style,
        heading_shift=heading_shift,
    )
    title = title or str(front_matter(source).get("title") or "Inleiding")
    return Chapter(slug="index", title=title, body=body, sections=sections, source=path)


# ------------------------------------------------------------------------- pages


@functools.lru_cache(maxsize=1)
def jinja_env() -> jinja2.Environment:
    """The page layouts (`templates/page/`), escaping every value placed in them."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(PAGE_TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["first_heading_id"] = _first_heading_id
    return env


def _first_heading_id(body: str) -> str:
    m = re.search(r'<h1[^>]*\bid="([^"]+)"', body)
    return m.group(1) if m else ""


def stylesheet(kind: str) -> str:
    """The CSS for `kind` ("screen" or "print"): fonts, shared base, then the medium's own."""
    parts = ["fonts.css", "base.css", f"{kind}.css"]
    return "\n".join((CSS_DIR / p).read_text(encoding="utf-8") for p in parts)


def copy_assets(out_dir: Path, written: list[str] | None = None) -> None:
    """CSS into assets/css/, fonts and their licence into assets/fonts/; each only when it differs
    from what is there (`written` gets the files that were written, relative to `out_dir`)."""
    css_dir = out_dir / "assets" / "css"
    font_dir = out_dir / "assets" / "fonts"
    css_dir.mkdir(parents=True, exist_ok=True)
    font_dir.mkdir(parents=True, exist_ok=True)
    sources = {css_dir / "jaarverslag.css": stylesheet("screen").encode("utf-8")}
    for f in FONTS_DIR.iterdir():
        if f.suffix in {".ttf", ".otf", ".woff2", ".txt"}:
            sources[font_dir / f.name] = f.read_bytes()
    for dest, content in sources.items():
        if write_if_changed(dest, content) and written is not None:
            written.append(dest.relative_to(out_dir).as_posix())


def write_if_changed(path: Path, content: str | bytes) -> bool:
    """Write `content` to `path` unless the file holds exactly that already; True when written.

    The new content goes to a temporary file beside it that then replaces the old one: a file
    hard-linked from elsewhere (the published edition, see `build`) is never written through.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return True


@dataclass
class Pages:
    """What renders of the same book in one process share: each chapter as converted, by the
    content of its executed notebook (an unchanged chapter is not converted again), and the
    files the last render wrote (`written`, relative to its folder; the preview names them)."""

    written: list[str] = field(default_factory=list)
    _chapters: dict[tuple[str, ...], Chapter] = field(default_factory=dict, repr=False)
    _omitted: dict[str, str | None] = field(default_factory=dict, repr=False)

    def omitted(self, path: Path) -> str | None:
        digest = _digest(path)
        if digest not in self._omitted:
            self._omitted[digest] = omitted_reason(path)
        return self._omitted[digest]

    def chapter(self, path: Path, chapter_slugs: list[str]) -> Chapter:
        key = (_digest(path), Path(path).stem, *chapter_slugs)
        if key not in self._chapters:
            self._chapters[key] = load_chapter(path, chapter_slugs=chapter_slugs)
        return self._chapters[key]

    def forget_all_but(self, paths: list[Path]) -> None:
        """Keep only what these notebooks are now: the memory does not grow with every edit."""
        digests = {_digest(p) for p in paths}
        self._chapters = {k: v for k, v in self._chapters.items() if k[0] in digests}
        self._omitted = {k: v for k, v in self._omitted.items() if k in digests}


def _digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def render_html(book: Book, chapters: list[Path], out_dir: Path, *, meta: Mapping[str, Any],
                pages: Pages | None = None) -> Path:
    """Render the HTML book into `out_dir`; returns `out_dir/index.html`.

    Only the files whose content changes are written, and a page of a chapter that is no
    longer in the book is removed: `out_dir` ends as a full render would leave it. `pages`
    keeps the chapters converted for a next render in this process (see `Pages`).

    `chapters` are the executed notebooks in book order; a chapter without data
    for this edition (see `present_chapters`) gets no page. `meta` gives title,
    subtitle, organisation, year, colophon and optionally `pdf_href` (a link to
    the PDF relative to the pages; `None` hides the link; the default is
    `../<slug of title>.pdf`).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    site = Site.from_meta(book, meta)
    given = [Path(c) for c in chapters]
    chapters = present_chapters(given, pages)
    slugs = [Path(c).stem for c in chapters]
    if len(set(slugs)) != len(slugs) or "index" in slugs:
        raise RenderError(f"hoofdstukbestanden moeten unieke namen hebben (niet 'index'): {slugs}")

    intro = load_intro(book, chapter_slugs=slugs, id_prefix="intro-", heading_shift=1)
    if pages is not None:
        loaded = [pages.chapter(Path(c), slugs) for c in chapters]
    else:
        loaded = [load_chapter(Path(c), chapter_slugs=slugs) for c in chapters]
    loaded, workbook = with_downloads(loaded, out_dir, site)

    nav = [_Page("index.html", "Voorpagina")] + [
        _Page(f"{c.slug}.html", c.title, c.sections) for c in loaded
    ]
    env = jinja_env()
    written: list[str] = []
    copy_assets(out_dir, written)

    index_html = env.get_template("index.html.j2").render(
        site=site,
        intro=intro,
        chapters=loaded,
        pages=nav,
        current=0,
        prev=None,
        next=nav[1] if len(nav) > 1 else None,
        page_title=site.running_title,
        workbook=workbook,
    )
    files = {"index.html": index_html}
    tpl = env.get_template("chapter.html.j2")
    for i, chapter in enumerate(loaded, start=1):
        files[f"{chapter.slug}.html"] = tpl.render(
            site=site,
            chapter=chapter,
            pages=nav,
            current=i,
            prev=nav[i - 1],
            next=nav[i + 1] if i + 1 < len(nav) else None,
            page_title=f"{chapter.title} — {site.running_title}",
            workbook=workbook,
        )
    for name, html in files.items():
        if write_if_changed(out_dir / name, html):
            written.append(name)
    for stale in out_dir.glob("*.html"):  # a chapter no longer in the book (or without data now)
        if stale.name not in files:
            stale.unlink()
            written.append(stale.name)
    if pages is not None:
        pages.written = written
        pages.forget_all_but(given)
    return out_dir / "index.html"


def with_downloads(chapters: list[Chapter], out_dir: Path, site: Site) -> tuple[list[Chapter], Any]:
    """The figures to download (`downloads.py`): a CSV per table, linked under it, and the
    edition's workbook (returned, for the links on the pages; None without tables)."""
    from jaarverslag.render import downloads

    return downloads.publish(chapters, out_dir, site)
